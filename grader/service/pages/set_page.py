"""One set's page: gradebook (and its CSV), per-step analytics, students, printables, policy, regrade."""

from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from grader.service.api.context import MAX_ID
from grader.service.database import get_session
from grader.service.facade import regrading, reports
from grader.service.facade.errors import DomainError
from grader.service.facade.exercise_sets import find_set, summary, update_set
from grader.service.lti.panel import lti_panel
from grader.service.models import ExerciseSet
from grader.service.pages import charts, errors
from grader.service.pages.formatting import label
from grader.service.pages.forms import PolicyForm, RosterForm
from grader.service.pages.signin import current_account, current_principal, protect
from grader.service.rate_limits import expensive

# Set ids are bounded like the API's, so no id in a URL can overflow a database integer.
SET_PATH = f"/sets/<int(max={MAX_ID}):set_id>"

bp = Blueprint("set_page", __name__, url_prefix=SET_PATH)
errors.register(bp)
protect(bp)

# Seconds one regrade request may work; a bigger set carries on with the next press (or the CLI).
REGRADE_BUDGET = 20.0


def owned_set(set_id: int) -> ExerciseSet:
    """The set in the path if the signed-in instructor may see it; 404 otherwise (others' sets too)."""
    return find_set(get_session(), current_principal(), set_id)


def render_set_page(
    exercise_set: ExerciseSet,
    policy_form: PolicyForm | None = None,
    roster_form: RosterForm | None = None,
    status: int = 200,
):
    """The set page, with the given forms (to show their errors) or fresh ones."""
    session = get_session()
    book = reports.gradebook(session, exercise_set)
    analysis = reports.analytics(session, exercise_set)
    if policy_form is None:
        policy_form = PolicyForm(formdata=None)
        policy_form.fill(exercise_set.policy.document, exercise_set.max_attempts, exercise_set.due_at)
    missed = sorted((item for item in analysis["keys"] if _missed(item) > 0), key=lambda item: -_missed(item))[:8]
    page = render_template(
        "instructor/set.html",
        account=current_account(),
        info=summary(session, exercise_set),
        book=book,
        analysis=analysis,
        chart=charts.verdict_bars(analysis["keys"], label) if analysis["keys"] else None,
        colours=charts.COLOURS,
        most_missed=missed,
        missed_count=_missed,
        policy_form=policy_form,
        roster_form=roster_form or RosterForm(formdata=None),
        lti=lti_panel(session, exercise_set.id),
    )
    return page, status


def _missed(item) -> int:
    return sum(item["counts"].get(v, 0) for v in charts.MISSED)


@bp.route("")
def show(set_id: int):
    """The set page."""
    return render_set_page(owned_set(set_id))


@bp.route("/gradebook.csv")
@expensive("export")
def gradebook_csv(set_id: int):
    """The gradebook as a CSV download."""
    exercise_set = owned_set(set_id)
    text = reports.gradebook_csv(reports.gradebook(get_session(), exercise_set))
    response = Response("\ufeff" + text, mimetype="text/csv")  # the BOM lets Excel read UTF-8 ids
    response.headers["Content-Disposition"] = f'attachment; filename="gradebook-set-{exercise_set.id}.csv"'
    return response


@bp.route("/policy", methods=["POST"])
def edit_policy(set_id: int):
    """Change the policy (a new policy version), the attempt limit and the due date."""
    exercise_set = owned_set(set_id)
    form = PolicyForm()
    if not form.validate():
        flash(_("The policy was not changed: correct the fields marked below."), "error")
        return render_set_page(exercise_set, policy_form=form, status=422)
    session = get_session()
    before = exercise_set.policy.version
    try:
        update_set(
            session,
            exercise_set,
            {
                "policy": form.policy_document(),
                "max_attempts": form.max_attempts.data,
                "due_at": form.due_datetime(),
            },
        )
    except DomainError as error:
        session.rollback()
        form.form_errors.append(errors.explain(error)[1])
        return render_set_page(owned_set(set_id), policy_form=form, status=422)
    if exercise_set.policy.version != before:
        flash(
            _(
                "Saved as policy version %(n)d. Regrade to apply it to the submissions made so far.",
                n=exercise_set.policy.version,
            ),
            "success",
        )
    else:
        flash(_("Saved."), "success")
    return redirect(url_for("set_page.show", set_id=set_id) + "#policy")


@bp.route("/regrade", methods=["POST"])
@expensive("regrade")
def regrade(set_id: int):
    """Regrade every submission under the current policy (as much as one request's budget allows)."""
    exercise_set = owned_set(set_id)
    result = regrading.regrade(get_session(), exercise_set, budget=REGRADE_BUDGET)
    if result.remaining:
        flash(
            _(
                "Regraded %(done)d submissions; %(left)d remain. Press Regrade again to carry on.",
                done=result.regraded,
                left=result.remaining,
            ),
            "info",
        )
    else:
        flash(
            _(
                "Regraded %(done)d submissions under policy version %(v)d; all %(total)d are up to date.",
                done=result.regraded,
                v=result.policy_version,
                total=result.total,
            ),
            "success",
        )
    return redirect(url_for("set_page.show", set_id=set_id) + "#gradebook")
