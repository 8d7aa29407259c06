"""Stable random draws: every number of a variant comes from a hash of where and for whom it is drawn.

A draw is ``blake2b(template content hash, set seed, student id, attempt, field pointer)``, read as a
128-bit integer.  Nothing here uses Python's ``hash()`` or numpy's random streams, so the same
inputs give the same variant on any machine and with any Python or numpy version, forever.  The
field pointer is part of the message, so adding a field to a template never shifts the other draws.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

# Stored with every variant; bumped with a deliberate change of which variant a template gives.
# 2: the visible_change constraint is on by default (a version-1 variant of a template that does
# not set it is attempt ``resamples`` with ``visible_change: false``).
GENERATOR_VERSION = "2"
# The drawing scheme itself is unchanged since version 1: attempt k draws the same numbers.
_DOMAIN = "bp-grader/variant/1"
_SEPARATOR = "\x1f"  # ASCII unit separator: cannot occur in a student id, a pointer or a number


def digest(*parts: object, size: int = 16) -> bytes:
    """The blake2b digest of ``parts``, joined unambiguously."""
    text = _SEPARATOR.join(str(p) for p in parts)
    return hashlib.blake2b(text.encode("utf-8"), digest_size=size).digest()


@dataclass(frozen=True, slots=True)
class Draws:
    """The random source of one attempt at one student's variant."""

    content_hash: str
    seed: int
    student: str
    attempt: int
    _prefix: Any = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # The hash state after the common parts, copied for each pointer: the same bytes as
        # digest(_DOMAIN, content_hash, seed, student, attempt, pointer), hashed once.
        head = _SEPARATOR.join(str(p) for p in (_DOMAIN, self.content_hash, self.seed, self.student, self.attempt))
        object.__setattr__(self, "_prefix", hashlib.blake2b((head + _SEPARATOR).encode("utf-8"), digest_size=16))

    def index(self, pointer: str, count: int) -> int:
        """A uniform whole number in ``range(count)`` for the field at ``pointer``."""
        if count < 1:
            raise ValueError("nothing to draw from")
        state = self._prefix.copy()
        state.update(pointer.encode("utf-8"))
        # 128 bits reduced modulo count: the bias is below count / 2**128, far beyond measurable.
        return int.from_bytes(state.digest(), "big") % count

    def __repr__(self) -> str:
        return f"Draws({self.content_hash[:12]}, seed={self.seed}, student={self.student!r}, attempt={self.attempt})"


def content_hash(canonical: str) -> str:
    """The sha256 hex digest identifying a template's content (its canonical JSON)."""
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
