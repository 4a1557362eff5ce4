"""A new user's first hour: the examples run as documented on a fresh demo database,
``openrev demo --reset`` puts the demo data back, ``openrev serve`` refuses an unmigrated
database, a port in use and bad settings with one line, ``/health`` tells the schema is not
current, the start page, logging, and what ``serve`` prints."""

from __future__ import annotations

import json
import logging
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
from lxml import html
from sqlalchemy import Column, ForeignKey, Integer, MetaData, Table, select, update
from starlette.testclient import TestClient

from openrev.cli import main
from openrev.contract.examples import EXAMPLES
from openrev.contract.operations import OPERATIONS
from openrev.logs import JsonFormatter, TextFormatter, log_config
from openrev.ops.base import HANDLERS
from openrev.settings import Settings
from openrev.store.db import make_engine, make_sessionmaker
from openrev.store.demo import LISTED_CUSTOMER_ROWS, customer_tree
from openrev.store.migrate import head_revision, upgrade
from openrev.store.tables import Base, Customer, CustomerHistory, InventoryItem, Service
from openrev.store.testing import fresh_database
from openrev.wire.app import create_app
from openrev.wire.health import HealthCheck

PG_URL = os.environ.get("OPENREV_TEST_POSTGRES_URL")
BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])
NOT_IMPLEMENTED = sorted(set(OPERATIONS) - set(HANDLERS))


@pytest.fixture(params=BACKENDS)
def empty_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """A new database, never migrated."""
    with fresh_database("sqlite://" if request.param == "sqlite" else PG_URL) as url:
        yield url


@pytest.fixture
def demo_url(empty_url: str, capsys: pytest.CaptureFixture[str]) -> str:
    """A new database loaded with ``openrev demo``."""
    assert main(["demo", "--database", empty_url]) == 0
    capsys.readouterr()
    return empty_url


def _call(client: TestClient, op: str, body: dict[str, Any]) -> dict[str, Any]:
    r = client.post(f"/v20/json/{op}", json=body)
    assert r.status_code == 200, r.text
    return r.json()


