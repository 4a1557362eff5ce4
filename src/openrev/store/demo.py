"""The demo data (CONTRACT.md, "Demo data"): fixed identifiers that examples, documentation
and tests rely on. ``openrev demo`` loads it; loading it again changes nothing.

Client ``DEMO`` (id 1; SureTax exemption list; a SelfCertificationPDF makes a customer
NEEDS_REVIEW)
  users       1 ``demo``/``demo`` with every permission;
              2 ``clerk``/``clerk`` without IMPERSONATE_USERS, MANUALLY_CHANGE_LIFELINE_INFORMATION
              and VIEW_SSN, ImpersonationKey ``clerk-impersonation-key``
  NLAD        profiles 1 FL, 2 NY (active)
  agent       1, AgentNumber 5001 "Demo Agent"
  bill        profiles 1 "Standard" (EMAIL_ONLY, terms 30), 2 "Paper" (PRINT_ONLY, terms 15)
  providers   10 "Demo Wireless" DEMOWIRELESS (wireless; orders complete 3 s after sending),
              20 "Manual Provisioning" MANUAL (orders wait for Orders_Update)
  products    2001 "Unlimited Talk & Text" 25.00 monthly     (provider 10, code1 UNLTT)
              2002 "5GB Data" 15.00 monthly                  (provider 10, code1 DATA5GB)
              2003 "Activation Fee" 35.00 one-time
              2004 "Shipping" 9.99 one-time                  (ships equipment)
              2005 "Lifeline Discount" -9.25 monthly         (provider 10, code1 LLDISC)
              2006 "Business Voice Line" 29.95 monthly       (provider 20, code1 BVL)
  packages    1001 "Wireless Unlimited" (provider 10, service type 1): package products
                   1 = 2001 lead of group 1, 2 = 2002 in group 1, 3 = 2003 (group 0)
              1002 "Lifeline Wireless" (provider 10, service type 1, Lifeline):
                   4 = 2001, 5 = 2005
              1003 "Business Voice" (provider 20, service type 2): 6 = 2006
  lifeline    types 1 "Federal Lifeline", 2 "State Lifeline";
              proof types 1 "SNAP", 2 "Medicaid", 3 "Income"
  service     types 1 "Wireless", 2 "Voice";  process 1 "Standard Activation"
  fields      custom fields 1 "Referral Source", 2 "Preferred Contact Time"
  inventory   types 1 "Mobile Device" (Mobile_Device, label IMEI), 2 "SIM Card" (SIM_Card,
              label ICCID); batch 1 "Demo Pre-activated Batch"; items
              1 356938035643801 AVAILABLE, 2 356938035643802 AVAILABLE,
              3 356938035643803 BATCHED on batch 1 with MDN 8505550103,
              4 356938035643809 UNAVAILABLE, 5 SIM 89014103211118510701 AVAILABLE;
              for more sign-ups 6-10 Mobile_Device 356938035643106, 356938035643114,
              356938035643122, 356938035643130, 356938035643148 and 11-13 SIM_Card
              89014103211118510720, 89014103211118510738, 89014103211118510746, AVAILABLE
  customer    1: OPEN, Residential, AcctNum DEMO-0001, agent 1, bill profile 1 (EMAIL_ONLY, 30),
              "Jane Sample", 101 N Palafox St, Pensacola, FL 32502 (physical address 1 and
              mailing address 2), DOB 1980-05-15, SSN 123456789, DL S530123801550,
              SecurityPIN 1234, Language English, jane.sample@example.com;
              payment account 1 (CREDIT_CARD, last4 1111);
              service 1: TN 8505550100, Wireless, provider 10, package 1001, ACTIVE;
              order 1: NEW, COMPLETE; customer products 1 (2001, lead of group 1),
              2 (2002, group 1), 3 (2003) ACTIVE

Client ``OTHER`` (id 2; CCH exemption list)
  user 3 ``other``/``other`` (no permissions); bill profile 3 "Standard" (EMAIL_ONLY, 30);
  provider 30 "Other Wireless" OTHERWIRELESS (wireless, 3 s); product 2101 "Other Unlimited"
  30.00 monthly; service type 3 "Wireless"; package 1101 "Other Wireless" (package product 7 =
  2101); lifeline type 3 "Other Lifeline"; custom field 3 "Referral Source";
  customer 2: OPEN, Residential, AcctNum OTHER-0001, "John Other", 100 W 33rd St, New York,
  NY 10001 (addresses 3 and 4); service 2: TN 2125550100, provider 30, package 1101, ACTIVE;
  order 2 COMPLETE; customer product 4 (2101) ACTIVE

The catalog rows (NLAD profiles to inventory types above) are not written here: they are the
shipped catalog files ``catalogs/DEMO.yaml`` and ``catalogs/OTHER.yaml``, loaded through the
importer of ``openrev catalog import`` (openrev.store.catalog_file). Every row is looked up by
its fixed id (clients by code, users by client and username) and
only inserted when missing, so loading twice changes nothing. The data is meant for a fresh
database: a row a user created under one of these ids is left alone. On PostgreSQL the id
sequences are moved past the ids inserted here, so later inserts do not collide.

:func:`reset_demo` (``openrev demo --reset``) puts the data back as listed: every row of the
demo clients that hangs off a customer (the ``customers`` table and every table with a
foreign-key path to it, found from the metadata, so later tables are covered) and is not one
of the listed rows is deleted; inventory those rows held is released (AVAILABLE, no
customer/service); then every listed row gets its listed values back (other columns their
defaults) and missing ones are inserted. Users, clients and rows outside the customers'
tree (e.g. products a user added) are left alone.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from importlib.resources import files
from typing import Any, TypeVar

from sqlalchemy import Table, delete, func, or_, select, text, update
from sqlalchemy.orm import Session

from openrev.contract.enums import PERMISSIONS
from openrev.domain.passwords import hash_key, hash_password

from .catalog_format import column_default
from .tables import (
    Address,
    Base,
    CarrierLedger,
    Client,
    CustomerProduct,
    Customer,
    InventoryBatch,
    InventoryItem,
    Order,
    PaymentAccount,
    Service,
    User,
    UserPermission,
)

M = TypeVar("M", bound=Base)

DEMO_CLIENT = "DEMO"
OTHER_CLIENT = "OTHER"
CLERK_IMPERSONATION_KEY = "clerk-impersonation-key"
RESTRICTED_PERMISSIONS = (
    "IMPERSONATE_USERS",
    "MANUALLY_CHANGE_LIFELINE_INFORMATION",
    "VIEW_SSN",
)
"""The permissions ``clerk`` does not hold (CONTRACT.md)."""

DEMO_CREDENTIALS: tuple[tuple[str, str, str], ...] = (
    (DEMO_CLIENT, "demo", "demo"),
    (DEMO_CLIENT, "clerk", "clerk"),
    (OTHER_CLIENT, "other", "other"),
)
"""(Client, Username, Password) of the demo users."""

DEMO_CREATED_AT = dt.datetime(2024, 1, 2, 15, 0, tzinfo=dt.timezone.utc)
DEMO_DATE = DEMO_CREATED_AT.date()


def credentials_text() -> str:
    """The demo credentials, as ``openrev demo`` prints them."""
    lines = ["Demo credentials (Client / Username / Password):"]
    lines += [f"  {client} / {user} / {password}" for client, user, password in DEMO_CREDENTIALS]
    lines.append(f"  clerk's ImpersonationKey: {CLERK_IMPERSONATION_KEY}")
    return "\n".join(lines)


# --------------------------------------------------------------------------- helpers


_RESETTING = "openrev.demo.resetting"
"""``session.info`` key: while set, :func:`_ensure` also restores existing rows' values."""


