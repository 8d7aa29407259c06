"""OIDC login initiation and launch validation (LTI 1.3 core, section 5; 1EdTech Security Framework 5.1).

``start_login`` answers the platform's third-party login request: it records a one-time ``state``
and ``nonce`` and sends the browser to the platform's authorisation URL.  ``validate`` checks a
launch's ``id_token`` and ``state`` in full: the state (issued by us, unused, recent, and the one
this browser's cookie holds), the signature against the platform's key set, ``iss``, ``aud`` and
``azp``, ``exp`` and ``iat``, the nonce (ours, used once only), the deployment, the message type
and the LTI version.  Anything wrong raises ``LaunchError`` saying what was wrong; nothing is
kept of a refused launch.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

import jwt
from flask_babel import gettext as _
from sqlalchemy import delete
from sqlalchemy.orm import Session

from grader.service.lti import claims, platform_keys
from grader.service.lti.registration import find_deployment, find_platform
from grader.service.models import LtiDeployment, LtiLaunchState, LtiPlatform, LtiUsedNonce, utcnow

STATE_LIFETIME = timedelta(minutes=10)
NONCE_LIFETIME = timedelta(days=2)
# Clock difference tolerated between the platform and us.
LEEWAY = timedelta(seconds=30)
MAX_FIELD = 4096


class LaunchError(Exception):
    """A login or launch refused; ``detail`` says what was wrong, in the reader's language."""

    def __init__(self, detail: str, status: int = 400):
        super().__init__(detail)
        self.detail = detail
        self.status = status


@dataclass(frozen=True)
class Launch:
    """A validated launch: who sent it and what it says."""

    platform: LtiPlatform
    deployment: LtiDeployment
    claims: dict[str, Any]

    def __repr__(self) -> str:
        return f"Launch({self.message_type} from {self.platform.issuer})"

    @property
    def message_type(self) -> str:
        return self.claims[claims.MESSAGE_TYPE]

    @property
    def roles(self) -> list[str]:
        return list(self.claims.get(claims.ROLES) or [])

    @property
    def custom(self) -> dict[str, Any]:
        custom = self.claims.get(claims.CUSTOM)
        return custom if isinstance(custom, dict) else {}


def start_login(session: Session, params: dict[str, str], redirect_uri: str) -> tuple[str, str]:
    """Record a state and nonce for a third-party login; returns (the platform's auth URL, state). Commits."""
    issuer, login_hint = params.get("iss", ""), params.get("login_hint", "")
    if not issuer:
        raise LaunchError(_("The login request names no platform (iss)."))
    if not login_hint:
        raise LaunchError(_("The login request has no login_hint."))
    if any(len(value) > MAX_FIELD for value in params.values()):
        raise LaunchError(_("The login request has a parameter that is too long."))
    platform = find_platform(session, issuer, params.get("client_id") or None)
    if platform is None:
        raise LaunchError(_("The platform %(iss)s is not registered with this tool.", iss=issuer), 403)
    state, nonce = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    session.execute(delete(LtiLaunchState).where(LtiLaunchState.created_at < utcnow() - STATE_LIFETIME))
    session.add(LtiLaunchState(state=state, nonce=nonce, platform_id=platform.id))
    session.commit()
    query = {
        "scope": "openid",
        "response_type": "id_token",
        "response_mode": "form_post",
        "prompt": "none",
        "client_id": platform.client_id,
        "redirect_uri": redirect_uri,
        "login_hint": login_hint,
        "state": state,
        "nonce": nonce,
    }
    if params.get("lti_message_hint"):
        query["lti_message_hint"] = params["lti_message_hint"]
    separator = "&" if "?" in platform.auth_login_url else "?"
    return platform.auth_login_url + separator + urlencode(query), state


def _state(session: Session, state: str, cookie: str | None) -> LtiLaunchState:
    if not state:
        raise LaunchError(_("The launch has no state: it did not come from a login this tool started."))
    if not cookie:
        raise LaunchError(
            _(
                "Your browser did not send back this tool's login cookie, so the launch cannot be tied to you. "
                "If your browser blocks third-party cookies, open the activity in a new window."
            )
        )
    if not secrets.compare_digest(state, cookie):
        raise LaunchError(_("The launch's state does not match the login started in this browser."))
    row = session.get(LtiLaunchState, state)
    if row is None or row.created_at < utcnow() - STATE_LIFETIME:
        raise LaunchError(
            _("The launch's state is unknown or has expired (a login is valid for 10 minutes, once). Launch again.")
        )
    return row


