"""openrev.store.testing.fresh_database."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from openrev.store.db import make_engine
from openrev.store.testing import fresh_database


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
