"""NewCustomers_Create: every rule of the documents, each error code, over JSON (most), as raw
SOAP 1.1/1.2 bytes (a representative set, PHP SoapClient style included) and through zeep.

The database is shared by the whole suite (one per backend): every test makes its own
customers, TNs and inventory items and never consumes a demo item, so that tests do not
depend on their order or on other modules.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import logging
import secrets
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from helpers import (
    CLERK, DEMO, OTHER, SOAP12, TNS, child_text, creds_xml, headers_for, post_soap, result_of,
    session_xml,
)
from openrev.domain.devices import esn_decimal, meid_decimal
from openrev.store import catalog
from openrev.store.tables import (
    Base, Customer, CustomerHistory, CustomerLifeline, InventoryItem, InventoryType,
    NladEnrollment, Order, OrderPort,
)

OP = "NewCustomers_Create"
FOREIGN = "urn:php-client-old-wsdl-copy"


# ------------------------------------------------------------------------------ helpers


def jcall(client: Any, op: str, body: dict[str, Any]) -> dict[str, Any]:
    """A JSON call; the answer parsed with exact decimals."""
    r = client.post(f"/v20/json/{op}", content=json.dumps(body, default=_json_default),
                    headers={"content-type": "application/json"})
    assert r.status_code == 200, r.text
    return json.loads(r.content, parse_float=Decimal)


def _json_default(v: Any) -> Any:
    if isinstance(v, Decimal):
        return str(v)
    if isinstance(v, (dt.date, dt.datetime)):
        return v.isoformat()
    if isinstance(v, bytes):
        return base64.b64encode(v).decode()
    raise TypeError(v)


def unique_tn() -> str:
    return "7" + "".join(str(secrets.randbelow(10)) for _ in range(9))


def addr(**kw: Any) -> dict[str, Any]:
    a = {"FirstName": "Ann", "LastName": "Lee", "Address1": "1 Main St", "City": "Pensacola",
         "State": "FL", "Zip": "32502"}
    a.update(kw)
    return {k: v for k, v in a.items() if v is not None}


def business_addr(**kw: Any) -> dict[str, Any]:
    return addr(FirstName=None, LastName=None, CompanyName="Acme Widgets LLC", **kw)


def cust(**kw: Any) -> dict[str, Any]:
    c = {"MailingAddress": addr(), "PhysicalAddress": addr()}
    c.update(kw)
    return {k: v for k, v in c.items() if v is not None}


def lifeline(**kw: Any) -> dict[str, Any]:
    ll = {"LifelineTypeID": 1, "TemporaryAddress": False, "SeparateEconomicUnit": True}
    ll.update(kw)
    return {k: v for k, v in ll.items() if v is not None}


def auth(creds: dict | str | None) -> dict[str, Any]:
    """Credentials (default demo's), or a Session when given a session key."""
    if isinstance(creds, str):
        return {"Session": {"SessionKey": creds}}
    return {"Credentials": creds or DEMO}


def create(client: Any, customer: dict | None = None, order: dict | None = None,
           creds: dict | str | None = None, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = auth(creds)
    body["Customer"] = cust() if customer is None else customer
    if order is not None:
        body["Order"] = order
    body.update(extra)
    return jcall(client, OP, body)


def query(client: Any, creds: dict | str | None = None, **kw: Any) -> dict[str, Any]:
    return jcall(client, "Customers_Query", {**auth(creds), **kw})


def ok(out: dict[str, Any]) -> dict[str, Any]:
    assert out["Header"]["Success"] is True, out["Header"]
    assert "Error_Code" not in out["Header"]
    return out


def created(client: Any, *args: Any, **kw: Any) -> dict[str, Any]:
    """Create (must succeed) and return the customer as Customers_Query reads it back."""
    out = ok(create(client, *args, **kw))
    return ok(query(client, CustomerID=out["Customer_ID"]))["Customer"]


def err(out: dict[str, Any], code: str, *fragments: str) -> str:
    h = out["Header"]
    assert h["Success"] is False, out
    assert h["Error_Code"] == code, h
    from openrev.contract.errors import ERROR_CODES
    assert h["Error_Description"] == ERROR_CODES[code]
    for f in fragments:
        assert f in h.get("Message", ""), h
    return h.get("Message", "")


def db(app) -> Session:
    return Session(app.state.engine)


class Stock:
    """Inventory items made for one test, so that no test consumes a demo item."""

    def __init__(self, app):
        self.engine = app.state.engine

    def _type_id(self, s: Session, client_id: int, kind: str) -> int:
        t = s.scalars(select(InventoryType).where(InventoryType.client_id == client_id,
                                                  InventoryType.kind == kind)).first()
        if t is None:
            t = InventoryType(client_id=client_id, kind=kind, description=kind.replace("_", " "),
                              identifier_label="IMEI" if kind == "Mobile_Device" else "ICCID")
            s.add(t)
            s.flush()
        return t.id

    def item(self, identifier: str, kind: str = "Mobile_Device", status: str = "AVAILABLE",
             client_id: int = 1, mdn: str | None = None) -> str:
        with Session(self.engine) as s, s.begin():
            s.add(InventoryItem(client_id=client_id, inventory_type_id=self._type_id(
                s, client_id, kind), identifier=identifier, status=status, mdn=mdn,
                batch_id=1 if status == "BATCHED" and client_id == 1 else None))
        return identifier

    def imei(self, **kw: Any) -> str:
        return self.item("35" + _digits(12) + str(secrets.randbelow(10)), **kw)

    def iccid(self, **kw: Any) -> str:
        return self.item("8901" + _digits(15) + "1", kind="SIM_Card", **kw)

    def batched(self) -> tuple[str, str]:
        mdn = unique_tn()
        return self.imei(status="BATCHED", mdn=mdn), mdn

    def get(self, identifier: str) -> InventoryItem:
        with Session(self.engine) as s:
            return s.scalars(select(InventoryItem).where(
                InventoryItem.identifier == identifier)).one()


def _digits(n: int) -> str:
    return "".join(str(secrets.randbelow(10)) for _ in range(n))


@pytest.fixture(scope="module")
def stock(app) -> Stock:
    return Stock(app)


@pytest.fixture(scope="module")
def parent_id(client) -> int:
    return ok(create(client, cust(IsParentAccount=True, AcctNum="PARENT-1")))["Customer_ID"]


def order_of(app, customer_id: int) -> Order:
    with db(app) as s:
        return s.scalars(select(Order).where(Order.customer_id == customer_id)).one()


# ------------------------------------------------------------------------------ basics


def test_without_an_order_the_customer_is_a_prospect(client):
    out = ok(create(client, cust(AcctNum="PROSPECT-1")))
    assert isinstance(out["Customer_ID"], int)
    assert out["Orders"] == [] and out["Lines"] == [] and out["Products"] == []
    assert out["Status"] == "PROSPECT"
    assert out["BillMethod"] == "EMAIL_ONLY"  # the default bill profile (1, Standard)
    got = ok(query(client, CustomerID=out["Customer_ID"]))["Customer"]
    assert got["Status"] == "PROSPECT" and got["AcctNum"] == "PROSPECT-1"
    assert got["CustomerClass"] == "Residential"
    assert got["BIllProfileID"] == 1 and got["BillMethod"] == "EMAIL_ONLY"
    assert got["Billing"]["PaymentTerms"] == 30
    assert got["PhysicalAddress"]["Country"] == "USA"
    assert got["MailingAddress"]["Country"] == "USA"
    assert got.get("Services", []) == []


def test_with_an_order_the_customer_is_pending_with_the_packages_products(client):
    out = ok(create(client, order={"PackageID": 1001}))
    assert out["Status"] == "PENDING"
    assert len(out["Orders"]) == 1 and len(out["Lines"]) == 1
    assert out["Products"] == [
        {"ProductID": 2001, "ProductGroupID": 1, "LeadProductFlag": True},
        {"ProductID": 2002, "ProductGroupID": 1, "LeadProductFlag": False},
        {"ProductID": 2003, "ProductGroupID": 0, "LeadProductFlag": False},
    ]
    got = ok(query(client, CustomerID=out["Customer_ID"]))["Customer"]
    assert got["Status"] == "PENDING"
    [svc] = got["Services"]
    assert svc["Service"]["ID"] == out["Lines"][0]
    assert svc["Service"]["PackageID"] == 1001
    assert svc["Service"]["PackageDescription"] == "Wireless Unlimited"
    assert svc["Service"]["CarrierID"] == 10
    assert svc["Service"]["CarrierDescription"] == "Demo Wireless"
    assert svc["Service"]["Type"] == "Wireless"
    assert [(p["ProductID"], p["Rate"], p["Quantity"], p["Description"], p["Status"])
            for p in svc["Products"]] == [
        (2001, Decimal("25.00"), 1, "Unlimited Talk & Text", "PENDING"),
        (2002, Decimal("15.00"), 1, "5GB Data", "PENDING"),
        (2003, Decimal("35.00"), 1, "Activation Fee", "PENDING"),
    ]


def test_the_answer_carries_a_session_key_that_works(client):
    out = ok(create(client))
    key = out["Header"]["SessionKey"]
    again = jcall(client, OP, {"Session": {"SessionKey": key}, "Customer": cust()})
    ok(again)
    assert again["Header"]["SessionKey"] == key


def test_customer_is_required(client):
    out = jcall(client, OP, {"Credentials": DEMO})
    err(out, "S2010", "Customer: required")


# ------------------------------------------------------------------------------ agent, bill profile


def test_agent_by_id_or_by_number(client):
    got = created(client, cust(AgentID=1))
    assert (got["AgentID"], got["AgentNumber"]) == (1, 5001)
    got = created(client, cust(AgentNumber=5001))
    assert (got["AgentID"], got["AgentNumber"]) == (1, 5001)


def test_agent_id_and_number_together_is_s2010(client):
    err(create(client, cust(AgentID=1, AgentNumber=5001)), "S2010",
        "Customer/AgentNumber: cannot be used with AgentID")


@pytest.mark.parametrize("field,value", [("AgentID", 999), ("AgentNumber", 4242)])
def test_unknown_agent_is_a2011(client, field, value):
    err(create(client, cust(**{field: value})), "A2011", f"Customer/{field}: {value}")


@pytest.mark.parametrize("field", ["AgentID", "AgentNumber"])
def test_an_agent_number_beyond_xs_int_is_s2010(client, field):
    err(create(client, cust(**{field: 2**40})), "S2010",
        f"Customer/{field}: must be at most 2147483647")


def test_an_agent_of_another_client_does_not_exist(client):
    err(create(client, cust(AgentID=1), creds=OTHER), "A2011")


@pytest.mark.parametrize("spelling", ["BIllProfileID", "BillProfileID", "billprofileid"])
def test_bill_profile_gives_its_bill_method_and_terms(client, spelling):
    out = ok(create(client, cust(**{spelling: 2})))
    assert out["BillMethod"] == "PRINT_ONLY"
    got = ok(query(client, CustomerID=out["Customer_ID"]))["Customer"]
    assert got["BIllProfileID"] == 2 and got["BillMethod"] == "PRINT_ONLY"
    assert got["Billing"]["PaymentTerms"] == 15


def test_a_bill_method_given_wins_over_the_profiles(client):
    out = ok(create(client, cust(BIllProfileID=2, BillMethod="BOTH")))
    assert out["BillMethod"] == "BOTH"
    assert ok(query(client, CustomerID=out["Customer_ID"]))["Customer"]["BillMethod"] == "BOTH"


def test_bill_method_must_be_documented(client):
    err(create(client, cust(BillMethod="CARRIER_PIGEON")), "S2010", "Customer/BillMethod")


@pytest.mark.parametrize("profile", [999, 3])  # 3 is OTHER's
def test_unknown_bill_profile_is_b2012(client, profile):
    err(create(client, cust(BIllProfileID=profile)), "B2012",
        f"Customer/BIllProfileID: {profile}")


# ------------------------------------------------------------------------------ hierarchy


def test_a_parent_account_and_its_child(client, parent_id):
    got = ok(query(client, CustomerID=parent_id))["Customer"]
    assert got["IsParentAccount"] is True
    for spelling in ("ParentCustomerID", "ParentAccountID"):
        child = created(client, cust(**{spelling: parent_id}))
        assert child["ParentAccountID"] == parent_id
        assert child["IsParentAccount"] is False


def test_is_parent_account_with_a_parent_is_s2010(client, parent_id):
    err(create(client, cust(IsParentAccount=True, ParentCustomerID=parent_id)), "S2010",
        "Customer/ParentCustomerID: cannot be used with IsParentAccount")


def test_parent_false_with_a_parent_is_accepted(client, parent_id):
    child = created(client, cust(IsParentAccount=False, ParentCustomerID=parent_id))
    assert child["ParentAccountID"] == parent_id


def test_unknown_parent_or_another_clients_is_c2002(client):
    err(create(client, cust(ParentCustomerID=987654)), "C2002", "Customer/ParentCustomerID")
    err(create(client, cust(ParentCustomerID=2)), "C2002")  # OTHER's customer


def test_parent_must_be_a_parent_account(client):
    err(create(client, cust(ParentCustomerID=1)), "C2008", "not a parent account")


# ------------------------------------------------------------------------------ customer fields


@pytest.mark.parametrize("cls", ["Residential", "residential"])
def test_residential_needs_names_and_no_company(client, cls):
    bad = cust(CustomerClass=cls, PhysicalAddress=addr(FirstName=None, CompanyName="X Inc"))
    msg = err(create(client, bad), "S2010")
    assert "Customer/PhysicalAddress/FirstName: required for a Residential customer" in msg
    assert "Customer/PhysicalAddress/CompanyName: prohibited for a Residential customer" in msg
    assert "MailingAddress" not in msg


def test_no_class_is_residential(client):
    msg = err(create(client, cust(MailingAddress=addr(LastName=None))), "S2010")
    assert msg == "Customer/MailingAddress/LastName: required for a Residential customer"


def test_business_needs_a_company_and_no_names(client):
    got = created(client, cust(CustomerClass="Business", MailingAddress=business_addr(),
                               PhysicalAddress=business_addr(MiddleName="Q", Suffix="Jr")))
    assert got["CustomerClass"] == "Business"
    assert got["MailingAddress"]["CompanyName"] == "Acme Widgets LLC"
    assert "FirstName" not in got["MailingAddress"]
    assert got["PhysicalAddress"]["MiddleName"] == "Q"
    msg = err(create(client, cust(CustomerClass="Business")), "S2010")
    for where in ("MailingAddress", "PhysicalAddress"):
        for f in ("FirstName", "LastName"):
            assert f"Customer/{where}/{f}: prohibited for a Business customer" in msg
        assert f"Customer/{where}/CompanyName: required for a Business customer" in msg


def test_customer_class_must_be_documented(client):
    err(create(client, cust(CustomerClass="Government")), "S2010", "Customer/CustomerClass")


@pytest.mark.parametrize("pin", ["123", "12345", "12a4", "１２３４"])
def test_security_pin_is_4_digits(client, pin):
    err(create(client, cust(SecurityPIN=pin)), "S2010", "Customer/SecurityPIN: must be 4 digits")


def test_security_pin_ssn_dl_dob_email_language_source_read_back(client):
    got = created(client, cust(SecurityPIN="0042", SSN="123-45-6789", DL="D1234567",
                               DOB="1990-02-03", Email="ann.lee@example.com",
                               Language="Spanish", Source="Kiosk1234"))
    assert got["SecurityPIN"] == "0042"
    assert got["SSN"] == "123456789"  # demo holds VIEW_SSN
    assert got["DL"] == "D1234567"
    assert got["DOB"] == "1990-02-03"
    assert got["Email"] == "ann.lee@example.com"
    assert got["Language"] == "Spanish"
    assert got["Source"] == "Kiosk1234"


def test_dob_accepts_a_datetime(client):
    assert created(client, cust(DOB="1990-02-03T00:00:00"))["DOB"] == "1990-02-03"


@pytest.mark.parametrize("field,value,rule", [
    ("Email", "not-an-email", "not an email address"),
    ("Email", "a@b", "not an email address"),
    ("SSN", "12345678", "must be 9 digits"),
    ("SSN", "123-45-678X", "must be 9 digits"),
    ("DOB", "2999-01-01", "must not be in the future"),
    ("DOB", "03/02/1990", "must be a date"),
    ("ContractStart", "soon", "must be a date"),
])
def test_customer_field_formats_are_s2010(client, field, value, rule):
    err(create(client, cust(**{field: value})), "S2010", f"Customer/{field}: {rule}")


@pytest.mark.parametrize("end_spelling", ["ContactEnd", "ContractEnd"])
def test_contract_dates(client, end_spelling):
    got = created(client, cust(ContractStart="2025-01-01", **{end_spelling: "2026-12-31"}))
    assert (got["ContractStart"], got["ContractEnd"]) == ("2025-01-01", "2026-12-31")
    err(create(client, cust(ContractStart="2025-01-01", **{end_spelling: "2024-12-31"})),
        "S2010", "Customer/ContactEnd: must not be before ContractStart")


def test_every_problem_is_named_in_one_answer(client):
    msg = err(create(client, cust(SecurityPIN="1", Email="x", SSN="1",
                                  PhysicalAddress=addr(Zip="123"))), "S2010")
    assert msg.split("; ") == [
        "Customer/SecurityPIN: must be 4 digits", "Customer/Email: not an email address",
        "Customer/SSN: must be 9 digits", "Customer/PhysicalAddress/Zip: must be 5 digits"]


# ------------------------------------------------------------------------------ custom fields


def test_custom_fields_by_id_or_label(client):
    got = created(client, cust(Fields=[
        {"FieldID": 1, "Value": "Radio"},
        {"Label": "  preferred CONTACT time ", "Value": "Evenings"},
    ]))
    assert got["Fields"] == [
        {"FieldID": 1, "Label": "Referral Source", "Value": "Radio"},
        {"FieldID": 2, "Label": "Preferred Contact Time", "Value": "Evenings"},
    ]
    got = created(client, cust(Fields=[{"FieldID": 2, "Label": "Preferred Contact Time",
                                        "Value": "Mornings"}]))
    assert got["Fields"] == [{"FieldID": 2, "Label": "Preferred Contact Time",
                              "Value": "Mornings"}]


@pytest.mark.parametrize("field,fragment", [
    ({"FieldID": 1, "Label": "Preferred Contact Time", "Value": "x"},
     "Customer/Fields/Field[1]/Label: 'Preferred Contact Time' does not match FieldID 1"),
    ({"FieldID": 77, "Value": "x"}, "Customer/Fields/Field[1]/FieldID: 77 is not a custom field"),
    ({"FieldID": 3, "Value": "x"}, "FieldID: 3 is not a custom field"),  # OTHER's field
    ({"Label": "Shoe Size", "Value": "x"}, "Customer/Fields/Field[1]/Label: 'Shoe Size' is not"),
    ({"Value": "x"}, "Customer/Fields/Field[1]: FieldID or Label is required"),
])
def test_custom_field_errors_are_s2010(client, field, fragment):
    err(create(client, cust(Fields=[field])), "S2010", fragment)


def test_the_same_custom_field_twice_is_s2010(client):
    err(create(client, cust(Fields=[{"FieldID": 1, "Value": "a"},
                                    {"Label": "Referral Source", "Value": "b"}])),
        "S2010", "Customer/Fields/Field[2]: custom field 1 is given twice")


# ------------------------------------------------------------------------------ tax exemptions


def test_demo_uses_the_suretax_list(client):
    got = created(client, cust(TaxExemptions=["FET", "State_Local", "Unit_Based_E911"]))
    assert got["TaxExemptions"] == ["FET", "State_Local", "Unit_Based_E911"]
    assert created(client, cust(TaxExemptions=[])).get("TaxExemptions", []) == []


@pytest.mark.parametrize("value", ["County", "City", "None", "Bogus"])
def test_demo_refuses_values_outside_the_suretax_list(client, value):
    err(create(client, cust(TaxExemptions=["FET", value])), "S2010",
        f"Customer/TaxExemptions[2]: {value!r} is not a SureTaxTaxExemptionEnum value")


def test_other_uses_the_cch_list(client):
    out = ok(create(client, cust(TaxExemptions=["County", "Federal"]), creds=OTHER))
    got = ok(query(client, creds=OTHER, CustomerID=out["Customer_ID"]))["Customer"]
    assert got["TaxExemptions"] == ["County", "Federal"]
    for value in ("FET", "State_Local", "Other"):
        err(create(client, cust(TaxExemptions=[value]), creds=OTHER), "S2010",
            f"{value!r} is not a CCHTaxExemption value")


def test_a_tax_exemption_twice_is_s2010(client):
    err(create(client, cust(TaxExemptions=["FET", "FET"])), "S2010", "'FET' is given twice")


# ------------------------------------------------------------------------------ billing


def test_billing_reads_back(client):
    got = created(client, cust(Billing={
        "Balance": "10.005", "Due": 5, "Overdue": "1.10", "UnbilledUsage": "0.49",
        "EnabledBalanceLimit": True, "UsageBalanceLimit": "100", "PaymentTerms": 45,
        "PaymentTermsOverride": True}))
    assert got["Billing"] == {
        "Balance": Decimal("10.01"), "Due": Decimal("5.00"), "Overdue": Decimal("1.10"),
        "UnbilledUsage": Decimal("0.49"), "EnabledBalanceLimit": True,
        "UsageBalanceLimit": Decimal("100.00"), "PaymentTerms": 45,
        "PaymentTermsOverride": True}


@pytest.mark.parametrize("billing,fragment", [
    ({"PaymentTerms": -1}, "Customer/Billing/PaymentTerms: must not be negative"),
    ({"UsageBalanceLimit": "-5"}, "Customer/Billing/UsageBalanceLimit: must not be negative"),
    ({"PaymentTerms": 2**31}, "Customer/Billing/PaymentTerms: must be at most 2147483647"),
    ({"Balance": "10000000000"}, "Customer/Billing/Balance: must be less than"),
    ({"Due": "-9999999999.999"}, "Customer/Billing/Due: must be less than"),
    ({"Overdue": "1e400"}, "Customer/Billing/Overdue: must be less than"),
    ({"Balance": "a lot"}, "Customer/Billing/Balance: must be a decimal number"),
])
def test_billing_errors_are_s2010(client, billing, fragment):
    err(create(client, cust(Billing=billing)), "S2010", fragment)


# ---------------------------------------------------------------- what the database cannot keep


@pytest.mark.parametrize("customer,fragment", [
    (cust(AcctNum="A" * 51), "Customer/AcctNum: at most 50 characters"),
    (cust(Email="a@" + "b" * 250 + ".com"), "Customer/Email: at most 255 characters"),
    (cust(Source="s" * 101), "Customer/Source: at most 100 characters"),
    (cust(PhysicalAddress=addr(City="C" * 101)),
     "Customer/PhysicalAddress/City: at most 100 characters"),
    (cust(MailingAddress=addr(Address1="1" * 201)),
     "Customer/MailingAddress/Address1: at most 200 characters"),
    (cust(Source="Kiosk\x00"), "Customer/Source: must not contain control characters"),
    (cust(Fields=[{"FieldID": 1, "Value": "a\x07b"}]),
     "Customer/Fields/Field[1]/Value: must not contain control characters"),
    (cust(TaxExemptions=["FET\x00"]),
     "Customer/TaxExemptions[1]: must not contain control characters"),
    (cust(Lifeline=lifeline(ProofNotes="x\ud800")),
     "Customer/Lifeline/ProofNotes: must not contain control characters"),
    (cust(Lifeline=lifeline(CGM_Reservation="c" * 201)),
     "Customer/Lifeline/CGM_Reservation: at most 200 characters"),
])
def test_values_the_database_cannot_keep_are_s2010_not_internal_errors(client, customer,
                                                                       fragment):
    # json.dumps escapes NUL and a lone surrogate (\\u0000, \\ud800): valid JSON text
    out = jcall(client, OP, {"Credentials": DEMO, "Customer": customer})
    err(out, "S2010", fragment)


def test_text_longer_than_its_column_in_the_order_is_s2010(client):
    msg = err(create(client, order={
        "PackageID": 1001, "Description": "d" * 201, "PBXMake": "m" * 101,
        "AdditionalProducts": [{"ProductID": 2003, "Description": "x" * 201}]}), "S2010")
    for fragment in ("Order/Description: at most 200", "Order/PBXMake: at most 100",
                     "Order/AdditionalProducts/Product[1]/Description: at most 200"):
        assert fragment in msg


def test_numbers_the_database_cannot_keep_in_the_order_are_s2010(client):
    # refused by the codec (for every operation), before the rules run
    msg = err(create(client, order={
        "PackageID": 1001,
        "AdditionalProducts": [{"ProductID": 2003, "Quantity": 2**31, "Rate": "1e11"}]}),
        "S2010")
    for fragment in ("Order/AdditionalProducts/Product[1]/Quantity: must be at most",
                     "Order/AdditionalProducts/Product[1]/Rate: must be less than"):
        assert fragment in msg


# ------------------------------------------------------------------------------ addresses

ADDRESS_PATHS = ["Customer/MailingAddress", "Customer/PhysicalAddress", "Order/ShippingAddress",
                 "Order/WirelessPort/Address"]


def with_address(path: str, address: dict[str, Any]) -> dict[str, Any]:
    """A request body (without credentials) with ``address`` at ``path``."""
    customer, order = cust(), None
    if path.startswith("Customer/"):
        customer[path.split("/")[1]] = address
    elif path == "Order/ShippingAddress":
        order = {"PackageID": 1001, "ShippingAddress": {"CompanyName": "Acme", **address}}
    else:
        order = {"PackageID": 1001, "WirelessPort": {"MDN": unique_tn(), "Address": address}}
    return {"Customer": customer, **({"Order": order} if order else {})}


def create_with_address(client, path: str, address: dict[str, Any]) -> dict[str, Any]:
    return jcall(client, OP, {"Credentials": DEMO, **with_address(path, address)})


@pytest.mark.parametrize("path", ADDRESS_PATHS)
@pytest.mark.parametrize("change,rule", [
    ({"ID": 5}, "ID: prohibited"),
    ({"MiddleName": "Bartholomew"}, "MiddleName: at most 10 characters"),
    ({"State": "F1"}, "State: must be 2 letters"),
    ({"State": "FLA"}, "State: must be 2 letters"),
    ({"Zip": "3250"}, "Zip: must be 5 digits"),
    ({"Zip": "32502-1234"}, "Zip: must be 5 digits"),
    ({"Zip4": "123"}, "Zip4: must be 4 digits"),
    ({"Zip4": "12a4"}, "Zip4: must be 4 digits"),
    ({"Country": "US"}, "Country: must be a 3 character ISO country code"),
    ({"Address1": None}, "Address1: required"),
    ({"Address1": "   "}, "Address1: required"),
    ({"City": None}, "City: required"),
    ({"State": None}, "State: required"),
    ({"Zip": None}, "Zip: required"),
    ({"FirstName": None}, "FirstName: required"),
    ({"LastName": None}, "LastName: required"),
])
def test_address_rules_everywhere(client, path, change, rule):
    err(create_with_address(client, path, addr(**change)), "S2010", f"{path}/{rule}")


@pytest.mark.parametrize("path", ADDRESS_PATHS)
@pytest.mark.parametrize("zip5", ["00000", "99999"])
def test_a_zip_that_does_not_exist_is_s2015(client, path, zip5):
    err(create_with_address(client, path, addr(Zip=zip5)), "S2015",
        f"{path}/Zip: {zip5} is not a known US zip code")


@pytest.mark.parametrize("path", ADDRESS_PATHS)
def test_a_full_address_is_accepted_everywhere(client, path):
    full = addr(MiddleName="Marie", Suffix="III", Address2="Apt 4", Zip4="1234",
                Country="usa", State="fl")
    ok(create_with_address(client, path, full))


def test_shipping_address_needs_names_and_company(client):
    # Order/ShippingAddress documents FirstName, LastName and CompanyName all "Required".
    order = {"PackageID": 1001, "ShippingAddress": addr()}
    err(create(client, order=order), "S2010",
        "Order/ShippingAddress/CompanyName: required")


def test_port_address_company_is_optional(client):
    ok(create(client, order={"PackageID": 1001, "WirelessPort": {
        "MDN": unique_tn(), "Address": addr(CompanyName="Acme")}}))


def test_customer_addresses_are_required(client):
    msg = err(create(client, {"PhysicalAddress": addr()}), "S2010")
    assert msg == "Customer/MailingAddress: required"


def test_addresses_read_back_normalized(client):
    got = created(client, cust(PhysicalAddress=addr(
        FirstName="  Ann ", MiddleName="Marie", Suffix="Jr", Address2="Apt 4", State="fl",
        Zip4="1234", Country="can"), MailingAddress=addr(City="Milton", Zip="32570")))
    p = got["PhysicalAddress"]
    assert isinstance(p["ID"], int) and p["ID"] != got["MailingAddress"]["ID"]
    assert {k: v for k, v in p.items() if k != "ID"} == {
        "FirstName": "Ann", "LastName": "Lee", "MiddleName": "Marie", "Suffix": "Jr",
        "Address1": "1 Main St", "Address2": "Apt 4", "City": "Pensacola", "State": "FL",
        "Zip": "32502", "Zip4": "1234", "Country": "CAN"}
    assert got["MailingAddress"]["City"] == "Milton"
    assert got["MailingAddress"]["Country"] == "USA"


# ------------------------------------------------------------------------------ lifeline


def test_a_lifeline_package_needs_lifeline(client):
    err(create(client, order={"PackageID": 1002}), "S2010",
        "Customer/Lifeline: required for a Lifeline package")
    msg = err(create(client, cust(Lifeline={"Tribal": True}), {"PackageID": 1002}), "S2010")
    for name in ("LifelineTypeID", "TemporaryAddress", "SeparateEconomicUnit"):
        assert f"Customer/Lifeline/{name}: required for a Lifeline package" in msg


def test_lifeline_defaults(client):
    for spelling in ("Lifeline", "LifeLine"):
        got = created(client, cust(**{spelling: lifeline()}), {"PackageID": 1002})
        ll = got["LifeLine"]
        assert ll["Status"] == "NEEDS_FORM"
        assert ll["LifelineTypeID"] == 1
        assert ll["TemporaryAddress"] is False and ll["SeparateEconomicUnit"] is True
        assert ll["Tribal"] is False and ll["NLADEnrolled"] is False
        assert ll["Program"] == "ETC_LIFELINE"


def test_lifeline_outside_a_lifeline_package_is_kept(client):
    got = created(client, cust(Lifeline=lifeline(LifelineTypeID=2)))
    assert got["LifeLine"]["LifelineTypeID"] == 2
    assert got["LifeLine"]["Program"] == "NON_LIFELINE"


def test_a_self_certification_form_makes_it_needs_review_and_is_stored_not_echoed(client, app):
    pdf = b"%PDF-1.4 self certification"
    proof = b"%PDF-1.4 proof"
    out = ok(create(client, cust(Lifeline=lifeline(SelfCertificationPDF=pdf,
                                                   ProofDocumentationPDF=proof)),
                    {"PackageID": 1002}))
    got = ok(query(client, CustomerID=out["Customer_ID"]))["Customer"]
    assert got["LifeLine"]["Status"] == "NEEDS_REVIEW"
    assert "SelfCertificationPDF" not in got["LifeLine"]
    assert "ProofDocumentationPDF" not in got["LifeLine"]
    with db(app) as s:
        row = s.scalars(select(CustomerLifeline).where(
            CustomerLifeline.customer_id == out["Customer_ID"])).one()
        assert row.self_certification_pdf == pdf
        assert row.proof_documentation_pdf == proof


def test_an_explicit_status_wins(client):
    got = created(client, cust(Lifeline=lifeline(Status="rejected",
                                                 SelfCertificationPDF="JVBERg==")))
    assert got["LifeLine"]["Status"] == "REJECTED"


def test_approved_needs_a_certification_date_and_original_defaults_to_it(client):
    err(create(client, cust(Lifeline=lifeline(Status="APPROVED"))), "S2010",
        "Customer/Lifeline/CertificationDate: required when Status is APPROVED")
    got = created(client, cust(Lifeline=lifeline(Status="APPROVED",
                                                 CertificationDate="2025-03-04")))
    assert got["LifeLine"]["Status"] == "APPROVED"
    assert got["LifeLine"]["CertificationDate"] == "2025-03-04"
    assert got["LifeLine"]["OriginalCertificationDate"] == "2025-03-04"
    got = created(client, cust(Lifeline=lifeline(Status="APPROVED",
                                                 CertificationDate="2025-03-04",
                                                 OriginalCertificationDate="2023-01-01")))
    assert got["LifeLine"]["OriginalCertificationDate"] == "2023-01-01"


@pytest.mark.parametrize("change,fragment", [
    ({"Status": "NOT_SET"}, "Customer/Lifeline/Status: must be NEEDS_REVIEW, APPROVED"),
    ({"Status": "MAYBE"}, "Customer/Lifeline/Status: must be one of"),
    ({"HouseholdCount": 0}, "Customer/Lifeline/HouseholdCount: must be 1 or greater"),
    ({"HouseholdCount": 2**31}, "Customer/Lifeline/HouseholdCount: must be at most"),
    ({"AnnualIncome": -1}, "Customer/Lifeline/AnnualIncome: must not be negative"),
    ({"TPIVStatus": "UNKNOWN"}, "Customer/Lifeline/TPIVStatus: must be one of"),
    ({"CertificationDate": "2024-01-01", "OriginalCertificationDate": "2024-02-01"},
     "Customer/Lifeline/OriginalCertificationDate: must not be after CertificationDate"),
    ({"SelfCertificationPDF": "not base64!"}, "Customer/Lifeline/SelfCertificationPDF"),
])
def test_lifeline_errors_are_s2010(client, change, fragment):
    err(create(client, cust(Lifeline=lifeline(**change))), "S2010", fragment)


@pytest.mark.parametrize("type_id", [99, 3])  # 3 is OTHER's
def test_unknown_lifeline_type_is_l2015(client, type_id):
    err(create(client, cust(Lifeline=lifeline(LifelineTypeID=type_id)), {"PackageID": 1002}),
        "L2015", f"Customer/Lifeline/LifelineTypeID: {type_id} does not exist")


def test_unknown_proof_type_is_l2016(client):
    err(create(client, cust(Lifeline=lifeline(ProofTypeID=42))), "L2016",
        "Customer/Lifeline/ProofTypeID: 42 does not exist")


def test_every_lifeline_field_reads_back(client):
    got = created(client, cust(Lifeline=lifeline(
        LifelineTypeID=2, Status="APPROVED", TemporaryAddress=True, SeparateEconomicUnit=False,
        Tribal=True, CertificationDate="2025-05-06", OriginalCertificationDate="2020-01-02",
        ProofTypeID=3, ProofIdentifyingInformation="1234", ProofNotes="pay stub",
        MultipleHouseholds=True, HouseholdCount=4, AnnualIncome=18500, CGM_Reservation="CGM-1",
        TPIVStatus="PENDING")), {"PackageID": 1002})
    assert got["LifeLine"] == {
        "LifelineTypeID": 2, "Status": "APPROVED", "TemporaryAddress": True,
        "SeparateEconomicUnit": False, "Tribal": True, "CertificationDate": "2025-05-06",
        "OriginalCertificationDate": "2020-01-02", "ProofTypeID": 3,
        "ProofIdentifyingInformation": "1234", "ProofNotes": "pay stub",
        "MultipleHouseholds": True, "HouseholdCount": 4, "AnnualIncome": Decimal("18500.00"),
        "TPIVStatus": "PENDING", "Program": "ETC_LIFELINE", "CGM_Reservation": "CGM-1",
        "NLADEnrolled": False}


@pytest.mark.parametrize("zip5,state", [("32502", "FL"), ("10001", "NY")])
def test_nlad_enrolled_inserts_an_enrollment_record(client, app, zip5, state):
    out = ok(create(client, cust(PhysicalAddress=addr(Zip=zip5, State=state),
                                 Lifeline=lifeline(NLADEnrolled=True)), {"PackageID": 1002}))
    got = ok(query(client, CustomerID=out["Customer_ID"]))["Customer"]
    assert got["LifeLine"]["NLADEnrolled"] is True
    with db(app) as s:
        [enrollment] = s.scalars(select(NladEnrollment).where(
            NladEnrollment.customer_id == out["Customer_ID"])).all()
        assert (enrollment.state, enrollment.status) == (state, "COMPLETE")


def test_nlad_enrolled_without_a_profile_for_the_state_is_cn2001(client):
    body = cust(PhysicalAddress=addr(City="Beverly Hills", State="CA", Zip="90210"),
                Lifeline=lifeline(NLADEnrolled=True))
    err(create(client, body, {"PackageID": 1002}), "CN2001",
        "Customer/Lifeline/NLADEnrolled: no active NLAD profile is set up for CA")
    # OTHER has no NLAD profile at all
    err(create(client, cust(PhysicalAddress=addr(City="New York", State="NY", Zip="10001"),
                            Lifeline=lifeline(LifelineTypeID=3, NLADEnrolled=True)),
               creds=OTHER), "CN2001")


def test_nlad_enrolled_false_needs_no_profile(client):
    ok(create(client, cust(PhysicalAddress=addr(State="CA", Zip="90210"),
                           Lifeline=lifeline(NLADEnrolled=False))))


def test_status_note_is_written_to_the_history(client, app):
    out = ok(create(client, cust(Lifeline=lifeline(StatusNote="  Form received at kiosk 7 ")),
                    {"PackageID": 1002}))
    with db(app) as s:
        notes = s.scalars(select(CustomerHistory.note).where(
            CustomerHistory.customer_id == out["Customer_ID"],
            CustomerHistory.category == "LIFELINE")).all()
    assert "Lifeline status set to NEEDS_FORM: Form received at kiosk 7" in notes
    got = ok(query(client, CustomerID=out["Customer_ID"]))["Customer"]
    assert "StatusNote" not in got["LifeLine"]


# ------------------------------------------------------------------------------ order


@pytest.mark.parametrize("order,code,fragment", [
    ({"Description": "no package"}, "S2010", "Order/PackageID: required"),
    ({"PackageID": 999}, "PK2013", "Order/PackageID: 999 does not exist"),
    ({"PackageID": 1101}, "PK2013", "Order/PackageID: 1101"),  # OTHER's
    ({"PackageID": 2**40}, "S2010", "Order/PackageID: must be at most 2147483647"),
    ({"PackageID": 1001, "CarrierID": 10, "CarrierCode": "DEMOWIRELESS"}, "S2010",
     "Order/CarrierCode: cannot be used with CarrierID"),
    ({"PackageID": 1001, "CarrierID": 99}, "CA2014", "Order/CarrierID: 99 does not exist"),
    ({"PackageID": 1001, "CarrierID": 30}, "CA2014", "Order/CarrierID: 30"),  # OTHER's
    ({"PackageID": 1001, "CarrierCode": "NOPE"}, "CA2014", "Order/CarrierCode: 'NOPE'"),
    ({"PackageID": 1001, "CarrierCode": "OTHERWIRELESS"}, "CA2014", "Order/CarrierCode"),
    ({"PackageID": 1001, "CarrierAccountID": 77}, "CA2014", "Order/CarrierAccountID: 77"),
    ({"PackageID": 1001, "LineTypeID": 99}, "LT2001", "Order/LineTypeID: 99 does not exist"),
    ({"PackageID": 1001, "LineTypeID": 3}, "LT2001", "Order/LineTypeID: 3"),  # OTHER's
    ({"PackageID": 1001, "ProcessID": 99}, "PC2001", "Order/ProcessID: 99 does not exist"),
    ({"PackageID": 1001, "AdditionalProducts": [{"ProductID": 2003}, {"ProductID": 9999}]},
     "PR2023", "Order/AdditionalProducts/Product[2]/ProductID: 9999 does not exist"),
    ({"PackageID": 1001, "AdditionalProducts": [{"ProductID": 2101}]}, "PR2023",
     "ProductID: 2101"),  # OTHER's
    ({"PackageID": 1001, "AdditionalProducts": [{"Quantity": 2}]}, "S2010",
     "Order/AdditionalProducts/Product[1]/ProductID: required"),
    ({"PackageID": 1001, "AdditionalProducts": [{"ProductID": 2003, "Quantity": 0}]}, "S2010",
     "Order/AdditionalProducts/Product[1]/Quantity: must be 1 or greater"),
    ({"PackageID": 1001, "ReconnectTN": "850555"}, "S2010",
     "Order/ReconnectTN: must be 10 digits"),
    ({"PackageID": 1001, "ReconnectTN": "8505550100"}, "S2010",
     "Order/ReconnectTN: 8505550100 is in use on service 1"),
])
def test_order_errors(client, order, code, fragment):
    err(create(client, order=order), code, fragment)


def test_carrier_by_id_or_code_and_line_type_and_process(client, app):
    got = created(client, order={"PackageID": 1003, "CarrierCode": "manual", "LineTypeID": 2,
                                 "ProcessID": 1})
    svc = got["Services"][0]["Service"]
    assert (svc["CarrierID"], svc["CarrierDescription"], svc["Type"]) == (
        20, "Manual Provisioning", "Voice")
    out = ok(create(client, order={"PackageID": 1001, "CarrierID": 20}))
    assert order_of(app, out["Customer_ID"]).provider_id == 20
    assert order_of(app, out["Customer_ID"]).process_id is None


def test_additional_products_override_rate_quantity_and_description(client):
    out = ok(create(client, order={"PackageID": 1003, "AdditionalProducts": [
        {"ProductID": 2003},
        {"ProductID": 2002, "Rate": "12.345", "Quantity": 3, "Description": "Promo data"},
        {"ProductID": 2005, "Rate": 0},
    ]}))
    assert out["Products"] == [
        {"ProductID": 2006, "ProductGroupID": 0, "LeadProductFlag": False},
        {"ProductID": 2003, "ProductGroupID": 0, "LeadProductFlag": False},
        {"ProductID": 2002, "ProductGroupID": 0, "LeadProductFlag": False},
        {"ProductID": 2005, "ProductGroupID": 0, "LeadProductFlag": False},
    ]
    got = ok(query(client, CustomerID=out["Customer_ID"]))["Customer"]
    assert [(p["ProductID"], p["Rate"], p["Quantity"], p["Description"])
            for p in got["Services"][0]["Products"]] == [
        (2006, Decimal("29.95"), 1, "Business Voice Line"),
        (2003, Decimal("35.00"), 1, "Activation Fee"),
        (2002, Decimal("12.35"), 3, "Promo data"),
        (2005, Decimal("0.00"), 1, "Lifeline Discount"),
    ]


def test_an_order_that_ships_equipment_needs_a_shipping_address(client, app):
    order = {"PackageID": 1001, "AdditionalProducts": [{"ProductID": 2004}]}
    err(create(client, order=order), "S2010",
        "Order/ShippingAddress: required, the order ships equipment")
    shipping = addr(CompanyName="Acme", Address1="9 Dock Rd")
    out = ok(create(client, order=dict(order, ShippingAddress=shipping)))
    with db(app) as s:
        o = s.scalars(select(Order).where(Order.customer_id == out["Customer_ID"])).one()
        assert o.shipping_address.address1 == "9 Dock Rd"
        assert o.shipping_address.kind == "SHIPPING"


def test_send_orders(client, app):
    out = ok(create(client, order={"PackageID": 1003}))
    o = order_of(app, out["Customer_ID"])
    assert (o.status, o.order_type, o.is_reconnect, o.sent_at) == ("NEW", "NEW", False, None)
    out = ok(create(client, order={"PackageID": 1003}, SendOrders=True))
    o = order_of(app, out["Customer_ID"])
    assert o.status == "SENT" and o.sent_at is not None
    assert o.id == out["Orders"][0]


def test_reconnect_tn(client, app):
    tn = unique_tn()
    out = ok(create(client, order={"PackageID": 1001, "ReconnectTN": f" {tn} "}))
    assert order_of(app, out["Customer_ID"]).is_reconnect is True
    got = ok(query(client, CustomerID=out["Customer_ID"]))["Customer"]
    assert got["Services"][0]["Service"]["TN"] == tn
    err(create(client, order={"PackageID": 1001, "ReconnectTN": tn}), "S2010",
        f"Order/ReconnectTN: {tn} is in use")


def test_wireless_port_is_a_conversion(client, app):
    mdn = unique_tn()
    out = ok(create(client, order={"PackageID": 1001, "WirelessPort": {
        "MDN": mdn, "AccountNumber": "ACC-1", "AuthorizedSigner": "Ann Lee",
        "PINPassword": "9999", "Remark": "port me", "ExternalProvider": "demowireless",
        "Address": addr(Address1="5 Old Rd")}}))
    o = order_of(app, out["Customer_ID"])
    assert o.order_type == "CONVERSION"
    with db(app) as s:
        port = s.scalars(select(OrderPort).where(OrderPort.order_id == o.id)).one()
        assert (port.mdn, port.account_number, port.external_provider) == (
            mdn, "ACC-1", "DEMOWIRELESS")
        assert port.address.address1 == "5 Old Rd" and port.address.kind == "PORT"
    got = ok(query(client, CustomerID=out["Customer_ID"]))["Customer"]
    assert got["Services"][0]["Service"]["TN"] == mdn


@pytest.mark.parametrize("port,code,fragment", [
    ({"ExternalProvider": "MANUAL"}, "S2010",
     "Order/WirelessPort/ExternalProvider: MANUAL is not a wireless provider"),
    ({"ExternalProvider": "NOPE"}, "CA2014", "Order/WirelessPort/ExternalProvider: 'NOPE'"),
    ({"MDN": None}, "S2010", "Order/WirelessPort/MDN: required"),
    ({"MDN": "555-0100"}, "S2010", "Order/WirelessPort/MDN: must be 10 digits"),
    ({"Address": None}, "S2010", "Order/WirelessPort/Address: required"),
    ({"AccountNumber": "n" * 101}, "S2010", "Order/WirelessPort/AccountNumber: at most 100"),
])
def test_wireless_port_errors(client, port, code, fragment):
    full = {"MDN": unique_tn(), "Address": addr(), **port}
    err(create(client, order={"PackageID": 1001,
                              "WirelessPort": {k: v for k, v in full.items() if v is not None}}),
        code, fragment)


def test_reconnect_with_a_port_is_s2010(client):
    err(create(client, order={"PackageID": 1001, "ReconnectTN": unique_tn(),
                              "WirelessPort": {"MDN": unique_tn(), "Address": addr()}}),
        "S2010", "Order/ReconnectTN: cannot be used with WirelessPort")


# ------------------------------------------------------------------------------ inventory


def inventory_of(got: dict[str, Any]) -> list[tuple[str, str]]:
    return [(i["Identifier"], i["Status"]) for svc in got.get("Services", [])
            for i in svc.get("Inventory", [])]


def test_an_available_device_is_assigned_and_the_order_flows_through(client, app, stock):
    imei = stock.imei()
    out = ok(create(client, order={"PackageID": 1001, "WirelessESN": imei}))
    item = stock.get(imei)
    assert (item.status, item.customer_id, item.service_id) == (
        "ASSIGNED", out["Customer_ID"], out["Lines"][0])
    assert item.assigned_date is not None
    o = order_of(app, out["Customer_ID"])
    assert o.flow_through is True
    got = ok(query(client, CustomerID=out["Customer_ID"]))["Customer"]
    assert inventory_of(got) == [(imei, "ASSIGNED")]
    assert "TN" not in got["Services"][0]["Service"]


def test_a_batched_device_gives_its_mdn_to_the_service(client, app, stock):
    imei, mdn = stock.batched()
    out = ok(create(client, order={"PackageID": 1001, "WirelessESN": imei}))
    item = stock.get(imei)
    assert (item.status, item.customer_id, item.mdn) == ("ASSIGNED", out["Customer_ID"], mdn)
    assert order_of(app, out["Customer_ID"]).flow_through is False
    got = ok(query(client, CustomerID=out["Customer_ID"]))["Customer"]
    svc = got["Services"][0]
    assert svc["Service"]["TN"] == mdn
    assert svc["Inventory"][0]["Wireless"]["MDN"] == mdn
    assert ok(query(client, TN=mdn))["Customer"]["ID"] == out["Customer_ID"]


def test_with_a_batched_device_the_iccid_is_not_used(client, stock):
    imei, _ = stock.batched()
    sim = stock.iccid()
    ok(create(client, order={"PackageID": 1001, "WirelessESN": imei, "WirelessICCID": sim}))
    assert stock.get(sim).status == "AVAILABLE"


@pytest.mark.parametrize("with_", ["WirelessPort", "ReconnectTN"])
def test_a_batched_device_has_its_own_tn_so_no_port_or_reconnect(client, stock, with_):
    imei, _ = stock.batched()
    order = {"PackageID": 1001, "WirelessESN": imei, "ReconnectTN": unique_tn()}
    if with_ == "WirelessPort":
        order = {"PackageID": 1001, "WirelessESN": imei,
                 "WirelessPort": {"MDN": unique_tn(), "Address": addr()}}
    err(create(client, order=order), "S2010",
        f"Order/WirelessESN: {imei} is BATCHED with its own MDN; it cannot be used with {with_}")
    assert stock.get(imei).status == "BATCHED"


def test_a_device_and_a_sim(client, stock):
    imei, sim = stock.imei(), stock.iccid()
    out = ok(create(client, order={"PackageID": 1001, "WirelessESN": imei,
                                   "WirelessICCID": sim}))
    got = ok(query(client, CustomerID=out["Customer_ID"]))["Customer"]
    assert sorted(inventory_of(got)) == sorted([(imei, "ASSIGNED"), (sim, "ASSIGNED")])


@pytest.mark.parametrize("field", ["WirelessESN", "WirelessICCID"])
def test_an_iccid_alone(client, stock, field):
    sim = stock.iccid()
    out = ok(create(client, order={"PackageID": 1001, field: sim}))
    assert stock.get(sim).customer_id == out["Customer_ID"]


@pytest.mark.parametrize("form", ["imei", "meid_hex", "meid_hex_lower", "meid_hex_0x",
                                  "meid_decimal"])
def test_a_device_recorded_by_imei_is_found_by_any_form(client, stock, form):
    imei = stock.imei()
    meid = imei[:14]
    sent = {"imei": imei, "meid_hex": meid, "meid_hex_lower": meid.lower(),
            "meid_hex_0x": "0x" + meid, "meid_decimal": meid_decimal(meid)}[form]
    out = ok(create(client, order={"PackageID": 1001, "WirelessESN": sent}))
    assert stock.get(imei).customer_id == out["Customer_ID"]


@pytest.mark.parametrize("recorded,sent", [
    ("meid_hex", "meid_decimal"), ("meid_decimal", "meid_hex"),
    ("esn_hex", "esn_decimal"), ("esn_decimal", "esn_hex"),
])
def test_meid_and_esn_hex_and_decimal_find_each_other(client, stock, recorded, sent):
    meid = "A1" + secrets.token_hex(6).upper()
    esn = "9F" + secrets.token_hex(3).upper()
    forms = {"meid_hex": meid, "meid_decimal": meid_decimal(meid),
             "esn_hex": esn, "esn_decimal": esn_decimal(esn)}
    stock.item(forms[recorded])
    out = ok(create(client, order={"PackageID": 1001, "WirelessESN": forms[sent]}))
    assert stock.get(forms[recorded]).customer_id == out["Customer_ID"]


def test_an_imei_with_another_check_digit_is_not_the_device(client, stock):
    imei = stock.imei()
    other = imei[:14] + str((int(imei[14]) + 1) % 10)
    err(create(client, order={"PackageID": 1001, "WirelessESN": other}), "I2019")


def test_demo_device_forms_find_the_same_item(app):
    """The demo IMEI 356938035643801: MEID hex 35693803564380, decimal 089608806705653376."""
    with db(app) as s:
        for sent in ("356938035643801", "35693803564380", "089608806705653376",
                     "0x35693803564380", "35693803564380".lower()):
            items = catalog.inventory_items(s, 1, sent, ("Mobile_Device",))
            assert items[0].identifier == "356938035643801", sent
        # the exact identifier is found first although the four demo IMEIs share an MEID
        items = catalog.inventory_items(s, 1, "356938035643803", ("Mobile_Device",))
        assert items[0].identifier == "356938035643803"
        assert catalog.inventory_items(s, 1, "89014103211118510701",
                                       ("SIM_Card",))[0].id == 5
        assert catalog.inventory_items(s, 2, "356938035643801", ("Mobile_Device",)) == []


def test_an_unavailable_device_is_an_error(client):
    err(create(client, order={"PackageID": 1001, "WirelessESN": "356938035643809"}), "S2010",
        "Order/WirelessESN: inventory item 356938035643809 is UNAVAILABLE")


def test_an_assigned_device_is_an_error(client, stock):
    imei = stock.imei()
    ok(create(client, order={"PackageID": 1001, "WirelessESN": imei}))
    err(create(client, order={"PackageID": 1001, "WirelessESN": imei}), "S2010",
        f"Order/WirelessESN: inventory item {imei} is ASSIGNED")
    err(create(client, order={"PackageID": 1001, "WirelessESN": imei[:14]}), "S2010",
        "is ASSIGNED")


def test_another_clients_device_does_not_exist(client, stock):
    imei = stock.imei(client_id=2)
    err(create(client, order={"PackageID": 1001, "WirelessESN": imei}), "I2019",
        f"Order/WirelessESN: no inventory item {imei}")
    assert stock.get(imei).status == "AVAILABLE"


@pytest.mark.parametrize("field", ["WirelessESN", "WirelessICCID"])
def test_an_unknown_device_is_i2019(client, field):
    err(create(client, order={"PackageID": 1001, field: "89000000000000000000"}), "I2019",
        f"Order/{field}: no inventory item 89000000000000000000")


def test_a_device_is_not_a_sim(client, stock):
    imei = stock.imei()
    err(create(client, order={"PackageID": 1001, "WirelessICCID": imei}), "I2019")


# ------------------------------------------------------------------------------ order of checks


def test_authentication_comes_first(client):
    bad = cust(SecurityPIN="x", PhysicalAddress=addr(Zip="99999"))
    out = jcall(client, OP, {"Session": {"SessionKey": "made-up"}, "Customer": bad})
    err(out, "S2004")
    assert "SessionKey" not in out["Header"]
    err(create(client, bad, creds=dict(DEMO, Password="wrong")), "S2005")
    err(jcall(client, OP, {"Customer": bad}), "S2005")


def test_permission_comes_before_input(client):
    creds = dict(CLERK, ImpersonationKey="clerk-impersonation-key")
    err(create(client, cust(SecurityPIN="x"), creds=creds), "S2017")


def test_s2010_comes_before_s2015(client):
    msg = err(create(client, cust(SecurityPIN="x", PhysicalAddress=addr(Zip="99999"))),
              "S2010")
    assert msg == "Customer/SecurityPIN: must be 4 digits"


def test_a_wrong_custom_field_label_is_input_before_s2015(client):
    err(create(client, cust(PhysicalAddress=addr(Zip="99999"),
                            Fields=[{"FieldID": 1, "Label": "Nope", "Value": "x"}])), "S2010",
        "does not match FieldID 1")


@pytest.mark.parametrize("customer,order", [
    (cust(AgentID=999), None),
    (cust(BIllProfileID=999), None),
    (cust(ParentCustomerID=999999), None),
    (cust(Lifeline=lifeline(LifelineTypeID=99)), None),
    (cust(), {"PackageID": 999}),
    (cust(), {"PackageID": 1001, "CarrierID": 999}),
    (cust(), {"PackageID": 1001, "WirelessESN": "000"}),
])
def test_input_comes_before_existence(client, customer, order):
    bad_zip = dict(customer, MailingAddress=addr(Zip="00000"))
    err(create(client, bad_zip, order), "S2015")
    bad_email = dict(customer, Email="nope")
    err(create(client, bad_email, order), "S2010", "Customer/Email")


def test_existence_in_documented_order(client):
    # the first thing that does not exist is named
    err(create(client, cust(AgentID=999, BIllProfileID=999), {"PackageID": 999}), "A2011")
    err(create(client, cust(BIllProfileID=999), {"PackageID": 999}), "B2012")


# ------------------------------------------------------------------------------ debug


def test_debug_masks_secrets(client):
    out = ok(create(client, cust(SSN="123456789", SecurityPIN="4321",
                                 Lifeline=lifeline(SelfCertificationPDF="JVBERi0xLjQ=")),
                    {"PackageID": 1002, "WirelessPort": {"MDN": unique_tn(), "Address": addr(),
                                                         "PINPassword": "port-pin"}},
                    Debug=True, Unheard="x"))
    dbg = out["Debug"]["Request"]
    assert dbg["Credentials"]["Password"] == "********"
    assert dbg["Customer"]["SSN"] == "********"
    assert dbg["Customer"]["SecurityPIN"] == "********"
    assert "SelfCertificationPDF" not in dbg["Customer"]["Lifeline"]
    assert dbg["Order"]["WirelessPort"]["PINPassword"] == "********"
    assert out["Debug"]["Ignored"] == ["Unheard"]
    text = json.dumps(out, default=str)
    assert "123456789" not in text and "4321" not in text and "port-pin" not in text


# ---------------------------------------------------------------- a create that fails halfway


def table_counts(app) -> dict[str, int]:
    with app.state.engine.connect() as conn:
        return {t.name: conn.execute(select(func.count()).select_from(t)).scalar_one()
                for t in Base.metadata.sorted_tables}


def test_a_create_that_fails_halfway_leaves_the_database_as_it_was(client, app, stock,
                                                                   monkeypatch, caplog):
    from openrev.store import customers as customers_repo

    key = jcall(client, "Sessions_Create", {"Credentials": DEMO})["Header"]["SessionKey"]
    imei, sim = stock.imei(), stock.iccid()
    real_history = customers_repo.add_history

    def failing_history(db, *args, **kw):
        # the very last write: customer, lines, order, products, outbox done
        real_history(db, *args, **kw)
        db.flush()  # and the devices' assignment
        raise RuntimeError("disk on fire /etc/secret-path")

    monkeypatch.setattr(customers_repo, "add_history", failing_history)
    before = table_counts(app)
    with caplog.at_level(logging.ERROR, logger="openrev.api"):
        r = client.post(f"/v20/json/{OP}", json={
            "Session": {"SessionKey": key},
            "Customer": cust(AcctNum="HALFWAY-1", Fields=[{"FieldID": 1, "Value": "x"}],
                             TaxExemptions=["FET"], Lifeline=lifeline(NLADEnrolled=True,
                                                                      StatusNote="n")),
            "Order": {"PackageID": 1002, "WirelessESN": imei, "WirelessICCID": sim,
                      "WirelessPort": {"MDN": unique_tn(), "Address": addr()},
                      "ShippingAddress": addr(CompanyName="Acme"),
                      "AdditionalProducts": [{"ProductID": 2004}]},
            "SendOrders": True})
    assert r.status_code == 200
    out = r.json()
    h = out["Header"]
    assert h["Success"] is False and h["Error_Code"] == "CN2001"
    assert h["Error_Description"] == "Configuration Error."
    assert h["Message"].startswith("internal error; reference ")
    ref = h["Message"].rsplit(" ", 1)[1]
    assert len(ref) >= 8
    assert any(ref in rec.getMessage() for rec in caplog.records)
    assert "Traceback" not in r.text and "disk on fire" not in r.text
    assert "secret-path" not in r.text and "new_customers.py" not in r.text
    assert out["Debug"]["Request"]["Customer"]["AcctNum"] == "HALFWAY-1"

    assert table_counts(app) == before
    assert stock.get(imei).status == "AVAILABLE" and stock.get(imei).customer_id is None
    assert stock.get(sim).status == "AVAILABLE"
    with db(app) as s:
        assert s.scalars(select(Customer).where(Customer.acct_num == "HALFWAY-1")).all() == []

    monkeypatch.setattr(customers_repo, "add_history", real_history)
    out = ok(jcall(client, OP, {"Session": {"SessionKey": key}, "Customer": cust(),
                                "Order": {"PackageID": 1001, "WirelessESN": imei}}))
    assert stock.get(imei).customer_id == out["Customer_ID"]


def test_a_create_refused_on_its_last_check_writes_nothing(client, app):
    key = jcall(client, "Sessions_Create", {"Credentials": DEMO})["Header"]["SessionKey"]
    before = table_counts(app)
    out = jcall(client, OP, {"Session": {"SessionKey": key}, "Customer": cust(
        Lifeline=lifeline(NLADEnrolled=True), PhysicalAddress=addr(State="CA", Zip="90210")),
        "Order": {"PackageID": 1002, "WirelessESN": "356938035643809"}})
    err(out, "CN2001")
    out = jcall(client, OP, {"Session": {"SessionKey": key}, "Customer": cust(),
                             "Order": {"PackageID": 1002, "WirelessESN": "356938035643809"},
                             })
    err(out, "S2010", "Customer/Lifeline: required")
    out = jcall(client, OP, {"Session": {"SessionKey": key}, "Customer": cust(
        Lifeline=lifeline()), "Order": {"PackageID": 1002, "WirelessESN": "356938035643809"}})
    err(out, "S2010", "UNAVAILABLE")
    assert table_counts(app) == before


# ------------------------------------------------------------------------------ SOAP, raw bytes

ITEM_NAMES = {"Fields": "Field", "TaxExemptions": "TaxExemption",
              "AdditionalProducts": "Product"}


def to_xml(value: Any, name: str, p: str) -> str:
    if isinstance(value, dict):
        inner = "".join(to_xml(v, k, p) for k, v in value.items())
        return f"<{p}{name}>{inner}</{p}{name}>"
    if isinstance(value, list):
        item = ITEM_NAMES[name]
        inner = "".join(to_xml(v, item, p) for v in value)
        return f"<{p}{name}>{inner}</{p}{name}>"
    if isinstance(value, bool):
        value = "true" if value else "false"
    text = str(value).replace("&", "&amp;").replace("<", "&lt;")
    return f"<{p}{name}>{text}</{p}{name}>"


def soap_body(customer: dict, order: dict | None = None, p: str = "r:", **extra: Any) -> str:
    xml = to_xml(customer, "Customer", p)
    if order is not None:
        xml += to_xml(order, "Order", p)
    for k, v in extra.items():
        xml += to_xml(v, k, p)
    return xml


def items(el, path: str) -> list:
    node = el
    for part in path.split("/"):
        node = [c for c in node if c.tag.split("}")[-1] == part][0]
    return list(node)


@pytest.mark.parametrize("version", [11, 12])
def test_soap_create_and_query(client, version):
    customer = cust(AcctNum="SOAP-1", AgentNumber=5001, Email="soap@example.com",
                    Fields=[{"FieldID": 2, "Value": "Noon & later"}],
                    TaxExemptions=["FET", "State"], Billing={"Overdue": "3.50"})
    order = {"PackageID": 1001, "AdditionalProducts": [{"ProductID": 2003, "Quantity": 2}]}
    r = post_soap(client, OP, creds_xml(DEMO) + soap_body(customer, order), version=version)
    assert r.status_code == 200
    res = result_of(r.content, OP)
    assert res.tag == f"{{{TNS}}}{OP}Result"
    assert child_text(res, "Header/Success") == "true", r.text
    cid = child_text(res, "Customer_ID")
    assert child_text(res, "Status") == "PENDING"
    assert child_text(res, "BillMethod") == "EMAIL_ONLY"
    assert [e.tag.split("}")[-1] for e in items(res, "Orders")] == ["Order"]
    assert [e.tag.split("}")[-1] for e in items(res, "Lines")] == ["Line"]
    products = [(child_text(p, "ProductID"), child_text(p, "ProductGroupID"),
                 child_text(p, "LeadProductFlag")) for p in items(res, "Products")]
    assert products == [("2001", "1", "true"), ("2002", "1", "false"), ("2003", "0", "false"),
                        ("2003", "0", "false")]

    r = post_soap(client, "Customers_Query",
                  creds_xml(DEMO) + f"<r:CustomerID>{cid}</r:CustomerID>", version=version)
    q = result_of(r.content, "Customers_Query")
    assert child_text(q, "Header/Success") == "true"
    assert child_text(q, "Customer/AcctNum") == "SOAP-1"
    assert child_text(q, "Customer/AgentID") == "1"
    assert child_text(q, "Customer/Billing/Overdue") == "3.50"
    assert [e.text for e in items(q, "Customer/TaxExemptions")] == ["FET", "State"]
    [field] = items(q, "Customer/Fields")
    assert (child_text(field, "FieldID"), child_text(field, "Label"),
            child_text(field, "Value")) == ("2", "Preferred Contact Time", "Noon & later")
    [svc] = items(q, "Customer/Services")
    assert svc.tag.split("}")[-1] == "ServiceItem"
    assert [child_text(p, "Quantity") for p in items(svc, "Products")] == ["1", "1", "1", "2"]


@pytest.mark.parametrize("version", [11, 12])
def test_soap_errors(client, version):
    for customer, code in ((cust(PhysicalAddress=addr(Zip="99999")), "S2015"),
                           (cust(SecurityPIN="12"), "S2010"),
                           (cust(AgentID=999), "A2011")):
        res = result_of(post_soap(client, OP, creds_xml(DEMO) + soap_body(customer),
                                  version=version).content, OP)
        assert child_text(res, "Header/Success") == "false"
        assert child_text(res, "Header/Error_Code") == code
        assert child_text(res, "Customer_ID") is None
    res = result_of(post_soap(client, OP, creds_xml(DEMO) + soap_body(cust(), {
        "PackageID": 1001, "WirelessESN": "356938035643809"}), version=version).content, OP)
    assert child_text(res, "Header/Error_Code") == "S2010"
    assert "UNAVAILABLE" in child_text(res, "Header/Message")


ERROR_CASES = [
    ("S2010", cust(SecurityPIN="12"), None),
    ("S2015", cust(PhysicalAddress=addr(Zip="99999")), None),
    ("A2011", cust(AgentID=999), None),
    ("B2012", cust(BIllProfileID=999), None),
    ("C2002", cust(ParentCustomerID=999999), None),
    ("C2008", cust(ParentCustomerID=1), None),
    ("L2015", cust(Lifeline=lifeline(LifelineTypeID=99)), None),
    ("L2016", cust(Lifeline=lifeline(ProofTypeID=99)), None),
    ("CN2001", cust(PhysicalAddress=addr(State="CA", Zip="90210"),
                    Lifeline=lifeline(NLADEnrolled=True)), None),
    ("PK2013", cust(), {"PackageID": 999}),
    ("CA2014", cust(), {"PackageID": 1001, "CarrierCode": "NOPE"}),
    ("LT2001", cust(), {"PackageID": 1001, "LineTypeID": 99}),
    ("PC2001", cust(), {"PackageID": 1001, "ProcessID": 99}),
    ("PR2023", cust(), {"PackageID": 1001, "AdditionalProducts": [{"ProductID": 9999}]}),
    ("I2019", cust(), {"PackageID": 1001, "WirelessESN": "000000000000000"}),
]


@pytest.mark.parametrize("version", [11, 12])
@pytest.mark.parametrize("code,customer,order", ERROR_CASES, ids=[c[0] for c in ERROR_CASES])
def test_every_error_code_over_soap(client, version, code, customer, order):
    r = post_soap(client, OP, creds_xml(DEMO) + soap_body(customer, order), version=version)
    assert r.status_code == 200
    res = result_of(r.content, OP)
    assert child_text(res, "Header/Success") == "false"
    assert child_text(res, "Header/Error_Code") == code
    json_header = create(client, customer, order)["Header"]
    assert child_text(res, "Header/Message") == json_header["Message"]
    assert child_text(res, "Header/Error_Description") == json_header["Error_Description"]
    assert child_text(res, "Customer_ID") is None


def test_soap_empty_and_nil_elements(client):
    # <X/> and xsi:nil leave a field unset; <X></X> writes its empty value
    xml = creds_xml(DEMO) + soap_body(cust()).replace(
        "<r:Customer>", '<r:Customer><r:AgentID xsi:nil="true"/><r:SecurityPIN/>'
                        "<r:Email></r:Email><r:BillMethod></r:BillMethod>")
    res = result_of(post_soap(client, OP, xml).content, OP)
    assert child_text(res, "Header/Success") == "true", child_text(res, "Header/Message")
    assert child_text(res, "BillMethod") == "EMAIL_ONLY"


def test_php_soapclient_style_request(client):
    """SOAP 1.2, an old copy of the WSDL (another namespace, default prefix ns1), a Session,
    elements the documents do not have (Order/TN, the service's number) or spell otherwise
    (Billing/OverDue)."""
    key = jcall(client, "Sessions_Create", {"Credentials": DEMO})["Header"]["SessionKey"]
    customer = cust(AcctNum="PHP-1", CustomerClass="Residential", SecurityPIN="2468",
                    Billing={"OverDue": "7.25", "Balance": "7.25"},
                    Lifeline=lifeline(SelfCertificationPDF=base64.b64encode(b"%PDF").decode()))
    order = {"PackageID": 1002, "TN": "8505559999", "Description": "PHP line"}
    inner = (session_xml(key, "ns1") + soap_body(customer, order, p="ns1:")
             + "<ns1:SendOrders>1</ns1:SendOrders><ns1:Debug>true</ns1:Debug>")
    body = (f'<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<env:Envelope xmlns:env="{SOAP12}" xmlns:ns1="{FOREIGN}">'
            f"<env:Body><ns1:NewCustomers_Create><ns1:Request>{inner}</ns1:Request>"
            f"</ns1:NewCustomers_Create></env:Body></env:Envelope>").encode()
    r = client.post("/v20/default.asmx", content=body, headers={
        "Content-Type": f'application/soap+xml; charset=utf-8; action="{FOREIGN}#{OP}"'})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/soap+xml")
    res = result_of(r.content, OP)
    assert res.tag == f"{{{FOREIGN}}}{OP}Result"
    assert res.getparent().tag == f"{{{FOREIGN}}}{OP}Response"
    assert child_text(res, "Header/Success") == "true", r.text
    assert child_text(res, "Header/SessionKey") == key
    assert child_text(res, "Status") == "PENDING"
    assert child_text(res, "Debug/Ignored") is None  # Order/TN is understood now
    assert child_text(res, "Debug/Request/Customer/SecurityPIN") == "********"
    assert b"JVBERg" not in r.content  # the PDF is not echoed
    cid = child_text(res, "Customer_ID")

    q = (session_xml(key, "ns1") + f"<ns1:CustomerID>{cid}</ns1:CustomerID>")
    body = (f'<env:Envelope xmlns:env="{SOAP12}" xmlns:ns1="{FOREIGN}"><env:Body>'
            f"<ns1:Customers_Query><ns1:Request>{q}</ns1:Request></ns1:Customers_Query>"
            f"</env:Body></env:Envelope>").encode()
    r = client.post("/v20/default.asmx", content=body, headers=headers_for(12, "x"))
    res = result_of(r.content, "Customers_Query")
    assert res.tag == f"{{{FOREIGN}}}Customers_QueryResult"
    assert child_text(res, "Customer/Billing/Overdue") == "7.25"
    assert child_text(res, "Customer/Billing/Balance") == "7.25"
    assert child_text(res, "Customer/LifeLine/Status") == "NEEDS_REVIEW"
    assert child_text(res, "Customer/Services/ServiceItem/Service/TN") == "8505559999"
    assert child_text(res, "Customer/SecurityPIN") == "2468"


def test_soap_operation_and_fields_case_insensitively(client):
    xml = creds_xml(DEMO) + soap_body(
        {"mailingaddress": addr(), "PHYSICALADDRESS": addr(), "acctnum": "CASE-1"})
    r = post_soap(client, "newcustomers_create", xml)
    res = result_of(r.content, OP)
    assert child_text(res, "Header/Success") == "true"


# ------------------------------------------------------------------------------ zeep


def test_zeep_create_and_query(service, stock):
    imei = stock.imei()
    res = service.NewCustomers_Create(Request={
        "Credentials": DEMO,
        "Customer": {
            "AcctNum": "ZEEP-1", "AgentID": 1, "BIllProfileID": 2, "SecurityPIN": "1357",
            "DOB": dt.date(1985, 7, 8), "Email": "zeep@example.com", "SSN": "111-22-3333",
            "CustomerClass": "Residential", "ContractStart": dt.date(2025, 1, 1),
            "ContactEnd": dt.date(2027, 1, 1),
            "Lifeline": {"LifelineTypeID": 1, "TemporaryAddress": False,
                         "SeparateEconomicUnit": True, "Status": "APPROVED",
                         "CertificationDate": dt.date(2025, 2, 1),
                         "SelfCertificationPDF": b"%PDF-1.4", "AnnualIncome": Decimal("12000"),
                         "HouseholdCount": 2},
            "Fields": {"Field": [{"Label": "Referral Source", "Value": "zeep"}]},
            "TaxExemptions": {"string": ["FET"]},
            "MailingAddress": addr(), "PhysicalAddress": addr(Zip4="1234"),
            "Billing": {"PaymentTerms": 20},
        },
        "Order": {"PackageID": 1002, "WirelessESN": imei,
                  "AdditionalProducts": {"Product": [{"ProductID": 2003,
                                                      "Rate": Decimal("10.00")}]}},
        "SendOrders": False,
    })
    assert res.Header.Success is True, res.Header
    assert res.Status == "PENDING" and res.BillMethod == "PRINT_ONLY"
    assert [(p.ProductID, p.ProductGroupID, p.LeadProductFlag) for p in res.Products.Product] \
        == [(2001, 0, False), (2005, 0, False), (2003, 0, False)]
    assert len(res.Orders.Order) == 1 and len(res.Lines.Line) == 1
    key = res.Header.SessionKey

    q = service.Customers_Query(Request={"Session": {"SessionKey": key},
                                         "Inventory": {"Identifier": imei}})
    assert q.Header.Success is True
    c = q.Customer
    assert c.ID == res.Customer_ID and c.AcctNum == "ZEEP-1"
    assert (c.AgentID, c.AgentNumber, c.BIllProfileID, c.BillMethod) == (1, 5001, 2,
                                                                         "PRINT_ONLY")
    assert c.DOB == dt.date(1985, 7, 8) and c.SSN == "111223333"
    assert (c.ContractStart, c.ContractEnd) == (dt.date(2025, 1, 1), dt.date(2027, 1, 1))
    assert c.LifeLine.Status == "APPROVED" and c.LifeLine.AnnualIncome == Decimal("12000.00")
    assert c.LifeLine.OriginalCertificationDate == dt.date(2025, 2, 1)
    assert c.LifeLine.SelfCertificationPDF is None
    assert c.TaxExemptions.string == ["FET"]
    assert [(f.FieldID, f.Value) for f in c.Fields.Field] == [(1, "zeep")]
    assert c.PhysicalAddress.Zip4 == "1234" and c.Billing.PaymentTerms == 20
    [svc] = c.Services.ServiceItem
    assert [p.Rate for p in svc.Products.Product] == [Decimal("25.00"), Decimal("-9.25"),
                                                      Decimal("10.00")]
    assert svc.Inventory.Inventory[0].Identifier == imei


def zeep_shape(value: Any, name: str = "") -> Any:
    """A request dict as zeep takes it: a list inside its wrapper's item element."""
    if isinstance(value, dict):
        return {k: zeep_shape(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return {ITEM_NAMES[name]: [zeep_shape(v) for v in value]}
    return value


@pytest.mark.parametrize("code,customer,order", ERROR_CASES, ids=[c[0] for c in ERROR_CASES])
def test_every_error_code_through_zeep(service, code, customer, order):
    request = {"Credentials": DEMO, "Customer": zeep_shape(customer)}
    if order is not None:
        request["Order"] = zeep_shape(order)
    res = service.NewCustomers_Create(Request=request)
    assert res.Header.Success is False
    assert res.Header.Error_Code == code
    assert res.Customer_ID is None


def test_zeep_errors(service):
    res = service.NewCustomers_Create(Request={
        "Credentials": DEMO, "Customer": {"MailingAddress": addr(),
                                          "PhysicalAddress": addr(Zip="00000")}})
    assert res.Header.Success is False and res.Header.Error_Code == "S2015"
    assert res.Customer_ID is None
    res = service.NewCustomers_Create(Request={
        "Credentials": DEMO, "Customer": {"MailingAddress": addr(), "PhysicalAddress": addr()},
        "Order": {"PackageID": 424242}})
    assert res.Header.Error_Code == "PK2013"
