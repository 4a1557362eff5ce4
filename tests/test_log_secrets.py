"""Nothing secret in the server log nor in Debug (issue 7): a live server logging everything
at DEBUG (openrev, uvicorn, SQLAlchemy's SQL with its parameters) to files, in the text and
the JSON format, is sent passwords, ImpersonationKeys, SessionKeys, SSN, DL, DOB,
SecurityPIN and PINPassword over JSON and SOAP, including calls that fail inside a handler,
in the wire layer, and calls with Debug=true; then the whole log and every Debug echo are
searched for each secret.
"""

from __future__ import annotations

import logging
import re
import secrets
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from sqlalchemy import select

from lxml import etree

from helpers import child_text, envelope, headers_for, result_of, to_xml
from openrev.contract.operations import OPERATIONS
from openrev.domain.passwords import hash_impersonation_key, hash_password
from openrev.logs import JsonFormatter, TextFormatter
from openrev.ops.base import HANDLERS, Registered
from openrev.settings import Settings
from openrev.store.db import make_engine, make_sessionmaker
from openrev.store.demo import load_demo
from openrev.store.migrate import upgrade
from openrev.store.tables import User, UserPermission
from openrev.store.testing import fresh_database
from openrev.wire import jsoncodec
from openrev.wire.app import create_app

PASSWORD = f"Pw-{secrets.token_hex(8)}"
IMPERSONATION_KEY = f"Imp-{secrets.token_hex(8)}"
SSN_DIGITS = "".join(str(secrets.randbelow(10)) for _ in range(9))
SSN = f"{SSN_DIGITS[:3]}-{SSN_DIGITS[3:5]}-{SSN_DIGITS[5:]}"
DL = f"DLlog{secrets.randbelow(10**9):09d}"
DOB = f"19{20 + secrets.randbelow(50)}-0{1 + secrets.randbelow(9)}-1{secrets.randbelow(10)}"
PIN = f"{1000 + secrets.randbelow(9000)}"
PORT_PIN = f"PortPin-{secrets.token_hex(6)}"
ADDRESS = {"FirstName": "Log", "LastName": "Secret", "Address1": "1 Main St",
           "City": "Pensacola", "State": "FL", "Zip": "32502"}


