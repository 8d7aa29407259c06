"""The checks made before a submission may cost an attempt.

An attempt is a scarce thing; two kinds of submission would spend one for nothing:
- entries that cannot be read as numbers (``abc``, ``1/37``, ``=0.00817``): the student meant a
  number and would lose the step to a typing slip;
- answers identical to an earlier attempt's: the grade would be the same.
The student page refuses both before grading.  The JSON API does not: an LMS sends numbers, the
contract grades unreadable text ``invalid``, and a client resubmitting on purpose is its own
business (a retry is covered by its Idempotency-Key).
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from grader.grading.answers import Invalid, parse_number
from grader.service.models import Assignment, Submission


def unreadable(answers: Mapping[str, str]) -> list[str]:
    """The keys whose entries are not numbers the grader can read, in the order given."""
    return [key for key, raw in answers.items() if isinstance(parse_number(raw), Invalid)]


def _parsed(answers: Mapping[str, object]) -> dict[str, object]:
    out: dict[str, object] = {}
    for key, raw in answers.items():
        value = parse_number(raw)
        out[key] = ("text", value.raw) if isinstance(value, Invalid) else value
    return out


def identical_attempt(session: Session, assignment: Assignment, answers: Mapping[str, str]) -> int | None:
    """The latest earlier attempt whose answers read as the same numbers for the same keys, if any.

    "0,755" and "0.755" are the same answer; "0.755" and "0.7550001" are not (the grade could differ).
    """
    wanted = _parsed(answers)
    rows = session.execute(
        select(Submission.attempt, Submission.payload)
        .where(Submission.assignment_id == assignment.id)
        .order_by(Submission.attempt.desc())
    )
    for attempt, payload in rows:
        earlier = json.loads(payload).get("answers", {})
        if isinstance(earlier, Mapping) and _parsed(earlier) == wanted:
            return attempt
    return None
