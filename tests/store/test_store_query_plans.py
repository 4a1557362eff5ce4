"""The read path's look-ups use the index that leads with what they search, on SQLite and on
PostgreSQL, read from the databases' own query plans.

One database per backend for the module: the demo data, ``N_CUSTOMERS`` customers from the
bulk seeder (``openrev seed-customers``: a service with a unique TN and a device each),
``ORDERS_PER_CUSTOMER`` orders each, ``STOCK`` devices in stock and some failed logins,
then fresh statistics (:mod:`openrev.store.stats`).
Every look-up runs through the real code (the handlers of Customers_Query, Duplicate_Query
and Orders_Search; the store functions they, authentication and the number checks call)
while the statements it sends are captured; each statement is then explained with the parameters it was sent with:
``EXPLAIN QUERY PLAN`` on SQLite, ``EXPLAIN (FORMAT JSON)`` on PostgreSQL with
``enable_seqscan`` off (with a few thousand rows a sequential scan is cheaper; the question
is which index the planner takes when it must take one).

Checked for each look-up: the table it searches is reached through an index whose search
uses the searched column (SQLite ``SEARCH t USING [COVERING] INDEX ix (col=?)``, PostgreSQL
``Index Cond`` on the column), named in ``EXPECTED`` when the test names one; and for whole
operations, no statement reads a table that grows with the customers from end to end (SQLite
``SCAN t``; PostgreSQL a ``Seq Scan``, or an index scan without an index condition).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, event, func, insert, literal, select, text

from openrev.contract.operations import (
    Customers_QueryRequest, Duplicate_QueryRequest, InventoryLookup, Orders_SearchRequest,
)
from openrev.domain import matching as M
from openrev.domain.devices import device_key, meid_decimal
from openrev.ops.base import Caller, Context
from openrev.ops.customers import customers_query
from openrev.ops.duplicates import duplicate_query
from openrev.ops.orders import orders_search
from openrev.store import authrepo, catalog, duplicates, orders as orders_repo, outbox
from openrev.store import customers as customers_repo
from openrev.store.db import make_engine, make_sessionmaker, read_only_engine
from openrev.store.migrate import upgrade
from openrev.store.seed import imei_of, seed_customers
from openrev.store.stats import maybe_refresh, refresh_statistics
from openrev.store.tables import (
    ApiSession, Base, Client, Customer, InventoryItem, LoginFailure, Order, Service, User,
)
from openrev.store.testing import demo_database

PG_URL = os.environ.get("OPENREV_TEST_POSTGRES_URL", "")
BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])

N_CUSTOMERS = 1000
STOCK = 6000  # devices in stock (AVAILABLE, no customer) besides the customers' own
ORDERS_PER_CUSTOMER = 2

# Tables that do not grow with the customers (a client's catalog and settings): reading one
# whole is fine. Every other table must be searched through an index.
CATALOG = frozenset({
    "clients", "users", "user_permissions", "agents", "bill_profiles", "providers",
    "provider_accounts", "products", "tax_tables", "service_types", "packages",
    "package_products", "processes", "lifeline_types", "lifeline_proof_types",
    "nlad_profiles", "custom_field_definitions", "inventory_types", "inventory_batches",
    "alembic_version",
})

# The indexes each look-up is meant to use (the plan must search by the looked-up column).
EXPECTED = {
    "tn": ("ix_services_client_id_tn",),
    # or (client_id, inventory_type_id, identifier) after the type from inventory_types
    "identifier": ("ix_inventory_items_client_id_identifier",
                   "uq_inventory_items_client_id_inventory_type_id_identifier",
                   "sqlite_autoindex_inventory_items_1"),
    "ssn": ("ix_customers_client_id_ssn_hmac",),
    "dl": ("ix_customers_client_id_dl_hmac",),
    "last4_dob": ("ix_customers_client_id_ssn_last4_hmac", "ix_customers_client_id_dob_hmac"),
    "name_last4": ("ix_customers_client_id_last_name_key_first_name_key",
                   "ix_customers_client_id_ssn_last4_hmac"),
    "street": ("ix_customers_client_id_street_key_unit_key_zip5",
               "ix_customers_client_id_street_key_unit_key_city_key_state_key"),
    "orders_of_customer": ("ix_orders_customer_id",),
}


# --------------------------------------------------------------------------- the database


@dataclass
class Loaded:
    engine: Engine
    backend: str
    client_id: int
    client_code: str
    customer_id: int
    tn: str
    imei: str
    user_id: int
    username: str
    session_hash: str
    keys: M.CustomerKeys
    dup_request: Duplicate_QueryRequest
    empty: frozenset[str]  # tables without a row here: how the planner reads them says little


@pytest.fixture(scope="module", params=BACKENDS)
def loaded(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
           ) -> Iterator[Loaded]:
    base = (f"sqlite:///{tmp_path_factory.mktemp('plans')}/plans.db"
            if request.param == "sqlite" else PG_URL)
    with demo_database(base) as url:
        engine = make_engine(url)
        try:
            seed_customers(engine, N_CUSTOMERS, jobs=1)
            yield _prepare(engine, request.param)
        finally:
            engine.dispose()


def _prepare(engine: Engine, backend: str) -> Loaded:
    with make_sessionmaker(engine).begin() as db:
        service = db.scalars(select(Service).where(Service.tn.is_not(None))
                             .order_by(Service.id.desc()).limit(1)).one()
        customer = db.get(Customer, service.customer_id)
        assert customer is not None
        item = db.scalars(select(InventoryItem).where(
            InventoryItem.service_id == service.id)).one()
        client = db.get(Client, service.client_id)
        assert client is not None
        user = db.scalars(select(User).where(User.client_id == client.id)
                          .order_by(User.id)).first()
        assert user is not None
        # orders: ORDERS_PER_CUSTOMER per seeded service, spread over two years
        services = db.execute(select(Service.id, Service.customer_id, Service.provider_id)
                              .where(Service.client_id == client.id)).all()
        start = dt.datetime(2023, 1, 1, tzinfo=dt.timezone.utc)
        rows = [{"client_id": client.id, "customer_id": s.customer_id, "service_id": s.id,
                 "provider_id": s.provider_id, "order_type": "NEW",
                 "status": ("COMPLETE", "NEW", "CANCELED")[(s.id + k) % 3],
                 "created_at": start + dt.timedelta(minutes=7 * (s.id * 3 + k))}
                for s in services for k in range(ORDERS_PER_CUSTOMER)]
        db.execute(insert(Order), rows)
        last_item = db.scalar(select(func.max(InventoryItem.id)))
        db.execute(insert(InventoryItem), [
            {"client_id": client.id, "inventory_type_id": item.inventory_type_id,
             "identifier": imei_of(last_item + i), "status": "AVAILABLE"}
            for i in range(1, STOCK + 1)])
        # failed logins of many users and addresses over the last hour
        now = dt.datetime.now(dt.timezone.utc)
        db.execute(insert(LoginFailure), [
            {"client_code": client.code, "username": f"user{i % 200}",
             "peer": f"198.51.100.{i % 250}", "failed_at": now - dt.timedelta(seconds=i)}
            for i in range(2000)])
        # live sessions of the client's users (a server holds many)
        db.execute(insert(ApiSession), [
            {"client_id": client.id, "key_hash": f"{i:064x}", "user_id": user.id,
             "real_user_id": user.id, "impersonated": False, "created_at": now,
             "last_used_at": now - dt.timedelta(seconds=i), "used": True}
            for i in range(1, 501)])
        session_hash = "ab" * 32
        authrepo.create_session(db, key_hash=session_hash, client_id=client.id,
                                user_id=user.id, real_user_id=user.id, impersonated=False,
                                now=dt.datetime.now(dt.timezone.utc))
        address = customer.physical_address
        assert address is not None and customer.ssn and customer.dl and customer.dob
        keys = M.customer_keys(
            first=address.first_name, last=address.last_name, ssn=customer.ssn,
            dob_value=customer.dob, dl=customer.dl, street1=address.address1,
            street2=address.address2, city=address.city, state=address.state,
            zip_code=address.zip)
        dup_request = Duplicate_QueryRequest(
            FirstName=address.first_name, LastName=address.last_name, SSNTaxId=customer.ssn,
            DateOfBirth=dt.datetime.combine(customer.dob, dt.time()),
            DriversLicenseNumber=customer.dl, Street1=address.address1,
            Street2=address.address2, City=address.city, State=address.state,
            Zip=address.zip)
        empty = frozenset(t.name for t in Base.metadata.sorted_tables
                          if db.scalar(select(literal(1)).select_from(t).limit(1)) is None)
        loaded = Loaded(engine, backend, client.id, client.code, customer.id, service.tn,
                        item.identifier, user.id, user.username, session_hash, keys,
                        dup_request, empty)
    refresh_statistics(engine, tables=["orders", "api_sessions", "login_failures"])
    return loaded


# --------------------------------------------------------------------------- plans


@dataclass(frozen=True)
class Access:
    """How a plan reads one table: through ``index`` (None: the rowid / no index) searching
    by ``columns`` (empty: the whole table or index is read)."""

    table: str
    index: str | None
    columns: frozenset[str]
    line: str

    @property
    def whole(self) -> bool:
        return not self.columns


Captured = list[tuple[str, Any]]


@contextmanager
def captured(engine: Engine) -> Iterator[Captured]:
    """The SELECT statements sent to ``engine`` in the block, with their parameters."""
    statements: Captured = []

    def grab(_conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any,
             _executemany: bool) -> None:
        if re.match(r"\s*(SELECT|WITH)\b", statement, re.IGNORECASE):
            statements.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", grab)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", grab)


def explain(engine: Engine, statement: str, parameters: Any) -> tuple[list[Access], str]:
    """The tables ``statement`` reads and how, and the plan as text (for messages)."""
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).all()
            conn.rollback()
            lines = [r[3] for r in rows]
            # a subquery read as a co-routine or materialized is scanned by its alias: not a
            # table (its own lines say how it reads its tables)
            subqueries = {m[1] for m in map(_SQLITE_SUBQUERY.match, lines) if m}
            return [a for a in map(_sqlite_access, lines)
                    if a is not None and a.table not in subqueries], "\n".join(lines)
        conn.exec_driver_sql("SET LOCAL enable_seqscan = off")
        plan = conn.exec_driver_sql("EXPLAIN (FORMAT JSON) " + statement, parameters
                                    ).scalar()
        conn.rollback()
    accesses: list[Access] = []
    _pg_walk(plan[0]["Plan"], accesses)
    return accesses, "\n".join(a.line for a in accesses)


_SQLITE_LINE = re.compile(
    r"^(?P<op>SEARCH|SCAN) (?P<table>\w+)(?: AS \w+)?"
    r"(?: USING (?:(?:COVERING )?INDEX (?P<index>\w+)|INTEGER PRIMARY KEY|PRIMARY KEY))?"
    r"(?: \((?P<cond>[^)]*)\))?")


_SQLITE_SUBQUERY = re.compile(r"^(?:CO-ROUTINE|MATERIALIZE) (\w+)")


def _sqlite_access(line: str) -> Access | None:
    m = _SQLITE_LINE.match(line)
    if m is None or line == "SCAN CONSTANT ROW":  # USE TEMP B-TREE, COMPOUND QUERY, a
        return None  # subquery, a SELECT without FROM...
    columns = frozenset("id" if c == "rowid" else c
                        for c in re.findall(r"(\w+)(?:=|>|<)", m["cond"] or ""))
    return Access(m["table"], m["index"], columns, line)


_PG_COLUMN = re.compile(r"\(*(\w+)\)?(?:::[\w ]+(?:\[\])?)?\s*(?:=|<=|>=|<|>)")


def _pg_columns(cond: str) -> frozenset[str]:
    return frozenset(c for c in _PG_COLUMN.findall(cond) if not c.isdigit())


def _pg_walk(node: dict[str, Any], out: list[Access]) -> None:
    kind = node["Node Type"]
    if kind in ("Index Scan", "Index Only Scan"):
        cond = node.get("Index Cond", "")
        out.append(Access(node["Relation Name"], node["Index Name"], _pg_columns(cond),
                          f"{kind} using {node['Index Name']} on {node['Relation Name']}"
                          f" ({cond})"))
    elif kind == "Bitmap Heap Scan":
        index_scans: list[dict[str, Any]] = []
        _bitmap_index_scans(node, index_scans)
        for scan in index_scans:
            cond = scan.get("Index Cond", "")
            out.append(Access(node["Relation Name"], scan["Index Name"], _pg_columns(cond),
                              f"Bitmap Heap Scan on {node['Relation Name']} using "
                              f"{scan['Index Name']} ({cond})"))
        return
    elif kind == "Seq Scan":
        out.append(Access(node["Relation Name"], None, frozenset(),
                          f"Seq Scan on {node['Relation Name']}"))
    for child in node.get("Plans", ()):
        _pg_walk(child, out)


def _bitmap_index_scans(node: dict[str, Any], out: list[dict[str, Any]]) -> None:
    for child in node.get("Plans", ()):
        if child["Node Type"] == "Bitmap Index Scan":
            out.append(child)
        else:
            _bitmap_index_scans(child, out)


def plans(loaded: Loaded, statements: Captured) -> list[tuple[str, list[Access], str]]:
    assert statements, "the look-up sent no SELECT"
    return [(s, *explain(loaded.engine, s, p)) for s, p in statements]


def assert_searched(loaded: Loaded, statements: Captured, table: str, columns: set[str],
                    indexes: tuple[str, ...] = ()) -> list[str]:
    """Every statement that reads ``table`` searches it through an index by one of
    ``columns`` (and, when ``indexes`` is given, through one of those). Returns the plan
    lines of ``table``."""
    seen: list[str] = []
    for statement, accesses, shown in plans(loaded, statements):
        for a in accesses:
            if a.table != table:
                continue
            where = f"{loaded.backend}: {a.line}\nplan:\n{shown}\nstatement:\n{statement}"
            assert a.columns & columns, f"{table} not searched by {sorted(columns)}: {where}"
            if indexes:
                assert a.index in indexes, f"{table} not through {indexes}: {where}"
            seen.append(a.line)
    assert seen, f"no statement read {table}"
    return seen


def assert_no_full_read(loaded: Loaded, statements: Captured) -> None:
    """No statement reads a table that grows with the customers from end to end (a table
    without a row here is left out: PostgreSQL, never having seen a row of it, may as well
    walk its primary key)."""
    for statement, accesses, shown in plans(loaded, statements):
        for a in accesses:
            assert not (a.whole and a.table not in CATALOG | loaded.empty), (
                f"{loaded.backend}: {a.table} read whole: {a.line}\nplan:\n{shown}\n"
                f"statement:\n{statement}")


# --------------------------------------------------------------------------- helpers


@contextmanager
def context(loaded: Loaded) -> Iterator[Context]:
    caller = Caller(client_id=loaded.client_id, client_code=loaded.client_code,
                    user_id=loaded.user_id, username=loaded.username,
                    permissions=frozenset({"VIEW_SSN"}), session_key="plan-test",
                    impersonated=False, tax_engine="SURETAX")
    with make_sessionmaker(loaded.engine)() as db:
        yield Context(caller=caller, db=db)
        db.rollback()


def run(loaded: Loaded, fn: Callable[[Any], Any]) -> Captured:
    """The SELECTs ``fn(db)`` sends (in a transaction rolled back afterwards)."""
    with captured(loaded.engine) as statements, make_sessionmaker(loaded.engine)() as db:
        fn(db)
        db.rollback()
    return statements


# --------------------------------------------------------------------------- Customers_Query


def test_customers_query_by_tn_searches_the_tn(loaded: Loaded) -> None:
    statements = run(loaded, lambda db: catalog.services_with_tn(db, loaded.client_id,
                                                                 loaded.tn))
    assert_searched(loaded, statements[:1], "services", {"tn"}, EXPECTED["tn"])


def test_number_live_searches_the_tn(loaded: Loaded) -> None:
    statements = run(loaded, lambda db: outbox.number_live(db, loaded.client_id, loaded.tn))
    assert_searched(loaded, statements, "services", {"tn"}, EXPECTED["tn"])


@pytest.mark.parametrize("form", ["imei", "meid_hex", "meid_hex_lower", "meid_decimal"])
def test_customers_query_by_inventory_searches_the_identifier(loaded: Loaded, form: str
                                                              ) -> None:
    key = device_key(loaded.imei)
    assert key is not None
    identifier = {"imei": loaded.imei, "meid_hex": key, "meid_hex_lower": key.lower(),
                  "meid_decimal": meid_decimal(key)}[form]
    statements = run(loaded, lambda db: catalog.inventory_items(
        db, loaded.client_id, identifier, ("Mobile_Device",)))
    assert_searched(loaded, statements[:1], "inventory_items", {"identifier"},
                    EXPECTED["identifier"])


def test_inventory_look_up_for_update_searches_the_identifier(loaded: Loaded) -> None:
    statements = run(loaded, lambda db: catalog.inventory_items(
        db, loaded.client_id, loaded.imei, ("Mobile_Device", "SIM_Card"), for_update=True))
    assert_searched(loaded, statements[:1], "inventory_items", {"identifier"},
                    EXPECTED["identifier"])


@pytest.mark.parametrize("by", ["CustomerID", "TN", "Inventory"])
def test_customers_query_reads_nothing_whole(loaded: Loaded, by: str) -> None:
    request = {
        "CustomerID": Customers_QueryRequest(CustomerID=loaded.customer_id),
        "TN": Customers_QueryRequest(TN=loaded.tn),
        "Inventory": Customers_QueryRequest(Inventory=InventoryLookup(
            Identifier=loaded.imei, Type="Mobile_Device")),
    }[by]
    with context(loaded) as ctx, captured(loaded.engine) as statements:
        result = customers_query(ctx, request)
    assert result.Customer.ID == loaded.customer_id
    assert_no_full_read(loaded, statements)
    assert_searched(loaded, statements, "customers", {"id"})
    # the look-up of the TN or device is a subquery of the first statement
    if by == "TN":
        assert_searched(loaded, statements[:1], "services", {"tn"}, EXPECTED["tn"])
    if by == "Inventory":
        assert_searched(loaded, statements[:1], "inventory_items", {"identifier"},
                        EXPECTED["identifier"])


@pytest.mark.parametrize("form", ["imei", "meid_hex", "meid_hex_lower", "meid_decimal"])
def test_customers_query_by_inventory_folds_the_look_up_of_every_form(loaded: Loaded,
                                                                      form: str) -> None:
    """The customer's statement finds it through the device in one index search, whichever
    form of the identifier is sent; then its rows by its id."""
    key = device_key(loaded.imei)
    assert key is not None
    identifier = {"imei": loaded.imei, "meid_hex": key, "meid_hex_lower": key.lower(),
                  "meid_decimal": meid_decimal(key)}[form]
    statements = run(loaded, lambda db: customers_repo.customer_answer(
        db, loaded.client_id, identifier=identifier, kinds=("Mobile_Device",)))
    assert_searched(loaded, statements[:1], "inventory_items", {"identifier"},
                    EXPECTED["identifier"])
    assert_searched(loaded, statements[:1], "customers", {"id"})
    assert_no_full_read(loaded, statements)


# --------------------------------------------------------------------------- Duplicate_Query

PATTERNS = {  # pattern -> (columns it may be searched by, expected indexes)
    "SSNTaxId": ({"ssn_hmac"}, EXPECTED["ssn"]),
    "DriversLicenseNumber": ({"dl_hmac"}, EXPECTED["dl"]),
    "SSNTaxIdLast4,DateOfBirth": ({"ssn_last4_hmac", "dob_hmac"}, EXPECTED["last4_dob"]),
    "FirstName,LastName,SSNTaxIdLast4": ({"last_name_key", "first_name_key",
                                          "ssn_last4_hmac"}, EXPECTED["name_last4"]),
    "Street1,Street2,City,State,Zip": ({"street_key"}, EXPECTED["street"]),
    "Street1,Street2,City,State": ({"street_key"}, EXPECTED["street"]),
    "Street1,Street2,Zip": ({"street_key"}, EXPECTED["street"]),
}


@pytest.mark.parametrize("pattern", list(PATTERNS))
def test_duplicate_query_pattern_searches_its_keyed_column(loaded: Loaded, pattern: str
                                                           ) -> None:
    options = M.ResolvedOptions(ignore_closed=True, lifeline_programs=(),
                                bill_profile_ids=(), patterns=(M.parse_pattern(pattern),))
    found: list[Any] = []
    statements = run(loaded, lambda db: found.append(
        duplicates.search(db, loaded.client_id, options, loaded.keys)))
    assert loaded.customer_id in found[0].customers, "the customer matches itself"
    columns, indexes = PATTERNS[pattern]
    assert_searched(loaded, statements[:1], "customers", columns, indexes)


def test_duplicate_query_counts_through_the_same_indexes(loaded: Loaded) -> None:
    """limit=0: nothing listed, every MatchType counted by one COUNT over the UNION."""
    options = M.ResolvedOptions(True, (), (), M.DEFAULT_PATTERNS)
    statements = run(loaded, lambda db: duplicates.search(db, loaded.client_id, options,
                                                          loaded.keys, limit=0))
    assert len(statements) == 2  # PERSON and LOCATION
    every = set().union(*(c for c, _ in PATTERNS.values()))
    assert_searched(loaded, statements, "customers", every,
                    tuple(i for _, ix in PATTERNS.values() for i in ix))


def test_duplicate_query_reads_nothing_whole(loaded: Loaded) -> None:
    with context(loaded) as ctx, captured(loaded.engine) as statements:
        result = duplicate_query(ctx, loaded.dup_request)
    assert result.MatchPersonCount >= 1 and result.MatchLocationCount >= 1
    assert_no_full_read(loaded, statements)


# --------------------------------------------------------------------------- Orders_Search


def test_orders_search_of_a_customer_searches_the_customer(loaded: Loaded) -> None:
    with context(loaded) as ctx, captured(loaded.engine) as statements:
        result = orders_search(ctx, Orders_SearchRequest(CustomerID=loaded.customer_id))
    assert result.TotalCount == ORDERS_PER_CUSTOMER
    assert_no_full_read(loaded, statements)
    orders = [s for s in statements if re.search(r"\bFROM orders\b", s[0])]
    assert_searched(loaded, orders, "orders", {"customer_id"},
                    EXPECTED["orders_of_customer"])


def test_orders_of_a_customer_search_the_customer(loaded: Loaded) -> None:
    statements = run(loaded, lambda db: orders_repo.orders_of(db, loaded.client_id,
                                                              loaded.customer_id))
    assert_searched(loaded, statements, "orders", {"customer_id"},
                    EXPECTED["orders_of_customer"])


@pytest.mark.parametrize("filters", [
    {}, {"Status": "NEW"},
    {"CreatedFrom": dt.datetime(2023, 1, 5), "CreatedTo": dt.datetime(2023, 1, 9)},
], ids=["all", "status", "created"])
def test_orders_search_of_the_client_walks_its_own_orders(loaded: Loaded,
                                                          filters: dict[str, Any]) -> None:
    """Without CustomerID a page is the client's newest orders: read in the order of an
    index leading with client_id, created_at and stopped after the page (not every
    client's orders walked by date, nor every order of the client sorted)."""
    with context(loaded) as ctx, captured(loaded.engine) as statements:
        result = orders_search(ctx, Orders_SearchRequest(PageSize=10, **filters))
    assert result.Orders
    page = [s for s in statements if re.search(r"\bFROM orders\b", s[0])
            and "count(" not in s[0].lower()]
    assert_searched(loaded, page, "orders", {"client_id"},
                    ("ix_orders_client_id_created_at_id", "ix_orders_client_id_created_at"))
    for _, _, shown in plans(loaded, page):
        assert "TEMP B-TREE FOR ORDER BY" not in shown and "Sort" not in shown, shown


# --------------------------------------------------------------------------- sessions


def test_session_look_ups_search_their_keys(loaded: Loaded) -> None:
    statements = run(loaded, lambda db: authrepo.find_session(db, loaded.session_hash))
    assert_searched(loaded, statements[:1], "api_sessions", {"key_hash"})
    assert_searched(loaded, statements[:1], "users", {"id"})  # both users, in one statement
    assert_searched(loaded, statements[:1], "clients", {"id"})
    statements = run(loaded, lambda db: authrepo.user_by_id(db, loaded.user_id))
    assert_searched(loaded, statements, "users", {"id"})
    statements = run(loaded, lambda db: authrepo.find_user(db, loaded.client_code,
                                                           loaded.username))
    assert_searched(loaded, statements, "users", {"username", "client_id"})
    statements = run(loaded, lambda db: authrepo.permissions_of(db, loaded.user_id))
    assert_searched(loaded, statements, "user_permissions", {"user_id"})
    since = dt.datetime.now(dt.timezone.utc) - dt.timedelta(hours=1)
    statements = run(loaded, lambda db: authrepo.recent_failures_of_user(
        db, loaded.client_code, "user7", since, 5))
    assert_searched(loaded, statements, "login_failures", {"client_code", "username"})
    statements = run(loaded, lambda db: authrepo.recent_failures_of_peer(
        db, "198.51.100.7", since, 5))
    assert_searched(loaded, statements, "login_failures", {"peer"})
    with make_sessionmaker(loaded.engine)() as db:
        assert db.scalar(select(ApiSession.id).where(
            ApiSession.key_hash == loaded.session_hash)) is not None


# --------------------------------------------------------------------------- statistics

MAIN = ("customers", "addresses", "services", "inventory_items", "orders")


def test_upgrade_analyses_a_database_never_analysed(loaded: Loaded) -> None:
    """``openrev init`` (upgrade, safe to run twice) on a database with data and without
    statistics (the million-customer database of the issue): statistics for the tables the
    look-ups search."""
    url = loaded.engine.url.render_as_string(hide_password=False)
    with loaded.engine.begin() as conn:
        before = conn.scalar(text("SELECT CURRENT_TIMESTAMP")) \
            if loaded.backend == "postgresql" else None
        if loaded.backend == "sqlite":
            conn.exec_driver_sql("DELETE FROM sqlite_stat1")
    upgrade(url)
    with loaded.engine.connect() as conn:
        if loaded.backend == "sqlite":
            rows = conn.exec_driver_sql("SELECT tbl, idx, stat FROM sqlite_stat1").all()
            assert set(MAIN) <= {r.tbl for r in rows}, rows
            by_tn = [r.stat for r in rows if r.tbl == "services" and r.idx
                     and r.idx.endswith("_tn")]
            # the planner knows a TN finds one service
            assert by_tn and all(s.split()[-1] == "1" for s in by_tn), by_tn
        else:
            analysed = set(conn.execute(text(
                "SELECT relname FROM pg_stat_user_tables WHERE relname = ANY(:t) AND "
                "last_analyze >= :before"), {"t": list(MAIN), "before": before}).scalars())
            assert analysed == set(MAIN)


def test_maybe_refresh_leaves_postgresql_to_autovacuum(loaded: Loaded) -> None:
    if loaded.backend != "postgresql":
        pytest.skip("PostgreSQL")
    assert maybe_refresh(loaded.engine) is None


# SQLite's statistics, on a table of its own in a copy of a migrated database


@pytest.fixture(scope="module")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "migrated.db"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture
def sqlite_url(sqlite_template: Path, tmp_path: Path) -> str:
    path = tmp_path / "stats.db"
    shutil.copyfile(sqlite_template, path)
    return f"sqlite:///{path}"


PROBE = "SELECT * FROM probe WHERE client_id = 1 AND tn = '5' ORDER BY id DESC"


def _probe_plan(conn: Any) -> str:
    return " | ".join(r[3] for r in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + PROBE))


