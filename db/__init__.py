"""Data at rest: SQLAlchemy models, the ``Storage`` of the core, Alembic migrations.

``open_storage(url)`` opens a SQLite file or a PostgreSQL database, brings its
schema up to date (``db.migrate``) and returns a ``SqlStorage``. Everything
that leaves this package is a record of ``village_desk`` or a
``StorageError``, never an ORM object or a driver exception.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from db.engine import describe_location, make_engine, parse_url, sqlite_url
from db.errors import is_database_failure, to_storage_error
from db.migrate import prepare_database
from db.storage import SqlStorage

__all__ = ["SqlStorage", "open_storage", "sqlite_url"]


def open_storage(url: str, *, on_upgrade_backup: Callable[[Path], object] | None = None) -> SqlStorage:
    """Open the database at ``url`` (a SQLite file or PostgreSQL), migrating it if needed.

    ``on_upgrade_backup`` gets the copy made beside a SQLite file before an upgrade.
    Raises ``StorageError`` (or its subclasses ``DatabaseTooNewError`` and
    ``MigrationError``) with a Chinese message and hint when it cannot.
    """
    parsed = parse_url(url)
    engine = make_engine(parsed)
    try:
        prepare_database(parsed, engine, on_backup=on_upgrade_backup)
    except Exception as exc:
        engine.dispose()
        if is_database_failure(exc):
            raise to_storage_error(exc) from exc
        raise
    return SqlStorage(engine, describe_location(parsed))
