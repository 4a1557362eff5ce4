"""Order reads of one client: an order by id, a paged search, the orders of a customer.

An order of another client is never found: to a caller it "does not exist". Each order is
returned with its service (if any) and provider, which OrderInfo needs (TN, PackageID,
CarrierDescription).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields
from functools import lru_cache
from typing import Any

from sqlalchemy import Integer, Select, bindparam, func, select
from sqlalchemy.orm import Load, Session as DbSession

from .tables import Customer, CustomerHistory, CustomerProduct, Order, OrderHistory, \
    OrderOutbox, Provider, Service


@dataclass(frozen=True, slots=True)
class OrderRow:
    """An order with the service it is for (None when it has none) and its provider."""

    order: Order
    service: Service | None
    provider: Provider
    outbox: OrderOutbox | None = None  # the order is waiting for a worker (NextAttemptDate)


@dataclass(frozen=True, slots=True)
class OrderFilter:
    """The filters of Orders_Search; None means "any"."""

    customer_id: int | None = None
    status: str | None = None
    order_type: str | None = None
    created_from: dt.datetime | None = None
    created_to: dt.datetime | None = None


def _rows() -> Select[Any]:
    # One statement: the order's and the service's relationships load only when used
    # (OrderInfo uses none of them).
    return (select(Order, Service, Provider, OrderOutbox)
            .outerjoin(Service, Service.id == Order.service_id)
            .join(Provider, Provider.id == Order.provider_id)
            .outerjoin(OrderOutbox, OrderOutbox.order_id == Order.id)
            .where(Order.client_id == bindparam("client_id"))
            .options(Load(Order).lazyload("*"), Load(Service).lazyload("*")))


_ORDER = _rows().where(Order.id == bindparam("order_id"))
_ORDER_FOR_UPDATE = (_ORDER.with_for_update(of=Order)
                     .execution_options(populate_existing=True))


def order(db: DbSession, client_id: int, order_id: int, *, for_update: bool = False
          ) -> OrderRow | None:
    """The order ``order_id`` if it belongs to ``client_id``.

    ``for_update`` locks the order row until the transaction ends and reads it afresh, so
    that concurrent updates of one order do not decide from stale data.
    """
    stmt = _ORDER_FOR_UPDATE if for_update else _ORDER
    found = db.execute(stmt, {"client_id": client_id, "order_id": order_id}).first()
    return OrderRow(*found) if found is not None else None


def _conditions(given: frozenset[str]) -> list[Any]:
    """The conditions of a filter giving the fields ``given`` (of :class:`OrderFilter`; their
    values are parameters of the same names)."""
    conditions = [Order.client_id == bindparam("client_id")]
    if "customer_id" in given:
        conditions.append(Order.customer_id == bindparam("customer_id"))
    if "status" in given:
        conditions.append(Order.status == bindparam("status"))
    if "order_type" in given:
        conditions.append(Order.order_type == bindparam("order_type"))
    if "created_from" in given:
        conditions.append(Order.created_at >= bindparam("created_from"))
    if "created_to" in given:
        conditions.append(Order.created_at <= bindparam("created_to"))
    return conditions


_CUSTOMER_EXISTS = (select(Customer.id).where(Customer.client_id == bindparam("client_id"),
                                              Customer.id == bindparam("customer_id"))
                    .exists())


@lru_cache(maxsize=64)
def _search_statements(given: frozenset[str]) -> tuple[Select[Any], Select[Any]]:
    """(the count, the page) of a search filtering by the fields ``given`` (of
    :class:`OrderFilter`): built once per combination. With a customer, the count also says
    whether the customer exists."""
    conditions = _conditions(given)
    count = select(func.count(Order.id)).where(*conditions)
    if "customer_id" in given:
        count = select(_CUSTOMER_EXISTS.label("customer_exists"),
                       count.scalar_subquery().label("total"))
    page = (_rows().where(*conditions)
            .order_by(Order.created_at.desc(), Order.id.desc())
            .limit(bindparam("limit", type_=Integer))
            .offset(bindparam("offset", type_=Integer)))
    return count, page


def search(db: DbSession, client_id: int, f: OrderFilter, *, page_number: int,
           page_size: int) -> tuple[int, list[OrderRow]] | None:
    """(total count, one page of orders) matching ``f``, newest first then id descending;
    None when ``f`` names a customer the client does not have."""
    values: dict[str, Any] = {x.name: getattr(f, x.name) for x in fields(f)
                              if getattr(f, x.name) is not None}
    count, page = _search_statements(frozenset(values))
    values["client_id"] = client_id
    if f.customer_id is not None:
        exists, total = db.connection().execute(count, values).one()
        if not exists:
            return None
    else:
        total = db.connection().execute(count, values).scalar()
    total = total or 0
    offset = (page_number - 1) * page_size
    if offset >= total:
        return total, []
    values.update(limit=page_size, offset=offset)
    return total, [OrderRow(*r) for r in db.execute(page, values)]


def orders_of(db: DbSession, client_id: int, customer_id: int) -> list[Order]:
    """Every order of the customer, oldest first."""
    stmt = (select(Order).where(Order.client_id == client_id, Order.customer_id == customer_id)
            .order_by(Order.id))
    return list(db.scalars(stmt))


def products_of(db: DbSession, client_id: int, order_id: int) -> list[CustomerProduct]:
    """The customer products the order added (``CustomerProduct.order_id``)."""
    return list(db.scalars(select(CustomerProduct).where(
        CustomerProduct.client_id == client_id, CustomerProduct.order_id == order_id)
        .order_by(CustomerProduct.id)))


def customer_for_update(db: DbSession, client_id: int, customer_id: int) -> Customer | None:
    """The customer, locked until the transaction ends and reloaded: whether it opens is
    decided from all its orders, which a concurrent update of another order may change."""
    stmt = (select(Customer).where(Customer.client_id == client_id, Customer.id == customer_id)
            .with_for_update().execution_options(populate_existing=True))
    return db.scalars(stmt).first()




_oh = OrderHistory.__table__
_HISTORY = (select(_oh.c.order_id, _oh.c.created_at, _oh.c.status, _oh.c.note, _oh.c.actor)
            .where(_oh.c.client_id == bindparam("client_id"),
                   _oh.c.order_id.in_(bindparam("ids", expanding=True)))
            .order_by(_oh.c.order_id, _oh.c.created_at, _oh.c.id))


def history_of(db: DbSession, client_id: int, order_ids: list[int]
               ) -> dict[int, list[Any]]:
    """The history entries of each order (oldest first; rows of ``order_id``,
    ``created_at``, ``status``, ``note``, ``actor``), by order id; one statement. What the
    session has added is written first, as an ORM query would (Orders_Update answers with
    the entry it adds)."""
    out: dict[int, list[Any]] = {i: [] for i in order_ids}
    if not order_ids:
        return out
    db.flush()
    for entry in db.connection().execute(_HISTORY, {"client_id": client_id,
                                                    "ids": order_ids}):
        out[entry.order_id].append(entry)
    return out


def record_history(db: DbSession, order: Order, *, status: str, note: str | None,
                   user_id: int | None, now: dt.datetime, actor: str) -> None:
    """Write an entry of the order's history, by ``actor`` ("user NAME", "worker ...")."""
    db.add(OrderHistory(**history_row(order.client_id, order.id, status=status, note=note,
                                      user_id=user_id, now=now, actor=actor)))