def _ensure(session: Session, model: type[M], id: int, **values: Any) -> M:  # noqa: A002
    """The row of ``model`` with ``id``; inserted with ``values`` when there is none. While
    resetting, an existing row gets ``values`` back and its other columns their defaults."""
    row = session.get(model, id)
    if row is None:
        row = model(id=id, **values)
        session.add(row)
    elif session.info.get(_RESETTING):
        for column in model.__table__.columns:  # type: ignore[attr-defined]
            if column.primary_key or column.key in values:
                continue
            has_default, value = column_default(column)
            if has_default and getattr(row, column.key) != value:
                setattr(row, column.key, value)
        for key, value in values.items():
            if getattr(row, key) != value:
                setattr(row, key, value)
    return row


def _client(
    session: Session, id: int, code: str, name: str, tax_engine: str  # noqa: A002
) -> Client:
    client = session.scalar(select(Client).where(Client.code == code))
    if client is None:
        free = session.get(Client, id) is None
        client = Client(id=id if free else None, code=code, name=name, tax_engine=tax_engine,
                        lifeline_form_status="NEEDS_REVIEW", created_at=DEMO_CREATED_AT)
        session.add(client)
        session.flush()
    return client


def _user(
    session: Session,
    id: int,  # noqa: A002
    client: Client,
    username: str,
    password: str,
    permissions: tuple[str, ...] = (),
    impersonation_key: str | None = None,
) -> User:
    user = session.scalar(
        select(User).where(User.client_id == client.id, User.username == username)
    )
    if user is None:
        free = session.get(User, id) is None
        user = User(
            id=id if free else None,
            client_id=client.id,
            username=username,
            password_hash=hash_password(password),
            impersonation_key_hash=hash_key(impersonation_key) if impersonation_key else None,
            active=True,
            created_at=DEMO_CREATED_AT,
        )
        session.add(user)
        session.flush()
    missing = [p for p in permissions if p not in user.permission_names]
    for permission in missing:
        user.permissions.append(
            UserPermission(client_id=client.id, user_id=user.id, permission=permission)
        )
    return user


