"""The platforms' public keys: fetched from their keyset URLs, cached by ``kid`` per process.

A token signed with a kid we have not seen makes us fetch the key set again (platforms rotate
keys), at most once per ``REFETCH_AFTER`` per key set, so a stream of made-up kids cannot turn
us into a fetching machine.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import jwt
import requests

TIMEOUT = 5.0
REFETCH_AFTER = 10.0


class KeySetError(Exception):
    """The platform's key set could not be read, or has no key of that kid."""


class _KeySet:
    def __init__(self) -> None:
        self.keys: dict[str, Any] = {}
        self.fetched_at = float("-inf")


_CACHE: dict[str, _KeySet] = {}
_LOCK = threading.Lock()


def _fetch(url: str) -> dict[str, Any]:
    try:
        response = requests.get(url, timeout=TIMEOUT, headers={"Accept": "application/json"})
        response.raise_for_status()
        document = response.json()
    except (requests.RequestException, ValueError) as error:
        raise KeySetError(f"the platform's key set at {url} could not be read: {error}") from None
    out = {}
    for jwk in document.get("keys", []) if isinstance(document, dict) else []:
        if isinstance(jwk, dict) and jwk.get("kty") == "RSA" and jwk.get("kid"):
            try:
                out[str(jwk["kid"])] = jwt.algorithms.RSAAlgorithm.from_jwk(jwk)
            except (jwt.InvalidKeyError, ValueError, KeyError):
                continue
    return out


def key_for(url: str, kid: str | None) -> Any:
    """The platform's public key with this kid, fetched (again) when it is not in the cache."""
    if not kid:
        raise KeySetError("the token's header names no key (kid)")
    with _LOCK:
        entry = _CACHE.setdefault(url, _KeySet())
        if kid in entry.keys:
            return entry.keys[kid]
        if time.monotonic() - entry.fetched_at < REFETCH_AFTER:
            raise KeySetError(f"the platform's key set has no key {kid!r}")
        entry.fetched_at = time.monotonic()
    keys = _fetch(url)
    with _LOCK:
        entry.keys = keys
    if kid not in keys:
        raise KeySetError(f"the platform's key set has no key {kid!r}")
    return keys[kid]


def forget() -> None:
    """Empty the cache (tests, and after a platform is removed)."""
    with _LOCK:
        _CACHE.clear()
