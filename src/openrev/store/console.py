"""The reads of the operator console (``openrev.wire.console``) that no API operation makes:
customer search, the History pane, the order queue's pages, inventory pages, the users of a
client.

Every query is of one client (``client_id``) and bounded (``limit``); pages are keyset pages
(the last row's sort key is the cursor of the next page), never OFFSET or COUNT(*), so that a
page costs the same on a million customers as on ten. Each search uses an index that leads
with ``client_id``: customers (client_id, last_name_key, first_name_key), (client_id,
acct_num); services (client_id, tn); inventory_items (client_id, identifier); orders
(client_id, created_at, id).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session as DbSession

from . import catalog
from .outbox import QueuedOrder
from .tables import (
    Address, Client, Customer, CustomerChange, CustomerHistory, InventoryItem, InventoryType,
    Order, OrderOutbox, Package, Product, Provider, Service, User,
)

_KEY_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
"""The characters of a stored name key (``domain.matching.person_name``), in sort order."""


@dataclass(frozen=True, slots=True)
class CustomerHit:
    id: int
    acct_num: str | None
    status: str
    first_name: str | None
    last_name: str | None
    city: str | None
    state: str | None
    sort_key: tuple[str, str, int]  # the cursor of the page after this row (name search)


def _after_prefix(prefix: str) -> str | None:
    """The smallest key that sorts after every key starting with ``prefix`` (keys are made
    of ``_KEY_ALPHABET`` only, so this holds in any collation); None: no bound."""
    chars = list(prefix)
    while chars:
        i = _KEY_ALPHABET.find(chars[-1])
        if 0 <= i < len(_KEY_ALPHABET) - 1:
            chars[-1] = _KEY_ALPHABET[i + 1]
            return "".join(chars)
        chars.pop()
    return None


def _hits(db: DbSession, client_id: int, where: list[Any], order: list[Any], limit: int
          ) -> list[CustomerHit]:
    stmt = (select(Customer.id, Customer.acct_num, Customer.status, Address.first_name,
                   Address.last_name, Address.city, Address.state, Customer.last_name_key,
                   Customer.first_name_key)
            .outerjoin(Address, Address.id == Customer.physical_address_id)
            .where(Customer.client_id == client_id, *where).order_by(*order).limit(limit))
    return [CustomerHit(r[0], r[1], r[2], r[3], r[4], r[5], r[6],
                        (r[7] or "", r[8] or "", r[0])) for r in db.execute(stmt)]


def customers_by_name(db: DbSession, client_id: int, last_prefix: str, first_prefix: str,
                      *, after: tuple[str, str, int] | None, limit: int) -> list[CustomerHit]:
    """Customers whose last-name key starts with ``last_prefix`` (and first-name key with
    ``first_prefix``, when given), by last name, first name, id; after the cursor ``after``."""
    where: list[Any] = [Customer.last_name_key >= last_prefix]
    upper = _after_prefix(last_prefix)
    if upper is not None:
        where.append(Customer.last_name_key < upper)
    if first_prefix:
        where.append(Customer.first_name_key >= first_prefix)
        upper = _after_prefix(first_prefix)
        if upper is not None:
            where.append(Customer.first_name_key < upper)
    if after is not None:
        where.append(tuple_(Customer.last_name_key, Customer.first_name_key, Customer.id)
                     > tuple_(*after))
    return _hits(db, client_id, where,
                 [Customer.last_name_key, Customer.first_name_key, Customer.id], limit)


def customers_by_ids(db: DbSession, client_id: int, ids: list[int], limit: int
                     ) -> list[CustomerHit]:
    if not ids:
        return []
    return _hits(db, client_id, [Customer.id.in_(ids[:limit])], [Customer.id], limit)


def customers_by_account(db: DbSession, client_id: int, acct_num: str, limit: int
                         ) -> list[CustomerHit]:
    return _hits(db, client_id, [Customer.acct_num == acct_num], [Customer.id], limit)


def customer_ids_by_tn(db: DbSession, client_id: int, tn: str) -> list[int]:
    return list(dict.fromkeys(s.customer_id for s in catalog.services_with_tn(db, client_id, tn)))


def customer_ids_by_device(db: DbSession, client_id: int, identifier: str) -> list[int]:
    """The customers of the items recorded under ``identifier`` (any form of it)."""
    kinds = tuple(db.scalars(select(InventoryType.kind).where(
        InventoryType.client_id == client_id).distinct()))
    items = catalog.inventory_items(db, client_id, identifier, kinds)
    return list(dict.fromkeys(i.customer_id for i in items if i.customer_id is not None))


# ------------------------------------------------------------------------ the History pane


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    when: dt.datetime
    category: str
    note: str
    who: str


def history(db: DbSession, client_id: int, customer_id: int, limit: int
            ) -> list[HistoryEntry]:
    """The customer's History pane, newest first: its history notes and the field changes
    Customers_Update recorded (secrets are stored masked), at most ``limit`` of each."""
    names = _usernames(db, client_id)
    notes = db.scalars(select(CustomerHistory).where(
        CustomerHistory.client_id == client_id, CustomerHistory.customer_id == customer_id)
        .order_by(CustomerHistory.created_at.desc(), CustomerHistory.id.desc()).limit(limit))
    out = [HistoryEntry(h.created_at, h.category, h.note, names.get(h.user_id, "-"))
           for h in notes]
    changes = db.scalars(select(CustomerChange).where(
        CustomerChange.client_id == client_id, CustomerChange.customer_id == customer_id)
        .order_by(CustomerChange.created_at.desc(), CustomerChange.id.desc()).limit(limit))
    for ch in changes:
        who = names.get(ch.user_id, "-")
        if ch.real_user_id is not None:
            who += f" (impersonated by {names.get(ch.real_user_id, '?')})"
        old = "(none)" if ch.old_value is None else ch.old_value
        new = "(none)" if ch.new_value is None else ch.new_value
        out.append(HistoryEntry(ch.created_at, "CHANGE", f"{ch.field}: {old} -> {new}", who))
    out.sort(key=lambda e: e.when, reverse=True)
    return out[:limit]


def _usernames(db: DbSession, client_id: int) -> dict[int | None, str]:
    return {u: n for u, n in db.execute(select(User.id, User.username)
                                        .where(User.client_id == client_id))}


# ------------------------------------------------------------------------ orders


def orders_page(db: DbSession, client_id: int, status: str | None,
                after: tuple[dt.datetime, int] | None, limit: int) -> list[QueuedOrder]:
    """Orders of the client, newest first, optionally of one status, after the cursor
    (created_at, id) of the previous page's last row."""
    stmt = (select(Order, Client.code, Provider.code, OrderOutbox)
            .join(Client, Client.id == Order.client_id)
            .join(Provider, Provider.id == Order.provider_id)
            .outerjoin(OrderOutbox, OrderOutbox.order_id == Order.id)
            .where(Order.client_id == client_id))
    if status is not None:
        stmt = stmt.where(Order.status == status)
    if after is not None:
        stmt = stmt.where(tuple_(Order.created_at, Order.id) < tuple_(*after))
    stmt = stmt.order_by(Order.created_at.desc(), Order.id.desc()).limit(limit)
    return [QueuedOrder(o, c, p, ob) for o, c, p, ob in db.execute(stmt)]


