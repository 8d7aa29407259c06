"""Student ids: the one rule for the ids of students, shared by the generator's rosters, the
command line, the JSON API and the web pages.

An LMS names its students with its own user ids, so the rule admits what LMSs use (e-mail
addresses, ``urn:``-like and ``+``-tagged ids) while every id stays safe as a folder name of
``grader generate`` and in a URL path segment.
"""

from __future__ import annotations

import re

# Spaces inside an id are allowed ("Li Ming", as rosters exported by name have them), not around it
# (a trailing space would be lost from a folder name or a pasted roster).
STUDENT_ID = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9._@:+ -]{0,126}[A-Za-z0-9._@:+-])?$")
STUDENT_ID_CHARACTERS = "A-Z a-z 0-9 . _ - @ : +"
STUDENT_ID_RULE = (
    f"1 to 128 characters from {STUDENT_ID_CHARACTERS} and spaces, starting with a letter or digit "
    "and not ending with a space"
)


def student_id_problem(student_id: str) -> str | None:
    """Why an external student id is not acceptable, or None when it is."""
    if STUDENT_ID.match(student_id):
        return None
    return f"student_id must be {STUDENT_ID_RULE}"
