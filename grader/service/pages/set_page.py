"""One set's page: gradebook (and its CSV), per-step analytics, students, printables, policy, regrade."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _

from grader.grading import VERDICTS
from grader.service import regrade_jobs
from grader.service.api.context import MAX_ID
from grader.service.database import get_session
from grader.service.facade import chosen_attempts, copies, gradebook, regrading, reports
from grader.service.facade.errors import DomainError, Invalid, PolicyConflict
from grader.service.facade.exercise_sets import find_set, summary, update_set
from grader.service.lti.panel import lti_panel
from grader.service.models import ExerciseSet
from grader.service.pages import charts, errors
from grader.service.pages.formatting import label, verdict_look
from grader.service.pages.forms import PolicyForm, RosterForm
from grader.service.pages.signin import current_account, current_principal, protect
from grader.service.rate_limits import expensive

# Set ids are bounded like the API's, so no id in a URL can overflow a database integer.
SET_PATH = f"/sets/<int(max={MAX_ID}):set_id>"

bp = Blueprint("set_page", __name__, url_prefix=SET_PATH)
errors.register(bp)
protect(bp)

# A regrade of at most this many submissions is done within the request; more is queued and runs
# in the background (``regrade_jobs``) while the page shows its progress.  App config
# REGRADE_INLINE_LIMIT; REGRADE_DRAIN False leaves the queue to other workers (no child process).
REGRADE_INLINE_LIMIT = 2000
# Up to this many submissions the set page shows its analytics at once; above, it fetches them.
ANALYTICS_INLINE_LIMIT = 5000
# Students per page of the gradebook table.
PAGE_SIZE = 50


def gradebook_view() -> gradebook.View:
    """The gradebook page the query string asks for (unknown values fall back to the defaults)."""
    args = request.args
    sort = args.get("sort", "name")
    status = args.get("status", "all")
    try:
        below = float(args["below"]) if args.get("below") else None
    except ValueError:
        below = None
    if below is not None and not 0 <= below <= 100:
        below = None
    return gradebook.View(
        sort=gradebook.Sort(sort) if sort in tuple(gradebook.Sort) else gradebook.Sort.NAME,
        status=gradebook.Status(status) if status in tuple(gradebook.Status) else gradebook.Status.ALL,
        search=args.get("q", "")[:128],
        below=below,
        cursor=args.get("cursor") or None,
        limit=PAGE_SIZE,
    )


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
    view = gradebook_view()
    try:
        rows, next_cursor, matching = gradebook.counted_page(session, exercise_set, view)
    except Invalid:  # a stale or tampered cursor: show the first page
        view = gradebook.View(view.sort, view.status, view.search, view.below, None, view.limit)
        rows, next_cursor, matching = gradebook.counted_page(session, exercise_set, view)
    info = summary(session, exercise_set)
    # A big course's analytics take a second of the database's time: the page comes without them
    # and fetches them (``analytics``) once it is shown.
    limit = current_app.config.get("ANALYTICS_INLINE_LIMIT", ANALYTICS_INLINE_LIMIT)
    inline = info["submissions"] <= limit or request.args.get("analytics") == "show"
    analysis = reports.analytics(session, exercise_set) if inline else None
    if policy_form is None:
        policy_form = PolicyForm(formdata=None)
        policy_form.fill(
            exercise_set.policy.document,
            exercise_set.max_attempts,
            exercise_set.due_at,
            exercise_set.policy.version,
            exercise_set.time_zone,
        )
    page = render_template(
        "instructor/set.html",
        account=current_account(),
        info=info,
        rows=rows,
        view=view,
        matching=matching,
        next_cursor=next_cursor,
        page_url=lambda **changes: _page_url(exercise_set.id, view, **changes),
        passback=str(chosen_attempts.passback_of(exercise_set)),
        # Worked out once, not once per cell: 50 rows of 30 steps would translate 3,000 names.
        looks={verdict: verdict_look(verdict) for verdict in VERDICTS},
        labels={key: label(key) for key in (rows[0].verdicts() if rows else {})},
        regrading=_regrade_state(exercise_set, info),
        **(_analytics_context(analysis) if analysis else {"analysis": None}),
        policy_form=policy_form,
        roster_form=roster_form or RosterForm(formdata=None),
        same_numbers=copies.same_numbers(session, exercise_set),
        lti=lti_panel(session, exercise_set.id),
    )
    return page, status


def _analytics_context(analysis) -> dict:
    """What the analytics section shows: the counts, the chart, the most missed steps."""
    missed = sorted((item for item in analysis["keys"] if _missed(item) > 0), key=lambda item: -_missed(item))[:8]
    return {
        "analysis": analysis,
        "chart": charts.verdict_bars(analysis["keys"], label) if analysis["keys"] else None,
        "colours": charts.COLOURS,
        "most_missed": missed,
        "missed_count": _missed,
    }


@bp.route("/analytics")
def analytics(set_id: int):
    """The analytics section alone (the set page of a big course fetches it after showing)."""
    exercise_set = owned_set(set_id)
    context = _analytics_context(reports.analytics(get_session(), exercise_set))
    return render_template("instructor/_analytics.html", **context)


def _missed(item) -> int:
    return sum(item["counts"].get(v, 0) for v in charts.MISSED)


@bp.route("")
def show(set_id: int):
    """The set page."""
    return render_set_page(owned_set(set_id))


def _page_url(set_id: int, view: gradebook.View, **changes) -> str:
    """The set page's URL showing ``view`` with ``changes`` (cursor dropped unless given)."""
    args = {"sort": str(view.sort), "status": str(view.status), "q": view.search, "below": view.below}
    args.update(changes)
    defaults = {("sort", "name"), ("status", "all")}
    kept = {k: v for k, v in args.items() if v not in (None, "") and (k, v) not in defaults}
    return url_for("set_page.show", set_id=set_id, **kept) + "#gradebook"


