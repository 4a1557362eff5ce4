"""Alembic environment of openrev.

Run through :mod:`openrev.store.migrate` (``openrev init``), which puts the database URL in
``config.attributes["url"]`` (or an open connection in ``config.attributes["connection"]``);
there is no alembic.ini and no logging configuration here, so the application's loggers are
left as they are.

On SQLite, foreign keys are switched off while migrating (table rebuilds of future batch
migrations would otherwise cascade or fail) and checked with ``PRAGMA foreign_key_check``
afterwards.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection, pool

from openrev.store.db import make_engine, normalize_url
from openrev.store.tables import Base

config = context.config
target_metadata = Base.metadata


def _url() -> str:
    url = config.attributes.get("url") or config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError("no database URL given to the migrations (config.attributes['url'])")
    return normalize_url(str(url))


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )


def _run(connection: Connection) -> None:
    # A connection handed over inside a transaction is the caller's to configure and commit.
    toggle_foreign_keys = connection.dialect.name == "sqlite" and not connection.in_transaction()
    if toggle_foreign_keys:
        connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
        connection.commit()
    try:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        if toggle_foreign_keys:
            problems = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            connection.commit()
            if problems:
                raise RuntimeError(f"foreign key check failed after migrating: {problems[:5]}")
    finally:
        if toggle_foreign_keys:
            connection.rollback()
            connection.exec_driver_sql("PRAGMA foreign_keys=ON")
            connection.commit()


def run_migrations_offline() -> None:
    """Write the SQL of the migrations instead of running it (``alembic upgrade --sql``)."""
    context.configure(
        url=_url(),
        target_metadata=target_metadata,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Run the migrations on the given connection, or on a new one to the given URL."""
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(_url(), serialize_sqlite=False, poolclass=pool.NullPool)
    try:
        with engine.connect() as connection:
            _run(connection)
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
