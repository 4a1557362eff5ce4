"""The order outbox (``order_outbox``), the providers' fault settings and the simulated
carrier's ledger: every statement of order flow-through.

The outbox is written in the transaction that makes an order need a worker, and read by
workers in short transactions of their own:

* :func:`claim_due` takes due rows whose lease is free or expired. On PostgreSQL it locks them
  with ``FOR UPDATE SKIP LOCKED`` (several workers never wait for one another and never take
  the same row); on SQLite the claim is a write transaction, one at a time.
* a claim sets the row's lease (owner, until when); while it holds the lease, no other worker
  takes the row. A worker that dies leaves the lease to expire; the row is then taken again
  and, because the send may have happened, it is ``in_doubt``: the provider is asked first.
* :func:`leased` re-reads a row under the claimant's lease, locked, when its answer is
  recorded; a row whose lease moved on (it expired and another worker took it) is not.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import delete, func, insert, or_, select, update
from sqlalchemy.orm import Session as DbSession, lazyload, selectinload

from .tables import CarrierLedger, Client, InventoryItem, InventoryType, Order, OrderOutbox, \
    OrderPort, Provider, Service


def send_key(order: Order) -> str:
    """The request id of the order's next send: ``o<order id>.<n>``, n one more than the
    sends attempted so far. Retries of one send keep it (the row keeps its key); a resend
    after a failed attempt (an ERROR) is a new request to the provider."""
    return _send_key(order.id, order.attempts)


def _send_key(order_id: int, attempts: int) -> str:
    return f"o{order_id}.{attempts + 1}"


def enqueue(db: DbSession, order: Order, now: dt.datetime, *, lease_owner: str | None = None,
            lease_until: dt.datetime | None = None) -> OrderOutbox:
    """Queue ``order`` to be sent now. An order has one row: a pending SEND (a retry) is made
    due now and keeps its request id — and its doubt, so that a send that may have reached
    the provider is never made again under another id; a POLL (the provider has the order:
    ``openrev orders resend --force``) becomes a SEND under a new request id.
    ``lease_owner``: claimed already by the caller (a request that sends at once), until
    ``lease_until``."""
    row = of_order(db, order.id, for_update=True)
    if row is None:
        row = OrderOutbox(client_id=order.client_id, order_id=order.id, created_at=now,
                          in_doubt=False)
        db.add(row)
    if row.action != "SEND" or row.key is None:
        row.action, row.key, row.in_doubt = "SEND", send_key(order), False
    row.due_at = now
    row.lease_owner, row.lease_until = lease_owner, lease_until
    return row


def enqueue_new(db: DbSession, client_id: int, order_id: int, now: dt.datetime, *,
                lease_owner: str | None = None, lease_until: dt.datetime | None = None
                ) -> None:
    """:func:`enqueue` for an order created in this transaction (it has no row yet, and no
    send attempted): one INSERT, no ORM object."""
    db.connection().execute(insert(OrderOutbox.__table__), {
        "client_id": client_id, "order_id": order_id, "created_at": now, "in_doubt": False,
        "action": "SEND", "key": _send_key(order_id, 0), "due_at": now,
        "lease_owner": lease_owner, "lease_until": lease_until})


def remove(db: DbSession, order_id: int) -> None:
    """The order needs no worker any more (it is final)."""
    db.execute(delete(OrderOutbox).where(OrderOutbox.order_id == order_id))


def of_order(db: DbSession, order_id: int, *, for_update: bool = False
             ) -> OrderOutbox | None:
    """The order's row (locked with ``for_update``), None when it needs no worker."""
    stmt = select(OrderOutbox).where(OrderOutbox.order_id == order_id)
    if for_update:
        stmt = stmt.with_for_update()
    return db.scalars(stmt).first()


