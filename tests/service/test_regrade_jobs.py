"""Regrades started from the set page go through the job queue: queued once, never lost when the
worker grading them dies, dropped when a newer policy makes them stale, and spread over any
``grader worker`` that takes them."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select, update

from grader.cli import main
from grader.service import queue, regrade_jobs
from grader.service.database import get_database
from grader.service.facade import regrading
from grader.service.models import ExerciseSet, Grade, Job, utcnow
from tests.service.helpers import API

STUDENTS = 5


def change_policy(client, auth, set_id: int, rtol: float) -> None:
    changed = client.patch(f"{API}/exercise-sets/{set_id}", json={"policy": {"rtol": rtol}}, headers=auth("alice"))
    assert changed.status_code == 200 and changed.json["policy_changed"], changed.json


def course(client, auth, seed_set, submit) -> int:
    for n in range(STUDENTS):
        assert submit(seed_set["id"], f"s{n}", {"z3": 0.755}).status_code == 201
    change_policy(client, auth, seed_set["id"], 0.02)
    return seed_set["id"]


def job_states(session) -> list[str]:
    return list(session.scalars(select(Job.state).where(Job.kind == regrading.JOB_KIND).order_by(Job.id)))


def grades_under(session, policy_id: int) -> list[int]:
    return list(session.scalars(select(Grade.submission_id).where(Grade.policy_id == policy_id)))


def test_a_regrade_is_queued_once_and_nothing_is_lost_when_its_worker_dies(app, runner, client, auth, seed_set, submit):
    set_id = course(client, auth, seed_set, submit)
    sessions = get_database(app).sessions
    url = app.config["DATABASE_URL"]
    with sessions() as session:
        exercise_set = session.get(ExerciseSet, set_id)
        assert not regrade_jobs.running(session, exercise_set)
        assert regrade_jobs.start(session, exercise_set, url, drain=False, batch=2) == 3  # 2 + 2 + 1
        # A second press while it is queued adds nothing.
        assert regrade_jobs.start(session, exercise_set, url, drain=False, batch=2) == 0
        assert regrade_jobs.running(session, exercise_set) and job_states(session) == ["pending"] * 3
    with sessions() as session:
        # A worker takes the first chunk and dies holding it: its lease runs out.
        (held,) = queue.claim(session, 1, (regrading.JOB_KIND,))
        session.execute(update(Job).where(Job.id == held.id).values(locked_until=utcnow() - timedelta(seconds=1)))
        session.commit()
    result = runner.invoke(main, ["worker", "--until-idle", "--kind", regrading.JOB_KIND])
    assert result.exit_code == 0, result.output
    with sessions() as session:
        exercise_set = session.get(ExerciseSet, set_id)
        assert regrading.counts(session, exercise_set) == (STUDENTS, 0)
        assert not regrade_jobs.running(session, exercise_set)
        assert job_states(session) == ["done"] * 3
        graded = grades_under(session, exercise_set.policy.id)
        assert len(graded) == len(set(graded)) == STUDENTS  # each once, the dead worker's chunk too


def test_a_newer_policy_drops_the_chunks_queued_under_the_older_one(app, runner, client, auth, seed_set, submit):
    set_id = course(client, auth, seed_set, submit)
    sessions = get_database(app).sessions
    url = app.config["DATABASE_URL"]
    with sessions() as session:
        exercise_set = session.get(ExerciseSet, set_id)
        older = exercise_set.policy.id
        assert regrade_jobs.start(session, exercise_set, url, drain=False, batch=2) == 3
    change_policy(client, auth, set_id, 0.03)
    with sessions() as session:
        exercise_set = session.get(ExerciseSet, set_id)
        assert not regrade_jobs.running(session, exercise_set)  # what is queued is for the older policy
        assert regrade_jobs.start(session, exercise_set, url, drain=False, batch=5) == 1
        assert job_states(session) == ["superseded"] * 3 + ["pending"]
    assert runner.invoke(main, ["worker", "--until-idle"]).exit_code == 0
    with sessions() as session:
        exercise_set = session.get(ExerciseSet, set_id)
        assert regrading.counts(session, exercise_set) == (STUDENTS, 0)
        assert grades_under(session, older) == []  # nothing was graded under the stale version


def test_the_page_queues_a_big_regrade_and_reports_it_running_to_every_server_process(
    app, client, auth, keys, seed_set, submit
):
    from tests.pages.helpers import csrf_token, sign_in

    set_id = course(client, auth, seed_set, submit)
    app.config.update(REGRADE_INLINE_LIMIT=0, REGRADE_DRAIN=False)  # no child: the queue is left as it is
    page = app.test_client()
    assert sign_in(page, keys["alice"]).status_code == 302
    token = csrf_token(page, f"/sets/{set_id}")
    started = page.post(f"/sets/{set_id}/regrade", data={"csrf_token": token}, follow_redirects=True)
    assert f"Regrading {STUDENTS} submissions in the background." in started.get_data(as_text=True)
    # Another browser (as if on another server process) sees it queued, with its progress.
    other = app.test_client()
    sign_in(other, keys["alice"])
    assert other.get(f"/sets/{set_id}/regrade/progress").json == {
        "total": STUDENTS,
        "remaining": STUDENTS,
        "running": True,
    }
    with get_database(app).sessions() as session:
        assert session.scalar(select(func.count()).select_from(Job).where(Job.kind == regrading.JOB_KIND)) == 1


def test_an_unknown_job_kind_is_refused_by_name(runner):
    result = runner.invoke(main, ["worker", "--until-idle", "--kind", "regrade"])
    assert result.exit_code == 2 and "no job kind regrade" in result.output and "regrade.chunk" in result.output
    assert "Traceback" not in result.output
