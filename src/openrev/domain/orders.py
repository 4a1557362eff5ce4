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

* The original's extra statuses HOLD, PAYMENT_HOLD, LIFELINE_HOLD, JEOPARDY and PROVISIONED
  are neither final nor completing: an order in one of them can become any status, and
  entering one activates nothing. NOT_SPECIFIED (or no Status) leaves the status.
* Orders_Update needs something to update: a Status other than NOT_SPECIFIED, a StatusNote,
  FlowThroughFlag, CompletionDate, TrackingNumber, ShippingStatus, ProcessID or a Lines item
  (S2010 otherwise). ProcessRouteID is accepted and ignored (openrev has no process routes).
* Every status change, and every StatusNote, is an entry of the order's history (its Note is
  the StatusNote, or what changed); the customer's history gets the same, as before.
* Lines/OrderLineUpdateItem: LineID is the order's line (L2024 otherwise); its TN follows the
  rules of ``domain.lines`` (10 digits, not live on another service of the client); Products/
  Add adds PENDING customer products of the line that this order activates when it
  completes (not to a COMPLETE or CANCELED order: nothing would activate them); Products/
  Change changes a customer product of the line (PR2023 when it is not one: unknown, or of
  another line), whose DISCONNECTED status is final and whose becoming ACTIVE sets its
  ActivatedDate (today) if it has none.

Each function returns the notes for the customer's history, as (category, note).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from ..contract.errors import ApiError, invalid
from ..store.tables import Customer, CustomerProduct, Order, Service
from .numbers import tn_problem

FINAL = frozenset({"COMPLETE", "CANCELED"})
ACTIVATION_TYPES = frozenset({"NEW", "CONVERSION"})

Note = tuple[str, str]


TRACKING_MAX = 100
DESCRIPTION_MAX = 200
UPDATABLE = ("Status, StatusNote, FlowThroughFlag, CompletionDate, TrackingNumber, "
             "ShippingStatus, ProcessID or Lines")

UNSET: Any = object()  # "not given", where None means "clear"


@dataclass(frozen=True)
class ProductAdd:
    path: str
    product_id: int
    rate: Decimal | None
    quantity: int
    description: str | None


@dataclass(frozen=True)
class ProductChange:
    path: str
    customer_product_id: int
    rate: Decimal | None
    quantity: int | None
    description: str | None
    status: str | None


@dataclass(frozen=True)
class LineChange:
    path: str
    line_id: int
    tn: str | None
    adds: list[ProductAdd]
    changes: list[ProductChange]


@dataclass
class OrderChanges:
    """What an Orders_Update asks for, its input checked. None: not given (leave)."""

    status: str | None = None
    status_note: str | None = None
    flow_through: bool | None = None
    completion_date: dt.date | None = None
    tracking_number: Any = UNSET  # str, None (clear) or UNSET
    shipping_status: str | None = None
    process_id: int | None = None
    lines: list[LineChange] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.status or self.status_note or self.flow_through is not None
                    or self.completion_date is not None or self.tracking_number is not UNSET
                    or self.shipping_status or self.process_id is not None or self.lines)


def read_update(req: Any) -> OrderChanges:
    """The changes an Orders_Update request asks for, after its input rules (S2010; the
    first problem, in the order of the request)."""
    if req.OrderID is None:
        raise invalid("OrderID", "required")
    status = req.Status if req.Status and req.Status != "NOT_SPECIFIED" else None
    completion = req.CompletionDate.date() if req.CompletionDate is not None else None
    check_input(status, completion)
    c = OrderChanges(status=status, completion_date=completion,
                     status_note=(req.StatusNote or "").strip() or None,
                     flow_through=req.FlowThroughFlag, shipping_status=req.ShippingStatus or None,
                     process_id=req.ProcessID)
    if req.is_written("TrackingNumber"):
        c.tracking_number = req.TrackingNumber.strip() or None
        if c.tracking_number is not None and len(c.tracking_number) > TRACKING_MAX:
            raise invalid("TrackingNumber", f"at most {TRACKING_MAX} characters")
    seen: set[int] = set()
    for i, item in enumerate(req.Lines or [], 1):
        c.lines.append(_read_line(f"Lines/OrderLineUpdateItem[{i}]", item, seen))
    if not c:
        raise invalid(UPDATABLE, "one is required" + (
            " (ProcessRouteID is ignored)" if req.ProcessRouteID is not None else ""))
    return c


def _read_line(path: str, item: Any, seen: set[int]) -> LineChange:
    if item.LineID is None:
        raise invalid(f"{path}/LineID", "required")
    if item.LineID in seen:
        raise invalid(f"{path}/LineID", f"line {item.LineID} is given twice")
    seen.add(item.LineID)
    tn = (item.TN or "").strip() or None
    if (bad := tn_problem(tn, f"{path}/TN")) is not None:
        raise ApiError("S2010", bad)
    products = item.Products
    adds: list[ProductAdd] = []
    for j, p in enumerate((products.Add if products else None) or [], 1):
        pp = f"{path}/Products/Add/Product[{j}]"
        if p.ProductID is None:
            raise invalid(f"{pp}/ProductID", "required")
        _check_quantity_and_description(pp, p)
        adds.append(ProductAdd(pp, p.ProductID, p.Rate, p.Quantity or 1,
                               (p.Description or "").strip() or None))
    changes: list[ProductChange] = []
    changed: set[int] = set()
    for j, p in enumerate((products.Change if products else None) or [], 1):
        pp = f"{path}/Products/Change/Product[{j}]"
        if p.CustomerProductID is None:
            raise invalid(f"{pp}/CustomerProductID", "required")
        if p.CustomerProductID in changed:
            raise invalid(f"{pp}/CustomerProductID", f"{p.CustomerProductID} is given twice")
        changed.add(p.CustomerProductID)
        _check_quantity_and_description(pp, p)
        changes.append(ProductChange(pp, p.CustomerProductID, p.Rate, p.Quantity,
                                     (p.Description or "").strip() or None, p.Status or None))
    if tn is None and not adds and not changes:
        raise invalid(path, "TN or Products: one is required")
    return LineChange(path, item.LineID, tn, adds, changes)