def advance_id_sequences(session: Session) -> None:
    """On PostgreSQL, move every table's id sequence to its largest id (no-op elsewhere).

    Rows inserted with explicit ids do not advance a sequence; without this the next
    ``INSERT`` without an id would collide with them.
    """
    if session.get_bind().dialect.name != "postgresql":
        return
    for table in Base.metadata.sorted_tables:
        if "id" not in table.c:
            continue
        session.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence(:table, 'id'), "
                f"(SELECT max(id) FROM {table.name}))"
            ),
            {"table": table.name},
        )


# --------------------------------------------------------------------------- the data


def load_demo(session: Session) -> None:
    """Load the demo data into ``session`` (flushed, not committed); idempotent."""
    session.flush()
    advance_id_sequences(session)

    demo = _client(session, 1, DEMO_CLIENT, "Demo Carrier", "SURETAX")
    other = _client(session, 2, OTHER_CLIENT, "Other Carrier", "CCH")

    _user(session, 1, demo, "demo", "demo", permissions=tuple(PERMISSIONS))
    _user(session, 2, demo, "clerk", "clerk",
          permissions=tuple(p for p in PERMISSIONS if p not in RESTRICTED_PERMISSIONS),
          impersonation_key=CLERK_IMPERSONATION_KEY)
    _user(session, 3, other, "other", "other")
    session.flush()

    _load_catalog(session, demo)
    _load_catalog(session, other)
    _load_demo_inventory(session, demo.id)
    _load_demo_customer(session, demo.id)
    _load_other_customer(session, other.id)
    for client in (demo, other):
        _load_tax_table(session, client.id)

    session.flush()
    advance_id_sequences(session)


def _load_catalog(session: Session, client: Client) -> None:
    """The client's shipped demo catalog file (``catalogs/CODE.yaml``), through the importer
    of ``openrev catalog import``: missing rows inserted; while resetting, listed rows get
    their listed values back (products a user added to a demo package are kept)."""
    from .catalog_file import import_catalog

    name = f"catalogs/{client.code}.yaml"
    text = files("openrev.store").joinpath(name).read_text(encoding="utf-8")
    resetting = bool(session.info.get(_RESETTING))
    report = import_catalog(session, client.id, text, name, keep_existing=not resetting,
                            prune=False)
    if not report.ok:
        raise RuntimeError("demo data cannot be loaded (it is meant for a fresh database): "
                           + "; ".join(report.problems))


def _load_tax_table(session: Session, c: int) -> None:
    """The shipped sample tax table (SAMPLE RATES, NOT TAX ADVICE), when the client has no
    table yet; put back when resetting."""
    from .tax import sample_text, store_table
    from .tables import TaxTable

    has = session.scalar(select(TaxTable.id).where(TaxTable.client_id == c))
    if has is None or session.info.get(_RESETTING):
        store_table(session, c, sample_text(), "tax_sample.toml")


def _load_demo_inventory(session: Session, c: int) -> None:
    _ensure(session, InventoryBatch, 1, client_id=c, description="Demo Pre-activated Batch")
    session.flush()
    items: tuple[tuple[int, int, str, str, dict[str, Any]], ...] = (
        (1, 1, "356938035643801", "AVAILABLE", {}),
        (2, 1, "356938035643802", "AVAILABLE", {}),
        (3, 1, "356938035643803", "BATCHED", {"batch_id": 1, "mdn": "8505550103"}),
        (4, 1, "356938035643809", "UNAVAILABLE", {}),
        (5, 2, "89014103211118510701", "AVAILABLE", {}),
        (6, 1, "356938035643106", "AVAILABLE", {}),
        (7, 1, "356938035643114", "AVAILABLE", {}),
        (8, 1, "356938035643122", "AVAILABLE", {}),
        (9, 1, "356938035643130", "AVAILABLE", {}),
        (10, 1, "356938035643148", "AVAILABLE", {}),
        (11, 2, "89014103211118510720", "AVAILABLE", {}),
        (12, 2, "89014103211118510738", "AVAILABLE", {}),
        (13, 2, "89014103211118510746", "AVAILABLE", {}),
    )
    for id_, type_id, identifier, status, extra in items:
        _ensure(session, InventoryItem, id_, client_id=c, inventory_type_id=type_id,
                identifier=identifier, status=status, **extra)
    session.flush()


