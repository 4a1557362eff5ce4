"""Customers_Query: by CustomerID, by TN or by Inventory; the whole documented output; C2002
when nothing matches (a customer of another client does not exist); and a property: a
customer created with every optional field reads back field for field.
"""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session

from helpers import (
    CLERK, DEMO, OTHER, TNS, call_json, child_text, creds_xml, post_soap, result_of,
)
from test_new_customers import (
    Stock, create, cust, err, items, jcall, ok, query, unique_tn,
)
from openrev.domain.customer_rules import allowed_tax_exemptions
from openrev.domain.devices import meid_decimal
from openrev.store.tables import InventoryItem, InventoryItemField

OP = "Customers_Query"


@pytest.fixture(scope="module")
def stock(app) -> Stock:
    return Stock(app)


@pytest.fixture(scope="module")
def key(client) -> str:
    """A demo session: the property test saves a password check per call."""
    return ok(jcall(client, "Sessions_Create", {"Credentials": DEMO}))["Header"]["SessionKey"]


@pytest.fixture(scope="module")
def parent_id(client) -> int:
    return ok(create(client, cust(IsParentAccount=True, AcctNum="QPARENT")))["Customer_ID"]


# ------------------------------------------------------------------------------ the demo customer

DEMO_CUSTOMER = {
    "ID": 1, "AcctNum": "DEMO-0001", "Status": "OPEN", "AgentID": 1, "AgentNumber": 5001,
    "BIllProfileID": 1, "CustomerClass": "Residential", "BillMethod": "EMAIL_ONLY",
    "IsParentAccount": False, "ContractStart": "2024-01-02", "SecurityPIN": "1234",
    "Language": "English",
    "PhysicalAddress": {"ID": 1, "FirstName": "Jane", "LastName": "Sample",
                        "Address1": "101 N Palafox St", "City": "Pensacola", "State": "FL",
                        "Zip": "32502", "Country": "USA"},
    "MailingAddress": {"ID": 2, "FirstName": "Jane", "LastName": "Sample",
                       "Address1": "101 N Palafox St", "City": "Pensacola", "State": "FL",
                       "Zip": "32502", "Country": "USA"},
    "Billing": {"Balance": Decimal("0.00"), "Due": Decimal("0.00"), "Overdue": Decimal("0.00"),
                "UnbilledUsage": Decimal("0.00"), "EnabledBalanceLimit": False,
                "UsageBalanceLimit": Decimal("0.00"), "PaymentTerms": 30,
                "PaymentTermsOverride": False},
    "DOB": "1980-05-15", "DL": "S530123801550", "SSN": "123456789",
    "Email": "jane.sample@example.com", "Source": "openrev demo", "IsAutoDebit": False,
    "AutoDebitDay": 0, "TaxExemptions": [], "Fields": [],
    "Services": [{
        "Service": {"ID": 1, "Type": "Wireless", "TN": "8505550100", "CarrierID": 10,
                    "CarrierDescription": "Demo Wireless", "PackageID": 1001,
                    "PackageDescription": "Wireless Unlimited"},
        "Products": [
            {"ID": 1, "ProductID": 2001, "CarrierID": 10, "CarrierDescription": "Demo Wireless",
             "Status": "ACTIVE", "Description": "Unlimited Talk & Text",
             "Rate": Decimal("25.00"), "Code1": "UNLTT", "ActivatedDate": "2024-01-02",
             "Quantity": 1},
            {"ID": 2, "ProductID": 2002, "CarrierID": 10, "CarrierDescription": "Demo Wireless",
             "Status": "ACTIVE", "Description": "5GB Data", "Rate": Decimal("15.00"),
             "Code1": "DATA5GB", "ActivatedDate": "2024-01-02", "Quantity": 1},
            {"ID": 3, "ProductID": 2003, "CarrierID": 10, "CarrierDescription": "Demo Wireless",
             "Status": "ACTIVE", "Description": "Activation Fee", "Rate": Decimal("35.00"),
             "ActivatedDate": "2024-01-02", "Quantity": 1},
        ],
        "Inventory": [],
    }],
    "Created_Date": "2024-01-02T15:00:00+00:00",
}


def test_by_customer_id_the_whole_documented_output(client):
    got = ok(query(client, CustomerID=1))["Customer"]
    assert got == DEMO_CUSTOMER


