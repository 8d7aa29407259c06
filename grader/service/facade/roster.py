"""A set's roster and its lifecycle: pasted rosters, access links (new, revoked, for everyone),
removing a student, archiving and deleting a set.

Deleting is one statement in one transaction: the database's ``ON DELETE CASCADE`` foreign keys
take a set's policies, assignments, tokens, submissions and grades with it (and a student's
tokens, submissions and grades with them), so a crash or a lost connection leaves either all of
it or none.  An access token is a secret shown once; only its hash is stored, so "the links of
the whole roster" are new tokens, and revoking first makes them the only ones that work.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from grader.service.facade.assignments import assignment_for, issue_token, revoke_tokens
from grader.service.models import Assignment, ExerciseSet, utcnow
from grader.service.schemas.fields import student_id_problem

# Ids in a pasted roster are separated by line breaks, commas, semicolons or tabs (a spreadsheet
# column pastes as lines, a row as tabs); a space belongs to the id ("Li Ming").
SEPARATORS = re.compile(r"[\r\n,;\t]+")
MAX_ROSTER = 500


@dataclass(frozen=True)
class RosterLine:
    """One id of a pasted roster, and why it is refused (None when it is fine)."""

    student_id: str
    problem: str | None = None


def read_roster(text: str) -> list[RosterLine]:
    """The ids of a pasted roster in order, repeats dropped, each with its own verdict.

    Spaces inside an id are kept (so "Li Ming" stays one student); around it they are trimmed.
    """
    seen: dict[str, RosterLine] = {}
    for part in SEPARATORS.split(text):
        student_id = " ".join(part.split())
        if student_id and student_id not in seen:
            seen[student_id] = RosterLine(student_id, student_id_problem(student_id))
    return list(seen.values())


def add_students(session: Session, exercise_set: ExerciseSet, student_ids: Sequence[str]) -> list[Assignment]:
    """The assignments of the given (valid) ids: existing ones as they are, new ones with a fresh variant."""
    return [assignment_for(session, exercise_set, student_id) for student_id in student_ids]


def new_links(
    session: Session, assignments: Sequence[Assignment], link: Callable[[Assignment, str], str], revoke: bool = False
) -> list[tuple[str, str]]:
    """(student id, link) with a new token for each assignment; ``revoke`` first withdraws every earlier one."""
    out = []
    for assignment in assignments:
        if revoke:
            revoke_tokens(session, assignment)
        out.append((assignment.student_id, link(assignment, issue_token(session, assignment))))
    return out


def links_csv(links: Sequence[tuple[str, str]]) -> str:
    """``student_id,link`` rows, for a mail merge or an LMS import."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["student_id", "link"])
    writer.writerows(links)
    return out.getvalue()


def roster_of(session: Session, exercise_set: ExerciseSet) -> list[Assignment]:
    """Every assignment of the set, by student id."""
    query = select(Assignment).where(Assignment.set_id == exercise_set.id).order_by(Assignment.student_id)
    return list(session.execute(query).scalars())


def remove_student(session: Session, assignment: Assignment) -> None:
    """Delete a student's assignment with their tokens, submissions and grades, in one transaction."""
    session.execute(delete(Assignment).where(Assignment.id == assignment.id))
    session.commit()


def set_archived(session: Session, exercise_set: ExerciseSet, archived: bool) -> None:
    """Archive a set (kept whole, listed apart) or bring it back."""
    exercise_set.archived_at = utcnow() if archived else None
    session.commit()


def delete_set(session: Session, exercise_set: ExerciseSet) -> None:
    """Delete a set and everything under it, in one transaction (the foreign keys cascade)."""
    session.execute(delete(ExerciseSet).where(ExerciseSet.id == exercise_set.id))
    session.commit()
