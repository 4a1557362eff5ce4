"""Orders_Query, Orders_Search and Orders_Update: every rule and error code, over JSON and as
raw SOAP 1.1 / 1.2 bytes, a few through zeep, and the rule functions of ``domain.orders``.

Orders are created through NewCustomers_Create (package 1003, provider 20 "Manual
Provisioning": its orders wait for Orders_Update). A second activation order, and orders
with chosen created dates, are written directly into the database. Every test works on the
customers it created, so it does not depend on the data of other tests.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Callable

import pytest
from lxml import etree
from sqlalchemy import select

from helpers import (
    DEMO, OTHER, error, from_xml, new_session, ok, post_soap, result_of, to_xml,
)
from openrev.contract.errors import ApiError
from openrev.domain import orders as rules
from openrev.store.tables import (
    Customer, CustomerHistory, CustomerProduct, Order, Service,
)

ADDRESS = {"FirstName": "Olive", "LastName": "Order", "Address1": "101 N Palafox St",
           "City": "Pensacola", "State": "FL", "Zip": "32502"}
UTC = dt.timezone.utc
NOTHING_TO_UPDATE = ("Status, StatusNote, FlowThroughFlag, CompletionDate, TrackingNumber, "
                     "ShippingStatus, ProcessID or Lines: one is required")
Call = Callable[[str, dict[str, Any]], dict[str, Any]]


# ------------------------------------------------------------------ the two bindings


# ------------------------------------------------------------------ data


def new_customer(client, package: int = 1003) -> tuple[int, int, int]:
    """A PENDING customer with one activation order: (customer, order, service)."""
    r = client.post("/v20/json/NewCustomers_Create", json={
        "Credentials": DEMO, "Order": {"PackageID": package},
        "Customer": {"PhysicalAddress": ADDRESS, "MailingAddress": ADDRESS}})
    out = r.json()
    assert out["Header"]["Success"] is True, out
    assert out["Status"] == "PENDING"
    return out["Customer_ID"], out["Orders"][0], out["Lines"][0]


def add_order(sessions, customer_id: int, *, order_type: str = "CONVERSION",
              status: str = "NEW", created_at: dt.datetime | None = None,
              tn: str | None = None, is_reconnect: bool = False) -> int:
    """Another order of the customer, on a new PENDING service with one PENDING product."""
    with sessions() as db, db.begin():
        c = db.get(Customer, customer_id)
        service = Service(client_id=c.client_id, customer_id=c.id, tn=tn, provider_id=20,
                          package_id=1003, status="PENDING", type="Voice")
        db.add(service)
        db.flush()
        order = Order(client_id=c.client_id, customer_id=c.id, service_id=service.id,
                      provider_id=20, order_type=order_type, status=status,
                      is_reconnect=is_reconnect, flow_through=False,
                      created_at=created_at or dt.datetime.now(UTC))
        db.add(order)
        db.flush()
        db.add(CustomerProduct(client_id=c.client_id, customer_id=c.id, service_id=service.id,
                               product_id=2006, provider_id=20, status="PENDING",
                               description="Business Voice Line", rate=Decimal("29.95"),
                               order_id=order.id))
        return order.id


def customer_status(client, customer_id: int) -> str:
    out = client.post("/v20/json/Customers_Query",
                      json={"Credentials": DEMO, "CustomerID": customer_id}).json()
    return out["Customer"]["Status"]


def update(call: Call, order_id: int, **fields: Any) -> dict[str, Any]:
    return call("Orders_Update", {"Credentials": DEMO, "OrderID": order_id, **fields})


def query(call: Call, order_id: int, creds: dict[str, str] = DEMO) -> dict[str, Any]:
    return call("Orders_Query", {"Credentials": creds, "OrderID": order_id})


# ------------------------------------------------------------------ Orders_Query


def test_query_answers_every_field_of_the_order(call):
    o = ok(query(call, 1))["Order"]
    assert o == {
        "ID": 1, "CustomerID": 1, "ServiceID": 1, "TN": "8505550100", "Type": "NEW",
        "Status": "COMPLETE", "CarrierID": 10, "CarrierDescription": "Demo Wireless",
        "PackageID": 1001, "IsReconnect": False, "FlowThrough": True,
        "CreatedDate": o["CreatedDate"], "SentDate": o["SentDate"],
        "CompletionDate": o["CompletionDate"], "ProcessID": 1, "Attempts": 1,
        "LastAttemptDate": o["SentDate"], "StatusDate": o["SentDate"], "History": []}
    assert o["CreatedDate"].startswith("2024-") and o["SentDate"].startswith("2024-")
    assert dt.date.fromisoformat(o["CompletionDate"]).year == 2024


def test_query_a_new_activation_order(call, client):
    customer, order, service = new_customer(client)
    o = ok(query(call, order))["Order"]
    assert {k: o[k] for k in ("ID", "CustomerID", "ServiceID", "Type", "Status", "CarrierID",
                              "CarrierDescription", "PackageID", "IsReconnect", "FlowThrough")
            } == {"ID": order, "CustomerID": customer, "ServiceID": service, "Type": "NEW",
                  "Status": "NEW", "CarrierID": 20, "CarrierDescription": "Manual Provisioning",
                  "PackageID": 1003, "IsReconnect": False, "FlowThrough": False}
    created = dt.datetime.fromisoformat(o["CreatedDate"])
    assert abs(created - dt.datetime.now(UTC)) < dt.timedelta(minutes=5)
    assert "SentDate" not in o and "CompletionDate" not in o and "TN" not in o


def test_query_requires_an_order_id(call):
    error(call("Orders_Query", {"Credentials": DEMO}), "S2010", "OrderID: required")
    error(call("Orders_Query", {"Credentials": DEMO, "OrderID": "x"}), "S2010",
          "OrderID: must be a whole number")


def test_query_unknown_order_is_o2002(call):
    out = query(call, 999999)
    error(out, "O2002", "OrderID: 999999 does not exist")
    assert out["Header"]["Error_Description"] == "Order specified does not exist."


def test_a_session_of_other_gets_o2002_for_demos_order_1(call, client):
    key = new_session(client, OTHER)
    session = {"Session": {"SessionKey": key}}
    error(call("Orders_Query", {**session, "OrderID": 1}), "O2002",
          "OrderID: 1 does not exist")
    error(call("Orders_Update", {**session, "OrderID": 1, "Status": "CANCELED"}), "O2002",
          "OrderID: 1 does not exist")
    assert ok(query(call, 1))["Order"]["Status"] == "COMPLETE"  # untouched
    # OTHER sees its own order 2.
    assert ok(call("Orders_Query", {**session, "OrderID": 2}))["Order"]["CustomerID"] == 2


def test_json_and_soap_answers_agree(client):
    json_out = client.post("/v20/json/Orders_Query",
                           json={"Credentials": DEMO, "OrderID": 1}).json()
    res = result_of(post_soap(client, "Orders_Query",
                              to_xml({"Credentials": DEMO, "OrderID": 1})).content,
                    "Orders_Query")
    soap_out = from_xml(res)
    assert soap_out["Order"] == json_out["Order"]
    # The documented element names: <Orders_QueryResult><Header/><Order><ID>...
    assert [etree.QName(c).localname for c in res] == ["Header", "Order"]
    assert [etree.QName(c).localname for c in res[1]][:3] == ["ID", "CustomerID", "ServiceID"]


# ------------------------------------------------------------------ Orders_Update: completing


def test_completing_the_activation_order_opens_the_customer(call, client, sessions):
    customer, order, service = new_customer(client)
    assert customer_status(client, customer) == "PENDING"
    o = ok(update(call, order, Status="COMPLETE", CompletionDate="2024-03-05"))["Order"]
    assert (o["ID"], o["Status"], o["CompletionDate"]) == (order, "COMPLETE", "2024-03-05")
    c = client.post("/v20/json/Customers_Query",
                    json={"Credentials": DEMO, "CustomerID": customer}).json()["Customer"]
    assert c["Status"] == "OPEN"
    [item] = c["Services"]
    assert item["Service"]["ID"] == service
    assert [(p["ProductID"], p["Status"], p["ActivatedDate"]) for p in item["Products"]] == [
        (2006, "ACTIVE", "2024-03-05")]
    with sessions() as db:
        assert db.get(Service, service).status == "ACTIVE"
        notes = [(h.category, h.note) for h in db.scalars(
            select(CustomerHistory).where(CustomerHistory.customer_id == customer,
                                          CustomerHistory.category.in_(("ORDER", "CUSTOMER")))
            .order_by(CustomerHistory.id))]
    assert notes[-2:] == [
        ("ORDER", f"Order {order} status changed from NEW to COMPLETE (completed 2024-03-05)"),
        ("CUSTOMER", "Customer status changed from PENDING to OPEN: its activation orders are "
                     "complete")]


def test_completion_date_defaults_to_today(call, client):
    _, order, _ = new_customer(client)
    before = dt.datetime.now(UTC).date()
    o = ok(update(call, order, Status="COMPLETE"))["Order"]
    assert before <= dt.date.fromisoformat(o["CompletionDate"]) <= dt.datetime.now(UTC).date()


def test_two_activation_orders_customer_stays_pending_until_both_complete(call, client,
                                                                          sessions):
    customer, first, _ = new_customer(client)
    second = add_order(sessions, customer)
    ok(update(call, first, Status="COMPLETE"))
    assert customer_status(client, customer) == "PENDING"
    assert ok(query(call, second))["Order"]["Type"] == "CONVERSION"
    ok(update(call, second, Status="COMPLETE", CompletionDate="2024-04-01"))
    assert customer_status(client, customer) == "OPEN"


def test_canceling_the_last_open_activation_order_opens_the_customer(call, client, sessions):
    customer, first, _ = new_customer(client)
    second = add_order(sessions, customer)
    ok(update(call, first, Status="COMPLETE"))
    assert customer_status(client, customer) == "PENDING"
    o = ok(update(call, second, Status="CANCELED"))["Order"]
    assert o["Status"] == "CANCELED" and "CompletionDate" not in o
    assert customer_status(client, customer) == "OPEN"
    with sessions() as db:  # the canceled order's product did not become active
        assert [p.status for p in db.scalars(select(CustomerProduct).where(
            CustomerProduct.order_id == second))] == ["PENDING"]


def test_a_canceled_activation_order_alone_leaves_the_customer_pending(call, client):
    customer, order, _ = new_customer(client)
    ok(update(call, order, Status="CANCELED"))
    assert customer_status(client, customer) == "PENDING"


def test_sent_records_when_it_was_sent_once(call, client):
    _, order, _ = new_customer(client)
    sent = ok(update(call, order, Status="SENT"))["Order"]
    assert sent["Status"] == "SENT"
    sent_at = dt.datetime.fromisoformat(sent["SentDate"])
    assert abs(sent_at - dt.datetime.now(UTC)) < dt.timedelta(minutes=5)
    assert ok(update(call, order, Status="CONFIRMED"))["Order"]["Status"] == "CONFIRMED"
    assert ok(update(call, order, Status="ERROR"))["Order"]["Status"] == "ERROR"
    again = ok(update(call, order, Status="SENT"))["Order"]
    assert again["SentDate"] == sent["SentDate"]
    assert ok(update(call, order, Status="COMPLETE"))["Order"]["Status"] == "COMPLETE"


def test_each_status_change_is_in_the_customer_history(call, client, sessions):
    customer, order, _ = new_customer(client)
    ok(update(call, order, Status="SENT"))
    ok(update(call, order, Status="SENT"))  # no change, no history
    ok(update(call, order, Status="FLOW_ERROR"))
    with sessions() as db:
        notes = [h.note for h in db.scalars(select(CustomerHistory).where(
            CustomerHistory.customer_id == customer, CustomerHistory.category == "ORDER")
            .order_by(CustomerHistory.id))]
    assert notes[-2:] == [f"Order {order} status changed from NEW to SENT",
                          f"Order {order} status changed from SENT to FLOW_ERROR"]


def test_complete_and_canceled_are_final(call, client):
    _, done, _ = new_customer(client)
    ok(update(call, done, Status="COMPLETE", CompletionDate="2024-03-05"))
    error(update(call, done, Status="NEW"), "S2010",
          f"Status: order {done} is COMPLETE, which is final; it cannot become NEW")
    error(update(call, done, Status="CANCELED"), "S2010",
          f"Status: order {done} is COMPLETE, which is final; it cannot become CANCELED")
    _, canceled, _ = new_customer(client)
    ok(update(call, canceled, Status="CANCELED"))
    error(update(call, canceled, Status="COMPLETE"), "S2010",
          f"Status: order {canceled} is CANCELED, which is final; it cannot become COMPLETE")
    assert ok(query(call, canceled))["Order"]["Status"] == "CANCELED"


def test_setting_the_same_status_again_is_a_no_op(call, client):
    _, order, _ = new_customer(client)
    ok(update(call, order, Status="COMPLETE", CompletionDate="2024-03-05"))
    o = ok(update(call, order, Status="COMPLETE"))["Order"]
    assert (o["Status"], o["CompletionDate"]) == ("COMPLETE", "2024-03-05")
    _, canceled, _ = new_customer(client)
    ok(update(call, canceled, Status="CANCELED"))
    assert ok(update(call, canceled, Status="CANCELED"))["Order"]["Status"] == "CANCELED"


def test_completion_date_alone_corrects_a_complete_order(call, client):
    customer, order, _ = new_customer(client)
    ok(update(call, order, Status="COMPLETE", CompletionDate="2024-03-05"))
    o = ok(update(call, order, CompletionDate="2024-03-04"))["Order"]
    assert (o["Status"], o["CompletionDate"]) == ("COMPLETE", "2024-03-04")
    c = client.post("/v20/json/Customers_Query",
                    json={"Credentials": DEMO, "CustomerID": customer}).json()["Customer"]
    assert [p["ActivatedDate"] for s in c["Services"] for p in s["Products"]] == ["2024-03-04"]


# ------------------------------------------------------------------ Orders_Update: errors


def test_update_input_rules(call, client):
    _, order, _ = new_customer(client)
    error(call("Orders_Update", {"Credentials": DEMO, "Status": "COMPLETE"}), "S2010",
          "OrderID: required")
    error(update(call, order), "S2010", NOTHING_TO_UPDATE)
    error(update(call, order, Status="DONE"), "S2010",
          "Status: must be one of NEW, SENT, CONFIRMED, COMPLETE, CANCELED, ERROR, FLOW_ERROR, "
          "NOT_SPECIFIED, HOLD, PAYMENT_HOLD, LIFELINE_HOLD, JEOPARDY, PROVISIONED")
    error(update(call, order, CompletionDate="March 5"), "S2010",
          "CompletionDate: must be a date-time (YYYY-MM-DDThh:mm:ss)")
    error(update(call, order, Status="SENT", CompletionDate="2024-03-05"), "S2010",
          "CompletionDate: can only be given with Status COMPLETE")
    error(update(call, order, CompletionDate="2024-03-05"), "S2010",
          f"CompletionDate: order {order} is NEW; a completion date needs Status COMPLETE")
    assert ok(query(call, order))["Order"]["Status"] == "NEW"


def test_update_unknown_order_is_o2002(call):
    error(update(call, 999999, Status="COMPLETE"), "O2002", "OrderID: 999999 does not exist")


def test_ids_beyond_32_bits_are_invalid_input(call):
    """Ids are xs:int: the codec refuses what does not fit; the largest that fits is just an
    order or customer that does not exist."""
    top = 2**31 - 1
    error(query(call, top + 1), "S2010", f"OrderID: must be at most {top}")
    error(update(call, -top - 2, Status="SENT"), "S2010", f"OrderID: must be at least {-top - 1}")
    error(search(call, PageNumber=top + 1), "S2010", f"PageNumber: must be at most {top}")
    error(query(call, top), "O2002", f"OrderID: {top} does not exist")
    error(update(call, top, Status="SENT"), "O2002", f"OrderID: {top} does not exist")
    error(search(call, CustomerID=top), "C2002", f"CustomerID: {top} does not exist")


def test_customer_id_that_does_not_own_the_order_is_at2002(call, client):
    customer, order, _ = new_customer(client)
    other_customer, _, _ = new_customer(client)
    out = update(call, order, CustomerID=other_customer, Status="COMPLETE")
    error(out, "AT2002", f"CustomerID: {other_customer} is not the customer of order {order}")
    assert out["Header"]["Error_Description"] == \
        "The Customer_ID on the order does not match the Customer_ID supplied."
    assert ok(query(call, order))["Order"]["Status"] == "NEW"
    assert customer_status(client, customer) == "PENDING"
    # The order's own customer is fine.
    assert ok(update(call, order, CustomerID=customer, Status="SENT"))["Order"]["Status"] == \
        "SENT"


def test_order_of_checks_input_then_existence_then_at2002_then_state(call, client):
    customer, order, _ = new_customer(client)
    other_customer, _, _ = new_customer(client)
    # input before existence
    error(update(call, 999999, CustomerID=other_customer), "S2010", NOTHING_TO_UPDATE)
    # existence before AT2002
    error(update(call, 999999, CustomerID=other_customer, Status="SENT"), "O2002",
          "OrderID: 999999 does not exist")
    # AT2002 before the order's state
    ok(update(call, order, Status="COMPLETE"))
    error(update(call, order, CustomerID=other_customer, Status="NEW"), "AT2002",
          f"CustomerID: {other_customer} is not the customer of order {order}")
    error(update(call, order, CustomerID=customer, Status="NEW"), "S2010",
          f"Status: order {order} is COMPLETE, which is final; it cannot become NEW")


def test_a_failed_update_writes_nothing(call, client, sessions):
    customer, order, _ = new_customer(client)
    with sessions() as db:
        before = len(list(db.scalars(select(CustomerHistory.id).where(
            CustomerHistory.customer_id == customer))))
    ok(update(call, order, Status="CANCELED"))
    error(update(call, order, Status="COMPLETE"), "S2010",
          f"Status: order {order} is CANCELED, which is final; it cannot become COMPLETE")
    with sessions() as db:
        after = len(list(db.scalars(select(CustomerHistory.id).where(
            CustomerHistory.customer_id == customer))))
        assert db.get(Order, order).status == "CANCELED"
    assert after == before + 1


# ------------------------------------------------------------------ Orders_Update: original shape

EXTRA_STATUSES = ("HOLD", "PAYMENT_HOLD", "LIFELINE_HOLD", "JEOPARDY", "PROVISIONED")


def tn_for(service_id: int) -> str:
    """A TN no other test uses: 77 and the service id."""
    return f"77{service_id:08d}"


def customer(client, **by: Any) -> dict[str, Any]:
    out = client.post("/v20/json/Customers_Query", json={"Credentials": DEMO, **by}).json()
    assert out["Header"]["Success"] is True, out["Header"]
    return out["Customer"]


def products_of_line(client, customer_id: int) -> list[dict[str, Any]]:
    [item] = customer(client, CustomerID=customer_id)["Services"]
    return item["Products"]


def history(call: Call, order_id: int) -> list[tuple[str, str]]:
    """The order's history after its first entry, which records its creation."""
    first, *rest = ok(query(call, order_id))["Order"]["History"]
    assert (first["Status"], first["Note"]) == (
        "NEW", f"Order {order_id} (NEW) created for package 1003 on provider MANUAL")
    return [(h["Status"], h["Note"]) for h in rest]


