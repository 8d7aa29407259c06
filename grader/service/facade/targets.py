"""Where a submission goes: everything grading and storing one needs, read in one lean query.

Every submission pays for this lookup, so it skips the ORM: one Core statement per kind of
credential returns only the columns the submission path uses, with the exercise and policy
documents as their stored text, which keys the per-process caches of the trace and the policy
(both pure functions of that text).  The query answers only the common case: a known caller
submitting to an existing assignment it may see.  Anything else (first access, an unknown or
revoked credential, a set the caller may not see) returns None, and the caller takes the general
path, which says exactly what is wrong or makes the assignment.  Which sets a caller may see is
the one rule of ``principals``, here in its credential-joined forms, so both paths agree
(``tests/service/test_targets.py`` checks that they do).
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Text, and_, bindparam, cast, exists, select
from sqlalchemy.orm import Session

from grader.engine import Trace
from grader.grading import Policy
from grader.service.credentials import API_KEY_PREFIX, STUDENT_TOKEN_PREFIX, digest
from grader.service.facade.assignments import trace_for_text, trace_of
from grader.service.facade.principals import Principal, key_holder_sees_set, token_holder_sees_set
from grader.service.models import (
    AccessToken,
    Account,
    ApiKey,
    Assignment,
    ExerciseSet,
    LtiEnrolment,
    PolicyVersion,
)


@dataclass(frozen=True)
class Target:
    """One student's assignment as a submission sees it: who submits, the limits, the policy and
    the reference trace."""

    scope: str
    set_id: int
    student_id: str
    assignment_id: int
    max_attempts: int | None
    due_at: datetime | None
    policy_id: int
    policy_version: int
    policy: Policy
    trace: Trace
    # Whether the student came through LTI (their score goes back to an LMS); None: not known,
    # look it up.  The lean query reads it in the same round trip.
    lti_enrolled: bool | None = None

    def __repr__(self) -> str:
        return f"Target(set {self.set_id}, student {self.student_id!r}, policy v{self.policy_version}, by {self.scope})"

    @classmethod
    def of(cls, principal: Principal, exercise_set: ExerciseSet, assignment: Assignment) -> Target:
        """The target of loaded rows (the general path)."""
        version = exercise_set.policy
        return cls(
            scope=principal.scope,
            set_id=exercise_set.id,
            student_id=assignment.student_id,
            assignment_id=assignment.id,
            max_attempts=exercise_set.max_attempts,
            due_at=exercise_set.due_at,
            policy_id=version.id,
            policy_version=version.version,
            policy=Policy.from_mapping(version.document),
            trace=trace_of(assignment),
        )


@functools.lru_cache(maxsize=256)
def _policy(policy_text: str) -> Policy:
    return Policy.from_mapping(json.loads(policy_text))


# Table columns, not mapped attributes: a Core statement skips the ORM's per-execution work,
# which costs more here than the query itself.
ACCOUNTS, API_KEYS, TOKENS = Account.__table__.c, ApiKey.__table__.c, AccessToken.__table__.c
SETS, POLICIES, ASSIGNMENTS = ExerciseSet.__table__.c, PolicyVersion.__table__.c, Assignment.__table__.c
_COLUMNS = (
    SETS.max_attempts,
    SETS.due_at,
    POLICIES.id,
    POLICIES.version,
    cast(POLICIES.document, Text),
    ASSIGNMENTS.id,
    cast(ASSIGNMENTS.exercise, Text),
    exists().where(LtiEnrolment.__table__.c.assignment_id == ASSIGNMENTS.id),
)


def _current_policy(query):
    # The latest version is the current policy; (set_id, version) is unique and indexed.
    return query.join(PolicyVersion.__table__, POLICIES.set_id == SETS.id).order_by(POLICIES.version.desc()).limit(1)


# Built once: building a statement costs more than running it.
_BY_API_KEY = _current_policy(
    select(ACCOUNTS.id, *_COLUMNS)
    .select_from(ApiKey.__table__)
    .join(Account.__table__, ACCOUNTS.id == API_KEYS.account_id)
    .join(ExerciseSet.__table__, and_(SETS.id == bindparam("set_id"), key_holder_sees_set(SETS, ACCOUNTS)))
    .join(Assignment.__table__, and_(ASSIGNMENTS.set_id == SETS.id, ASSIGNMENTS.student_id == bindparam("student")))
    .where(API_KEYS.secret_hash == bindparam("digest"), API_KEYS.revoked_at.is_(None))
)
_BY_STUDENT_TOKEN = _current_policy(
    select(ASSIGNMENTS.id, *_COLUMNS)
    .select_from(AccessToken.__table__)
    .join(Assignment.__table__, ASSIGNMENTS.id == TOKENS.assignment_id)
    .join(ExerciseSet.__table__, and_(SETS.id == bindparam("set_id"), token_holder_sees_set(SETS, ASSIGNMENTS)))
    .where(
        TOKENS.secret_hash == bindparam("digest"),
        TOKENS.revoked_at.is_(None),
        ASSIGNMENTS.student_id == bindparam("student"),
    )
)


def find_target(session: Session, secret: str, set_id: int, student_id: str) -> Target | None:
    """The target, when the credential is valid and its holder may submit to an existing
    assignment of ``student_id`` in set ``set_id``; None in every other case."""
    if secret.startswith(API_KEY_PREFIX):
        statement, scope = _BY_API_KEY, "account:{}"
    elif secret.startswith(STUDENT_TOKEN_PREFIX):
        statement, scope = _BY_STUDENT_TOKEN, "student:{}"
    else:
        return None
    params = {"digest": digest(secret), "set_id": set_id, "student": student_id}
    row = session.execute(statement, params).one_or_none()
    if row is None:
        return None
    caller, max_attempts, due_at, policy_id, version, policy_text, assignment_id, exercise_text, lti = row
    return Target(
        scope=scope.format(caller),
        set_id=set_id,
        student_id=student_id,
        assignment_id=assignment_id,
        max_attempts=max_attempts,
        due_at=due_at,
        policy_id=policy_id,
        policy_version=version,
        policy=_policy(policy_text),
        trace=trace_for_text(exercise_text),
        lti_enrolled=bool(lti),
    )
