"""Customers_Update: partial updates exactly as the documents describe them, every rule and
error code, over JSON and raw SOAP 1.1 / 1.2 bytes, through zeep and a real PHP SoapClient;
the change history; concurrent updates of one customer.

Every test works on customers it creates (NewCustomers_Create without an Order: PROSPECT),
and reads the result back through Customers_Query.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
import threading
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable

import httpx
import pytest
from sqlalchemy import select

from helpers import (
    CLERK, DEMO, OTHER, error, ok, post_soap, result_of, child_text,
)
from openrev.cli import main as cli_main
from openrev.store import crypto
from openrev.store.tables import (
    Customer, CustomerChange, CustomerHistory, PaymentAccount, User,
)

OP = "Customers_Update"
Call = Callable[[str, dict[str, Any]], dict[str, Any]]
ADDRESS = {"FirstName": "Una", "LastName": "Update", "Address1": "101 N Palafox St",
           "Address2": "Apt 2", "City": "Pensacola", "State": "FL", "Zip": "32502"}
FULL = {"Email": "una@example.com", "SecurityPIN": "1234", "Language": "English",
        "AcctNum": "UPD-1", "ContractStart": "2025-01-01", "ContactEnd": "2026-12-31",
        "DL": "D1234567", "SSN": "123-45-6789", "DOB": "1980-05-15", "Source": "Kiosk",
        "TaxExemptions": ["FET", "State"], "Billing": {"PaymentTerms": 20,
                                                       "UsageBalanceLimit": "50.00"},
        "Fields": [{"FieldID": 1, "Value": "Radio"}]}
IMPERSONATED_CLERK = dict(DEMO, ImpersonationKey="clerk-impersonation-key")


def jpost(client, op: str, body: dict[str, Any]) -> dict[str, Any]:
    r = client.post(f"/v20/json/{op}", json=body)
    assert r.status_code == 200, r.text
    return json.loads(r.content, parse_float=Decimal)


def new_customer(client, creds=DEMO, **extra: Any) -> int:
    customer = {"PhysicalAddress": ADDRESS, "MailingAddress": ADDRESS, **extra}
    out = jpost(client, "NewCustomers_Create", {"Credentials": creds, "Customer": customer})
    assert out["Header"]["Success"] is True, out["Header"]
    return out["Customer_ID"]


def query(client, customer_id: int, creds=DEMO) -> dict[str, Any]:
    out = jpost(client, "Customers_Query", {"Credentials": creds, "CustomerID": customer_id})
    assert out["Header"]["Success"] is True, out["Header"]
    return out["Customer"]


def update(client, customer: dict[str, Any], creds=DEMO) -> dict[str, Any]:
    return jpost(client, OP, {"Credentials": creds, "Customer": customer})


def set_columns(sessions, customer_id: int, **values: Any) -> None:
    with sessions() as db, db.begin():
        c = db.get(Customer, customer_id)
        for k, v in values.items():
            setattr(c, k, v)


def add_payment_account(sessions, customer_id: int) -> int:
    with sessions() as db, db.begin():
        c = db.get(Customer, customer_id)
        pa = PaymentAccount(client_id=c.client_id, customer_id=c.id, account_type="ACH",
                            description="Checking", last4="6789")
        db.add(pa)
        db.flush()
        return pa.id


# ------------------------------------------------------------------ partial updates


def test_only_the_fields_given_change_and_the_answer_is_the_header_alone(client, call):
    cid = new_customer(client, **FULL)
    before = query(client, cid)
    out = ok(call(OP, {"Credentials": DEMO, "Customer": {
        "ID": cid, "Email": "new@example.com", "PhysicalAddress": {"FirstName": "Test"}}}))
    assert set(out) == {"Header"}
    after = query(client, cid)
    assert after["Email"] == "new@example.com"
    assert after["PhysicalAddress"]["FirstName"] == "Test"
    before["Email"] = "new@example.com"
    before["PhysicalAddress"]["FirstName"] = "Test"
    assert after == before


def _three_states_xml(cid: int, how: str) -> str:
    """A request writing a string, a number, a date, a list and a sub-object field as ``how``:
    'self' (<X />), 'nil' (xsi:nil), 'empty' (<X></X>)."""
    def el(name: str) -> str:
        return {"self": f"<r:{name} />", "nil": f'<r:{name} xsi:nil="true"/>',
                "empty": f"<r:{name}></r:{name}>"}[how]
    return (f"<r:Credentials><r:Username>demo</r:Username><r:Password>demo</r:Password>"
            f"<r:Client>DEMO</r:Client></r:Credentials>"
            f"<r:Customer><r:ID>{cid}</r:ID>{el('SecurityPIN')}{el('Email')}"
            f"<r:Billing>{el('PaymentTerms')}</r:Billing>{el('ContractEnd')}"
            f"{el('TaxExemptions')}<r:PhysicalAddress>{el('Address2')}</r:PhysicalAddress>"
            f"</r:Customer>")


@pytest.mark.parametrize("version", [11, 12])
@pytest.mark.parametrize("how", ["self", "nil", "empty"])
def test_three_states_as_raw_soap_bytes(client, version, how):
    cid = new_customer(client, **FULL)
    r = post_soap(client, OP, _three_states_xml(cid, how), version=version)
    assert r.status_code == 200, r.text
    res = result_of(r.content, OP)
    assert child_text(res, "Header/Success") == "true", r.text
    c = query(client, cid)
    if how in ("self", "nil"):  # leave every field as it is
        assert (c["SecurityPIN"], c["Email"], c["Billing"]["PaymentTerms"],
                c["ContractEnd"], c["PhysicalAddress"]["Address2"]) == (
            "1234", "una@example.com", 20, "2026-12-31", "Apt 2")
        # a list: only xsi:nil leaves it; <TaxExemptions /> is a list with no items
        assert c["TaxExemptions"] == (["FET", "State"] if how == "nil" else [])
    else:  # <X></X>: the empty value is written
        assert "SecurityPIN" not in c and "Email" not in c and "ContractEnd" not in c
        assert "Address2" not in c["PhysicalAddress"]
        assert c["Billing"]["PaymentTerms"] == 0
        assert c["TaxExemptions"] == []
        assert c["PhysicalAddress"]["FirstName"] == "Una"  # the rest of the address stays


def test_nil_on_a_list_leaves_it_and_an_empty_tag_empties_it(client):
    cid = new_customer(client, **FULL)
    creds = ("<r:Credentials><r:Username>demo</r:Username><r:Password>demo</r:Password>"
             "<r:Client>DEMO</r:Client></r:Credentials>")
    for body, expected in (
            (f'<r:TaxExemptions xsi:nil="true"/>', ["FET", "State"]),
            ("<r:TaxExemptions><r:string>Local</r:string></r:TaxExemptions>", ["Local"]),
            ("<r:TaxExemptions/>", [])):
        r = post_soap(client, OP, f"{creds}<r:Customer><r:ID>{cid}</r:ID>{body}</r:Customer>")
        assert child_text(result_of(r.content, OP), "Header/Success") == "true", r.text
        assert query(client, cid)["TaxExemptions"] == expected


def test_three_states_in_json(client):
    cid = new_customer(client, **FULL)
    ok(update(client, {"ID": cid, "SecurityPIN": None, "Email": None, "ContractEnd": None,
                       "TaxExemptions": None, "Billing": {"PaymentTerms": None},
                       "PhysicalAddress": {"Address2": None}}))
    c = query(client, cid)
    assert (c["SecurityPIN"], c["Email"], c["Billing"]["PaymentTerms"], c["ContractEnd"],
            c["TaxExemptions"], c["PhysicalAddress"]["Address2"]) == (
        "1234", "una@example.com", 20, "2026-12-31", ["FET", "State"], "Apt 2")
    ok(update(client, {"ID": cid, "SecurityPIN": "", "Email": "", "ContractEnd": "",
                       "TaxExemptions": [], "Billing": {"PaymentTerms": 0},
                       "PhysicalAddress": {"Address2": ""}}))
    c = query(client, cid)
    assert "SecurityPIN" not in c and "Email" not in c and "ContractEnd" not in c
    assert c["Billing"]["PaymentTerms"] == 0 and c["TaxExemptions"] == []
    assert "Address2" not in c["PhysicalAddress"]


def test_every_documented_field(client, call, sessions):
    cid = new_customer(client)
    account = add_payment_account(sessions, cid)
    ok(call(OP, {"Credentials": DEMO, "Customer": {
        "ID": cid, "AcctNum": " ACC-9 ", "AgentID": 1, "BillProfileID": 2,
        "SecurityPIN": "4321", "ContractStart": "2025-02-01", "ContractEnd": "2027-01-31",
        "Language": "Spanish",
        "PhysicalAddress": {"LastName": "Nuevo", "State": "fl", "Zip": "32501", "Zip4": "1234"},
        "MailingAddress": {"Address1": "1 Main St", "City": "Miami", "Zip": "33101"},
        "Billing": {"Balance": "10.005", "Due": "5", "OverDue": "1.10", "UnbilledUsage": "2",
                    "EnableBalanceLimit": True, "UsageBalanceLimit": "75.5",
                    "PaymentTerms": 45, "PaymentTermsOverride": True},
        "DOB": "1970-01-02", "DL": "X999", "SSN": "987654321", "Source": "CRM",
        "BillMethod": "BOTH", "Email": "all@example.com",
        "Fields": [{"Label": "Preferred Contact Time", "Value": "Evenings"}],
        "TaxExemptions": ["FET_State"], "IsAutoDebit": True, "AutoPaymentAccountID": account,
        "AutoDebitDay": 28}}))
    c = query(client, cid)
    assert (c["AcctNum"], c["AgentID"], c["AgentNumber"], c["BIllProfileID"],
            c["SecurityPIN"], c["ContractStart"], c["ContractEnd"], c["Language"]) == (
        "ACC-9", 1, 5001, 2, "4321", "2025-02-01", "2027-01-31", "Spanish")
    p, m = c["PhysicalAddress"], c["MailingAddress"]
    assert (p["FirstName"], p["LastName"], p["State"], p["Zip"], p["Zip4"]) == (
        "Una", "Nuevo", "FL", "32501", "1234")
    assert (m["Address1"], m["City"], m["Zip"], m["FirstName"]) == (
        "1 Main St", "Miami", "33101", "Una")
    assert c["Billing"] == {"Balance": Decimal("10.01"), "Due": Decimal("5.00"),
                            "Overdue": Decimal("1.10"), "UnbilledUsage": Decimal("2.00"),
                            "EnabledBalanceLimit": True, "UsageBalanceLimit": Decimal("75.50"),
                            "PaymentTerms": 45, "PaymentTermsOverride": True}
    assert (c["DOB"], c["DL"], c["SSN"], c["Source"], c["BillMethod"], c["Email"]) == (
        "1970-01-02", "X999", "987654321", "CRM", "BOTH", "all@example.com")
    assert c["Fields"] == [{"FieldID": 2, "Label": "Preferred Contact Time",
                            "Value": "Evenings"}]
    assert c["TaxExemptions"] == ["FET_State"]
    assert (c["IsAutoDebit"], c["AutoPaymentAccountID"], c["AutoDebitDay"]) == (
        True, account, 28)


def test_agent_number_is_ignored_when_agent_id_is_given(client):
    cid = new_customer(client)
    ok(update(client, {"ID": cid, "AgentNumber": "5001"}))
    assert query(client, cid)["AgentID"] == 1
    ok(update(client, {"ID": cid, "AgentID": 0, "AgentNumber": "99999"}))
    assert "AgentID" not in query(client, cid)
    error(update(client, {"ID": cid, "AgentNumber": "4242"}), "A2011",
          "Customer/AgentNumber: 4242 does not exist")


def test_custom_fields_by_id_or_label_and_a_value_left_or_emptied(client):
    cid = new_customer(client, Fields=[{"FieldID": 1, "Value": "Radio"},
                                       {"FieldID": 2, "Value": "Mornings"}])
    ok(update(client, {"ID": cid, "Fields": [{"FieldID": 1, "Label": "referral source",
                                              "Value": "TV"},
                                             {"Label": "Preferred Contact Time",
                                              "Value": None}]}))
    assert query(client, cid)["Fields"] == [
        {"FieldID": 1, "Label": "Referral Source", "Value": "TV"},
        {"FieldID": 2, "Label": "Preferred Contact Time", "Value": "Mornings"}]
    ok(update(client, {"ID": cid, "Fields": [{"FieldID": 2, "Value": ""}], "Email": "x@y.io"}))
    assert query(client, cid)["Fields"] == [
        {"FieldID": 1, "Label": "Referral Source", "Value": "TV"},
        {"FieldID": 2, "Label": "Preferred Contact Time"}]
    ok(update(client, {"ID": cid, "Fields": []}))  # names no field: nothing changes
    assert len(query(client, cid)["Fields"]) == 2
    error(update(client, {"ID": cid, "Fields": [{"FieldID": 1, "Label": "Preferred Contact "
                                                 "Time", "Value": "v"}]}), "S2010",
          "Customer/Fields/Field[1]/Label: 'Preferred Contact Time' does not match FieldID 1 "
          "('Referral Source')")


def test_separate_economic_unit_as_boolean_or_string(client):
    cid = new_customer(client, SSN="123456789", DOB="1980-01-01",
                       Lifeline={"LifelineTypeID": 1, "Program": "ETC_LIFELINE"})
    ok(update(client, {"ID": cid, "Lifeline": {"SeparateEconomicUnit": "true"}}))
    assert query(client, cid)["LifeLine"]["SeparateEconomicUnit"] is True
    ok(update(client, {"ID": cid, "Lifeline": {"SeparateEconomicUnit": False}}))
    assert query(client, cid)["LifeLine"]["SeparateEconomicUnit"] is False


# ------------------------------------------------------------------ input (S2010, S2015)


def test_every_input_problem_of_a_request_together(client, call):
    cid = new_customer(client)
    out = call(OP, {"Credentials": DEMO, "Customer": {
        "ID": cid, "SecurityPIN": "12", "Email": "nope", "SSN": "12", "DOB": "2999-01-01",
        "ContractStart": "2025-05-01", "ContractEnd": "2025-04-01", "AutoDebitDay": 29,
        "IsAutoDebit": True, "PhysicalAddress": {"FirstName": "", "State": "Florida"},
        "TaxExemptions": ["Bogus"], "Billing": {"PaymentTerms": -1},
        "Lifeline": {"HouseholdCount": 0}, "AcctNum": "A" * 51}})
    error(out, "S2010", "; ".join([
        "Customer/AcctNum: at most 50 characters",
        "Customer/SecurityPIN: must be 4 digits",
        "Customer/Email: not an email address",
        "Customer/SSN: must be 9 digits",
        "Customer/DOB: must not be in the future",
        "Customer/ContractEnd: must not be before ContractStart",
        "Customer/AutoDebitDay: must be 0 (the due date) or a day from 1 to 28",
        "Customer/AutoPaymentAccountID: required when IsAutoDebit is true",
        "Customer/PhysicalAddress/FirstName: required for a Residential customer",
        "Customer/PhysicalAddress/State: must be 2 letters",
    ]) + "; and 3 more")


def test_customer_id_is_required(call):
    error(call(OP, {"Credentials": DEMO, "Customer": {"Email": "a@b.co"}}), "S2010",
          "Customer/ID: required")
    error(call(OP, {"Credentials": DEMO}), "S2010", "Customer: required")


def test_an_address_change_is_judged_on_the_whole_address(client):
    cid = new_customer(client)
    # the rest of the stored address is valid: only what is written is reported
    error(update(client, {"ID": cid, "PhysicalAddress": {"Zip": "3250", "ID": 99}}), "S2010",
          "Customer/PhysicalAddress/Zip: must be 5 digits")
    error(update(client, {"ID": cid, "MailingAddress": {"CompanyName": "Acme"}}), "S2010",
          "Customer/MailingAddress/CompanyName: prohibited for a Residential customer")


def test_a_changed_zip_is_checked_and_s2010_comes_first(client, call):
    cid = new_customer(client)
    error(call(OP, {"Credentials": DEMO, "Customer": {"ID": cid, "PhysicalAddress": {
        "Zip": "99999"}}}), "S2015", "Customer/PhysicalAddress/Zip: 99999 is not a known US "
                                    "zip code")
    error(call(OP, {"Credentials": DEMO, "Customer": {"ID": cid, "Email": "x", "MailingAddress":
                                                      {"Zip": "99999"}}}),
          "S2010", "Customer/Email: not an email address")


def test_the_auto_payment_account_must_be_one_of_the_customers(client, sessions):
    cid = new_customer(client)
    other = new_customer(client)
    foreign = add_payment_account(sessions, other)
    error(update(client, {"ID": cid, "IsAutoDebit": True, "AutoPaymentAccountID": foreign}),
          "S2010", f"Customer/AutoPaymentAccountID: {foreign} is not a payment account of "
                   f"customer {cid}")
    mine = add_payment_account(sessions, cid)
    ok(update(client, {"ID": cid, "IsAutoDebit": True, "AutoPaymentAccountID": mine,
                       "AutoDebitDay": 0}))
    c = query(client, cid)
    assert (c["IsAutoDebit"], c["AutoPaymentAccountID"], c["AutoDebitDay"]) == (True, mine, 0)
    # enabled: the account cannot be taken away without disabling AutoDebit
    error(update(client, {"ID": cid, "AutoPaymentAccountID": 0}), "S2010",
          "Customer/AutoPaymentAccountID: required when IsAutoDebit is true")
    ok(update(client, {"ID": cid, "IsAutoDebit": False, "AutoPaymentAccountID": 0}))
    assert query(client, cid)["IsAutoDebit"] is False


# ------------------------------------------------------------------ existence


def test_existence_codes(client, call):
    cid = new_customer(client)
    other_client_customer = new_customer(client, creds=OTHER)
    for customer, code, message in (
            ({"ID": 987654}, "C2002", "Customer/ID: 987654 does not exist"),
            ({"ID": other_client_customer}, "C2002",
             f"Customer/ID: {other_client_customer} does not exist"),
            ({"ID": cid, "AgentID": 77}, "A2011", "Customer/AgentID: 77 does not exist"),
            ({"ID": cid, "BillProfileID": 77}, "B2012", "Customer/BillProfileID: 77 does not "
                                                        "exist"),
            ({"ID": cid, "ParentAccountID": 987654}, "C2002",
             "Customer/ParentAccountID: 987654 does not exist"),
            ({"ID": cid, "Lifeline": {"ProofTypeID": 77}}, "L2016",
             "Customer/Lifeline/ProofTypeID: 77 does not exist"),
            # existence before state: a missing agent before the hierarchy rule
            ({"ID": cid, "AgentID": 77, "IsParentAccount": True, "ParentAccountID": cid},
             "A2011", "Customer/AgentID: 77 does not exist"),
    ):
        error(call(OP, {"Credentials": DEMO, "Customer": customer}), code, message)


# ------------------------------------------------------------------ hierarchy (C2008)


def test_hierarchy_rules(client, call):
    standard = new_customer(client)
    parent = new_customer(client, IsParentAccount=True)
    other_parent = new_customer(client, IsParentAccount=True)
    child = new_customer(client, ParentCustomerID=parent)
    C2008 = "C2008"
    error(call(OP, {"Credentials": DEMO, "Customer": {
        "ID": standard, "IsParentAccount": True, "ParentAccountID": parent}}), C2008,
        "Customer/IsParentAccount: cannot be passed in conjunction with ParentAccountID")
    error(call(OP, {"Credentials": DEMO, "Customer": {"ID": parent, "IsParentAccount": False}}),
          C2008, f"Customer/IsParentAccount: customer {parent} is a parent account; a parent "
                 "account cannot become a standard account")
    error(call(OP, {"Credentials": DEMO, "Customer": {"ID": child, "IsParentAccount": True}}),
          C2008, f"Customer/IsParentAccount: customer {child} is a child of {parent}; a child "
                 "account cannot become a parent account")
    error(call(OP, {"Credentials": DEMO, "Customer": {"ID": standard,
                                                      "ParentAccountID": child}}),
          C2008, f"Customer/ParentAccountID: customer {child} is not a parent account")
    error(call(OP, {"Credentials": DEMO, "Customer": {"ID": parent,
                                                      "ParentAccountID": parent}}),
          C2008, "Customer/ParentAccountID: a customer cannot be its own parent")
    out = jpost(client, OP, {"Credentials": DEMO, "Customer": {"ID": parent,
                                                               "ParentAccountID": other_parent}})
    ok(out)  # a parent may sit below another parent
    error(call(OP, {"Credentials": DEMO, "Customer": {"ID": other_parent,
                                                      "ParentAccountID": parent}}),
          C2008, f"Customer/ParentAccountID: customer {parent} is below customer "
                 f"{other_parent}; the hierarchy would be a cycle")
    # allowed: standard -> parent, a child moves to another parent; 0 names no parent
    ok(call(OP, {"Credentials": DEMO, "Customer": {"ID": child, "ParentAccountID": other_parent,
                                                   "IsParentAccount": False}}))
    assert query(client, child)["ParentAccountID"] == other_parent
    ok(call(OP, {"Credentials": DEMO, "Customer": {"ID": child, "ParentAccountID": 0}}))
    assert query(client, child)["ParentAccountID"] == other_parent
    fresh = new_customer(client)
    ok(call(OP, {"Credentials": DEMO, "Customer": {"ID": fresh, "IsParentAccount": True}}))
    assert query(client, fresh)["IsParentAccount"] is True


# ------------------------------------------------------------------ Lifeline


def test_lifeline_conversion_needs_the_permission(client, call):
    cid = new_customer(client, SSN="123456789", DOB="1980-01-01")
    body = {"ID": cid, "Lifeline": {"LifelineTypeID": 1, "Program": "ETC_LIFELINE"}}
    error(call(OP, {"Credentials": CLERK, "Customer": body}), "S2017",
          "Customer/Lifeline: changing the Lifeline status or program: requires the "
          "permission MANUALLY_CHANGE_LIFELINE_INFORMATION")
    assert query(client, cid).get("LifeLine") is None
    ok(call(OP, {"Credentials": DEMO, "Customer": body}))
    ll = query(client, cid)["LifeLine"]
    assert (ll["Program"], ll["LifelineTypeID"], ll["Status"]) == (
        "ETC_LIFELINE", 1, "NEEDS_FORM")


def test_lifeline_conversion_requires_dob_ssn_and_a_lifeline_type(client, call):
    cid = new_customer(client)
    error(call(OP, {"Credentials": DEMO, "Customer": {
        "ID": cid, "Lifeline": {"Program": "NON_ETC_LIFELINE"}}}), "S2010",
        "Customer/DOB: required to make a non Lifeline customer a Lifeline customer; "
        "Customer/SSN: required to make a non Lifeline customer a Lifeline customer; "
        "Customer/Lifeline/LifelineTypeID: required to make a non Lifeline customer a "
        "Lifeline customer")
    error(call(OP, {"Credentials": DEMO, "Customer": {
        "ID": cid, "DOB": "1980-01-01", "SSN": "123456789",
        "Lifeline": {"Program": "NON_ETC_LIFELINE", "LifelineTypeID": 77}}}), "L2015",
        "Customer/Lifeline/LifelineTypeID: 77 does not exist")
    ok(call(OP, {"Credentials": DEMO, "Customer": {
        "ID": cid, "DOB": "1980-01-01", "SSN": "123456789",
        "Lifeline": {"Program": "NON_ETC_LIFELINE", "LifelineTypeID": 2,
                     "Status": "NEEDS_REVIEW", "StatusNote": "form received"}}}))
    ll = query(client, cid)["LifeLine"]
    assert (ll["Program"], ll["LifelineTypeID"], ll["Status"]) == (
        "NON_ETC_LIFELINE", 2, "NEEDS_REVIEW")


def test_a_lifeline_status_change_needs_the_permission_and_is_in_the_history(client, sessions):
    cid = new_customer(client, SSN="123456789", DOB="1980-01-01",
                       Lifeline={"LifelineTypeID": 1, "Program": "ETC_LIFELINE"})
    change = {"ID": cid, "Lifeline": {"Status": "NEEDS_REVIEW", "StatusNote": "form in"}}
    error(update(client, change, creds=CLERK), "S2017",
          "Customer/Lifeline: changing the Lifeline status or program: requires the "
          "permission MANUALLY_CHANGE_LIFELINE_INFORMATION")
    # the same status again is no change: the clerk may send it back, and other fields
    ok(update(client, {"ID": cid, "Lifeline": {"Status": "NEEDS_FORM", "ProofNotes": "n"}},
              creds=CLERK))
    ok(update(client, change))
    assert query(client, cid)["LifeLine"]["Status"] == "NEEDS_REVIEW"
    with sessions() as db:
        notes = list(db.scalars(select(CustomerHistory.note).where(
            CustomerHistory.customer_id == cid, CustomerHistory.category == "LIFELINE")
            .order_by(CustomerHistory.id)))
    assert notes[-1] == "Lifeline status changed from NEEDS_FORM to NEEDS_REVIEW: form in"


def test_c2007_what_the_lifeline_status_allows(client, call):
    plain = new_customer(client)
    error(call(OP, {"Credentials": DEMO, "Customer": {"ID": plain,
                                                      "Lifeline": {"Tribal": True}}}),
          "C2007", f"Customer/Lifeline: customer {plain} is not a Lifeline customer; make it "
                   "one with Lifeline/Program ETC_LIFELINE or NON_ETC_LIFELINE (with DOB, SSN "
                   "and LifelineTypeID)")
    ll = {"LifelineTypeID": 1, "Program": "ETC_LIFELINE", "Status": "APPROVED",
          "CertificationDate": "2025-01-01", "HouseholdCount": 2}
    approved = new_customer(client, SSN="123456789", DOB="1980-01-01", Lifeline=ll)
    error(call(OP, {"Credentials": DEMO, "Customer": {
        "ID": approved, "Lifeline": {"HouseholdCount": 3, "ProofNotes": "x"}}}), "C2007",
        "Customer/Lifeline/HouseholdCount: the Lifeline is APPROVED; HouseholdCount change "
        "only with a new review (Status NEEDS_REVIEW or NEEDS_FORM in the same request)")
    ok(call(OP, {"Credentials": DEMO, "Customer": {
        "ID": approved, "Lifeline": {"HouseholdCount": 2, "CertificationDate": "2025-06-01",
                                     "ProofNotes": "recertified"}}}))  # same count: allowed
    ok(call(OP, {"Credentials": DEMO, "Customer": {
        "ID": approved, "Lifeline": {"HouseholdCount": 3, "Status": "NEEDS_REVIEW"}}}))
    ok(call(OP, {"Credentials": DEMO, "Customer": {
        "ID": approved, "Lifeline": {"Status": "REJECTED"}}}))
    error(call(OP, {"Credentials": DEMO, "Customer": {
        "ID": approved, "Lifeline": {"Status": "APPROVED"}}}), "C2007",
        "Customer/Lifeline/Status: a REJECTED Lifeline is reviewed again (NEEDS_REVIEW) "
        "before it is APPROVED")
    got = query(client, approved)["LifeLine"]
    assert (got["Status"], got["HouseholdCount"], got["CertificationDate"],
            got["OriginalCertificationDate"]) == ("REJECTED", 3, "2025-06-01", "2025-01-01")


# ------------------------------------------------------------------ state (C2006)


def test_a_closed_customer_takes_only_mailing_address_email_and_fields(client, call, sessions):
    cid = new_customer(client, **FULL)
    set_columns(sessions, cid, status="CLOSED")
    error(call(OP, {"Credentials": DEMO, "Customer": {"ID": cid, "SecurityPIN": "9999",
                                                      "Email": "final@example.com"}}),
          "C2006", f"Customer/ID: customer {cid} is CLOSED; only MailingAddress, Email and "
                   "Fields can be changed (not Customer/SecurityPIN)")
    assert query(client, cid)["Email"] == "una@example.com"  # nothing half-written
    ok(call(OP, {"Credentials": DEMO, "Customer": {
        "ID": cid, "SecurityPIN": "1234", "Email": "final@example.com",
        "MailingAddress": {"Address1": "9 Final Rd"}}}))  # an unchanged PIN is no change
    c = query(client, cid)
    assert (c["Email"], c["MailingAddress"]["Address1"]) == ("final@example.com", "9 Final Rd")


# ------------------------------------------------------------------ history


def test_every_change_is_recorded_with_who_and_secrets_masked(client, sessions, capsys,
                                                              database_url):
    cid = new_customer(client, **FULL)
    ok(update(client, {"ID": cid, "Email": "h@example.com", "SSN": "111-22-3333",
                       "PhysicalAddress": {"City": "Milton", "Zip": "32570"}},
              creds=IMPERSONATED_CLERK))
    with sessions() as db:
        users = {u.username: u.id for u in db.scalars(select(User))}
        rows = [(r.field, r.old_value, r.new_value, r.user_id, r.real_user_id)
                for r in db.scalars(select(CustomerChange).where(
                    CustomerChange.customer_id == cid).order_by(CustomerChange.id))]
    clerk, demo = users["clerk"], users["demo"]
    assert rows == [
        ("Customer/SSN", "********", "********", clerk, demo),
        ("Customer/Email", "una@example.com", "h@example.com", clerk, demo),
        ("Customer/PhysicalAddress/City", "Pensacola", "Milton", clerk, demo),
        ("Customer/PhysicalAddress/Zip", "32502", "32570", clerk, demo),
    ]
    assert cli_main(["customer", "history", "DEMO", str(cid), "--database", database_url]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 4
    assert lines[1].endswith("  clerk (impersonated by demo)  Customer/Email: "
                             "'una@example.com' -> 'h@example.com'")
    assert "3333" not in "\n".join(lines) and "6789" not in "\n".join(lines)
    assert cli_main(["customer", "history", "OTHER", str(cid), "--database",
                     database_url]) == 1


def test_encrypted_fields_keep_their_keyed_hashes_current(client, sessions):
    cid = new_customer(client, **FULL)
    ok(update(client, {"ID": cid, "SSN": "222-33-4444", "DL": "NEW-DL 9", "DOB": "1966-06-06"}))
    with sessions() as db:
        c = db.get(Customer, cid)
        assert (c.ssn, c.dl, c.dob) == ("222334444", "NEW-DL 9", dt.date(1966, 6, 6))
        assert (c.ssn_hmac, c.ssn_last4_hmac, c.dl_hmac, c.dob_hmac) == (
            crypto.ssn_hmac("222334444"), crypto.ssn_last4_hmac("4444"),
            crypto.dl_hmac("NEWDL9"), crypto.dob_hmac("1966-06-06"))
    ok(update(client, {"ID": cid, "DL": "", "DOB": ""}))
    with sessions() as db:
        c = db.get(Customer, cid)
        assert (c.dl, c.dob, c.dl_hmac, c.dob_hmac) == (None, None, None, None)


# ------------------------------------------------------------------ concurrency


def test_concurrent_updates_of_different_fields_all_land(client, live_url):
    cid = new_customer(client, **FULL)
    changes = [{"Email": "t0@example.com"}, {"Language": "French"}, {"AcctNum": "T-2"},
               {"Source": "Thread3"}, {"PhysicalAddress": {"FirstName": "Four"}},
               {"MailingAddress": {"City": "Milton"}}, {"Billing": {"PaymentTerms": 6}},
               {"Fields": [{"FieldID": 2, "Value": "Seven"}]}]
    results: list[Any] = []

    def run(change: dict[str, Any]) -> None:
        with httpx.Client(base_url=live_url, timeout=60) as h:
            r = h.post(f"/v20/json/{OP}", json={"Credentials": DEMO,
                                                "Customer": {"ID": cid, **change}})
            results.append(r.json()["Header"])

    threads = [threading.Thread(target=run, args=(c,)) for c in changes]
    for t in threads:
        t.start()
    for t in threads:
        t.join(90)
    assert [h["Success"] for h in results] == [True] * len(changes), results
    c = query(client, cid)
    assert (c["Email"], c["Language"], c["AcctNum"], c["Source"],
            c["PhysicalAddress"]["FirstName"], c["MailingAddress"]["City"],
            c["Billing"]["PaymentTerms"]) == (
        "t0@example.com", "French", "T-2", "Thread3", "Four", "Milton", 6)
    assert c["Fields"][-1] == {"FieldID": 2, "Label": "Preferred Contact Time",
                               "Value": "Seven"}


# ------------------------------------------------------------------ zeep and PHP


def test_zeep_updates_only_what_it_sends(client, service):
    cid = new_customer(client, **FULL)
    header = service.Customers_Update(Request={
        "Credentials": {"Username": "demo", "Password": "demo", "Client": "DEMO"},
        "Customer": {"ID": cid, "SecurityPIN": None, "Email": "zeep@example.com",
                     "TaxExemptions": {"string": ["Local"]},
                     "PhysicalAddress": {"Address2": ""}}}).Header
    assert header.Success is True, header
    c = query(client, cid)
    assert (c["SecurityPIN"], c["Email"], c["TaxExemptions"]) == (
        "1234", "zeep@example.com", ["Local"])
    assert "Address2" not in c["PhysicalAddress"]


def test_php_soapclient_empty_array_removes_the_tax_exemptions(client, live_url):
    php = shutil.which("php")
    if php is None:
        pytest.skip("php is not installed (Debian: apt-get install php-cli php-soap)")
    cid = new_customer(client, **FULL)
    script = Path(__file__).parent / "php" / "update_tax_exemptions_soap11.php"
    proc = subprocess.run([php, "-d", "soap.wsdl_cache_enabled=0", str(script), live_url,
                           "demo", "demo", "DEMO", str(cid)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr + proc.stdout
    out = json.loads(proc.stdout)
    assert out["update"]["success"] is True, out
    assert "<ns1:TaxExemptions/>" in out["sent"], out["sent"]  # what PHP writes for []
    assert out["customer"] == {"Email": "php.update@example.com", "SecurityPIN": "1234",
                               "TaxExemptions": []}
    assert query(client, cid)["TaxExemptions"] == []
