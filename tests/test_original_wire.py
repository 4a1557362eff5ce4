"""The original service's wire (ORIGINAL-WIRE.md): namespace and SOAPAction, Header order,
Sessions_CreateResult/SessionKey, list item names, the spellings real clients send, and the
NewCustomers_Create rules the audit found wrong (a ported number already in use; existence
codes before state codes). Over JSON, SOAP 1.1 and SOAP 1.2 as bytes, and zeep.
"""

from __future__ import annotations

import itertools
import re
from decimal import Decimal
from typing import Any, Callable

import pytest
import zeep
from lxml import etree

from helpers import (
    DEMO, OTHER, SOAP11, SOAP12, child_text, creds_xml, post_soap, result_of,
    session_xml,
)

XS = "http://www.w3.org/2001/XMLSchema"
WSDL_NS = "http://schemas.xmlsoap.org/wsdl/"
HEADER_ORDER = ["Success", "Message", "SessionKey", "Impersonated", "Error_Code",
                "Error_Description"]
ADDRESS = {"FirstName": "Wanda", "LastName": "Wire", "Address1": "101 N Palafox St",
           "City": "Pensacola", "State": "FL", "Zip": "32502"}
Call = Callable[[str, dict[str, Any]], dict[str, Any]]


# ------------------------------------------------------------------ helpers (``call`` is conftest's)


def error(out: dict[str, Any], code: str, message: str) -> None:
    h = out["Header"]
    assert (h["Success"], h.get("Error_Code"), h.get("Message")) == (False, code, message), h


def create(call: Call, **order: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"Credentials": DEMO,
                            "Customer": {"PhysicalAddress": ADDRESS, "MailingAddress": ADDRESS}}
    if order:
        body["Order"] = order
    return call("NewCustomers_Create", body)


# ------------------------------------------------------------------ WSDL


@pytest.fixture(scope="module")
def wsdl_doc(client) -> etree._Element:
    r = client.get("/v20/default.asmx?WSDL")
    assert r.status_code == 200
    return etree.fromstring(r.content)


def test_wsdl_namespace_and_soap_actions_are_the_originals(wsdl_doc):
    assert wsdl_doc.get("targetNamespace") == "http://api.myh2o.com/v20"
    schema = wsdl_doc.find(f"{{{WSDL_NS}}}types/{{{XS}}}schema")
    assert schema.get("targetNamespace") == "http://api.myh2o.com/v20"
    actions = {op.getparent().get("name"): op.get("soapAction")
               for op in wsdl_doc.iter("{*}operation") if op.get("soapAction")}
    assert actions["Duplicate_Query"] == "http://api.myh2o.com/v20/Duplicate_Query"
    assert actions["Sessions_Create"] == "http://api.myh2o.com/v20/Sessions_Create"
    assert all(a == f"http://api.myh2o.com/v20/{name}" for name, a in actions.items())


def _sequence(wsdl_doc, type_name: str) -> list[str]:
    ct = wsdl_doc.find(f".//{{{XS}}}complexType[@name='{type_name}']")
    assert ct is not None, type_name
    return [e.get("name") for e in ct.find(f"{{{XS}}}sequence")]


def test_wsdl_header_is_in_the_originals_order(wsdl_doc):
    assert _sequence(wsdl_doc, "Header") == HEADER_ORDER


def test_wsdl_declares_the_spellings_real_clients_send(wsdl_doc):
    billing = _sequence(wsdl_doc, "Billing")
    assert billing == ["Balance", "Due", "Overdue", "OverDue", "UnbilledUsage",
                       "EnabledBalanceLimit", "EnableBalanceLimit", "UsageBalanceLimit",
                       "PaymentTerms", "PaymentTermsOverride"]
    assert "ParentCustomerID" in _sequence(wsdl_doc, "NewCustomer")
    assert {"TN", "MailingAddress"} <= set(_sequence(wsdl_doc, "NewOrder"))
    assert _sequence(wsdl_doc, "Sessions_CreateResult")[:2] == ["Header", "SessionKey"]
    assert _sequence(wsdl_doc, "Duplicate_QueryRequest")[3:] == [
        "FirstName", "LastName", "MiddleName", "Suffix", "SSNTaxId", "SSNTaxIdLast4",
        "DateOfBirth", "DriversLicenseNumber", "Street1", "Street2", "City", "State", "Zip",
        "OptionIgnoreClosed", "OptionMatchPatterns", "OptionBillProfileIDs",
        "OptionLifelinePrograms", "Options"]


def test_wsdl_lists_of_primitives_hold_string_and_int_items(wsdl_doc):
    def item(array: str) -> tuple[str, str]:
        el = wsdl_doc.find(f".//{{{XS}}}complexType[@name='{array}']/{{{XS}}}sequence/"
                           f"{{{XS}}}element")
        return el.get("name"), el.get("type")

    assert item("ArrayOfString") == ("string", "s:string")
    assert item("ArrayOfInt") == ("int", "s:int")
    customer = wsdl_doc.find(f".//{{{XS}}}complexType[@name='NewCustomer']")
    tax = [e for e in customer.iter(f"{{{XS}}}element") if e.get("name") == "TaxExemptions"]
    assert tax[0].get("type") == "tns:ArrayOfString"


