"""The ``Idempotency-Key`` header of the POST endpoints, and responses stored for replay."""

from __future__ import annotations

from flask import current_app, request

from grader.service import json_codec
from grader.service.facade import idempotency
from grader.service.facade.idempotency import StoredResponse
from grader.service.problems import ProblemError

# Documented by hand and read directly: parsing one header through a schema on every
# submission costs more than it is worth.
IDEMPOTENCY_KEY = {
    "in": "header",
    "name": idempotency.HEADER,
    "required": False,
    # Printable ASCII, not blank (the server trims the value, and reads a quoted sf-string's content).
    "schema": {"type": "string", "minLength": 1, "maxLength": idempotency.MAX_KEY, "pattern": "^[ -~]*[!-~][ -~]*$"},
    "description": "Makes a retry safe: the same key and body replay the first response; "
    "another body with the same key is 422; a retry while the first is running is 409.",
}
REPLAYED = {"schema": {"type": "string"}, "description": "true when this is a stored response replayed"}


def parse_key(raw: str | None) -> str | None:
    """The key from the header (a bare token, or an sf-string in double quotes); 400 when malformed."""
    if raw is None:
        return None
    key = raw.strip()
    # The header as sent is what the OpenAPI document describes: 1 to 255 printable characters.
    if not key or not idempotency.is_valid_key(key):
        detail = f"must be 1 to {idempotency.MAX_KEY} printable ASCII characters, e.g. a UUID"
        header = idempotency.HEADER
        raise ProblemError(400, "malformed-request", f"{header} {detail}", [{"header": header, "detail": detail}])
    if len(key) > 2 and key[0] == key[-1] == '"':
        key = key[1:-1]  # an sf-string: "abc" and abc are the same key
    return key


def key_and_fingerprint() -> tuple[str | None, str | None]:
    """The request's Idempotency-Key (400 when malformed) and, with a key, the request's fingerprint."""
    key = parse_key(request.headers.get(idempotency.HEADER))
    if key is None:
        return None, None
    return key, idempotency.fingerprint(request.method, request.path, request.get_data(cache=True))


def replay_response(stored: StoredResponse, replayed: bool):
    """A stored response as a Flask response, marked when it is a replay."""
    response = current_app.response_class(
        json_codec.encode(stored.body), status=stored.status, mimetype="application/json"
    )
    if stored.location:
        response.headers["Location"] = stored.location
    if replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return response
