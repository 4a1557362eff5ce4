"""Orders_Query, Orders_Search and Orders_Update: "poll Orders_Search or Orders_Query to check
the status of the individual orders to know when it is completed"; Orders_Update (the
original's request shape, ORIGINAL-WIRE.md) sets the status, a status note, the completion
date, shipping, process, and the TN and products of the order's line.

Checks, in the documented order: input (S2010), then existence (O2002 for an order, C2002
for Orders_Search's CustomerID; an order or customer of another client does not exist), then
AT2002 ("The Customer_ID on the order does not match the Customer_ID supplied"), then the
other existence codes (PC2001, L2024, PR2023), then state (S2010: COMPLETE and CANCELED are
final, a TN live on another service, ...). The rules are in ``domain.orders`` and
``domain.lines``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

from ..contract.errors import ApiError, invalid
from ..contract.operations import (
    OrderHistoryEntry, OrderInfo, Orders_QueryRequest, Orders_QueryResult, Orders_SearchRequest,
    Orders_SearchResult, Orders_UpdateRequest, Orders_UpdateResult,
)
from ..domain import flow, lines as line_rules, orders as rules
from ..domain.money import money
from ..store import catalog, lines as lines_repo, orders as repo, outbox as outbox_repo
from ..store.tables import CustomerProduct, Process, Product, Service
from .base import Context, handler

PAGE_SIZE, MAX_PAGE_SIZE = 50, 500


@handler("Orders_Query", writes=False)
def orders_query(ctx: Context, req: Orders_QueryRequest) -> Orders_QueryResult:
    """Looks up one order by OrderID."""
    return Orders_QueryResult(Order=order_info(ctx, _find(ctx, req.OrderID)))


@handler("Orders_Search", writes=False)
def orders_search(ctx: Context, req: Orders_SearchRequest) -> Orders_SearchResult:
    """Orders by CustomerID, Status, Type and created date range; paged, newest first."""
    page_size = PAGE_SIZE if req.PageSize is None else req.PageSize
    page_number = 1 if req.PageNumber is None else req.PageNumber
    if not 1 <= page_size <= MAX_PAGE_SIZE:
        raise invalid("PageSize", f"must be between 1 and {MAX_PAGE_SIZE}")
    if page_number < 1:
        raise invalid("PageNumber", "must be 1 or more")
    created_from = _utc("CreatedFrom", req.CreatedFrom)
    created_to = _utc("CreatedTo", req.CreatedTo)
    if created_from is not None and created_to is not None and created_from > created_to:
        raise invalid("CreatedFrom", "must not be after CreatedTo")
    found = repo.search(
        ctx.db, ctx.client_id,
        repo.OrderFilter(customer_id=req.CustomerID, status=req.Status or None,
                         order_type=req.Type or None, created_from=created_from,
                         created_to=created_to),
        page_number=page_number, page_size=page_size)
    if found is None:
        raise ApiError("C2002", f"CustomerID: {req.CustomerID} does not exist")
    total, rows = found
    history = repo.history_of(ctx.db, ctx.client_id, [r.order.id for r in rows])
    return Orders_SearchResult(TotalCount=total, PageNumber=page_number, PageSize=page_size,
                               Orders=[order_info(ctx, r, history[r.order.id]) for r in rows])


@handler("Orders_Update", writes=True)
def orders_update(ctx: Context, req: Orders_UpdateRequest) -> Orders_UpdateResult:
    """Updates an order (the original's request shape); returns the order as updated."""
    changes = rules.read_update(req)
    row = _find(ctx, req.OrderID, for_update=True)
    order = row.order
    if req.CustomerID is not None and req.CustomerID != order.customer_id:
        raise ApiError("AT2002", f"CustomerID: {req.CustomerID} is not the customer of order "
                                 f"{order.id}")
    # existence
    if changes.process_id is not None and catalog.get(
            ctx.db, Process, ctx.client_id, changes.process_id) is None:
        raise ApiError("PC2001", f"ProcessID: {changes.process_id} does not exist")
    lines = [_resolve_line(ctx, row, line) for line in changes.lines]
    # state
    rules.check_change(order, changes.status, changes.completion_date)
    for line, service, added, changed in lines:
        rules.check_products_state(order, line, changed)
        if line.tn is not None:
            lines_repo.lock_number(ctx.db, ctx.client_id, line.tn)
            line_rules.check_number_free(f"{line.path}/TN", line.tn, service.id,
                                         catalog.services_with_tn(ctx.db, ctx.client_id,
                                                                  line.tn))
    # writing
    notes: list[rules.Note] = []
    for line, service, added, changed in lines:
        if line.tn is not None:
            notes += line_rules.set_number(service, line.tn)
        for add, product in zip(line.adds, added):
            cp = repo.add_product(
                ctx.db, order, service, product,
                rate=money(add.rate if add.rate is not None else product.rate),
                quantity=add.quantity, description=add.description or product.description)
            ctx.db.flush()
            notes.append(("ORDER", f"Order {order.id} added product {product.id} "
                                   f"({cp.description}) to line {service.id} as customer "
                                   f"product {cp.id}"))
        for ch in line.changes:
            if ch.rate is not None:
                ch = replace(ch, rate=money(ch.rate))
            notes += rules.change_product(changed[ch.customer_product_id], ch, ctx.today)
    notes += rules.order_fields(order, changes)
    old_status = order.status
    ctx.db.flush()
    products = repo.products_of(ctx.db, ctx.client_id, order.id)
    notes += rules.update(order, changes.status, changes.completion_date, products=products,
                          service=row.service, now=ctx.now)
    notes += rules.customer_note(order, changes.status_note)
    entry = rules.history_note(old_status, order, changes.status_note)
    if entry is not None:
        repo.record_history(ctx.db, order, status=order.status, note=entry,
                            user_id=ctx.caller.user_id, now=ctx.now, actor=ctx.actor)
    if order.status in rules.FINAL:
        outbox_repo.remove(ctx.db, order.id)  # nothing left for a worker to do
    elif flow.resend_wanted(old_status, order.status,
                            flow_through_set=changes.flow_through is True):
        outbox_repo.enqueue(ctx.db, order, ctx.now)
        notes.append(("ORDER", f"Order {order.id} queued to be sent to the provider"))
    if order.status != old_status and order.status in rules.FINAL:
        customer = repo.customer_for_update(ctx.db, ctx.client_id, order.customer_id)
        if customer is not None:
            notes += rules.open_if_activated(
                customer, repo.orders_of(ctx.db, ctx.client_id, customer.id))
    for category, note in notes:
        ctx.history(order.customer_id, category, note)
    ctx.db.flush()
    # the queue as this update left it (queued, or taken out): NextAttemptDate
    row = replace(row, outbox=outbox_repo.of_order(ctx.db, order.id))
    return Orders_UpdateResult(Order=order_info(ctx, row))


def _resolve_line(ctx: Context, row: repo.OrderRow, line: rules.LineChange
                  ) -> tuple[rules.LineChange, Service, list[Product],
                             dict[int, CustomerProduct]]:
    """The line (the order's service: L2024 otherwise), the products it adds (PR2023) and the
    customer products of that line it changes (PR2023 when not one of them)."""
    service = row.service
    if service is None or line.line_id != service.id:
        raise ApiError("L2024", f"{line.path}/LineID: {line.line_id} is not a line of order "
                                f"{row.order.id}")
    # locked like Lines_Update locks it (the line, then its number): no deadlock between them
    lines_repo.line(ctx.db, ctx.client_id, service.id, for_update=True)
    added: list[Product] = []
    for add in line.adds:
        product = catalog.get(ctx.db, Product, ctx.client_id, add.product_id)
        if product is None:
            raise ApiError("PR2023", f"{add.path}/ProductID: {add.product_id} does not exist")
        added.append(product)
    mine = {p.id: p for p in repo.customer_products_of_service(ctx.db, ctx.client_id,
                                                               service.id)}
    changed: dict[int, CustomerProduct] = {}
    for ch in line.changes:
        p = mine.get(ch.customer_product_id)
        if p is None:
            raise ApiError("PR2023", f"{ch.path}/CustomerProductID: "
                                     f"{ch.customer_product_id} is not a product of line "
                                     f"{service.id}")
        changed[p.id] = p
    return line, service, added, changed


def _find(ctx: Context, order_id: int | None, *, for_update: bool = False) -> repo.OrderRow:
    if order_id is None:
        raise invalid("OrderID", "required")
    row = repo.order(ctx.db, ctx.client_id, order_id, for_update=for_update)
    if row is None:
        raise ApiError("O2002", f"OrderID: {order_id} does not exist")
    return row


def _utc(name: str, value: dt.datetime | None) -> dt.datetime | None:
    """A date-time of the request in UTC; one without a zone is taken to be UTC."""
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=dt.timezone.utc)
    try:
        return value.astimezone(dt.timezone.utc)
    except OverflowError:
        raise invalid(name, "is out of range") from None