def _load_customer(
    session: Session,
    *,
    client_id: int,
    customer_id: int,
    address_ids: tuple[int, int],
    customer: dict[str, Any],
    address: dict[str, Any],
) -> None:
    """A customer with its physical and mailing address (one flush per dependency step)."""
    row = _ensure(session, Customer, customer_id, client_id=client_id,
                  created_at=DEMO_CREATED_AT, **customer)
    session.flush()
    physical_id, mailing_id = address_ids
    _ensure(session, Address, physical_id, client_id=client_id, customer_id=customer_id,
            kind="PHYSICAL", **address)
    _ensure(session, Address, mailing_id, client_id=client_id, customer_id=customer_id,
            kind="MAILING", **address)
    session.flush()
    resetting = bool(session.info.get(_RESETTING))
    if resetting or (row.physical_address_id is None and row.mailing_address_id is None):
        row.physical_address_id = physical_id
        row.mailing_address_id = mailing_id
        session.flush()


def _load_demo_customer(session: Session, c: int) -> None:
    _load_customer(
        session,
        client_id=c,
        customer_id=1,
        address_ids=(1, 2),
        customer=dict(
            acct_num="DEMO-0001", status="OPEN", customer_class="Residential", agent_id=1,
            bill_profile_id=1, bill_method="EMAIL_ONLY", payment_terms=30,
            payment_terms_override=False, contract_start=DEMO_DATE, security_pin="1234",
            language="English", dob=dt.date(1980, 5, 15), dl="S530123801550",
            ssn="123456789", email="jane.sample@example.com", source="openrev demo",
            lifeline_program="NON_LIFELINE",
        ),
        address=dict(first_name="Jane", last_name="Sample", address1="101 N Palafox St",
                     city="Pensacola", state="FL", zip="32502", country="USA"),
    )
    _ensure(session, PaymentAccount, 1, client_id=c, customer_id=1, account_type="CREDIT_CARD",
            description="Visa ending in 1111", last4="1111", active=True)
    _ensure(session, Service, 1, client_id=c, customer_id=1, tn="8505550100", type="Wireless",
            service_type_id=1, provider_id=10, package_id=1001, status="ACTIVE",
            created_at=DEMO_CREATED_AT)
    session.flush()
    _ensure(session, Order, 1, client_id=c, customer_id=1, service_id=1, provider_id=10,
            order_type="NEW", status="COMPLETE", flow_through=True, process_id=1,
            created_at=DEMO_CREATED_AT, sent_at=DEMO_CREATED_AT, completion_date=DEMO_DATE,
            attempts=1, last_attempt_at=DEMO_CREATED_AT, status_changed_at=DEMO_CREATED_AT)
    session.flush()
    lines = (
        # id, product, description, rate, code1, group, lead
        (1, 2001, "Unlimited Talk & Text", "25.00", "UNLTT", 1, True),
        (2, 2002, "5GB Data", "15.00", "DATA5GB", 1, False),
        (3, 2003, "Activation Fee", "35.00", None, 0, False),
    )
    for id_, product_id, description, rate, code1, group, lead in lines:
        _ensure(session, CustomerProduct, id_, client_id=c, customer_id=1, service_id=1,
                product_id=product_id, provider_id=10, status="ACTIVE", description=description,
                rate=Decimal(rate), quantity=1, code1=code1, product_group_id=group,
                lead_product=lead, activated_date=DEMO_DATE, order_id=1)
    session.flush()


def _load_other_customer(session: Session, c: int) -> None:
    _load_customer(
        session,
        client_id=c,
        customer_id=2,
        address_ids=(3, 4),
        customer=dict(
            acct_num="OTHER-0001", status="OPEN", customer_class="Residential",
            bill_profile_id=3, bill_method="EMAIL_ONLY", payment_terms=30,
            contract_start=DEMO_DATE, email="john.other@example.com", source="openrev demo",
            lifeline_program="NON_LIFELINE",
        ),
        address=dict(first_name="John", last_name="Other", address1="100 W 33rd St",
                     city="New York", state="NY", zip="10001", country="USA"),
    )
    _ensure(session, Service, 2, client_id=c, customer_id=2, tn="2125550100", type="Wireless",
            service_type_id=3, provider_id=30, package_id=1101, status="ACTIVE",
            created_at=DEMO_CREATED_AT)
    session.flush()
    _ensure(session, Order, 2, client_id=c, customer_id=2, service_id=2, provider_id=30,
            order_type="NEW", status="COMPLETE", flow_through=True,
            created_at=DEMO_CREATED_AT, sent_at=DEMO_CREATED_AT, completion_date=DEMO_DATE,
            attempts=1, last_attempt_at=DEMO_CREATED_AT, status_changed_at=DEMO_CREATED_AT)
    session.flush()
    _ensure(session, CustomerProduct, 4, client_id=c, customer_id=2, service_id=2,
            product_id=2101, provider_id=30, status="ACTIVE", description="Other Unlimited",
            rate=Decimal("30.00"), quantity=1, code1="OTHUNL", product_group_id=0,
            lead_product=False, activated_date=DEMO_DATE, order_id=2)
    session.flush()


