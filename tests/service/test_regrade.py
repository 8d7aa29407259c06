"""Regrading after a policy change: every grade records the policy version it was graded under."""

from __future__ import annotations

import time

from sqlalchemy import select

from grader.cli import main
from grader.service.database import get_database
from grader.service.models import Grade, PolicyVersion
from tests.service.helpers import API


def test_regrade_applies_the_new_policy_and_keeps_old_grades(app, client, auth, seed_set, submit, seed_values):
    answers = {k: round(v, 6) for k, v in seed_values.items()}
    answers["new_w5_3"] = round(seed_values["new_w5_3"] * 1.02, 6)  # 2 % off: wrong under rtol 1 %
    submit(seed_set["id"], "s1", answers)
    url = f"{API}/exercise-sets/{seed_set['id']}"
    before = client.get(f"{url}/students/s1/submissions/1", headers=auth("alice")).json
    assert before["results"]["new_w5_3"]["verdict"] == "incorrect" and before["policy_version"] == 1

    changed = client.patch(url, json={"policy": {"rtol": 0.05}}, headers=auth("alice")).json
    assert changed["policy_version"] == 2 and changed["stale_grades"] == 1
    result = client.post(f"{url}/regrade", headers=auth("alice"))
    assert result.status_code == 200
    assert result.json == {"policy_version": 2, "regraded": 1, "remaining": 0, "total": 1}
    after = client.get(f"{url}/students/s1/submissions/1", headers=auth("alice")).json
    assert after["results"]["new_w5_3"]["verdict"] == "correct" and after["policy_version"] == 2
    assert client.get(url, headers=auth("alice")).json["stale_grades"] == 0
    assert client.post(f"{url}/regrade", headers=auth("alice")).json["regraded"] == 0
    with get_database(app).sessions() as session:
        versions = (
            session.execute(
                select(PolicyVersion.version).join(Grade, Grade.policy_id == PolicyVersion.id).order_by(Grade.id)
            )
            .scalars()
            .all()
        )
    assert versions == [1, 2]


def test_new_submissions_are_graded_under_the_current_policy(client, auth, seed_set, submit):
    client.patch(f"{API}/exercise-sets/{seed_set['id']}", json={"policy": {"reveal": True}}, headers=auth("alice"))
    doc = submit(seed_set["id"], "s1", {"z3": 0.7}).json
    assert doc["policy_version"] == 2
    assert doc["results"]["z3"]["expected"] == 0.755 or abs(doc["results"]["z3"]["expected"] - 0.755) < 1e-12


def test_regrade_stops_at_its_budget_and_carries_on(app, client, auth, seed_set, submit):
    from grader.service.facade import regrading
    from grader.service.models import ExerciseSet

    for n in range(5):
        submit(seed_set["id"], f"s{n}", {"z3": 0.755})
    client.patch(f"{API}/exercise-sets/{seed_set['id']}", json={"policy": {"rtol": 0.02}}, headers=auth("alice"))
    with get_database(app).sessions() as session:
        exercise_set = session.get(ExerciseSet, seed_set["id"])
        step = regrading.regrade(session, exercise_set, batch=2, budget=0.0)
        assert (step.regraded, step.remaining, step.total) == (2, 3, 5)
        rest = regrading.regrade(session, exercise_set, batch=2)
        assert rest.regraded == 3 and rest.remaining == 0


def test_grader_regrade_command(runner, client, auth, seed_set, submit):
    for n in range(3):
        submit(seed_set["id"], f"s{n}", {"z3": 0.755})
    client.patch(f"{API}/exercise-sets/{seed_set['id']}", json={"policy": {"rtol": 0.02}}, headers=auth("alice"))
    result = runner.invoke(main, ["regrade", str(seed_set["id"])])
    assert result.exit_code == 0, result.output
    assert "3 of 3 submissions graded under policy version 2; 0 remaining" in result.output
    assert "regrading" in result.output
    missing = runner.invoke(main, ["regrade", "999"])
    assert missing.exit_code != 0 and "no exercise set 999" in missing.output


def test_grader_regrade_queue_hands_the_chunks_to_workers(app, runner, client, auth, seed_set, submit):
    from grader.service.facade import regrading
    from grader.service.models import ExerciseSet
    from grader.service.worker import run_once

    for n in range(5):
        submit(seed_set["id"], f"s{n}", {"z3": 0.755})
    client.patch(f"{API}/exercise-sets/{seed_set['id']}", json={"policy": {"rtol": 0.02}}, headers=auth("alice"))
    result = runner.invoke(main, ["regrade", str(seed_set["id"]), "--queue", "--batch", "2"])
    assert result.exit_code == 0, result.output
    assert "3 chunks of up to 2 submissions queued" in result.output
    assert run_once(app) == 3
    with get_database(app).sessions() as session:
        assert regrading.counts(session, session.get(ExerciseSet, seed_set["id"])) == (5, 0)