def history_row(client_id: int, order_id: int, *, status: str, note: str | None,
                user_id: int | None, now: dt.datetime, actor: str) -> dict[str, Any]:
    """The columns of an entry of the order's history (:func:`record_history`)."""
    return {"client_id": client_id, "order_id": order_id, "created_at": now, "status": status,
            "note": note, "user_id": user_id, "actor": actor[:100]}


def customer_history(db: DbSession, order: Order, category: str, note: str,
                     now: dt.datetime, user_id: int | None = None) -> None:
    """Write an entry of the History pane of the order's customer made by ``user_id`` (None:
    by no user: a worker, a provider, an operator's command)."""
    db.add(CustomerHistory(client_id=order.client_id, customer_id=order.customer_id,
                           created_at=now, category=category, note=note, user_id=user_id))


def customer_products_of_service(db: DbSession, client_id: int, service_id: int
                                 ) -> list[CustomerProduct]:
    """Every customer product of the service (line), by id."""
    return list(db.scalars(select(CustomerProduct).where(
        CustomerProduct.client_id == client_id, CustomerProduct.service_id == service_id)
        .order_by(CustomerProduct.id)))


def add_product(db: DbSession, order: Order, service: Service, product: Any, *,
                rate: Any, quantity: int, description: str) -> CustomerProduct:
    """A PENDING customer product of ``service`` added by ``order`` (activated when the order
    completes)."""
    row = CustomerProduct(
        client_id=order.client_id, customer_id=order.customer_id, service_id=service.id,
        product_id=product.id, provider_id=product.provider_id or order.provider_id,
        status="PENDING", description=description, rate=rate, quantity=quantity,
        code1=product.code1, code2=product.code2, product_group_id=0, lead_product=False,
        order_id=order.id)
    db.add(row)
    return row
