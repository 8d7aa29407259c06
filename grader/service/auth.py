"""Who is calling the JSON API: the bearer credential of the request, resolved to a ``Principal``.

Every API call but ``/health``, the OpenAPI document and the problem pages sends
``Authorization: Bearer <credential>``: an API key's account (admin or instructor) or a
student's access token.  A missing, malformed, unknown or revoked credential is 401 here;
what the caller may then see and do is the facade's rule (``grader.service.facade.principals``):
instructors see only their own exercise sets (others' are 404, so ids reveal nothing), admins
see all, and a student token opens exactly one assignment.
"""

from __future__ import annotations

from flask import g, request

from grader.service.database import get_session
from grader.service.facade.principals import Principal, resolve, resolve_with_assignment
from grader.service.problems import ProblemError

# Principal and resolve live in the facade; re-exported for code that knew them here.
__all__ = ["Principal", "authenticated", "credential", "current_principal", "resolve", "resolve_with_assignment"]

CHALLENGE = 'Bearer realm="bp-grader"'


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
