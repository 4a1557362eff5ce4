"""Lines_Update: the manual provisioning flow integrators use, every field and error code, over
JSON and as raw SOAP 1.1 / 1.2 bytes, and the rule functions of ``domain.lines``.

Lines are created through NewCustomers_Create (package 1003 on provider MANUAL: its orders
wait for Orders_Update). Numbers are ``77`` and the line's id, so that no two tests (or runs
of one test on the three bindings) share one.
"""

from __future__ import annotations

from typing import Any, Callable

import pytest
from lxml import etree
from sqlalchemy import select

from helpers import DEMO, OTHER, binding_call, error, from_xml, ok, result_of
from openrev.contract.errors import ApiError
from openrev.contract.operations import Lines_UpdateRequest, UpdatableInt, UpdatableString
from openrev.domain import lines as rules
from openrev.store.tables import (
    CustomerHistory, InventoryItem, InventoryType, Service, ServiceField, ServiceType,
)

ADDRESS = {"FirstName": "Lena", "LastName": "Line", "Address1": "101 N Palafox St",
           "City": "Pensacola", "State": "FL", "Zip": "32502"}
Call = Callable[[str, dict[str, Any]], dict[str, Any]]


def sign_up(call: Call) -> tuple[int, int, int]:
    """A manually provisioned sign-up as integrators send it: (customer, order, line)."""
    out = ok(call("NewCustomers_Create", {
        "Credentials": DEMO,
        "Customer": {"PhysicalAddress": ADDRESS, "MailingAddress": ADDRESS},
        "Order": {"PackageID": 1003, "CarrierCode": "MANUAL"}}))
    assert out["Status"] == "PENDING"
    return out["Customer_ID"], out["Orders"][0], out["Lines"][0]


def tn_for(line: int) -> str:
    return f"77{line:08d}"


def pair(value: Any, updated: bool = True) -> dict[str, Any]:
    return {"Updated": updated, "Value": value}


def lines_update(call: Call, line: int | None, creds: dict[str, str] = DEMO,
                 **fields: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"Credentials": creds}
    if line is not None:
        body["Line_ID"] = line
    return call("Lines_Update", {**body, **fields})


def customer(call: Call, **by: Any) -> dict[str, Any]:
    return ok(call("Customers_Query", {"Credentials": DEMO, **by}))["Customer"]


# ------------------------------------------------------------------ the manual flow


def test_the_manual_provisioning_flow(call):
    """NewCustomers_Create (MANUAL) -> Lines_Update Number -> Orders_Update COMPLETE ->
    Customers_Query by that TN finds the customer OPEN with the service ACTIVE on it."""
    customer_id, order, line = sign_up(call)
    tn = tn_for(line)
    out = ok(lines_update(call, line, Number=pair(tn)))
    assert out["Line"] == {"ID": line, "CustomerID": customer_id, "Number": tn,
                           "Line_Type_Id": 2, "Status": "PENDING", "Fields": []}
    assert customer(call, TN=tn)["Status"] == "PENDING"
    o = ok(call("Orders_Update", {"Credentials": DEMO, "OrderID": order, "Status": "COMPLETE",
                                  "CompletionDate": "2024-07-01T00:00:00"}))["Order"]
    assert (o["Status"], o["TN"], o["CompletionDate"]) == ("COMPLETE", tn, "2024-07-01")
    found = customer(call, TN=tn)
    assert (found["ID"], found["Status"]) == (customer_id, "OPEN")
    [item] = found["Services"]
    assert (item["Service"]["ID"], item["Service"]["TN"]) == (line, tn)
    assert [(p["ProductID"], p["Status"], p["ActivatedDate"]) for p in item["Products"]] == [
        (2006, "ACTIVE", "2024-07-01")]


