"""Orders_Query, Orders_Search and Orders_Update: "poll Orders_Search or Orders_Query to check
the status of the individual orders to know when it is completed"; Orders_Update sets the
status and completion date of an order.

Checks, in the documented order: input (S2010), then existence (O2002 for an order, C2002
for Orders_Search's CustomerID; an order or customer of another client does not exist), then
AT2002 ("The Customer_ID on the order does not match the Customer_ID supplied"), then the
order's state (S2010: COMPLETE and CANCELED are final). The rules are in ``domain.orders``.
"""

from __future__ import annotations

import datetime as dt

from ..contract.errors import ApiError, invalid
from ..contract.operations import (
    OrderInfo, Orders_QueryRequest, Orders_QueryResult, Orders_SearchRequest,
    Orders_SearchResult, Orders_UpdateRequest, Orders_UpdateResult,
)
from ..domain import orders as rules
from ..store import orders as repo
from .base import Context, handler

PAGE_SIZE, MAX_PAGE_SIZE = 50, 500


@handler("Orders_Query")
def orders_query(ctx: Context, req: Orders_QueryRequest) -> Orders_QueryResult:
    """Looks up one order by OrderID."""
    return Orders_QueryResult(Order=order_info(_find(ctx, req.OrderID)))


@handler("Orders_Search")
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
    if req.CustomerID is not None and not repo.customer_exists(ctx.db, ctx.client_id,
                                                               req.CustomerID):
        raise ApiError("C2002", f"CustomerID: {req.CustomerID} does not exist")
    total, rows = repo.search(
        ctx.db, ctx.client_id,
        repo.OrderFilter(customer_id=req.CustomerID, status=req.Status or None,
                         order_type=req.Type or None, created_from=created_from,
                         created_to=created_to),
        page_number=page_number, page_size=page_size)
    return Orders_SearchResult(TotalCount=total, PageNumber=page_number, PageSize=page_size,
                               Orders=[order_info(r) for r in rows])


@handler("Orders_Update")
def orders_update(ctx: Context, req: Orders_UpdateRequest) -> Orders_UpdateResult:
    """Sets the Status and/or CompletionDate of an order; returns the order as updated."""
    if req.OrderID is None:
        raise invalid("OrderID", "required")
    rules.check_input(req.Status or None, req.CompletionDate)
    row = _find(ctx, req.OrderID, for_update=True)
    order = row.order
    if req.CustomerID is not None and req.CustomerID != order.customer_id:
        raise ApiError("AT2002", f"CustomerID: {req.CustomerID} is not the customer of order "
                                 f"{order.id}")
    old_status = order.status
    products = repo.products_of(ctx.db, ctx.client_id, order.id)
    notes = rules.update(order, req.Status or None, req.CompletionDate, products=products,
                         service=row.service, now=ctx.now)
    if order.status != old_status and order.status in rules.FINAL:
        customer = repo.customer_for_update(ctx.db, ctx.client_id, order.customer_id)
        if customer is not None:
            notes += rules.open_if_activated(
                customer, repo.orders_of(ctx.db, ctx.client_id, customer.id))
    for category, note in notes:
        ctx.history(order.customer_id, category, note)
    ctx.db.flush()
    return Orders_UpdateResult(Order=order_info(row))


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


def order_info(row: repo.OrderRow) -> OrderInfo:
    """An order as Orders_Query, Orders_Search and Orders_Update answer it."""
    o, s, p = row.order, row.service, row.provider
    return OrderInfo(
        ID=o.id, CustomerID=o.customer_id, ServiceID=o.service_id,
        TN=s.tn if s is not None else None, Type=o.order_type, Status=o.status,
        CarrierID=o.provider_id, CarrierDescription=p.description,
        PackageID=s.package_id if s is not None else None, IsReconnect=o.is_reconnect,
        FlowThrough=o.flow_through, CreatedDate=o.created_at, SentDate=o.sent_at,
        CompletionDate=o.completion_date, Message=o.message,
    )
