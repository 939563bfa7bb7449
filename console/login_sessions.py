"""Logins kept on the server: the session cookie holds a random token, the table its SHA-256.

A login ends at logout, at its expiry (12 hours), or when its account is disabled; a copied
cookie is then worth nothing, which an encrypted cookie alone cannot promise.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from console.accounts import User
from console.tables import login_sessions, users, utcnow

LIFETIME = dt.timedelta(hours=12)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def open_login(engine: Engine, user_id: int, *, now: Optional[dt.datetime] = None) -> str:
    """A new login of `user_id`; the token to keep in the session (never logged)."""
    now = now or utcnow()
    token = secrets.token_urlsafe(32)
    with engine.begin() as connection:
        connection.execute(login_sessions.delete().where(login_sessions.c.expires_at < now - LIFETIME))
        connection.execute(
            login_sessions.insert().values(
                token_hash=_hash(token), user_id=user_id, created_at=now, expires_at=now + LIFETIME
            )
        )
    return token


def user_of(engine: Engine, token: str, *, now: Optional[dt.datetime] = None) -> Optional[User]:
    """The user of an open, unexpired login of an enabled account; None otherwise."""
    now = now or utcnow()
    query = (
        sa.select(users)
        .join(login_sessions, login_sessions.c.user_id == users.c.id)
        .where(
            login_sessions.c.token_hash == _hash(token),
            login_sessions.c.ended_at.is_(None),
            login_sessions.c.expires_at > now,
            users.c.disabled.is_(False),
        )
    )
    with engine.connect() as connection:
        row = connection.execute(query).first()
    return User.from_row(row) if row is not None else None


def end_login(engine: Engine, token: str, *, now: Optional[dt.datetime] = None) -> Optional[int]:
    """End the login of `token`; the user id it belonged to (None: no open login)."""
    with engine.begin() as connection:
        row = connection.execute(
            sa.select(login_sessions.c.id, login_sessions.c.user_id).where(
                login_sessions.c.token_hash == _hash(token), login_sessions.c.ended_at.is_(None)
            )
        ).first()
        if row is None:
            return None
        connection.execute(
            login_sessions.update().where(login_sessions.c.id == row.id).values(ended_at=now or utcnow())
        )
        return int(row.user_id)


def end_all(engine: Engine, user_id: int, *, now: Optional[dt.datetime] = None) -> int:
    """End every open login of `user_id` (disabled account, new password); how many were open."""
    with engine.begin() as connection:
        result = connection.execute(
            login_sessions.update()
            .where(login_sessions.c.user_id == user_id, login_sessions.c.ended_at.is_(None))
            .values(ended_at=now or utcnow())
        )
        return int(result.rowcount)
