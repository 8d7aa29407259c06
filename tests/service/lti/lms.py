"""A simulated LMS (an LTI 1.3 platform), written from the 1EdTech specs, on a real loopback HTTP server.

It has its own RSA key and serves what a platform serves:
- ``/jwks``: its public key set;
- ``/auth``: the OIDC authentication endpoint (core 5.1.1.2 / Security Framework 5.1.1): it checks
  every parameter of the tool's login redirect and answers with a self-submitting form that posts
  the signed ``id_token`` and ``state`` to the tool's redirect URI;
- ``/token``: the OAuth 2 token endpoint; it accepts only a ``client_credentials`` grant with a
  JWT client assertion (RFC 7523) that it verifies against the tool's own ``/lti/jwks``;
- AGS 2.0 line items (``/lineitems``) and their ``/scores``, checking the bearer token, the
  score media type and every score field, and keeping each user's newest score by timestamp;
- ``/deep_link_return``: takes the tool's ``LtiDeepLinkingResponse`` and verifies its signature
  against the tool's JWKS.

A test drives a "browser" (a requests session) through login and launch with ``launch``.
"""

from __future__ import annotations

import html
import json
import re
import secrets
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt
import requests
from cryptography.hazmat.primitives.asymmetric import rsa

LTI = "https://purl.imsglobal.org/spec/lti/claim/"
DL = "https://purl.imsglobal.org/spec/lti-dl/claim/"
AGS = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
SCOPE_LINEITEM = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"
SCOPE_SCORE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"
TEACHING_ASSISTANT = "http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#TeachingAssistant"
ADMINISTRATOR = "http://purl.imsglobal.org/vocab/lis/v2/institution/person#Administrator"
SCORE_TYPE = "application/vnd.ims.lis.v1.score+json"


@dataclass
class Score:
    lineitem: str
    document: dict[str, Any]


@dataclass
class Platform:
    """What the LMS keeps: keys, pending launches, tokens, line items, scores."""

    key: Any = field(default_factory=lambda: rsa.generate_private_key(public_exponent=65537, key_size=2048))
    kid: str = "lms-key-1"
    client_id: str = "bp-grader-client"
    deployment_id: str = "deployment-1"
    pending: dict[str, dict[str, Any]] = field(default_factory=dict)
    tokens: set[str] = field(default_factory=set)
    token_requests: int = 0
    assertion_ids: set[str] = field(default_factory=set)
    lineitems: dict[str, dict[str, Any]] = field(default_factory=dict)
    scores: list[Score] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    fail_scores: int = 0
    deep_link_responses: list[dict[str, Any]] = field(default_factory=list)


