"""Score changes after a regrade: what a student's history says about each attempt.

A regrade adds a grade under the new policy version and keeps the old ones, so a change is the
difference between an attempt's first grade and its current one (the newest version), with the
policy fields that changed in between: the reason, in the student's words on the page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from grader.grading import Policy
from grader.service.models import Grade, PolicyVersion, Submission

# Which policy fields can change a score, grouped as a student would name them.
REASONS = {
    "tolerance": ("tolerance", "rtol", "atol", "sigfigs", "decimals"),
    "follow_through": ("follow_through", "carried_credit"),
    "misconception_credit": ("misconception_credit",),
    "phase_weights": ("phase_weights",),
}


@dataclass(frozen=True)
class ScoreChange:
    attempt: int
    before: float
    after: float
    max_before: float
    max_after: float
    from_version: int
    to_version: int
    regraded_at: datetime
    reasons: tuple[str, ...]  # keys of REASONS; empty when only the grader itself changed


def _reasons(old: dict, new: dict) -> tuple[str, ...]:
    a, b = Policy.from_mapping(old).to_mapping(), Policy.from_mapping(new).to_mapping()
    return tuple(reason for reason, names in REASONS.items() if any(a[n] != b[n] for n in names))


def changes(session: Session, submissions: list[Submission]) -> dict[int, ScoreChange]:
    """attempt -> how its score changed since it was first graded, for the attempts whose score did."""
    by_id = {s.id: s for s in submissions}
    if not by_id:
        return {}
    rows = session.execute(
        select(
            Grade.submission_id,
            Grade.score,
            Grade.max_score,
            Grade.graded_at,
            PolicyVersion.version,
            PolicyVersion.document,
        )
        .join(PolicyVersion, PolicyVersion.id == Grade.policy_id)
        .where(Grade.submission_id.in_(list(by_id)))
        .order_by(Grade.submission_id, PolicyVersion.version)
    ).all()
    grades: dict[int, list] = {}
    for row in rows:
        grades.setdefault(row.submission_id, []).append(row)
    out = {}
    for submission_id, rows_of in grades.items():
        first, last = rows_of[0], rows_of[-1]
        if first is last:
            continue
        before, max_before = first.score, first.max_score
        after, max_after = last.score, last.max_score
        if abs(before - after) < 1e-9 and abs(max_before - max_after) < 1e-9:
            continue
        attempt = by_id[submission_id].attempt
        out[attempt] = ScoreChange(
            attempt=attempt,
            before=before,
            after=after,
            max_before=max_before,
            max_after=max_after,
            from_version=first.version,
            to_version=last.version,
            regraded_at=last.graded_at,
            reasons=_reasons(first.document, last.document),
        )
    return out
