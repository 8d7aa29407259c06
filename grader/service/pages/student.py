"""The student's page, reached by the access link: the exercise, the answer form and the feedback.

The token in the link is the student's credential, the same one the JSON API takes as a bearer
token; it opens that one student's exercise in that one set and nothing else.  A submission is
posted, graded and stored by the service facade, then the browser is redirected to the page of
that attempt (post/redirect/get), so reloading never submits twice.  Each rendering of the form
carries a fresh idempotency key, so a double click stores one attempt, not two.

The form needs no CSRF token: the credential is in the URL the form posts to, not in an ambient
cookie, so a page on another site cannot post to it without already knowing the secret.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from markupsafe import Markup

from grader.engine import keys
from grader.grading.answers import MAX_TEXT
from grader.service.credentials import STUDENT_TOKEN_PREFIX
from grader.service.database import get_session
from grader.service.facade import idempotency
from grader.service.facade.assignments import student_view, trace_of
from grader.service.facade.errors import AttemptsExhausted, PastDue, RequestInProgress
from grader.service.facade.principals import Principal, resolve
from grader.service.facade.submissions import document_of, history, submit, views
from grader.service.facade.targets import Target
from grader.service.models import Assignment, ExerciseSet, utcnow
from grader.service.pages import conventions, errors
from grader.service.pages.errors import PageError
from grader.service.pages.formatting import group_title
from grader.service.pages.forms import one_time_key
from grader.service.pages.language import current_language
from grader.service.rate_limits import count_failure
from grader.worksheets import notation
from grader.worksheets.diagram import network_svg

bp = Blueprint("student", __name__)
errors.register(bp)

FIELD_PREFIX = "answer:"
MAX_TOKEN = 200


@dataclass
class FieldGroup:
    """A run of asked keys under one heading: a phase, in one iteration and sample."""

    title: str
    keys: list[str] = field(default_factory=list)


def _principal(token: str) -> Principal:
    """The student behind a link token; 404 for anything else (unknown, revoked or an API key)."""
    principal = None
    if token.startswith(STUDENT_TOKEN_PREFIX) and len(token) <= MAX_TOKEN:
        principal = resolve(get_session(), token)
    if principal is None or principal.assignment is None:
        count_failure("credentials")
        raise PageError(
            404, _("This link is not valid. It may have been mistyped or withdrawn; ask your instructor for a new one.")
        )
    return principal


def _groups(asked: list[dict[str, str]]) -> list[FieldGroup]:
    groups: list[FieldGroup] = []
    for item in asked:
        title = group_title(item["phase"], item["key"])
        if not groups or groups[-1].title != title:
            groups.append(FieldGroup(title))
        groups[-1].keys.append(item["key"])
    return groups


def _givens(exercise_view: dict[str, Any], assignment: Assignment) -> dict[str, list[tuple[str, float]]]:
    """Given values by kind (inputs, targets, weights, biases) as (label, value) in the reader's language."""
    trace = trace_of(assignment)
    exercise = trace.exercise
    language = current_language()
    out: dict[str, list[tuple[str, float]]] = {"inputs": [], "targets": [], "weights": [], "biases": []}
    for key, value in exercise_view["given"].items():
        bucket = {"input": "inputs", "weight": "weights", "bias": "biases"}.get(trace.steps[key].kind)
        if bucket:
            out[bucket].append((notation.label(key, language), value))
    outputs = keys.node_layers(list(exercise.layers))[-1]
    several = len(exercise.samples) > 1
    for m, sample in enumerate(exercise.samples, start=1):
        for node, target in zip(outputs, sample.targets):
            where = notation.context(f"s{m}.y{node}", language) if several else ""
            out["targets"].append((f"t{notation.subscript(node)}" + (f" ({where})" if where else ""), target))
    return out


def _attempt_shown(history_views: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The attempt to show: ``?attempt=N`` when it exists, else the latest one."""
    if not history_views:
        return None
    wanted = request.args.get("attempt", "")
    if wanted.isdigit():
        for view in history_views:
            if view["attempt"] == int(wanted):
                return view
        raise PageError(404, _("There is no attempt %(n)s.", n=wanted))
    return history_views[-1]


def _closed_reason(exercise_set: ExerciseSet, attempts_left: int | None) -> str | None:
    if exercise_set.due_at is not None and utcnow() > exercise_set.due_at:
        return _("The due date has passed: submissions are closed.")
    if attempts_left == 0:
        return _("You have used all your attempts.")
    return None


@bp.route("/student/<token>", methods=["GET"])
def exercise(token: str):
    """The exercise, the answer form and the feedback on the attempt shown."""
    principal = _principal(token)
    session = get_session()
    assignment = principal.assignment
    exercise_set = assignment.exercise_set
    view = student_view(session, exercise_set, assignment)
    submissions = list(session.execute(history(assignment)).scalars())
    past = views(session, exercise_set, assignment, submissions, current_language())
    for item in past:
        item["submitted_at"] = datetime.fromisoformat(item["submitted_at"])
    shown = _attempt_shown(past)
    exercise = trace_of(assignment).exercise
    language = current_language()
    # The exercise's own texts in the reader's language (the view holds the English ones).
    view.update({name: exercise.text(name, language) for name in ("title", "description", "objective")})
    return render_template(
        "student/exercise.html",
        token=token,
        view=view,
        rules=conventions.rules(exercise),
        exercise=exercise,
        diagram=Markup(network_svg(exercise, language=language)),
        givens=_givens(view, assignment),
        groups=_groups(view["asked"]),
        past=past,
        shown=shown,
        latest=past[-1] if past else None,
        closed=_closed_reason(exercise_set, view["attempts_left"]),
        submission_key=str(uuid.uuid4()),
        field_prefix=FIELD_PREFIX,
        max_text=MAX_TEXT,
    )


def _answers_from_form(asked: list[str]) -> dict[str, str]:
    """The non-empty answers of the form, as typed (the grader parses them, decimal commas included)."""
    answers = {}
    for key in asked:
        raw = request.form.get(FIELD_PREFIX + key, "").strip()
        if raw:
            answers[key] = raw[: MAX_TEXT * 2]
    return answers


@bp.route("/student/<token>", methods=["POST"])
def submit_answers(token: str):
    """Grade and store the answers, then show the attempt's feedback."""
    principal = _principal(token)
    session = get_session()
    assignment = principal.assignment
    exercise_set = assignment.exercise_set
    answers = _answers_from_form(trace_of(assignment).asked_keys())
    if not answers:
        # An empty form is a slip, not an attempt: it would cost the student one for nothing.
        flash(_("The form was empty: fill in the values you have computed, then submit."), "error")
        return redirect(url_for("student.exercise", token=token))
    key = one_time_key(request.form.get("submission_key"))
    # The fingerprint of what is stored: the same answers under the same key are one submission.
    fingerprint = idempotency.fingerprint("POST", request.path, document_of(answers).encode("utf-8"))
    try:
        response, _replayed = submit(
            session, Target.of(principal, exercise_set, assignment), answers, key, fingerprint, current_language()
        )
    except (AttemptsExhausted, PastDue, RequestInProgress) as error:
        # Closed, or a double click still being graded: say so above the form (other errors get a page).
        session.rollback()
        flash(errors.explain(error)[1], "error")
        return redirect(url_for("student.exercise", token=token))
    return redirect(url_for("student.exercise", token=token, attempt=response.body["attempt"]) + "#result")


@bp.route("/student/<path:_rest>", methods=["GET", "POST"])
def not_a_link(_rest: str):
    """Anything else under /student/ is a mangled link: say so on a page, not a bare 404."""
    _principal("")