# --------------------------------------------------------------------------- reset

LISTED_CUSTOMER_ROWS: dict[str, frozenset[int]] = {
    "customers": frozenset({1, 2}),
    "addresses": frozenset({1, 2, 3, 4}),
    "payment_accounts": frozenset({1}),
    "services": frozenset({1, 2}),
    "orders": frozenset({1, 2}),
    "customer_products": frozenset({1, 2, 3, 4}),
}
"""The rows of the customers' tree the demo data lists, by table; the others are removed."""

RELEASED_ON_RESET: dict[str, dict[str, Any]] = {
    "inventory_items": {"status": "AVAILABLE", "assigned_date": None},
}
"""Tables whose rows are stock: when the customer or service holding one is removed, the
row stays, its references are cleared and these values are set."""


def customer_tree(metadata: Any = Base.metadata) -> list[Table]:
    """``customers`` and every table with a foreign-key path to it (except the stock tables of
    :data:`RELEASED_ON_RESET`), parents first."""
    tree = {"customers"}
    grew = True
    while grew:
        grew = False
        for table in metadata.tables.values():
            if table.name in tree or table.name in RELEASED_ON_RESET:
                continue
            if any(fk.column.table.name in tree for fk in table.foreign_keys):
                tree.add(table.name)
                grew = True
    return [t for t in metadata.sorted_tables if t.name in tree]


def reset_demo(session: Session) -> int:
    """Put the demo data back as listed (see the module docstring); return how many
    customers were removed. Flushed, not committed."""
    session.flush()
    client_ids = list(session.scalars(
        select(Client.id).where(Client.code.in_((DEMO_CLIENT, OTHER_CLIENT)))))
    removed = 0
    if client_ids:
        tree = customer_tree()
        in_tree = {t.name for t in tree}

        def doomed(table: Table) -> Any:
            """The ids of ``table``'s rows to remove (a subquery)."""
            query = select(table.c.id).where(table.c.client_id.in_(client_ids))
            listed = LISTED_CUSTOMER_ROWS.get(table.name)
            if listed:
                query = query.where(table.c.id.not_in(sorted(listed)))
            return query

        for table in tree:
            if "id" not in table.c or "client_id" not in table.c:
                raise RuntimeError(f"demo reset: table {table.name} has no id/client_id column")
        customers = next(t for t in tree if t.name == "customers")
        removed = session.scalar(
            select(func.count()).select_from(doomed(customers).subquery())) or 0

        # 1. Clear references to rows about to go: nullable ones anywhere (this also breaks
        #    the customers <-> addresses/payment_accounts cycle); stock rows are released.
        for table in Base.metadata.sorted_tables:
            refs = [(fk.parent, fk.column.table) for fk in table.foreign_keys
                    if fk.column.table.name in in_tree]
            if table.name in RELEASED_ON_RESET and refs:
                hit = or_(*(col.in_(doomed(parent)) for col, parent in refs))
                session.execute(update(table).where(hit).values(
                    {**{col.key: None for col, _ in refs}, **RELEASED_ON_RESET[table.name]}))
                continue
            for col, parent in refs:
                if col.nullable:
                    session.execute(update(table).where(col.in_(doomed(parent)))
                                    .values({col.key: None}))
        # 2. Remove them, children first.
        for table in reversed(tree):
            session.execute(delete(table).where(table.c.id.in_(doomed(table))))
        # the simulated carrier forgets what it received (its numbers are free again)
        session.execute(delete(CarrierLedger).where(CarrierLedger.client_id.in_(client_ids)))
        session.expunge_all()  # the ORM must not keep rows deleted behind its back

    # 3. The listed rows get their listed values back; missing ones are inserted.
    session.info[_RESETTING] = True
    try:
        load_demo(session)
    finally:
        session.info.pop(_RESETTING, None)
    return int(removed)
