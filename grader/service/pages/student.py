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

import json
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from markupsafe import Markup

from grader.engine import keys
from grader.grading import Policy
from grader.grading.answers import MAX_TEXT
from grader.service.credentials import STUDENT_TOKEN_PREFIX
from grader.service.database import get_session
from grader.service.facade import drafts, idempotency, review, score_changes
from grader.service.facade.assignments import student_view, trace_of
from grader.service.facade.errors import AttemptsExhausted, PastDue, RequestInProgress
from grader.service.facade.principals import Principal, resolve
from grader.service.facade.submissions import document_of, history, submit, views
from grader.service.facade.targets import Target
from grader.service.models import Assignment, ExerciseSet, utcnow
from grader.service.pages import errors, policy_words, worked_solution
from grader.service.pages.errors import PageError
from grader.service.pages.formatting import group_title
from grader.service.pages.forms import one_time_key
from grader.service.pages.language import current_language
from grader.service.rate_limits import count_failure
from grader.worksheets import notation
from grader.worksheets.conventions import conventions
from grader.worksheets.diagram import network_svg

bp = Blueprint("student", __name__)
errors.register(bp)

FIELD_PREFIX = "answer:"
PREVIEW = "preview"
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


def _past_due(exercise_set: ExerciseSet) -> bool:
    return exercise_set.due_at is not None and utcnow() > exercise_set.due_at


def _closed_reason(exercise_set: ExerciseSet, attempts_left: int | None) -> str | None:
    if _past_due(exercise_set):
        return _("The due date has passed: submissions are closed.")
    if attempts_left == 0:
        return _("You have used all your attempts.")
    return None


@dataclass
class PageState:
    """What one rendering of the student page shows, beyond the exercise itself."""

    values: dict[str, str]  # the text in each field
    problems: dict[str, str] = field(default_factory=dict)  # key -> why its entry was refused
    status: int = 200


def _render(token: str, principal: Principal, state: PageState | None = None, preview: bool = False):
    """The student page: exercise, feedback on the attempt shown, the answer form, the worked solution.

    ``preview``: an instructor's "view as student", read-only (the form is closed, nothing is saved).
    """
    session = get_session()
    assignment = principal.assignment
    exercise_set = assignment.exercise_set
    view = student_view(session, exercise_set, assignment)
    submissions = list(session.execute(history(assignment)).scalars())
    past = views(session, exercise_set, assignment, submissions, current_language())
    for item in past:
        item["submitted_at"] = datetime.fromisoformat(item["submitted_at"])
    shown = _attempt_shown(past)
    latest = past[-1] if past else None
    trace = trace_of(assignment)
    exercise = trace.exercise
    language = current_language()
    # The exercise's own texts in the reader's language (the view holds the English ones).
    view.update({name: exercise.text(name, language) for name in ("title", "description", "objective")})
    policy = Policy.from_mapping(exercise_set.policy.document)
    draft = drafts.load(session, assignment)
    if state is None:
        if shown is not None and shown is not latest:
            values = {k: str(v) for k, v in shown["answers"].items()}
        elif draft is not None:
            values = dict(draft.answers)
        else:
            values = {k: str(v) for k, v in (latest["answers"] if latest else {}).items()}
        state = PageState(values)
    past_due = _past_due(exercise_set)
    reveal = policy.reveals(
        now=utcnow(),
        due_at=exercise_set.due_at,
        attempts_used=view["attempts_used"],
        max_attempts=exercise_set.max_attempts,
    )
    solution = worked_solution.build(trace, shown) if reveal else None
    plot = worked_solution.loss_plot(trace, shown["answers"] if shown else None, _("sample")) if reveal else None
    page = render_template(
        "student/exercise.html",
        token=token,
        view=view,
        rules=conventions(exercise, language),
        exercise=exercise,
        diagram=Markup(network_svg(exercise, language=language)),
        givens=_givens(view, assignment),
        groups=_groups(view["asked"]),
        weights={item["key"]: policy.weight(item["phase"]) for item in view["asked"]},
        past=past,
        shown=shown,
        latest=latest,
        values=state.values,
        problems=state.problems,
        draft=None if preview else draft,
        closed=_("Read-only: this is how the student sees the page.")
        if preview
        else _closed_reason(exercise_set, view["attempts_left"]),
        past_due=past_due,
        time_zone=exercise_set.time_zone,
        policy_sentences=policy_words.sentences(policy, exercise_set.due_at),
        rounding_hint=policy_words.rounding_hint(policy),
        points=policy_words.points,
        points_earned=policy_words.points_earned,
        score_changes=score_changes.changes(session, submissions),
        reasons_text=_reasons_text,
        solution=solution,
        plot=plot,
        submission_key=str(uuid.uuid4()),
        field_prefix=FIELD_PREFIX,
        max_text=MAX_TEXT,
    )
    return page, state.status


def _reasons_text(reasons: tuple[str, ...]) -> str:
    """The policy changes that moved a score, as the student reads them."""
    return _(", ").join(_reason_text(reason) for reason in reasons)


def _reason_text(reason: str) -> str:
    """A policy change that moved a score, as the student reads it."""
    return {
        "tolerance": _("the tolerance changed"),
        "follow_through": _("the credit for follow-through changed"),
        "misconception_credit": _("the credit for known mistakes changed"),
        "phase_weights": _("the points per field changed"),
    }.get(reason, reason)


def preview_page(assignment: Assignment):
    """A student's page as they see it, for their instructor: read-only, no token, no attempt used.

    Rendered with the placeholder token ``PREVIEW``, which no link has (tokens start with
    ``STUDENT_TOKEN_PREFIX``), so any form or link of the page that reaches the student routes with
    it is refused as an invalid link; the caller rewrites the page's own links to the preview.
    """
    return _render(PREVIEW, Principal(assignment=assignment), preview=True)


