"""Secrets handed to clients: API keys and student access tokens.

A credential is 32 random bytes (256 bits, URL-safe base64) behind a short readable prefix
(``bpg_`` for API keys, ``bps_`` for student tokens).  With that much entropy a plain SHA-256 is
a sound way to store it: nothing can be guessed, so no slow password hash is needed, and a
lookup is one indexed equality.
"""

from __future__ import annotations

import hashlib
import secrets

API_KEY_PREFIX = "bpg_"
STUDENT_TOKEN_PREFIX = "bps_"
DISPLAY_LENGTH = 12


def new_secret(prefix: str) -> str:
    """A fresh credential with its prefix."""
    return prefix + secrets.token_urlsafe(32)


def digest(secret: str) -> str:
    """The stored form of a credential: its SHA-256, hex."""
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def display(secret: str) -> str:
    """The first characters of a credential, enough for a person to tell keys apart."""
    return secret[:DISPLAY_LENGTH]
