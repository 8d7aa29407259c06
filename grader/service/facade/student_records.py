"""What an instructor sees of one student in a set: every attempt, with the expected values.

Students see expected values only when the set's policy reveals them (``submissions.views``);
the instructor who owns the set always may, as the answer key is theirs anyway.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy.orm import Session

from grader.grading import Policy
from grader.service import grade_records
from grader.service.facade import copies
from grader.service.facade.assignments import trace_of
from grader.service.facade.submissions import current_grades, history
from grader.service.models import Assignment


def attempts(session: Session, assignment: Assignment, language: str) -> list[dict[str, Any]]:
    """Every attempt, oldest first: number, time, policy version, score, and per key the
    submitted and expected values, verdict and message (in ``language``; the message itself
    does not repeat the expected value, which has a column of its own)."""
    trace = trace_of(assignment)
    submissions = list(session.execute(history(assignment)).scalars())
    grades = current_grades(session, [s.id for s in submissions])
    flagged = copies.flags(session, [s.id for s in submissions])
    out = []
    for submission in submissions:
        grade_row, version = grades[submission.id]
        answers = json.loads(submission.payload).get("answers", {})
        grading = grade_records.rebuild(grade_row.results, trace, answers, Policy.from_mapping(version.document))
        graded = grading.to_dict(reveal=False, language=language)
        for key, result in grading.results.items():
            graded["results"][key]["expected"] = result.expected
        out.append(
            {
                "attempt": submission.attempt,
                "submitted_at": submission.submitted_at,
                "submitted_by": submission.submitted_by,
                "policy_version": version.version,
                "copy_of": flagged[submission.id].matched_student_id if submission.id in flagged else None,
                "answers": answers,
                **graded,
            }
        )
    return out
