"""The instructor's actions on a set and its students: links (new, withdrawn, reissued, all as CSV),
removing a student, archiving and deleting a set, and who may do each of them."""

from __future__ import annotations

import csv
import io
import re

import pytest
from sqlalchemy import func, select

from tests.pages.helpers import LINK, answer_form, csrf_token, make_set, student_token

# Every action of this module: (method, path under /sets/<id>), with the form it posts.
ACTIONS = [
    ("get", "/students/amy/as-student", {}),
    ("get", "/students/amy/remove", {}),
    ("post", "/students/amy/remove", {}),
    ("post", "/students/amy/reissue", {}),
    ("post", "/students/amy/revoke", {}),
    ("post", "/links.csv", {}),
    ("post", "/archive", {}),
    ("get", "/delete", {}),
    ("post", "/delete", {}),
]


def _counts(app) -> dict[str, int]:
    from grader.service.database import get_database
    from grader.service.models import AccessToken, Assignment, ExerciseSet, Grade, PolicyVersion, Submission

    with app.app_context(), get_database(app).sessions() as session:
        return {
            model.__tablename__: session.scalar(select(func.count()).select_from(model))
            for model in (ExerciseSet, PolicyVersion, Assignment, AccessToken, Submission, Grade)
        }


@pytest.mark.parametrize(("method", "path", "data"), ACTIONS)
def test_another_instructor_cannot_act_on_the_set(app, signed_in, seed_set, method, path, data):
    student_token(app, seed_set, "amy")
    before = _counts(app)
    bob = signed_in("bob")
    token = csrf_token(bob, "/sets")
    response = getattr(bob, method)(f"/sets/{seed_set}{path}", data={**data, "csrf_token": token})
    assert response.status_code == 404 and "not yours to see" in response.get_data(as_text=True)
    assert _counts(app) == before


@pytest.mark.parametrize(("method", "path", "data"), ACTIONS)
def test_a_student_or_a_stranger_cannot_act_on_the_set(app, client, seed_set, method, path, data):
    amy = student_token(app, seed_set, "amy")
    before = _counts(app)
    # A student's link token is no instructor session: the pages send them to sign in (or refuse a post).
    response = getattr(client, method)(f"/sets/{seed_set}{path}", data=data, headers={"Authorization": f"Bearer {amy}"})
    assert response.status_code in (302, 400, 403)
    if response.status_code == 302:
        assert "/signin" in response.headers["Location"]
    assert _counts(app) == before


@pytest.mark.parametrize(("method", "path", "data"), [a for a in ACTIONS if a[0] == "post"])
def test_every_action_needs_the_csrf_token(app, signed_in, seed_set, method, path, data):
    student_token(app, seed_set, "amy")
    before = _counts(app)
    response = signed_in("alice").post(f"/sets/{seed_set}{path}", data=data)
    assert response.status_code == 400
    assert _counts(app) == before


def test_reissuing_withdraws_the_old_link(app, client, signed_in, seed_set):
    old = student_token(app, seed_set, "amy")
    assert client.get(f"/student/{old}").status_code == 200
    alice = signed_in("alice")
    token = csrf_token(alice, f"/sets/{seed_set}")
    page = alice.post(f"/sets/{seed_set}/students/amy/reissue", data={"csrf_token": token}).get_data(as_text=True)
    ((new, student),) = LINK.findall(page)
    assert student == "amy"
    assert client.get(f"/student/{old}").status_code == 404
    assert client.get(new.removeprefix("http://localhost")).status_code == 200


def test_withdrawing_every_link(app, client, signed_in, seed_set):
    first, second = student_token(app, seed_set, "amy"), student_token(app, seed_set, "amy")
    alice = signed_in("alice")
    response = alice.post(f"/sets/{seed_set}/students/amy/revoke", data={"csrf_token": csrf_token(alice, "/sets")})
    assert response.status_code == 302
    assert "Withdrew 2 links of amy." in alice.get(response.headers["Location"]).get_data(as_text=True)
    assert client.get(f"/student/{first}").status_code == 404 and client.get(f"/student/{second}").status_code == 404


@pytest.mark.parametrize("revoke", [False, True])
def test_links_for_the_whole_roster_as_csv(app, client, signed_in, seed_set, revoke):
    old = {sid: student_token(app, seed_set, sid) for sid in ("amy", "Li Ming", "ben")}
    alice = signed_in("alice")
    data = {"csrf_token": csrf_token(alice, "/sets"), **({"revoke": "1"} if revoke else {})}
    response = alice.post(f"/sets/{seed_set}/links.csv", data=data)
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == f'attachment; filename="links-set-{seed_set}.csv"'
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).removeprefix("\ufeff"))))
    assert [row["student_id"] for row in rows] == ["Li Ming", "amy", "ben"]
    for row in rows:
        page = client.get(row["link"].removeprefix("http://localhost"))
        assert page.status_code == 200 and row["student_id"] in page.get_data(as_text=True)
    for token in old.values():
        assert client.get(f"/student/{token}").status_code == (404 if revoke else 200)