def test_two_regrades_of_one_chunk_at_once_grade_each_submission_once(
    app, database_url, client, auth, seed_set, submit
):
    """The second regrade's COPY meets the first one's grades (still uncommitted): it waits for them,
    then inserts only what is missing instead of failing (PostgreSQL; SQLite has one writer)."""
    import threading

    import pytest
    from sqlalchemy import text

    from grader.service.facade import regrading
    from grader.service.models import ExerciseSet

    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite has one writer: two regrades cannot overlap")
    for n in range(4):
        submit(seed_set["id"], f"s{n}", {"z3": 0.755})
    client.patch(f"{API}/exercise-sets/{seed_set['id']}", json={"policy": {"rtol": 0.02}}, headers=auth("alice"))
    engine = get_database(app).engine
    with get_database(app).sessions() as session:
        policy_id = session.get(ExerciseSet, seed_set["id"]).policy.id
    with engine.connect() as reader:
        (chunk,) = regrading.plan(reader, seed_set["id"], policy_id)
    first = engine.connect()
    first.begin()
    assert regrading.run_chunk(first, chunk) == 4  # written, not committed
    second_pid: list[int] = []
    outcome: list[object] = []

    def second_regrade() -> None:
        try:
            with engine.begin() as connection:
                second_pid.append(connection.exec_driver_sql("SELECT pg_backend_pid()").scalar())
                outcome.append(regrading.run_chunk(connection, chunk))
        except Exception as error:  # reported below, in the test's thread
            outcome.append(error)

    thread = threading.Thread(target=second_regrade)
    thread.start()
    # Wait until the second regrade is blocked on the first one's rows. PostgreSQL keeps one
    # snapshot of pg_stat_activity per transaction, so each look is a transaction of its own (one
    # long transaction saw the second regrade "not yet waiting" forever and hung CI). The deadline
    # only turns a hang into a failure; the test does not depend on how long the wait takes.
    deadline = time.monotonic() + 120
    with engine.connect() as watcher:
        while thread.is_alive():
            waiting = watcher.execute(
                text("SELECT wait_event_type FROM pg_stat_activity WHERE pid = :pid"),
                {"pid": second_pid[0] if second_pid else -1},
            ).scalar()
            watcher.rollback()
            if waiting == "Lock":
                break
            assert time.monotonic() < deadline, "the second regrade never waited for the first one's rows"
            time.sleep(0.01)
    first.commit()
    first.close()
    thread.join()
    assert outcome and not isinstance(outcome[0], Exception), outcome
    with engine.connect() as connection:
        grades = connection.execute(
            text("SELECT submission_id, count(*) FROM grades WHERE policy_id = :p GROUP BY submission_id"),
            {"p": policy_id},
        ).all()
    assert len(grades) == 4 and all(count == 1 for _, count in grades)
    with get_database(app).sessions() as session:
        assert regrading.counts(session, session.get(ExerciseSet, seed_set["id"])) == (4, 0)


def test_a_regrade_refreshes_the_planners_statistics_when_it_ends(
    app, runner, database_url, client, auth, seed_set, submit, monkeypatch
):
    """PostgreSQL would plan the gradebook's reads of a new policy version's grades for one row
    until autovacuum analyzes them: a regrade that wrote many grades analyzes the table itself,
    at its end; through the queue, the last chunk does."""
    import pytest
    from sqlalchemy import text

    from grader.service.facade import regrading
    from grader.service.models import ExerciseSet

    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite plans without statistics")
    engine = get_database(app).engine

    def analyses() -> int:
        with engine.connect() as connection:
            return connection.scalar(text("SELECT analyze_count FROM pg_stat_user_tables WHERE relname = 'grades'"))

    def after(before: int) -> int:
        # The statistics collector is told at the end of the analyzing transaction, not at once.
        deadline = time.monotonic() + 30
        while (now := analyses()) == before and time.monotonic() < deadline:
            time.sleep(0.1)
        return now

    monkeypatch.setattr(regrading, "ANALYZE_AFTER", 3)
    for n in range(4):
        submit(seed_set["id"], f"s{n}", {"z3": 0.755})
    url = f"{API}/exercise-sets/{seed_set['id']}"
    client.patch(url, json={"policy": {"rtol": 0.02}}, headers=auth("alice"))
    before = analyses()
    with get_database(app).sessions() as session:
        assert regrading.regrade(session, session.get(ExerciseSet, seed_set["id"]), batch=2).regraded == 4
    assert after(before) == before + 1
    client.patch(url, json={"policy": {"rtol": 0.03}}, headers=auth("alice"))
    assert runner.invoke(main, ["regrade", str(seed_set["id"]), "--queue", "--batch", "2"]).exit_code == 0
    before = analyses()
    assert runner.invoke(main, ["worker", "--until-idle"]).exit_code == 0
    assert after(before) == before + 1  # once, by the second and last chunk