def tns_of_orders(db: DbSession, client_id: int, orders: list[Order]) -> dict[int, str | None]:
    """The TN of each order's line (order id -> TN)."""
    ids = [o.service_id for o in orders if o.service_id is not None]
    tns = {sid: tn for sid, tn in db.execute(select(Service.id, Service.tn).where(
        Service.client_id == client_id, Service.id.in_(ids)))} if ids else {}
    return {o.id: tns.get(o.service_id) for o in orders}


# ------------------------------------------------------------------------ catalog, inventory


@dataclass(frozen=True, slots=True)
class CatalogView:
    providers: list[Provider]
    packages: list[Package]
    products: list[Product]
    inventory_types: list[InventoryType]


def catalog_view(db: DbSession, client_id: int) -> CatalogView:
    def rows(model: Any) -> list[Any]:
        return list(db.scalars(select(model).where(model.client_id == client_id)
                               .order_by(model.id)))

    return CatalogView(rows(Provider), rows(Package), rows(Product), rows(InventoryType))


def inventory_page(db: DbSession, client_id: int, *, status: str | None, type_id: int | None,
                   after: tuple[str, int] | None, limit: int) -> list[InventoryItem]:
    """Inventory items of the client by identifier (then id), optionally of one status and
    type, after the cursor (identifier, id) of the previous page's last row: the order of
    the index (client_id, identifier), so a page reads about ``limit`` rows."""
    stmt = select(InventoryItem).where(InventoryItem.client_id == client_id)
    if status is not None:
        stmt = stmt.where(InventoryItem.status == status)
    if type_id is not None:
        stmt = stmt.where(InventoryItem.inventory_type_id == type_id)
    if after is not None:
        stmt = stmt.where(tuple_(InventoryItem.identifier, InventoryItem.id) > tuple_(*after))
    return list(db.scalars(stmt.order_by(InventoryItem.identifier, InventoryItem.id)
                           .limit(limit)))


# ------------------------------------------------------------------------ users


def users_of(db: DbSession, client_id: int) -> list[User]:
    return list(db.scalars(select(User).where(User.client_id == client_id)
                           .order_by(User.username)))


def user_of(db: DbSession, client_id: int, user_id: int) -> User | None:
    return db.scalars(select(User).where(User.client_id == client_id,
                                         User.id == user_id)).first()


def user_named(db: DbSession, client_id: int, username: str) -> User | None:
    return db.scalars(select(User).where(User.client_id == client_id,
                                         User.username == username)).first()
