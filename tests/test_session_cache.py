"""The session cache (issue 13), over the wire (JSON): a session checked against the database
is trusted for ``SESSION_CACHE_SECONDS`` without reading it again, unless this process
commits a change of users, permissions, sessions or clients, which ends every cached check at
once. A change made by another process (``openrev session revoke`` / ``user passwd`` run as
a command) or by SQL outside SQLAlchemy's Session reaches this process when the cached check
is that old: the window is documented, and tested here with an injected clock.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import delete, event, select, update
from starlette.testclient import TestClient

from openrev.cli import main
from openrev.domain.passwords import hash_password
from openrev.ops.auth import SESSION_CACHE_SECONDS
from openrev.settings import Settings
from openrev.store.db import make_engine, make_sessionmaker
from openrev.store.tables import Client, User, UserPermission
from openrev.store.testing import demo_database
from openrev.wire.app import create_app

from helpers import Clock

WINDOW = dt.timedelta(seconds=SESSION_CACHE_SECONDS)


@pytest.fixture(scope="module")
def clock() -> Clock:
    return Clock()


@pytest.fixture(scope="module")
def database_url(database_url: str) -> Iterator[str]:
    """A database of this module's own (commands in other processes change it), with the
    demo data, on the backend of the run."""
    with demo_database(database_url) as url:
        yield url


@pytest.fixture(scope="module")
def app(database_url: str, clock: Clock):
    application = create_app(Settings(database_url=database_url))
    application.state.api.clock = clock
    yield application
    application.state.engine.dispose()


@pytest.fixture(scope="module")
def web(app) -> Iterator[TestClient]:
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


@pytest.fixture(scope="module")
def db(app):
    return make_sessionmaker(app.state.engine)


@pytest.fixture(scope="module")
def reads(app) -> list[str]:
    """Every session look-up the app sends to the database (the cache's misses)."""
    seen: list[str] = []

    def on_execute(_conn, _cursor, statement: str, *_: Any) -> None:
        if "FROM api_sessions" in statement and statement.lstrip().upper().startswith("SELECT"):
            seen.append(statement)

    event.listen(app.state.engine, "before_cursor_execute", on_execute)
    yield seen
    event.remove(app.state.engine, "before_cursor_execute", on_execute)


def add_user(db, *permissions: str) -> dict[str, str]:
    name = f"c-{uuid.uuid4().hex[:12]}"
    with db.begin() as s:
        client = s.scalar(select(Client).where(Client.code == "DEMO"))
        user = User(client_id=client.id, username=name, password_hash=hash_password("pw"),
                    active=True)
        s.add(user)
        s.flush()
        for p in permissions:
            s.add(UserPermission(client_id=client.id, user_id=user.id, permission=p))
    return {"Username": name, "Password": "pw", "Client": "DEMO"}


def call(web: TestClient, op: str, body: dict[str, Any]) -> dict[str, Any]:
    r = web.post(f"/v20/json/{op}", json=body)
    assert r.status_code == 200, r.text
    return r.json()


def cached_session(web: TestClient, reads: list[str], creds: dict[str, str]) -> str:
    """A session of ``creds``, used twice: the second use is answered from the cache."""
    out = call(web, "Sessions_Create", {"Credentials": creds})
    key = out["Header"]["SessionKey"]
    assert works(web, key)
    before = len(reads)
    assert works(web, key)
    assert len(reads) == before, "the second use read the session again"
    return key


def works(web: TestClient, key: str) -> bool:
    h = call(web, "LifelineTypes_Query", {"Session": {"SessionKey": key}})["Header"]
    assert h["Success"] or h["Error_Code"] == "S2004", h
    return h["Success"]


def message(web: TestClient, key: str) -> str:
    h = call(web, "LifelineTypes_Query", {"Session": {"SessionKey": key}})["Header"]
    assert (h["Success"], h["Error_Code"]) == (False, "S2004"), h
    return h["Message"]


def ssn(web: TestClient, key: str) -> str:
    out = call(web, "Customers_Query", {"Session": {"SessionKey": key}, "CustomerID": 1})
    assert out["Header"]["Success"], out["Header"]
    return out["Customer"]["SSN"]


def command(database_url: str, *args: str) -> None:
    """``openrev ARGS --database URL`` in another process."""
    done = subprocess.run(
        [sys.executable, "-c", "import sys; from openrev.cli import main; "
                               "sys.exit(main(sys.argv[1:]))", *args,
         "--database", database_url],
        input="a new password\n", capture_output=True, text=True,
        env=dict(os.environ), timeout=120)
    assert done.returncode == 0, (done.stderr, database_url)


# ------------------------------------------------------------------ this process: at once


def test_a_cached_session_ends_at_once_on_revoke_in_this_process(web, db, reads,
                                                                  database_url, capsys):
    creds = add_user(db)
    key = cached_session(web, reads, creds)
    assert main(["session", "revoke", "DEMO", creds["Username"],
                 "--database", database_url]) == 0
    assert message(web, key) == "Session/SessionKey: unknown session key"


def test_a_cached_session_ends_at_once_on_a_password_change_in_this_process(
        web, db, reads, database_url, monkeypatch, capsys):
    creds = add_user(db)
    key = cached_session(web, reads, creds)
    monkeypatch.setattr(sys, "stdin", io.StringIO("a new password\n"))
    assert main(["user", "passwd", "DEMO", creds["Username"], "--database", database_url]) == 0
    assert not works(web, key)


def test_a_cached_session_ends_at_once_on_deactivation_in_this_process(web, db, reads):
    creds = add_user(db)
    key = cached_session(web, reads, creds)
    with db.begin() as s:
        s.execute(update(User).where(User.username == creds["Username"]).values(active=False))
    assert message(web, key) == \
        "Session/SessionKey: the session's user no longer exists or is deactivated"


def test_permissions_granted_and_taken_reach_a_cached_session_at_once(web, db, reads,
                                                                      database_url, capsys):
    creds = add_user(db)
    key = cached_session(web, reads, creds)
    assert ssn(web, key) == "*****6789"
    assert main(["user", "grant", "DEMO", creds["Username"], "VIEW_SSN",
                 "--database", database_url]) == 0
    assert ssn(web, key) == "123456789"
    with db.begin() as s:
        s.execute(delete(UserPermission).where(UserPermission.user_id == s.scalar(
            select(User.id).where(User.username == creds["Username"]))))
    assert ssn(web, key) == "*****6789"


def test_a_second_app_on_the_same_database_sees_the_change_at_once(web, db, reads,
                                                                   database_url, clock):
    """Two servers in one process (as the tests run them): a change either commits reaches
    both."""
    other = create_app(Settings(database_url=database_url))
    other.state.api.clock = clock
    try:
        with TestClient(other, raise_server_exceptions=False) as web2:
            creds = add_user(db)
            key = cached_session(web, reads, creds)
            assert works(web2, key) and works(web2, key)
            with make_sessionmaker(other.state.engine).begin() as s:
                s.execute(update(User).where(User.username == creds["Username"])
                          .values(active=False))
            assert not works(web, key) and not works(web2, key)
    finally:
        other.state.engine.dispose()


# ------------------------------------------------------------------ another process: the window


def test_a_revoke_by_another_process_ends_a_cached_session_within_the_window(
        web, db, reads, database_url, clock):
    creds = add_user(db)
    key = cached_session(web, reads, creds)
    command(database_url, "session", "revoke", "DEMO", creds["Username"])
    clock.now += WINDOW - dt.timedelta(milliseconds=1)
    assert works(web, key)  # the documented window: the check made before is still trusted
    clock.now += dt.timedelta(milliseconds=2)
    assert message(web, key) == "Session/SessionKey: unknown session key"


def test_a_password_change_by_another_process_ends_a_cached_session_within_the_window(
        web, db, reads, database_url, clock):
    creds = add_user(db)
    key = cached_session(web, reads, creds)
    command(database_url, "user", "passwd", "DEMO", creds["Username"])
    clock.now += WINDOW
    assert not works(web, key)
    refused = call(web, "Sessions_Create", {"Credentials": creds})["Header"]
    assert refused["Error_Code"] == "S2005", refused
    new = dict(creds, Password="a new password")
    assert call(web, "Sessions_Create", {"Credentials": new})["Header"]["Success"]


def test_a_deactivation_by_sql_outside_the_server_ends_a_cached_session_within_the_window(
        web, db, reads, database_url, clock):
    creds = add_user(db)
    key = cached_session(web, reads, creds)
    engine = make_engine(database_url)  # a plain connection: no Session, no event here
    try:
        with engine.begin() as conn:
            conn.execute(update(User).where(User.username == creds["Username"])
                         .values(active=False))
    finally:
        engine.dispose()
    assert works(web, key)
    clock.now += WINDOW
    assert message(web, key) == \
        "Session/SessionKey: the session's user no longer exists or is deactivated"
