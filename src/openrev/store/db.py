"""Database URLs, engines and sessions.

openrev starts on one machine with SQLite and grows onto PostgreSQL (CONTRACT.md, "Who uses
it"); the URL comes from ``OPENREV_DATABASE_URL`` or ``--database``:

* ``sqlite:///openrev.db`` (the default), ``sqlite:////abs/path.db``, ``sqlite://`` (memory);
* ``postgresql://user:pw@host:5432/db`` or ``postgres://...`` - both are driven by psycopg 3.

Usage::

    engine = make_engine(url)
    Session = make_sessionmaker(engine)
    with Session.begin() as session:
        ...
"""

from __future__ import annotations

import os
import threading
import weakref
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

DEFAULT_DATABASE_URL = "sqlite:///openrev.db"
"""The database used when neither ``--database`` nor ``OPENREV_DATABASE_URL`` names one."""

_POSTGRES_PREFIXES = ("postgresql://", "postgres://")
_PSYCOPG_PREFIX = "postgresql+psycopg://"


def normalize_url(url: str) -> str:
    """The URL SQLAlchemy should use for ``url``.

    ``postgresql://`` and ``postgres://`` (the spellings of libpq, Heroku and most hosting
    panels) become ``postgresql+psycopg://`` so that psycopg 3 drives them; every other URL
    (SQLite, or PostgreSQL with an explicit driver) is returned unchanged.
    """
    url = url.strip()
    for prefix in _POSTGRES_PREFIXES:
        if url.startswith(prefix):
            return _PSYCOPG_PREFIX + url[len(prefix):]
    return url


def is_sqlite(url: str) -> bool:
    """True when ``url`` names a SQLite database."""
    return make_url(normalize_url(url)).get_backend_name() == "sqlite"


def display_url(url: str) -> str:
    """``url`` with its password masked, fit for printing and logging."""
    return make_url(normalize_url(url)).render_as_string(hide_password=True)


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    """Per-connection SQLite settings: foreign keys enforced, WAL journal, 5 s busy wait."""
    # The driver would otherwise start a transaction only at the first write, so a handler's
    # reads could see data another writer changes before its own write (see _sqlite_begin).
    dbapi_connection.isolation_level = None
    _sqlite_pragmas(dbapi_connection, _record)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={DEFAULT_BUSY_TIMEOUT_MS}")
    finally:
        cursor.close()


READ_ONLY = "openrev_read_only"
"""Execution option of an engine (see :func:`read_only_engine`) whose SQLite transactions
only read: they begin DEFERRED and with ``PRAGMA query_only`` on."""


BUSY_TIMEOUT_MS = "openrev_busy_timeout_ms"
"""Execution option: the busy timeout (ms) of this engine's SQLite transactions, instead of
:data:`DEFAULT_BUSY_TIMEOUT_MS` (for bookkeeping writes that had rather be skipped than wait)."""

DEFAULT_BUSY_TIMEOUT_MS = 5000


def _sqlite_begin(conn: Any) -> None:
    """Writers take SQLite's write lock when they begin (SQLite has no SELECT ... FOR
    UPDATE): a transaction that reads, then writes on what it read, is never interleaved with
    another writer; other writers wait (in-process on :func:`write_lock`, across processes up
    to the busy timeout). Readers (an engine from :func:`read_only_engine`) begin DEFERRED:
    in WAL mode they read a snapshot and never wait for, nor block, a writer; ``PRAGMA
    query_only`` makes a write attempted by a reader fail instead of taking the lock.
    This is SQLAlchemy's recipe for pysqlite transactions, with the BEGIN chosen per engine.
    """
    options = conn.get_execution_options()
    busy = int(options.get(BUSY_TIMEOUT_MS, DEFAULT_BUSY_TIMEOUT_MS))
    if conn.info.get(BUSY_TIMEOUT_MS, DEFAULT_BUSY_TIMEOUT_MS) != busy:
        conn.exec_driver_sql(f"PRAGMA busy_timeout={busy}")
        conn.info[BUSY_TIMEOUT_MS] = busy
    read_only = bool(options.get(READ_ONLY))
    if bool(conn.info.get(READ_ONLY)) != read_only:
        conn.exec_driver_sql(f"PRAGMA query_only={int(read_only)}")
        conn.info[READ_ONLY] = read_only
    conn.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


def read_only_engine(engine: Engine) -> Engine:
    """``engine`` (same pool) for transactions that only read: on SQLite they begin DEFERRED
    and cannot write; on PostgreSQL nothing changes."""
    return engine.execution_options(**{READ_ONLY: True})


_WRITE_LOCKS: "weakref.WeakKeyDictionary[Engine, threading.Lock]" = weakref.WeakKeyDictionary()
_WRITE_LOCKS_GUARD = threading.Lock()


def write_lock(engine: Engine) -> threading.Lock | None:
    """The in-process lock writers of a SQLite ``engine`` hold through their transaction
    (None for PostgreSQL, whose writers lock rows). SQLite has one writer at a time: queueing
    on this lock is fair and costs no busy-waiting, where the busy timeout polls and can give
    up with ``database is locked``. It does not cross processes (see
    :mod:`openrev.store.uow`, which also retries)."""
    if engine.dialect.name != "sqlite":
        return None
    base = getattr(engine, "_proxied", engine)  # an engine from execution_options()
    with _WRITE_LOCKS_GUARD:
        lock = _WRITE_LOCKS.get(base)
        if lock is None:
            lock = _WRITE_LOCKS[base] = threading.Lock()
        return lock


