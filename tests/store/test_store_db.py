"""openrev.store.db: URLs, engines, sessions."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from openrev.store.db import (
    DEFAULT_DATABASE_URL,
    display_url,
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


def test_postgres_engine_uses_psycopg_and_pre_ping() -> None:
    engine = make_engine("postgresql://u@127.0.0.1:1/db")  # does not connect
    assert engine.url.drivername == "postgresql+psycopg"
    assert engine.pool._pre_ping is True
    engine.dispose()


def test_sessions_do_not_expire_on_commit() -> None:
    engine = make_engine("sqlite://")
    factory = make_sessionmaker(engine)
    assert factory.kw["expire_on_commit"] is False
    engine.dispose()
