"""Customer reads beyond the customer row itself: what Customers_Query answers, a customer to
update, its payment accounts and change history."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import Insert, Row, Table, bindparam, insert, select
from sqlalchemy.orm import Session as DbSession, joinedload, lazyload

from .tables import (
    Address, Agent, CustomFieldDefinition, Customer, CustomerChange, CustomerFieldValue,
    CustomerHistory, CustomerLifeline, CustomerProduct, CustomerTaxExemption, InventoryItem, InventoryItemField,
    InventoryType, Package, PaymentAccount, Provider, Service,
)


# ------------------------------------------------------------------ what Customers_Query answers
#
# Plain rows (no ORM objects, no relationship loading), by statements built once per process:
# at most nine whatever the customer holds - the customer (with its agent's number), its
# addresses, lifeline, tax exemptions, custom fields, services (with provider and package
# descriptions), their products (with provider descriptions), devices (with their type) and
# the devices' fields. Each row has the columns of its table under their own names.

_cu, _ad, _ag, _ll, _tx, _fv, _fd, _sv, _pr, _pk, _cp, _ii, _it, _if = (
    m.__table__ for m in (Customer, Address, Agent, CustomerLifeline, CustomerTaxExemption,
                          CustomerFieldValue, CustomFieldDefinition, Service, Provider, Package,
                          CustomerProduct, InventoryItem, InventoryType, InventoryItemField))

_CUSTOMER = (select(*_cu.c, _ag.c.agent_number.label("agent_number"))
             .outerjoin(_ag, _ag.c.id == _cu.c.agent_id)
             .where(_cu.c.client_id == bindparam("client_id"),
                    _cu.c.id == bindparam("customer_id")))
_ADDRESSES = select(*_ad.c).where(_ad.c.id.in_(bindparam("ids", expanding=True)))
_LIFELINE = select(*_ll.c).where(_ll.c.customer_id == bindparam("customer_id")).limit(1)
_EXEMPTIONS = (select(_tx.c.value)
               .where(_tx.c.customer_id == bindparam("customer_id"))
               .order_by(_tx.c.id))
_FIELDS = (select(_fv.c.field_id, _fd.c.label, _fv.c.value)
           .join(_fd, _fd.c.id == _fv.c.field_id)
           .where(_fv.c.customer_id == bindparam("customer_id"))
           .order_by(_fv.c.field_id))
_SERVICES = (select(*_sv.c, _pr.c.description.label("provider_description"),
                    _pk.c.description.label("package_description"))
             .outerjoin(_pr, _pr.c.id == _sv.c.provider_id)
             .outerjoin(_pk, _pk.c.id == _sv.c.package_id)
             .where(_sv.c.customer_id == bindparam("customer_id"))
             .order_by(_sv.c.id))
_PRODUCTS = (select(*_cp.c, _pr.c.description.label("provider_description"))
             .outerjoin(_pr, _pr.c.id == _cp.c.provider_id)
             .where(_cp.c.service_id.in_(bindparam("ids", expanding=True)))
             .order_by(_cp.c.id))
_DEVICES = (select(*_ii.c,
                   _it.c.identifier_label.label("type_identifier_label"),
                   _it.c.kind.label("type_kind"),
                   _it.c.description.label("type_description"))
            .outerjoin(_it, _it.c.id == _ii.c.inventory_type_id)
            .where(_ii.c.service_id.in_(bindparam("ids", expanding=True)))
            .order_by(_ii.c.id))
_DEVICE_FIELDS = (select(_if.c.inventory_item_id, _if.c.field_id, _if.c.label, _if.c.value)
                  .where(_if.c.inventory_item_id.in_(bindparam("ids", expanding=True)))
                  .order_by(_if.c.field_id))


@dataclass(frozen=True, slots=True)
class DeviceAnswer:
    item: Row[Any]  # inventory_items columns + type_identifier_label, type_kind, type_description
    fields: list[Row[Any]]  # field_id, label, value


@dataclass(frozen=True, slots=True)
class ServiceAnswer:
    service: Row[Any]  # services columns + provider_description, package_description
    products: list[Row[Any]]  # customer_products columns + provider_description
    devices: list[DeviceAnswer]


@dataclass(frozen=True, slots=True)
class CustomerAnswer:
    customer: Row[Any]  # customers columns + agent_number
    physical_address: Row[Any] | None
    mailing_address: Row[Any] | None
    lifeline: Row[Any] | None
    tax_exemptions: list[str]
    fields: list[Row[Any]]  # field_id, label, value
    services: list[ServiceAnswer]


def customer_answer(db: DbSession, client_id: int, customer_id: int) -> CustomerAnswer | None:
    """The customer ``customer_id`` of ``client_id`` with everything Customers_Query answers
    (see above), or None."""
    run = db.connection().execute  # Core: rows, no ORM loading
    c = run(_CUSTOMER, {"client_id": client_id, "customer_id": customer_id}).first()
    if c is None:
        return None
    key = {"customer_id": customer_id}
    address_ids = [i for i in (c.physical_address_id, c.mailing_address_id) if i is not None]
    addresses = {a.id: a for a in run(_ADDRESSES, {"ids": address_ids})} \
        if address_ids else {}
    lifeline = run(_LIFELINE, key).first()
    exemptions = list(run(_EXEMPTIONS, key).scalars())
    fields = list(run(_FIELDS, key))
    services = list(run(_SERVICES, key))
    products: dict[int, list[Row[Any]]] = defaultdict(list)
    devices: dict[int, list[DeviceAnswer]] = defaultdict(list)
    if services:
        ids = [s.id for s in services]
        for p in run(_PRODUCTS, {"ids": ids}):
            products[p.service_id].append(p)
        items = list(run(_DEVICES, {"ids": ids}))
        item_fields: dict[int, list[Row[Any]]] = defaultdict(list)
        if items:
            for f in run(_DEVICE_FIELDS, {"ids": [i.id for i in items]}):
                item_fields[f.inventory_item_id].append(f)
        for i in items:
            devices[i.service_id].append(DeviceAnswer(i, item_fields.get(i.id, [])))
    return CustomerAnswer(
        c, addresses.get(c.physical_address_id), addresses.get(c.mailing_address_id),
        lifeline, exemptions, fields,
        [ServiceAnswer(s, products.get(s.id, []), devices.get(s.id, [])) for s in services])


def lock_customer(db: DbSession, client_id: int, customer_id: int) -> Customer | None:
    """The customer of ``client_id``, locked until the transaction ends (PostgreSQL
    ``SELECT … FOR UPDATE``; SQLite's transactions are already serialized) and read afresh,
    so that concurrent updates of one customer apply one after the other."""
    return db.scalars(_LOCK, {"client_id": client_id, "customer_id": customer_id}
                      ).unique().one_or_none()


# One statement: the customer with what Customers_Update reads of it (its two addresses, its
# Lifeline row and tax exemptions, joined); its custom field values load only when used, its
# agent never.
_LOCK = (select(Customer)
         .where(Customer.client_id == bindparam("client_id"),
                Customer.id == bindparam("customer_id"))
         .options(joinedload(Customer.physical_address), joinedload(Customer.mailing_address),
                  joinedload(Customer.lifeline), joinedload(Customer.tax_exemptions),
                  lazyload(Customer.field_values), lazyload(Customer.agent))
         .with_for_update(of=Customer).execution_options(populate_existing=True))


_HIERARCHY = select(_cu.c.id, _cu.c.is_parent_account, _cu.c.parent_customer_id).where(
    _cu.c.client_id == bindparam("client_id"), _cu.c.id == bindparam("customer_id"))


def hierarchy_of(db: DbSession, client_id: int, customer_id: int | None) -> Row[Any] | None:
    """The customer's place in the account hierarchy (``id``, ``is_parent_account``,
    ``parent_customer_id``: a plain row, nothing else loaded), or None."""
    if customer_id is None:
        return None
    return db.connection().execute(_HIERARCHY, {"client_id": client_id,
                                                "customer_id": customer_id}).first()


def payment_account(db: DbSession, client_id: int, customer_id: int, account_id: int
                    ) -> PaymentAccount | None:
    """The payment account ``account_id`` if it is one of this customer's."""
    return db.scalars(select(PaymentAccount).where(
        PaymentAccount.client_id == client_id, PaymentAccount.customer_id == customer_id,
        PaymentAccount.id == account_id)).first()


