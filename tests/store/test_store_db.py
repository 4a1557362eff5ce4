"""openrev.store.db: URLs, engines, sessions."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from sqlalchemy import text

from openrev.store.db import (
    DEFAULT_DATABASE_URL,
    display_url,
    is_sqlite,
    make_engine,
    make_sessionmaker,
    normalize_url,
)


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgresql://u:p@h:5432/db", "postgresql+psycopg://u:p@h:5432/db"),
        ("postgres://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgresql+psycopg://u@h/db", "postgresql+psycopg://u@h/db"),
        ("sqlite:///openrev.db", "sqlite:///openrev.db"),
        ("sqlite:////tmp/x.db", "sqlite:////tmp/x.db"),
        ("sqlite://", "sqlite://"),
    ],
)
def test_normalize_url(given: str, expected: str) -> None:
    assert normalize_url(given) == expected


def test_default_url() -> None:
    assert DEFAULT_DATABASE_URL == "sqlite:///openrev.db"


def test_display_url_masks_password() -> None:
    assert "secret" not in display_url("postgresql://u:secret@h/db")


def test_sqlite_pragmas(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    try:
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000
            assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
    finally:
        engine.dispose()


def test_sqlite_synchronous_normal_by_setting(tmp_path: Path, monkeypatch) -> None:
    from openrev.settings import Settings, SettingsError

    monkeypatch.setenv("OPENREV_SQLITE_SYNCHRONOUS", "normal")
    assert Settings.from_env().sqlite_synchronous == "NORMAL"
    for engine in (make_engine(f"sqlite:///{tmp_path / 'x.db'}"),  # from the environment
                   make_engine(f"sqlite:///{tmp_path / 'y.db'}", sqlite_synchronous="NORMAL")):
        try:
            with engine.connect() as conn:
                assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
        finally:
            engine.dispose()
    monkeypatch.setenv("OPENREV_SQLITE_SYNCHRONOUS", "OFF")
    with pytest.raises(SettingsError, match="OPENREV_SQLITE_SYNCHRONOUS='OFF': must be one of "
                                            "FULL, NORMAL"):
        Settings.from_env()


@pytest.mark.skipif(not hasattr(os, "fork"), reason="os.fork")
def test_a_forked_process_never_uses_a_pooled_sqlite_connection_of_its_parent(
        tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    try:
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE t (x INTEGER)"))
            conn.execute(text("INSERT INTO t VALUES (1)"))
            parents = conn.connection.dbapi_connection  # back in the pool afterwards
        pid = os.fork()
        if pid == 0:  # the child: report through the exit status, run nothing of pytest's
            status = 1
            try:
                with engine.begin() as conn:
                    status = 3 if conn.connection.dbapi_connection is parents else 0
                    conn.execute(text("INSERT INTO t VALUES (2)"))
            finally:
                os._exit(status)
        _, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0, "the child used its parent's connection"
        with engine.connect() as conn:  # the parent's connection still works, and sees it
            assert conn.connection.dbapi_connection is parents
            assert conn.execute(text("SELECT count(*) FROM t")).scalar() == 2
    finally:
        engine.dispose()


def test_sqlite_memory_is_shared_between_connections() -> None:
    engine = make_engine("sqlite://")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (x INTEGER)"))
        conn.execute(text("INSERT INTO t VALUES (1)"))
    with engine.connect() as conn:
        assert conn.execute(text("SELECT x FROM t")).scalar() == 1
    engine.dispose()


def test_postgres_engine_uses_psycopg() -> None:
    engine = make_engine("postgresql://u@127.0.0.1:1/db")  # does not connect
    assert engine.url.drivername == "postgresql+psycopg"
    assert engine.pool._pre_ping is False  # pinged only after being idle (next tests)
    engine.dispose()


@pytest.fixture
def pg_engine(database_url: str):
    if is_sqlite(database_url):
        pytest.skip("PostgreSQL's pooled connections")
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


def _pings(engine, monkeypatch) -> list[int]:
    seen: list[int] = []
    real = engine.dialect.do_ping

    def counted(dbapi_connection):
        seen.append(1)
        return real(dbapi_connection)

    monkeypatch.setattr(engine.dialect, "do_ping", counted)
    return seen


def test_a_connection_in_use_a_moment_ago_is_not_pinged(pg_engine, monkeypatch) -> None:
    pings = _pings(pg_engine, monkeypatch)
    for _ in range(5):
        with pg_engine.connect() as conn:
            assert conn.execute(text("SELECT 1")).scalar() == 1
    assert pings == []


def test_an_idle_connection_the_server_dropped_is_replaced(pg_engine, monkeypatch) -> None:
    import openrev.store.db as db

    monkeypatch.setattr(db, "PING_AFTER_IDLE_SECONDS", 0.2)
    pings = _pings(pg_engine, monkeypatch)
    with pg_engine.connect() as conn:
        pid = conn.execute(text("SELECT pg_backend_pid()")).scalar()
    with make_engine(str(pg_engine.url.render_as_string(hide_password=False))).connect() as other:
        other.execute(text("SELECT pg_terminate_backend(:p)"), {"p": pid})
        other.commit()
    time.sleep(0.3)
    with pg_engine.connect() as conn:  # the pool's one connection is dead: pinged, replaced
        assert conn.execute(text("SELECT pg_backend_pid()")).scalar() != pid
    assert len(pings) == 1


def test_sessions_do_not_expire_on_commit() -> None:
    engine = make_engine("sqlite://")
    factory = make_sessionmaker(engine)
    assert factory.kw["expire_on_commit"] is False
    engine.dispose()