def _regrade_state(exercise_set: ExerciseSet, info) -> dict | None:
    """The background regrade to show progress of, or None."""
    running = regrade_jobs.running(get_session(), exercise_set)
    if not info["stale_grades"] or not (running or request.args.get("regrade") == "started"):
        return None
    total = info["submissions"]
    return {"total": total, "done": total - info["stale_grades"], "running": running}


@bp.route("/gradebook.csv")
@expensive("export")
def gradebook_csv(set_id: int):
    """The gradebook as a CSV download, streamed (every student, whatever the page shows)."""
    exercise_set = owned_set(set_id)
    rows = reports.gradebook_csv(get_session(), exercise_set)
    get_session().close()  # the stream has a connection of its own (see the API's export)

    def with_bom():
        yield "\ufeff"  # the BOM lets Excel read UTF-8 ids
        yield from rows

    response = Response(with_bom(), mimetype="text/csv")
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
    try:
        stored = update_set(
            session,
            exercise_set,
            {
                "policy": form.policy_document(),
                "max_attempts": form.max_attempts.data,
                "due_at": form.due_datetime(),
                "time_zone": form.time_zone.data,
            },
            based_on=form.based_on_version(),
        )
    except DomainError as error:
        session.rollback()
        status, text = errors.explain(error)
        form.form_errors.append(text)
        current = owned_set(set_id)
        if isinstance(error, PolicyConflict):
            # The reader's values stay in the form; saving them again now applies them on purpose.
            form.based_on.data = str(current.policy.version)
        return render_set_page(current, policy_form=form, status=status if status == 409 else 422)
    if stored is not None:
        flash(
            _("Saved as policy version %(n)d. Regrade to apply it to the submissions made so far.", n=stored),
            "success",
        )
    else:
        flash(_("Saved."), "success")
    return redirect(url_for("set_page.show", set_id=set_id) + "#policy")


@bp.route("/regrade", methods=["POST"])
@expensive("regrade")
def regrade(set_id: int):
    """Regrade every submission under the current policy: here and now when there are few, else
    in the background, with the page showing the progress."""
    exercise_set = owned_set(set_id)
    session = get_session()
    _total, pending = regrading.counts(session, exercise_set)
    limit = current_app.config.get("REGRADE_INLINE_LIMIT", REGRADE_INLINE_LIMIT)
    if pending > limit:
        regrade_jobs.start_for(session, exercise_set, current_app.config)
        flash(_("Regrading %(n)d submissions in the background.", n=pending), "info")
        return redirect(url_for("set_page.show", set_id=set_id, regrade="started") + "#regrade")
    result = regrading.regrade(session, exercise_set)
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


@bp.route("/regrade/progress")
def regrade_progress(set_id: int):
    """How far the set's regrade has come: submissions in all, those still to grade, and whether
    chunks of it are still queued (JSON, for the page's progress bar)."""
    exercise_set = owned_set(set_id)
    total, remaining = regrading.counts(get_session(), exercise_set)
    running = regrade_jobs.running(get_session(), exercise_set)
    return jsonify(total=total, remaining=remaining, running=running)
