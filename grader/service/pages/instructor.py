"""The instructor's sets: the list, and a new set from a catalogue template (with diagram previews).

Every route needs a signed-in instructor (``signin.protect``); an instructor sees only their own
sets (admins see all), exactly as through the API, because both ask the same facade.
"""

from __future__ import annotations

import uuid

from flask import Blueprint, Response, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from grader.service.database import get_session
from grader.service.facade import idempotency
from grader.service.facade.catalogue import list_templates
from grader.service.facade.errors import DomainError
from grader.service.facade.exercise_sets import create_set, list_sets, summary
from grader.service.facade.idempotency import StoredResponse
from grader.service.facade.sheets import template_preview_svg
from grader.service.pages import errors
from grader.service.pages.errors import PageError
from grader.service.pages.forms import CreateSetForm, one_time_key
from grader.service.pages.language import current_language
from grader.service.pages.signin import current_account, current_principal, protect
from grader.service.rate_limits import caller, limit_for, limiter

bp = Blueprint("instructor", __name__)
errors.register(bp)
SEED_TEMPLATE = "seed-classic"  # the worked example of the source material
protect(bp)


@bp.route("/sets")
def sets():
    """The instructor's exercise sets, newest first, with their counts."""
    session = get_session()
    found = session.execute(list_sets(current_principal())).scalars().all()
    current = [summary(session, s) for s in found if s.archived_at is None]
    archived = [summary(session, s) for s in found if s.archived_at is not None]
    return render_template("instructor/sets.html", account=current_account(), sets=current, archived=archived)


def _templates() -> list[dict]:
    """The catalogue for the picker: the worked example first, then by difficulty and title."""
    rank = {"introductory": 0, "intermediate": 1, "advanced": 2}
    return sorted(
        list_templates(current_language()),
        key=lambda t: (t["name"] != SEED_TEMPLATE, rank.get(t["difficulty"], 3), t["title"]),
    )


def _template_title(name: str | None) -> str | None:
    """A catalogue template's title in the reader's language; None for an unknown name."""
    found = next((t for t in list_templates(current_language()) if t["name"] == name), None)
    return found["title"] if found else None


def _create_form() -> CreateSetForm:
    form = CreateSetForm()
    if not form.is_submitted():
        form.request_key.data = str(uuid.uuid4())
    templates = _templates()
    form.template.choices = [(t["name"], t["title"]) for t in templates]
    if not form.is_submitted() and templates:
        form.template.data = templates[0]["name"]
    if not form.is_submitted():
        # The page's script puts the instructor's own zone here (the configured default without it).
        form.time_zone.render_kw = {"data-browser-zone": "default"}
    return form


@bp.route("/sets/new", methods=["GET", "POST"])
@limiter.limit(limit_for("create_set"), key_func=caller, scope="create_set", methods=["POST"])
def new_set():
    """Create a set from a catalogue template, with its grading policy."""
    form = _create_form()
    if form.validate_on_submit():
        data = {
            "template": form.template.data,
            # Blank: the template's title in the reader's language.
            "title": (form.title.data or "").strip() or _template_title(form.template.data),
            "seed": form.seed.data,
            "policy": form.policy_document(),
            "max_attempts": form.max_attempts.data,
            "due_at": form.due_datetime(),
            "time_zone": form.time_zone.data,
        }
        session = get_session()

        def work() -> StoredResponse:
            created = create_set(session, current_account(), data, current_app.config["MAX_TRACE_STEPS"])
            return StoredResponse(201, {"id": created.id, "title": created.title}, None)

        try:
            # The form's one-time key makes a double click create one set, not two.
            stored, _replayed = idempotency.run(
                session,
                current_principal().scope,
                one_time_key(form.request_key.data),
                idempotency.fingerprint(request.method, request.path, request.get_data()),
                work,
            )
        except DomainError as error:
            session.rollback()
            form.form_errors.append(errors.explain(error)[1])
        else:
            flash(_("Created the set “%(title)s”.", title=stored.body["title"]), "success")
            return redirect(url_for("set_page.show", set_id=stored.body["id"]))
    status = 422 if form.is_submitted() else 200
    templates = {t["name"]: t for t in _templates()}
    return render_template("instructor/new_set.html", account=current_account(), form=form, templates=templates), status


@bp.route("/templates/<name>/diagram.svg")
def template_diagram(name: str):
    """The diagram of a catalogue template, for the template picker."""
    svg = template_preview_svg(name, current_language())
    if svg is None:
        raise PageError(404, _("There is no such template."))
    response = Response(svg, mimetype="image/svg+xml")
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response


@bp.route("/sets/<path:_rest>", methods=["GET", "POST"])
def no_such_page(_rest: str):
    """A URL under /sets/ that names no page (a mistyped id, say): a 404 page in the reader's language."""
    raise PageError(404, _("There is no such page, or it is not yours to see. Check the link you were given."))