def test_by_tn(client):
    assert ok(query(client, TN="8505550100"))["Customer"] == DEMO_CUSTOMER
    assert ok(query(client, TN=" 8505550100 "))["Customer"]["ID"] == 1


@pytest.mark.parametrize("version", [11, 12])
def test_soap_by_tn(client, version):
    r = post_soap(client, OP, creds_xml(DEMO) + "<r:TN>8505550100</r:TN>", version=version)
    res = result_of(r.content, OP)
    assert res.tag == f"{{{TNS}}}{OP}Result"
    assert child_text(res, "Header/Success") == "true"
    assert child_text(res, "Customer/ID") == "1"
    assert child_text(res, "Customer/BIllProfileID") == "1"
    assert child_text(res, "Customer/PhysicalAddress/City") == "Pensacola"
    assert child_text(res, "Customer/Billing/Balance") == "0.00"
    assert child_text(res, "Customer/DOB") == "1980-05-15"
    [svc] = items(res, "Customer/Services")
    assert svc.tag == f"{{{TNS}}}ServiceItem"
    assert child_text(svc, "Service/TN") == "8505550100"
    products = items(svc, "Products")
    assert [p.tag for p in products] == [f"{{{TNS}}}Product"] * 3
    assert [child_text(p, "Rate") for p in products] == ["25.00", "15.00", "35.00"]
    assert child_text(svc, "Inventory") is None or items(svc, "Inventory") == []


def test_the_other_client_sees_its_own_customer(client):
    got = ok(query(client, creds=OTHER, TN="2125550100"))["Customer"]
    assert got["ID"] == 2 and got["AcctNum"] == "OTHER-0001"
    assert got["PhysicalAddress"]["City"] == "New York"
    assert got["Services"][0]["Service"]["CarrierDescription"] == "Other Wireless"
    assert ok(query(client, creds=OTHER, CustomerID=2))["Customer"]["ID"] == 2


def test_an_id_beyond_xs_int_is_s2010(client):
    out = call_json(client, "Customers_Query", {"Credentials": DEMO, "CustomerID": 2**40})
    assert out["Header"]["Error_Code"] == "S2010"
    assert out["Header"]["Message"] == "CustomerID: must be at most 2147483647"


@pytest.mark.parametrize("creds,kw,fragment", [
    (DEMO, {"CustomerID": 2}, "CustomerID: 2 does not exist"),  # OTHER's customer
    (DEMO, {"CustomerID": 987654}, "CustomerID: 987654 does not exist"),
    (DEMO, {"CustomerID": 0}, "CustomerID: 0 does not exist"),
    (DEMO, {"TN": "2125550100"}, "TN: no customer has a service on 2125550100"),  # OTHER's
    (DEMO, {"TN": "5555555555"}, "TN: no customer has a service on 5555555555"),
    (OTHER, {"CustomerID": 1}, "CustomerID: 1 does not exist"),
    (OTHER, {"TN": "8505550100"}, "8505550100"),
    (DEMO, {"Inventory": {"Identifier": "356938035643809"}},
     "Inventory/Identifier: no customer has the Mobile_Device 356938035643809"),
    (DEMO, {"Inventory": {"Identifier": "nothing-like-it", "Type": "SIM_Card"}},
     "no customer has the SIM_Card nothing-like-it"),
])
def test_nothing_matches_is_c2002(client, creds, kw, fragment):
    err(query(client, creds=creds, **kw), "C2002", fragment)


@pytest.mark.parametrize("kw,fragment", [
    ({}, "CustomerID, TN or Inventory/Identifier: one is required"),
    ({"TN": "   "}, "one is required"),
    ({"Inventory": {"Type": "SIM_Card"}}, "one is required"),
    ({"CustomerID": 1, "TN": "8505550100"}, "CustomerID, TN: give only one of them"),
    ({"TN": "8505550100", "Inventory": {"Identifier": "x"}}, "TN, Inventory: give only one"),
    ({"Inventory": {"Identifier": "x", "Type": "Router"}},
     'Inventory/Type: must be "Mobile_Device" or "SIM_Card"'),
    ({"CustomerID": "one"}, "CustomerID: must be a whole number"),
    ({"TN": "850\x005550100"}, "TN: must not contain control characters"),
    ({"Inventory": {"Identifier": "35693\x00"}},
     "Inventory/Identifier: must not contain control characters"),
])
def test_input_errors_are_s2010(client, kw, fragment):
    err(query(client, **kw), "S2010", fragment)


