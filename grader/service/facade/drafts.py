"""Drafts: a student's unsubmitted answers, saved on the server as they are typed.

A draft holds text as typed, for asked keys only, each cut to the length a form field allows;
it is never graded.  Saving replaces the whole draft (the page always sends every field), so a
field emptied by the student is emptied in the draft too.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from grader.grading.answers import MAX_TEXT
from grader.service.facade.errors import Conflict
from grader.service.models import Assignment, Draft, utcnow

SAVE_TRIES = 3


def cleaned(answers: Mapping[str, Any], asked: Iterable[str]) -> dict[str, str]:
    """The non-empty text entries of ``answers`` for asked keys, in the asked order, each cut to size."""
    out = {}
    for key in asked:
        value = answers.get(key)
        if isinstance(value, int | float) and not isinstance(value, bool):
            value = repr(value)
        if isinstance(value, str) and value.strip():
            out[key] = value.strip()[: MAX_TEXT * 2]
    return out


def load(session: Session, assignment: Assignment) -> Draft | None:
    """The student's draft, if any."""
    return session.execute(select(Draft).where(Draft.assignment_id == assignment.id)).scalar_one_or_none()


def save(session: Session, assignment: Assignment, answers: Mapping[str, Any], asked: Iterable[str]) -> Draft | None:
    """Replace the draft with ``answers`` (an empty one deletes it) and commit; the draft kept, if any.

    Raises ``Conflict`` if concurrent saves kept winning the race (retry).
    """
    entries = cleaned(answers, list(asked))
    if not entries:
        clear(session, assignment)
        return None
    for _ in range(SAVE_TRIES):
        draft = load(session, assignment)
        if draft is None:
            draft = Draft(assignment_id=assignment.id, answers=entries)
            session.add(draft)
        else:
            draft.answers = entries
            draft.updated_at = utcnow()
        try:
            session.commit()
            return draft
        except IntegrityError:
            # Two saves of a new draft raced (two tabs): the other inserted it; update that one.
            session.rollback()
    raise Conflict("the draft was changed by another request at the same time; save again")


def clear(session: Session, assignment: Assignment) -> None:
    """Delete the student's draft (if any) and commit."""
    session.execute(delete(Draft).where(Draft.assignment_id == assignment.id))
    session.commit()