def test_the_originals_request_as_raw_soap12_bytes(client):
    """Every element of the original's Orders_Update, in its order, in its namespace, as a
    client generated from its WSDL sends it."""
    customer_id, order, line = new_customer(client)
    [voice] = products_of_line(client, customer_id)
    tn = tn_for(line)
    body = f"""<?xml version="1.0" encoding="utf-8"?>
<soap12:Envelope xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
    xmlns:xsd="http://www.w3.org/2001/XMLSchema"
    xmlns:soap12="http://www.w3.org/2003/05/soap-envelope">
  <soap12:Body>
    <Orders_Update xmlns="http://api.myh2o.com/v20">
      <Request>
        <Credentials><Username>demo</Username><Password>demo</Password><Client>DEMO</Client>
          <ImpersonationKey /></Credentials>
        <Session><SessionKey></SessionKey></Session>
        <Debug>false</Debug>
        <OrderID>{order}</OrderID>
        <Status>COMPLETE</Status>
        <StatusNote>Installed by the field tech</StatusNote>
        <FlowThroughFlag>true</FlowThroughFlag>
        <CompletionDate>2024-03-05T16:30:00</CompletionDate>
        <TrackingNumber>1Z999AA10123456784</TrackingNumber>
        <ShippingStatus>SHIPPED</ShippingStatus>
        <ProcessID>1</ProcessID>
        <ProcessRouteID>7</ProcessRouteID>
        <Lines>
          <OrderLineUpdateItem>
            <LineID>{line}</LineID>
            <TN>{tn}</TN>
            <Products>
              <Add>
                <Product><ProductID>2004</ProductID><Rate>4.99</Rate><Quantity>2</Quantity>
                  <Description>Expedited shipping</Description></Product>
              </Add>
              <Change>
                <Product><CustomerProductID>{voice["ID"]}</CustomerProductID><Rate>24.95</Rate>
                  <Quantity>3</Quantity><Description>Voice line (promo)</Description>
                  <Status>PENDING</Status></Product>
              </Change>
            </Products>
          </OrderLineUpdateItem>
        </Lines>
      </Request>
    </Orders_Update>
  </soap12:Body>
</soap12:Envelope>""".encode()
    r = client.post("/v20/default.asmx", content=body, headers={
        "Content-Type": 'application/soap+xml; charset=utf-8; '
                        'action="http://api.myh2o.com/v20/Orders_Update"'})
    assert r.status_code == 200, r.text
    res = result_of(r.content, "Orders_Update")
    assert etree.QName(res).namespace == "http://api.myh2o.com/v20"
    out = ok(from_xml(res))
    o = out["Order"]
    assert {k: o[k] for k in ("ID", "ServiceID", "TN", "Status", "FlowThrough",
                              "CompletionDate", "TrackingNumber", "ShippingStatus",
                              "ProcessID")} == {
        "ID": order, "ServiceID": line, "TN": tn, "Status": "COMPLETE", "FlowThrough": True,
        "CompletionDate": "2024-03-05", "TrackingNumber": "1Z999AA10123456784",
        "ShippingStatus": "SHIPPED", "ProcessID": 1}
    created, entry = o["History"]
    assert created["Status"] == "NEW" and created["Note"].startswith(f"Order {order} (NEW)")
    assert (entry["Status"], entry["Note"]) == ("COMPLETE", "Installed by the field tech")
    found = customer(client, TN=tn)
    assert (found["ID"], found["Status"]) == (customer_id, "OPEN")
    [item] = found["Services"]
    assert (item["Service"]["ID"], item["Service"]["TN"]) == (line, tn)
    assert [(p["ProductID"], p["Description"], p["Rate"], p["Quantity"], p["Status"],
             p["ActivatedDate"]) for p in item["Products"]] == [
        (2006, "Voice line (promo)", 24.95, 3, "ACTIVE", "2024-03-05"),
        (2004, "Expedited shipping", 4.99, 2, "ACTIVE", "2024-03-05")]


