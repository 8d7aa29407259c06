"""A set's students: adding them from a pasted roster (each gets a variant and an access link), one
student's attempts in detail, and the printable worksheets and answer keys.

Access links are secrets shown once: they are rendered in the response to the post that made
them, never put in a redirect or a flash message (which would keep them in the session cookie).
Revoking, reissuing, the roster's links as CSV and removing are ``grader.service.pages.roster``'s.
"""

from __future__ import annotations

from flask import Blueprint, Response, flash, render_template, request, url_for
from flask_babel import gettext as _

from grader.service.api.students import student_link
from grader.service.database import get_session
from grader.service.facade import roster
from grader.service.facade.assignments import (
    check_student_id,
    find_assignment,
    trace_of,
)
from grader.service.facade.sheets import assignments_of, printable
from grader.service.facade.student_records import attempts
from grader.service.models import Assignment, ExerciseSet
from grader.service.pages import errors
from grader.service.pages import student as student_page
from grader.service.pages.errors import PageError
from grader.service.pages.forms import RosterForm
from grader.service.pages.language import current_language
from grader.service.pages.set_page import SET_PATH, owned_set, render_set_page
from grader.service.pages.signin import current_account, protect

bp = Blueprint("set_students", __name__, url_prefix=SET_PATH)
errors.register(bp)
protect(bp)

KINDS = ("worksheet", "answer_key")


def student_of(exercise_set: ExerciseSet, student_id: str) -> Assignment:
    """The set's student with that id; 400 for a malformed id, 404 for an unknown one."""
    check_student_id(student_id)
    found = find_assignment(get_session(), exercise_set, student_id)
    if found is None:
        raise PageError(404, _("There is no student %(id)s in this set.", id=student_id))
    return found


def link_for(assignment: Assignment, token: str) -> str:
    """The student's link with a token, as the API hands it out (GRADER_PUBLIC_URL when set)."""
    return student_link(assignment.set_id, assignment.student_id, token)


def links_page(exercise_set: ExerciseSet, links: list[tuple[str, str]], refused=(), revoked: bool = False):
    """The page that shows new links once, and the ids of a roster that were refused, one by one."""
    return render_template(
        "instructor/links.html",
        account=current_account(),
        exercise_set=exercise_set,
        links=links,
        refused=list(refused),
        revoked=revoked,
    )


@bp.route("/students", methods=["POST"])
def add_students(set_id: int):
    """Add the pasted students (each gets their variant now) and show their links; refuse bad ids one by one."""
    exercise_set = owned_set(set_id)
    form = RosterForm()
    if not form.validate():
        return render_set_page(exercise_set, roster_form=form, status=422)
    lines = roster.read_roster(form.students.data)
    good = [line.student_id for line in lines if line.problem is None]
    refused = [line for line in lines if line.problem is not None]
    if not good:
        form.students.errors = [_("%(id)s is not a valid student id.", id=line.student_id) for line in refused]
        return render_set_page(exercise_set, roster_form=form, status=422)
    session = get_session()
    links = roster.new_links(session, roster.add_students(session, exercise_set, good), link_for)
    return links_page(exercise_set, links, refused)


@bp.route("/students/<student_id>/link", methods=["POST"])
def new_link(set_id: int, student_id: str):
    """A new access link for one student (earlier links keep working)."""
    exercise_set = owned_set(set_id)
    links = roster.new_links(get_session(), [student_of(exercise_set, student_id)], link_for)
    return links_page(exercise_set, links)


@bp.route("/students/<student_id>")
def student(set_id: int, student_id: str):
    """One student's attempts, each key with the submitted and expected values and the verdict."""
    exercise_set = owned_set(set_id)
    assignment = student_of(exercise_set, student_id)
    history = attempts(get_session(), assignment, current_language())
    return render_template(
        "instructor/student.html",
        account=current_account(),
        exercise_set=exercise_set,
        assignment=assignment,
        attempts=history,
        asked=trace_of(assignment).asked_keys(),
    )


@bp.route("/students/<student_id>/as-student")
def view_as_student(set_id: int, student_id: str):
    """The student's page as they see it (variant, feedback, worked solution when revealed), read-only:
    no token is made, nothing is saved and no attempt is used."""
    exercise_set = owned_set(set_id)
    assignment = student_of(exercise_set, student_id)
    flash(_("You are seeing %(id)s's page as they see it. Nothing here is saved or submitted.", id=student_id), "info")
    page, status = student_page.preview_page(assignment)
    # The page's own links (earlier attempts) lead back here, not to a student link.
    here = url_for("set_students.view_as_student", set_id=set_id, student_id=student_id)
    placeholder = url_for("student.exercise", token=student_page.PREVIEW)
    return page.replace(f'href="{placeholder}?', f'href="{here}?'), status


@bp.route("/printables/<kind>")
def printables(set_id: int, kind: str):
    """Print-ready worksheets or answer keys: every student of the set, or ``?student=`` ones."""
    if kind not in KINDS:
        raise PageError(404, _("There is no such printable."))
    exercise_set = owned_set(set_id)
    wanted = request.args.getlist("student")
    chosen = (
        [student_of(exercise_set, sid) for sid in wanted] if wanted else assignments_of(get_session(), exercise_set)
    )
    if not chosen:
        raise PageError(404, _("This set has no students yet: add students first, then print their sheets."))
    return Response(printable(exercise_set, chosen, kind, current_language()), mimetype="text/html")
