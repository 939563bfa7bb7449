"""Bring the console's database to the newest schema with Alembic, without an alembic.ini.

`upgrade(url)` runs every migration in `console/migrations/versions/` not yet applied (safe to
run again: it does nothing then); `current(url)` says where a database stands, `head()` where the
code stands. `python -m console db upgrade` and `python -m console serve` call `upgrade`.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Optional

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError

from console.db import DEFAULT_URL, make_engine
from console.errors import MigrationError

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"

log = logging.getLogger(__name__)


def alembic_config(url: Optional[str] = None) -> Config:
    """An Alembic configuration for `url` (default: SQLite in var/), built in code."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    # In attributes, not in sqlalchemy.url: the ini parser would read a '%' of the URL as interpolation.
    config.attributes["url"] = url or DEFAULT_URL
    return config


def head() -> str:
    """The newest revision the code knows."""
    heads = ScriptDirectory.from_config(alembic_config()).get_heads()
    if len(heads) != 1:
        raise MigrationError(f"the migrations have {len(heads)} heads, not one: {', '.join(sorted(heads))}")
    return heads[0]


def upgrade(url: Optional[str] = None, revision: str = "head") -> None:
    """Apply every migration up to `revision` (default: the newest)."""
    try:
        command.upgrade(alembic_config(url), revision)
    except (CommandError, sa.exc.SQLAlchemyError) as exc:
        raise MigrationError(f"the database could not be migrated: {type(exc).__name__}: {exc}") from exc
    log.info("Console database at revision %s", revision)


def downgrade(url: Optional[str], revision: str) -> None:
    """Undo migrations down to `revision` ("base": all of them)."""
    try:
        command.downgrade(alembic_config(url), revision)
    except (CommandError, sa.exc.SQLAlchemyError) as exc:
        raise MigrationError(f"the database could not be migrated down: {type(exc).__name__}: {exc}") from exc


def current(url: Optional[str] = None) -> Optional[str]:
    """The revision the database is at (None: never migrated)."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    except sa.exc.SQLAlchemyError as exc:
        raise MigrationError(f"the database cannot be read: {type(exc).__name__}") from exc
    finally:
        engine.dispose()