def _decode(token: str, platform: LtiPlatform) -> dict[str, Any]:
    try:
        header = jwt.get_unverified_header(token)
    except jwt.DecodeError:
        raise LaunchError(_("The id_token is not a well-formed JWT.")) from None
    if header.get("alg") != "RS256":
        raise LaunchError(_("The id_token must be signed with RS256, not %(alg)s.", alg=str(header.get("alg"))))
    try:
        key = platform_keys.key_for(platform.keyset_url, header.get("kid"))
    except platform_keys.KeySetError as error:
        raise LaunchError(_("The id_token's signing key could not be found: %(why)s", why=str(error))) from None
    try:
        return jwt.decode(
            token,
            key,
            algorithms=["RS256"],
            audience=platform.client_id,
            issuer=platform.issuer,
            leeway=LEEWAY,
            options={"require": ["exp", "iat", "iss", "aud", "nonce"]},
        )
    except jwt.InvalidSignatureError:
        raise LaunchError(_("The id_token's signature does not verify against the platform's keys.")) from None
    except jwt.ExpiredSignatureError:
        raise LaunchError(_("The id_token has expired (exp is in the past). Launch again.")) from None
    except jwt.InvalidAudienceError:
        raise LaunchError(
            _(
                "The id_token is not addressed to this tool: its audience is not client id %(cid)s.",
                cid=platform.client_id,
            )
        ) from None
    except jwt.InvalidIssuerError:
        raise LaunchError(
            _("The id_token's issuer is not %(iss)s, the platform the login started with.", iss=platform.issuer)
        ) from None
    except jwt.ImmatureSignatureError:
        raise LaunchError(_("The id_token was issued in the future (iat); check the platform's clock.")) from None
    except jwt.MissingRequiredClaimError as error:
        raise LaunchError(_("The id_token has no %(claim)s claim.", claim=error.claim)) from None
    except jwt.InvalidTokenError as error:
        raise LaunchError(_("The id_token is not valid: %(why)s", why=str(error))) from None


def validate(session: Session, form: dict[str, str], cookie: str | None) -> Launch:
    """Check a launch completely; consume its state and nonce (the caller commits)."""
    row = _state(session, form.get("state", ""), cookie)
    token = form.get("id_token", "")
    if not token:
        raise LaunchError(_("The launch has no id_token."))
    platform = session.get(LtiPlatform, row.platform_id)
    # The login chose the platform; the token must be that platform's (issuer, audience, keys).
    payload = _decode(token, platform)
    audience = payload["aud"]
    if isinstance(audience, list) and len(audience) > 1 and payload.get("azp") != platform.client_id:
        raise LaunchError(_("The id_token has several audiences and its azp is not this tool's client id."))
    if "azp" in payload and payload["azp"] != platform.client_id:
        raise LaunchError(_("The id_token's azp is not this tool's client id."))
    nonce = str(payload["nonce"])
    used = session.get(LtiUsedNonce, (platform.id, nonce))
    if used is not None:
        raise LaunchError(_("This id_token's nonce has been used already: the launch is a replay."))
    if not secrets.compare_digest(nonce, row.nonce):
        raise LaunchError(_("The id_token's nonce is not the one sent with this login."))
    deployment_id = payload.get(claims.DEPLOYMENT_ID)
    if not isinstance(deployment_id, str) or not deployment_id:
        raise LaunchError(_("The id_token has no deployment_id."))
    deployment = find_deployment(session, platform, deployment_id)
    if deployment is None:
        raise LaunchError(
            _(
                "The deployment %(id)s is not registered with this tool; ask the administrator to add it.",
                id=deployment_id,
            ),
            403,
        )
    if payload.get(claims.VERSION) != claims.LTI_VERSION:
        raise LaunchError(_("Only LTI version 1.3.0 is supported, not %(v)s.", v=str(payload.get(claims.VERSION))))
    kind = payload.get(claims.MESSAGE_TYPE)
    if kind == claims.MessageType.RESOURCE_LINK:
        link = payload.get(claims.RESOURCE_LINK)
        if not isinstance(link, dict) or not link.get("id"):
            raise LaunchError(_("The resource link launch has no resource_link id."))
    elif kind == claims.MessageType.DEEP_LINKING:
        settings = payload.get(claims.DEEP_LINKING_SETTINGS)
        if not isinstance(settings, dict) or not settings.get("deep_link_return_url"):
            raise LaunchError(_("The deep linking request has no deep_link_return_url."))
    else:
        raise LaunchError(_("The message type %(type)s is not supported.", type=str(kind)))
    if not isinstance(payload.get("sub"), str) or not payload["sub"]:
        raise LaunchError(_("The id_token has no sub (the user's id): anonymous launches are not supported."))
    if not isinstance(payload.get(claims.ROLES, []), list):
        raise LaunchError(_("The id_token's roles claim is not a list."))
    session.delete(row)
    session.execute(delete(LtiUsedNonce).where(LtiUsedNonce.used_at < utcnow() - NONCE_LIFETIME))
    session.add(LtiUsedNonce(platform_id=platform.id, nonce=nonce))
    return Launch(platform, deployment, payload)
