"""The console's schema is made by the Alembic migrations, the same on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine

import console.kb_review.tables  # noqa: F401  (the KB drafts, on the metadata compared)
from console.db import make_engine, metadata
from console.migrate import alembic_config, current, head, upgrade
from console.tables import UTC, audit, login_attempts, login_sessions, users

ACCOUNT_TABLES = {"users", "audit", "login_attempts", "login_sessions"}


def test_a_new_database_is_migrated_to_the_newest_revision(db_url: str) -> None:
    assert current(db_url) is None
    upgrade(db_url)
    assert current(db_url) == head()
    engine = make_engine(db_url)
    try:
        assert ACCOUNT_TABLES <= set(sa.inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_upgrading_again_changes_nothing(db_url: str) -> None:
    upgrade(db_url)
    upgrade(db_url)
    assert current(db_url) == head()


def test_the_first_revision_is_the_accounts_and_later_ones_follow_it() -> None:
    scripts = ScriptDirectory.from_config(alembic_config())
    base = scripts.get_revision("0001_accounts")
    assert base is not None and base.down_revision is None
    assert [r.revision for r in scripts.walk_revisions()][-1] == "0001_accounts"


def test_the_tables_of_the_code_match_the_migrated_schema(engine: Engine) -> None:
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), metadata)

    ours = [d for d in differences if table_of(d) in ACCOUNT_TABLES]
    assert ours == []


def table_of(difference: Any) -> str:
    """The table an autogenerate difference is about."""
    if isinstance(difference, list):  # modify_type, modify_nullable ...: [(op, schema, table, column, ...)]
        return str(difference[0][2])
    if difference[0] in ("add_column", "remove_column"):  # (op, schema, table, column)
        return str(difference[2])
    item = difference[1]
    return str(item.name if isinstance(item, sa.Table) else item.table.name)


def test_the_comparison_sees_a_difference(engine: Engine) -> None:
    changed = sa.MetaData()
    users.to_metadata(changed)
    sa.Table("users", changed, sa.Column("nickname", sa.String(20)), extend_existing=True)
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), changed)
    assert [(d[0], table_of(d)) for d in differences if table_of(d) == "users"] == [("add_column", "users")]


def test_timestamps_come_back_aware_in_utc(engine: Engine) -> None:
    hanoi = dt.timezone(dt.timedelta(hours=7))
    created = dt.datetime(2026, 11, 22, 17, 30, tzinfo=hanoi)
    with engine.begin() as connection:
        connection.execute(users.insert().values(name="lan", role="helper", password_hash="x", created_at=created))
        row = connection.execute(sa.select(users)).one()
    assert row.created_at == created and row.created_at.tzinfo == UTC
    assert row.created_at.hour == 10  # 17:30 in Hà Nội is 10:30 UTC
    assert row.disabled is False and row.failed_logins == 0 and row.presence == "away" and row.locked_until is None


def test_a_naive_timestamp_is_refused(engine: Engine) -> None:
    with pytest.raises(sa.exc.StatementError, match="naive datetime"), engine.begin() as connection:
        connection.execute(
            users.insert().values(name="lan", role="helper", password_hash="x", created_at=dt.datetime(2026, 1, 1))
        )


def test_user_names_are_unique(engine: Engine) -> None:
    now = dt.datetime.now(UTC)
    with engine.begin() as connection:
        connection.execute(users.insert().values(name="lan", role="helper", password_hash="x", created_at=now))
    with pytest.raises(sa.exc.IntegrityError), engine.begin() as connection:
        connection.execute(users.insert().values(name="lan", role="admin", password_hash="y", created_at=now))


def test_the_other_tables_take_their_rows(engine: Engine) -> None:
    now = dt.datetime.now(UTC)
    with engine.begin() as connection:
        user_id = connection.execute(
            users.insert().values(name="lan", role="helper", password_hash="x", created_at=now)
        ).inserted_primary_key[0]
        connection.execute(audit.insert().values(at=now, user_id=user_id, action="login_ok"))
        connection.execute(login_attempts.insert().values(at=now, name_key="k" * 64, user_id=None, succeeded=False))
        connection.execute(
            login_sessions.insert().values(token_hash="h" * 64, user_id=user_id, created_at=now, expires_at=now)
        )
        assert connection.execute(sa.select(audit.c.detail)).scalar_one() == "{}"
        assert connection.execute(sa.select(sa.func.count()).select_from(login_sessions)).scalar_one() == 1


def test_a_new_sqlite_file_is_readable_by_its_owner_only(tmp_path: Path) -> None:
    """It holds the accounts' password hashes and citizens' messages."""
    import stat

    engine = make_engine(f"sqlite:///{tmp_path / 'var' / 'console.db'}")
    engine.dispose()
    assert stat.S_IMODE((tmp_path / "var" / "console.db").stat().st_mode) == 0o600