def test_authentication_comes_first(client):
    out = jcall(client, OP, {"Session": {"SessionKey": "nope"}, "TN": "x", "CustomerID": 1})
    err(out, "S2004")
    err(jcall(client, OP, {"Credentials": dict(DEMO, Password="x"), "CustomerID": 1}), "S2005")


def test_ssn_needs_view_ssn(client):
    assert ok(query(client, creds=CLERK, CustomerID=1))["Customer"]["SSN"] == "*****6789"
    assert ok(query(client, CustomerID=1))["Customer"]["SSN"] == "123456789"


# ------------------------------------------------------------------------------ by inventory


def test_by_inventory_any_form_of_the_device(client, stock, key):
    imei = stock.imei()
    sim = stock.iccid()
    out = ok(create(client, order={"PackageID": 1001, "WirelessESN": imei,
                                   "WirelessICCID": sim}))
    cid = out["Customer_ID"]
    for identifier in (imei, imei[:14], imei[:14].lower(), meid_decimal(imei[:14])):
        for inv in ({"Identifier": identifier}, {"Identifier": identifier,
                                                 "Type": "Mobile_Device"},
                    {"Identifier": identifier, "Type": "mobile_device"}):
            assert ok(query(client, key, Inventory=inv))["Customer"]["ID"] == cid, inv
    assert ok(query(client, Inventory={"Identifier": sim, "Type": "SIM_Card"}))[
        "Customer"]["ID"] == cid
    # a SIM is not a Mobile_Device (the default type), nor a device a SIM_Card
    err(query(client, Inventory={"Identifier": sim}), "C2002")
    err(query(client, Inventory={"Identifier": imei, "Type": "SIM_Card"}), "C2002")
    # another client does not see it
    err(query(client, creds=OTHER, Inventory={"Identifier": imei}), "C2002")
    got = ok(query(client, Inventory={"Identifier": imei}))["Customer"]
    [svc] = got["Services"]
    inventory = {i["Identifier"]: i for i in svc["Inventory"]}
    assert set(inventory) == {imei, sim}
    device = inventory[imei]
    assert device["CustomerID"] == cid and device["Status"] == "ASSIGNED"
    assert device["InventoryType"] == "Mobile_Device" and device["IdentifierLabel"] == "IMEI"
    assert device["InventoryTypeID"] == 1 and device["InventoryDescription"] == "Mobile Device"
    assert isinstance(device["ID"], int) and device["AssignedDate"]
    assert inventory[sim]["InventoryType"] == "SIM_Card"


def test_by_inventory_of_a_batched_device_shows_its_mdn(client, stock):
    imei, mdn = stock.batched()
    out = ok(create(client, order={"PackageID": 1001, "WirelessESN": imei}))
    got = ok(query(client, Inventory={"Identifier": imei}))["Customer"]
    assert got["ID"] == out["Customer_ID"]
    assert got["Services"][0]["Service"]["TN"] == mdn
    assert got["Services"][0]["Inventory"][0]["Wireless"] == {"MDN": mdn}


def test_a_device_answers_its_fields_in_field_order(client, app, stock):
    """Each device once, with its own custom fields by FieldID (a device without any:
    an empty list)."""
    imei, sim = stock.imei(), stock.iccid()
    out = ok(create(client, order={"PackageID": 1001, "WirelessESN": imei,
                                   "WirelessICCID": sim}))
    with Session(app.state.engine) as s, s.begin():
        item = s.scalars(select(InventoryItem).where(InventoryItem.identifier == imei)).one()
        for field_id, label, value in ((7, "Colour", "Black"), (3, "Grade", None),
                                       (5, "Lot", "L-12")):
            s.add(InventoryItemField(client_id=1, inventory_item_id=item.id,
                                     field_id=field_id, label=label, value=value))
    got = ok(query(client, CustomerID=out["Customer_ID"]))["Customer"]
    [svc] = got["Services"]
    inventory = {i["Identifier"]: i for i in svc["Inventory"]}
    assert len(svc["Inventory"]) == 2 and set(inventory) == {imei, sim}
    assert inventory[imei]["Fields"] == [{"FieldID": 3, "Label": "Grade"},
                                         {"FieldID": 5, "Label": "Lot", "Value": "L-12"},
                                         {"FieldID": 7, "Label": "Colour", "Value": "Black"}]
    assert inventory[sim]["Fields"] == []
    assert len(svc["Products"]) == 3  # not repeated by the device's fields


