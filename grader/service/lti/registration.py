"""Registering platforms (LMSs) and what their administrators need from us: URLs and configurations."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from grader.service.lti import claims
from grader.service.models import LtiDeployment, LtiPlatform, PageSession


class RegistrationError(Exception):
    """A registration that cannot be made; the message says why."""


@dataclass(frozen=True)
class ToolUrls:
    """The tool's LTI endpoints under one public base URL."""

    base: str

    @property
    def login(self) -> str:
        return f"{self.base}/lti/login"

    @property
    def launch(self) -> str:
        return f"{self.base}/lti/launch"

    @property
    def jwks(self) -> str:
        return f"{self.base}/lti/jwks"

    @property
    def deep_linking(self) -> str:
        # Deep linking requests arrive at the launch endpoint too; the message type tells them apart.
        return f"{self.base}/lti/launch"

    @property
    def redirect_uris(self) -> list[str]:
        return [self.launch]

    def as_dict(self) -> dict[str, Any]:
        return {
            "login": self.login,
            "launch": self.launch,
            "jwks": self.jwks,
            "deep_linking": self.deep_linking,
            "redirect_uris": self.redirect_uris,
        }


def _check_url(name: str, value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("https", "http") or not parts.netloc:
        raise RegistrationError(f"{name} must be an http(s) URL, got {value!r}")
    return value


def register(
    session: Session,
    issuer: str,
    client_id: str,
    deployment_id: str,
    auth_login_url: str,
    auth_token_url: str,
    keyset_url: str,
    name: str | None = None,
) -> tuple[LtiPlatform, bool]:
    """Register a platform, or add a deployment to a registered one; commits.  Returns (platform,
    whether the deployment is new).  The URLs of an existing platform are updated."""
    for label, value in (("issuer", issuer), ("client id", client_id), ("deployment id", deployment_id)):
        if not value or len(value) > 255:
            raise RegistrationError(f"the {label} must be 1 to 255 characters")
    for label, url in (
        ("--auth-login-url", auth_login_url),
        ("--auth-token-url", auth_token_url),
        ("--keyset-url", keyset_url),
    ):
        _check_url(label, url)
    platform = find_platform(session, issuer, client_id)
    if platform is None:
        platform = LtiPlatform(
            issuer=issuer,
            client_id=client_id,
            name=name or urlsplit(issuer).netloc or issuer,
            link_secret=secrets.token_hex(32),
        )
        session.add(platform)
    elif name:
        platform.name = name
    platform.auth_login_url, platform.auth_token_url, platform.keyset_url = auth_login_url, auth_token_url, keyset_url
    session.flush()
    new = find_deployment(session, platform, deployment_id) is None
    if new:
        session.add(LtiDeployment(platform_id=platform.id, deployment_id=deployment_id))
    session.commit()
    return platform, new


def find_platform(session: Session, issuer: str, client_id: str | None = None) -> LtiPlatform | None:
    """The platform of an issuer (and client id; without one, the issuer's only registration)."""
    query = select(LtiPlatform).where(LtiPlatform.issuer == issuer)
    if client_id is not None:
        query = query.where(LtiPlatform.client_id == client_id)
    found = list(session.execute(query.limit(2)).scalars())
    return found[0] if len(found) == 1 else None


def find_deployment(session: Session, platform: LtiPlatform, deployment_id: str) -> LtiDeployment | None:
    """A registered deployment of a platform."""
    return session.execute(
        select(LtiDeployment).where(
            LtiDeployment.platform_id == platform.id, LtiDeployment.deployment_id == deployment_id
        )
    ).scalar_one_or_none()


def platforms(session: Session) -> list[LtiPlatform]:
    """Every registered platform with its deployments."""
    return list(
        session.execute(
            select(LtiPlatform).options(selectinload(LtiPlatform.deployments)).order_by(LtiPlatform.id)
        ).scalars()
    )


def remove(session: Session, issuer: str, client_id: str | None, deployment_id: str | None) -> str:
    """Remove one deployment, or (without one) the whole platform; commits.  Returns what was removed."""
    platform = find_platform(session, issuer, client_id)
    if platform is None:
        raise RegistrationError(
            f"no platform {issuer!r}"
            + (f" with client id {client_id!r}" if client_id else "")
            + " (with several client ids, name one with --client-id)"
        )
    if deployment_id is not None:
        deployment = find_deployment(session, platform, deployment_id)
        if deployment is None:
            raise RegistrationError(f"platform {issuer!r} has no deployment {deployment_id!r}")
        ended = _open_sessions(session, [deployment.id])
        session.delete(deployment)
        session.commit()
        return f"deployment {deployment_id!r} of {issuer}{ended}"
    ended = _open_sessions(session, [d.id for d in platform.deployments])
    session.delete(platform)
    session.commit()
    return f"platform {issuer} (client id {platform.client_id}){ended}"


def _open_sessions(session: Session, deployment_ids: list[int]) -> str:
    """How many staff page sessions, not signed out, were launched through these deployments: the
    removal deletes them (the foreign key cascades), and the operator reads how many."""
    count = session.scalar(
        select(func.count())
        .select_from(PageSession)
        .where(PageSession.lti_deployment_id.in_(deployment_ids), PageSession.ended_at.is_(None))
    )
    return f", and {count} staff page session(s) it had opened" if count else ""


def link_signature(platform: LtiPlatform, set_id: int) -> str:
    """The ``set_sig`` custom parameter that lets links of this platform bind to set ``set_id``."""
    mac = hmac.new(platform.link_secret.encode("ascii"), f"set:{set_id}".encode("ascii"), hashlib.sha256)
    return mac.hexdigest()[:32]


def check_link_signature(platform: LtiPlatform, set_id: int, signature: str) -> bool:
    """Whether ``signature`` is this platform's ``set_sig`` for the set."""
    return hmac.compare_digest(link_signature(platform, set_id), signature or "")


def canvas_configuration(urls: ToolUrls, title: str = "BP Grader") -> dict[str, Any]:
    """The JSON a Canvas developer key (LTI key, "Paste JSON") takes for this tool."""
    domain = urlsplit(urls.base).netloc
    return {
        "title": title,
        "description": "Step-by-step grading of back-propagation worked by hand.",
        "oidc_initiation_url": urls.login,
        "target_link_uri": urls.launch,
        "public_jwk_url": urls.jwks,
        "scopes": [claims.SCOPE_LINEITEM, claims.SCOPE_LINEITEM_READONLY, claims.SCOPE_SCORE, claims.SCOPE_RESULT],
        "extensions": [
            {
                "domain": domain,
                "tool_id": "bp-grader",
                "platform": "canvas.instructure.com",
                "privacy_level": "public",
                "settings": {
                    "text": title,
                    "placements": [
                        {
                            "placement": "link_selection",
                            "message_type": claims.MessageType.DEEP_LINKING.value,
                            "target_link_uri": urls.deep_linking,
                        },
                        {
                            "placement": "assignment_selection",
                            "message_type": claims.MessageType.DEEP_LINKING.value,
                            "target_link_uri": urls.deep_linking,
                        },
                    ],
                },
            }
        ],
        "custom_fields": {},
    }