def _probe(url: str, rows: int) -> None:
    """A table of ``rows`` rows of one client, one per TN, indexed by both (sqlite3 itself:
    what another process does)."""
    path = url.removeprefix("sqlite:///")
    raw = sqlite3.connect(path)
    try:
        raw.execute("CREATE TABLE IF NOT EXISTS probe (id INTEGER PRIMARY KEY, "
                    "client_id INTEGER, tn TEXT)")
        raw.execute("CREATE INDEX IF NOT EXISTS ix_probe_client_id ON probe (client_id)")
        raw.execute("CREATE INDEX IF NOT EXISTS ix_probe_tn ON probe (tn)")
        start = raw.execute("SELECT count(*) FROM probe").fetchone()[0]
        raw.executemany("INSERT INTO probe (client_id, tn) VALUES (1, ?)",
                        [(str(i),) for i in range(start, start + rows)])
        raw.commit()
    finally:
        raw.close()


def test_refresh_analyses_what_changed_tenfold(sqlite_url: str) -> None:
    engine = make_engine(sqlite_url)
    try:
        _probe(sqlite_url, 20)
        assert refresh_statistics(engine).analyzed == ("probe",)  # never analysed
        assert refresh_statistics(engine).analyzed == ()  # nothing changed
        _probe(sqlite_url, 100)  # 120 rows: not yet tenfold
        assert refresh_statistics(engine).analyzed == ()
        _probe(sqlite_url, 100)  # 220 rows: tenfold and more
        assert refresh_statistics(engine).analyzed == ("probe",)
        with engine.connect() as conn:
            stat = dict(conn.exec_driver_sql(
                "SELECT idx, stat FROM sqlite_stat1 WHERE tbl = 'probe'").all())
        assert stat == {"ix_probe_tn": "220 1", "ix_probe_client_id": "220 220"}
        assert refresh_statistics(engine, tables=["probe"]).analyzed == ("probe",)
        with engine.begin() as conn:  # a migration adds an index
            conn.exec_driver_sql("CREATE INDEX ix_probe_client_id_tn ON probe (client_id, tn)")
        assert refresh_statistics(engine).analyzed == ("probe",)
        assert refresh_statistics(engine).analyzed == ()
        with engine.begin() as conn:  # no statistics at all: the whole database
            conn.exec_driver_sql("DELETE FROM sqlite_stat1")
        assert refresh_statistics(engine).analyzed == ("*",)
    finally:
        engine.dispose()


