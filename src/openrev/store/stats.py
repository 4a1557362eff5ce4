"""Planner statistics: kept current so that every look-up keeps using the index that leads
with what it searches (a TN, an inventory identifier, a keyed hash) at any size.

SQLite plans without statistics until ``ANALYZE`` runs: it then guesses that every index is
as selective as any other, and a look-up by TN within a client can walk the whole client
through ``ix_services_client_id`` instead of finding the one row through the TN index (at a
million customers: 124 ms instead of 9.5 ms). PostgreSQL's autovacuum keeps its statistics,
but only some time after a bulk load.

Usage::

    refresh_statistics(engine)                 # openrev init/demo, after a bulk load
    refresh_statistics(engine, tables=["customers", "services"], analysis_limit=0)
    maybe_refresh(engine)                      # periodically (server/worker loop): at most
                                               # once per ``every`` per engine, cheap otherwise

On SQLite (3.40 here; ``PRAGMA optimize`` alone is not enough before 3.46: it analyses only
tables the *same connection* used with statistics, and only after 25-fold growth, so a fresh
connection's ``PRAGMA optimize`` does nothing):

* no ``sqlite_stat1`` yet, or an empty one: ``ANALYZE`` of the whole database;
* otherwise each table is compared with its statistics: analysed again when it has rows and
  none were recorded (or none for one of its indexes: a migration added it), or when its row
  count grew or shrank tenfold since;
* then ``PRAGMA optimize`` (whatever SQLite itself deems stale; ``0x10002`` also checks the
  tables this connection never used on SQLite >= 3.46, and is ignored before);
* every ``ANALYZE`` runs with ``PRAGMA analysis_limit`` (default 1000 rows per index, so it
  takes milliseconds at a million rows; 0 = exact, what a bulk load uses for what it loaded).

SQLite reads its statistics when a connection loads the schema, so a connection that was
open before an ``ANALYZE`` keeps planning with the old ones: after a refresh, the engine's
pooled connections are replaced at their next checkout (:func:`openrev.store.db.
statistics_changed`). :func:`maybe_refresh` also notices statistics another process wrote
(``openrev seed-customers`` while the server runs).

On PostgreSQL: ``ANALYZE`` of every table of the schema (``tables`` adds nothing: it samples,
so the whole schema is cheap); :func:`maybe_refresh` does nothing there (autovacuum's job).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import threading
import time
import weakref
from collections.abc import Iterable
from contextlib import nullcontext
from dataclasses import dataclass

from sqlalchemy import Connection, Engine

from .db import read_only_engine, statistics_changed, write_lock

__all__ = ["Refresh", "refresh_statistics", "maybe_refresh", "DEFAULT_ANALYSIS_LIMIT",
           "DEFAULT_EVERY", "STALE_FACTOR"]

log = logging.getLogger("openrev.store.stats")

DEFAULT_ANALYSIS_LIMIT = 1000
"""Rows examined per index by an ANALYZE on SQLite (``PRAGMA analysis_limit``; 0: all)."""

DEFAULT_EVERY = dt.timedelta(hours=1)
"""How often :func:`maybe_refresh` looks at the statistics by default."""

STALE_FACTOR = 10
"""A table whose row count grew or shrank by this factor since ANALYZE is analysed again
(SQLite >= 3.46's own ``PRAGMA optimize`` uses the same factor)."""

ALL = "*"


@dataclass(frozen=True)
class Refresh:
    """What a refresh did: the tables analysed (``("*",)``: the whole database; empty:
    nothing was stale) and how long it took."""

    analyzed: tuple[str, ...]
    seconds: float


def refresh_statistics(bind: Engine | Connection, *, tables: Iterable[str] | None = None,
                       analysis_limit: int = DEFAULT_ANALYSIS_LIMIT) -> Refresh:
    """Bring the planner statistics of ``bind``'s database up to date (see the module
    docstring). ``tables`` (SQLite): analyse these in any case, besides whatever is stale (a
    bulk load names what it loaded; PostgreSQL analyses every table anyway).
    ``analysis_limit`` (SQLite): rows examined per index, 0 for all. An Engine: in a
    transaction of its own, committed (on SQLite holding the engine's in-process write lock
    while it analyses: never call it while holding that lock); a Connection: in the
    caller's transaction (the caller commits)."""
    started = time.monotonic()
    forced = tuple(dict.fromkeys(tables or ()))
    if isinstance(bind, Engine):
        if bind.dialect.name == "sqlite":
            # find what is stale in a read transaction (no write lock), then analyse
            with read_only_engine(bind).connect() as conn:
                plan = _sqlite_stale(conn)
                conn.rollback()
            with write_lock(bind) or nullcontext(), bind.connect() as conn:
                analyzed = _sqlite_analyze(conn, plan, forced, analysis_limit)
                conn.commit()
        else:
            with bind.connect() as conn:
                analyzed = _postgres_analyze(conn)
                conn.commit()
    elif bind.dialect.name == "sqlite":
        analyzed = _sqlite_analyze(bind, _sqlite_stale(bind), forced, analysis_limit)
    else:
        analyzed = _postgres_analyze(bind)
    if analyzed:
        statistics_changed(bind)
    result = Refresh(analyzed, time.monotonic() - started)
    if analyzed:
        log.info("planner statistics refreshed: %s in %.3f s", ", ".join(analyzed),
                 result.seconds)
    return result


# --------------------------------------------------------------------------- SQLite


def _quote(conn: Connection, name: str) -> str:
    return conn.dialect.identifier_preparer.quote_identifier(name)


def _has_stat1(conn: Connection) -> bool:
    return conn.exec_driver_sql(
        "SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'sqlite_stat1'"
    ).first() is not None


def _sqlite_stale(conn: Connection) -> tuple[str, ...] | None:
    """The tables whose statistics are missing or out of date; None: analyse everything
    (no statistics at all)."""
    if not _has_stat1(conn):
        return None
    recorded: dict[str, int] = {}
    analysed: set[str] = set()
    for tbl, idx, stat in conn.exec_driver_sql("SELECT tbl, idx, stat FROM sqlite_stat1"):
        analysed.add(idx)
        try:
            rows = int(str(stat).split()[0])
        except (ValueError, IndexError):
            continue
        recorded[tbl] = max(rows, recorded.get(tbl, 0))
    if not recorded:
        return None
    tables: dict[str, list[str]] = {}
    for kind, name, table in conn.exec_driver_sql(
            "SELECT type, name, tbl_name FROM sqlite_schema WHERE type IN ('table', 'index') "
            "AND tbl_name NOT LIKE 'sqlite%' ORDER BY type DESC, name"):
        if kind == "table":
            tables[name] = []
        elif table in tables:
            tables[table].append(name)
    stale = []
    for name, indexes in tables.items():
        count = conn.exec_driver_sql(f"SELECT count(*) FROM {_quote(conn, name)}").scalar()
        count = count or 0
        before = recorded.get(name)
        if before is None or any(ix not in analysed for ix in indexes):
            if count:
                stale.append(name)  # never analysed (or empty when it was), or a new index
        elif count >= STALE_FACTOR * max(before, 1) or count * STALE_FACTOR <= before:
            stale.append(name)
    return tuple(stale)


def _sqlite_analyze(conn: Connection, stale: tuple[str, ...] | None, forced: tuple[str, ...],
                    analysis_limit: int) -> tuple[str, ...]:
    previous = conn.exec_driver_sql("PRAGMA analysis_limit").scalar()
    conn.exec_driver_sql(f"PRAGMA analysis_limit = {int(analysis_limit)}")
    try:
        if stale is None:
            conn.exec_driver_sql("ANALYZE")
            analyzed: tuple[str, ...] = (ALL,)
        else:
            analyzed = tuple(dict.fromkeys((*forced, *stale)))
            for name in analyzed:
                conn.exec_driver_sql(f"ANALYZE {_quote(conn, name)}")
        # SQLite's own judgement too (a no-op on a connection that ran no queries, < 3.46)
        conn.exec_driver_sql("PRAGMA optimize = 0x10002")
    finally:
        conn.exec_driver_sql(f"PRAGMA analysis_limit = {int(previous or 0)}")
    return analyzed


def _sqlite_fingerprint(conn: Connection) -> str:
    """A digest of ``sqlite_stat1``: it changes when anyone (another process too) analyses."""
    if not _has_stat1(conn):
        return ""
    digest = hashlib.sha256()
    for tbl, idx, stat in conn.exec_driver_sql(
            "SELECT tbl, idx, stat FROM sqlite_stat1 ORDER BY tbl, idx"):
        digest.update(f"{tbl}\x1f{idx}\x1f{stat}\x1e".encode())
    return digest.hexdigest()


# --------------------------------------------------------------------------- PostgreSQL


def _postgres_analyze(conn: Connection) -> tuple[str, ...]:
    """ANALYZE of every table of the current schema: PostgreSQL samples (at most 300 ×
    ``default_statistics_target`` rows a table), so this takes seconds at a million
    customers; a bare ANALYZE would also go through the system catalogs (ten times slower
    on a new database). The small tables matter too: autovacuum analyses a table only after
    50 rows changed, so a client's catalog of five inventory types would never have
    statistics, and without them a join on it can be planned through the wrong index."""
    names = [r[0] for r in conn.exec_driver_sql(
        "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
        "ORDER BY tablename")]
    if names:
        conn.exec_driver_sql("ANALYZE " + ", ".join(_quote(conn, t) for t in names))
    return (ALL,)


# --------------------------------------------------------------------------- periodically


@dataclass
class _State:
    lock: threading.Lock
    last: float | None = None  # time.monotonic() of the last look
    fingerprint: str | None = None  # of sqlite_stat1 after the last look


_STATES: "weakref.WeakKeyDictionary[Engine, _State]" = weakref.WeakKeyDictionary()
_STATES_GUARD = threading.Lock()


def _state(engine: Engine) -> _State:
    base = getattr(engine, "_proxied", engine)  # an engine from execution_options()
    with _STATES_GUARD:
        state = _STATES.get(base)
        if state is None:
            state = _STATES[base] = _State(threading.Lock())
        return state


def maybe_refresh(engine: Engine, *, every: dt.timedelta = DEFAULT_EVERY,
                  analysis_limit: int = DEFAULT_ANALYSIS_LIMIT,
                  now: float | None = None) -> Refresh | None:
    """Refresh the statistics of ``engine`` (SQLite) when this process last looked at them
    ``every`` ago or more (the first call looks at once): the periodic hook of a long-running
    process (``openrev serve``, ``openrev worker``). Returns what was done, or None when it
    was not time yet, when another thread is refreshing this engine, or on PostgreSQL
    (autovacuum keeps its statistics). Never raises: a failure is logged and tried again
    ``every`` later. ``now``: a ``time.monotonic()`` value, for tests.

    It also notices statistics written by another process since its last look, and then has
    the engine's pooled connections re-read them."""
    if engine.dialect.name != "sqlite":
        return None
    state = _state(engine)
    moment = time.monotonic() if now is None else now
    if state.last is not None and moment - state.last < every.total_seconds():
        return None
    if not state.lock.acquire(blocking=False):
        return None
    try:
        if state.last is not None and moment - state.last < every.total_seconds():
            return None
        state.last = moment
        try:
            with read_only_engine(engine).connect() as conn:
                seen = _sqlite_fingerprint(conn)
                conn.rollback()
            if state.fingerprint is not None and seen != state.fingerprint:
                statistics_changed(engine)  # another process analysed: reload them here
            result = refresh_statistics(engine, analysis_limit=analysis_limit)
            with read_only_engine(engine).connect() as conn:  # as this refresh left them
                state.fingerprint = _sqlite_fingerprint(conn)
                conn.rollback()
            return result
        except Exception:  # noqa: BLE001 - a periodic chore must not stop its caller
            log.exception("refreshing the planner statistics failed; trying again in %s",
                          every)
            return None
    finally:
        state.lock.release()

