"""openrev.store.uow: read-only and write transactions, the SQLite write lock, retries."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from openrev.store import uow
from openrev.store.db import make_engine, make_sessionmaker, read_only_engine, write_lock
from openrev.store.testing import sqlite_wal_reset
from openrev.store.uow import DatabaseBusy, TransactionRunner


@pytest.fixture
def runner(tmp_path: Path):
    engine = make_engine(f"sqlite:///{tmp_path / 'u.db'}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (x INTEGER)"))
    yield TransactionRunner(make_sessionmaker(engine))
    engine.dispose()


def _locked() -> OperationalError:
    return OperationalError("INSERT", {}, sqlite3.OperationalError("database is locked"))


def test_a_locked_database_is_retried_then_the_work_is_done(runner, monkeypatch):
    monkeypatch.setattr(uow.time, "sleep", lambda s: None)
    attempts = []

    def work(db):
        attempts.append(1)
        if len(attempts) < 3:
            raise _locked()
        db.execute(text("INSERT INTO t VALUES (1)"))
        return "done"

    assert runner.run(True, work) == "done"
    assert len(attempts) == 3
    assert runner.run(False, lambda db: db.execute(text("SELECT count(*) FROM t")).scalar()) == 1


def test_a_database_locked_through_every_attempt_is_busy(runner, monkeypatch):
    monkeypatch.setattr(uow.time, "sleep", lambda s: None)
    attempts = []

    def work(db):
        attempts.append(1)
        raise _locked()

    with pytest.raises(DatabaseBusy, match="locked through 6 attempts"):
        runner.run(True, work)
    assert len(attempts) == uow.ATTEMPTS == 6


def test_other_errors_are_not_retried(runner):
    attempts = []

    def work(db):
        attempts.append(1)
        db.execute(text("SELECT * FROM no_such_table"))

    with pytest.raises(OperationalError, match="no such table"):
        runner.run(True, work)
    assert attempts == [1]


def test_writers_of_one_process_queue_on_the_write_lock(runner):
    lock = write_lock(runner.sessions.kw["bind"])
    assert lock is not None and lock is runner._lock
    entered = threading.Event()
    release = threading.Event()
    order: list[str] = []

    def first(db):
        db.execute(text("INSERT INTO t VALUES (1)"))
        entered.set()
        release.wait(5)
        order.append("first")

    t = threading.Thread(target=runner.run, args=(True, first))
    t.start()
    assert entered.wait(5)
    assert lock.locked()  # the second writer waits here, not on SQLite's busy timeout
    # a reader is not held up by the writer
    t0 = time.monotonic()
    assert runner.run(False, lambda db: db.execute(text("SELECT count(*) FROM t")).scalar()) == 0
    assert time.monotonic() - t0 < 1
    second = threading.Thread(target=runner.run, args=(True, lambda db: order.append("second")))
    second.start()
    time.sleep(0.2)
    assert order == []
    release.set()
    t.join(5)
    second.join(5)
    assert order == ["first", "second"]


def test_try_write_skips_when_another_process_holds_the_lock(runner, tmp_path):
    holder = sqlite3.connect(tmp_path / "u.db", timeout=0.1, isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")
        t0 = time.monotonic()
        assert runner.try_write(lambda db: db.execute(text("INSERT INTO t VALUES (1)"))) is False
        assert time.monotonic() - t0 < 2  # not the 5 s busy timeout
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert runner.try_write(lambda db: db.execute(text("INSERT INTO t VALUES (1)"))) is True
    assert runner.run(False, lambda db: db.execute(text("SELECT count(*) FROM t")).scalar()) == 1


def test_postgres_writers_take_no_process_lock():
    engine = make_engine("postgresql://u@127.0.0.1:1/db")  # does not connect
    assert write_lock(engine) is None
    assert TransactionRunner(make_sessionmaker(engine))._lock is None
    engine.dispose()


def _count(db) -> int:
    return db.execute(text("SELECT count(*) FROM t")).scalar()


def test_no_transaction_outlives_its_unit_of_work(runner, tmp_path):
    """Every connection goes back to the pool out of its transaction: reads, writes, work that
    failed, skipped bookkeeping, statistics refreshes; four of them are kept open meanwhile,
    as a server's pool keeps them."""
    from openrev.store.stats import maybe_refresh, refresh_statistics

    engine = runner.sessions.kw["bind"]
    url = f"sqlite:///{tmp_path / 'u.db'}"
    runner.run(True, lambda db: db.execute(text("INSERT INTO t VALUES (1)")))
    held = [engine.connect() for _ in range(4)]  # the pool then holds four connections
    for conn in held:
        conn.close()
    for write in (False, True):
        assert runner.run(write, _count) == 1

        def fails(db):
            _count(db)
            raise ValueError("the work failed")

        with pytest.raises(ValueError):
            runner.run(write, fails)
    assert runner.try_write(lambda db: db.execute(text("INSERT INTO t VALUES (2)"))) is True
    refresh_statistics(engine)
    assert maybe_refresh(engine) is not None
    with make_sessionmaker(engine)() as db:  # a plain Session: closed, not committed
        assert _count(db) == 2
    assert engine.pool.checkedin() >= 2
    assert sqlite_wal_reset(url) == (0, 0, 0)
    # the check can fail: a connection left inside its read transaction
    reader = read_only_engine(engine).connect()
    try:
        assert _count(reader) == 2
        runner.run(True, lambda db: db.execute(text("INSERT INTO t VALUES (3)")))
        assert sqlite_wal_reset(url)[0] == 1
    finally:
        reader.close()
    assert sqlite_wal_reset(url) == (0, 0, 0)


def test_postgres_reads_run_in_autocommit_and_writes_in_a_transaction(engine, Session):
    """On PostgreSQL a read sends no BEGIN nor COMMIT (two round trips less; READ COMMITTED
    gives every statement its own snapshot either way); a write is one transaction."""
    if engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL's transactions")
    runner = TransactionRunner(Session)

    def mode(db) -> tuple[bool, str]:
        raw = db.connection().connection.dbapi_connection
        db.execute(text("SELECT 1"))
        return raw.autocommit, raw.info.transaction_status.name

    assert runner.run(False, mode) == (True, "IDLE")  # no transaction open after a SELECT
    assert runner.run(True, mode) == (False, "INTRANS")
    # the pool gives the connection back as it found it: the next write is transactional
    assert runner.run(True, mode) == (False, "INTRANS")