def changes_of(db: DbSession, client_id: int, customer_id: int) -> list[CustomerChange]:
    """The customer's change history (Customers_Update), oldest first."""
    return list(db.scalars(select(CustomerChange).where(
        CustomerChange.client_id == client_id, CustomerChange.customer_id == customer_id)
        .order_by(CustomerChange.created_at, CustomerChange.id)))


# ------------------------------------------------------------------ writing rows (Core)


def given(values: Mapping[str, Any]) -> dict[str, Any]:
    """The values the ORM would write: a None is left out (the column's default applies)."""
    return {k: v for k, v in values.items() if v is not None}


def uniform_rows(table: Table, rows: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Rows for one executemany: the same columns in each (those any row gives), a None
    where a row gives none, or the column's default where it has a plain one - as the ORM
    would write each row on its own."""
    out = [given(r) for r in rows]
    if len(out) < 2:
        return out
    keys = set().union(*out)
    defaults = _scalar_defaults(table)
    return [{k: r.get(k, defaults.get(k)) for k in keys} for r in out]


@cache
def _scalar_defaults(table: Table) -> dict[str, Any]:
    return {c.key: c.default.arg for c in table.c
            if c.default is not None and c.default.is_scalar}


@cache
def _insert(table: Table) -> Insert:
    return insert(table)


def add_rows(db: DbSession, model: type, rows: Iterable[Mapping[str, Any]]) -> None:
    """Insert rows of ``model``'s table (column -> value), in one statement; none: none."""
    table = model.__table__  # type: ignore[attr-defined]
    values = uniform_rows(table, rows)
    if values:
        db.connection().execute(_insert(table), values)


def add_history(db: DbSession, client_id: int, customer_id: int, user_id: int | None,
                now: dt.datetime, entries: Iterable[tuple[str, str]]) -> None:
    """Entries (category, note) of the customer's History pane, in this order, by
    ``user_id`` at ``now``: one statement."""
    add_rows(db, CustomerHistory, (
        {"client_id": client_id, "customer_id": customer_id, "created_at": now,
         "category": category, "note": note, "user_id": user_id}
        for category, note in entries))