def test_an_item_of_no_customer_is_c2002(client, stock):
    err(query(client, Inventory={"Identifier": stock.imei()}), "C2002")


# ------------------------------------------------------------------------------ zeep


def test_zeep_query(service):
    res = service.Customers_Query(Request={"Credentials": DEMO, "TN": "8505550100"})
    assert res.Header.Success is True
    c = res.Customer
    assert (c.ID, c.AcctNum, c.Status, c.BIllProfileID) == (1, "DEMO-0001", "OPEN", 1)
    assert c.DOB == dt.date(1980, 5, 15)
    assert c.Billing.Balance == Decimal("0.00") and c.Billing.PaymentTerms == 30
    [svc] = c.Services.ServiceItem
    assert svc.Service.TN == "8505550100"
    assert [p.ProductID for p in svc.Products.Product] == [2001, 2002, 2003]
    res = service.Customers_Query(Request={"Credentials": DEMO, "CustomerID": 2})
    assert res.Header.Success is False and res.Header.Error_Code == "C2002"
    assert res.Customer is None


# ------------------------------------------------------------------------------ property: read back

CENT = Decimal("0.01")
ZIPS = [("32502", "FL", "Pensacola"), ("10001", "NY", "New York"),
        ("90210", "CA", "Beverly Hills"), ("60601", "IL", "Chicago"), ("02108", "MA", "Boston")]
PROFILE_BILL_METHOD = {1: ("EMAIL_ONLY", 30), 2: ("PRINT_ONLY", 15)}
PACKAGES = {  # package: (provider, service type, [(product, rate, description)])
    1001: (10, "Wireless", [(2001, "25.00", "Unlimited Talk & Text"), (2002, "15.00", "5GB Data"),
                            (2003, "35.00", "Activation Fee")]),
    1002: (10, "Wireless", [(2001, "25.00", "Unlimited Talk & Text"),
                            (2005, "-9.25", "Lifeline Discount")]),
    1003: (20, "Voice", [(2006, "29.95", "Business Voice Line")]),
}
PRODUCTS = {2001: ("25.00", "Unlimited Talk & Text"), 2002: ("15.00", "5GB Data"),
            2003: ("35.00", "Activation Fee"), 2005: ("-9.25", "Lifeline Discount"),
            2006: ("29.95", "Business Voice Line")}
LABELS = {1: "Referral Source", 2: "Preferred Contact Time"}

_chars = st.characters(codec="utf-8", categories=("L", "M", "N", "P", "S", "Zs"))


def text(max_size: int) -> st.SearchStrategy[str]:
    return st.text(_chars, min_size=1, max_size=max_size).filter(lambda s: s.strip())


def digits(n: int) -> st.SearchStrategy[str]:
    return st.text("0123456789", min_size=n, max_size=n)


money = st.decimals(min_value=-10**6, max_value=10**6, places=3, allow_nan=False,
                    allow_infinity=False)
positive_money = st.decimals(min_value=0, max_value=10**6, places=2, allow_nan=False,
                             allow_infinity=False)
some_dates = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2010, 12, 31))


@st.composite
def address(draw, business: bool) -> dict[str, Any]:
    zip5, state, city = draw(st.sampled_from(ZIPS))
    a: dict[str, Any] = {
        "MiddleName": draw(text(10)), "Suffix": draw(text(20)),
        "Address1": draw(text(200)), "Address2": draw(text(200)), "City": draw(text(100)),
        "State": draw(st.sampled_from([state, state.lower()])), "Zip": zip5,
        "Zip4": draw(digits(4)), "Country": draw(st.sampled_from(["USA", "usa", "CAN", None])),
    }
    if business:
        a["CompanyName"] = draw(text(200))
    else:
        a["FirstName"], a["LastName"] = draw(text(100)), draw(text(200))
    return {k: v for k, v in a.items() if v is not None}


