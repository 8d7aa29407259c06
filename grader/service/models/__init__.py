"""The service's typed SQLAlchemy models; ``Base.metadata`` is what the migrations must match."""

from grader.service.models.accounts import ROLES, Account, ApiKey
from grader.service.models.assignments import AccessToken, Assignment
from grader.service.models.base import Base, utcnow
from grader.service.models.copy_flags import CopyFlag
from grader.service.models.drafts import Draft
from grader.service.models.exercise_sets import ExerciseSet, PolicyVersion
from grader.service.models.idempotency import IdempotencyRecord
from grader.service.models.jobs import Job, JobState
from grader.service.models.lti import (
    LtiDeployment,
    LtiEnrolment,
    LtiLaunchState,
    LtiPlatform,
    LtiResourceLink,
    LtiSetGrant,
    LtiUsedNonce,
    LtiUser,
    ToolKey,
)
from grader.service.models.page_sessions import PageSession
from grader.service.models.rate_limits import RateLimitCounter
from grader.service.models.submissions import Grade, Submission

__all__ = [
    "ROLES",
    "AccessToken",
    "Account",
    "ApiKey",
    "Assignment",
    "Base",
    "CopyFlag",
    "Draft",
    "ExerciseSet",
    "Grade",
    "IdempotencyRecord",
    "Job",
    "JobState",
    "LtiDeployment",
    "LtiEnrolment",
    "LtiLaunchState",
    "LtiPlatform",
    "LtiResourceLink",
    "LtiSetGrant",
    "LtiUsedNonce",
    "LtiUser",
    "PageSession",
    "PolicyVersion",
    "RateLimitCounter",
    "Submission",
    "ToolKey",
    "utcnow",
]
