"""Running a unit of work in one transaction: the one place that knows how SQLite and
PostgreSQL transactions are begun, serialized and retried.

Usage::

    runner = TransactionRunner(sessions)                     # sessions: a sessionmaker
    rows = runner.run(False, lambda db: db.scalars(...).all())   # reads: never blocks a writer
    runner.run(True, lambda db: db.add(...))                     # writes: one at a time

``run(write, fn)`` opens a session, begins a transaction, calls ``fn(db)``, commits and
returns what ``fn`` returned; whatever ``fn`` raises rolls the transaction back and
propagates.

SQLite (one writer at a time, WAL journal):

* a reader begins DEFERRED with ``PRAGMA query_only`` (:func:`openrev.store.db.read_only_engine`):
  it reads a snapshot and neither waits for nor blocks the writer;
* a writer first takes the in-process :func:`openrev.store.db.write_lock`, then begins
  ``BEGIN IMMEDIATE``: writers of one process queue on a Python lock instead of polling the
  busy timeout, and hold SQLite's write lock only while their own transaction runs;
* writers of other processes (``openrev serve --workers N``) still meet SQLite's lock: they
  wait up to the busy timeout (5 s), and a transaction that still fails with ``database is
  locked`` is run again from the start (:data:`ATTEMPTS` times in all, with a growing pause)
  before the error could reach a client.

PostgreSQL: a writer's transaction is a plain ``BEGIN``; writers lock the rows they change
(``SELECT ... FOR UPDATE`` in the repositories). A reader runs in autocommit mode
(:func:`openrev.store.db.read_only_engine`): no ``BEGIN``/``COMMIT`` round trips, and the
same reads, since READ COMMITTED gives each statement its own snapshot anyway.

Keep ``fn`` short and free of slow work (a password hash, a network call): it runs while the
write lock is held, and it may be run more than once.
"""

from __future__ import annotations

import logging
import random
import time
from contextlib import contextmanager
from typing import Callable, Iterator, TypeVar

from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session as DbSession, sessionmaker

from .db import BUSY_TIMEOUT_MS, read_only_engine, write_lock

log = logging.getLogger("openrev.store")

T = TypeVar("T")

ATTEMPTS = 6
"""How many times a transaction that failed with ``database is locked`` is run in all."""

LOCK_WAIT_SECONDS = 30.0
"""How long a writer waits for the in-process write lock before giving up."""

TRY_WAIT_SECONDS = 0.2
"""How long :meth:`TransactionRunner.try_write` waits for the write lock (in-process, then
SQLite's) before it skips its work."""


class DatabaseBusy(Exception):
    """The database stayed locked (another process kept writing) through every attempt, or
    the in-process write lock was not free in time."""


def is_locked_error(exc: BaseException) -> bool:
    """True for SQLite's ``database is locked`` / ``database table is locked`` (SQLITE_BUSY,
    SQLITE_LOCKED), the errors a retry can cure."""
    if not isinstance(exc, OperationalError):
        return False
    text = str(exc.orig or exc).lower()
    return "database is locked" in text or "database table is locked" in text


class TransactionRunner:
    """Runs functions in transactions of one database (see the module documentation)."""

    def __init__(self, sessions: sessionmaker[DbSession], *, attempts: int = ATTEMPTS,
                 lock_wait: float = LOCK_WAIT_SECONDS) -> None:
        engine = sessions.kw["bind"]
        self.sessions = sessions
        self.sqlite = engine.dialect.name == "sqlite"
        self.attempts = attempts
        self.lock_wait = lock_wait
        self._lock = write_lock(engine)
        self._quick = sessions
        options = {k: v for k, v in sessions.kw.items() if k != "bind"}
        self._readers = sessionmaker(bind=read_only_engine(engine), **options)
        if self.sqlite:
            self._quick = sessionmaker(bind=engine.execution_options(
                **{BUSY_TIMEOUT_MS: int(TRY_WAIT_SECONDS * 1000)}), **options)

    def run(self, write: bool, fn: Callable[[DbSession], T], *, attempts: int | None = None,
            lock_wait: float | None = None) -> T:
        """``fn(db)`` in one transaction, committed when it returns; run again (up to
        ``attempts`` times in all) when SQLite answers ``database is locked``. Raises
        :class:`DatabaseBusy` when every attempt found the database locked."""
        tries = self.attempts if attempts is None else attempts
        for attempt in range(1, tries + 1):
            try:
                with self._write_lock(write, lock_wait):
                    return self._once(write, fn)
            except OperationalError as exc:
                if not (self.sqlite and is_locked_error(exc)):
                    raise
                if attempt == tries:
                    raise DatabaseBusy(f"the database stayed locked through {tries} "
                                       "attempts") from exc
                pause = min(0.05 * 2 ** (attempt - 1), 1.0) * (0.5 + random.random())
                log.info("database is locked (attempt %d of %d); retrying in %.2f s",
                         attempt, tries, pause)
                time.sleep(pause)
        raise AssertionError("unreachable")  # pragma: no cover

    def try_write(self, fn: Callable[[DbSession], object]) -> bool:
        """``fn(db)`` in a write transaction when the database can be had at once (within
        :data:`TRY_WAIT_SECONDS`); False when it was skipped. For bookkeeping that a later
        request can do as well (a session's last-use time), never for data."""
        if self._lock is not None and not self._lock.acquire(timeout=TRY_WAIT_SECONDS):
            return False
        try:
            with self._quick() as db, db.begin():
                fn(db)
            return True
        except OperationalError as exc:
            if not (self.sqlite and is_locked_error(exc)):
                raise
            return False
        finally:
            if self._lock is not None:
                self._lock.release()

    def _once(self, write: bool, fn: Callable[[DbSession], T]) -> T:
        factory = self.sessions if write else self._readers
        with factory() as db, db.begin():
            return fn(db)

    @contextmanager
    def _write_lock(self, write: bool, lock_wait: float | None) -> Iterator[None]:
        lock = self._lock if write else None
        if lock is None:
            yield
            return
        wait = self.lock_wait if lock_wait is None else lock_wait
        if not lock.acquire(timeout=wait):
            raise DatabaseBusy(f"no write slot became free within {wait:g} s")
        try:
            yield
        finally:
            lock.release()