def test_not_specified_leaves_the_status(call, client):
    _, order, _ = new_customer(client)
    ok(update(call, order, Status="SENT"))
    o = ok(update(call, order, Status="NOT_SPECIFIED", TrackingNumber="TRACK-1"))["Order"]
    assert (o["Status"], o["TrackingNumber"]) == ("SENT", "TRACK-1")
    error(update(call, order, Status="NOT_SPECIFIED"), "S2010", NOTHING_TO_UPDATE)
    error(update(call, order, ProcessRouteID=7), "S2010",
          NOTHING_TO_UPDATE + " (ProcessRouteID is ignored)")
    assert ok(query(call, order))["Order"]["Status"] == "SENT"


@pytest.mark.parametrize("extra", EXTRA_STATUSES)
def test_each_extra_status_is_neither_final_nor_completing(call, client, sessions, extra):
    customer_id, order, line = new_customer(client)
    assert ok(update(call, order, Status=extra))["Order"]["Status"] == extra
    assert ok(query(call, order))["Order"]["Status"] == extra
    assert ids(search(call, CustomerID=customer_id, Status=extra)) == [order]
    assert customer_status(client, customer_id) == "PENDING"
    assert [p["Status"] for p in products_of_line(client, customer_id)] == ["PENDING"]
    with sessions() as db:
        assert db.get(Service, line).status == "PENDING"
    # not final: it can become another extra status, go back, and complete
    other = EXTRA_STATUSES[(EXTRA_STATUSES.index(extra) + 1) % len(EXTRA_STATUSES)]
    assert ok(update(call, order, Status=other))["Order"]["Status"] == other
    assert ok(update(call, order, Status="NEW"))["Order"]["Status"] == "NEW"
    ok(update(call, order, Status=extra))
    ok(update(call, order, Status="COMPLETE", CompletionDate="2024-03-05"))
    assert customer_status(client, customer_id) == "OPEN"
    assert history(call, order) == [
        (extra, f"Status changed from NEW to {extra}"),
        (other, f"Status changed from {extra} to {other}"),
        ("NEW", f"Status changed from {other} to NEW"),
        (extra, f"Status changed from NEW to {extra}"),
        ("COMPLETE", f"Status changed from {extra} to COMPLETE (completed 2024-03-05)")]


