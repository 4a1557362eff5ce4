"""Schema migrations, run without an alembic.ini ("openrev init: creates or migrates the
schema; safe to run twice").

Usage::

    from openrev.store.migrate import upgrade, current_revision
    upgrade("sqlite:///openrev.db")          # to the newest revision; a no-op when there
    current_revision("sqlite:///openrev.db")  # -> "0001" (None: never migrated)

Developers can write a new revision with :func:`alembic_config` and ``alembic.command``::

    command.revision(alembic_config(url), message="...", autogenerate=True)
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import pool

from .db import make_engine, normalize_url
from .stats import refresh_statistics

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
"""The Alembic script directory (``env.py``, ``script.py.mako``, ``versions/``)."""


def alembic_config(url: str) -> Config:
    """An Alembic configuration for ``url``, built in code (no alembic.ini)."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("path_separator", "os")
    cfg.attributes["url"] = normalize_url(url)
    return cfg


def upgrade(url: str) -> None:
    """Create or migrate the schema of ``url`` to the newest revision (safe to run twice),
    then bring the planner statistics up to date (:func:`openrev.store.stats.
    refresh_statistics`: on SQLite the first ``ANALYZE``, or of the tables that changed
    tenfold since; on PostgreSQL ``ANALYZE``)."""
    command.upgrade(alembic_config(url), "head")
    engine = make_engine(url, serialize_sqlite=False, poolclass=pool.NullPool)
    try:
        refresh_statistics(engine)
    finally:
        engine.dispose()


def head_revision() -> str | None:
    """The newest revision the migrations know."""
    return ScriptDirectory(str(MIGRATIONS_DIR)).get_current_head()


def current_revision(url: str) -> str | None:
    """The revision the database at ``url`` is at, or None when it was never migrated."""
    engine = make_engine(url, serialize_sqlite=False, poolclass=pool.NullPool)
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    finally:
        engine.dispose()
