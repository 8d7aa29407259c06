"""Accounts and their API keys: create, list, revoke."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from grader.service.credentials import API_KEY_PREFIX, digest, display, new_secret
from grader.service.facade.errors import Invalid
from grader.service.models import ROLES, Account, ApiKey, utcnow

MAX_NAME = 100


class KeyRequestError(Invalid):
    """A key request that cannot be met (bad role or name, role clash, unknown key); the CLI prints it."""


def create_key(session: Session, name: str, role: str) -> tuple[ApiKey, str]:
    """A new key for the account ``name`` (created with ``role`` if new); returns (key, secret).

    The secret is returned once and never stored.  An existing account keeps its role: asking
    for another role under its name is an error rather than a silent promotion.
    """
    name = name.strip()
    if role not in ROLES:
        raise KeyRequestError(f"unknown role {role!r}; expected one of {', '.join(ROLES)}")
    if not name or len(name) > MAX_NAME or not name.isprintable():
        raise KeyRequestError(f"the name must be 1 to {MAX_NAME} printable characters")
    account = session.execute(select(Account).where(Account.name == name)).scalar_one_or_none()
    if account is None:
        account = Account(name=name, role=role)
        session.add(account)
    elif account.role != role:
        raise KeyRequestError(f"account {name!r} exists with role {account.role}, not {role}")
    secret = new_secret(API_KEY_PREFIX)
    key = ApiKey(account=account, prefix=display(secret), secret_hash=digest(secret))
    session.add(key)
    session.commit()
    return key, secret


def list_keys(session: Session) -> list[ApiKey]:
    """Every key, oldest first, with its account loaded."""
    return list(session.execute(select(ApiKey).join(ApiKey.account).order_by(ApiKey.id)).scalars())


def revoke_key(session: Session, ident: str) -> ApiKey:
    """Revoke a key named by its id or its displayed prefix; revoking twice is harmless."""
    query = select(ApiKey)
    query = query.where(ApiKey.id == int(ident)) if ident.isdigit() else query.where(ApiKey.prefix == ident)
    keys = list(session.execute(query).scalars())
    if not keys:
        raise KeyRequestError(f"no API key {ident!r}; see `grader keys list`")
    if len(keys) > 1:
        raise KeyRequestError(f"{ident!r} matches {len(keys)} keys; revoke by id")
    key = keys[0]
    if key.revoked_at is None:
        key.revoked_at = utcnow()
        session.commit()
    return key