STATS_GENERATION = "openrev_stats_generation"
"""Key of a pooled SQLite connection's ``info``: the statistics generation of its engine
when the connection was opened (see :func:`statistics_changed`)."""

_STATS_GENERATIONS: "weakref.WeakKeyDictionary[Engine, list[int]]" = \
    weakref.WeakKeyDictionary()


def statistics_changed(bind: Engine | Connection) -> None:
    """The planner statistics of ``bind``'s SQLite database were rewritten (ANALYZE, see
    :mod:`openrev.store.stats`): the engine's other pooled connections are replaced at their
    next checkout. SQLite reads ``sqlite_stat1`` when a connection loads the schema, and an
    ANALYZE does not make the other open connections load it again, so they would keep
    planning with the statistics they started with (none, for a database analysed after the
    server started). ``bind``, when a Connection, keeps its connection (it is current).
    Nothing happens for PostgreSQL or an in-memory SQLite database (one connection)."""
    engine = bind.engine
    generation = _STATS_GENERATIONS.get(getattr(engine, "_proxied", engine))
    if generation is None:
        return
    generation[0] += 1
    if isinstance(bind, Connection) and not bind.closed:
        bind.info[STATS_GENERATION] = generation[0]


OPENED_BY_PID = "openrev_opened_by_pid"
"""Key of a pooled SQLite connection's ``info``: the process that opened it."""


def _sqlite_pool_listeners(engine: Engine) -> None:
    """A file database's pooled connections are replaced at checkout when its planner
    statistics changed (:func:`statistics_changed`), and never used by another process than
    the one that opened them: SQLite's locks do not survive a ``fork()``, so a child using
    (or closing) a connection it inherited could corrupt the file. Such a connection is left
    alone - the parent's - and the child opens its own."""
    generation = _STATS_GENERATIONS.setdefault(engine, [0])

    def on_connect(_dbapi_connection: Any, record: Any) -> None:
        record.info[STATS_GENERATION] = generation[0]  # a new connection reads them anyway
        record.info[OPENED_BY_PID] = os.getpid()

    def on_checkout(_dbapi_connection: Any, record: Any, proxy: Any) -> None:
        if record.info.get(OPENED_BY_PID, os.getpid()) != os.getpid():
            # forget it without closing it (SQLAlchemy's recipe for pools across fork)
            record.dbapi_connection = proxy.dbapi_connection = None
            raise DisconnectionError("a connection of the parent process: opening another")
        if record.info.get(STATS_GENERATION, generation[0]) != generation[0]:
            # the pool closes this connection and opens another in its place
            raise DisconnectionError("planner statistics changed: reopening the connection")

    event.listen(engine, "connect", on_connect)
    event.listen(engine, "checkout", on_checkout)


def make_engine(url: str, *, serialize_sqlite: bool = True, **kwargs: Any) -> Engine:
    """An engine for ``url`` (normalized first).

    SQLite: ``check_same_thread=False`` (the server hands connections between threads), and on
    every new connection ``PRAGMA foreign_keys=ON``, ``journal_mode=WAL``,
    ``busy_timeout=5000``; an in-memory database keeps one shared connection so that every
    session sees the same data; a file database's pooled connections are replaced after its
    planner statistics change (:func:`statistics_changed`), and a process forked from the
    one that opened them opens its own. PostgreSQL:
    ``pool_pre_ping=True`` so that a connection the server dropped is replaced instead of
    failing a request.

    ``serialize_sqlite`` (SQLite only): every transaction begins with ``BEGIN IMMEDIATE``
    (writers are serialized as on PostgreSQL with ``FOR UPDATE``), except on an engine from
    :func:`read_only_engine`, whose transactions begin DEFERRED (see ``_sqlite_begin``).
    Migrations turn it off: they toggle ``PRAGMA foreign_keys`` outside any transaction.

    Extra keyword arguments go to :func:`sqlalchemy.create_engine`.
    """
    sa_url = make_url(normalize_url(url))
    # an error's text never carries the bound values (SSNs, names) into a log
    kwargs.setdefault("hide_parameters", True)
    if sa_url.get_backend_name() == "sqlite":
        connect_args = dict(kwargs.pop("connect_args", {}))
        connect_args.setdefault("check_same_thread", False)
        memory = sa_url.database in (None, "", ":memory:")
        if memory:
            kwargs.setdefault("poolclass", StaticPool)
        engine = create_engine(sa_url, connect_args=connect_args, **kwargs)
        if not (memory or "mode=memory" in str(sa_url) or isinstance(engine.pool, StaticPool)):
            _sqlite_pool_listeners(engine)
        if serialize_sqlite:
            event.listen(engine, "connect", _sqlite_on_connect)
            event.listen(engine, "begin", _sqlite_begin)
        else:
            event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(sa_url, **kwargs)


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    """A session factory bound to ``engine``; objects stay readable after commit."""
    return sessionmaker(bind=engine, expire_on_commit=False)
