"""On SQLite, no answer leaves a transaction open: every connection goes back to the pool
out of its transaction, whatever the operation did or refused. (A connection kept inside a
read transaction pins its WAL snapshot: it never sees what other processes - `openrev`
commands, other server workers - commit, and the WAL can never be reset.)"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from openrev.contract.examples import EXAMPLES
from openrev.settings import Settings
from openrev.store.db import read_only_engine
from openrev.store.testing import demo_database, sqlite_wal_reset
from openrev.wire.app import create_app


@pytest.fixture(scope="module")
def own_url(database_url: str) -> Iterator[str]:
    """A database of this module's own: the documented examples change the demo data."""
    if not database_url.startswith("sqlite"):
        pytest.skip("SQLite's WAL snapshots")
    with demo_database(database_url) as url:
        yield url


def test_every_operation_leaves_no_transaction_open(own_url: str) -> None:
    app = create_app(Settings(database_url=own_url))
    try:
        with TestClient(app, raise_server_exceptions=False) as web:
            for op, body in EXAMPLES.items():
                for sent in (body, {**body, "Credentials": {"Username": "nobody"}}):
                    r = web.post(f"/v20/json/{op}", json=sent)  # success or refusal alike
                    assert r.status_code == 200, (op, r.text)
            assert app.state.engine.pool.checkedin() >= 1
            assert sqlite_wal_reset(own_url) == (0, 0, 0)
            # the check can fail: a connection of the server's pool inside a read transaction
            with read_only_engine(app.state.engine).connect() as held:
                held.exec_driver_sql("SELECT count(*) FROM customers").scalar()
                r = web.post("/v20/json/Sessions_Create", json=EXAMPLES["Sessions_Create"])
                assert r.json()["Header"]["Success"] is True, r.text  # a write
                assert sqlite_wal_reset(own_url)[0] == 1
    finally:
        app.state.engine.dispose()
