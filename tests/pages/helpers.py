"""Helpers of the web-page tests: CSRF tokens, signing in, sets and students made through the facade."""

from __future__ import annotations

import re

CSRF = re.compile(r'name="csrf_token"[^>]*? value="([^"]+)"')
LINK = re.compile(r'readonly value="(http[^"]+)" data-student="([^"]+)"')


def csrf_token(client, path: str = "/signin") -> str:
    """The CSRF token of the client's session, read from a page with a form."""
    page = client.get(path).get_data(as_text=True)
    found = CSRF.search(page)
    assert found, f"no CSRF token on {path}"
    return found.group(1)


def sign_in(client, secret: str):
    """Sign the client in with an API key; returns the response (a redirect when it worked)."""
    return client.post("/signin", data={"key": secret, "csrf_token": csrf_token(client)})


def make_set(app, owner: str, **fields) -> int:
    """A new set from ``seed-classic`` (unless ``template`` says otherwise) owned by ``owner``; its id."""
    from sqlalchemy import select

    from grader.service.database import get_database
    from grader.service.facade.exercise_sets import create_set
    from grader.service.models import Account

    with app.app_context(), get_database(app).sessions() as session:
        account = session.execute(select(Account).where(Account.name == owner)).scalar_one()
        created = create_set(session, account, {"template": "seed-classic", "seed": 1, **fields}, 20_000)
        session.commit()
        return created.id


def student_token(app, set_id: int, student_id: str) -> str:
    """An access token of a (new) student of the set."""
    from grader.service.database import get_database
    from grader.service.facade.assignments import assignment_for, issue_token
    from grader.service.models import ExerciseSet

    with app.app_context(), get_database(app).sessions() as session:
        exercise_set = session.get(ExerciseSet, set_id)
        return issue_token(session, assignment_for(session, exercise_set, student_id))


def answer_form(answers: dict[str, str], action: str = "submit") -> dict[str, str]:
    """The student form's fields for {step key: value as typed}, posted with a button's ``action``.

    ``submit`` is the confirmation page's "Submit now"; the answer form's own buttons are
    ``review`` ("Submit for grading", which asks to confirm), ``save`` and ``clear`` (the draft).
    """
    return {"action": action, **{f"answer:{key}": value for key, value in answers.items()}}
