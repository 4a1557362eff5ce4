"""The client's catalog and reference data: every look-up is scoped to one client.

A row of another client is never found: to a caller it "does not exist".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy import Row, bindparam, case, func, select
from sqlalchemy.orm import Session as DbSession

from ..domain.devices import identifier_forms
from .tables import (
    Agent, Base, BillProfile, CustomFieldDefinition, InventoryItem, InventoryType, LifelineType,
    NladProfile, Package, PackageProduct, Product, Provider, Service, ServiceType,
)

M = TypeVar("M", bound=Base)


def get(db: DbSession, model: type[M], client_id: int, row_id: int | None) -> M | None:
    """The row ``row_id`` of ``model`` if it belongs to ``client_id``."""
    if row_id is None:
        return None
    row = db.get(model, row_id)
    return row if row is not None and getattr(row, "client_id") == client_id else None


_LIFELINE_TYPES = (select(LifelineType.id, LifelineType.description)
                   .where(LifelineType.client_id == bindparam("client_id"))
                   .order_by(LifelineType.id))
_LIFELINE_TYPE = _LIFELINE_TYPES.where(LifelineType.id == bindparam("type_id"))


def lifeline_types(db: DbSession, client_id: int, type_id: int | None = None
                   ) -> list[Row[Any]]:
    """The client's lifeline types (``id``, ``description``), or the one ``type_id``: plain
    rows, by a statement built once per process."""
    if type_id is None:
        return list(db.connection().execute(_LIFELINE_TYPES, {"client_id": client_id}))
    return list(db.connection().execute(_LIFELINE_TYPE, {"client_id": client_id,
                                                         "type_id": type_id}))


def agent_by_number(db: DbSession, client_id: int, number: int) -> Agent | None:
    return db.scalars(select(Agent).where(Agent.client_id == client_id,
                                          Agent.agent_number == number)).first()


_DEFAULT_BILL_PROFILE = (select(*BillProfile.__table__.c)
                         .where(BillProfile.client_id == bindparam("client_id"))
                         .order_by(BillProfile.id).limit(1))


def default_bill_profile(db: DbSession, client_id: int) -> Row[Any] | None:
    """The client's first bill profile (the bill_profiles columns: a plain row, by a
    statement built once per process), or None."""
    return db.connection().execute(_DEFAULT_BILL_PROFILE, {"client_id": client_id}).first()


def provider_by_code(db: DbSession, client_id: int, code: str) -> Provider | None:
    return db.scalars(select(Provider).where(
        Provider.client_id == client_id, func.upper(Provider.code) == code.strip().upper()
    )).first()


_pk, _pp, _pr, _pv, _st = (m.__table__ for m in (Package, PackageProduct, Product, Provider,
                                                   ServiceType))


# ------------------------------------------------------------------ the package ordered or quoted


@dataclass(frozen=True, slots=True)
class PackageLine:
    """A product of the package, with the product's columns a sign-up writes and a quote
    prices."""

    product_id: int
    product_group_id: int
    lead_product: bool
    quantity: int
    description: str
    rate: Any  # Decimal
    code1: str | None
    code2: str | None
    provider_id: int | None
    ships_equipment: bool
    recurring: bool  # what NewCustomers_Quote prices it with
    tax_category: str | None

    @property
    def id(self) -> int:  # the product's id, as a Product row has it
        return self.product_id


@dataclass(frozen=True, slots=True)
class ProviderRef:
    """What a sign-up uses of the package's provider."""

    id: int
    code: str
    is_wireless: bool


@dataclass(frozen=True, slots=True)
class ServiceTypeRef:
    """What a sign-up uses of the package's service type."""

    id: int
    description: str


@dataclass(frozen=True, slots=True)
class OrderedPackage:
    """A package with its provider and service type (None when it names none, or when they
    are not the client's) and its products in the package's order (sort order, id)."""

    id: int
    provider_id: int
    service_type_id: int | None
    is_lifeline: bool
    ships_equipment: bool
    provider: ProviderRef | None
    service_type: ServiceTypeRef | None
    lines: tuple[PackageLine, ...]


_PACKAGE = (
    select(_pk.c.id, _pk.c.provider_id, _pk.c.service_type_id, _pk.c.is_lifeline,
           _pk.c.ships_equipment,
           _pv.c.id.label("pv_id"), _pv.c.code.label("pv_code"),
           _pv.c.is_wireless.label("pv_is_wireless"),
           _st.c.id.label("st_id"), _st.c.description.label("st_description"),
           _pp.c.product_id, _pp.c.product_group_id, _pp.c.lead_product, _pp.c.quantity,
           _pr.c.description.label("product_description"), _pr.c.rate, _pr.c.code1,
           _pr.c.code2, _pr.c.provider_id.label("product_provider_id"),
           _pr.c.ships_equipment.label("product_ships_equipment"), _pr.c.recurring,
           _pr.c.tax_category)
    .outerjoin(_pv, (_pv.c.id == _pk.c.provider_id) & (_pv.c.client_id == _pk.c.client_id))
    .outerjoin(_st, (_st.c.id == _pk.c.service_type_id)
               & (_st.c.client_id == _pk.c.client_id))
    .outerjoin(_pp, _pp.c.package_id == _pk.c.id)
    .outerjoin(_pr, _pr.c.id == _pp.c.product_id)
    .where(_pk.c.client_id == bindparam("client_id"), _pk.c.id == bindparam("package_id"))
    .order_by(_pp.c.sort_order, _pp.c.id))