def test_status_note_is_in_the_order_and_customer_history(call, client, sessions):
    customer_id, order, _ = new_customer(client)
    ok(update(call, order, Status="PAYMENT_HOLD", StatusNote="Card declined"))
    ok(update(call, order, StatusNote="  Customer will call back  "))  # a note alone
    ok(update(call, order, Status="SENT"))
    ok(update(call, order, Status="SENT", StatusNote="Resent"))  # same status: the note only
    assert history(call, order) == [
        ("PAYMENT_HOLD", "Card declined"),
        ("PAYMENT_HOLD", "Customer will call back"),
        ("SENT", "Status changed from PAYMENT_HOLD to SENT"),
        ("SENT", "Resent")]
    entries = ok(query(call, order))["Order"]["History"]
    dates = [dt.datetime.fromisoformat(h["Date"]) for h in entries]
    assert dates == sorted(dates)
    assert abs(dates[0] - dt.datetime.now(UTC)) < dt.timedelta(minutes=5)
    with sessions() as db:
        notes = [h.note for h in db.scalars(select(CustomerHistory).where(
            CustomerHistory.customer_id == customer_id, CustomerHistory.category == "ORDER")
            .order_by(CustomerHistory.id))][1:]  # after "Order … created"
    assert notes == [
        f"Order {order} status changed from NEW to PAYMENT_HOLD",
        f"Order {order} note (PAYMENT_HOLD): Card declined",
        f"Order {order} note (PAYMENT_HOLD): Customer will call back",
        f"Order {order} status changed from PAYMENT_HOLD to SENT",
        f"Order {order} note (SENT): Resent"]
    # Orders_Search answers the history too
    [found] = ok(search(call, CustomerID=customer_id))["Orders"]
    assert [h["Note"] for h in found["History"][1:]] == [n for _, n in history(call, order)]


def test_line_tn_then_complete_finds_the_customer_by_tn(call, client):
    customer_id, order, line = new_customer(client)
    tn = tn_for(line)
    o = ok(update(call, order, Lines=[{"LineID": line, "TN": tn}]))["Order"]
    assert (o["TN"], o["Status"]) == (tn, "NEW")
    found = customer(client, TN=tn)
    assert (found["ID"], found["Status"]) == (customer_id, "PENDING")
    ok(update(call, order, Status="COMPLETE"))
    found = customer(client, TN=tn)
    assert (found["ID"], found["Status"]) == (customer_id, "OPEN")
    [item] = found["Services"]
    assert (item["Service"]["TN"], [p["Status"] for p in item["Products"]]) == (tn, ["ACTIVE"])
    # setting the number the line already has is no conflict
    assert ok(update(call, order, Lines=[{"LineID": line, "TN": tn}]))["Order"]["TN"] == tn


def test_products_add_becomes_active_when_the_order_completes(call, client):
    customer_id, order, line = new_customer(client)
    ok(update(call, order, Status="HOLD", Lines=[{"LineID": line, "Products": {"Add": [
        {"ProductID": 2002},
        {"ProductID": 2001, "Rate": "19.5", "Quantity": 2, "Description": "Talk (promo)"}]}}]))
    assert [(p["ProductID"], p["Description"], p["Rate"], p["Quantity"], p["Status"])
            for p in products_of_line(client, customer_id)] == [
        (2006, "Business Voice Line", 29.95, 1, "PENDING"),
        (2002, "5GB Data", 15.0, 1, "PENDING"),
        (2001, "Talk (promo)", 19.5, 2, "PENDING")]
    ok(update(call, order, Status="COMPLETE", CompletionDate="2024-05-01T00:00:00Z"))
    assert [(p["ProductID"], p["Status"], p["ActivatedDate"])
            for p in products_of_line(client, customer_id)] == [
        (2006, "ACTIVE", "2024-05-01"), (2002, "ACTIVE", "2024-05-01"),
        (2001, "ACTIVE", "2024-05-01")]


def test_products_change(call, client):
    customer_id, order, line = new_customer(client)
    [voice] = products_of_line(client, customer_id)
    ok(update(call, order, Lines=[{"LineID": line, "Products": {"Change": [
        {"CustomerProductID": voice["ID"], "Rate": "0", "Description": "Free line"}]}}]))
    [p] = products_of_line(client, customer_id)
    assert (p["Rate"], p["Quantity"], p["Description"], p["Status"]) == (
        0, 1, "Free line", "PENDING")
    ok(update(call, order, Lines=[{"LineID": line, "Products": {"Change": [
        {"CustomerProductID": voice["ID"], "Status": "ACTIVE", "Quantity": 4}]}}]))
    [p] = products_of_line(client, customer_id)
    assert (p["Quantity"], p["Status"], p["ActivatedDate"]) == (
        4, "ACTIVE", dt.datetime.now(UTC).date().isoformat())
    ok(update(call, order, Lines=[{"LineID": line, "Products": {"Change": [
        {"CustomerProductID": voice["ID"], "Status": "DISCONNECTED"}]}}]))
    error(update(call, order, Lines=[{"LineID": line, "Products": {"Change": [
        {"CustomerProductID": voice["ID"], "Status": "ACTIVE"}]}}]), "S2010",
        f"Lines/OrderLineUpdateItem[1]/Products/Change/Product[1]/Status: customer product "
        f"{voice['ID']} is DISCONNECTED, which is final; it cannot become ACTIVE")