def test_pooled_connections_plan_with_the_new_statistics(sqlite_url: str) -> None:
    """SQLite reads the statistics when a connection loads the schema: the connections the
    pool kept from before a refresh are replaced, and every one then plans by TN."""
    _probe(sqlite_url, 2000)  # no statistics yet
    engine = make_engine(sqlite_url)
    reader = read_only_engine(engine)
    try:
        held = [reader.connect() for _ in range(3)]
        assert all("ix_probe_client_id" in _probe_plan(c) for c in held)  # the client
        for c in held:
            c.close()  # back to the pool, with the statistics they loaded
        assert refresh_statistics(engine).analyzed
        held = [reader.connect() for _ in range(3)]
        assert all("ix_probe_tn" in _probe_plan(c) for c in held), [
            _probe_plan(c) for c in held]
        for c in held:
            c.close()
    finally:
        engine.dispose()


def test_maybe_refresh_once_a_period_and_after_another_process(sqlite_url: str) -> None:
    _probe(sqlite_url, 2000)
    raw = sqlite3.connect(sqlite_url.removeprefix("sqlite:///"))
    try:  # statistics that make the client look selective
        raw.executemany("INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES ('probe', ?, ?)",
                        [("ix_probe_client_id", "2000 1"), ("ix_probe_tn", "2000 1000")])
        raw.commit()
        engine = make_engine(sqlite_url)
        reader = read_only_engine(engine)
        every = dt.timedelta(minutes=10)
        assert maybe_refresh(engine, every=every, now=1000.0) is not None  # at once
        held = [reader.connect() for _ in range(2)]
        assert all("ix_probe_client_id" in _probe_plan(c) for c in held)
        for c in held:
            c.close()
        raw.execute("ANALYZE probe")  # another process (openrev seed-customers)
        raw.commit()
        assert maybe_refresh(engine, every=every, now=1000.0 + 599) is None  # not yet
        again = maybe_refresh(engine, every=every, now=1000.0 + 600)
        assert again is not None and again.analyzed == ()  # nothing stale here, but:
        held = [reader.connect() for _ in range(2)]
        assert all("ix_probe_tn" in _probe_plan(c) for c in held)  # re-read
        for c in held:
            c.close()
        engine.dispose()
    finally:
        raw.close()


