"""Assignment and Grade Services 2.0: the access token, line items and scores.

The access token comes from the platform's token URL by the OAuth 2 ``client_credentials``
grant with a JWT client assertion signed by the tool's key (RFC 7523, 1EdTech Security Framework
4.1); it is cached per process until shortly before it expires.  ``send_score`` is the job
handler of the score outbox: an LMS that answers 5xx, 429 or times out is tried again later
(``RetryLater``), one that refuses the request is a failure for a person to look at.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Mapping
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import requests
from flask import Flask

from grader.service.database import get_database
from grader.service.lti import claims, keys
from grader.service.models import Assignment, LtiPlatform, LtiResourceLink, LtiUser, utcnow
from grader.service.queue import JobFailed, RetryLater

TIMEOUT = 10.0
ASSERTION_LIFETIME = timedelta(minutes=5)
# A token is renewed this long before the platform says it expires.
TOKEN_MARGIN = 30.0
TAG = "bp-grader"
SCOPES = (claims.SCOPE_LINEITEM, claims.SCOPE_SCORE)

_TOKENS: dict[tuple[int, str, str], tuple[str, float]] = {}
_LOCK = threading.Lock()


def client_assertion(session, platform: LtiPlatform) -> str:
    """The signed JWT that authenticates the tool at the platform's token URL (RFC 7523)."""
    now = utcnow()
    return keys.sign(
        session,
        {
            "iss": platform.client_id,
            "sub": platform.client_id,
            "aud": platform.auth_token_url,
            "iat": int(now.timestamp()),
            "exp": int((now + ASSERTION_LIFETIME).timestamp()),
            "jti": secrets.token_urlsafe(16),
        },
    )


def _transient(response: requests.Response) -> bool:
    return response.status_code >= 500 or response.status_code in (408, 429)


def _describe(response: requests.Response) -> str:
    return f"{response.request.method} {response.url} answered {response.status_code}: {response.text[:300]}"


def access_token(session, platform: LtiPlatform, scopes: tuple[str, ...] = SCOPES) -> str:
    """A bearer token for the platform's services, from the cache or the token URL."""
    cache_key = (platform.id, platform.auth_token_url, " ".join(scopes))
    with _LOCK:
        cached = _TOKENS.get(cache_key)
        if cached and cached[1] > time.monotonic():
            return cached[0]
    form = {
        "grant_type": "client_credentials",
        "client_assertion_type": claims.CLIENT_ASSERTION_TYPE,
        "client_assertion": client_assertion(session, platform),
        "scope": " ".join(scopes),
    }
    try:
        response = requests.post(platform.auth_token_url, data=form, timeout=TIMEOUT)
    except requests.RequestException as error:
        raise RetryLater(f"the token URL {platform.auth_token_url} could not be reached: {error}") from None
    if response.status_code != 200:
        error_class = RetryLater if _transient(response) else JobFailed
        raise error_class("access token refused: " + _describe(response))
    try:
        document = response.json()
        token = str(document["access_token"])
        lifetime = float(document.get("expires_in", 3600))
    except (ValueError, KeyError, TypeError):
        raise JobFailed("the token URL's answer has no access_token: " + response.text[:300]) from None
    with _LOCK:
        _TOKENS[cache_key] = (token, time.monotonic() + max(0.0, lifetime - TOKEN_MARGIN))
    return token


def forget_token(platform: LtiPlatform) -> None:
    """Drop the platform's cached tokens (after a 401)."""
    with _LOCK:
        for key in [k for k in _TOKENS if k[0] == platform.id]:
            del _TOKENS[key]


def _call(session, platform: LtiPlatform, method: str, url: str, **kwargs) -> requests.Response:
    headers = {**kwargs.pop("headers", {}), "Authorization": f"Bearer {access_token(session, platform)}"}
    try:
        response = requests.request(method, url, headers=headers, timeout=TIMEOUT, **kwargs)
    except requests.RequestException as error:
        raise RetryLater(f"{method} {url} failed: {error}") from None
    if response.status_code == 401:
        forget_token(platform)
        raise RetryLater("the platform refused the access token (401); a new one will be asked for")
    if _transient(response):
        raise RetryLater(_describe(response))
    if response.status_code >= 400:
        raise JobFailed(_describe(response))
    return response


def scores_url(lineitem_url: str) -> str:
    """The scores endpoint of a line item: its URL with ``/scores`` added to the path (AGS 2.0, 3.4)."""
    parts = urlsplit(lineitem_url)
    return urlunsplit(parts._replace(path=parts.path.rstrip("/") + "/scores"))


def lineitem_for(session, link: LtiResourceLink, label: str) -> str:
    """The link's line item: the one its launch named, else ours in ``lineitems`` (made if missing); stored."""
    if link.lineitem_url:
        return link.lineitem_url
    if not link.lineitems_url or claims.SCOPE_LINEITEM not in (link.scopes or []):
        raise JobFailed(
            "the launch gave no line item, and the platform does not let this tool create one "
            "(no lineitems URL or no lineitem scope); enable grade passback for the tool in the LMS"
        )
    platform = link.platform
    listed = _call(
        session,
        platform,
        "GET",
        link.lineitems_url,
        params={"resource_link_id": link.resource_link_id, "tag": TAG},
        headers={"Accept": claims.LINEITEMS_MEDIA_TYPE},
    )
    try:
        found = [item for item in listed.json() if item.get("tag") == TAG and item.get("id")]
    except (ValueError, AttributeError, TypeError):
        found = []
    if found:
        url = str(found[0]["id"])
    else:
        created = _call(
            session,
            platform,
            "POST",
            link.lineitems_url,
            json={"scoreMaximum": 100, "label": label, "resourceLinkId": link.resource_link_id, "tag": TAG},
            headers={"Content-Type": claims.LINEITEM_MEDIA_TYPE, "Accept": claims.LINEITEM_MEDIA_TYPE},
        )
        try:
            url = str(created.json()["id"])
        except (ValueError, KeyError, TypeError):
            raise JobFailed("the platform made a line item but did not say its id") from None
    link.lineitem_url = url
    session.commit()
    return url


def score_document(payload: Mapping[str, Any], user: LtiUser) -> dict[str, Any]:
    """The AGS score of a queued passback."""
    return {
        "userId": user.sub,
        "scoreGiven": payload["score_given"],
        "scoreMaximum": payload["score_maximum"],
        "activityProgress": "Completed",
        "gradingProgress": "FullyGraded",
        "timestamp": payload["timestamp"],
    }


def send_score(app: Flask, payload: Mapping[str, Any]) -> None:
    """The job handler of ``lti.score``: POST the score to the link's line item."""
    with get_database(app).sessions() as session:
        link = session.get(LtiResourceLink, payload["link"])
        user = session.get(LtiUser, payload["user"])
        if link is None or user is None:
            raise JobFailed("the resource link or the user no longer exists (the platform was removed)")
        if session.get(Assignment, payload["assignment"]) is None:
            return  # the instructor removed the student (or the set) since: nothing to report
        label = link.title or (link.set_id and f"BP Grader set {link.set_id}") or "BP Grader"
        lineitem = lineitem_for(session, link, label)
        _call(
            session,
            link.platform,
            "POST",
            scores_url(lineitem),
            json=score_document(payload, user),
            headers={"Content-Type": claims.SCORE_MEDIA_TYPE},
        )
