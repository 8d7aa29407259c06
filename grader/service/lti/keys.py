"""The tool's own RSA keys: made on first use, kept in the database, rotated by ``grader lti rotate-key``.

Every process of an installation signs with the same key because it lives in the database.  A
rotated key stops signing at once but stays in the JWKS for ``RETIRED_KEY_LIFETIME``, so that
a platform checking a message signed just before the rotation still finds its key.
"""

from __future__ import annotations

import json
import secrets
from datetime import timedelta
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from grader.service.models import ToolKey, utcnow

KEY_BITS = 2048
ALGORITHM = "RS256"
RETIRED_KEY_LIFETIME = timedelta(days=7)


def _new_key() -> ToolKey:
    private = rsa.generate_private_key(public_exponent=65537, key_size=KEY_BITS)
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode("ascii")
    return ToolKey(kid=secrets.token_urlsafe(16), private_pem=pem)


def _current(session: Session) -> ToolKey | None:
    return session.execute(
        select(ToolKey).where(ToolKey.retired_at.is_(None)).order_by(ToolKey.id.desc()).limit(1)
    ).scalar_one_or_none()


def current_key(session: Session) -> ToolKey:
    """The key that signs now, made (and committed) on first use."""
    key = _current(session)
    if key is not None:
        return key
    session.add(_new_key())
    try:
        session.commit()
    except IntegrityError:  # pragma: no cover - two processes made one at once: a kid clash is ~impossible
        session.rollback()
    # Two processes may both have made one; the newest signs, the other is a harmless spare.
    return _current(session)


def rotate(session: Session) -> ToolKey:
    """Retire the signing key (kept in the JWKS until it expires) and make a new one; commits."""
    now = utcnow()
    for key in session.execute(select(ToolKey).where(ToolKey.retired_at.is_(None))).scalars():
        key.retired_at, key.expires_at = now, now + RETIRED_KEY_LIFETIME
    key = _new_key()
    session.add(key)
    session.commit()
    return key


def published(session: Session) -> list[ToolKey]:
    """The keys in the JWKS: the current one and retired ones not yet expired."""
    current_key(session)
    return list(
        session.execute(
            select(ToolKey).where(or_(ToolKey.expires_at.is_(None), ToolKey.expires_at > utcnow())).order_by(ToolKey.id)
        ).scalars()
    )


def public_jwk(key: ToolKey) -> dict[str, Any]:
    """The public half of a key as a JWK (RFC 7517), with its kid, use and algorithm."""
    private = serialization.load_pem_private_key(key.private_pem.encode("ascii"), password=None)
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(private.public_key()))
    return {**jwk, "kid": key.kid, "use": "sig", "alg": ALGORITHM}


def jwks(session: Session) -> dict[str, Any]:
    """The tool's JSON Web Key Set."""
    return {"keys": [public_jwk(key) for key in published(session)]}


def sign(session: Session, claims: dict[str, Any]) -> str:
    """A JWT of ``claims`` signed with the current key, its kid in the header."""
    key = current_key(session)
    return jwt.encode(claims, key.private_pem, algorithm=ALGORITHM, headers={"kid": key.kid})