class SimulatedLms:
    """``with SimulatedLms() as lms: lms.tool = tool_url; lms.launch(browser, ...)``."""

    def __init__(self) -> None:
        self.platform = Platform()
        self.tool: str | None = None
        lms = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_GET(self) -> None:
                lms._dispatch(self, "GET")

            def do_POST(self) -> None:
                lms._dispatch(self, "POST")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __repr__(self) -> str:
        return f"SimulatedLms({self.url})"

    def __enter__(self) -> SimulatedLms:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    # --- what the tool's administrator registers ---
    @property
    def issuer(self) -> str:
        return self.url

    @property
    def registration(self) -> dict[str, str]:
        return {
            "issuer": self.issuer,
            "client_id": self.platform.client_id,
            "deployment_id": self.platform.deployment_id,
            "auth_login_url": self.url + "/auth",
            "auth_token_url": self.url + "/token",
            "keyset_url": self.url + "/jwks",
        }

    @property
    def lineitems_url(self) -> str:
        return self.url + "/courses/c1/lineitems"

    # --- the launches a test asks for ---
    def message(
        self,
        user: str,
        roles: list[str],
        *,
        link: str = "link-1",
        custom: dict[str, str] | None = None,
        lineitem: str | None = None,
        deep_linking: bool = False,
        name: str | None = None,
        email: str | None = None,
        tamper: dict[str, Any] | None = None,
        sign_with: Any = None,
    ) -> str:
        """Prepare a launch; returns its lti_message_hint."""
        claims: dict[str, Any] = {
            "sub": user,
            "name": name or f"User {user}",
            "email": email or f"{user}@example.edu",
            LTI + "deployment_id": self.platform.deployment_id,
            LTI + "version": "1.3.0",
            LTI + "roles": roles,
            LTI + "context": {"id": "c1", "title": "Neural networks"},
            LTI + "target_link_uri": f"{self.tool}/lti/launch",
        }
        if deep_linking:
            claims[LTI + "message_type"] = "LtiDeepLinkingRequest"
            claims[DL + "deep_linking_settings"] = {
                "deep_link_return_url": self.url + "/deep_link_return",
                "accept_types": ["ltiResourceLink"],
                "accept_presentation_document_targets": ["iframe", "window"],
                "data": "opaque-" + secrets.token_hex(4),
            }
        else:
            claims[LTI + "message_type"] = "LtiResourceLinkRequest"
            claims[LTI + "resource_link"] = {"id": link, "title": f"Activity {link}"}
            endpoint = {"scope": [SCOPE_LINEITEM, SCOPE_SCORE], "lineitems": self.lineitems_url}
            if lineitem:
                endpoint["lineitem"] = lineitem
            claims[AGS] = endpoint
        if custom:
            claims[LTI + "custom"] = custom
        hint = secrets.token_urlsafe(8)
        self.platform.pending[hint] = {"claims": claims, "tamper": tamper or {}, "sign_with": sign_with}
        return hint

    def login_request(self, browser: requests.Session, user: str, hint: str) -> requests.Response:
        """Step 1, third-party initiated login: the LMS sends the browser to the tool's login URL."""
        params = {
            "iss": self.issuer,
            "login_hint": user,
            "target_link_uri": f"{self.tool}/lti/launch",
            "lti_message_hint": hint,
            "client_id": self.platform.client_id,
            "lti_deployment_id": self.platform.deployment_id,
        }
        return browser.post(f"{self.tool}/lti/login", data=params, allow_redirects=False)

    def authenticate(self, browser: requests.Session, login: requests.Response) -> tuple[str, dict[str, str]]:
        """Step 2: the browser follows the tool's redirect to our auth endpoint; returns the form it gets."""
        assert login.status_code == 302, login.text[:500]
        answer = browser.get(login.headers["Location"], allow_redirects=False)
        assert answer.status_code == 200, answer.text
        return parse_form(answer.text)

    def launch(self, browser: requests.Session, user: str, roles: list[str], **options) -> requests.Response:
        """A whole launch: login, authentication, and the form post to the tool (not followed)."""
        hint = self.message(user, roles, **options)
        action, fields = self.authenticate(browser, self.login_request(browser, user, hint))
        return browser.post(action, data=fields, allow_redirects=False)

    # --- the HTTP side ---
    def _dispatch(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        parts = urlsplit(handler.path)
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length) if length else b""
        try:
            status, headers, payload = self._route(method, parts.path, parse_qs(parts.query), handler.headers, body)
        except Refused as refusal:
            self.platform.refused.append(str(refusal))
            status, headers, payload = (
                refusal.status,
                {"Content-Type": "application/json"},
                json.dumps({"error": str(refusal)}).encode(),
            )
        handler.send_response(status)
        for name, value in headers.items():
            handler.send_header(name, value)
        handler.send_header("Content-Length", str(len(payload)))
        handler.end_headers()
        handler.wfile.write(payload)

    def _route(self, method, path, query, headers, body) -> tuple[int, dict[str, str], bytes]:
        if method == "GET" and path == "/jwks":
            jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.platform.key.public_key()))
            return (
                200,
                {"Content-Type": "application/json"},
                json.dumps({"keys": [{**jwk, "kid": self.platform.kid, "alg": "RS256", "use": "sig"}]}).encode(),
            )
        if method == "GET" and path == "/auth":
            return self._auth({k: v[0] for k, v in query.items()})
        if method == "POST" and path == "/token":
            return self._token({k: v[0] for k, v in parse_qs(body.decode()).items()})
        if path == "/courses/c1/lineitems":
            self._bearer(headers, SCOPE_LINEITEM)
            if method == "GET":
                found = [
                    item
                    for item in self.platform.lineitems.values()
                    if all(
                        item.get(k) == query[q][0]
                        for q, k in (("resource_link_id", "resourceLinkId"), ("tag", "tag"))
                        if q in query
                    )
                ]
                return (
                    200,
                    {"Content-Type": "application/vnd.ims.lis.v2.lineitemcontainer+json"},
                    json.dumps(found).encode(),
                )
            item = json.loads(body)
            if (
                not isinstance(item.get("scoreMaximum"), int | float)
                or item["scoreMaximum"] <= 0
                or not item.get("label")
            ):
                raise Refused(400, "a line item needs a positive scoreMaximum and a label")
            item["id"] = f"{self.lineitems_url}/{len(self.platform.lineitems) + 1}"
            self.platform.lineitems[item["id"]] = item
            return 201, {"Content-Type": "application/vnd.ims.lis.v2.lineitem+json"}, json.dumps(item).encode()
        match = re.fullmatch(r"/courses/c1/lineitems/(\d+)/scores", path)
        if method == "POST" and match:
            return self._score(f"{self.lineitems_url}/{match.group(1)}", headers, body)
        if method == "POST" and path == "/deep_link_return":
            return self._deep_link_return({k: v[0] for k, v in parse_qs(body.decode()).items()})
        return 404, {}, b"not found"

    def _auth(self, query: dict[str, str]):
        # LTI 1.3 core 5.1.1.2 and the Security Framework's authentication request.
        expected = {"scope": "openid", "response_type": "id_token", "response_mode": "form_post", "prompt": "none"}
        for name, value in expected.items():
            if query.get(name) != value:
                raise Refused(400, f"{name} must be {value}, got {query.get(name)!r}")
        if query.get("client_id") != self.platform.client_id:
            raise Refused(400, "unknown client_id")
        if query.get("redirect_uri") != f"{self.tool}/lti/launch":
            raise Refused(400, f"redirect_uri {query.get('redirect_uri')!r} is not registered")
        for name in ("state", "nonce", "login_hint", "lti_message_hint"):
            if not query.get(name):
                raise Refused(400, f"no {name}")
        pending = self.platform.pending.get(query["lti_message_hint"])
        if pending is None or pending["claims"]["sub"] != query["login_hint"]:
            raise Refused(400, "the lti_message_hint or login_hint is not one we sent")
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "aud": self.platform.client_id,
            "iat": now,
            "exp": now + 300,
            "nonce": query["nonce"],
            **pending["claims"],
        }
        claims.update(pending["tamper"])
        claims = {k: v for k, v in claims.items() if v is not None}
        token = jwt.encode(
            claims, pending["sign_with"] or self.platform.key, algorithm="RS256", headers={"kid": self.platform.kid}
        )
        page = (
            f'<form method="post" action="{html.escape(query["redirect_uri"])}">'
            f'<input type="hidden" name="id_token" value="{token}">'
            f'<input type="hidden" name="state" value="{html.escape(query["state"])}">'
            "</form><script>document.forms[0].submit()</script>"
        )
        return 200, {"Content-Type": "text/html"}, page.encode()

    def tool_key(self, kid: str) -> Any:
        """The tool's public key of this kid, from its JWKS (fetched each time: the tool may rotate)."""
        document = requests.get(f"{self.tool}/lti/jwks", timeout=5).json()
        for jwk in document["keys"]:
            if jwk["kid"] == kid:
                return jwt.algorithms.RSAAlgorithm.from_jwk(jwk)
        raise Refused(401, f"the tool's JWKS has no key {kid!r}")

    def _token(self, form: dict[str, str]):
        # RFC 6749 client_credentials with an RFC 7523 JWT client assertion (Security Framework 4.1).
        self.platform.token_requests += 1
        if form.get("grant_type") != "client_credentials":
            raise Refused(400, "unsupported grant_type")
        if form.get("client_assertion_type") != "urn:ietf:params:oauth:client-assertion-type:jwt-bearer":
            raise Refused(400, "client_assertion_type must be jwt-bearer")
        assertion = form.get("client_assertion", "")
        try:
            kid = jwt.get_unverified_header(assertion).get("kid")
            claims = jwt.decode(
                assertion,
                self.tool_key(kid),
                algorithms=["RS256"],
                audience=self.url + "/token",
                options={"require": ["iss", "sub", "aud", "exp", "iat", "jti"]},
            )
        except jwt.InvalidTokenError as error:
            raise Refused(401, f"invalid client assertion: {error}") from None
        if claims["iss"] != self.platform.client_id or claims["sub"] != self.platform.client_id:
            raise Refused(401, "the assertion's iss and sub must be the client id")
        if claims["jti"] in self.platform.assertion_ids:
            raise Refused(401, "the assertion's jti was used before")
        self.platform.assertion_ids.add(claims["jti"])
        scopes = form.get("scope", "").split()
        if not scopes or not set(scopes) <= {SCOPE_LINEITEM, SCOPE_SCORE}:
            raise Refused(400, f"scopes {scopes} are not granted to this tool")
        token = secrets.token_urlsafe(16)
        self.platform.tokens.add(token)
        document = {"access_token": token, "token_type": "Bearer", "expires_in": 3600, "scope": " ".join(scopes)}
        return 200, {"Content-Type": "application/json"}, json.dumps(document).encode()

    def _bearer(self, headers, scope: str) -> None:
        scheme, _, token = (headers.get("Authorization") or "").partition(" ")
        if scheme != "Bearer" or token not in self.platform.tokens:
            raise Refused(401, "no valid bearer token")

    def _score(self, lineitem: str, headers, body: bytes):
        self._bearer(headers, SCOPE_SCORE)
        if lineitem not in self.platform.lineitems:
            raise Refused(404, "no such line item")
        if headers.get("Content-Type") != SCORE_TYPE:
            raise Refused(415, f"Content-Type must be {SCORE_TYPE}")
        document = json.loads(body)
        for name in ("userId", "scoreGiven", "scoreMaximum", "activityProgress", "gradingProgress", "timestamp"):
            if name not in document:
                raise Refused(400, f"the score has no {name}")
        if document["gradingProgress"] != "FullyGraded" or document["activityProgress"] not in (
            "Initialized",
            "Started",
            "InProgress",
            "Submitted",
            "Completed",
        ):
            raise Refused(400, "bad progress values")
        datetime.fromisoformat(document["timestamp"])
        if self.platform.fail_scores > 0:
            self.platform.fail_scores -= 1
            return 503, {"Content-Type": "text/plain"}, b"try again later"
        self.platform.scores.append(Score(lineitem, document))
        return 204, {}, b""

    def _deep_link_return(self, form: dict[str, str]):
        token = form.get("JWT", "")
        kid = jwt.get_unverified_header(token).get("kid")
        claims = jwt.decode(token, self.tool_key(kid), algorithms=["RS256"], audience=self.issuer)
        if claims["iss"] != self.platform.client_id:
            raise Refused(400, "the response's iss must be the client id")
        self.platform.deep_link_responses.append(claims)
        return 200, {"Content-Type": "text/html"}, b"<p>Added to the course.</p>"

    # --- what a test reads ---
    def current_score(self, lineitem: str, user: str) -> dict[str, Any] | None:
        """The score the gradebook shows: the received one with the latest timestamp (AGS 2.0, 3.4.8)."""
        mine = [s.document for s in self.platform.scores if s.lineitem == lineitem and s.document["userId"] == user]
        return max(mine, key=lambda d: datetime.fromisoformat(d["timestamp"]).astimezone(UTC)) if mine else None


class Refused(Exception):
    """An LMS endpoint refusing a request; the status and reason are recorded."""

    def __init__(self, status: int, reason: str):
        super().__init__(reason)
        self.status = status


def parse_form(page: str, field: str | None = None) -> tuple[str, dict[str, str]]:
    """The action and hidden fields of the first form of an HTML page (that has ``field``, if given)."""
    forms = re.findall(r"<form[^>]*>.*?</form>", page, flags=re.DOTALL)
    chosen = next((f for f in forms if field is None or f'name="{field}"' in f), None)
    assert chosen, page[:500]
    action = re.search(r'<form[^>]*action="([^"]*)"', chosen)
    fields = {
        html.unescape(name): html.unescape(value)
        for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', chosen)
    }
    return html.unescape(action.group(1)), fields
