"""Deep Linking 2.0: the signed ``LtiDeepLinkingResponse`` that puts a set into a course.

The content item is an ``ltiResourceLink`` to our launch URL with a line item (so the platform
makes the gradebook column) and the custom parameters ``set_id`` and ``set_sig`` that bind the
new link to the set at its first launch.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from grader.service.lti import claims, keys
from grader.service.lti.registration import link_signature
from grader.service.models import ExerciseSet, LtiPlatform, utcnow

LIFETIME = timedelta(minutes=5)
SCORE_MAXIMUM = 100


def content_item(platform: LtiPlatform, exercise_set: ExerciseSet, launch_url: str) -> dict[str, Any]:
    """The ``ltiResourceLink`` content item of a set."""
    return {
        "type": "ltiResourceLink",
        "title": exercise_set.title,
        "url": launch_url,
        "lineItem": {"scoreMaximum": SCORE_MAXIMUM, "label": exercise_set.title},
        "custom": {"set_id": str(exercise_set.id), "set_sig": link_signature(platform, exercise_set.id)},
    }


def response_jwt(
    session: Session, platform: LtiPlatform, deployment_id: str, items: list[dict[str, Any]], data: str | None
) -> str:
    """The signed LtiDeepLinkingResponse carrying ``items`` back to the platform."""
    now = utcnow()
    body: dict[str, Any] = {
        "iss": platform.client_id,
        "aud": platform.issuer,
        "iat": int(now.timestamp()),
        "exp": int((now + LIFETIME).timestamp()),
        "nonce": secrets.token_urlsafe(16),
        claims.DEPLOYMENT_ID: deployment_id,
        claims.MESSAGE_TYPE: claims.MessageType.DEEP_LINKING_RESPONSE.value,
        claims.VERSION: claims.LTI_VERSION,
        claims.CONTENT_ITEMS: items,
    }
    if data is not None:
        body[claims.DL_DATA] = data
    return keys.sign(session, body)