def test_flow_through_tracking_shipping_and_process(call, client):
    _, order, _ = new_customer(client)
    o = ok(update(call, order, FlowThroughFlag=True, TrackingNumber=" 1Z-1 ",
                  ShippingStatus="NOT_SHIPPED", ProcessID=1))["Order"]
    assert (o["FlowThrough"], o["TrackingNumber"], o["ShippingStatus"], o["ProcessID"],
            o["Status"], len(o["History"])) == (True, "1Z-1", "NOT_SHIPPED", 1, "NEW", 1)
    o = ok(update(call, order, FlowThroughFlag=False, TrackingNumber="",
                  ShippingStatus="shipped"))["Order"]
    assert (o["FlowThrough"], "TrackingNumber" in o, o["ShippingStatus"], o["ProcessID"]) == (
        False, False, "SHIPPED", 1)


def test_a_final_order_still_takes_tracking_and_notes_but_no_products(call, client):
    customer_id, order, line = new_customer(client)
    ok(update(call, order, Status="COMPLETE", CompletionDate="2024-03-05"))
    o = ok(update(call, order, ShippingStatus="SHIPPED", StatusNote="Shipped late"))["Order"]
    assert (o["Status"], o["ShippingStatus"]) == ("COMPLETE", "SHIPPED")
    error(update(call, order, Lines=[{"LineID": line, "Products": {"Add": [
        {"ProductID": 2002}]}}]), "S2010",
        f"Lines/OrderLineUpdateItem[1]/Products/Add: order {order} is COMPLETE; products can "
        "only be added to an order that is not final")
    assert len(products_of_line(client, customer_id)) == 1


def test_old_shape_with_customer_id_and_a_date_still_works(call, client):
    customer_id, order, _ = new_customer(client)
    o = ok(update(call, order, CustomerID=customer_id, Status="COMPLETE",
                  CompletionDate="2024-03-05"))["Order"]
    assert (o["Status"], o["CompletionDate"]) == ("COMPLETE", "2024-03-05")
    # a date-time with a zone: its date as written is the completion date
    o = ok(update(call, order, CompletionDate="2024-03-06T23:30:00-05:00"))["Order"]
    assert o["CompletionDate"] == "2024-03-06"


def test_lines_input_rules(call, client):
    _, order, line = new_customer(client)
    item = "Lines/OrderLineUpdateItem[1]"
    error(update(call, order, Lines=[{"TN": "8505550199"}]), "S2010", f"{item}/LineID: required")
    error(update(call, order, Lines=[{"LineID": line}]), "S2010",
          f"{item}: TN or Products: one is required")
    error(update(call, order, Lines=[{"LineID": line, "TN": "850555"}]), "S2010",
          f"{item}/TN: must be 10 digits")
    error(update(call, order, Lines=[{"LineID": line, "TN": tn_for(line)},
                                     {"LineID": line, "TN": tn_for(line)}]), "S2010",
          f"Lines/OrderLineUpdateItem[2]/LineID: line {line} is given twice")
    error(update(call, order, Lines=[{"LineID": line, "Products": {"Add": [{"Quantity": 1}]}}]),
          "S2010", f"{item}/Products/Add/Product[1]/ProductID: required")
    error(update(call, order, Lines=[{"LineID": line, "Products": {"Add": [
        {"ProductID": 2002, "Quantity": 0}]}}]), "S2010",
        f"{item}/Products/Add/Product[1]/Quantity: must be 1 or greater")
    error(update(call, order, Lines=[{"LineID": line, "Products": {"Change": [
        {"Rate": "1.00"}]}}]), "S2010",
        f"{item}/Products/Change/Product[1]/CustomerProductID: required")
    error(update(call, order, TrackingNumber="X" * 101), "S2010",
          "TrackingNumber: at most 100 characters")
    error(update(call, order, ShippingStatus="LOST"), "S2010",
          "ShippingStatus: must be one of NOT_REQUIRED, NOT_SHIPPED, SHIPPED")
    assert "TN" not in ok(query(call, order))["Order"]


def test_tn_live_on_another_service_is_refused(call, client, sessions):
    _, order, line = new_customer(client)
    error(update(call, order, Lines=[{"LineID": line, "TN": "8505550100"}]), "S2010",
          "Lines/OrderLineUpdateItem[1]/TN: 8505550100 is in use on service 1")
    # a number live on another client's service is no conflict; a DISCONNECTED one neither
    _, _, other_line = new_customer(client)
    tn = tn_for(other_line)
    with sessions() as db, db.begin():
        db.get(Service, other_line).tn = tn
    error(update(call, order, Lines=[{"LineID": line, "TN": tn}]), "S2010",
          f"Lines/OrderLineUpdateItem[1]/TN: {tn} is in use on service {other_line}")
    with sessions() as db, db.begin():
        db.get(Service, other_line).status = "DISCONNECTED"
    assert ok(update(call, order, Lines=[{"LineID": line, "TN": tn}]))["Order"]["TN"] == tn
    assert ok(update(call, order, Lines=[{"LineID": line, "TN": "2125550100"}]))["Order"][
        "TN"] == "2125550100"  # OTHER's live number
    ok(update(call, order, Lines=[{"LineID": line, "TN": tn}]))  # (free it for the next run)


def test_existence_codes(call, client):
    customer_id, order, line = new_customer(client)
    _, other_order, other_line = new_customer(client)
    [other_voice] = products_of_line(client, _other_customer(client, other_order))
    item = "Lines/OrderLineUpdateItem[1]"
    error(update(call, order, ProcessID=99), "PC2001", "ProcessID: 99 does not exist")
    error(update(call, order, Lines=[{"LineID": other_line, "TN": tn_for(line)}]), "L2024",
          f"{item}/LineID: {other_line} is not a line of order {order}")
    error(update(call, order, Lines=[{"LineID": 999999, "TN": tn_for(line)}]), "L2024",
          f"{item}/LineID: 999999 is not a line of order {order}")
    out = update(call, order, Lines=[{"LineID": line, "Products": {"Add": [
        {"ProductID": 999999}]}}])
    error(out, "PR2023", f"{item}/Products/Add/Product[1]/ProductID: 999999 does not exist")
    assert out["Header"]["Error_Description"] == "Product does not exist."
    error(update(call, order, Lines=[{"LineID": line, "Products": {"Change": [
        {"CustomerProductID": other_voice["ID"], "Rate": "1.00"}]}}]), "PR2023",
        f"{item}/Products/Change/Product[1]/CustomerProductID: {other_voice['ID']} is not a "
        f"product of line {line}")
    error(update(call, order, Lines=[{"LineID": line, "Products": {"Change": [
        {"CustomerProductID": 999999}]}}]), "PR2023",
        f"{item}/Products/Change/Product[1]/CustomerProductID: 999999 is not a product of "
        f"line {line}")
    # OTHER's line 2 does not exist for DEMO
    error(update(call, order, Lines=[{"LineID": 2, "TN": tn_for(line)}]), "L2024",
          f"{item}/LineID: 2 is not a line of order {order}")
    assert ok(query(call, order))["Order"]["Status"] == "NEW"
    assert products_of_line(client, customer_id)[0]["Rate"] == 29.95


def _other_customer(client, order_id: int) -> int:
    out = client.post("/v20/json/Orders_Query",
                      json={"Credentials": DEMO, "OrderID": order_id}).json()
    return out["Order"]["CustomerID"]