def test_the_originals_request_as_raw_soap12_bytes(client):
    """Every element of the original's Lines_Update, as a client generated from its WSDL
    sends it (SOAP 1.2, namespace http://api.myh2o.com/v20)."""
    customer_id, _, line = sign_up(binding_call(client, "json"))
    tn = tn_for(line)
    body = f"""<?xml version="1.0" encoding="utf-8"?>
<soap12:Envelope xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
    xmlns:soap12="http://www.w3.org/2003/05/soap-envelope">
  <soap12:Body>
    <Lines_Update xmlns="http://api.myh2o.com/v20">
      <Request>
        <Credentials><Username>demo</Username><Password>demo</Password><Client>DEMO</Client>
        </Credentials>
        <Debug>false</Debug>
        <Line_ID>{line}</Line_ID>
        <Number><Updated>true</Updated><Value>{tn}</Value></Number>
        <Circuit_Number><Updated>true</Updated><Value>CKT-42</Value></Circuit_Number>
        <Carrier_Customer_Id><Updated>true</Updated><Value>ACME-9</Value></Carrier_Customer_Id>
        <Description><Updated>false</Updated><Value>not written</Value></Description>
        <Program_ID><Updated>true</Updated><Value>5</Value></Program_ID>
        <Line_Type_Id><Updated>1</Updated><Value>1</Value></Line_Type_Id>
        <Fields>
          <Field><Label>Port Status</Label>
            <Value><Updated>true</Updated><Value>Pending</Value></Value></Field>
          <Field><Label>Ignored</Label>
            <Value><Updated>false</Updated><Value>x</Value></Value></Field>
        </Fields>
      </Request>
    </Lines_Update>
  </soap12:Body>
</soap12:Envelope>""".encode()
    r = client.post("/v20/default.asmx", content=body, headers={
        "Content-Type": 'application/soap+xml; charset=utf-8; '
                        'action="http://api.myh2o.com/v20/Lines_Update"'})
    assert r.status_code == 200, r.text
    res = result_of(r.content, "Lines_Update")
    assert etree.QName(res).namespace == "http://api.myh2o.com/v20"
    assert [etree.QName(c).localname for c in res] == ["Header", "Line"]
    assert [etree.QName(c).localname for c in res.find("{*}Line/{*}Fields")] == ["Field"]
    out = ok(from_xml(res))
    assert out["Line"] == {
        "ID": line, "CustomerID": customer_id, "Number": tn, "Circuit_Number": "CKT-42",
        "Carrier_Customer_Id": "ACME-9", "Program_ID": 5, "Line_Type_Id": 1,
        "Status": "PENDING", "Fields": [{"Label": "Port Status", "Value": "Pending"}]}


# ------------------------------------------------------------------ each field


def test_every_field_and_what_updated_false_leaves(call, client, sessions):
    customer_id, _, line = sign_up(call)
    ok(lines_update(call, line, Circuit_Number=pair("C-1"), Carrier_Customer_Id=pair("K-1"),
                    Description=pair(" Front office "), Program_ID=pair(3),
                    Line_Type_Id=pair(1),
                    Fields=[{"Label": "Color", "Value": pair("red")},
                            {"Label": "Floor", "Value": pair("2")}]))
    out = ok(lines_update(call, line, Circuit_Number=pair("C-2", False),
                          Carrier_Customer_Id={"Value": "K-2"},  # Updated absent
                          Description=pair("ignored", False), Program_ID=pair(4, False),
                          Line_Type_Id={"Updated": False},
                          Fields=[{"Label": "COLOR", "Value": pair("blue")},
                                  {"Label": "floor", "Value": pair("3", False)}]))
    assert out["Line"] == {
        "ID": line, "CustomerID": customer_id, "Circuit_Number": "C-1",
        "Carrier_Customer_Id": "K-1", "Description": "Front office", "Program_ID": 3,
        "Line_Type_Id": 1, "Status": "PENDING",
        "Fields": [{"Label": "Color", "Value": "blue"}, {"Label": "Floor", "Value": "2"}]}
    [item] = customer(call, CustomerID=customer_id)["Services"]
    assert (item["Service"]["Type"], item["Service"]["ProgramID"]) == ("Wireless", 3)
    with sessions() as db:
        notes = [h.note for h in db.scalars(select(CustomerHistory).where(
            CustomerHistory.customer_id == customer_id, CustomerHistory.category == "SERVICE")
            .order_by(CustomerHistory.id))]
    assert notes == [
        f"Line {line} updated: Circuit_Number 'C-1'; Carrier_Customer_Id 'K-1'; "
        "Description 'Front office'; Program_ID 3; Line_Type_Id 1 (Wireless); "
        "Field 'Color' = 'red'; Field 'Floor' = '2'",
        f"Line {line} updated: Field 'COLOR' = 'blue'"]


def test_an_empty_value_clears_a_field(call):
    _, _, line = sign_up(call)
    ok(lines_update(call, line, Circuit_Number=pair("C-1"), Description=pair("Desk"),
                    Fields=[{"Label": "Color", "Value": pair("red")}]))
    out = ok(lines_update(call, line, Circuit_Number=pair(""), Description=pair("   "),
                          Program_ID=pair(0), Fields=[{"Label": "color", "Value": pair("")}]))
    line_out = out["Line"]
    assert ("Circuit_Number" in line_out, "Description" in line_out, line_out["Program_ID"],
            line_out["Fields"]) == (False, False, 0, [{"Label": "Color"}])