class _NotClient(logging.Filter):
    """The server's log only: the test's own HTTP client (httpx, httpcore) is not the server."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.name.startswith(("httpx", "httpcore"))


@pytest.fixture
def logged(tmp_path: Path) -> Iterator[list[Path]]:
    """Everything logged in this process at DEBUG (and SQLAlchemy's SQL log), to a
    text-format and a JSON-format file."""
    files = [tmp_path / "server.log", tmp_path / "server.json.log"]
    root = logging.getLogger()
    handlers = []
    for path, formatter in zip(files, (TextFormatter(), JsonFormatter())):
        handler = logging.FileHandler(path, encoding="utf-8")
        handler.setFormatter(formatter)
        handler.setLevel(logging.DEBUG)
        handler.addFilter(_NotClient())
        handlers.append(handler)
        root.addHandler(handler)
    # SQLAlchemy's own logger stays at WARNING unless asked (`openrev serve --log-level
    # DEBUG` does not): turn on its SQL log (INFO: statements and their parameters; DEBUG
    # would add every result row, a data dump by design)
    sql = logging.getLogger("sqlalchemy.engine")
    levels = root.level, sql.level
    root.setLevel(logging.DEBUG)
    sql.setLevel(logging.INFO)
    try:
        yield files
    finally:
        root.setLevel(levels[0])
        sql.setLevel(levels[1])
        for handler in handlers:
            root.removeHandler(handler)
            handler.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(logged: list[Path]) -> Iterator[str]:
    """A fresh database with the demo data, a user ``logger`` (password PASSWORD, every
    permission) and clerk's ImpersonationKey IMPERSONATION_KEY; served by uvicorn at DEBUG.
    The app (and its engine) is made after DEBUG is on, so SQLAlchemy logs its SQL too."""
    with fresh_database("sqlite://") as url:
        upgrade(url)
        engine = make_engine(url)
        with make_sessionmaker(engine).begin() as db:
            load_demo(db)
            demo = db.scalars(select(User).where(User.username == "demo")).one()
            user = User(client_id=demo.client_id, username="logger",
                        password_hash=hash_password(PASSWORD), active=True)
            db.add(user)
            db.flush()
            for p in demo.permission_names:
                db.add(UserPermission(client_id=demo.client_id, user_id=user.id, permission=p))
            clerk = db.scalars(select(User).where(User.username == "clerk")).one()
            clerk.impersonation_key_hash = hash_impersonation_key(IMPERSONATION_KEY)
        engine.dispose()
        app = create_app(Settings(database_url=url))
        port = _free_port()
        srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_config=None,
                                            log_level="debug", access_log=True,
                                            lifespan="off"))
        thread = threading.Thread(target=srv.run, daemon=True)
        thread.start()
        deadline = time.monotonic() + 20
        while not srv.started:
            assert time.monotonic() < deadline and thread.is_alive(), "server did not start"
            time.sleep(0.02)
        try:
            yield f"http://127.0.0.1:{port}"
        finally:
            srv.should_exit = True
            thread.join(timeout=10)
            app.state.engine.dispose()


def _customer(**extra: Any) -> dict[str, Any]:
    return {"PhysicalAddress": ADDRESS, "MailingAddress": ADDRESS, "SSN": SSN, "DL": DL,
            "DOB": DOB, "SecurityPIN": PIN, **extra}


def _order() -> dict[str, Any]:
    mdn = "7" + "".join(str(secrets.randbelow(10)) for _ in range(9))
    return {"PackageID": 1001, "WirelessPort": {"MDN": mdn, "PINPassword": PORT_PIN,
                                                "Address": ADDRESS}}


def _soap(http: httpx.Client, op: str, body: dict[str, Any], version: int = 11
          ) -> etree._Element:
    """The ``<OpResult>`` of a raw SOAP call."""
    xml = to_xml(body, OPERATIONS[op].request)
    r = http.post("/v20/default.asmx", content=envelope(op, xml, version=version),
                  headers=headers_for(version, op))
    assert r.status_code == 200, r.text
    return result_of(r.content, op)


def _soap_debug(result: etree._Element) -> str:
    found = [c for c in result if etree.QName(c).localname == "Debug"]
    assert found, etree.tostring(result)
    return etree.tostring(found[0], encoding="unicode")


def _boom(ctx: Any, req: Any) -> Any:
    raise RuntimeError("a handler failed")


def _debug_part(answer: dict[str, Any]) -> str:
    return repr(answer.get("Debug"))


def test_no_secret_reaches_the_log_or_debug(server: str, logged: list[Path], monkeypatch):
    creds = {"Client": "DEMO", "Username": "logger", "Password": PASSWORD}
    imp = {**creds, "ImpersonationKey": IMPERSONATION_KEY}
    session_keys: list[str] = []
    echoes: list[str] = []  # the Debug parts of the answers
    with httpx.Client(base_url=server, timeout=30) as http:
        def jpost(op: str, body: dict[str, Any]) -> dict[str, Any]:
            r = http.post(f"/v20/json/{op}", json=body)
            answer = r.json()
            if "Header" in answer and answer["Header"].get("SessionKey"):
                session_keys.append(answer["Header"]["SessionKey"])
            return answer

        ok = jpost("Sessions_Create", {"Credentials": creds, "Debug": True})
        assert ok["Header"]["Success"] is True
        echoes.append(_debug_part(ok))
        key = ok["Header"]["SessionKey"]
        as_clerk = jpost("Sessions_Create", {"Credentials": imp, "Debug": True})
        assert as_clerk["Header"]["Impersonated"] is True
        echoes.append(_debug_part(as_clerk))
        # a customer over JSON with a session, Debug on: every personal field
        made = jpost("NewCustomers_Create", {"Session": {"SessionKey": key}, "Debug": True,
                                             "Customer": _customer(), "Order": _order()})
        assert made["Header"]["Success"] is True, made["Header"]
        assert made["Debug"]["Request"]["Session"]["SessionKey"] == "********"
        assert made["Debug"]["Request"]["Customer"]["SSN"] == "********"
        echoes.append(_debug_part(made))
        got = jpost("Customers_Query", {"Session": {"SessionKey": key}, "Debug": True,
                                        "CustomerID": made["Customer_ID"]})
        assert got["Customer"]["SSN"] == SSN_DIGITS  # the answer itself may carry them
        echoes.append(_debug_part(got))
        # over SOAP, with Credentials and an ImpersonationKey, Debug on
        soap = _soap(http, "NewCustomers_Create", {"Credentials": creds, "Debug": True,
                                                   "Customer": _customer(), "Order": _order()})
        assert child_text(soap, "Header/Success") == "true"
        echoes.append(_soap_debug(soap))
        echoes.append(_soap_debug(_soap(http, "Customers_Query", {
            "Credentials": imp, "Debug": True, "CustomerID": 1}, version=12)))
        # refused input, a wrong password, a wrong ImpersonationKey
        bad = jpost("NewCustomers_Create", {"Credentials": creds, "Debug": True,
                                            "Customer": _customer(DOB="not-a-date")})
        assert bad["Header"]["Error_Code"] == "S2010"
        echoes.append(_debug_part(bad))
        jpost("Sessions_Create", {"Credentials": {**creds, "Password": PASSWORD + "x"}})
        jpost("Sessions_Create", {"Credentials": {**imp, "ImpersonationKey": "Imp-wrong-1"}})

        # an internal error inside a handler: the request is logged (masked) with a reference
        monkeypatch.setitem(HANDLERS, "NewCustomers_Create", Registered(_boom, None, True))
        failed = jpost("NewCustomers_Create", {"Credentials": imp, "Debug": True,
                                               "Session": {"SessionKey": key},
                                               "Customer": _customer(), "Order": _order()})
        assert failed["Header"]["Error_Code"] == "CN2001"
        echoes.append(_debug_part(failed))
        soap_failed = _soap(http, "NewCustomers_Create", {
            "Credentials": creds, "Session": {"SessionKey": key}, "Debug": True,
            "Customer": _customer(), "Order": _order()}, version=12)
        assert child_text(soap_failed, "Header/Error_Code") == "CN2001"
        echoes.append(_soap_debug(soap_failed))
        monkeypatch.undo()

        # an internal error in the wire layer (the catch-all)
        def broken_dumps(result: Any) -> bytes:
            raise ValueError(f"cannot write {result!r}")

        monkeypatch.setattr(jsoncodec, "dumps", broken_dumps)
        r = http.post("/v20/json/NewCustomers_Create", json={
            "Session": {"SessionKey": key}, "Customer": _customer(), "Order": _order()})
        assert r.status_code == 500 and "reference" in r.json()
        monkeypatch.undo()

        # the operator console: a wrong password, its login, a customer page, logout
        from openrev.wire.console.app import COOKIE, csrf_token

        origin = {"Origin": server}
        r = http.post("/console/login", headers=origin, data={
            "client": "DEMO", "username": "logger", "password": PASSWORD + "y"})
        assert r.status_code == 401
        r = http.post("/console/login", headers=origin, follow_redirects=False, data={
            "client": "DEMO", "username": "logger", "password": PASSWORD})
        assert r.status_code == 303
        console_key = r.cookies[COOKIE]
        session_keys.append(console_key)
        page = http.get(f"/console/customers/{made['Customer_ID']}").text
        assert "Log" in page and SSN_DIGITS not in page and DL not in page
        r = http.post("/console/logout", headers=origin, data={"csrf": csrf_token(console_key)},
                      follow_redirects=False)
        assert r.status_code == 303

    time.sleep(0.2)  # let the server's threads finish writing
    log_text = "\n".join(p.read_text(encoding="utf-8") for p in logged)
    assert "internal error in NewCustomers_Create, reference" in log_text  # it was logged
    assert "INSERT INTO customers" in log_text  # SQL and its parameters were logged
    assert len(session_keys) >= 4
    plain_secrets = [PASSWORD, IMPERSONATION_KEY, SSN, SSN_DIGITS, DL, PORT_PIN,
                     *session_keys]
    # short values only where no digit surrounds them (timestamps and ids are digits too) and
    # not as the decimals of a number (SQLAlchemy logs "[cached since 0.1879s ago]")
    bounded = [re.compile(rf"(?<![\d.]){re.escape(v)}(?!\d)") for v in (PIN, DOB)]
    for where, content in (("log", log_text), *((f"debug echo {i}", e)
                                                for i, e in enumerate(echoes))):
        for value in plain_secrets:
            assert value not in content, f"{value!r} in the {where}"
        for pattern in bounded:
            assert not pattern.search(content), f"{pattern.pattern!r} in the {where}"
