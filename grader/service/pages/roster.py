"""The instructor's actions on a set and its students: access links (revoked and reissued, the whole
roster as CSV), removing a student, archiving and deleting the set.

Destructive actions ask first on a page of their own (so they work without JavaScript) and are
posts with the CSRF token.  Links are secrets shown once: they come back in the response to the
post that made them, never in a redirect or a flash message.
"""

from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from grader.service.database import get_session
from grader.service.facade import roster
from grader.service.facade.exercise_sets import summary
from grader.service.pages import errors
from grader.service.pages.set_page import SET_PATH, owned_set
from grader.service.pages.signin import current_account, protect
from grader.service.pages.students import link_for, links_page, student_of

bp = Blueprint("set_roster", __name__, url_prefix=SET_PATH)
errors.register(bp)
protect(bp)


@bp.route("/students/<student_id>/reissue", methods=["POST"])
def reissue_link(set_id: int, student_id: str):
    """Withdraw every link of a student and make a new one (a link that was shared or lost)."""
    exercise_set = owned_set(set_id)
    links = roster.new_links(get_session(), [student_of(exercise_set, student_id)], link_for, revoke=True)
    return links_page(exercise_set, links, revoked=True)


@bp.route("/students/<student_id>/revoke", methods=["POST"])
def revoke_links(set_id: int, student_id: str):
    """Withdraw every link of a student; they cannot open their page until given a new one."""
    exercise_set = owned_set(set_id)
    assignment = student_of(exercise_set, student_id)
    count = roster.revoke_tokens(get_session(), assignment)
    flash(
        ngettext(
            "Withdrew %(num)d link of %(id)s.", "Withdrew %(num)d links of %(id)s.", count, id=assignment.student_id
        ),
        "success",
    )
    return redirect(url_for("set_students.student", set_id=set_id, student_id=assignment.student_id))


@bp.route("/links.csv", methods=["POST"])
def links_csv(set_id: int):
    """New links for the whole roster as a CSV download; with ``revoke``, earlier links stop working."""
    exercise_set = owned_set(set_id)
    session = get_session()
    everyone = roster.roster_of(session, exercise_set)
    links = roster.new_links(session, everyone, link_for, revoke=request.form.get("revoke") == "1")
    response = Response("\ufeff" + roster.links_csv(links), mimetype="text/csv")  # the BOM: Excel reads UTF-8
    response.headers["Content-Disposition"] = f'attachment; filename="links-set-{exercise_set.id}.csv"'
    return response


@bp.route("/students/<student_id>/remove", methods=["GET", "POST"])
def remove_student(set_id: int, student_id: str):
    """Remove a student with their attempts (asks first)."""
    exercise_set = owned_set(set_id)
    assignment = student_of(exercise_set, student_id)
    if request.method == "GET":
        return render_template(
            "instructor/confirm.html",
            account=current_account(),
            exercise_set=exercise_set,
            heading=_("Remove %(id)s?", id=assignment.student_id),
            text=_(
                "This deletes the student's variant, access links and every attempt with its grades. "
                "It cannot be undone. Adding the same id again gives a new variant."
            ),
            action=url_for("set_roster.remove_student", set_id=set_id, student_id=assignment.student_id),
            button=_("Remove the student"),
            back=url_for("set_students.student", set_id=set_id, student_id=assignment.student_id),
        )
    roster.remove_student(get_session(), assignment)
    flash(_("Removed %(id)s and their attempts.", id=student_id), "success")
    return redirect(url_for("set_page.show", set_id=set_id))


@bp.route("/archive", methods=["POST"])
def archive(set_id: int):
    """Archive the set (it is kept and listed apart) or, with ``restore``, bring it back."""
    exercise_set = owned_set(set_id)
    restore = request.form.get("restore") == "1"
    roster.set_archived(get_session(), exercise_set, archived=not restore)
    flash(_("The set is back in your list.") if restore else _("Archived the set."), "success")
    return redirect(url_for("set_page.show", set_id=set_id))


@bp.route("/delete", methods=["GET", "POST"])
def delete(set_id: int):
    """Delete the set and everything in it (asks first, showing what will go)."""
    exercise_set = owned_set(set_id)
    if request.method == "GET":
        info = summary(get_session(), exercise_set)
        return render_template(
            "instructor/confirm.html",
            account=current_account(),
            exercise_set=exercise_set,
            heading=_("Delete “%(title)s”?", title=exercise_set.title),
            text=_(
                "This deletes the set with its %(students)d students, %(submissions)d submissions, their grades "
                "and every access link. It cannot be undone. To keep the gradebook, archive the set instead.",
                students=info["students"],
                submissions=info["submissions"],
            ),
            action=url_for("set_roster.delete", set_id=set_id),
            button=_("Delete the set"),
            back=url_for("set_page.show", set_id=set_id),
        )
    title = exercise_set.title
    roster.delete_set(get_session(), exercise_set)
    flash(_("Deleted the set “%(title)s”.", title=title), "success")
    return redirect(url_for("instructor.sets"))
