"""The LTI part of a set's page: its LMS students (name and e-mail) and the scores waiting or failed."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy.orm import Session

from grader.service.lti import passback, people


def lti_panel(session: Session, set_id: int) -> dict[str, Any]:
    """What ``instructor/_lti.html`` shows."""
    status = passback.status(session, set_id)
    return {
        **status,
        "learners": people.learners(session, set_id),
        "state_names": {
            "pending": _("waiting to be sent"),
            "running": _("being sent"),
            "done": _("sent"),
            "failed": _("failed"),
            "superseded": _("replaced by a newer score"),
        },
    }
