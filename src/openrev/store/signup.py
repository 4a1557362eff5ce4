"""The rows of a sign-up (NewCustomers_Create): the package it orders, read in one statement,
and the customer with its addresses and owned rows, written with Core statements built once
per process - no ORM unit of work, no relationship loading, one statement per table.

Values are given by column (the models' attribute names are their column names) and are
written as the ORM would write them: a None value is left out, so that the column's default
applies; the column types still encrypt the personal fields. The customer's derived columns
(keyed hashes, Duplicate_Query's match keys from its physical address) are computed here, as
the ORM's flush hooks compute them for a customer written through the ORM
(:func:`openrev.store.crypto.customer_key_columns`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm import Session as DbSession

from .crypto import customer_key_columns
from .customers import add_rows, given as _given, uniform_rows
from .orders import history_row
from .tables import (
    Address, Customer, CustomerProduct, Order, OrderHistory, OrderPort, Package, PackageProduct,
    Product, Provider, Service, ServiceType,
)

_cu, _ad, _pk, _pp, _pr, _pv, _st = (
    m.__table__ for m in (Customer, Address, Package, PackageProduct, Product, Provider,
                          ServiceType))


# ------------------------------------------------------------------ the package ordered


@dataclass(frozen=True, slots=True)
class PackageLine:
    """A product of the package, with the product's columns it is written with."""

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
           _pr.c.ships_equipment.label("product_ships_equipment"))
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
    products (one statement), or None."""
    if package_id is None:
        return None
    rows = db.connection().execute(_PACKAGE, {"client_id": client_id,
                                              "package_id": package_id}).all()
    if not rows:
        return None
    p = rows[0]
    lines = tuple(PackageLine(r.product_id, r.product_group_id or 0, bool(r.lead_product),
                              r.quantity or 1, r.product_description, r.rate, r.code1,
                              r.code2, r.product_provider_id, bool(r.product_ships_equipment))
                  for r in rows if r.product_id is not None)
    return OrderedPackage(
        p.id, p.provider_id, p.service_type_id, bool(p.is_lifeline), bool(p.ships_equipment),
        ProviderRef(p.pv_id, p.pv_code, bool(p.pv_is_wireless)) if p.pv_id is not None
        else None,
        ServiceTypeRef(p.st_id, p.st_description) if p.st_id is not None else None, lines)


# ------------------------------------------------------------------ writing


_CUSTOMER = insert(_cu)
_ADDRESSES = insert(_ad).returning(_ad.c.id, _ad.c.kind)
_LINK_ADDRESSES = (update(_cu).where(_cu.c.id == bindparam("customer_id"))
                   .values(physical_address_id=bindparam("physical"),
                           mailing_address_id=bindparam("mailing")))


def add_customer(db: DbSession, customer: Mapping[str, Any],
                 addresses: Iterable[Mapping[str, Any]]) -> tuple[int, dict[str, int]]:
    """Insert a customer (column -> value; its keyed hashes and match keys are computed
    here) and its addresses (column -> value, each with its ``kind``: at most one of each;
    the PHYSICAL and MAILING ones become the customer's two addresses). Three statements:
    (the customer's id, the id of each address by kind)."""
    conn = db.connection()
    addresses = list(addresses)
    physical = next((a for a in addresses if a["kind"] == "PHYSICAL"), {})
    derived = customer_key_columns(
        customer.get("ssn"), customer.get("dl"), customer.get("dob"),
        physical.get("first_name"), physical.get("last_name"), physical.get("address1"),
        physical.get("address2"), physical.get("city"), physical.get("state"),
        physical.get("zip"), middle_name=physical.get("middle_name"),
        suffix=physical.get("suffix"))
    customer_id = conn.execute(_CUSTOMER, _given({**customer, **derived})
                               ).inserted_primary_key[0]
    ids: dict[str, int] = {}
    if addresses:
        rows = uniform_rows(_ad, ({**a, "customer_id": customer_id} for a in addresses))
        ids = {kind: i for i, kind in conn.execute(_ADDRESSES, rows)}
    if "PHYSICAL" in ids or "MAILING" in ids:
        conn.execute(_LINK_ADDRESSES, {"customer_id": customer_id,
                                       "physical": ids.get("PHYSICAL"),
                                       "mailing": ids.get("MAILING")})
    return customer_id, ids


_SERVICE, _ORDER, _PORT = (insert(m.__table__) for m in (Service, Order, OrderPort))


def add_order(db: DbSession, service: Mapping[str, Any], order: Mapping[str, Any],
              port: Mapping[str, Any] | None, products: Iterable[Mapping[str, Any]]
              ) -> tuple[int, int]:
    """Insert the service (line) of a sign-up's order, the order (for that service), its
    port (``port``: for that order) and the customer products it adds (for that service
    and order): (service id, order id). The order's history is written by the caller
    (:func:`add_order_history`): its note names the order."""
    conn = db.connection()
    service_id = conn.execute(_SERVICE, _given(service)).inserted_primary_key[0]
    order_id = conn.execute(_ORDER, _given({**order, "service_id": service_id})
                            ).inserted_primary_key[0]
    if port is not None:
        conn.execute(_PORT, _given({**port, "order_id": order_id}))
    add_rows(db, CustomerProduct, ({**p, "service_id": service_id, "order_id": order_id}
                                   for p in products))
    return service_id, order_id


def add_order_history(db: DbSession, client_id: int, order_id: int, **entry: Any) -> None:
    """An entry of the order's history (:func:`openrev.store.orders.history_row`'s
    arguments), as one INSERT."""
    add_rows(db, OrderHistory, [history_row(client_id, order_id, **entry)])