def order_info(ctx: Context, row: repo.OrderRow,
               history: list[Any] | None = None) -> OrderInfo:
    """An order as Orders_Query, Orders_Search and Orders_Update answer it; its ``history``
    is read when not given."""
    o, s, p = row.order, row.service, row.provider
    if history is None:
        history = repo.history_of(ctx.db, ctx.client_id, [o.id])[o.id]
    return OrderInfo(
        ID=o.id, CustomerID=o.customer_id, ServiceID=o.service_id,
        TN=s.tn if s is not None else None, Type=o.order_type, Status=o.status,
        CarrierID=o.provider_id, CarrierDescription=p.description,
        PackageID=s.package_id if s is not None else None, IsReconnect=o.is_reconnect,
        FlowThrough=o.flow_through, CreatedDate=o.created_at, SentDate=o.sent_at,
        CompletionDate=o.completion_date, Message=o.message,
        TrackingNumber=o.tracking_number, ShippingStatus=o.shipping_status,
        ProcessID=o.process_id, Attempts=o.attempts, LastError=o.last_error,
        LastAttemptDate=o.last_attempt_at,
        NextAttemptDate=row.outbox.due_at if row.outbox is not None else None,
        StatusDate=o.status_changed_at or o.created_at,
        History=[OrderHistoryEntry(Date=h.created_at, Status=h.status, Note=h.note,
                                   Actor=h.actor) for h in history],
    )
