"""The rows of a sign-up (NewCustomers_Create): the customer with its addresses and owned rows,
written with Core statements built once per process - no ORM unit of work, no relationship
loading, one statement per table (the package it orders is read by
:func:`openrev.store.catalog.ordered_package`).

Values are given by column (the models' attribute names are their column names) and are
written as the ORM would write them: a None value is left out, so that the column's default
applies; the column types still encrypt the personal fields. The customer's derived columns
(keyed hashes, Duplicate_Query's match keys from its physical address) are computed here, as
the ORM's flush hooks compute them for a customer written through the ORM
(:func:`openrev.store.crypto.customer_key_columns`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import bindparam, insert, update
from sqlalchemy.orm import Session as DbSession

from .crypto import customer_key_columns
from .customers import add_rows, given as _given, uniform_rows
from .orders import history_row
from .tables import (
    Address, Customer, CustomerProduct, Order, OrderHistory, OrderPort, Service,
)

_cu, _ad = Customer.__table__, Address.__table__


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