def claim_due(db: DbSession, owner: str, now: dt.datetime, lease_until: dt.datetime,
              limit: int) -> list[tuple[OrderOutbox, bool]]:
    """Up to ``limit`` due rows, oldest due first, leased to ``owner`` until ``lease_until``:
    (row, whether the provider must be asked before a send). A SEND row is ``in_doubt`` from
    its claim until its answer is recorded."""
    stmt = (select(OrderOutbox)
            .where(OrderOutbox.due_at <= now,
                   or_(OrderOutbox.lease_until.is_(None), OrderOutbox.lease_until < now))
            .order_by(OrderOutbox.due_at, OrderOutbox.id).limit(limit)
            .with_for_update(skip_locked=True))
    claimed: list[tuple[OrderOutbox, bool]] = []
    for row in db.scalars(stmt):
        ask_first = row.in_doubt or row.lease_owner is not None  # an earlier claim's fate
        row.lease_owner, row.lease_until = owner, lease_until
        if row.action == "SEND":
            row.in_doubt = True
        claimed.append((row, ask_first))
    return claimed


def claimed_by(db: DbSession, order_id: int, owner: str) -> OrderOutbox | None:
    """The order's row if ``owner`` holds its lease (a request that sends at once)."""
    return db.scalars(select(OrderOutbox).where(OrderOutbox.order_id == order_id,
                                                OrderOutbox.lease_owner == owner)).first()


def leased(db: DbSession, row_id: int, owner: str, key: str) -> OrderOutbox | None:
    """The row, locked, while ``owner`` still holds its lease for request ``key``."""
    return db.scalars(select(OrderOutbox).where(
        OrderOutbox.id == row_id, OrderOutbox.lease_owner == owner, OrderOutbox.key == key)
        .with_for_update().execution_options(populate_existing=True)).first()


def release(db: DbSession, row_id: int, owner: str, key: str, *, in_doubt: bool) -> None:
    """Give back a claimed row not worked on: free its lease, its doubt as before the claim."""
    db.execute(update(OrderOutbox).where(OrderOutbox.id == row_id,
                                         OrderOutbox.lease_owner == owner,
                                         OrderOutbox.key == key)
               .values(lease_owner=None, lease_until=None, in_doubt=in_doubt))


def order_for_update(db: DbSession, order_id: int) -> Order | None:
    """The order, locked, without its relationships (the worker needs none of them)."""
    return db.scalars(select(Order).where(Order.id == order_id).with_for_update()
                      .options(lazyload("*"))
                      .execution_options(populate_existing=True)).first()


@dataclass(frozen=True, slots=True)
class OrderFacts:
    """What is sent to a provider about an order, read when it is claimed."""

    order: Order
    service: Service | None
    provider: Provider
    port: OrderPort | None
    devices: list[tuple[str, str]]  # (inventory kind, identifier) of the service's items


def order_facts(db: DbSession, order_id: int) -> OrderFacts | None:
    found = db.execute(select(Order, Service, Provider)
                       .outerjoin(Service, Service.id == Order.service_id)
                       .join(Provider, Provider.id == Order.provider_id)
                       .where(Order.id == order_id)
                       .options(lazyload("*"))).first()
    if found is None:
        return None
    order, service, provider = found
    devices: list[tuple[str, str]] = []
    if service is not None:
        devices = [(kind, ident) for kind, ident in db.execute(
            select(InventoryType.kind, InventoryItem.identifier)
            .join(InventoryType, InventoryType.id == InventoryItem.inventory_type_id)
            .where(InventoryItem.service_id == service.id).order_by(InventoryItem.id))]
    return OrderFacts(order, service, provider, order.port, devices)


def items_of_service(db: DbSession, service_id: int) -> list[InventoryItem]:
    """The inventory items assigned to the service, by id."""
    return list(db.scalars(select(InventoryItem).where(InventoryItem.service_id == service_id)
                           .options(selectinload(InventoryItem.inventory_type),
                                    lazyload(InventoryItem.fields))
                           .order_by(InventoryItem.id)))