# ------------------------------------------------------------------ Header and SessionKey


@pytest.mark.parametrize("version", [11, 12])
def test_header_elements_come_in_the_originals_order(client, version):
    key = client.post("/v20/json/Sessions_Create",
                      json={"Credentials": DEMO}).json()["Header"]["SessionKey"]
    r = post_soap(client, "Customers_Query",
                  session_xml(key) + "<r:CustomerID>999999</r:CustomerID>", version=version)
    header = result_of(r.content, "Customers_Query")[0]
    assert etree.QName(header).localname == "Header"
    assert [etree.QName(c).localname for c in header] == HEADER_ORDER
    assert [c.text for c in header] == [
        "false", "CustomerID: 999999 does not exist", key, "false", "C2002",
        "Customer ID does not exist."]
    # and the bytes themselves, as a strict proxy reads them
    text = r.content.decode()
    positions = [text.index(f"<{name}>") for name in HEADER_ORDER]
    assert positions == sorted(positions)


def test_sessions_create_result_carries_the_key_twice(call):
    out = call("Sessions_Create", {"Credentials": DEMO})
    assert out["Header"]["Success"] is True
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", out["SessionKey"])
    assert out["SessionKey"] == out["Header"]["SessionKey"]
    # and a wrong password gives neither
    out = call("Sessions_Create", {"Credentials": dict(DEMO, Password="nope")})
    error(out, "S2005", "Credentials: unknown Username, Password or Client")
    assert "SessionKey" not in out and "SessionKey" not in out["Header"]


@pytest.mark.parametrize("version", [11, 12])
def test_answers_are_in_the_original_namespace(client, version):
    r = post_soap(client, "Sessions_Create", creds_xml(DEMO), version=version)
    res = result_of(r.content, "Sessions_Create")
    assert res.tag == "{http://api.myh2o.com/v20}Sessions_CreateResult"
    env = SOAP12 if version == 12 else SOAP11
    assert etree.fromstring(r.content).tag == f"{{{env}}}Envelope"
    assert child_text(res, "SessionKey") == child_text(res, "Header/SessionKey")


def test_zeep_reads_the_header_in_the_originals_order(service):
    key = service.Sessions_Create(Request={"Credentials": DEMO})
    assert key.SessionKey and key.SessionKey == key.Header.SessionKey
    res = service.Customers_Query(Request={"Session": {"SessionKey": key.SessionKey},
                                           "CustomerID": 999999})
    h = res.Header
    assert (h.Success, h.Message, h.SessionKey, h.Impersonated, h.Error_Code,
            h.Error_Description) == (False, "CustomerID: 999999 does not exist",
                                     key.SessionKey, False, "C2002",
                                     "Customer ID does not exist.")


def test_zeep_sends_the_declared_original_spellings(service):
    res = service.NewCustomers_Create(Request={
        "Credentials": DEMO,
        "Customer": {"PhysicalAddress": ADDRESS, "MailingAddress": ADDRESS,
                     "Billing": {"OverDue": "4.50", "EnableBalanceLimit": True}}})
    assert res.Header.Success is True, res.Header
    q = service.Customers_Query(Request={"Credentials": DEMO, "CustomerID": res.Customer_ID})
    assert q.Customer.Billing.Overdue == Decimal("4.50")
    assert q.Customer.Billing.EnabledBalanceLimit is True


# ------------------------------------------------------------------ spellings, over the wire


def test_billing_overdue_and_enablebalancelimit_spellings(call):
    out = call("NewCustomers_Create", {
        "Credentials": DEMO,
        "Customer": {"PhysicalAddress": ADDRESS, "MailingAddress": ADDRESS,
                     "Billing": {"OverDue": "12.30", "EnableBalanceLimit": True,
                                 "PaymentTerms": 10}}})
    assert out["Header"]["Success"] is True, out
    got = call("Customers_Query", {"Credentials": DEMO, "CustomerID": out["Customer_ID"]})
    billing = got["Customer"]["Billing"]
    assert (Decimal(str(billing["Overdue"])), billing["EnabledBalanceLimit"],
            str(billing["PaymentTerms"])) == (Decimal("12.30"), True, "10")
    assert "OverDue" not in billing and "EnableBalanceLimit" not in billing


def test_tax_exemptions_are_written_as_string_items(client):
    out = client.post("/v20/json/NewCustomers_Create", json={
        "Credentials": DEMO, "Customer": {"PhysicalAddress": ADDRESS, "MailingAddress": ADDRESS,
                                          "TaxExemptions": ["FET", "State"]}}).json()
    r = post_soap(client, "Customers_Query", creds_xml(DEMO)
                  + f"<r:CustomerID>{out['Customer_ID']}</r:CustomerID>")
    assert ("<TaxExemptions><string>FET</string><string>State</string></TaxExemptions>"
            in r.content.decode())


# ------------------------------------------------------------------ Order/TN, ParentCustomerID


_numbers = itertools.count(8505551210)


