"""The LTI endpoints: login, launch, JWKS, deep linking and binding a new link, and resending a score.

A refused login or launch is an error page saying what was wrong, and leaves no session: the
browser's session is ended (on the server too) before a launch is checked, and filled only after
it passed.  A staff launch opens a server-side page session (``facade.signin.start_lti_session``),
the same kind a sign-in with an API key opens, so signing out ends it; a learner launch opens
none (the student page's link is their credential).
"""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from sqlalchemy import select

from grader.service.database import get_session
from grader.service.facade.assignments import assignment_for, issue_token
from grader.service.facade.catalogue import list_templates
from grader.service.facade.errors import DomainError, NotFound
from grader.service.facade.exercise_sets import create_set, find_set, list_sets
from grader.service.facade.principals import Principal
from grader.service.facade.signin import start_lti_session
from grader.service.lti import claims, deep_linking, keys, passback, people
from grader.service.lti.framing import STATE_COOKIE, mark_framed, set_state_cookie
from grader.service.lti.launch import Launch, LaunchError, start_login, validate
from grader.service.lti.registration import ToolUrls
from grader.service.models import (
    Account,
    ExerciseSet,
    LtiDeployment,
    LtiPlatform,
    LtiResourceLink,
    LtiUser,
    utcnow,
)
from grader.service.pages import csrf, errors
from grader.service.pages.errors import PageError, render_error
from grader.service.pages.signin import (
    current_principal,
    current_sign_in,
    fresh_browser_session,
    limits,
    protect,
    remember_sign_in,
)

bp = Blueprint("lti", __name__, url_prefix="/lti")
errors.register(bp)
resend_bp = Blueprint("lti_resend", __name__, url_prefix="/sets/<int:set_id>/lti")
errors.register(resend_bp)
protect(resend_bp)

BIND_KEY = "lti_bind"
DEEP_LINK_KEY = "lti_deep_link"


def tool_urls() -> ToolUrls:
    """The tool's LTI URLs: under GRADER_PUBLIC_URL when set, else the request's own URL."""
    base = current_app.config.get("PUBLIC_URL") or request.host_url
    return ToolUrls(base.rstrip("/"))


@bp.errorhandler(LaunchError)
def _launch_error(error: LaunchError):
    return render_error(error.status, error.detail)


@bp.route("/jwks")
def jwks():
    """The tool's public keys (JWKS, RFC 7517)."""
    response = jsonify(keys.jwks(get_session()))
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


@bp.route("/login", methods=["GET", "POST"])
def login():
    """OIDC third-party login initiation: off to the platform's auth URL with a fresh state and nonce."""
    params = {k: v for k, v in (request.form if request.method == "POST" else request.args).items()}
    target, state = start_login(get_session(), params, tool_urls().launch)
    response = redirect(target)
    set_state_cookie(response, state)
    return response


@bp.route("/launch", methods=["POST"])
def launch():
    """Check the launch completely, then open the page its message and the user's role call for."""
    fresh_browser_session()
    db = get_session()
    checked = validate(db, dict(request.form.items()), request.cookies.get(STATE_COOKIE))
    db.commit()  # the state and nonce are spent, whatever follows
    user = people.person(db, checked)
    staff = claims.is_staff(checked.roles)
    if checked.message_type == claims.MessageType.DEEP_LINKING:
        if not staff:
            raise LaunchError(_("Only instructors can add BP Grader activities to a course."), 403)
        people.staff_account(db, user)
        settings = checked.claims[claims.DEEP_LINKING_SETTINGS]
        _sign_in_staff(checked, user)
        session[DEEP_LINK_KEY] = {
            "platform": checked.platform.id,
            "deployment": checked.deployment.deployment_id,
            "return_url": settings["deep_link_return_url"],
            "data": settings.get("data"),
        }
        return redirect(url_for("lti.pick", purpose="deep-link"))
    link = people.resource_link(db, checked)
    if staff:
        account = people.staff_account(db, user)
        if link.set_id is not None:
            people.grant(db, account, link.set_id, _grant_until())
        _sign_in_staff(checked, user)
        if link.set_id is None:
            session[BIND_KEY] = link.id
            return redirect(url_for("lti.pick", purpose="bind"))
        return redirect(url_for("set_page.show", set_id=link.set_id))
    db.commit()
    if not claims.is_learner(checked.roles):
        raise LaunchError(_("Your role in this course gives no access to BP Grader (learners and staff only)."), 403)
    if link.set_id is None:
        raise LaunchError(
            _("This activity is not set up yet: your instructor must open it once and choose an exercise set."), 409
        )
    exercise_set = db.get(ExerciseSet, link.set_id)
    assignment = assignment_for(db, exercise_set, user.student_id)
    people.enrol(db, link, user, assignment)
    token = issue_token(db, assignment)
    mark_framed(checked.platform)
    return redirect(url_for("student.exercise", token=token))


