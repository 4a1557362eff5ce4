"""The rules of an order's life (Enum_Order_Status), on ORM objects; no SQL here.

* COMPLETE ("Order is complete and Rev.io has been updated") and CANCELED are final: an order
  in either status keeps it. Setting the status an order already has is a no-op.
* SENT ("Order has been sent") records when it was sent, if not recorded yet.
* Completing an order: status COMPLETE, CompletionDate the given date or today; the order's
  customer products that are PENDING ("not yet activated and pending activation") become
  ACTIVE ("active and billing") with ActivatedDate ("Date product first became active") the
  completion date; its service, when PENDING, becomes ACTIVE.
* A CompletionDate alone corrects the completion date of a COMPLETE order (and the
  ActivatedDate of the products that order activated).
* A customer with an order is PENDING "until its activation orders complete, then OPEN"
  (CONTRACT.md): when every activation order (NEW or CONVERSION) is COMPLETE or CANCELED and
  at least one is COMPLETE.

Each function returns the notes for the customer's history, as (category, note).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from ..contract.errors import invalid
from ..store.tables import Customer, CustomerProduct, Order, Service

FINAL = frozenset({"COMPLETE", "CANCELED"})
ACTIVATION_TYPES = frozenset({"NEW", "CONVERSION"})

Note = tuple[str, str]


def check_input(status: str | None, completion_date: dt.date | None) -> None:
    """Orders_Update input rules that need no order (S2010)."""
    if not status and completion_date is None:
        raise invalid("Status or CompletionDate", "one is required")
    if completion_date is not None and status and status != "COMPLETE":
        raise invalid("CompletionDate", "can only be given with Status COMPLETE")


def check_change(order: Order, status: str | None, completion_date: dt.date | None) -> None:
    """Orders_Update rules that depend on the order's status (S2010)."""
    if status and status != order.status and order.status in FINAL:
        raise invalid("Status", f"order {order.id} is {order.status}, which is final; it "
                                f"cannot become {status}")
    if completion_date is not None and status != "COMPLETE" and order.status != "COMPLETE":
        raise invalid("CompletionDate", f"order {order.id} is {order.status}; a completion "
                                        "date needs Status COMPLETE")


def update(order: Order, status: str | None, completion_date: dt.date | None, *,
           products: Iterable[CustomerProduct], service: Service | None,
           now: dt.datetime) -> list[Note]:
    """Apply an Orders_Update (after ``check_change``): the new status and/or completion date."""
    check_change(order, status, completion_date)
    if status and status != order.status:
        if status == "COMPLETE":
            return complete(order, completion_date or now.date(), products, service)
        return set_status(order, status, now)
    if completion_date is not None and completion_date != order.completion_date:
        return redate(order, completion_date, products)
    return []


def set_status(order: Order, status: str, now: dt.datetime) -> list[Note]:
    """Any status change but to COMPLETE; SENT records the time it was sent."""
    old = order.status
    order.status = status
    if status == "SENT" and order.sent_at is None:
        order.sent_at = now
    return [("ORDER", f"Order {order.id} status changed from {old} to {status}")]


def complete(order: Order, on: dt.date, products: Iterable[CustomerProduct],
             service: Service | None) -> list[Note]:
    """Complete the order on ``on``: its pending products and service become ACTIVE."""
    old = order.status
    order.status = "COMPLETE"
    order.completion_date = on
    for p in products:
        if p.order_id == order.id and p.status == "PENDING":
            p.status = "ACTIVE"
            p.activated_date = p.activated_date or on
    if service is not None and service.status == "PENDING":
        service.status = "ACTIVE"
    return [("ORDER", f"Order {order.id} status changed from {old} to COMPLETE "
                      f"(completed {on.isoformat()})")]


def redate(order: Order, on: dt.date, products: Iterable[CustomerProduct]) -> list[Note]:
    """Correct the completion date of a COMPLETE order, and the ActivatedDate of the products
    it activated on the old date."""
    old = order.completion_date
    order.completion_date = on
    for p in products:
        if p.order_id == order.id and p.status == "ACTIVE" and p.activated_date == old:
            p.activated_date = on
    return [("ORDER", f"Order {order.id} completion date changed from "
                      f"{old.isoformat() if old else 'none'} to {on.isoformat()}")]


def activation_done(orders: Iterable[Order]) -> bool:
    """Every activation order is COMPLETE or CANCELED, and at least one is COMPLETE."""
    statuses = [o.status for o in orders if o.order_type in ACTIVATION_TYPES]
    return all(s in FINAL for s in statuses) and "COMPLETE" in statuses


def open_if_activated(customer: Customer, orders: Iterable[Order]) -> list[Note]:
    """A PENDING customer whose activation orders are done becomes OPEN."""
    if customer.status != "PENDING" or not activation_done(
            o for o in orders if o.customer_id == customer.id):
        return []
    customer.status = "OPEN"
    return [("CUSTOMER", "Customer status changed from PENDING to OPEN: its activation orders "
                         "are complete")]