@st.composite
def lifeline_of(draw, physical_state: str) -> dict[str, Any]:
    status = draw(st.sampled_from([None, "NEEDS_REVIEW", "APPROVED", "REJECTED", "NEEDS_FORM"]))
    cert = draw(some_dates if status == "APPROVED" else st.none() | some_dates)
    original = draw(st.none() | (st.dates(min_value=dt.date(1900, 1, 1), max_value=cert)
                                 if cert else st.none()))
    nlad = draw(st.booleans()) if physical_state in ("FL", "NY") else False
    ll = {
        "LifelineTypeID": draw(st.sampled_from([1, 2])), "Status": status,
        "SelfCertificationPDF": draw(st.none() | st.binary(min_size=1, max_size=64)),
        "TemporaryAddress": draw(st.booleans()), "SeparateEconomicUnit": draw(st.booleans()),
        "Tribal": draw(st.booleans()), "CertificationDate": cert,
        "OriginalCertificationDate": original, "ProofTypeID": draw(st.sampled_from([1, 2, 3])),
        "ProofIdentifyingInformation": draw(text(200)), "ProofNotes": draw(text(500)),
        "MultipleHouseholds": draw(st.booleans()),
        "ProofDocumentationPDF": draw(st.none() | st.binary(min_size=1, max_size=64)),
        "HouseholdCount": draw(st.integers(1, 20)), "AnnualIncome": draw(positive_money),
        "CGM_Reservation": draw(text(200)), "NLADEnrolled": nlad,
        "StatusNote": draw(text(300)),
        "TPIVStatus": draw(st.sampled_from(["APPROVED", "REJECTED", "PENDING"])),
    }
    return {k: v for k, v in ll.items() if v is not None}


@st.composite
def field_entry(draw, field_id: int) -> dict[str, Any]:
    how = draw(st.sampled_from(["id", "label", "both"]))
    f: dict[str, Any] = {"Value": draw(st.text(_chars, max_size=100))}
    if how in ("id", "both"):
        f["FieldID"] = field_id
    if how in ("label", "both"):
        f["Label"] = draw(st.sampled_from([LABELS[field_id], LABELS[field_id].upper(),
                                           f"  {LABELS[field_id].lower()} "]))
    return f


@st.composite
def new_customer(draw) -> dict[str, Any]:
    business = draw(st.booleans())
    physical = draw(address(business))
    start = draw(st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2030, 1, 1)))
    ssn = draw(digits(9))
    c: dict[str, Any] = {
        "AcctNum": draw(text(50)),
        **draw(st.sampled_from([{"AgentID": 1}, {"AgentNumber": 5001}])),
        draw(st.sampled_from(["BIllProfileID", "BillProfileID"])): draw(st.sampled_from([1, 2])),
        "BillMethod": draw(st.none() | st.sampled_from(["PRINT_ONLY", "EMAIL_ONLY", "BOTH",
                                                        "NONE"])),
        "SecurityPIN": draw(digits(4)), "Language": draw(text(50)), "DOB": draw(some_dates),
        "DL": draw(text(50)),
        "SSN": draw(st.sampled_from([ssn, f"{ssn[:3]}-{ssn[3:5]}-{ssn[5:]}"])),
        "Source": draw(text(100)),
        "Email": draw(st.from_regex(r"[a-z0-9._%+-]{1,30}@[a-z0-9-]{1,20}\.[a-z]{2,6}",
                                    fullmatch=True)),
        "CustomerClass": "Business" if business else draw(st.sampled_from(["Residential",
                                                                          None])),
        "ContractStart": start,
        draw(st.sampled_from(["ContactEnd", "ContractEnd"])):
            start + dt.timedelta(days=draw(st.integers(0, 3650))),
        "Lifeline": draw(lifeline_of(physical["State"].upper())),
        "Fields": draw(st.permutations([1, 2]).flatmap(
            lambda ids: st.tuples(*(field_entry(i) for i in ids)))),
        "TaxExemptions": draw(st.lists(st.sampled_from(allowed_tax_exemptions("SURETAX")),
                                       unique=True, max_size=6)),
        "MailingAddress": draw(address(business)), "PhysicalAddress": physical,
        "Billing": {"Balance": draw(money), "Due": draw(money), "Overdue": draw(money),
                    "UnbilledUsage": draw(money), "EnabledBalanceLimit": draw(st.booleans()),
                    "UsageBalanceLimit": draw(positive_money),
                    "PaymentTerms": draw(st.integers(0, 365)),
                    "PaymentTermsOverride": draw(st.booleans())},
    }
    c["Fields"] = list(c["Fields"])
    c["_hierarchy"] = draw(st.sampled_from(["parent", "not-parent", "child"]))
    return {k: v for k, v in c.items() if v is not None}


