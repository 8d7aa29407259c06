"""Who is calling, and which exercise sets they may see: one principal type and one SQL rule.

A caller is a ``Principal``: a staff account (an admin or an instructor, from an API key or a
signed-in page), or a student bound to one assignment (from an access token).  Which sets a
caller may see is written once, as the SQL predicate ``sees_set``: admins see every set,
instructors their own, a student the set of their assignment.  Every query that finds a set for
a caller uses it, whether the caller is already known (``SEES_SET``, with the bound parameters
of ``Principal.visibility``) or is found in the same query from a credential (``key_holder_sees_set``,
``token_holder_sees_set``, with the credential's own columns).  Not seeing a set and there being
no such set look the same to the caller (``NotFound``), so ids reveal nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Boolean, ColumnElement, Integer, and_, bindparam, exists, false, func, or_, select
from sqlalchemy.orm import Session

from grader.service.credentials import API_KEY_PREFIX, STUDENT_TOKEN_PREFIX, digest
from grader.service.facade.errors import NotAllowed
from grader.service.models import AccessToken, Account, ApiKey, Assignment, ExerciseSet, LtiSetGrant, utcnow

ADMIN = "admin"


def sees_set(
    sets: Any,
    *,
    admin: ColumnElement[bool] | None = None,
    account_id: ColumnElement[Any] | None = None,
    own_set_id: ColumnElement[Any] | None = None,
) -> ColumnElement[bool]:
    """The rule: a set is visible to an admin, to the account that owns it or was granted it by an
    LTI staff launch (``lti_set_grants``, until the grant expires), and to a student whose
    assignment is in it.

    ``sets`` is ``ExerciseSet`` or its table's columns; the caller is described by SQL
    expressions (bound parameters or columns of the credential's rows).  A caller without an
    account or an assignment leaves that argument out, and its clause is dropped.
    """
    clauses = []
    if admin is not None:
        clauses.append(admin)
    if account_id is not None:
        clauses.append(sets.owner_id == account_id)
        # One primary-key lookup; only LTI staff accounts (no API key) ever hold grants.  The
        # database's clock, so that no query needs one more parameter.
        clauses.append(
            exists().where(
                LtiSetGrant.account_id == account_id,
                LtiSetGrant.set_id == sets.id,
                LtiSetGrant.expires_at > func.current_timestamp(),
            )
        )
    if own_set_id is not None:
        clauses.append(sets.id == own_set_id)
    return or_(false(), *clauses)


def key_holder_sees_set(sets: Any, accounts: Any) -> ColumnElement[bool]:
    """``sees_set`` for the account behind an API key, joined in the same query (``accounts``)."""
    return sees_set(sets, admin=accounts.role == ADMIN, account_id=accounts.id)


def token_holder_sees_set(sets: Any, assignments: Any) -> ColumnElement[bool]:
    """``sees_set`` for the student behind an access token, whose assignment is joined (``assignments``)."""
    return sees_set(sets, own_set_id=assignments.set_id)


# For a known principal; its values come from Principal.visibility().
SEES_SET = sees_set(
    ExerciseSet,
    admin=bindparam("caller_is_admin", type_=Boolean()),
    account_id=bindparam("caller_account_id", type_=Integer()),
    own_set_id=bindparam("caller_set_id", type_=Integer()),
)


@dataclass(frozen=True)
class Principal:
    """The authenticated caller: an account (admin or instructor), or a student bound to one assignment."""

    account: Account | None = None
    assignment: Assignment | None = None

    def __repr__(self) -> str:
        if self.account:
            return f"Principal({self.account.role} {self.account.name!r})"
        return f"Principal(student {self.assignment.student_id!r} in set {self.assignment.set_id})"

    @property
    def role(self) -> str:
        """``admin``, ``instructor`` or ``student``."""
        return self.account.role if self.account else "student"

    @property
    def is_staff(self) -> bool:
        """True for an account (admin or instructor), false for a student."""
        return self.account is not None

    @property
    def scope(self) -> str:
        """A stable name for this caller: the owner of its idempotency keys and submissions."""
        if self.account:
            return f"account:{self.account.id}"
        return f"student:{self.assignment.id}"

    def visibility(self) -> dict[str, Any]:
        """The values of ``SEES_SET``'s parameters for this caller."""
        return {
            "caller_is_admin": self.account is not None and self.account.is_admin,
            "caller_account_id": self.account.id if self.account else None,
            "caller_set_id": self.assignment.set_id if self.assignment else None,
        }

    def require_staff(self) -> Account:
        """The account; ``NotAllowed`` for a student."""
        if self.account is None:
            raise NotAllowed("this needs an instructor or admin API key, not a student token")
        return self.account

    def require_admin(self) -> Account:
        """The account; ``NotAllowed`` unless it is an admin."""
        account = self.require_staff()
        if not account.is_admin:
            raise NotAllowed("this needs an admin API key")
        return account

    def require_student(self, set_id: int, student_id: str) -> None:
        """``NotAllowed`` when a student asks for another set or student (staff pass)."""
        if self.assignment is not None and (
            self.assignment.set_id != set_id or self.assignment.student_id != student_id
        ):
            raise NotAllowed("this access token belongs to another student or exercise set")


# Built once: every request runs one of these, and building a statement costs more than running it.
_BY_API_KEY = (
    select(Account)
    .join(ApiKey, ApiKey.account_id == Account.id)
    .where(ApiKey.secret_hash == bindparam("digest"), ApiKey.revoked_at.is_(None))
)
# A student token works until it is revoked or, when its set gives tokens a lifetime, expires.
_TOKEN_VALID = and_(
    AccessToken.secret_hash == bindparam("digest"),
    AccessToken.revoked_at.is_(None),
    or_(AccessToken.expires_at.is_(None), AccessToken.expires_at > bindparam("now")),
)
_BY_STUDENT_TOKEN = select(Assignment).join(AccessToken, AccessToken.assignment_id == Assignment.id).where(_TOKEN_VALID)


def resolve(session: Session, secret: str) -> Principal | None:
    """The principal a credential stands for; None when it is unknown or revoked."""
    if secret.startswith(API_KEY_PREFIX):
        row = session.execute(_BY_API_KEY, {"digest": digest(secret)}).scalar_one_or_none()
        return Principal(account=row) if row else None
    if secret.startswith(STUDENT_TOKEN_PREFIX):
        row = session.execute(_BY_STUDENT_TOKEN, {"digest": digest(secret), "now": utcnow()}).scalar_one_or_none()
        return Principal(assignment=row) if row else None
    return None


# Who is calling, the set they address and the student's assignment, in one round trip instead of
# two (the set and assignment are None when not found or not visible to the caller).
_KEY_WITH_ASSIGNMENT = (
    select(Account, ExerciseSet, Assignment)
    .select_from(ApiKey)
    .join(Account, Account.id == ApiKey.account_id)
    .outerjoin(ExerciseSet, and_(ExerciseSet.id == bindparam("set_id"), key_holder_sees_set(ExerciseSet, Account)))
    .outerjoin(Assignment, and_(Assignment.set_id == ExerciseSet.id, Assignment.student_id == bindparam("student")))
    .where(ApiKey.secret_hash == bindparam("digest"), ApiKey.revoked_at.is_(None))
)
_TOKEN_WITH_SET = (
    select(Assignment, ExerciseSet)
    .join(AccessToken, AccessToken.assignment_id == Assignment.id)
    .outerjoin(ExerciseSet, and_(ExerciseSet.id == bindparam("set_id"), token_holder_sees_set(ExerciseSet, Assignment)))
    .where(_TOKEN_VALID)
)


def resolve_with_assignment(
    session: Session, secret: str, set_id: int, student_id: str
) -> tuple[Principal | None, ExerciseSet | None, Assignment | None]:
    """The caller, and (if they may see them) the set and the student's assignment, in one query."""
    params = {"digest": digest(secret), "set_id": set_id, "student": student_id, "now": utcnow()}
    if secret.startswith(API_KEY_PREFIX):
        row = session.execute(_KEY_WITH_ASSIGNMENT, params).one_or_none()
        return (Principal(account=row[0]), row[1], row[2]) if row else (None, None, None)
    if secret.startswith(STUDENT_TOKEN_PREFIX):
        row = session.execute(_TOKEN_WITH_SET, params).one_or_none()
        if row is None:
            return None, None, None
        assignment, found = row
        own = found is not None and assignment.student_id == student_id
        return Principal(assignment=assignment), found if own else None, assignment if own else None
    return None, None, None