@bp.route("/student/<token>", methods=["GET"])
def exercise(token: str):
    """The exercise, the answer form and the feedback on the attempt shown."""
    return _render(token, _principal(token))


def _answers_from_form(asked: list[str]) -> dict[str, str]:
    """The non-empty answers of the form, as typed (the grader parses them, decimal commas included)."""
    answers = {}
    for key in asked:
        raw = request.form.get(FIELD_PREFIX + key, "").strip()
        if raw:
            answers[key] = raw[: MAX_TEXT * 2]
    return answers


def _unreadable_problems(answers: dict[str, str]) -> dict[str, str]:
    message = _("Not a number that can be read: write it like 0.00817, -1.5 or 8.17e-3 (no letters, = or /).")
    return dict.fromkeys(review.unreadable(answers), message)


@bp.route("/student/<token>", methods=["POST"])
def submit_answers(token: str):
    """The answer form's buttons: save the draft, clear it, review the submission, or submit it.

    Enter in a field presses the form's first button, "Save draft", so it never spends an
    attempt (the page's script moves to the next field instead).  "Submit for grading" shows a
    confirmation first (how many fields are empty, how many attempts will be left); only its
    "Submit now" grades.  Entries that cannot be read, and answers identical to an earlier
    attempt's, are refused before grading and cost no attempt.
    """
    principal = _principal(token)
    session = get_session()
    assignment = principal.assignment
    asked = trace_of(assignment).asked_keys()
    action = request.form.get("action", "review")
    answers = _answers_from_form(asked)
    here = url_for("student.exercise", token=token)
    if action == "clear":
        drafts.clear(session, assignment)
        flash(_("Your draft was cleared."), "success")
        return redirect(here + "#answers-heading")
    if action == "save":
        drafts.save(session, assignment, answers, asked)
        flash(_("Draft saved. Nothing was submitted."), "success")
        return redirect(here + "#answers-heading")
    if action == "review":
        # What was typed is kept whatever happens next, so going back loses nothing.
        drafts.save(session, assignment, answers, asked)
    if not answers:
        # An empty form is a slip, not an attempt: it would cost the student one for nothing.
        flash(_("The form was empty: fill in the values you have computed, then submit."), "error")
        return redirect(here)
    problems = _unreadable_problems(answers)
    if problems:
        flash(
            ngettext(
                "%(num)d entry is not a number that can be read; it is marked below. "
                "Nothing was submitted and no attempt was used.",
                "%(num)d entries are not numbers that can be read; they are marked below. "
                "Nothing was submitted and no attempt was used.",
                len(problems),
            ),
            "error",
        )
        return _render(token, principal, PageState(answers, problems, 422))
    same = review.identical_attempt(session, assignment, answers)
    if same is not None:
        flash(
            _(
                "These answers are the same as in attempt %(n)d, so they were not graded again: no attempt was used.",
                n=same,
            ),
            "info",
        )
        return redirect(url_for("student.exercise", token=token, attempt=same) + "#result")
    if action != "submit":
        return _confirm(token, principal, answers, asked)
    return _submit(token, principal, answers)


def _confirm(token: str, principal: Principal, answers: dict[str, str], asked: list[str]):
    """The confirmation step: how many fields are empty, and the attempts left after this one."""
    session = get_session()
    assignment = principal.assignment
    exercise_set = assignment.exercise_set
    view = student_view(session, exercise_set, assignment)
    closed = _closed_reason(exercise_set, view["attempts_left"])
    if closed:
        flash(closed, "error")
        return redirect(url_for("student.exercise", token=token))
    left = view["attempts_left"]
    view["title"] = trace_of(assignment).exercise.text("title", current_language())
    return render_template(
        "student/confirm.html",
        token=token,
        view=view,
        answers=answers,
        empty=len(asked) - len(answers),
        total=len(asked),
        left_after=None if left is None else left - 1,
        submission_key=request.form.get("submission_key") or str(uuid.uuid4()),
        field_prefix=FIELD_PREFIX,
    )


def _submit(token: str, principal: Principal, answers: dict[str, str]):
    session = get_session()
    assignment = principal.assignment
    exercise_set = assignment.exercise_set
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
    # The draft is now an attempt; a later draft starts from it.
    drafts.clear(session, assignment)
    return redirect(url_for("student.exercise", token=token, attempt=response.body["attempt"]) + "#result")


@bp.route("/student/<token>/draft", methods=["POST"])
def save_draft(token: str):
    """Save the draft from the page's script: JSON ``{"answers": {key: text}}``; answers JSON.

    The page sends every field a moment after the student stops typing.  Without the script, the
    form's "Save draft" button (and Enter) does the same through the form.
    """
    principal = _principal(token)
    try:
        # Read here, not with request.get_json: the API's strict JSON reader answers problem+json.
        body = json.loads(request.get_data(cache=False))
    except (ValueError, UnicodeDecodeError):
        body = None
    raw = body.get("answers") if isinstance(body, dict) else None
    if not isinstance(raw, dict):
        return jsonify({"error": _('Send a JSON object {"answers": {step key: text}}.')}), 400
    assignment = principal.assignment
    draft = drafts.save(get_session(), assignment, raw, trace_of(assignment).asked_keys())
    return jsonify({"saved": draft is not None, "saved_at": draft.updated_at.isoformat() if draft else None})


@bp.route("/student/<path:_rest>", methods=["GET", "POST"])
def not_a_link(_rest: str):
    """Anything else under /student/ is a mangled link: say so on a page, not a bare 404."""
    _principal("")
