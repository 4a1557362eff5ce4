"""Customer reads beyond the customer row itself: what Customers_Query answers, a customer to
update, its payment accounts and change history."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import (Insert, Row, Table, bindparam, insert, literal_column, null, select,
                        type_coerce, union_all)
from sqlalchemy.orm import Session as DbSession, joinedload, lazyload

from . import catalog, customer_map as M
from .tables import (
    Address, Agent, CustomFieldDefinition, Customer, CustomerChange, CustomerFieldValue,
    CustomerHistory, CustomerLifeline, CustomerProduct, CustomerTaxExemption, InventoryItem,
    InventoryItemField,
    InventoryType, Package, PaymentAccount, Provider, Service,
)


# ------------------------------------------------------------------ what Customers_Query answers
#
# Plain rows (no ORM objects, no relationship loading) by statements built once per process,
# at most three whatever the customer holds, each row holding only the columns the answer
# shows (the field map's, :meth:`openrev.store.customer_map.Part.answered`):
#
# 1. the customer (its own and Billing columns), its agent's number, its two addresses
#    (columns ``pa_*`` and ``ma_*``), its lifeline (``ll_*``), and whether it has tax
#    exemptions or custom fields - found by id, or by the TN or device it holds (the look-up
#    is a subquery of this statement);
# 2. only if it has either: its tax exemptions and custom fields (one UNION ALL);
# 3. what it holds, one UNION ALL: its services (with provider and package descriptions),
#    each joined with its products (``p_*``, with their provider's description), then their
#    devices (with their type), each joined with its fields (``f_*``).

_cu, _ad, _ag, _ll, _tx, _fv, _fd, _sv, _pr, _pk, _cp, _ii, _it, _if = (
    m.__table__ for m in (Customer, Address, Agent, CustomerLifeline, CustomerTaxExemption,
                          CustomerFieldValue, CustomFieldDefinition, Service, Provider, Package,
                          CustomerProduct, InventoryItem, InventoryType, InventoryItemField))
_pa, _ma = _ad.alias("pa"), _ad.alias("ma")
_cp_pr = _pr.alias("cp_pr")

_CUSTOMER_BY_ID = (
    select(*M.CUSTOMER.answered(_cu), *M.BILLING.answered(_cu),
           _cu.c.lifeline_program, _ag.c.agent_number.label("agent_number"),
           *M.ADDRESS.answered(_pa, "pa_"), *M.ADDRESS.answered(_ma, "ma_"),
           _ll.c.id.label("ll_id"), *M.LIFELINE.answered(_ll, "ll_"),
           select(_tx.c.id).where(_tx.c.customer_id == _cu.c.id).exists()
           .label("has_exemptions"),
           select(_fv.c.id).where(_fv.c.customer_id == _cu.c.id).exists().label("has_fields"))
    .select_from(_cu)
    .outerjoin(_ag, _ag.c.id == _cu.c.agent_id)
    .outerjoin(_pa, _pa.c.id == _cu.c.physical_address_id)
    .outerjoin(_ma, _ma.c.id == _cu.c.mailing_address_id)
    .outerjoin(_ll, _ll.c.customer_id == _cu.c.id)  # one per customer (unique)
    .where(_cu.c.client_id == bindparam("client_id")))
_CUSTOMER = _CUSTOMER_BY_ID.where(_cu.c.id == bindparam("customer_id"))
# the customer of the TN or device: catalog's look-up (one id) as a subquery
_CUSTOMER_BY_TN = _CUSTOMER_BY_ID.where(_cu.c.id == catalog.TN_HOLDER.scalar_subquery())
_CUSTOMER_BY_INVENTORY = _CUSTOMER_BY_ID.where(
    _cu.c.id == catalog.INVENTORY_HOLDER.scalar_subquery())
CUSTOMER_KEYS: tuple[str, ...] = tuple(_CUSTOMER.selected_columns.keys())
"""The columns of :attr:`CustomerAnswer.customer`, in order."""

_exemptions = (select(literal_column("0").label("part"), _tx.c.id.label("sort"),
                      _tx.c.value.label("value"), null().label("field_id"),
                      null().label("label"))
               .where(_tx.c.customer_id == bindparam("customer_id")))
_fields = (  # the same columns (part, sort, value, field_id, label), sorted by FieldID
    select(literal_column("1"), _fv.c.field_id, _fv.c.value, _fv.c.field_id, _fd.c.label)
    .join(_fd, _fd.c.id == _fv.c.field_id)
    .where(_fv.c.customer_id == bindparam("customer_id")))
_EXEMPTIONS_AND_FIELDS = union_all(_exemptions, _fields).order_by(
    literal_column("part"), literal_column("sort"))
FIELD_KEYS: tuple[str, ...] = ("field_id", "label", "value")  # of CustomerAnswer.fields

_service_columns = (
    _sv.c.id, _sv.c.type, _sv.c.tn, _sv.c.provider_id,
    _pr.c.description.label("provider_description"), _sv.c.package_id,
    _pk.c.description.label("package_description"), _sv.c.program_id,
    _cp.c.id.label("p_id"), _cp.c.product_id.label("p_product_id"),
    _cp.c.provider_id.label("p_provider_id"),
    _cp_pr.c.description.label("p_provider_description"),
    _cp.c.status.label("p_status"), _cp.c.description.label("p_description"),
    _cp.c.rate.label("p_rate"), _cp.c.code1.label("p_code1"), _cp.c.code2.label("p_code2"),
    _cp.c.activated_date.label("p_activated_date"),
    _cp.c.billed_through_date.label("p_billed_through_date"),
    _cp.c.quantity.label("p_quantity"))
_device_columns = (
    _ii.c.id, _ii.c.service_id, _ii.c.customer_id, _ii.c.identifier,
    _it.c.identifier_label.label("type_identifier_label"),
    _ii.c.inventory_type_id, _it.c.kind.label("type_kind"),
    _it.c.description.label("type_description"), _ii.c.status,
    _ii.c.assigned_date, _ii.c.unavailable_reason_id,
    _ii.c.unavailable_reason_description, _ii.c.note, _ii.c.msid, _ii.c.msl, _ii.c.mdn,
    _if.c.field_id.label("f_field_id"), _if.c.label.label("f_label"),
    _if.c.value.label("f_value"))
SERVICE_KEYS: tuple[str, ...] = tuple(c.key for c in _service_columns)
"""The columns of :attr:`ServiceAnswer.service` and of each of its products."""
DEVICE_KEYS: tuple[str, ...] = tuple(c.key for c in _device_columns)
"""The columns of :attr:`DeviceAnswer.item` and of each of its fields."""


def _nulls(columns: tuple[Any, ...], prefix: str) -> list[Any]:
    """A NULL for each of ``columns``, typed as it is (the rows of a UNION are read with the
    types of its first SELECT: decryption, dates)."""
    return [type_coerce(null(), c.type).label(f"{prefix}{i}") for i, c in enumerate(columns)]


# One statement for what the customer holds: its services, each joined with its products
# (part 0), then their devices, each joined with its fields (part 1), as one UNION ALL whose
# rows carry the service columns, then the device columns (NULL in the other part's rows).
_HOLDINGS = union_all(
    select(literal_column("0").label("part"), _sv.c.id.label("sort1"),
           _cp.c.id.label("sort2"), *[c.label(f"s{i}") for i, c in enumerate(_service_columns)],
           *_nulls(_device_columns, "d"))
    .select_from(_sv)
    .outerjoin(_pr, _pr.c.id == _sv.c.provider_id)
    .outerjoin(_pk, _pk.c.id == _sv.c.package_id)
    .outerjoin(_cp, _cp.c.service_id == _sv.c.id)
    .outerjoin(_cp_pr, _cp_pr.c.id == _cp.c.provider_id)
    .where(_sv.c.customer_id == bindparam("customer_id")),
    select(literal_column("1"), _ii.c.id, _if.c.field_id,
           *_nulls(_service_columns, "s"),
           *[c.label(f"d{i}") for i, c in enumerate(_device_columns)])
    .select_from(_ii)
    .join(_sv, _sv.c.id == _ii.c.service_id)
    .outerjoin(_it, _it.c.id == _ii.c.inventory_type_id)
    .outerjoin(_if, _if.c.inventory_item_id == _ii.c.id)
    .where(_sv.c.customer_id == bindparam("customer_id")),
).order_by(literal_column("part"), literal_column("sort1"), literal_column("sort2"))
_SERVICE_AT = slice(3, 3 + len(_service_columns))
_DEVICE_AT = slice(3 + len(_service_columns), 3 + len(_service_columns) + len(_device_columns))


@dataclass(frozen=True, slots=True)
class DeviceAnswer:
    item: tuple[Any, ...]  # DEVICE_KEYS
    fields: list[tuple[Any, ...]]  # DEVICE_KEYS (its f_* columns)


@dataclass(frozen=True, slots=True)
class ServiceAnswer:
    service: tuple[Any, ...]  # SERVICE_KEYS
    products: list[tuple[Any, ...]]  # SERVICE_KEYS (their p_* columns)
    devices: list[DeviceAnswer]


@dataclass(frozen=True, slots=True)
class CustomerAnswer:
    customer: Row[Any]  # CUSTOMER_KEYS
    tax_exemptions: list[str]
    fields: list[tuple[Any, ...]]  # FIELD_KEYS
    services: list[ServiceAnswer]


# positions in the rows (read by index: cheaper than by name)
_C_ID, _C_EXEMPTIONS, _C_FIELDS = map(CUSTOMER_KEYS.index, ("id", "has_exemptions", "has_fields"))
_S_ID, _S_PRODUCT = map(SERVICE_KEYS.index, ("id", "p_id"))
_D_ID, _D_SERVICE, _D_FIELD = map(DEVICE_KEYS.index, ("id", "service_id", "f_field_id"))


def customer_answer(db: DbSession, client_id: int, customer_id: int | None = None, *,
                    tn: str | None = None, identifier: str | None = None,
                    kinds: tuple[str, ...] = ()) -> CustomerAnswer | None:
    """The customer ``customer_id`` of ``client_id`` - or the customer holding ``tn``
    (:data:`openrev.store.catalog.TN_HOLDER`), or the device ``identifier`` of one of
    ``kinds`` (:data:`openrev.store.catalog.INVENTORY_HOLDER`) - with everything
    Customers_Query answers (see above), or None."""
    run = db.connection().execute  # Core: rows, no ORM loading
    if tn is not None:
        c = run(_CUSTOMER_BY_TN, catalog.tn_values(client_id, tn)).first()
    elif identifier is not None:
        c = run(_CUSTOMER_BY_INVENTORY,
                catalog.inventory_values(client_id, identifier, kinds)).first()
    else:
        c = run(_CUSTOMER, {"client_id": client_id, "customer_id": customer_id}).first()
    if c is None:
        return None
    key = {"customer_id": c[_C_ID]}
    exemptions: list[str] = []
    fields: list[tuple[Any, ...]] = []
    if c[_C_EXEMPTIONS] or c[_C_FIELDS]:
        for part, _, value, field_id, label in run(_EXEMPTIONS_AND_FIELDS, key):
            if part == 0:
                exemptions.append(value)
            else:
                fields.append((field_id, label, value))
    services: list[ServiceAnswer] = []
    by_id: dict[int, ServiceAnswer] = {}
    item: DeviceAnswer | None = None
    for r in run(_HOLDINGS, key):
        if r[0] == 0:  # a service, with one of its products (or none)
            row = r[_SERVICE_AT]
            s = by_id.get(row[_S_ID])
            if s is None:
                s = by_id[row[_S_ID]] = ServiceAnswer(row, [], [])
                services.append(s)
            if row[_S_PRODUCT] is not None:
                s.products.append(row)
        else:  # a device, with one of its fields (or none)
            row = r[_DEVICE_AT]
            if item is None or item.item[_D_ID] != row[_D_ID]:
                item = DeviceAnswer(row, [])
                by_id[row[_D_SERVICE]].devices.append(item)
            if row[_D_FIELD] is not None:
                item.fields.append(row)
    return CustomerAnswer(c, exemptions, fields, services)


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
