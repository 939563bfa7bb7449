"""The tables of migration 0001 (accounts), as the code uses them, on `console.db.metadata`.

The migrations in `console/migrations/versions/` make and change the schema; these definitions must
say the same (tests/console/test_migrations.py compares them). `UTCDateTime` is the column type of
every timestamp: it takes timezone-aware datetimes only, stores UTC, and gives back aware UTC
datetimes on SQLite too (which keeps no zone).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Optional

import sqlalchemy as sa
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

from console.db import metadata

UTC = dt.timezone.utc


class UTCDateTime(TypeDecorator):
    """A timezone-aware timestamp, stored in UTC (naive datetimes are refused)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Optional[dt.datetime], dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError("a naive datetime cannot be stored: give it a time zone")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Optional[dt.datetime], dialect: Dialect) -> Optional[dt.datetime]:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> dt.datetime:
    """Now, timezone-aware in UTC (the default clock of the console)."""
    return dt.datetime.now(UTC)


users = sa.Table(
    "users",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(64), nullable=False, unique=True),
    sa.Column("role", sa.String(32), nullable=False),
    sa.Column("password_hash", sa.String(255), nullable=False),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("disabled", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("failed_logins", sa.Integer, nullable=False, server_default="0"),
    sa.Column("failed_at", UTCDateTime, nullable=True),  # the last failure: the window starts again after it
    sa.Column("locked_until", UTCDateTime, nullable=True),
    sa.Column("presence", sa.String(16), nullable=False, server_default="away"),
)

# Every audited action, newest last. `detail` is a JSON object (a string), never a password or token.
audit = sa.Table(
    "audit",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("at", UTCDateTime, nullable=False, index=True),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="SET NULL"), nullable=True, index=True),
    sa.Column("action", sa.String(64), nullable=False),
    sa.Column("conversation_id", sa.String(255), nullable=True, index=True),
    sa.Column("detail", sa.Text, nullable=False, server_default="{}"),
)

# Every login attempt, for the lockout of names that are not accounts (so that a lockout says
# nothing about whether a name exists). `name_key` is an HMAC of the name typed, not the name:
# people type their password into the name field.
login_attempts = sa.Table(
    "login_attempts",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("at", UTCDateTime, nullable=False, index=True),
    sa.Column("name_key", sa.String(64), nullable=False, index=True),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=True),
    sa.Column("succeeded", sa.Boolean, nullable=False),
)

# A browser's login, server side: the cookie holds a random token, the table its SHA-256, so a
# logout, a disabled account or an expiry ends it even if the cookie was copied.
login_sessions = sa.Table(
    "login_sessions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True),
    sa.Column("created_at", UTCDateTime, nullable=False),
    sa.Column("expires_at", UTCDateTime, nullable=False),
    sa.Column("ended_at", UTCDateTime, nullable=True),
)
