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
import sqlite3
import threading
import time
import weakref
from typing import Any, Callable

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, DisconnectionError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

from ..settings import sqlite_synchronous as settings_sqlite_synchronous

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


def _sqlite_pragmas(synchronous: str, serialize: bool) -> Callable[[Any, Any], None]:
    """The per-connection SQLite settings: foreign keys enforced, WAL journal, 5 s busy wait,
    ``PRAGMA synchronous`` (``FULL``: each commit is synced to disk before it returns;
    ``NORMAL``: at checkpoints, see ``OPENREV_SQLITE_SYNCHRONOUS``)."""

    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        if serialize:
            # The driver would otherwise start a transaction only at the first write, so a
            # handler's reads could see data another writer changes before its own write
            # (see _sqlite_begin).
            dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute(f"PRAGMA busy_timeout={DEFAULT_BUSY_TIMEOUT_MS}")
            cursor.execute(f"PRAGMA synchronous={synchronous}")
        finally:
            cursor.close()

    return on_connect


READ_ONLY = "openrev_read_only"
"""Execution option of an engine (see :func:`read_only_engine`) whose SQLite transactions
only read: they begin DEFERRED and with ``PRAGMA query_only`` on."""


BUSY_TIMEOUT_MS = "openrev_busy_timeout_ms"
"""Execution option: the busy timeout (ms) of this engine's SQLite transactions, instead of
:data:`DEFAULT_BUSY_TIMEOUT_MS` (for bookkeeping writes that had rather be skipped than wait)."""

DEFAULT_BUSY_TIMEOUT_MS = 5000


BEGUN = "openrev_begun"
"""Key of a SQLite Connection's ``info``: how its current transaction began, ``"DEFERRED"``
(a reader) or ``"IMMEDIATE"`` (a writer, holding SQLite's write lock)."""


def _sqlite_begin(conn: Any) -> None:
    """Writers take SQLite's write lock when they begin (SQLite has no SELECT ... FOR
    UPDATE): a transaction that reads, then writes on what it read, is never interleaved with
    another writer; other writers wait (in-process on :func:`write_lock`, across processes up
    to the busy timeout). Readers (an engine from :func:`read_only_engine`) begin DEFERRED:
    in WAL mode they read a snapshot and never wait for, nor block, a writer; ``PRAGMA
    query_only`` makes a write attempted by a reader fail instead of taking the lock.
    This is SQLAlchemy's recipe for pysqlite transactions, with the BEGIN chosen per engine.
    The statements go straight to the driver's connection: through SQLAlchemy's statement
    execution they cost about ten times as much, on every transaction. How it began is in
    ``conn.info[BEGUN]``.
    """
    options = conn.get_execution_options()
    raw = conn.connection.dbapi_connection
    busy = int(options.get(BUSY_TIMEOUT_MS, DEFAULT_BUSY_TIMEOUT_MS))
    if conn.info.get(BUSY_TIMEOUT_MS, DEFAULT_BUSY_TIMEOUT_MS) != busy:
        _raw_execute(raw, f"PRAGMA busy_timeout={busy}")
        conn.info[BUSY_TIMEOUT_MS] = busy
    read_only = bool(options.get(READ_ONLY))
    if bool(conn.info.get(READ_ONLY)) != read_only:
        _raw_execute(raw, f"PRAGMA query_only={int(read_only)}")
        conn.info[READ_ONLY] = read_only
    _raw_execute(raw, "BEGIN" if read_only else "BEGIN IMMEDIATE")
    conn.info[BEGUN] = "DEFERRED" if read_only else "IMMEDIATE"


def _raw_execute(raw: Any, statement: str) -> None:
    """``statement`` on the driver's connection; its errors as SQLAlchemy raises them (the
    retry of ``database is locked`` in :mod:`openrev.store.uow` looks for those)."""
    try:
        raw.execute(statement)
    except sqlite3.Error as err:
        raise DBAPIError.instance(statement, None, err, sqlite3.Error) from err