def test_order_of_checks_for_the_new_elements(call, client):
    customer_id, order, line = new_customer(client)
    other_customer, _, _ = new_customer(client)
    item = "Lines/OrderLineUpdateItem[1]"
    # input before existence (of the order, the process, the line)
    error(update(call, 999999, ProcessID=99, Lines=[{"LineID": 999999, "TN": "1"}]), "S2010",
          f"{item}/TN: must be 10 digits")
    # AT2002 before the other existence codes
    error(update(call, order, CustomerID=other_customer, ProcessID=99), "AT2002",
          f"CustomerID: {other_customer} is not the customer of order {order}")
    # PC2001, then L2024, then PR2023, each before state
    ok(update(call, order, Status="CANCELED"))
    error(update(call, order, Status="NEW", ProcessID=99, Lines=[{"LineID": 999999}]),
          "S2010", f"{item}: TN or Products: one is required")
    error(update(call, order, Status="NEW", ProcessID=99,
                 Lines=[{"LineID": 999999, "TN": "8505550100"}]), "PC2001",
          "ProcessID: 99 does not exist")
    error(update(call, order, Status="NEW", Lines=[{"LineID": 999999, "TN": "8505550100"}]),
          "L2024", f"{item}/LineID: 999999 is not a line of order {order}")
    error(update(call, order, Status="NEW", Lines=[{"LineID": line, "TN": "8505550100",
                                                    "Products": {"Add": [{"ProductID": 1}]}}]),
          "PR2023", f"{item}/Products/Add/Product[1]/ProductID: 1 does not exist")
    error(update(call, order, Status="NEW", Lines=[{"LineID": line, "TN": "8505550100"}]),
          "S2010", f"Status: order {order} is CANCELED, which is final; it cannot become NEW")
    error(update(call, order, Lines=[{"LineID": line, "TN": "8505550100"}]),
          "S2010", f"{item}/TN: 8505550100 is in use on service 1")


def test_a_failed_update_of_the_line_writes_nothing(call, client):
    customer_id, order, line = new_customer(client)
    tn = tn_for(line)
    error(update(call, order, Status="COMPLETE", TrackingNumber="T-1",
                 Lines=[{"LineID": line, "TN": tn, "Products": {"Add": [
                     {"ProductID": 2002}, {"ProductID": 999999}]}}]), "PR2023",
          "Lines/OrderLineUpdateItem[1]/Products/Add/Product[2]/ProductID: 999999 does not "
          "exist")
    o = ok(query(call, order))["Order"]
    assert (o["Status"], "TN" in o, "TrackingNumber" in o, history(call, order)) == (
        "NEW", False, False, [])
    assert [p["ProductID"] for p in products_of_line(client, customer_id)] == [2006]


# ------------------------------------------------------------------ Orders_Search


@pytest.fixture(scope="module")
def searched(client, sessions) -> dict[str, int]:
    """A customer with four orders: A (its activation order, now), B (CONVERSION, SENT,
    2001-01-01 10:00), C (NEW, COMPLETE, 2001-01-02) and D (ADD_LINE, NEW, 2001-01-02, same
    time as C, larger id)."""
    customer, a, _ = new_customer(client)
    b = add_order(sessions, customer, order_type="CONVERSION", status="SENT",
                  created_at=dt.datetime(2001, 1, 1, 10, tzinfo=UTC), tn="8505550177",
                  is_reconnect=True)
    c = add_order(sessions, customer, order_type="NEW", status="COMPLETE",
                  created_at=dt.datetime(2001, 1, 2, tzinfo=UTC))
    d = add_order(sessions, customer, order_type="ADD_LINE", status="NEW",
                  created_at=dt.datetime(2001, 1, 2, tzinfo=UTC))
    return {"customer": customer, "A": a, "B": b, "C": c, "D": d}


def search(call: Call, creds: dict[str, str] = DEMO, **fields: Any) -> dict[str, Any]:
    return call("Orders_Search", {"Credentials": creds, **fields})


def ids(out: dict[str, Any]) -> list[int]:
    return [o["ID"] for o in ok(out).get("Orders", [])]


def test_search_by_customer_newest_first_then_id_descending(call, searched):
    s = searched
    out = ok(search(call, CustomerID=s["customer"]))
    assert (out["TotalCount"], out["PageNumber"], out["PageSize"]) == (4, 1, 50)
    assert ids(out) == [s["A"], s["D"], s["C"], s["B"]]
    b = out["Orders"][3]
    assert (b["Type"], b["Status"], b["TN"], b["IsReconnect"], b["CustomerID"],
            b["CarrierDescription"]) == ("CONVERSION", "SENT", "8505550177", True,
                                         s["customer"], "Manual Provisioning")


def test_search_by_status_and_type(call, searched):
    s, c = searched, searched["customer"]
    assert ids(search(call, CustomerID=c, Status="NEW")) == [s["A"], s["D"]]
    assert ids(search(call, CustomerID=c, Status="COMPLETE")) == [s["C"]]
    assert ids(search(call, CustomerID=c, Type="CONVERSION")) == [s["B"]]
    assert ids(search(call, CustomerID=c, Type="NEW")) == [s["A"], s["C"]]
    assert ids(search(call, CustomerID=c, Type="NEW", Status="COMPLETE")) == [s["C"]]
    out = ok(search(call, CustomerID=c, Type="DISCONNECT"))
    assert out["TotalCount"] == 0 and out.get("Orders", []) == []


def test_search_by_created_date_range_inclusive(call, searched):
    s, c = searched, searched["customer"]
    assert ids(search(call, CustomerID=c, CreatedFrom="2001-01-02T00:00:00Z")) == [
        s["A"], s["D"], s["C"]]
    assert ids(search(call, CustomerID=c, CreatedTo="2001-01-01T10:00:00Z")) == [s["B"]]
    assert ids(search(call, CustomerID=c, CreatedFrom="2001-01-01T10:00:00Z",
                      CreatedTo="2001-01-31T00:00:00Z")) == [s["D"], s["C"], s["B"]]
    # A date-time without a zone is UTC; another zone is converted.
    assert ids(search(call, CustomerID=c, CreatedFrom="2001-01-01T10:00:01",
                      CreatedTo="2001-01-01T19:00:00-05:00")) == [s["D"], s["C"]]
    assert ids(search(call, CustomerID=c, CreatedFrom="2001-01-01T10:00:00Z",
                      CreatedTo="2001-01-01T10:00:00Z")) == [s["B"]]


def test_search_pages(call, searched):
    s, c = searched, searched["customer"]
    first = ok(search(call, CustomerID=c, PageSize=3))
    assert (first["TotalCount"], first["PageNumber"], first["PageSize"]) == (4, 1, 3)
    assert ids(first) == [s["A"], s["D"], s["C"]]
    second = ok(search(call, CustomerID=c, PageSize=3, PageNumber=2))
    assert (second["TotalCount"], second["PageNumber"], second["PageSize"]) == (4, 2, 3)
    assert ids(second) == [s["B"]]
    past = ok(search(call, CustomerID=c, PageSize=3, PageNumber=3))
    assert past["TotalCount"] == 4 and ids(past) == []
    assert ids(search(call, CustomerID=c, PageSize=1, PageNumber=4)) == [s["B"]]
    far = ok(search(call, CustomerID=c, PageSize=500, PageNumber=2**31 - 1))
    assert (far["TotalCount"], ids(far)) == (4, [])
    assert ok(search(call, CustomerID=c, PageSize=500))["PageSize"] == 500


def test_search_without_a_customer_is_over_every_order_of_the_client(call, searched):
    out = ok(search(call, CreatedFrom="2001-01-01T00:00:00Z", CreatedTo="2001-01-02T00:00:00Z",
                    PageSize=500))
    assert {searched["B"], searched["C"], searched["D"]} <= set(ids(out))
    assert out["TotalCount"] == len(ids(out))
    everything = ok(search(call))
    assert everything["TotalCount"] >= 5 and len(ids(everything)) <= 50
    assert 2 not in ids(everything)  # OTHER's order