def test_a_request_that_updates_nothing_answers_the_line(call, client, sessions):
    customer_id, _, line = sign_up(call)
    with sessions() as db:
        before = db.scalar(select(CustomerHistory.id).where(
            CustomerHistory.customer_id == customer_id).order_by(CustomerHistory.id.desc()))
    out = ok(lines_update(call, line, Number=pair("1", False)))
    assert (out["Line"]["ID"], "Number" in out["Line"]) == (line, False)
    with sessions() as db:
        after = db.scalar(select(CustomerHistory.id).where(
            CustomerHistory.customer_id == customer_id).order_by(CustomerHistory.id.desc()))
    assert after == before


def test_number_rules(call, sessions):
    customer_id, _, line = sign_up(call)
    _, _, other_line = sign_up(call)
    tn = tn_for(line)
    ok(lines_update(call, other_line, Number=pair(tn_for(other_line))))
    error(lines_update(call, line, Number=pair(tn_for(other_line))), "S2010",
          f"Number/Value: {tn_for(other_line)} is in use on service {other_line}")
    error(lines_update(call, line, Number=pair("8505550100")), "S2010",
          "Number/Value: 8505550100 is in use on service 1")
    # OTHER's live number is no conflict for DEMO; neither is a DISCONNECTED line's number
    assert ok(lines_update(call, line, Number=pair("2125550100")))["Line"]["Number"] == \
        "2125550100"
    with sessions() as db, db.begin():
        db.get(Service, other_line).status = "DISCONNECTED"
    assert ok(lines_update(call, line, Number=pair(tn_for(other_line))))["Line"]["Number"] \
        == tn_for(other_line)
    # the line's own number again is no change
    out = ok(lines_update(call, line, Number=pair(f" {tn} ")))
    assert out["Line"]["Number"] == tn
    assert ok(lines_update(call, line, Number=pair(tn)))["Line"]["Number"] == tn
    with sessions() as db:
        notes = [h.note for h in db.scalars(select(CustomerHistory).where(
            CustomerHistory.customer_id == customer_id, CustomerHistory.category == "SERVICE")
            .order_by(CustomerHistory.id))]
    assert notes == [f"Line {line} number changed from none to 2125550100",
                     f"Line {line} number changed from 2125550100 to {tn_for(other_line)}",
                     f"Line {line} number changed from {tn_for(other_line)} to {tn}"]


# ------------------------------------------------------------------ errors


def test_input_rules(call):
    _, _, line = sign_up(call)
    error(lines_update(call, None, Number=pair("8505550199")), "S2010", "Line_ID: required")
    error(lines_update(call, line, Number=pair("850-555-0199")), "S2010",
          "Number/Value: must be 10 digits")
    error(lines_update(call, line, Number=pair("")), "S2010",
          "Number/Value: must be 10 digits")
    error(lines_update(call, line, Number={"Updated": True}), "S2010",
          "Number/Value: required when Updated is true")
    error(lines_update(call, line, Program_ID=pair(-1)), "S2010",
          "Program_ID/Value: must be 0 or more")
    error(lines_update(call, line, Program_ID=pair("two")), "S2010",
          "Program_ID/Value: must be a whole number")
    error(lines_update(call, line, Number=pair("yes", "maybe")), "S2010",
          "Number/Updated: must be true, false, 1 or 0")
    error(lines_update(call, line, Description=pair("x" * 201)), "S2010",
          "Description/Value: at most 200 characters")
    error(lines_update(call, line, Circuit_Number=pair("x" * 101)), "S2010",
          "Circuit_Number/Value: at most 100 characters")
    error(lines_update(call, line, Fields=[{"Value": pair("x")}]), "S2010",
          "Fields/Field[1]/Label: required")
    error(lines_update(call, line, Fields=[{"Label": "A", "Value": pair("x")},
                                           {"Label": " a ", "Value": pair("y")}]), "S2010",
          "Fields/Field[2]/Label: 'a' is given twice")
    error(lines_update(call, line, Fields=[{"Label": "A", "Value": {"Updated": True}}]),
          "S2010", "Fields/Field[1]/Value/Value: required when Updated is true")
    # every problem in one message
    error(lines_update(call, None, Number=pair("1"), Program_ID=pair(-2)), "S2010",
          "Line_ID: required; Number/Value: must be 10 digits; "
          "Program_ID/Value: must be 0 or more")


def test_unknown_or_other_clients_line_is_l2024(call):
    out = lines_update(call, 999999, Description=pair("x"))
    error(out, "L2024", "Line_ID: 999999 does not exist")
    assert out["Header"]["Error_Description"] == "Services does not exist."
    error(lines_update(call, 2, Description=pair("x")), "L2024",  # OTHER's line
          "Line_ID: 2 does not exist")
    error(lines_update(call, 1, OTHER, Description=pair("x")), "L2024",  # DEMO's line
          "Line_ID: 1 does not exist")


