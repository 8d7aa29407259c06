"""A launch and a score against a platform built with lti1p3platform: a second implementation of the
platform side that no one here wrote (its OIDC preflight, id_token, token endpoint and AGS score
service), served over loopback HTTP."""

from __future__ import annotations

import html
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar
from urllib.parse import parse_qsl, urlsplit

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from lti1p3platform.exceptions import LineItemNotFoundException
from lti1p3platform.ltiplatform import LTI1P3PlatformConfAbstract
from lti1p3platform.message_launch import LTIAdvantageMessageLaunchAbstract
from lti1p3platform.oidc_login import OIDCLoginAbstract
from lti1p3platform.registration import Registration
from lti1p3platform.request import Request
from lti1p3platform.score import UpdateScoreStatus
from lti1p3platform.service_connector import AssignmentsGradesService

from grader.service.lti.registration import find_platform, link_signature, register
from tests.service.lti.lms import LEARNER, parse_form
from tests.service.lti.test_launch import location, submit_on_page

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

CLIENT_ID, DEPLOYMENT_ID = "second-client", "second-deployment"


class PlainRequest(Request):
    def build_metadata(self, request):
        return request


class PlatformConf(LTI1P3PlatformConfAbstract):
    def init_platform_config(self, registration: Registration) -> None:
        self._registration = registration

    def get_registration_by_params(self, **kwargs):
        return self._registration


class Login(OIDCLoginAbstract):
    def set_lti_message_hint(self, **kwargs) -> None:
        self._lti_message_hint = kwargs["hint"]

    def get_redirect(self, url: str) -> str:
        return url


class Launch(LTIAdvantageMessageLaunchAbstract):
    def render_launch_form(self, launch_data, **kwargs) -> str:
        return (
            f'<form method="post" action="{html.escape(launch_data["launch_url"])}">'
            f'<input type="hidden" name="id_token" value="{launch_data["id_token"]}">'
            f'<input type="hidden" name="state" value="{html.escape(launch_data["state"])}"></form>'
        )


class Grades(AssignmentsGradesService):
    scores: ClassVar[list[dict]] = []

    def find_lineitems(self, page=1, limit=None):
        return {"content": [], "has_next": False}

    def update_score(self, line_item_id, score):
        Grades.scores.append({"lineitem": line_item_id, **score})
        return UpdateScoreStatus.SUCCESS

    def get_results(self, line_item_id, page=1, limit=None, user_id=None):
        return {"content": [], "has_next": False}

    # Line item management is not used here: the launch names its line item.
    def find_lineitem(self, line_item_id):
        raise LineItemNotFoundException()

    def create_lineitem(self, lineitem):
        raise LineItemNotFoundException()

    def update_lineitem(self, line_item_id, lineitem):
        raise LineItemNotFoundException()

    def delete_lineitem(self, line_item_id):
        raise LineItemNotFoundException()


class SecondPlatform:
    """lti1p3platform's classes behind a small HTTP server (its own framework adapters are Django/FastAPI)."""

    def __init__(self, tool_url: str, custom: dict[str, str] | None = None) -> None:
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        private = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ).decode()
        public = (
            key.public_key()
            .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
            .decode()
        )
        self.custom = custom
        platform = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_GET(self) -> None:
                platform.handle(self, "GET")

            def do_POST(self) -> None:
                platform.handle(self, "POST")

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.registration = (
            Registration()
            .set_iss(self.url)
            .set_client_id(CLIENT_ID)
            .set_deployment_id(DEPLOYMENT_ID)
            .set_launch_url(f"{tool_url}/lti/launch")
            .set_oidc_login_url(f"{tool_url}/lti/login")
            .set_platform_public_key(public)
            .set_platform_private_key(private)
            .set_tool_key_set_url(f"{tool_url}/lti/jwks")
        )
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def conf(self) -> PlatformConf:
        return PlatformConf(registration=self.registration)

    def preflight_url(self, user: str) -> str:
        login = Login(None, self.conf())
        login.set_lti_message_hint(hint="resource-1")
        return login.initiate_login(user)

    def handle(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        parts = urlsplit(handler.path)
        body = handler.rfile.read(int(handler.headers.get("Content-Length") or 0))
        form = dict(parse_qsl(body.decode())) if method == "POST" else {}
        request = PlainRequest(
            {
                "method": method,
                "form_data": form,
                "get_data": dict(parse_qsl(parts.query)),
                "headers": dict(handler.headers.items()),
                "content_type": handler.headers.get("Content-Type"),
                "path": parts.path,
                "json": json.loads(body) if body and "json" in (handler.headers.get("Content-Type") or "") else None,
            }
        )
        status, kind, payload = 404, "text/plain", "not found"
        if parts.path == "/jwks":
            conf = self.conf()
            conf.get_registration()
            status, kind, payload = 200, "application/json", json.dumps(conf.get_jwks())
        elif parts.path == "/auth":
            launch = Launch(request, self.conf())
            query = request.get_data
            launch.set_user_data(query["login_hint"], [LEARNER], full_name="Grace Hopper", email_address="gh@x.edu")
            launch.set_resource_link_claim("second-link", title="Week 1")
            if self.custom:
                launch.set_custom_parameters_claim(self.custom)
            launch.set_ags(lineitems_url=f"{self.url}/lineitems", lineitem_url=f"{self.url}/lineitems/1")
            status, kind, payload = 200, "text/html", launch.lti_launch()
        elif parts.path == "/token":
            conf = self.conf()
            conf.get_registration()
            status, kind, payload = 200, "application/json", json.dumps(conf.get_access_token(form))
        elif parts.path == "/lineitems/1/scores":
            service = Grades(request, self.conf(), f"{self.url}/lineitems", f"{self.url}/lineitems/1")
            service.platform_config.get_registration()
            response = service.handle_update_score("1")
            status, kind, payload = response.code, "text/plain", response.message
        data = payload.encode()
        handler.send_response(status)
        handler.send_header("Content-Type", kind)
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def test_launch_and_score_with_lti1p3platform(tool, browser, seed_set_id):
    second = SecondPlatform(tool.url)
    try:
        with tool.sessions() as session:
            platform, _ = register(
                session,
                second.url,
                CLIENT_ID,
                DEPLOYMENT_ID,
                second.url + "/auth",
                second.url + "/token",
                second.url + "/jwks",
            )
            second.custom = {"set_id": str(seed_set_id), "set_sig": link_signature(platform, seed_set_id)}
        # The platform's preflight sends the browser to our login, which sends it to the platform's auth URL.
        login = browser.get(second.preflight_url("grace"), allow_redirects=False)
        assert login.status_code == 302, login.text[:500]
        answer = browser.get(login.headers["Location"])
        assert answer.status_code == 200, answer.text
        action, fields = parse_form(answer.text)
        launched = browser.post(action, data=fields, allow_redirects=False)
        assert launched.status_code == 302, launched.text[:800]
        assert "/student/bps_" in launched.headers["Location"]
        submit_on_page(browser, location(launched), {"z3": "0.755"})
        Grades.scores.clear()
        assert tool.send_scores() == 1
        (score,) = Grades.scores
        assert score["lineitem"] == "1" and score["userId"] == "grace"
        assert score["scoreGiven"] == 1.0 and score["gradingProgress"] == "FullyGraded"
        with tool.sessions() as session:
            assert find_platform(session, second.url).issuer == second.url
    finally:
        second.close()