def test_order_tn_is_the_services_number(call, client):
    tn = str(next(_numbers))
    out = create(call, PackageID=1003, TN=tn)
    assert out["Header"]["Success"] is True, out
    got = call("Customers_Query", {"Credentials": DEMO, "TN": tn})
    assert str(got["Customer"]["ID"]) == str(out["Customer_ID"])
    # a number already live on a service of the client is refused, whichever element names it
    error(create(call, PackageID=1003, TN="8505550100"), "S2010",
          "Order/TN: 8505550100 is in use on service 1")
    error(create(call, PackageID=1003, ReconnectTN="8505550100"), "S2010",
          "Order/ReconnectTN: 8505550100 is in use on service 1")


def test_order_tn_empty_is_no_number_and_rules(call):
    out = create(call, PackageID=1003, TN="")
    assert out["Header"]["Success"] is True, out
    got = call("Customers_Query", {"Credentials": DEMO, "CustomerID": out["Customer_ID"]})
    services = got["Customer"]["Services"]
    service = services[0] if isinstance(services, list) else services["ServiceItem"]
    assert "TN" not in service["Service"]
    error(create(call, PackageID=1003, TN="85055"), "S2010", "Order/TN: must be 10 digits")
    error(create(call, PackageID=1003, TN="8505551202", ReconnectTN="8505551203"), "S2010",
          "Order/TN: cannot be used with ReconnectTN")


def test_order_mailing_address_is_accepted_and_ignored(call):
    out = create(call, PackageID=1003, MailingAddress={"FirstName": "X"})
    assert out["Header"]["Success"] is True, out


def test_parent_customer_id_zero_names_no_parent(call):
    out = call("NewCustomers_Create", {
        "Credentials": DEMO,
        "Customer": {"ParentCustomerID": 0, "PhysicalAddress": ADDRESS,
                     "MailingAddress": ADDRESS}})
    assert out["Header"]["Success"] is True, out
    got = call("Customers_Query", {"Credentials": DEMO, "CustomerID": out["Customer_ID"]})
    assert "ParentAccountID" not in got["Customer"]


# ------------------------------------------------------------------ the audit's two wrong answers


def test_port_in_of_a_number_already_live_is_refused(call):
    port = {"MDN": "8505550100", "Address": ADDRESS}
    error(create(call, PackageID=1001, WirelessPort=port), "S2010",
          "Order/WirelessPort/MDN: 8505550100 is in use on service 1")
    # and so Customers_Query by that TN still finds the demo customer
    got = call("Customers_Query", {"Credentials": DEMO, "TN": "8505550100"})
    assert str(got["Customer"]["ID"]) == "1"
    # a number another client serves is not "in use" here (tenancy)
    tn = str(next(_numbers))
    theirs = call("NewCustomers_Create", {
        "Credentials": OTHER, "Customer": {"PhysicalAddress": ADDRESS, "MailingAddress": ADDRESS},
        "Order": {"PackageID": 1101, "TN": tn}})
    assert theirs["Header"]["Success"] is True, theirs
    out = create(call, PackageID=1001, WirelessPort=dict(port, MDN=tn))
    assert out["Header"]["Success"] is True, out
    assert str(call("Customers_Query", {"Credentials": OTHER, "TN": tn})["Customer"]["ID"]) == \
        str(theirs["Customer_ID"])
    assert str(call("Customers_Query", {"Credentials": DEMO, "TN": tn})["Customer"]["ID"]) == \
        str(out["Customer_ID"])


def test_existence_codes_come_before_state_codes(call):
    body = {"Credentials": DEMO,
            "Customer": {"ParentCustomerID": 1, "PhysicalAddress": ADDRESS,
                         "MailingAddress": ADDRESS}}
    # customer 1 exists but is not a parent account (a state): C2008 alone ...
    error(call("NewCustomers_Create", body), "C2008",
          "Customer/ParentCustomerID: customer 1 is not a parent account")
    # ... but a missing package (existence) wins over it
    error(call("NewCustomers_Create", dict(body, Order={"PackageID": 999999})), "PK2013",
          "Order/PackageID: 999999 does not exist")
    # and an unknown device (existence) over a number in use (state)
    error(create(call, PackageID=1001, ReconnectTN="8505550100",
                 WirelessESN="999999999999999"), "I2019",
          "Order/WirelessESN: no inventory item 999999999999999")
    # and an unknown product over an UNAVAILABLE device
    error(create(call, PackageID=1001, WirelessESN="356938035643809",
                 AdditionalProducts=[{"ProductID": 999999}]
                 ), "PR2023", "Order/AdditionalProducts/Product[1]/ProductID: 999999 does not exist")


def test_zeep_sends_requests_in_the_original_namespace(live_url):
    client = zeep.Client(f"{live_url}/v20/default.asmx?WSDL")
    message = client.create_message(client.service, "Sessions_Create",
                                    Request={"Credentials": DEMO})
    body = message.find("{*}Body")[0]
    assert body.tag == "{http://api.myh2o.com/v20}Sessions_Create"
    operation = client.service._binding._operations["Sessions_Create"]
    assert operation.soapaction == "http://api.myh2o.com/v20/Sessions_Create"
