"""Order flow-through: what a provider's answer does to an order (Enum_Order_Status).

NEW ("not yet sent") -> SENT ("sent and waiting on confirmation") -> CONFIRMED ("confirmed and
in process") -> COMPLETE. A send that fails for want of connectivity (the provider is down,
or did not answer in time) makes the order FLOW_ERROR ("returned an error while trying to
send the order automatically"): it is resent automatically, after :func:`retry_delay`. A
provider's rejection makes it ERROR ("returned an error") with the provider's message: it
waits for a person (Orders_Update back to NEW or SENT resends it, :func:`resend_wanted`).

COMPLETE activates the order's products and service (``domain.orders.complete``), gives the
service the MDN the provider assigned when it has no number yet, writes MDN, MSID and MSL to
the service's Mobile_Device, and opens a PENDING customer whose activation orders are done.

Every function returns the notes of the customer's history (category, note); the caller
writes each status change to the order's history with its actor.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable
from dataclasses import dataclass

from ..store.tables import CustomerProduct, InventoryItem, Order, Service
from . import orders as rules

Note = tuple[str, str]

FAILED = frozenset({"ERROR", "FLOW_ERROR"})
"""Statuses from which Orders_Update back to NEW or SENT resends the order."""

PROVISIONING = frozenset({"NEW", "SENT", "CONFIRMED", "FLOW_ERROR"})
"""Statuses a provider's answer may move an order out of: an order a person put elsewhere
(COMPLETE, CANCELED, ERROR, a HOLD...) meanwhile keeps what the person decided."""


@dataclass(frozen=True, slots=True)
class Assignment:
    """What a wireless provider assigned to a completed activation."""

    mdn: str | None
    msid: str | None = None
    msl: str | None = None


def retry_delay(attempts: int, base: float, cap: float, *, jitter: bool = True) -> float:
    """Seconds before the next automatic resend after ``attempts`` failed ones: ``base``
    doubled per attempt, at most ``cap``, spread by +-20% so that orders failed together are
    not all resent in the same instant."""
    delay = min(base * 2 ** max(attempts - 1, 0), cap)
    return delay * (0.8 + 0.4 * random.random()) if jitter else delay


def resend_wanted(old_status: str, new_status: str, *, flow_through_set: bool) -> bool:
    """Orders_Update queues a new send of the order when it sets a failed order (ERROR,
    FLOW_ERROR) back to NEW or SENT, or sets FlowThroughFlag on a NEW order."""
    if old_status in FAILED and new_status in ("NEW", "SENT"):
        return True
    return flow_through_set and new_status == "NEW"


def resend_refused(status: str, *, force: bool) -> str | None:
    """Why an operator's resend (``openrev orders resend``) of an order in ``status`` is
    refused, None when it is not: a final order has nothing to send, and a SENT or CONFIRMED
    one is with the provider already (``force`` sends it again as a new request)."""
    if status in rules.FINAL:
        return f"is {status}, which is final: there is nothing to send"
    if status in ("SENT", "CONFIRMED") and not force:
        return f"is {status}: the provider has it. --force sends it again as a new request"
    return None


def queue_on_create(send_orders: bool, flow_through: bool) -> str | None:
    """How NewCustomers_Create queues its order: ``NOW`` (SendOrders: "send any resultant
    orders to the provider immediately"; the request itself sends it once committed),
    ``FLOW`` (a flow-through order: a worker sends it), or None (it waits, NEW, for a person
    to send it: Orders_Update FlowThroughFlag, ``openrev orders resend``)."""
    if send_orders:
        return "NOW"
    return "FLOW" if flow_through else None


def attempted(order: Order, now: dt.datetime) -> None:
    """A send of the order is being attempted."""
    order.attempts += 1
    order.last_attempt_at = now


def sent(order: Order, now: dt.datetime, message: str | None) -> list[Note]:
    """The provider has the order (SENT, or CONFIRMED when it already was)."""
    order.message = message or order.message
    order.last_error = None
    if order.status == "SENT" or order.status == "CONFIRMED":
        if order.sent_at is None:
            order.sent_at = now
        return []
    return rules.set_status(order, "SENT", now)


def confirmed(order: Order, now: dt.datetime, message: str | None) -> list[Note]:
    order.message = message or order.message
    order.last_error = None
    if order.sent_at is None:
        order.sent_at = now
    if order.status == "CONFIRMED":
        return []
    return rules.set_status(order, "CONFIRMED", now)


def rejected(order: Order, now: dt.datetime, message: str) -> list[Note]:
    """The provider refused the order: ERROR, its message on the order."""
    order.message = message
    order.last_error = message
    notes = rules.set_status(order, "ERROR", now) if order.status != "ERROR" else []
    return notes + [("ORDER", f"Order {order.id} rejected by the provider: {message}")]


def send_failed(order: Order, now: dt.datetime, message: str) -> list[Note]:
    """The send did not go through (connectivity): FLOW_ERROR, resent automatically. An order
    the provider has already (SENT, CONFIRMED) keeps its status: only the error is noted."""
    order.last_error = message
    if order.status in ("SENT", "CONFIRMED", "FLOW_ERROR"):
        return []
    return rules.set_status(order, "FLOW_ERROR", now)


def completed(order: Order, now: dt.datetime, products: Iterable[CustomerProduct],
              service: Service | None, devices: Iterable[InventoryItem],
              assignment: Assignment | None, message: str | None) -> list[Note]:
    """The provider completed the order: activate, assign the numbers (see the module)."""
    order.message = message or order.message
    order.last_error = None
    if order.sent_at is None:
        order.sent_at = now
    notes = rules.complete(order, now.date(), products, service, now=now)
    if service is not None and assignment is not None:
        notes += assign(service, devices, assignment)
    return notes


def assign(service: Service, devices: Iterable[InventoryItem], a: Assignment) -> list[Note]:
    """The service gets the MDN when it has no number; its Mobile_Device gets MSID, MSL and
    the service's number as its MDN, where it has none."""
    notes: list[Note] = []
    if a.mdn and not service.tn:
        service.tn = a.mdn
        notes.append(("SERVICE", f"Line {service.id} number set to {a.mdn} by the provider"))
    for item in devices:
        said = []
        if a.msid and not item.msid:
            item.msid = a.msid
            said.append("MSID")
        if a.msl and not item.msl:
            item.msl = a.msl
            said.append("MSL")
        if service.tn and not item.mdn:
            item.mdn = service.tn
            said.append("MDN")
        if said:
            notes.append(("SERVICE", f"Device {item.identifier}: {', '.join(said)} assigned by "
                                     "the provider"))
    return notes