def test_search_input_rules(call, searched):
    c = searched["customer"]
    error(search(call, CustomerID=c, PageSize=0), "S2010", "PageSize: must be between 1 and 500")
    error(search(call, CustomerID=c, PageSize=501), "S2010",
          "PageSize: must be between 1 and 500")
    error(search(call, CustomerID=c, PageNumber=0), "S2010", "PageNumber: must be 1 or more")
    error(search(call, CustomerID=c, CreatedFrom="2001-02-01T00:00:00Z",
                 CreatedTo="2001-01-01T00:00:00Z"), "S2010",
          "CreatedFrom: must not be after CreatedTo")
    error(search(call, CustomerID=c, Status="DONE"), "S2010",
          "Status: must be one of NEW, SENT, CONFIRMED, COMPLETE, CANCELED, ERROR, FLOW_ERROR, "
          "HOLD, PAYMENT_HOLD, LIFELINE_HOLD, JEOPARDY, PROVISIONED")
    error(search(call, CustomerID=c, Type="PORT"), "S2010",
          "Type: must be one of NEW, DISCONNECT, DENY, RESTORE, CHANGE_FEATURE, ADD_LINE, "
          "TRANSFER, CONVERSION")
    error(search(call, CustomerID=c, CreatedFrom="0001-01-01T00:00:00+05:00"), "S2010",
          "CreatedFrom: is out of range")
    assert ids(search(call, CustomerID=c, CreatedFrom="0001-01-01T00:00:00Z",
                      CreatedTo="9999-12-31T23:59:59")) == [
        searched["A"], searched["D"], searched["C"], searched["B"]]
    error(search(call, CustomerID=c, CreatedFrom="yesterday"), "S2010",
          "CreatedFrom: must be a date-time (YYYY-MM-DDThh:mm:ss)")
    # input before existence
    error(search(call, CustomerID=999999, PageSize=0), "S2010",
          "PageSize: must be between 1 and 500")


def test_search_unknown_customer_is_c2002(call, searched):
    error(search(call, CustomerID=999999), "C2002", "CustomerID: 999999 does not exist")
    # A customer of another client does not exist either.
    error(search(call, OTHER, CustomerID=searched["customer"]), "C2002",
          f"CustomerID: {searched['customer']} does not exist")
    other = ok(search(call, OTHER, PageSize=500))
    assert 2 in ids(other)  # OTHER's demo order
    assert 1 not in ids(other) and searched["A"] not in ids(other)


def test_search_soap_shape_and_empty_tags(client, searched):
    c = searched["customer"]
    body = (to_xml({"Credentials": DEMO, "CustomerID": c})
            + "<r:PageSize/><r:Status xsi:nil=\"true\"/>")
    res = result_of(post_soap(client, "Orders_Search", body, version=12).content,
                    "Orders_Search")
    assert [etree.QName(e).localname for e in res] == [
        "Header", "TotalCount", "PageNumber", "PageSize", "Orders"]
    orders = res.xpath("*[local-name()='Orders']/*[local-name()='Order']")
    assert len(orders) == 4
    assert from_xml(res)["PageSize"] == 50
    assert etree.QName(orders[0][0]).localname == "ID"


# ------------------------------------------------------------------ zeep


def test_zeep_orders_query(service):
    res = service.Orders_Query(Request={"Credentials": DEMO, "OrderID": 1})
    assert res.Header.Success is True
    o = res.Order
    assert (o.ID, o.CustomerID, o.TN, o.Type, o.Status, o.CarrierID, o.PackageID,
            o.FlowThrough) == (1, 1, "8505550100", "NEW", "COMPLETE", 10, 1001, True)
    assert isinstance(o.CompletionDate, dt.date) and isinstance(o.CreatedDate, dt.datetime)
    res = service.Orders_Query(Request={"Credentials": OTHER, "OrderID": 1})
    assert (res.Header.Success, res.Header.Error_Code) == (False, "O2002")


def test_zeep_orders_update_and_search(service, client):
    customer, order, _ = new_customer(client)
    res = service.Orders_Update(Request={"Credentials": DEMO, "OrderID": order,
                                         "CustomerID": customer, "Status": "COMPLETE",
                                         "CompletionDate": dt.date(2024, 3, 5)})
    assert res.Header.Success is True, res.Header
    assert (res.Order.Status, res.Order.CompletionDate) == ("COMPLETE", dt.date(2024, 3, 5))
    assert customer_status(client, customer) == "OPEN"
    res = service.Orders_Update(Request={"Credentials": DEMO, "OrderID": order,
                                         "CustomerID": 1, "Status": "NEW"})
    assert (res.Header.Success, res.Header.Error_Code) == (False, "AT2002")
    res = service.Orders_Search(Request={"Credentials": DEMO, "CustomerID": customer})
    assert (res.TotalCount, res.PageNumber, res.PageSize) == (1, 1, 50)
    assert [o.ID for o in res.Orders.Order] == [order]


# ------------------------------------------------------------------ domain rules


def _order(id: int = 7, status: str = "NEW", order_type: str = "NEW",
            customer_id: int = 3) -> Order:
    return Order(id=id, status=status, order_type=order_type, customer_id=customer_id,
                 sent_at=None, completion_date=None)


def _product(order_id: int, status: str = "PENDING", activated: dt.date | None = None
             ) -> CustomerProduct:
    return CustomerProduct(order_id=order_id, status=status, activated_date=activated)


NOW = dt.datetime(2024, 6, 1, 12, 0, tzinfo=UTC)


def _s2010(fn: Callable[[], Any]) -> str:
    with pytest.raises(ApiError) as err:
        fn()
    assert err.value.code == "S2010"
    return err.value.message


def test_rule_check_input():
    rules.check_input(None, None)
    assert _s2010(lambda: rules.check_input("CANCELED", dt.date(2024, 1, 1))) == \
        "CompletionDate: can only be given with Status COMPLETE"
    rules.check_input("COMPLETE", dt.date(2024, 1, 1))
    rules.check_input(None, dt.date(2024, 1, 1))
    rules.check_input("SENT", None)


def test_rule_final_statuses_and_no_op():
    for final in ("COMPLETE", "CANCELED"):
        o = _order(status=final)
        for status in ("NEW", "SENT", "CONFIRMED", "ERROR", "FLOW_ERROR",
                       *({"COMPLETE", "CANCELED"} - {final})):
            assert _s2010(lambda: rules.update(o, status, None, products=[], service=None,
                                               now=NOW)).startswith("Status: order 7 is")
        assert rules.update(o, final, None, products=[], service=None, now=NOW) == []
        assert o.status == final
    assert _s2010(lambda: rules.check_change(_order(), None, dt.date(2024, 1, 1))) == \
        "CompletionDate: order 7 is NEW; a completion date needs Status COMPLETE"


def test_rule_sent_sets_sent_at_once():
    o = _order()
    assert rules.update(o, "SENT", None, products=[], service=None, now=NOW) == [
        ("ORDER", "Order 7 status changed from NEW to SENT")]
    assert o.sent_at == NOW
    rules.update(o, "ERROR", None, products=[], service=None, now=NOW)
    rules.update(o, "SENT", None, products=[], service=None, now=NOW + dt.timedelta(hours=1))
    assert o.sent_at == NOW


def test_rule_complete_activates_the_orders_pending_products_and_service():
    o = _order()
    mine = _product(7)
    already = _product(7, "ACTIVE", dt.date(2020, 1, 1))
    gone = _product(7, "DISCONNECTED")
    others = _product(8)
    service = Service(status="PENDING")
    notes = rules.update(o, "COMPLETE", dt.date(2024, 3, 5),
                         products=[mine, already, gone, others], service=service, now=NOW)
    assert notes == [("ORDER", "Order 7 status changed from NEW to COMPLETE "
                               "(completed 2024-03-05)")]
    assert (o.status, o.completion_date) == ("COMPLETE", dt.date(2024, 3, 5))
    assert (mine.status, mine.activated_date) == ("ACTIVE", dt.date(2024, 3, 5))
    assert (already.status, already.activated_date) == ("ACTIVE", dt.date(2020, 1, 1))
    assert (gone.status, gone.activated_date) == ("DISCONNECTED", None)
    assert (others.status, others.activated_date) == ("PENDING", None)
    assert service.status == "ACTIVE"


def test_rule_complete_defaults_to_today_and_keeps_a_disconnected_service():
    o = _order(status="CONFIRMED")
    service = Service(status="DISCONNECTED")
    rules.update(o, "COMPLETE", None, products=[], service=service, now=NOW)
    assert o.completion_date == NOW.date() and service.status == "DISCONNECTED"


