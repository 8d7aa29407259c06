"""Access logs without credentials.

A student's access link carries their token in the path (``/student/bps_...``), and the pages
they open next send it on as the Referer; an access log that keeps either keeps a key to that
student's work.  Every credential (``bps_`` student tokens, ``bpg_`` API keys) is cut to its
prefix in every field of gunicorn's access log (``Logger``, the gunicorn config's
``logger_class``) and of the development server's request log (``hide_in_werkzeug_log``).
nginx's log format masks the ``/student/`` path itself (deploy/nginx/grader.conf.template).
"""

from __future__ import annotations

import logging
import re

from gunicorn.glogging import Logger as GunicornLogger

from grader.service.credentials import API_KEY_PREFIX, STUDENT_TOKEN_PREFIX

CREDENTIAL = re.compile(rf"({re.escape(STUDENT_TOKEN_PREFIX)}|{re.escape(API_KEY_PREFIX)})[A-Za-z0-9_\-%]+")
HIDDEN = r"\1[hidden]"


def hide_credentials(text: str) -> str:
    """``text`` with every credential cut to its prefix."""
    return CREDENTIAL.sub(HIDDEN, text)


class Logger(GunicornLogger):
    """gunicorn's logger, with credentials hidden in every access-log field."""

    def atoms(self, resp, req, environ, request_time):
        """The access-log fields, credentials hidden."""
        atoms = super().atoms(resp, req, environ, request_time)
        return {name: hide_credentials(value) if isinstance(value, str) else value for name, value in atoms.items()}


class _HideCredentials(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if record.args:
            record.args = tuple(hide_credentials(a) if isinstance(a, str) else a for a in record.args)
        record.msg = hide_credentials(str(record.msg))
        return True


def hide_in_werkzeug_log() -> None:
    """Hide credentials in the development server's request log (``grader serve``)."""
    logging.getLogger("werkzeug").addFilter(_HideCredentials())