def _sign_in_staff(checked: Launch, user: LtiUser) -> None:
    """Open a server-side page session for a staff launch (commits) and put it in the browser."""
    remember_sign_in(start_lti_session(get_session(), user, checked.deployment))
    mark_framed(checked.platform)


def _lti_account() -> Account:
    signed = current_sign_in()
    if signed is None or not signed.through_lti:
        raise PageError(403, _("Open this page from your course in the LMS."))
    return signed.account


def _grant_until() -> datetime:
    """When a set granted by a launch stops opening: when the launch's page session must end."""
    return utcnow() + limits().lifetime


def _choices(account: Account) -> list[ExerciseSet]:
    """The sets an LTI instructor may put in a course: those they may see (their own and those
    granted to them)."""
    return list(get_session().execute(list_sets(Principal(account=account))).scalars())


@bp.route("/pick/<any(bind, 'deep-link'):purpose>", methods=["GET", "POST"])
def pick(purpose: str):
    """Choose an existing set or make one from a template: for a new link, or for deep linking."""
    account = _lti_account()
    context_key = BIND_KEY if purpose == "bind" else DEEP_LINK_KEY
    if context_key not in session:
        raise PageError(409, _("This choice has been made already, or the launch has expired. Launch again."))
    db = get_session()
    templates = sorted(list_templates(), key=lambda t: t["title"])
    if request.method == "GET":
        return render_template(
            "lti/pick.html", account=account, sets=_choices(account), templates=templates, purpose=purpose
        )
    csrf.protect()
    chosen = request.form.get("set_id", "")
    if chosen == "new":
        name = request.form.get("template", "")
        title = request.form.get("title", "").strip()[:200] or None
        try:
            exercise_set = create_set(
                db, account, {"template": name, "title": title}, current_app.config["MAX_TRACE_STEPS"]
            )
        except DomainError as error:
            db.rollback()
            flash(error.detail, "error")
            return redirect(url_for("lti.pick", purpose=purpose))
        db.commit()
    elif chosen.isdigit():
        try:
            exercise_set = find_set(db, current_principal(), int(chosen))
        except NotFound:
            raise PageError(404, _("There is no such exercise set, or it is not yours to choose.")) from None
    else:
        flash(_("Choose a set, or a template for a new one."), "error")
        return redirect(url_for("lti.pick", purpose=purpose))
    people.grant(db, account, exercise_set.id, _grant_until())
    if purpose == "bind":
        link = db.get(LtiResourceLink, session.pop(BIND_KEY))
        if link is not None and link.set_id is None:
            link.set_id = exercise_set.id
        db.commit()
        return redirect(url_for("set_page.show", set_id=link.set_id if link else exercise_set.id))
    context = session.pop(DEEP_LINK_KEY)
    db.commit()
    platform = db.get(LtiPlatform, context["platform"])
    deployment = db.execute(
        select(LtiDeployment).where(
            LtiDeployment.platform_id == platform.id, LtiDeployment.deployment_id == context["deployment"]
        )
    ).scalar_one_or_none()
    if platform is None or deployment is None:
        raise PageError(409, _("The platform or deployment has been removed since the launch."))
    item = deep_linking.content_item(platform, exercise_set, tool_urls().launch)
    token = deep_linking.response_jwt(db, platform, deployment.deployment_id, [item], context.get("data"))
    parts = urlsplit(context["return_url"])
    g.form_action = f"{parts.scheme}://{parts.netloc}"
    return render_template("lti/return.html", account=account, return_url=context["return_url"], jwt=token)


@resend_bp.route("/passbacks/<int:job_id>/resend", methods=["POST"])
def resend(set_id: int, job_id: int):
    """Send a failed score again."""
    find_set(get_session(), current_principal(), set_id)
    if passback.resend(get_session(), set_id, job_id):
        flash(_("The score will be sent again in a moment."), "success")
    else:
        flash(_("This score is not waiting to be resent (it was sent, or a newer one replaced it)."), "info")
    return redirect(url_for("set_page.show", set_id=set_id) + "#lti")
