"""Fixtures: the suite runs once per database backend.

SQLite always; PostgreSQL when OPENREV_TEST_POSTGRES_URL is set (CI sets it). Each run uses
a fresh database (a temporary SQLite file, or a new PostgreSQL database dropped afterwards),
migrated and loaded with the demo data. An unreachable PostgreSQL is an error, never a skip.
"""

from __future__ import annotations

import os

# A fixed key for personal data at rest (openrev.store.crypto), before anything loads one.
TEST_SECRET_KEY = "b3BlbnJldi10ZXN0LWtleS0wMDAwMDAwMDAwMDAwMDA="  # 32 bytes, urlsafe base64
os.environ["OPENREV_SECRET_KEY"] = TEST_SECRET_KEY
os.environ.pop("OPENREV_SECRET_KEY_OLD", None)
os.environ.pop("OPENREV_SECRET_KEY_FILE", None)

import socket
import threading
import time
from collections.abc import Iterator

import pytest
import uvicorn
from starlette.testclient import TestClient

from openrev.settings import Settings
from openrev.store.db import make_sessionmaker
from openrev.store.testing import demo_database, refuse_opening_open_sqlite_files
from openrev.wire.app import create_app

from openrev.domain import passwords

passwords.use_cheap_parameters_for_tests()  # production keeps the slow defaults
# reading a database file this process has open would drop its connections' locks: another
# process could then delete the WAL under them (store.testing.sqlite_file_bytes)
refuse_opening_open_sqlite_files()

PG_URL = os.environ.get("OPENREV_TEST_POSTGRES_URL")
_STARTED = time.monotonic()


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    """``make test`` reports how long the whole run took, and on which backends."""
    took = time.monotonic() - _STARTED
    terminalreporter.write_line(f"test run on {' and '.join(BACKENDS)}: {took:.0f} s "
                                f"({took / 60:.1f} min) from start to summary")
BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])


@pytest.fixture(scope="session", params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
                 ) -> Iterator[str]:
    base = f"sqlite:///{tmp_path_factory.mktemp('db')}/seed.db" if request.param == "sqlite" \
        else PG_URL
    assert base
    with demo_database(base) as url:
        yield url


@pytest.fixture(scope="session")
def settings(database_url: str) -> Settings:
    return Settings(database_url=database_url)


@pytest.fixture(scope="session")
def app(settings: Settings):
    application = create_app(settings)
    yield application
    application.state.engine.dispose()


@pytest.fixture(scope="session")
def client(app) -> Iterator[TestClient]:
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def live_url(app) -> Iterator[str]:
    """The app served by a real uvicorn on a loopback port, for zeep and raw sockets."""
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                                           lifespan="off"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="session", params=["RevAPISoap", "RevAPISoap12"])
def service(request: pytest.FixtureRequest, live_url: str):
    """A zeep client's service, built from the WSDL the live server serves, on the SOAP 1.1
    port and on the SOAP 1.2 port."""
    import zeep
    from zeep.transports import Transport

    client = zeep.Client(f"{live_url}/v20/default.asmx?WSDL", transport=Transport(timeout=30),
                         service_name="RevAPI", port_name=request.param)
    return client.service


@pytest.fixture(params=["json", "soap11", "soap12"])
def call(request: pytest.FixtureRequest, client):
    """Call an operation with a JSON-shaped body through the JSON binding, or as raw SOAP 1.1
    or 1.2 bytes (``helpers.binding_call``): a test using it runs on all three bindings."""
    from helpers import binding_call

    return binding_call(client, request.param)


@pytest.fixture(scope="session")
def sessions(app):
    """Database sessions on the test server's database, to look at what it wrote."""
    return make_sessionmaker(app.state.engine)

