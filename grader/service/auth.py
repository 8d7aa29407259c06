"""Who is calling: an API key's account (admin or instructor) or a student's access token.

Every API call but ``/health``, the OpenAPI document and the problem pages sends
``Authorization: Bearer <credential>``.  Instructors see only their own exercise sets (others'
are 404, so ids reveal nothing); admins see all.  A student token opens exactly one assignment:
that student's exercise and submissions in one set.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import g, request
from sqlalchemy import and_, bindparam, or_, select
from sqlalchemy.orm import Session

from grader.service.credentials import API_KEY_PREFIX, STUDENT_TOKEN_PREFIX, digest
from grader.service.database import get_session
from grader.service.models import AccessToken, Account, ApiKey, Assignment, ExerciseSet
from grader.service.problems import ProblemError

CHALLENGE = 'Bearer realm="bp-grader"'


@dataclass(frozen=True)
class Principal:
    """The authenticated caller: an account, or a student bound to one assignment."""

    account: Account | None = None
    assignment: Assignment | None = None

    def __repr__(self) -> str:
        if self.account:
            return f"Principal({self.account.role} {self.account.name!r})"
        return f"Principal(student {self.assignment.student_id!r} in set {self.assignment.set_id})"

    @property
    def role(self) -> str:
        return self.account.role if self.account else "student"

    @property
    def is_staff(self) -> bool:
        return self.account is not None

    @property
    def scope(self) -> str:
        """A stable name for this caller: the owner of its idempotency keys and submissions."""
        if self.account:
            return f"account:{self.account.id}"
        return f"student:{self.assignment.id}"

    def require_staff(self) -> Account:
        """The account, or 403 for a student token."""
        if self.account is None:
            raise ProblemError(403, "forbidden", "this needs an instructor or admin API key, not a student token")
        return self.account

    def require_admin(self) -> Account:
        """The account, or 403 unless it is an admin."""
        account = self.require_staff()
        if not account.is_admin:
            raise ProblemError(403, "forbidden", "this needs an admin API key")
        return account

    def require_student(self, set_id: int, student_id: str) -> None:
        """403 when a student token is used for another set or student (staff pass)."""
        if self.assignment is not None and (
            self.assignment.set_id != set_id or self.assignment.student_id != student_id
        ):
            raise ProblemError(403, "forbidden", "this access token belongs to another student or exercise set")


def _unauthorized(detail: str, error: str | None = None) -> ProblemError:
    challenge = CHALLENGE + (f', error="{error}"' if error else "")
    return ProblemError(401, "unauthorized", detail, headers={"WWW-Authenticate": challenge})


def credential() -> str:
    """The bearer credential of the request, or 401."""
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if not header:
        raise _unauthorized("send Authorization: Bearer <API key or student access token>")
    if scheme.lower() != "bearer" or not value.strip():
        raise _unauthorized("the Authorization header must be 'Bearer <credential>'", "invalid_request")
    return value.strip()


# Built once: every request runs one of these, and building a statement costs more than running it.
_BY_API_KEY = (
    select(Account)
    .join(ApiKey, ApiKey.account_id == Account.id)
    .where(ApiKey.secret_hash == bindparam("digest"), ApiKey.revoked_at.is_(None))
)
_BY_STUDENT_TOKEN = (
    select(Assignment)
    .join(AccessToken, AccessToken.assignment_id == Assignment.id)
    .where(AccessToken.secret_hash == bindparam("digest"), AccessToken.revoked_at.is_(None))
)


def resolve(session: Session, secret: str) -> Principal | None:
    """The principal a credential stands for; None when it is unknown or revoked."""
    if secret.startswith(API_KEY_PREFIX):
        row = session.execute(_BY_API_KEY, {"digest": digest(secret)}).scalar_one_or_none()
        return Principal(account=row) if row else None
    if secret.startswith(STUDENT_TOKEN_PREFIX):
        row = session.execute(_BY_STUDENT_TOKEN, {"digest": digest(secret)}).scalar_one_or_none()
        return Principal(assignment=row) if row else None
    return None


# The hot path of submissions: who is calling, the set they address and the student's
# assignment, in one round trip instead of two (the set and assignment are None when not found
# or not visible to the caller).
_KEY_WITH_ASSIGNMENT = (
    select(Account, ExerciseSet, Assignment)
    .select_from(ApiKey)
    .join(Account, Account.id == ApiKey.account_id)
    .outerjoin(
        ExerciseSet,
        and_(ExerciseSet.id == bindparam("set_id"), or_(Account.role == "admin", ExerciseSet.owner_id == Account.id)),
    )
    .outerjoin(Assignment, and_(Assignment.set_id == ExerciseSet.id, Assignment.student_id == bindparam("student")))
    .where(ApiKey.secret_hash == bindparam("digest"), ApiKey.revoked_at.is_(None))
)
_TOKEN_WITH_SET = (
    select(Assignment, ExerciseSet)
    .join(AccessToken, AccessToken.assignment_id == Assignment.id)
    .join(ExerciseSet, ExerciseSet.id == Assignment.set_id)
    .where(AccessToken.secret_hash == bindparam("digest"), AccessToken.revoked_at.is_(None))
)


def resolve_with_assignment(
    session: Session, secret: str, set_id: int, student_id: str
) -> tuple[Principal | None, ExerciseSet | None, Assignment | None]:
    """The caller, and (if they may see them) the set and the student's assignment, in one query."""
    params = {"digest": digest(secret), "set_id": set_id, "student": student_id}
    if secret.startswith(API_KEY_PREFIX):
        row = session.execute(_KEY_WITH_ASSIGNMENT, params).one_or_none()
        return (Principal(account=row[0]), row[1], row[2]) if row else (None, None, None)
    if secret.startswith(STUDENT_TOKEN_PREFIX):
        row = session.execute(_TOKEN_WITH_SET, params).one_or_none()
        if row is None:
            return None, None, None
        own = row[0].set_id == set_id and row[0].student_id == student_id
        return Principal(assignment=row[0]), row[1] if own else None, row[0] if own else None
    return None, None, None


def current_principal() -> Principal:
    """The authenticated caller of this request, or 401."""
    if "principal" not in g:
        authenticated(resolve(get_session(), credential()))
    return g.principal


def authenticated(principal: Principal | None) -> Principal:
    """Record the request's caller; 401 when the credential resolved to nobody."""
    if principal is None:
        from grader.service.rate_limits import count_failure

        count_failure("credentials")
        raise _unauthorized("the credential is unknown or has been revoked", "invalid_token")
    g.principal = principal
    return principal