def ordered_package(db: DbSession, client_id: int, package_id: int | None
                    ) -> OrderedPackage | None:
    """The package ``package_id`` of ``client_id`` with its provider, service type and
    products (one statement), or None: what a sign-up orders (NewCustomers_Create) and what
    NewCustomers_Quote prices."""
    if package_id is None:
        return None
    rows = db.connection().execute(_PACKAGE, {"client_id": client_id,
                                              "package_id": package_id}).all()
    if not rows:
        return None
    p = rows[0]
    lines = tuple(PackageLine(r.product_id, r.product_group_id or 0, bool(r.lead_product),
                              r.quantity or 1, r.product_description, r.rate, r.code1,
                              r.code2, r.product_provider_id, bool(r.product_ships_equipment),
                              bool(r.recurring), r.tax_category)
                  for r in rows if r.product_id is not None)
    return OrderedPackage(
        p.id, p.provider_id, p.service_type_id, bool(p.is_lifeline), bool(p.ships_equipment),
        ProviderRef(p.pv_id, p.pv_code, bool(p.pv_is_wireless)) if p.pv_id is not None
        else None,
        ServiceTypeRef(p.st_id, p.st_description) if p.st_id is not None else None, lines)


def field_definitions(db: DbSession, client_id: int) -> list[CustomFieldDefinition]:
    return list(db.scalars(select(CustomFieldDefinition)
                           .where(CustomFieldDefinition.client_id == client_id)
                           .order_by(CustomFieldDefinition.id)))


def nlad_profile(db: DbSession, client_id: int, state: str) -> NladProfile | None:
    return db.scalars(select(NladProfile).where(
        NladProfile.client_id == client_id, NladProfile.state == state.upper(),
        NladProfile.active.is_(True))).first()


def inventory_items(db: DbSession, client_id: int, identifier: str, kinds: tuple[str, ...],
                    *, for_update: bool = False
                    ) -> list[InventoryItem]:
    """Items of the given Enum_Inventory_Type kinds recorded under ``identifier`` or another
    form of the same device (hex or decimal ESN/MEID, IMEI; see ``devices.identifier_forms``):
    the item recorded exactly as sent first, then by id.

    ``for_update`` locks the items until the transaction ends and reads them afresh, so that
    two requests cannot both assign one device (PostgreSQL; SQLite transactions are
    serialized anyway, see ``store.db``)."""
    stmt = _INVENTORY
    if for_update:
        stmt = stmt.with_for_update(of=InventoryItem).execution_options(populate_existing=True)
    return list(db.scalars(stmt, inventory_values(client_id, identifier, kinds)))


# Built once per process; the values are bound per call (see inventory_values).
_EXACT_FIRST = (case((InventoryItem.identifier == bindparam("exact"), 0), else_=1),
                InventoryItem.id)
_INVENTORY_FOUND = (
    select(InventoryItem)
    .join(InventoryType, InventoryType.id == InventoryItem.inventory_type_id)
    .where(InventoryItem.client_id == bindparam("client_id"),
           InventoryType.kind.in_(bindparam("kinds", expanding=True)),
           InventoryItem.identifier.in_(bindparam("forms", expanding=True))))
_INVENTORY = _INVENTORY_FOUND.order_by(*_EXACT_FIRST)
INVENTORY_HOLDER = (_INVENTORY_FOUND.with_only_columns(InventoryItem.customer_id)
                    .order_by(InventoryItem.customer_id.is_(None), *_EXACT_FIRST).limit(1))
"""The customer holding the first of :func:`inventory_items` that a customer holds (values:
:func:`inventory_values`), NULL when none is held; Customers_Query reads it as a subquery.
The items held come first instead of a condition ``customer_id IS NOT NULL``, with which
PostgreSQL may walk ``ix_inventory_items_customer_id`` of a client holding few devices
instead of searching the identifiers."""


def inventory_values(client_id: int, identifier: str, kinds: tuple[str, ...]
                     ) -> dict[str, object]:
    """The parameters of :func:`inventory_items`' statements."""
    exact = identifier.strip()
    return {"client_id": client_id, "kinds": list(kinds),
            "forms": list(identifier_forms(exact)), "exact": exact}


_TN = (select(Service).where(Service.client_id == bindparam("client_id"),
                             Service.tn == bindparam("tn"))
       .order_by((Service.status == "DISCONNECTED").asc(), Service.id.desc()))
TN_HOLDER = _TN.with_only_columns(Service.customer_id).limit(1)
"""The customer of the first of :func:`services_with_tn` (values: :func:`tn_values`);
Customers_Query reads it as a subquery."""


def tn_values(client_id: int, tn: str) -> dict[str, object]:
    """The parameters of :func:`services_with_tn`' statements."""
    return {"client_id": client_id, "tn": tn.strip()}


def services_with_tn(db: DbSession, client_id: int, tn: str) -> list[Service]:
    """Services of the client on ``tn``, live ones first, newest first."""
    return list(db.scalars(_TN, tn_values(client_id, tn)))