# --------------------------------------------------------------------------- the console


def test_console_name_search_walks_the_name_keys(loaded: Loaded) -> None:
    """A prefix of the last name (and of the first), a page after the last row shown: a
    range of the index (client_id, last_name_key, first_name_key), in its order."""
    from openrev.store import console as console_repo

    last, first = loaded.keys.last_name, loaded.keys.first_name
    page: list[Any] = []

    def search(db: Any) -> None:
        page.extend(console_repo.customers_by_name(db, loaded.client_id, last[:3], "",
                                                   after=None, limit=26))
        console_repo.customers_by_name(db, loaded.client_id, last, first[:1],
                                       after=page[0].sort_key, limit=26)

    statements = run(loaded, search)
    assert page and all(h.sort_key[0].startswith(last[:3]) for h in page)
    assert_searched(loaded, statements, "customers", {"last_name_key"},
                    ("ix_customers_client_id_last_name_key_first_name_key",))
    assert_no_full_read(loaded, statements)
    if loaded.backend == "sqlite":
        for _, _, shown in plans(loaded, statements):
            assert "TEMP B-TREE FOR ORDER BY" not in shown, shown


def test_console_account_search_searches_the_account_number(loaded: Loaded) -> None:
    from openrev.store import console as console_repo

    with make_sessionmaker(loaded.engine)() as db:
        acct = db.scalar(select(Customer.acct_num).where(Customer.id == loaded.customer_id))
    statements = run(loaded, lambda db: console_repo.customers_by_account(
        db, loaded.client_id, acct, 26))
    assert_searched(loaded, statements, "customers", {"acct_num"},
                    ("ix_customers_client_id_acct_num",))
    assert_no_full_read(loaded, statements)


