"""Alembic's environment for the console's database: the schema of `console.db.metadata`.

`console.migrate` runs it with the database URL in `config.attributes["url"]` (no alembic.ini;
an URL with `%` would upset ini interpolation), or a live connection in
`config.attributes["connection"]`; `sqlalchemy.url` is read when neither is given.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

import console.handoff.tables  # the handoff tables, for autogenerate
import console.insights.rollup  # the insights' daily roll-ups, for autogenerate
import console.insights.tables  # the insights, for autogenerate
import console.kb_review.tables  # the KB drafts, for autogenerate
import console.tables  # noqa: F401  (puts the tables on the metadata, for autogenerate)
from console.db import make_engine, metadata

config = context.config


def _url() -> str:
    url = config.attributes.get("url") or config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError("no database URL: set config.attributes['url'] or sqlalchemy.url")
    return str(url)


def _migrate(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        # SQLite alters a table by copying it; Alembic's batch mode does that.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_offline() -> None:
    context.configure(url=_url(), target_metadata=metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _migrate(connection)
        return
    engine = make_engine(_url())
    try:
        with engine.connect() as connection:
            _migrate(connection)
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