@st.composite
def new_order(draw) -> dict[str, Any] | None:
    if draw(st.booleans()):
        return None
    package = draw(st.sampled_from(sorted(PACKAGES)))
    o: dict[str, Any] = {
        "PackageID": package, "Description": draw(text(200)), "PBXMake": draw(text(100)),
        "PBXModel": draw(text(100)),
        "LineTypeID": draw(st.none() | st.sampled_from([1, 2])),
        "ProcessID": draw(st.none() | st.just(1)),
        "AdditionalProducts": draw(st.lists(st.fixed_dictionaries(
            {"ProductID": st.sampled_from(sorted(PRODUCTS))},
            optional={"Rate": money, "Quantity": st.integers(1, 50),
                      "Description": text(200)}), max_size=3)),
        "ShippingAddress": {**draw(address(False)), "CompanyName": draw(text(200))},
        "_reconnect": draw(st.booleans()),
        "_send": draw(st.booleans()),
    }
    return {k: v for k, v in o.items() if v is not None}


def _m(v: Any) -> Decimal:
    return Decimal(str(v)).quantize(CENT, rounding=ROUND_HALF_UP)


def _t(v: str) -> str:
    return v.strip()


def expected_address(a: dict[str, Any]) -> dict[str, Any]:
    out = {k: _t(v) for k, v in a.items()}
    out["State"] = out["State"].upper()
    out["Country"] = a.get("Country", "USA").upper()
    return out


def expected_customer(c: dict[str, Any], o: dict[str, Any] | None, parent: int,
                      tn: str | None) -> dict[str, Any]:
    profile = c.get("BIllProfileID", c.get("BillProfileID"))
    bill_method, terms = PROFILE_BILL_METHOD[profile]
    ll = c["Lifeline"]
    status = ll.get("Status") or ("NEEDS_REVIEW" if "SelfCertificationPDF" in ll
                                  else "NEEDS_FORM")
    lifeline = {
        "LifelineTypeID": ll["LifelineTypeID"], "Status": status,
        "TemporaryAddress": ll["TemporaryAddress"],
        "SeparateEconomicUnit": ll["SeparateEconomicUnit"], "Tribal": ll["Tribal"],
        "ProofTypeID": ll["ProofTypeID"],
        "ProofIdentifyingInformation": _t(ll["ProofIdentifyingInformation"]),
        "ProofNotes": _t(ll["ProofNotes"]), "MultipleHouseholds": ll["MultipleHouseholds"],
        "HouseholdCount": ll["HouseholdCount"], "AnnualIncome": _m(ll["AnnualIncome"]),
        "TPIVStatus": ll["TPIVStatus"],
        "Program": "ETC_LIFELINE" if o and o["PackageID"] == 1002 else "NON_LIFELINE",
        "CGM_Reservation": _t(ll["CGM_Reservation"]), "NLADEnrolled": ll["NLADEnrolled"],
    }
    if "CertificationDate" in ll:
        lifeline["CertificationDate"] = ll["CertificationDate"].isoformat()
    original = ll.get("OriginalCertificationDate") or ll.get("CertificationDate")
    if original:
        lifeline["OriginalCertificationDate"] = original.isoformat()
    b = c["Billing"]
    exp: dict[str, Any] = {
        "AcctNum": _t(c["AcctNum"]), "Status": "PENDING" if o else "PROSPECT",
        "AgentID": 1, "AgentNumber": 5001, "BIllProfileID": profile,
        "CustomerClass": c.get("CustomerClass", "Residential"),
        "BillMethod": c.get("BillMethod", bill_method),
        "IsParentAccount": c["_hierarchy"] == "parent",
        "ContractStart": c["ContractStart"].isoformat(),
        "ContractEnd": (c.get("ContactEnd") or c.get("ContractEnd")).isoformat(),
        "SecurityPIN": c["SecurityPIN"], "Language": _t(c["Language"]),
        "PhysicalAddress": expected_address(c["PhysicalAddress"]),
        "MailingAddress": expected_address(c["MailingAddress"]),
        "Billing": {"Balance": _m(b["Balance"]), "Due": _m(b["Due"]),
                    "Overdue": _m(b["Overdue"]), "UnbilledUsage": _m(b["UnbilledUsage"]),
                    "EnabledBalanceLimit": b["EnabledBalanceLimit"],
                    "UsageBalanceLimit": _m(b["UsageBalanceLimit"]),
                    "PaymentTerms": b["PaymentTerms"],
                    "PaymentTermsOverride": b["PaymentTermsOverride"]},
        "DOB": c["DOB"].isoformat(), "DL": _t(c["DL"]), "SSN": c["SSN"].replace("-", ""),
        "Email": c["Email"], "Source": _t(c["Source"]), "IsAutoDebit": False,
        "AutoDebitDay": 0, "LifeLine": lifeline, "TaxExemptions": c["TaxExemptions"],
        "Fields": sorted(({"FieldID": f.get("FieldID") or next(
            i for i, label in LABELS.items() if label.lower() == f["Label"].strip().lower()),
            "Label": "", "Value": f["Value"]} for f in c["Fields"]),
            key=lambda f: f["FieldID"]),
    }
    for f in exp["Fields"]:
        f["Label"] = LABELS[f["FieldID"]]
    if c["_hierarchy"] == "child":
        exp["ParentAccountID"] = parent
    if o is not None:
        provider, service_type, products = PACKAGES[o["PackageID"]]
        rows = [(p, _m(rate), 1, d) for p, rate, d in products]
        for extra in o.get("AdditionalProducts", []):
            rate, description = PRODUCTS[extra["ProductID"]]
            rows.append((extra["ProductID"], _m(extra.get("Rate", rate)),
                         extra.get("Quantity", 1),
                         _t(extra.get("Description", "")) or description))
        service = {"Type": {1: "Wireless", 2: "Voice"}.get(o.get("LineTypeID"), service_type),
                   "CarrierID": provider, "PackageID": o["PackageID"]}
        if tn:
            service["TN"] = tn
        exp["Services"] = [(service, rows)]
    return exp


