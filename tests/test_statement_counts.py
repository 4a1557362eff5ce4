"""SQL statements per operation (issue 13), counted over the wire (JSON) on the app's engine.

Each operation is called with a session that has been used once already (the session cache
is warm, as it is for any client that sends its key more than once), and every statement
the server sends to the database during the call is counted (transaction control -
``BEGIN``, ``COMMIT``, ``PRAGMA`` - apart) against an explicit budget. A read must run in one
transaction that never takes SQLite's write lock (no ``BEGIN IMMEDIATE``).

Customers_Query and Orders_Search are also run on a customer with several services, each
with several products and a device: the count must be the same as for a customer with one
service and one product (the answer's rows are loaded by a fixed number of queries, never
one per row).
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlalchemy import event, select

from helpers import DEMO, call_json, new_session
from openrev.domain.customer_rules import allowed_tax_exemptions
from openrev.store.db import BEGUN
from openrev.store.tables import CustomerProduct, InventoryItem, InventoryType, Service

CONTROL = re.compile(r"^\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE|PRAGMA)\b", re.I)

# Statements per call with a warm session (authentication: none; the handler: these).
BUDGET = {
    "LifelineTypes_Query": 1,
    "Customers_Query/ID": 2,  # the customer (agent number, addresses, lifeline); what it
    # holds (one UNION ALL: services with provider, package and products, then devices with
    # their fields); + its tax exemptions and custom fields when it has any (see below)
    "Customers_Query/TN": 2,  # the look-up of the TN: a subquery of the customer's
    "Customers_Query/Inventory": 2,  # the look-up of the device: likewise
    "Customers_Query/extras": 3,  # a customer with tax exemptions and custom fields: one more
    "Orders_Query": 2,  # the order with service, provider, outbox; its history
    "Orders_Search": 3,  # the count (and whether the customer exists), the page, its history
    "Duplicate_Query": 4,  # every pattern's first ids (one UNION ALL), the customers listed;
    # + a COUNT for a MatchType with more than 100 matches (the shared database has them)
    "NewCustomers_Quote": 2,  # the package with its products, the tax table's digest
    "Customers_Update": 4,  # the customer locked (addresses, lifeline, exemptions joined);
    # its change rows, its history entry, the customer's UPDATE
    "NewCustomers_Create": 5,  # the default bill profile; the customer, its two addresses
    # (one INSERT), their link; its history
    "NewCustomers_Create/Order": 10,  # + the package (provider, service type, products);
    # the service, the order, package 1001's three products (one INSERT), the order's history
}
"""The most statements each operation may send (with a warm session)."""

SESSION_MISS = 2
"""Statements of a session check the cache cannot answer (the session with its users and
client, then the acting user's permissions)."""


@dataclass
class Counter:
    statements: list[str] = field(default_factory=list)
    begins: int = 0
    immediate: int = 0
    on: bool = False
    sqlite: bool = False

    def clear(self) -> None:
        self.statements.clear()
        self.begins = self.immediate = 0


@pytest.fixture(scope="module")
def counter(app) -> Iterator[Counter]:
    engine = app.state.engine
    seen = Counter(sqlite=engine.dialect.name == "sqlite")

    def on_execute(_conn, _cursor, statement: str, *_: Any) -> None:
        if seen.on and not CONTROL.match(statement):
            seen.statements.append(statement)

    def on_begin(conn) -> None:  # after the engine's own listener began the transaction
        if seen.on:
            seen.begins += 1
            # SQLite: how it began (store.db.BEGUN); PostgreSQL has no write lock to take
            seen.immediate += conn.info.get(BEGUN) == "IMMEDIATE"

    event.listen(engine, "before_cursor_execute", on_execute)
    event.listen(engine, "begin", on_begin)
    yield seen
    event.remove(engine, "before_cursor_execute", on_execute)
    event.remove(engine, "begin", on_begin)


@pytest.fixture(scope="module")
def key(client) -> str:
    key = new_session(client)
    assert call_json(client, "LifelineTypes_Query", session(key))["Header"]["Success"]
    return key


def session(key: str) -> dict[str, Any]:
    return {"Session": {"SessionKey": key}}


def counted(counter: Counter, client, op: str, body: dict[str, Any]) -> dict[str, Any]:
    counter.clear()
    counter.on = True
    try:
        out = call_json(client, op, body)
    finally:
        counter.on = False
    assert out["Header"]["Success"] is True, out["Header"]
    return out


def unique_tn() -> str:
    return "6" + "".join(str(secrets.randbelow(10)) for _ in range(9))


def address() -> dict[str, str]:
    return {"FirstName": "Stat", "LastName": "Count", "Address1": "101 N Palafox St",
            "City": "Pensacola", "State": "FL", "Zip": "32502"}


def new_customer(client, key: str, order: bool = True) -> dict[str, Any]:
    body: dict[str, Any] = {**session(key), "Customer": {
        "PhysicalAddress": address(), "MailingAddress": address(),
        "SSN": f"5{secrets.randbelow(10**8):08d}", "DOB": "1970-01-02"}}
    if order:
        body["Order"] = {"PackageID": 1001}
    out = call_json(client, "NewCustomers_Create", body)
    assert out["Header"]["Success"] is True, out["Header"]
    return out


def add_services(sessions, customer_id: int, services: int, products: int) -> tuple[str, str]:
    """Give the customer ``services`` more services with ``products`` products and a device
    each; returns the TN and the device identifier of the last one."""
    with sessions.begin() as db:
        first = db.scalars(select(Service).where(Service.customer_id == customer_id)).first()
        kind = db.scalars(select(InventoryType).where(
            InventoryType.client_id == first.client_id,
            InventoryType.kind == "Mobile_Device")).first()
        for _ in range(services):
            tn, imei = unique_tn(), "35" + str(secrets.randbelow(10**13)).zfill(13)
            service = Service(client_id=first.client_id, customer_id=customer_id, tn=tn,
                              type=first.type, provider_id=first.provider_id,
                              package_id=first.package_id, status="ACTIVE")
            db.add(service)
            db.flush()
            for p in range(products):
                db.add(CustomerProduct(client_id=first.client_id, customer_id=customer_id,
                                       service_id=service.id, product_id=2001 + p % 3,
                                       provider_id=first.provider_id, status="ACTIVE",
                                       description=f"product {p}", rate="1.00", quantity=1))
            db.add(InventoryItem(client_id=first.client_id, inventory_type_id=kind.id,
                                 identifier=imei, status="ASSIGNED", customer_id=customer_id,
                                 service_id=service.id))
    return tn, imei


@pytest.fixture(scope="module")
def small(client, key) -> int:
    """A prospect customer: no service at all."""
    return new_customer(client, key, order=False)["Customer_ID"]


@pytest.fixture(scope="module")
def big(client, key, sessions) -> dict[str, Any]:
    """A customer with its sign-up order's service, then four services with five products
    and a device each."""
    out = new_customer(client, key)
    tn, imei = add_services(sessions, out["Customer_ID"], services=4, products=5)
    return {"id": out["Customer_ID"], "tn": tn, "imei": imei, "order": out["Orders"][0]}


@pytest.fixture(scope="module")
def one(client, key, sessions) -> dict[str, Any]:
    """A customer with its sign-up order's service, then one service with one product and a
    device."""
    out = new_customer(client, key)
    tn, imei = add_services(sessions, out["Customer_ID"], services=1, products=1)
    return {"id": out["Customer_ID"], "tn": tn, "imei": imei, "order": out["Orders"][0]}


def check(counter: Counter, name: str, *, read: bool) -> int:
    n = len(counter.statements)
    assert n <= BUDGET[name], (name, n, counter.statements)
    if read:
        assert counter.begins == 1, (name, counter.begins, counter.statements)
        assert counter.immediate == 0, (name, counter.statements)
    elif counter.sqlite:  # a write takes SQLite's write lock as it begins, once
        assert counter.begins == counter.immediate == 1, (name, counter.begins)
    return n


def test_the_no_work_operation_sends_one_statement_in_one_read_transaction(client, counter,
                                                                          key):
    counted(counter, client, "LifelineTypes_Query", session(key))
    check(counter, "LifelineTypes_Query", read=True)


@pytest.mark.parametrize("how", ["ID", "TN", "Inventory"])
def test_customers_query_does_not_grow_with_services_and_products(client, counter, key, one,
                                                                  big, how):
    def ask(c: dict[str, Any]) -> int:
        body = {"ID": {"CustomerID": c["id"]}, "TN": {"TN": c["tn"]},
                "Inventory": {"Inventory": {"Identifier": c["imei"]}}}[how]
        out = counted(counter, client, "Customers_Query", {**session(key), **body})
        assert out["Customer"]["ID"] == c["id"]
        return check(counter, f"Customers_Query/{how}", read=True), out

    few, small_answer = ask(one)
    many, big_answer = ask(big)
    assert len(small_answer["Customer"]["Services"]) == 2
    assert len(big_answer["Customer"]["Services"]) == 5
    assert sum(len(s["Products"]) for s in big_answer["Customer"]["Services"]) == 3 + 20
    assert sum(len(s["Inventory"]) for s in big_answer["Customer"]["Services"]) == 4
    assert few == many, (few, many, counter.statements)


def test_customers_query_of_a_customer_with_exemptions_fields_and_lifeline(client, counter,
                                                                         key):
    out = call_json(client, "NewCustomers_Create", {**session(key), "Customer": {
        "PhysicalAddress": address(), "MailingAddress": address(),
        "TaxExemptions": list(allowed_tax_exemptions("SURETAX")[:2]),
        "Fields": [{"FieldID": 1, "Value": "one"}, {"FieldID": 2, "Value": "two"}],
        "Lifeline": {"LifelineTypeID": 1}}, "Order": {"PackageID": 1001}})
    assert out["Header"]["Success"] is True, out["Header"]
    answer = counted(counter, client, "Customers_Query",
                     {**session(key), "CustomerID": out["Customer_ID"]})
    c = answer["Customer"]
    assert len(c["TaxExemptions"]) == 2 and len(c["Fields"]) == 2 and c["LifeLine"], c
    assert len(c["Services"]) == 1 and c["Services"][0]["Products"], c
    check(counter, "Customers_Query/extras", read=True)


def test_customers_query_of_a_prospect(client, counter, key, small):
    counted(counter, client, "Customers_Query", {**session(key), "CustomerID": small})
    check(counter, "Customers_Query/ID", read=True)


def test_orders_query_and_search(client, counter, key, one, big):
    for c in (one, big):
        counted(counter, client, "Orders_Query", {**session(key), "OrderID": c["order"]})
        check(counter, "Orders_Query", read=True)
    sizes = []
    for c in (one, big):
        counted(counter, client, "Orders_Search", {**session(key), "CustomerID": c["id"]})
        sizes.append(check(counter, "Orders_Search", read=True))
    assert sizes[0] == sizes[1], counter.statements


def test_duplicate_query(client, counter, key):
    counted(counter, client, "Duplicate_Query", {
        **session(key), "SSNTaxId": "123456789", "DateOfBirth": "1980-05-15",
        "Street1": "101 N Palafox St", "City": "Pensacola", "State": "FL", "Zip": "32502"})
    check(counter, "Duplicate_Query", read=True)


def test_new_customers_quote(client, counter, key):
    counted(counter, client, "NewCustomers_Quote", {**session(key), "ZIP": "32502",
                                                    "PackageID": 1001})
    check(counter, "NewCustomers_Quote", read=True)


def test_customers_update(client, counter, key, big):
    counted(counter, client, "Customers_Update", {**session(key), "Customer": {
        "ID": big["id"], "Email": "stat@example.com"}})
    check(counter, "Customers_Update", read=False)


def test_new_customers_create(client, counter, key):
    counter.clear()
    counter.on = True
    try:
        new_customer(client, key, order=False)
    finally:
        counter.on = False
    check(counter, "NewCustomers_Create", read=False)
    counter.clear()
    counter.on = True
    try:
        new_customer(client, key)
    finally:
        counter.on = False
    check(counter, "NewCustomers_Create/Order", read=False)


def test_a_session_the_cache_cannot_answer_costs_two_statements(app, client, counter):
    key = new_session(client, DEMO)
    call_json(client, "LifelineTypes_Query", session(key))  # its first use is written
    app.state.api.auth.sessions.clear()  # as when the cached check has grown too old
    counted(counter, client, "LifelineTypes_Query", session(key))
    auth = len(counter.statements) - BUDGET["LifelineTypes_Query"]
    assert auth == SESSION_MISS, counter.statements
    assert counter.begins == 2 and counter.immediate == 0, counter.statements


def test_writes_that_change_no_user_keep_the_cache(client, counter, key):
    """A sign-up (which writes) leaves the session cache alone: the next call costs no
    session statement."""
    new_customer(client, key)
    counted(counter, client, "LifelineTypes_Query", session(key))
    check(counter, "LifelineTypes_Query", read=True)