def test_removing_a_student_deletes_their_work_and_nothing_else(app, client, signed_in, seed_set):
    amy, ben = student_token(app, seed_set, "amy"), student_token(app, seed_set, "ben")
    for token in (amy, ben):
        client.post(f"/student/{token}", data=answer_form({"z3": "0.755"}))
    before = _counts(app)
    alice = signed_in("alice")
    ask = alice.get(f"/sets/{seed_set}/students/amy/remove").get_data(as_text=True)
    assert "Remove amy?" in ask and "cannot be undone" in ask
    response = alice.post(f"/sets/{seed_set}/students/amy/remove", data={"csrf_token": csrf_token(alice, "/sets")})
    assert response.status_code == 302
    after = _counts(app)
    assert after["assignments"] == before["assignments"] - 1
    assert after["access_tokens"] == before["access_tokens"] - 1
    assert after["submissions"] == before["submissions"] - (before["submissions"] // 2)
    assert client.get(f"/student/{amy}").status_code == 404 and client.get(f"/student/{ben}").status_code == 200
    assert alice.get(f"/sets/{seed_set}/students/amy").status_code == 404


def test_archiving_lists_the_set_apart_and_keeps_it(app, signed_in, seed_set):
    student_token(app, seed_set, "amy")
    alice = signed_in("alice")
    token = csrf_token(alice, "/sets")
    assert alice.post(f"/sets/{seed_set}/archive", data={"csrf_token": token}).status_code == 302
    listing = alice.get("/sets").get_data(as_text=True)
    current, archived = listing.split('id="archived-heading"')
    assert f'/sets/{seed_set}"' in archived and f'/sets/{seed_set}"' not in current
    assert "amy" in alice.get(f"/sets/{seed_set}").get_data(as_text=True)
    alice.post(f"/sets/{seed_set}/archive", data={"csrf_token": token, "restore": "1"})
    assert 'id="archived-heading"' not in alice.get("/sets").get_data(as_text=True)


def test_deleting_a_set_deletes_everything_under_it_and_only_that(app, client, signed_in, seed_set):
    other = make_set(app, "alice", title="Keep me")
    for set_id in (seed_set, other):
        token = student_token(app, set_id, "amy")
        client.post(f"/student/{token}", data=answer_form({"z3": "0.755"}))
    before = _counts(app)
    alice = signed_in("alice")
    ask = alice.get(f"/sets/{seed_set}/delete").get_data(as_text=True)
    assert "1 students, 1 submissions" in ask or "its 1 students" in ask
    response = alice.post(f"/sets/{seed_set}/delete", data={"csrf_token": csrf_token(alice, "/sets")})
    assert response.status_code == 302 and response.headers["Location"].endswith("/sets")
    after = _counts(app)
    # Exactly the deleted set's rows are gone (half of each, as the two sets are alike).
    assert {name: before[name] - after[name] for name in before} == {name: before[name] // 2 for name in before}
    assert alice.get(f"/sets/{seed_set}").status_code == 404
    assert alice.get(f"/sets/{other}").status_code == 200


def test_a_delete_that_fails_midway_leaves_everything(app, signed_in, seed_set, monkeypatch):
    # One statement in one transaction: if the commit fails, the set and all under it are still there.
    from grader.service.facade import roster

    student_token(app, seed_set, "amy")
    before = _counts(app)

    def failing_commit(session, exercise_set):
        from sqlalchemy import delete

        from grader.service.models import ExerciseSet

        session.execute(delete(ExerciseSet).where(ExerciseSet.id == exercise_set.id))
        raise RuntimeError("the server went away")

    monkeypatch.setattr(roster, "delete_set", failing_commit)
    alice = signed_in("alice")
    response = alice.post(f"/sets/{seed_set}/delete", data={"csrf_token": csrf_token(alice, "/sets")})
    assert response.status_code == 500
    assert _counts(app) == before


def test_view_as_student_shows_the_students_page_and_uses_nothing(app, client, signed_in, seed_set):
    amy = student_token(app, seed_set, "amy")
    client.post(f"/student/{amy}", data={**answer_form({"z3": "0.755", "y3": "0.1"}), "action": "submit"})
    before = _counts(app)
    alice = signed_in("alice")
    response = alice.get(f"/sets/{seed_set}/students/amy/as-student")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "seeing amy&#39;s page as they see it" in page
    assert "Read-only: this is how the student sees the page." in page
    assert 'name="answer:z3"' in page and "readonly" in page
    assert 'value="review"' not in page and re.search(r'value="save" disabled', page)
    # Earlier attempts link back to the preview, never to a student link; no token was made.
    for href in re.findall(r'href="([^"]*attempt=[^"]*)"', page):
        assert href.startswith(f"/sets/{seed_set}/students/amy/as-student?"), href
    assert "bps_" not in page
    assert _counts(app) == before
    # The placeholder token opens nothing for anyone.
    assert client.get("/student/preview").status_code == 404
    assert client.post("/student/preview", data=answer_form({"z3": "1"})).status_code == 404
    assert _counts(app) == before