def test_rule_redate_moves_the_products_it_activated():
    o = _order(status="COMPLETE")
    o.completion_date = dt.date(2024, 3, 5)
    mine = _product(7, "ACTIVE", dt.date(2024, 3, 5))
    earlier = _product(7, "ACTIVE", dt.date(2020, 1, 1))
    notes = rules.update(o, None, dt.date(2024, 3, 1), products=[mine, earlier], service=None,
                         now=NOW)
    assert notes == [("ORDER", "Order 7 completion date changed from 2024-03-05 to 2024-03-01")]
    assert (o.completion_date, mine.activated_date, earlier.activated_date) == (
        dt.date(2024, 3, 1), dt.date(2024, 3, 1), dt.date(2020, 1, 1))
    assert rules.update(o, "COMPLETE", dt.date(2024, 3, 1), products=[], service=None,
                        now=NOW) == []


def test_rule_read_update_needs_something_to_update():
    from openrev.contract.operations import Orders_UpdateRequest

    assert _s2010(lambda: rules.read_update(Orders_UpdateRequest(
        OrderID=7, Status="NOT_SPECIFIED", StatusNote="  ", CustomerID=3))) == \
        NOTHING_TO_UPDATE
    c = rules.read_update(Orders_UpdateRequest(
        OrderID=7, Status="NOT_SPECIFIED", FlowThroughFlag=False,
        CompletionDate=dt.datetime(2024, 3, 5, 23, 0, tzinfo=dt.timezone(dt.timedelta(hours=-5)))))
    assert (c.status, c.flow_through, c.completion_date, c.tracking_number) == (
        None, False, dt.date(2024, 3, 5), rules.UNSET)


@pytest.mark.parametrize("status", EXTRA_STATUSES)
def test_rule_extra_statuses_are_not_final_and_complete_nothing(status):
    o = _order()
    mine = _product(7)
    service = Service(status="PENDING")
    assert rules.update(o, status, None, products=[mine], service=service, now=NOW) == [
        ("ORDER", f"Order 7 status changed from NEW to {status}")]
    assert (o.status, o.completion_date, mine.status, service.status) == (
        status, None, "PENDING", "PENDING")
    assert rules.history_note("NEW", o, None) == f"Status changed from NEW to {status}"
    assert rules.history_note("NEW", o, "on hold") == "on hold"
    rules.update(o, "CANCELED", None, products=[], service=None, now=NOW)
    assert o.status == "CANCELED"
    assert not rules.activation_done([_order(status=status)])


def test_rule_change_product():
    p = CustomerProduct(id=5, status="PENDING", rate=Decimal("29.95"), quantity=1,
                        description="Voice", activated_date=None)
    ch = rules.ProductChange("X", 5, Decimal("19.95"), 2, None, "ACTIVE")
    assert rules.change_product(p, ch, dt.date(2024, 6, 1)) == [
        ("ORDER", "Customer product 5 changed: rate 19.95, quantity 2, status PENDING to "
                  "ACTIVE")]
    assert (p.rate, p.quantity, p.description, p.status, p.activated_date) == (
        Decimal("19.95"), 2, "Voice", "ACTIVE", dt.date(2024, 6, 1))
    assert rules.change_product(p, ch, dt.date(2024, 7, 1)) == []
    assert p.activated_date == dt.date(2024, 6, 1)


@pytest.mark.parametrize("statuses, done", [
    ([("NEW", "COMPLETE")], True),
    ([("NEW", "COMPLETE"), ("CONVERSION", "NEW")], False),
    ([("NEW", "COMPLETE"), ("CONVERSION", "CANCELED")], True),
    ([("NEW", "CANCELED"), ("CONVERSION", "CANCELED")], False),
    ([("NEW", "COMPLETE"), ("ADD_LINE", "NEW"), ("DISCONNECT", "ERROR")], True),
    ([("ADD_LINE", "COMPLETE")], False),
    ([], False),
])
def test_rule_activation_done(statuses, done):
    orders = [_order(i, status=s, order_type=t) for i, (t, s) in enumerate(statuses, 1)]
    assert rules.activation_done(orders) is done


def test_rule_open_if_activated_only_opens_a_pending_customer():
    orders = [_order(1, "COMPLETE"), _order(2, "CANCELED", "CONVERSION"),
              _order(3, "NEW", customer_id=99)]  # another customer's order does not count
    pending = Customer(id=3, status="PENDING")
    assert rules.open_if_activated(pending, orders) == [
        ("CUSTOMER", "Customer status changed from PENDING to OPEN: its activation orders "
                     "are complete")]
    assert pending.status == "OPEN"
    closed = Customer(id=3, status="CLOSED")
    assert rules.open_if_activated(closed, orders) == [] and closed.status == "CLOSED"
    waiting = Customer(id=3, status="PENDING")
    assert rules.open_if_activated(waiting, orders + [_order(4, "SENT")]) == []
    assert waiting.status == "PENDING"


# ------------------------------------------------------------------ concurrency


@pytest.fixture
def run_update(client, sessions):
    """Run Orders_Update's handler in a transaction of the caller's own (demo user)."""
    from openrev.contract.operations import Orders_UpdateRequest
    from openrev.ops.base import Caller, Context
    from openrev.ops.orders import orders_update
    from openrev.store.tables import User

    with sessions() as db:
        user = db.scalars(select(User).where(User.username == "demo")).one()
        caller = Caller(client_id=user.client_id, client_code="DEMO", user_id=user.id,
                        username="demo", permissions=frozenset(), session_key="test",
                        impersonated=False, tax_engine="SURETAX")

    def run(db, order_id: int, status: str) -> None:
        orders_update(Context(caller, db), Orders_UpdateRequest(OrderID=order_id,
                                                                Status=status))

    return run


def _while_first_holds(sessions, run_update, first: tuple[int, str], second: tuple[int, str]
                       ) -> list[BaseException]:
    """Run ``first`` in a transaction and, before it commits, ``second`` in another thread;
    the second must wait for the first. Returns what the second raised."""
    import threading

    failures: list[BaseException] = []

    def second_transaction() -> None:
        try:
            with sessions() as db, db.begin():
                run_update(db, *second)
        except Exception as exc:  # noqa: BLE001 - returned to the test
            failures.append(exc)

    with sessions() as db1:
        with db1.begin():
            run_update(db1, *first)
            thread = threading.Thread(target=second_transaction)
            thread.start()
            thread.join(timeout=1.0)
            assert thread.is_alive(), "the second update did not wait for the first"
        thread.join(timeout=30)
    assert not thread.is_alive()
    return failures


def test_two_activation_orders_completed_at_the_same_time_open_the_customer(
        client, sessions, run_update):
    """Each update locks its order, then the customer, before it counts the customer's
    activation orders: the second waits for the first and sees its COMPLETE."""
    customer, first, _ = new_customer(client)
    second = add_order(sessions, customer)
    assert _while_first_holds(sessions, run_update, (first, "COMPLETE"),
                              (second, "COMPLETE")) == []
    with sessions() as db:
        assert [db.get(Order, o).status for o in (first, second)] == ["COMPLETE", "COMPLETE"]
    assert customer_status(client, customer) == "OPEN"


def test_a_concurrent_update_sees_the_order_completed_first(client, sessions, run_update):
    """Completing and canceling one order at the same time: the second waits, then finds a
    COMPLETE order, which is final (no lost update)."""
    _, order, _ = new_customer(client)
    [failure] = _while_first_holds(sessions, run_update, (order, "COMPLETE"),
                                   (order, "CANCELED"))
    assert isinstance(failure, ApiError) and failure.code == "S2010", failure
    assert failure.message == (f"Status: order {order} is COMPLETE, which is final; it "
                               "cannot become CANCELED")
    with sessions() as db:
        assert db.get(Order, order).status == "COMPLETE"
