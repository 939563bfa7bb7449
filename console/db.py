"""The console's database: one SQLAlchemy 1.4 `MetaData` for every table, an engine from a URL.

SQLite in `var/console.db` by default; PostgreSQL when `DATABASE_URL` is set. The schema is made
and changed only by the Alembic migrations in `console/migrations/` (`upgrade()`), never by
`metadata.create_all`, so a deployed database and a test's follow the same path.
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.engine import Engine

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = f"sqlite:///{ROOT / 'var' / 'console.db'}"

# Constraint names for every dialect, so migrations can name what they alter.
metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


def make_engine(url: Optional[str] = None) -> Engine:
    """An engine for `url` (default: SQLite in var/); SQLite's folder is created when missing."""
    url = url or DEFAULT_URL
    if url.startswith("sqlite:///"):
        path = Path(url[len("sqlite:///") :])
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists():  # accounts' hashes and citizens' messages: for this user only
            path.touch(mode=0o600)
        # Many threads share one file: wait for a writer instead of failing at once.
        return sa.create_engine(url, future=True, connect_args={"check_same_thread": False, "timeout": 15})
    return sa.create_engine(url, future=True, pool_pre_ping=True)
