"""Alembic environment of 村务通, configured from code (no alembic.ini).

``db.migrate`` runs the migrations on a connection it opened itself and hands
it over in ``config.attributes["connection"]``. A developer writing a new
revision can instead set ``sqlalchemy.url`` on the config (see
``db.migrate.alembic_config``).

All revisions run in one transaction: on PostgreSQL DDL is transactional; on
SQLite ``db.engine`` makes SQLAlchemy emit BEGIN, so CREATE/ALTER roll back
too. SQLite tables are rebuilt in batch mode (copy and move), with foreign
keys switched off by ``db.migrate`` while that happens and checked here
before the commit.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, text

from db.models import Base

# Any constant will do: it only has to be the same for every 村务通 process.
_PG_MIGRATION_LOCK = 0x76696C6C  # "vill"


def _run(connection: Connection) -> None:
    dialect = connection.dialect.name
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=dialect == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        if dialect == "postgresql":
            # Two clients starting at once: the second waits, then finds the work done.
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_MIGRATION_LOCK})
        context.run_migrations()
        if dialect == "sqlite":
            broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            if broken:
                raise RuntimeError(f"foreign keys broken by the migration: {broken[:10]!r}")


def _run_online() -> None:
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    from db.engine import make_engine, parse_url

    url = context.config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError("set config.attributes['connection'] or the sqlalchemy.url option")
    engine = make_engine(parse_url(url))
    try:
        with engine.connect() as connection:
            _run(connection)
    finally:
        engine.dispose()


if context.is_offline_mode():
    raise RuntimeError("村务通 runs its migrations online only (no SQL scripts).")
_run_online()