# ---------------------------------------------------------------------- orders list (CLI)


@dataclass(frozen=True, slots=True)
class QueuedOrder:
    order: Order
    client_code: str
    provider_code: str
    outbox: OrderOutbox | None


def list_orders(db: DbSession, *, client_id: int | None, statuses: tuple[str, ...] | None,
                stuck_before: dt.datetime | None, overdue_before: dt.datetime | None,
                limit: int) -> list[QueuedOrder]:
    """Orders for ``openrev orders list``, failed and stuck ones first, then oldest first.

    With ``stuck_before``/``overdue_before`` only stuck orders: ERROR or FLOW_ERROR; an
    outbox row due before ``overdue_before`` (no worker is taking it) or whose lease expired;
    or SENT/CONFIRMED (or NEW flow-through) with no status change since ``stuck_before``."""
    stmt = (select(Order, Client.code, Provider.code, OrderOutbox)
            .join(Client, Client.id == Order.client_id)
            .join(Provider, Provider.id == Order.provider_id)
            .outerjoin(OrderOutbox, OrderOutbox.order_id == Order.id))
    if client_id is not None:
        stmt = stmt.where(Order.client_id == client_id)
    if statuses:
        stmt = stmt.where(Order.status.in_(statuses))
    if stuck_before is not None and overdue_before is not None:
        changed = func.coalesce(Order.status_changed_at, Order.created_at)
        stmt = stmt.where(or_(
            Order.status.in_(("ERROR", "FLOW_ERROR")),
            OrderOutbox.due_at < overdue_before,
            OrderOutbox.lease_until < overdue_before,
            (Order.status.in_(("SENT", "CONFIRMED")) | (
                (Order.status == "NEW") & Order.flow_through.is_(True)))
            & (changed < stuck_before)))
    failed_first = Order.status.in_(("ERROR", "FLOW_ERROR")).desc()
    stmt = stmt.order_by(failed_first, Order.created_at, Order.id).limit(limit)
    return [QueuedOrder(o, c, p, ob) for o, c, p, ob in db.execute(stmt)]


# ---------------------------------------------------------------------- providers and faults


def provider_by_code(db: DbSession, client_id: int, code_or_id: str) -> Provider | None:
    """A provider of the client by its code (any case) or its id."""
    cond = func.upper(Provider.code) == code_or_id.strip().upper()
    if code_or_id.strip().isdigit():
        cond = or_(cond, Provider.id == int(code_or_id.strip()))
    return db.scalars(select(Provider).where(Provider.client_id == client_id, cond)).first()


def take_rejection(db: DbSession, provider_id: int) -> bool:
    """Use up one of the provider's "reject the next N orders": True when there was one."""
    result = db.execute(update(Provider).where(Provider.id == provider_id,
                                               Provider.fault_reject_next > 0)
                        .values(fault_reject_next=Provider.fault_reject_next - 1))
    return bool(result.rowcount)


# ---------------------------------------------------------------------- the carrier's ledger


def ledger_entry(db: DbSession, provider_id: int, key: str) -> CarrierLedger | None:
    return db.scalars(select(CarrierLedger).where(CarrierLedger.provider_id == provider_id,
                                                  CarrierLedger.key == key)
                      .with_for_update()).first()


def ledger_add(db: DbSession, entry: CarrierLedger) -> CarrierLedger:
    db.add(entry)
    db.flush()
    return entry


def number_live(db: DbSession, client_id: int, tn: str) -> bool:
    """``tn`` is on a service of the client that is not DISCONNECTED, or assigned by a
    carrier already."""
    on_service = db.scalar(select(func.count(Service.id)).where(
        Service.client_id == client_id, Service.tn == tn, Service.status != "DISCONNECTED"))
    by_carrier = db.scalar(select(func.count(CarrierLedger.id)).where(
        CarrierLedger.client_id == client_id, CarrierLedger.mdn == tn))
    return bool(on_service or by_carrier)
