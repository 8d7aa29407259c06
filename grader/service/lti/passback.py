"""Score passback: the outbox rows a grade leaves for the LMS, and what the instructor sees of them.

A learner's score is queued in the same transaction as the grade that makes it (``after_attempt``
from the submission path, ``after_regrade`` from the regrade path), so no committed grade can
miss its passback and no passback can name a grade that was rolled back.  One stream per learner
and line item (the job key): only its newest score is sent, and each score's timestamp is later
than the previous one's, even across machines whose clocks differ, so the LMS (which keeps the
newest timestamp, AGS 2.0 section 3.4) never takes an older score for a newer one.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from grader.grading.policy import Passback, Policy
from grader.service import grade_records, queue
from grader.service.models import (
    Assignment,
    Grade,
    Job,
    JobState,
    LtiEnrolment,
    LtiUser,
    PolicyVersion,
    Submission,
    utcnow,
)

KIND = "lti.score"
TICK = timedelta(milliseconds=1)

ENROLMENTS = LtiEnrolment.__table__.c
# Built once: this runs on every submission (one indexed lookup; nothing more for non-LTI students).
_ENROLMENTS_OF = select(ENROLMENTS.link_id, ENROLMENTS.user_id).where(
    ENROLMENTS.assignment_id == bindparam("assignment_id")
)


def stream_key(link_id: int, user_id: int) -> str:
    """The job key of one learner's scores on one resource link."""
    return f"{KIND}:{link_id}:{user_id}"


def _current_scores(session: Session, assignment_id: int) -> list[tuple[int, float, float]]:
    """(attempt, score, maximum) of each submission under the newest policy version it was graded under."""
    rows = session.execute(
        select(Submission.attempt, Grade.results, PolicyVersion.version)
        .join(Grade, Grade.submission_id == Submission.id)
        .join(PolicyVersion, PolicyVersion.id == Grade.policy_id)
        .where(Submission.assignment_id == assignment_id)
    ).all()
    newest: dict[int, tuple[int, dict]] = {}
    for attempt, results, version in rows:
        if attempt not in newest or version > newest[attempt][0]:
            newest[attempt] = (version, results)
    return sorted((attempt, *grade_records.score(results)) for attempt, (_v, results) in newest.items())


def score_to_send(session: Session, assignment_id: int, policy: Policy) -> dict[str, Any] | None:
    """The score the policy sends for an assignment: the latest attempt's or the best one's."""
    scores = _current_scores(session, assignment_id)
    if not scores:
        return None
    if policy.passback == Passback.BEST:
        attempt, given, maximum = max(scores, key=lambda s: (s[1] / s[2] if s[2] else 0.0, s[0]))
    else:
        attempt, given, maximum = scores[-1]
    return {"attempt": attempt, "score_given": round(given, 6), "score_maximum": round(maximum, 6)}


def _last_job(session: Session, key: str) -> Job | None:
    return session.execute(select(Job).where(Job.key == key).order_by(Job.id.desc()).limit(1)).scalar_one_or_none()


def _queue_score(session: Session, link_id: int, user_id: int, assignment_id: int, score: dict[str, Any]) -> None:
    key = stream_key(link_id, user_id)
    now = utcnow()
    last = _last_job(session, key)
    if last is not None:
        before = datetime.fromisoformat(last.payload["timestamp"])
        now = max(now, before + TICK)
    payload = {"link": link_id, "user": user_id, "assignment": assignment_id, **score, "timestamp": now.isoformat()}
    queue.enqueue(session, KIND, payload, key)


def after_attempt(session: Session, assignment_id: int, policy: Policy) -> int:
    """Queue the learner's score after a graded submission, in the caller's transaction.
    Returns how many links were queued (0 for a student who never came through LTI)."""
    enrolments = session.execute(_ENROLMENTS_OF, {"assignment_id": assignment_id}).all()
    if not enrolments:
        return 0
    score = score_to_send(session, assignment_id, policy)
    if score is None:
        return 0
    for link_id, user_id in enrolments:
        _queue_score(session, link_id, user_id, assignment_id, score)
    return len(enrolments)


def after_regrade(session: Session, submission_ids: list[int], policy: Policy) -> int:
    """Queue a new score for each LTI learner whose score the regrade changed (caller's transaction)."""
    if not submission_ids:
        return 0
    rows = session.execute(
        select(LtiEnrolment.link_id, LtiEnrolment.user_id, LtiEnrolment.assignment_id)
        .join(Submission, Submission.assignment_id == LtiEnrolment.assignment_id)
        .where(Submission.id.in_(submission_ids))
        .distinct()
    ).all()
    queued = 0
    for link_id, user_id, assignment_id in rows:
        score = score_to_send(session, assignment_id, policy)
        last = _last_job(session, stream_key(link_id, user_id))
        if score is None:
            continue
        if last is not None and all(last.payload.get(k) == v for k, v in score.items()):
            continue
        _queue_score(session, link_id, user_id, assignment_id, score)
        queued += 1
    return queued


def status(session: Session, set_id: int) -> dict[str, Any]:
    """What the set page shows: counts by state, and the pending and failed passbacks with who they are for."""
    people = {
        stream_key(link_id, user_id): (student_id, name)
        for link_id, user_id, student_id, name in session.execute(
            select(LtiEnrolment.link_id, LtiEnrolment.user_id, Assignment.student_id, LtiUser.name)
            .join(Assignment, Assignment.id == LtiEnrolment.assignment_id)
            .join(LtiUser, LtiUser.id == LtiEnrolment.user_id)
            .where(Assignment.set_id == set_id)
        ).all()
    }
    counts: dict[str, int] = {}
    waiting = []
    jobs = []
    if people:
        jobs = session.execute(select(Job).where(Job.key.in_(list(people))).order_by(Job.id.desc())).scalars()
    for job in jobs:
        student_id, name = people[job.key]
        counts[job.state] = counts.get(job.state, 0) + 1
        if job.state in (JobState.PENDING, JobState.RUNNING, JobState.FAILED) and len(waiting) < 200:
            waiting.append(
                {
                    "id": job.id,
                    "state": job.state,
                    "student_id": student_id,
                    "name": name,
                    "score": f"{job.payload['score_given']:g} / {job.payload['score_maximum']:g}",
                    "tries": job.tries,
                    "error": job.last_error,
                    "next_try": job.run_after if job.state == JobState.PENDING else None,
                }
            )
    return {"counts": counts, "waiting": waiting}


def resend(session: Session, set_id: int, job_id: int) -> bool:
    """Send a failed passback of this set again (commits); False when it is not one."""
    job = session.get(Job, job_id)
    if job is None or job.kind != KIND:
        return False
    assignment = session.get(Assignment, job.payload.get("assignment"))
    if assignment is None or assignment.set_id != set_id:
        return False
    done = queue.resend(session, job_id)
    session.commit()
    return done
