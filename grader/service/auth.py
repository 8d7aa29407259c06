"""Who is calling: an API key's account (admin or instructor) or a student's access token.

Every API call but ``/health``, the OpenAPI document and the problem pages sends
``Authorization: Bearer <credential>``.  Instructors see only their own exercise sets (others'
are 404, so ids reveal nothing); admins see all.  A student token opens exactly one assignment:
that student's exercise and submissions in one set.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import g, request
from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from grader.service.credentials import API_KEY_PREFIX, STUDENT_TOKEN_PREFIX, digest
from grader.service.database import get_session
from grader.service.models import AccessToken, Account, ApiKey, Assignment
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


def current_principal() -> Principal:
    """The authenticated caller of this request, or 401."""
    if "principal" not in g:
        principal = resolve(get_session(), credential())
        if principal is None:
            raise _unauthorized("the credential is unknown or has been revoked", "invalid_token")
        g.principal = principal
    return g.principal
