"""A fresh, empty database for each test run, on SQLite or on a PostgreSQL server.

Usage::

    from openrev.store.testing import fresh_database

    with fresh_database("sqlite://") as url:          # a new SQLite file in a temp dir
        upgrade(url)
        ...
    with fresh_database("postgresql://postgres@127.0.0.1:5432/test") as url:
        ...                                          # a new database on that server

For PostgreSQL the database of the given URL is only used to connect as an administrator
(falling back to ``postgres``, then ``template1``, when it does not exist): a database with a
random name ``openrev_test_<hex>`` is created with AUTOCOMMIT, its URL yielded, and it is
dropped (closing any connection still open to it) when the block ends.
"""

from __future__ import annotations

import secrets
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Connection, Engine, URL, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import NullPool

from .db import normalize_url

TEST_DATABASE_PREFIX = "openrev_test_"


@contextmanager
def fresh_database(url: str) -> Iterator[str]:
    """Yield the URL of a new, empty database on the server (or engine) of ``url``."""
    sa_url = make_url(normalize_url(url))
    backend = sa_url.get_backend_name()
    if backend == "sqlite":
        with tempfile.TemporaryDirectory(prefix="openrev-test-") as tmp:
            yield f"sqlite:///{Path(tmp) / 'openrev.db'}"
        return
    if backend == "postgresql":
        with _fresh_postgres_database(sa_url) as new_url:
            yield new_url
        return
    raise ValueError(f"fresh_database: unsupported database backend {backend!r}")


@contextmanager
def demo_database(url: str) -> Iterator[str]:
    """:func:`fresh_database` on the backend of ``url``, migrated and loaded with the demo
    data (``openrev init`` + ``openrev demo``)."""
    from .db import make_engine, make_sessionmaker
    from .demo import load_demo
    from .migrate import upgrade

    with fresh_database(url) as fresh:
        upgrade(fresh)
        engine = make_engine(fresh)
        try:
            with make_sessionmaker(engine).begin() as db:
                load_demo(db)
        finally:
            engine.dispose()
        yield fresh


def _admin_engine(sa_url: URL) -> Engine:
    """An AUTOCOMMIT engine on a database of the server that exists."""
    candidates = [sa_url.database, "postgres", "template1"]
    last_error: OperationalError | None = None
    for database in dict.fromkeys(d for d in candidates if d):
        engine = create_engine(
            sa_url.set(database=database), isolation_level="AUTOCOMMIT", poolclass=NullPool
        )
        try:
            with engine.connect():
                return engine
        except OperationalError as exc:
            last_error = exc
            engine.dispose()
    assert last_error is not None
    raise last_error


def _drop(conn: Connection, name: str) -> None:
    quoted = conn.dialect.identifier_preparer.quote(name)
    if (conn.dialect.server_version_info or (0,)) >= (13,):
        conn.execute(text(f"DROP DATABASE IF EXISTS {quoted} WITH (FORCE)"))
        return
    conn.execute(
        text(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = :name AND pid <> pg_backend_pid()"
        ),
        {"name": name},
    )
    conn.execute(text(f"DROP DATABASE IF EXISTS {quoted}"))


@contextmanager
def _fresh_postgres_database(sa_url: URL) -> Iterator[str]:
    name = TEST_DATABASE_PREFIX + secrets.token_hex(6)
    admin = _admin_engine(sa_url)
    try:
        with admin.connect() as conn:
            quoted = conn.dialect.identifier_preparer.quote(name)
            conn.execute(text(f"CREATE DATABASE {quoted} ENCODING 'UTF8' TEMPLATE template0"))
        try:
            yield sa_url.set(database=name).render_as_string(hide_password=False)
        finally:
            with admin.connect() as conn:
                _drop(conn, name)
    finally:
        admin.dispose()