def read_only_engine(engine: Engine) -> Engine:
    """``engine`` (same pool) for transactions that only read: on SQLite they begin DEFERRED
    and cannot write; on PostgreSQL they run in autocommit mode, no ``BEGIN`` and no
    ``COMMIT``: two round trips less per read. That reads the same as before: PostgreSQL's
    READ COMMITTED (openrev's level) takes a new snapshot for every statement, inside a
    transaction as outside one. The price: a write sent through this engine would not be
    rolled back with the work around it (on SQLite it fails instead), so only work that reads
    may run on it (handlers registered with ``writes=False``)."""
    if engine.dialect.name == "sqlite":
        return engine.execution_options(**{READ_ONLY: True})
    return engine.execution_options(**{READ_ONLY: True}, isolation_level="AUTOCOMMIT")


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


def make_engine(url: str, *, serialize_sqlite: bool = True, sqlite_synchronous: str | None = None,
                **kwargs: Any) -> Engine:
    """An engine for ``url`` (normalized first).

    SQLite: ``check_same_thread=False`` (the server hands connections between threads), and on
    every new connection ``PRAGMA foreign_keys=ON``, ``journal_mode=WAL``,
    ``busy_timeout=5000``; an in-memory database keeps one shared connection so that every
    session sees the same data; a file database's pooled connections are replaced after its
    planner statistics change (:func:`statistics_changed`), and a process forked from the
    one that opened them opens its own. PostgreSQL: a pooled connection that has been idle
    for :data:`PING_AFTER_IDLE_SECONDS` is pinged when it is checked out, and replaced if the
    server dropped it, instead of failing a request (:func:`_ping_when_idle`).

    ``serialize_sqlite`` (SQLite only): every transaction begins with ``BEGIN IMMEDIATE``
    (writers are serialized as on PostgreSQL with ``FOR UPDATE``), except on an engine from
    :func:`read_only_engine`, whose transactions begin DEFERRED (see ``_sqlite_begin``).
    Migrations turn it off: they toggle ``PRAGMA foreign_keys`` outside any transaction.
    ``sqlite_synchronous`` (SQLite only): ``FULL`` or ``NORMAL``; None: from
    ``OPENREV_SQLITE_SYNCHRONOUS`` (default ``FULL``).

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
        synchronous = sqlite_synchronous or settings_sqlite_synchronous()
        event.listen(engine, "connect", _sqlite_pragmas(synchronous, serialize_sqlite))
        if serialize_sqlite:
            event.listen(engine, "begin", _sqlite_begin)
        return engine
    engine = create_engine(sa_url, **kwargs)
    if not engine.pool._pre_ping:
        _ping_when_idle(engine)
    return engine


PING_AFTER_IDLE_SECONDS = 1.0
"""A pooled PostgreSQL connection idle this long is pinged before it is used again."""

IDLE_SINCE = "openrev_idle_since"
"""Key of a pooled connection's ``info``: when it was last returned to the pool."""


def _ping_when_idle(engine: Engine) -> None:
    """Ping a pooled connection at checkout only when it has been idle for
    :data:`PING_AFTER_IDLE_SECONDS`; one that fails the ping is replaced (the pool opens
    another in its place). A connection dropped by the server (a restart, an idle time-out, a
    failover) has been idle; SQLAlchemy's ``pool_pre_ping`` pings at every checkout instead,
    one more round trip on every transaction (about a quarter of the no-work operation's
    round trips: BEGIN, SELECT, COMMIT)."""
    dialect = engine.dialect

    def on_checkin(_dbapi_connection: Any, record: Any) -> None:
        if record is not None:
            record.info[IDLE_SINCE] = time.monotonic()

    def on_checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        since = record.info.get(IDLE_SINCE)
        if since is None or time.monotonic() - since < PING_AFTER_IDLE_SECONDS:
            return  # new, or in use a moment ago
        try:
            dialect.do_ping(dbapi_connection)
        except Exception as err:  # noqa: BLE001 - whatever failed, this one is not used
            raise DisconnectionError(
                f"a pooled connection failed its ping ({type(err).__name__}): replaced") from err

    event.listen(engine, "checkin", on_checkin)
    event.listen(engine, "checkout", on_checkout)


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    """A session factory bound to ``engine``; objects stay readable after commit."""
    return sessionmaker(bind=engine, expire_on_commit=False)
