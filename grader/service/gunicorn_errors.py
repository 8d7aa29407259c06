"""gunicorn's own error responses (a malformed request line, a request line or header over its
limits) in problem+json, like every other error of the API.

gunicorn answers these itself, before the app sees the request, with a small HTML page written by
``gunicorn.util.write_error``; ``install`` (called in each worker, from the gunicorn config)
replaces that writer.  Behind nginx (the shipped deployment) most such requests stop at nginx,
which answers in problem+json too (deploy/nginx/grader.conf.template).
"""

from __future__ import annotations

import json

from grader.service.problems import TYPE_PREFIX, TYPES

# gunicorn's statuses that have a problem type of their own.
SLUGS = {400: "malformed-request", 500: "internal-error"}


def problem_bytes(status: int, reason: str, detail: str) -> bytes:
    """A complete HTTP/1.1 response carrying a problem document; the connection is closed after it."""
    slug = SLUGS.get(status)
    title = TYPES[slug][0] if slug else reason
    doc = {"type": TYPE_PREFIX + slug if slug else "about:blank", "title": title, "status": status}
    doc["detail"] = detail or reason
    body = json.dumps(doc).encode()
    head = (
        f"HTTP/1.1 {status} {reason}\r\nConnection: close\r\nContent-Type: application/problem+json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    return head.encode("latin-1") + body


def write_problem(sock, status_int: int, reason: str, mesg: str) -> None:
    """Drop-in for ``gunicorn.util.write_error``."""
    from gunicorn import util

    util.write_nonblock(sock, problem_bytes(status_int, reason, mesg))


def install() -> None:
    """Make this gunicorn process answer its own errors in problem+json."""
    from gunicorn import util

    util.write_error = write_problem