def test_unknown_or_other_clients_line_type_is_lt2001(call):
    _, _, line = sign_up(call)
    out = lines_update(call, line, Line_Type_Id=pair(999))
    error(out, "LT2001", "Line_Type_Id/Value: 999 does not exist")
    assert out["Header"]["Error_Description"] == "Service type does not exist."
    error(lines_update(call, line, Line_Type_Id=pair(3)), "LT2001",  # OTHER's type
          "Line_Type_Id/Value: 3 does not exist")


def test_order_of_checks_and_nothing_written_on_failure(call):
    _, _, line = sign_up(call)
    # input before existence
    error(lines_update(call, 999999, Number=pair("1")), "S2010",
          "Number/Value: must be 10 digits")
    # existence (the line, then the type) before state (the number in use)
    error(lines_update(call, 999999, Number=pair("8505550100"), Line_Type_Id=pair(999)),
          "L2024", "Line_ID: 999999 does not exist")
    error(lines_update(call, line, Number=pair("8505550100"), Line_Type_Id=pair(999)),
          "LT2001", "Line_Type_Id/Value: 999 does not exist")
    error(lines_update(call, line, Number=pair("8505550100"), Description=pair("x"),
                       Fields=[{"Label": "Color", "Value": pair("red")}]), "S2010",
          "Number/Value: 8505550100 is in use on service 1")
    out = ok(lines_update(call, line))
    assert ("Description" in out["Line"], out["Line"]["Fields"]) == (False, [])


# ------------------------------------------------------------------ domain rules


def _request(**pairs: Any) -> Lines_UpdateRequest:
    return Lines_UpdateRequest(Line_ID=7, **pairs)


def test_rule_read_request_keeps_only_updated_pairs():
    changes = rules.read_request(_request(
        Number=UpdatableString(Updated=True, Value=" 8505550199 "),
        Description=UpdatableString(Updated=False, Value="no"),
        Circuit_Number=UpdatableString(Value="no"),
        Program_ID=UpdatableInt(Updated=True, Value=0)))
    assert (changes.values, changes.fields, bool(changes)) == (
        {"Number": "8505550199", "Program_ID": 0}, [], True)
    assert not rules.read_request(_request())
    with pytest.raises(ApiError) as err:
        rules.read_request(Lines_UpdateRequest())
    assert (err.value.code, err.value.message) == ("S2010", "Line_ID: required")


def test_rule_set_number_gives_an_assigned_device_without_mdn_the_number():
    device = InventoryType(kind="Mobile_Device")
    sim = InventoryType(kind="SIM_Card")
    bare = InventoryItem(inventory_type=device, mdn=None)
    batched = InventoryItem(inventory_type=device, mdn="8505550103")
    card = InventoryItem(inventory_type=sim, mdn=None)
    service = Service(id=9, tn=None, inventory_items=[bare, batched, card])
    assert rules.set_number(service, "8505550199") == [
        ("SERVICE", "Line 9 number changed from none to 8505550199")]
    assert (service.tn, bare.mdn, batched.mdn, card.mdn) == (
        "8505550199", "8505550199", "8505550103", None)
    assert rules.set_number(service, "8505550199") == []


def test_rule_apply_line_type_sets_the_type_text():
    service = Service(id=9, service_type_id=2, type="Voice", program_id=None)
    changes = rules.LineChanges(values={"Line_Type_Id": 1, "Program_ID": 2})
    notes = rules.apply(service, changes, ServiceType(id=1, description="Wireless"))
    assert (service.service_type_id, service.type, service.program_id) == (1, "Wireless", 2)
    assert notes == [("SERVICE", "Line 9 updated: Line_Type_Id 1 (Wireless); Program_ID 2")]


def test_rule_check_number_free():
    live = Service(id=4, status="ACTIVE")
    gone = Service(id=5, status="DISCONNECTED")
    rules.check_number_free("Number/Value", "8505550199", 4, [live, gone])
    with pytest.raises(ApiError) as err:
        rules.check_number_free("Number/Value", "8505550199", 6, [gone, live])
    assert err.value.message == "Number/Value: 8505550199 is in use on service 4"


def test_service_fields_are_stored_per_line(call, sessions):
    _, _, line = sign_up(call)
    ok(lines_update(call, line, Fields=[{"Label": "Color", "Value": pair("red")}]))
    ok(lines_update(call, line, Fields=[{"Label": "cOLOR", "Value": pair("green")}]))
    with sessions() as db:
        rows = [(f.label, f.value) for f in db.scalars(
            select(ServiceField).where(ServiceField.service_id == line))]
    assert rows == [("Color", "green")]
    _, _, other = sign_up(call)
    with sessions() as db:
        assert db.scalars(select(ServiceField).where(ServiceField.service_id == other)).all() \
            == []