_tn = itertools.count()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.data_too_large])
@given(c=new_customer(), o=new_order())
def test_a_customer_with_every_optional_field_reads_back_field_for_field(client, key, parent_id,
                                                                         c, o):
    body_customer = {k: v for k, v in c.items() if not k.startswith("_")}
    if c["_hierarchy"] == "parent":
        body_customer["IsParentAccount"] = True
    elif c["_hierarchy"] == "not-parent":
        body_customer["IsParentAccount"] = False
    else:
        body_customer[("ParentCustomerID", "ParentAccountID")[next(_tn) % 2]] = parent_id
    tn = None
    body_order = None
    if o is not None:
        body_order = {k: v for k, v in o.items() if not k.startswith("_")}
        if o["_reconnect"]:
            tn = unique_tn()
            body_order["ReconnectTN"] = tn
    extra = {"SendOrders": True} if o is not None and o["_send"] else {}
    out = ok(create(client, body_customer, body_order, creds=key, **extra))
    got = ok(query(client, creds=key, CustomerID=out["Customer_ID"]))["Customer"]

    exp = expected_customer(c, o, parent_id, tn)
    services = exp.pop("Services", [])
    if extra and got["Status"] == "OPEN":  # a sent order may complete on its own
        exp["Status"] = "OPEN"
    assert got["ID"] == out["Customer_ID"]
    for name in ("PhysicalAddress", "MailingAddress"):
        assert isinstance(got[name].pop("ID"), int)
    got_services = got.pop("Services", [])
    assert set(got) - set(exp) <= {"ID", "Created_Date"}, set(got) - set(exp)
    for key, value in exp.items():
        assert got.get(key) == value, (key, got.get(key), value)
    assert len(got_services) == len(services)
    for svc, (service, rows) in zip(got_services, services):
        assert svc["Service"]["ID"] == out["Lines"][0]
        assert {k: svc["Service"].get(k) for k in service} == service
        assert "TN" in svc["Service"] if tn else "TN" not in svc["Service"]
        assert [(p["ProductID"], p["Rate"], p["Quantity"], p["Description"])
                for p in svc["Products"]] == rows
    assert out["BillMethod"] == exp["BillMethod"]
    assert [p["ProductID"] for p in out["Products"]] == [r[0] for _, rows in services
                                                         for r in rows]
    if body_order is None:
        assert got_services == []