def test_console_order_queue_pages_walk_the_client_s_newest_orders(loaded: Loaded) -> None:
    from openrev.store import console as console_repo

    first: list[Any] = []

    def pages(db: Any) -> None:
        first.extend(console_repo.orders_page(db, loaded.client_id, None, None, 26))
        last = first[-1].order
        console_repo.orders_page(db, loaded.client_id, "NEW", (last.created_at, last.id), 26)

    statements = run(loaded, pages)
    assert len(first) == 26
    assert_searched(loaded, statements, "orders", {"client_id"},
                    ("ix_orders_client_id_created_at_id", "ix_orders_client_id_created_at"))
    for _, _, shown in plans(loaded, statements):
        assert "TEMP B-TREE FOR ORDER BY" not in shown, shown


def test_console_inventory_pages_walk_the_identifiers(loaded: Loaded) -> None:
    from openrev.store import console as console_repo

    first: list[Any] = []

    def pages(db: Any) -> None:
        first.extend(console_repo.inventory_page(db, loaded.client_id, status=None,
                                                 type_id=None, after=None, limit=26))
        console_repo.inventory_page(db, loaded.client_id, status="AVAILABLE", type_id=None,
                                    after=(first[-1].identifier, first[-1].id), limit=26)

    statements = run(loaded, pages)
    assert len(first) == 26
    items = [s for s in statements if re.search(r"\bFROM inventory_items\b", s[0])]
    assert_searched(loaded, items, "inventory_items", {"client_id"},
                    ("ix_inventory_items_client_id_identifier",))
    if loaded.backend == "sqlite":
        for _, _, shown in plans(loaded, items):
            assert "TEMP B-TREE FOR ORDER BY" not in shown, shown