def _check_quantity_and_description(path: str, p: Any) -> None:
    if p.Quantity is not None and p.Quantity < 1:
        raise invalid(f"{path}/Quantity", "must be 1 or greater")
    if p.Description is not None and len(p.Description.strip()) > DESCRIPTION_MAX:
        raise invalid(f"{path}/Description", f"at most {DESCRIPTION_MAX} characters")


def check_input(status: str | None, completion_date: dt.date | None) -> None:
    """Orders_Update input rules of Status and CompletionDate that need no order (S2010)."""
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
            return complete(order, completion_date or now.date(), products, service, now=now)
        return set_status(order, status, now)
    if completion_date is not None and completion_date != order.completion_date:
        return redate(order, completion_date, products)
    return []


def set_status(order: Order, status: str, now: dt.datetime) -> list[Note]:
    """Any status change but to COMPLETE; SENT records the time it was sent."""
    old = order.status
    order.status = status
    order.status_changed_at = now
    if status == "SENT" and order.sent_at is None:
        order.sent_at = now
    return [("ORDER", f"Order {order.id} status changed from {old} to {status}")]


def complete(order: Order, on: dt.date, products: Iterable[CustomerProduct],
             service: Service | None, *, now: dt.datetime) -> list[Note]:
    """Complete the order on ``on``: its pending products and service become ACTIVE."""
    old = order.status
    order.status = "COMPLETE"
    order.status_changed_at = now
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


def check_products_state(order: Order, line: LineChange,
                         products: dict[int, CustomerProduct]) -> None:
    """Orders_Update state rules of one Lines item (S2010): products are added only to an order
    that is not final; a DISCONNECTED product keeps its status. ``products`` are the customer
    products the item changes, by id (found by the caller)."""
    if line.adds and order.status in FINAL:
        raise invalid(f"{line.path}/Products/Add", f"order {order.id} is {order.status}; "
                      "products can only be added to an order that is not final")
    for ch in line.changes:
        p = products[ch.customer_product_id]
        if ch.status and ch.status != p.status and p.status == "DISCONNECTED":
            raise invalid(f"{ch.path}/Status", f"customer product {p.id} is DISCONNECTED, "
                          f"which is final; it cannot become {ch.status}")


def change_product(p: CustomerProduct, ch: ProductChange, today: dt.date) -> list[Note]:
    """Apply one Products/Change (checked) to the customer product."""
    said: list[str] = []
    if ch.rate is not None and ch.rate != p.rate:
        p.rate = ch.rate
        said.append(f"rate {ch.rate}")
    if ch.quantity is not None and ch.quantity != p.quantity:
        p.quantity = ch.quantity
        said.append(f"quantity {ch.quantity}")
    if ch.description is not None and ch.description != p.description:
        p.description = ch.description
        said.append(f"description {ch.description!r}")
    if ch.status and ch.status != p.status:
        said.append(f"status {p.status} to {ch.status}")
        p.status = ch.status
        if ch.status == "ACTIVE" and p.activated_date is None:
            p.activated_date = today
    if not said:
        return []
    return [("ORDER", f"Customer product {p.id} changed: " + ", ".join(said))]


def history_note(old_status: str, order: Order, status_note: str | None) -> str | None:
    """The Note of the order's history entry for this update, None when it needs none: the
    StatusNote when one is given, else the status change."""
    if status_note:
        return status_note
    if order.status == old_status:
        return None
    text = f"Status changed from {old_status} to {order.status}"
    if order.status == "COMPLETE" and order.completion_date is not None:
        text += f" (completed {order.completion_date.isoformat()})"
    return text


def customer_note(order: Order, note: str | None) -> list[Note]:
    """The StatusNote as an entry of the customer's history."""
    return [("ORDER", f"Order {order.id} note ({order.status}): {note}")] if note else []


def order_fields(order: Order, c: OrderChanges) -> list[Note]:
    """FlowThroughFlag, TrackingNumber, ShippingStatus and ProcessID (the process checked to
    exist by the caller)."""
    said: list[str] = []
    if c.flow_through is not None and c.flow_through != order.flow_through:
        order.flow_through = c.flow_through
        said.append(f"FlowThrough {str(c.flow_through).lower()}")
    if c.tracking_number is not UNSET and c.tracking_number != order.tracking_number:
        order.tracking_number = c.tracking_number
        said.append(f"TrackingNumber {c.tracking_number or 'cleared'}")
    if c.shipping_status and c.shipping_status != order.shipping_status:
        order.shipping_status = c.shipping_status
        said.append(f"ShippingStatus {c.shipping_status}")
    if c.process_id is not None and c.process_id != order.process_id:
        order.process_id = c.process_id
        said.append(f"ProcessID {c.process_id}")
    return [("ORDER", f"Order {order.id} updated: " + "; ".join(said))] if said else []