def _one_error_line(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err, err
    assert err.startswith("openrev: error: "), err
    return err.strip()


# ----------------------------------------------------------------- examples and reset


def test_every_operation_has_an_example() -> None:
    assert set(OPERATIONS) <= set(EXAMPLES), set(OPERATIONS) - set(EXAMPLES)
    for name, body in EXAMPLES.items():
        assert body["Credentials"] == {"Username": "demo", "Password": "demo",
                                       "Client": "DEMO"}, name


def test_examples_run_as_documented_and_reset_puts_the_demo_back(
    demo_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    engine = make_engine(demo_url)
    Session = make_sessionmaker(engine)  # noqa: N806
    app = create_app(Settings(database_url=demo_url))
    with TestClient(app) as client:
        jane = _call(client, "Customers_Query", EXAMPLES["Customers_Query"])["Customer"]
        assert (jane["ID"], jane["AcctNum"], jane["Status"]) == (1, "DEMO-0001", "OPEN")

        created = _call(client, "NewCustomers_Create", EXAMPLES["NewCustomers_Create"])
        assert created["Header"]["Success"] is True, created["Header"]
        new_id = created["Customer_ID"]
        assert new_id == 3 and created["Orders"] == [3] and created["Status"] == "PENDING"

        updated = _call(client, "Orders_Update", EXAMPLES["Orders_Update"])
        assert updated["Header"]["Success"] is True, updated["Header"]
        assert (updated["Order"]["ID"], updated["Order"]["Status"]) == (3, "COMPLETE")

        line = _call(client, "Lines_Update", EXAMPLES["Lines_Update"])
        assert line["Header"]["Success"] is True, line["Header"]

        for op in ("Sessions_Create", "Orders_Query", "Orders_Search", "LifelineTypes_Query"):
            assert _call(client, op, EXAMPLES[op])["Header"]["Success"] is True, op
        for op in NOT_IMPLEMENTED:
            assert _call(client, op, EXAMPLES[op])["Header"]["Error_Code"] == "CN2001", op
    app.state.engine.dispose()

    with Session.begin() as s:  # what other commands may do to the listed rows
        s.execute(update(Customer).where(Customer.id == 1).values(email="changed@example.com",
                                                                  balance=12))
        s.add(CustomerHistory(client_id=1, customer_id=1, category="NOTE", note="extra"))
    with Session() as s:
        device = s.scalar(select(InventoryItem).where(
            InventoryItem.identifier == "356938035643801"))
        assert (device.status, device.customer_id) != ("AVAILABLE", None)
        assert s.get(Service, 1).tn == "8505550199"

    assert main(["demo", "--reset", "--database", demo_url]) == 0
    out = capsys.readouterr().out
    assert "demo data reset" in out and "(1 sign-up customer(s) removed)" in out

    with Session() as s:
        device = s.scalar(select(InventoryItem).where(
            InventoryItem.identifier == "356938035643801"))
        assert (device.status, device.customer_id, device.service_id, device.assigned_date) \
            == ("AVAILABLE", None, None, None)
        assert s.get(Customer, new_id) is None
        assert s.get(Service, 1).tn == "8505550100"
        for table in customer_tree():  # only the listed rows are left
            ids = set(s.scalars(select(table.c.id)))
            assert ids == set(LISTED_CUSTOMER_ROWS.get(table.name, ())), table.name

    app = create_app(Settings(database_url=demo_url))
    with TestClient(app) as client:
        again = _call(client, "Customers_Query", EXAMPLES["Customers_Query"])["Customer"]
        assert again == jane
        # the device can be used again
        created = _call(client, "NewCustomers_Create", EXAMPLES["NewCustomers_Create"])
        assert created["Header"]["Success"] is True, created["Header"]
    app.state.engine.dispose()
    engine.dispose()


def test_reset_finds_tables_added_later() -> None:
    names = {t.name for t in customer_tree()}
    assert {"customers", "addresses", "services", "orders", "order_ports", "customer_products",
            "customer_lifelines", "nlad_enrollments", "customer_field_values",
            "customer_tax_exemptions", "customer_history", "payment_accounts"} <= names
    assert not names & {"inventory_items", "products", "users", "clients", "packages"}
    metadata = MetaData()
    for table in Base.metadata.tables.values():
        table.to_metadata(metadata)
    Table("order_notes", metadata, Column("id", Integer, primary_key=True),
          Column("client_id", ForeignKey("clients.id")),
          Column("order_id", ForeignKey("orders.id")))
    assert "order_notes" in {t.name for t in customer_tree(metadata)}


def test_demo_without_reset_keeps_sign_ups(demo_url: str,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    app = create_app(Settings(database_url=demo_url))
    with TestClient(app) as client:
        assert _call(client, "NewCustomers_Create",
                     EXAMPLES["NewCustomers_Create"])["Header"]["Success"] is True
    app.state.engine.dispose()
    assert main(["demo", "--database", demo_url]) == 0
    assert "demo data loaded" in capsys.readouterr().out
    engine = make_engine(demo_url)
    with make_sessionmaker(engine)() as s:
        assert sorted(s.scalars(select(Customer.id))) == [1, 2, 3]
    engine.dispose()


# ----------------------------------------------------------------- schema and /health


def test_serve_refuses_a_database_never_migrated(empty_url: str,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "--database", empty_url]) == 1
    line = _one_error_line(capsys)
    assert "was never initialised" in line and "run `openrev init`" in line


def test_health_is_503_until_the_schema_is_current(empty_url: str) -> None:
    app = create_app(Settings(database_url=empty_url))
    with TestClient(app) as client:
        r = client.get("/health")
    assert r.status_code == 503
    assert r.json() == {
        "status": "schema not current", "revision": None, "required": head_revision(),
        "reason": f"database schema is at revision none (never migrated), this server needs "
                  f"{head_revision()}: run openrev init"}

    check = HealthCheck(app.state.engine)
    assert check.answer()[0] == 503
    upgrade(empty_url)
    assert check.answer() == (200, {"status": "ok"})  # asked afresh: no cached 503
    with TestClient(app) as client:  # the server's own, right after its 503 above
        assert client.get("/health").status_code == 200
    app.state.engine.dispose()


# ----------------------------------------------------------------- one-line errors


@pytest.mark.parametrize("name, value, expected", [
    ("OPENREV_PORT", "abc", "OPENREV_PORT='abc': must be an integer from 1 to 65535"),
    ("OPENREV_PORT", "70000", "OPENREV_PORT='70000': must be an integer from 1 to 65535"),
    ("OPENREV_SESSION_IDLE_MINUTES", "x",
     "OPENREV_SESSION_IDLE_MINUTES='x': must be an integer >= 1"),
    ("OPENREV_MAX_BODY_BYTES", "-1", "OPENREV_MAX_BODY_BYTES='-1': must be an integer >= 1"),
    ("OPENREV_LOG_LEVEL", "loud",
     "OPENREV_LOG_LEVEL='loud': must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL"),
    ("OPENREV_LOG_FORMAT", "xml", "OPENREV_LOG_FORMAT='xml': must be one of text, json"),
    ("OPENREV_DATABASE_URL", "nonsense",
     "OPENREV_DATABASE_URL: 'nonsense' is not a database URL (use sqlite:///PATH.db or "
     "postgresql://USER:PASSWORD@HOST:5432/DB)"),
    ("OPENREV_DATABASE_URL", "mysql://root:hunter2@db/rev",
     "OPENREV_DATABASE_URL: unsupported database URL 'mysql://root:***@db/rev' (use "
     "sqlite:///PATH.db or postgresql://USER:PASSWORD@HOST:5432/DB)"),
])
def test_a_bad_setting_is_one_line_naming_it(
    name: str, value: str, expected: str, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv(name, value)
    assert main(["serve"]) == 2
    assert _one_error_line(capsys) == f"openrev: error: {expected}"


def test_an_unsupported_database_flag_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["init", "--database", "mysql://root:hunter2@db/rev"]) == 2
    line = _one_error_line(capsys)
    assert line.startswith("openrev: error: --database: unsupported database URL")
    assert "hunter2" not in line


def test_a_port_in_use_is_one_line(demo_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["serve", "--database", demo_url, "--host", "127.0.0.1",
                     "--port", str(port)]) == 1
    assert _one_error_line(capsys) == (
        f"openrev: error: port {port} on 127.0.0.1 is already in use: stop the program "
        "listening there or choose another port with --port or OPENREV_PORT")


def test_a_bad_setting_in_a_real_process_is_one_line() -> None:
    env = {**os.environ, "OPENREV_SESSION_IDLE_MINUTES": "x"}
    done = subprocess.run([sys.executable, "-m", "openrev.cli", "serve"], env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert done.stderr == ("openrev: error: OPENREV_SESSION_IDLE_MINUTES='x': must be an "
                           "integer >= 1\n")


# ----------------------------------------------------------------- start page


@pytest.mark.parametrize("path", ["/", "/v20/default.asmx"])
def test_start_page(client: TestClient, path: str) -> None:
    r = client.get(path)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    page = html.fromstring(r.text)
    links = set(page.xpath("//a/@href"))
    assert {"/v20/default.asmx?WSDL", "/docs", "/health"} <= links
    items = {li.xpath("string(.//code)"): li.text_content() for li in page.xpath("//ul[2]/li")}
    assert set(items) == set(OPERATIONS)
    for name, text in items.items():
        assert ("(not implemented)" in text) == (name in NOT_IMPLEMENTED), name
    assert "DEMO / demo / demo" in page.text_content()
    curl = page.get_element_by_id("curl-example").text_content()
    assert curl.startswith("curl -s -X POST http://testserver/v20/json/NewCustomers_Create \\\n"
                           "  -H 'Content-Type: application/json' \\\n  -d '")
    assert json.loads(curl.split(" -d '", 1)[1].rstrip("'")) == EXAMPLES["NewCustomers_Create"]
    assert "&quot;Credentials&quot;" in r.text  # HTML-escaped in the page source


# ----------------------------------------------------------------- logging


def _record(msg: str, *args: Any, exc: bool = False) -> logging.LogRecord:
    exc_info = None
    if exc:
        try:
            raise ValueError("boom")
        except ValueError:
            exc_info = sys.exc_info()
    record = logging.LogRecord("openrev.wire", logging.WARNING, __file__, 1, msg, args,
                               exc_info)
    record.created = 1704207600.25  # 2024-01-02T15:00:00.250Z
    return record


def test_json_log_lines() -> None:
    line = JsonFormatter().format(_record("served %s", "x"))
    assert json.loads(line) == {"time": "2024-01-02T15:00:00.250+00:00", "level": "WARNING",
                                "logger": "openrev.wire", "message": "served x"}
    with_exc = json.loads(JsonFormatter().format(_record("failed", exc=True)))
    assert with_exc["message"] == "failed"
    assert with_exc["exception"].startswith("Traceback") and "ValueError: boom" in \
        with_exc["exception"]
    assert "\n" not in JsonFormatter().format(_record("failed", exc=True))


def test_text_log_lines() -> None:
    assert TextFormatter().format(_record("served %s", "x")) == \
        "2024-01-02T15:00:00.250+00:00 WARNING openrev.wire: served x"


def test_log_config_covers_uvicorn() -> None:
    config = log_config("debug", "json")
    assert config["formatters"]["openrev"] == {"()": "openrev.logs.JsonFormatter"}
    assert config["root"] == {"level": "DEBUG", "handlers": ["stderr"]}
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        assert config["loggers"][name] == {"level": "DEBUG", "handlers": [], "propagate": True}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_prints_the_urls_and_logs_json(demo_url: str) -> None:
    port = _free_port()
    env = {**os.environ, "OPENREV_LOG_FORMAT": "json"}
    env.pop("OPENREV_LOG_LEVEL", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "openrev.cli", "serve", "--database", demo_url,
         "--port", str(port), "--log-level", "debug"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{base}/health", timeout=2) as r:
                    assert r.status == 200
                    break
            except OSError:
                assert proc.poll() is None and time.monotonic() < deadline, proc.stderr.read()
                time.sleep(0.1)
    finally:
        proc.terminate()
        out, err = proc.communicate(timeout=30)
    lines = out.splitlines()
    assert lines[1:] == [
        f"  start page     {base}/",
        f"  SOAP endpoint  {base}/v20/default.asmx",
        f"  WSDL           {base}/v20/default.asmx?WSDL",
        f"  JSON API docs  {base}/docs",
        f"  health         {base}/health",
        f"  console        {base}/console/",
        "  demo credentials (after `openrev demo`): Client DEMO, Username demo, Password demo",
        "  order worker   running in this process (--no-worker: run `openrev worker` elsewhere)",
    ]
    assert lines[0].startswith("openrev serving ")
    records = [json.loads(line) for line in err.splitlines()]
    assert records, err
    for rec in records:
        assert set(rec) >= {"time", "level", "logger", "message"}
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00", rec["time"])
    loggers = {rec["logger"] for rec in records}
    assert {"uvicorn.error", "uvicorn.access"} <= loggers, loggers
    assert any(rec["level"] == "DEBUG" for rec in records), records
    access = [rec for rec in records if rec["logger"] == "uvicorn.access"]
    assert "GET /health HTTP/1.1" in access[0]["message"]
