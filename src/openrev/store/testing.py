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

:func:`sqlite_file_bytes` reads what a SQLite database holds on disk (its file, WAL and
shared-memory file) without disturbing the connections this process has open to it;
:func:`refuse_opening_open_sqlite_files` (the test suite's conftest calls it) makes Python's
``open()`` of such a file fail instead of silently dropping those connections' locks.
"""

from __future__ import annotations

import os
import secrets
import sqlite3
import subprocess
import sys
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


def _sqlite_file(url: str, what: str) -> str:
    sa_url = make_url(normalize_url(url))
    path = sa_url.database
    if sa_url.get_backend_name() != "sqlite" or not path or path == ":memory:" \
            or path.startswith("file:") or sa_url.query.get("mode") == "memory":
        raise ValueError(f"{what}: not a SQLite database file: {url!r}")
    return path


_READ_FILES = ("import sys\n"
               "for name in sys.argv[1:]:\n"
               "    try:\n"
               "        with open(name, 'rb') as f:\n"
               "            sys.stdout.buffer.write(f.read())\n"
               "    except FileNotFoundError:\n"
               "        pass\n")


def sqlite_file_bytes(url: str) -> bytes:
    """The bytes of the SQLite database of ``url`` as on disk: its main file, then its WAL and
    shared-memory files when they exist, read by another process.

    Never in this process: SQLite's locks are POSIX advisory locks, which belong to a process
    and inode, and closing *any* descriptor of the file releases every lock this process holds
    on it, those of its open SQLite connections too. Another process then takes the database
    for unused: the last connection it closes checkpoints and deletes the WAL and
    shared-memory files under this process's connections, whose later commits go to the
    deleted WAL - other processes never see them (a command does not find the user the test
    just added), and the file ends up corrupt ("file is not a database"). See "How To
    Corrupt An SQLite Database File", 2.2 (https://www.sqlite.org/howtocorrupt.html)."""
    path = _sqlite_file(url, "sqlite_file_bytes")
    done = subprocess.run([sys.executable, "-c", _READ_FILES, path, f"{path}-wal",
                           f"{path}-shm"], capture_output=True, check=True, timeout=120)
    return done.stdout


def sqlite_wal_reset(url: str) -> tuple[int, int, int]:
    """``PRAGMA wal_checkpoint(TRUNCATE)`` on the SQLite database of ``url``, by a connection
    of its own that does not wait: (busy, WAL frames, frames checkpointed). (0, 0, 0) when no
    connection (of any process) is inside a transaction: a reader's snapshot keeps the WAL
    from being reset - and that reader from ever seeing what others commit after it."""
    other = sqlite3.connect(_sqlite_file(url, "sqlite_wal_reset"), timeout=0,
                            isolation_level=None)
    try:
        busy, frames, done = other.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        return busy, frames, done
    finally:
        other.close()


_SQLITE_SUFFIXES = (".db", ".sqlite", ".sqlite3", "-wal", "-shm", "-journal")
_refusing = False


def refuse_opening_open_sqlite_files() -> None:
    """From now on, this process's ``open()`` (``io.open``, ``os.open``, ``pathlib``,
    ``shutil``) of a database file (``*.db``, ``*.sqlite``, ``*.sqlite3`` and their ``-wal``,
    ``-shm``, ``-journal``) that one of its own SQLite connections has open raises
    :class:`RuntimeError`: closing that descriptor would drop the connections' locks (see
    :func:`sqlite_file_bytes`, which reads such files safely). An audit hook, for the rest of
    the process (Linux: it reads ``/proc/self/fd``; elsewhere it checks nothing)."""
    global _refusing
    if not _refusing:
        _refusing = True
        sys.addaudithook(_refuse_open_sqlite_file)


def _refuse_open_sqlite_file(event: str, args: tuple[object, ...]) -> None:
    if event != "open" or not args or not isinstance(args[0], (str, bytes, os.PathLike)):
        return
    name = os.fsdecode(args[0])  # type: ignore[arg-type]
    if not name.endswith(_SQLITE_SUFFIXES):
        return
    database = os.path.realpath(name)
    for suffix in ("-wal", "-shm", "-journal"):
        database = database.removesuffix(suffix)
    try:
        fds = os.listdir("/proc/self/fd")
    except OSError:
        return
    for fd in fds:
        try:
            if os.readlink(f"/proc/self/fd/{fd}") == database:
                break
        except OSError:
            continue
    else:
        return
    raise RuntimeError(f"{name}: this process has the SQLite database {database} open; "
                       "opening (and closing) its files here would drop the locks of those "
                       "connections: read it with openrev.store.testing.sqlite_file_bytes")


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
