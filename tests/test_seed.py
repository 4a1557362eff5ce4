"""``openrev seed-customers`` (openrev.store.seed): synthetic customers in bulk, on a fresh
database per backend: counts, unique TNs, personal data encrypted at rest with its keyed
hashes and match keys, ids and sequences, and the seeded customers as the API sees them
(Customers_Query by TN, Duplicate_Query by SSN and by address, over JSON)."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import func, select, text
from starlette.testclient import TestClient

from helpers import DEMO, call_json
from openrev import cli
from openrev.settings import Settings
from openrev.store import crypto
from openrev.store.db import make_engine, make_sessionmaker
from openrev.store.demo import load_demo
from openrev.store.migrate import upgrade
from openrev.store.seed import SeedError, imei_of, seed_customers, tn_of
from openrev.store.tables import (
    Address, Client, Customer, CustomerProduct, InventoryItem, Service,
)
from openrev.store.testing import fresh_database
from openrev.wire.app import create_app

PG_URL = os.environ.get("OPENREV_TEST_POSTGRES_URL", "")
BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])
FIRST, SECOND = 200, 50


@pytest.fixture(scope="module", params=BACKENDS)
def url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
        ) -> Iterator[str]:
    """A fresh database with the demo data, seeded twice: FIRST then SECOND customers
    (in batches of 64, in this process)."""
    base = (f"sqlite:///{tmp_path_factory.mktemp('seed')}/seed.db"
            if request.param == "sqlite" else PG_URL)
    with fresh_database(base) as fresh:
        upgrade(fresh)
        engine = make_engine(fresh)
        with make_sessionmaker(engine).begin() as db:
            load_demo(db)
        first = seed_customers(engine, FIRST, batch_size=64, jobs=1)
        second = seed_customers(engine, SECOND, batch_size=64, jobs=1, seed=7)
        assert (first.customers, second.customers) == (FIRST, SECOND)
        assert second.first_customer_id == first.last_customer_id + 1
        engine.dispose()
        yield fresh


@pytest.fixture(scope="module")
def engine(url: str) -> Iterator[Any]:
    e = make_engine(url)
    yield e
    e.dispose()


@pytest.fixture(scope="module")
def client(url: str) -> Iterator[TestClient]:
    app = create_app(Settings(database_url=url))
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c
    app.state.engine.dispose()


def _seeded(db: Any) -> list[Customer]:
    """The seeded customers of DEMO (the demo's own customer is id 1)."""
    return list(db.scalars(select(Customer).where(Customer.client_id == 1, Customer.id > 2)
                           .order_by(Customer.id)))


def test_counts_and_links(engine) -> None:
    n = FIRST + SECOND
    with make_sessionmaker(engine)() as db:
        count = lambda model, *where: db.scalar(  # noqa: E731
            select(func.count()).select_from(model).where(*where))
        assert count(Customer, Customer.client_id == 1) == 1 + n
        assert count(Customer, Customer.client_id == 2) == 1  # OTHER untouched
        assert count(Address, Address.client_id == 1, Address.customer_id > 2) == 2 * n
        assert count(Service, Service.client_id == 1, Service.customer_id > 2) == n
        assert n <= count(CustomerProduct, CustomerProduct.customer_id > 2) <= 2 * n
        assert count(InventoryItem, InventoryItem.customer_id > 2,
                     InventoryItem.status == "ASSIGNED") == n
        customers = _seeded(db)
        assert [c.id for c in customers] == list(range(3, 3 + n))
        statuses = {c.status for c in customers}
        assert statuses <= {"OPEN", "PENDING", "CLOSED"} and "OPEN" in statuses
        programs = [c.lifeline_program for c in customers]
        assert programs.count("NON_LIFELINE") > n // 2
        for c in customers:
            p, m = c.physical_address, c.mailing_address
            assert (p.kind, p.customer_id, m.kind, m.customer_id) == (
                "PHYSICAL", c.id, "MAILING", c.id)
            assert re.fullmatch(r"\d{5}", p.zip) and p.city and len(p.state) == 2
            assert re.fullmatch(r"\d+ .+", p.address1)
            assert c.bill_profile_id in (1, 2) and c.acct_num == f"DEMO-{c.id:07d}"


def test_tns_unique_and_not_the_demos(engine) -> None:
    with engine.connect() as conn:
        tns = conn.scalars(select(Service.tn).where(Service.customer_id > 2)).all()
        all_tns = conn.scalars(select(Service.tn)).all()
    assert len(tns) == FIRST + SECOND
    assert len(set(all_tns)) == len(all_tns)
    assert all(re.fullmatch(r"[2-9]\d{2}[2-9]\d{6}", tn) for tn in tns)
    assert not any(tn[3:6] == "555" for tn in tns)
    assert len({tn_of(i) for i in range(1, 20001)}) == 20000
    assert imei_of(3) == "359000000000031" and len(imei_of(10**10)) == 15

    def luhn_ok(number: str) -> bool:
        digits = [int(d) for d in reversed(number)]
        return sum(d if i % 2 == 0 else (2 * d if d < 5 else 2 * d - 9)
                   for i, d in enumerate(digits)) % 10 == 0

    assert all(luhn_ok(imei_of(i)) for i in range(1, 500))


def test_personal_data_encrypted_with_keyed_hashes_and_match_keys(engine) -> None:
    with engine.connect() as conn:
        raw = conn.execute(text("SELECT ssn, dl, dob, security_pin FROM customers "
                                "WHERE id > 2")).all()
    assert len(raw) == FIRST + SECOND
    assert all(v.startswith("e1:") for row in raw for v in row)
    with make_sessionmaker(engine)() as db:
        customers = _seeded(db)
        ssns = [c.ssn for c in customers]
        for c in customers:
            assert re.fullmatch(r"\d{9}", c.ssn), c.id
            assert c.ssn[0] != "9" and c.ssn[:3] not in ("000", "666")
            assert c.ssn_hmac == crypto.ssn_hmac(c.ssn)
            assert c.ssn_last4_hmac == crypto.ssn_last4_hmac(c.ssn)
            assert c.dl_hmac == crypto.dl_hmac(c.dl) and c.dob_hmac == crypto.dob_hmac(c.dob)
            a = c.physical_address
            expected = crypto.match_key_columns(
                a.first_name, a.last_name, a.address1, a.address2, a.city, a.state, a.zip,
                middle_name=a.middle_name, suffix=a.suffix)
            assert {k: getattr(c, k) for k in expected} == expected
        assert len(set(ssns)) == len(ssns)  # 250 of 900 million: no collision expected


def test_sequences_advanced(engine) -> None:
    """An ordinary insert after seeding takes the next id (PostgreSQL sequences moved)."""
    with make_sessionmaker(engine).begin() as db:
        c = Customer(client_id=1, status="PROSPECT")
        db.add(c)
        db.flush()
        assert c.id > 2 + FIRST + SECOND
        db.rollback()


def test_customers_query_by_seeded_tn(client, engine) -> None:
    with make_sessionmaker(engine)() as db:
        c = _seeded(db)[FIRST + 3]
        service = db.scalar(select(Service).where(Service.customer_id == c.id))
        expected = (c.id, c.acct_num, c.physical_address.address1, c.physical_address.zip)
        tn = service.tn
    out = call_json(client, "Customers_Query", {"Credentials": DEMO, "TN": tn})
    assert out["Header"]["Success"] is True, out["Header"]
    got = out["Customer"]
    assert (got["ID"], got["AcctNum"], got["PhysicalAddress"]["Address1"],
            got["PhysicalAddress"]["Zip"]) == expected
    [item] = got["Services"]
    assert item["Service"]["TN"] == tn
    assert item["Inventory"][0]["InventoryType"] == "Mobile_Device"
    assert 1 <= len(item["Products"]) <= 2


def _open_customer(engine, index: int) -> dict[str, Any]:
    with make_sessionmaker(engine)() as db:
        c = [c for c in _seeded(db) if c.status == "OPEN"][index]
        a = c.physical_address
        return {"id": c.id, "ssn": c.ssn, "Street1": a.address1, "Street2": a.address2,
                "City": a.city, "State": a.state, "Zip": a.zip}


def test_duplicate_query_finds_seeded_customer_by_ssn(client, engine) -> None:
    t = _open_customer(engine, 5)
    ssn = f"{t['ssn'][:3]}-{t['ssn'][3:5]}-{t['ssn'][5:]}"
    out = call_json(client, "Duplicate_Query", {"Credentials": DEMO, "SSNTaxId": ssn})
    assert out["Header"]["Success"] is True, out["Header"]
    found = [(m["MatchPattern"], m["MatchType"], m["CustomerID"]) for m in out["Matches"]]
    assert ("SSNTaxId", "PERSON", t["id"]) in found
    assert out["MatchPersonCount"] == len(found)


def test_duplicate_query_finds_seeded_customer_by_address(client, engine) -> None:
    t = _open_customer(engine, 9)
    body = {"Credentials": DEMO, **{k: t[k] for k in ("Street1", "Street2", "City", "State",
                                                        "Zip") if t[k]}}
    out = call_json(client, "Duplicate_Query", body)
    assert out["Header"]["Success"] is True, out["Header"]
    found = {(m["MatchType"], m["CustomerID"]) for m in out["Matches"]}
    assert ("LOCATION", t["id"]) in found
    assert out["MatchLocationCount"] >= 1 and out["MatchPersonCount"] == 0


def test_unknown_client_is_refused(engine) -> None:
    with pytest.raises(SeedError, match="client 'NOPE' does not exist"):
        seed_customers(engine, 5, client_code="NOPE", jobs=1)


def test_cli_with_worker_processes(tmp_path, capsys) -> None:
    """The command: schema at head required, two worker processes, a summary line."""
    db = f"sqlite:///{tmp_path}/cli.db"
    assert cli.main(["seed-customers", "10", "--database", db]) == 1
    assert "run `openrev init`" in capsys.readouterr().err
    assert cli.main(["demo", "--database", db]) == 0
    capsys.readouterr()
    assert cli.main(["seed-customers", "5", "--database", db, "--client", "OTHER"]) == 1
    assert capsys.readouterr().err == ("openrev: error: client 'OTHER' has no Mobile_Device "
                                       "inventory type\n")
    assert cli.main(["seed-customers", "30", "--database", db, "--batch-size", "8",
                     "--jobs", "2"]) == 0
    captured = capsys.readouterr()
    assert re.match(r"30 customers \(ids 3-32, \d+ rows\) of client DEMO loaded into "
                    r"sqlite:///.*cli\.db in ", captured.out), captured.out
    assert "30/30 customers 100.0%" in captured.err
    engine = make_engine(db)
    try:
        with engine.connect() as conn:
            demo = conn.scalar(select(Client.id).where(Client.code == "DEMO"))
            assert conn.scalar(select(func.count()).select_from(Customer).where(
                Customer.client_id == demo)) == 31
            assert conn.scalar(select(func.count(func.distinct(Service.tn)))) == 32
    finally:
        engine.dispose()
