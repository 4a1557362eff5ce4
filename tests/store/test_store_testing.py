"""openrev.store.testing: fresh_database, sqlite_file_bytes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from openrev.store.db import make_engine
from openrev.store.testing import (
    fresh_database, refuse_opening_open_sqlite_files, sqlite_file_bytes, sqlite_wal_reset,
)


def test_fresh_database_is_new_empty_and_gone_afterwards(server_url: str) -> None:
    with fresh_database(server_url) as first, fresh_database(server_url) as second:
        assert first != second
        engine = make_engine(first)
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE t (x INTEGER)"))
        engine.dispose()
    if server_url.startswith("sqlite"):
        assert not Path(first.removeprefix("sqlite:///")).exists()
        return
    admin = make_engine(server_url)
    name = first.rsplit("/", 1)[1]
    with admin.connect() as conn:
        assert conn.execute(
            text("SELECT count(*) FROM pg_database WHERE datname = :n"), {"n": name}
        ).scalar() == 0
    admin.dispose()


def test_fresh_database_drops_even_with_open_connections(server_url: str) -> None:
    with fresh_database(server_url) as url:
        engine = make_engine(url)
        conn = engine.connect()
        assert conn.execute(text("SELECT 1")).scalar() == 1
    # leaving the block did not hang or fail although `conn` was still open, and the database
    # is gone: on SQLite its file, on PostgreSQL the server has closed the connection
    if server_url.startswith("sqlite"):
        assert not Path(url.removeprefix("sqlite:///")).exists()
    else:
        with pytest.raises(Exception):
            conn.execute(text("SELECT 1"))
    conn.invalidate()
    engine.dispose()


def _rows_seen_by_another_process(path: Path) -> int:
    """``SELECT count(*) FROM t`` in a new process, whose connection (its last) then closes:
    SQLite's last connection checkpoints and deletes the WAL when no one else holds a lock."""
    done = subprocess.run(
        [sys.executable, "-c", "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); "
                               "print(c.execute('SELECT count(*) FROM t').fetchone()[0]); "
                               "c.close()", str(path)],
        capture_output=True, text=True, check=True, timeout=120)
    return int(done.stdout)


def test_reading_a_live_sqlite_database_keeps_this_process_s_locks(tmp_path: Path) -> None:
    """What this process commits after it read the files of a database it has open reaches
    other processes: the read does not drop this process's locks (which would let another
    process delete the WAL under this one's connections, and its commits with it)."""
    path = tmp_path / "live.db"
    url = f"sqlite:///{path}"
    engine = make_engine(url)  # its pool keeps an idle connection open, as a server's does
    try:
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE t (x INTEGER)"))
            conn.execute(text("INSERT INTO t VALUES (1)"))
        data = sqlite_file_bytes(url)
        assert data.startswith(b"SQLite format 3\x00") and len(data) > path.stat().st_size
        assert _rows_seen_by_another_process(path) == 1
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO t VALUES (2)"))
        assert _rows_seen_by_another_process(path) == 2
        assert Path(f"{path}-wal").exists()
    finally:
        engine.dispose()


def test_sqlite_file_bytes_and_wal_reset_are_for_sqlite_files() -> None:
    for url in ("sqlite://", "sqlite:///:memory:", "postgresql://u@localhost/db"):
        for fn in (sqlite_file_bytes, sqlite_wal_reset):
            with pytest.raises(ValueError, match="not a SQLite database file"):
                fn(url)


def test_opening_a_database_file_this_process_has_open_is_refused(tmp_path: Path) -> None:
    refuse_opening_open_sqlite_files()  # as the suite's conftest does
    path = tmp_path / "open.db"
    engine = make_engine(f"sqlite:///{path}")
    try:
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE t (x INTEGER)"))
        for name in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            with pytest.raises(RuntimeError, match="sqlite_file_bytes"):
                name.read_bytes()
        alias = tmp_path / "alias.db"
        alias.symlink_to(path)
        with pytest.raises(RuntimeError, match="has the SQLite database"):
            open(alias, "rb")  # the same file by another name
    finally:
        engine.dispose()
    assert path.read_bytes().startswith(b"SQLite format 3\x00")  # closed: nothing to drop
