"""Input rules of NewCustomers_Create that need no database: every S2010 of the documents.

``check_new_customer`` returns the list of problems, each ``Path/Field: rule``; the handler
answers S2010 with all of them (so that an integrator fixes a form in one round trip).
What needs the database (existence: A2011, B2012, PK2013, ...) is checked afterwards.

Text longer than the column that keeps it (``*_MAX_LENGTH``: the widths of the columns in
``store.tables``) is an input error too, never an internal one. Numbers outside 32 bits,
amounts outside ``Numeric(12, 2)`` and text with control characters never get this far: the
codec refuses them for every operation (``wire.values``).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal

from ..contract import enums as E
from ..contract.operations import NewCustomer, NewCustomers_CreateRequest, NewOrder
from ..contract.types import Address, Lifeline
from .numbers import tn_problem
from .addresses import (
    PORT_RULES, SHIPPING_RULES, check_address, check_lengths, customer_address_rules,
)

_PIN = re.compile(r"\d{4}", re.ASCII)
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_SSN = re.compile(r"\d{3}-?\d{2}-?\d{4}", re.ASCII)

CUSTOMER_MAX_LENGTH = {"AcctNum": 50, "Language": 50, "DL": 50, "Email": 255, "Source": 100}
LIFELINE_MAX_LENGTH = {"ProofIdentifyingInformation": 200, "CGM_Reservation": 200}
ORDER_MAX_LENGTH = {"Description": 200, "PBXMake": 100, "PBXModel": 100}
PORT_MAX_LENGTH = {"AccountNumber": 100, "AuthorizedSigner": 200, "PINPassword": 100}
PRODUCT_MAX_LENGTH = {"Description": 200}


@dataclass(frozen=True)
class OrderFacts:
    """What the rules need to know of the catalog (looked up before the rules run)."""

    lifeline_package: bool = False
    ships_equipment: bool = False


def allowed_tax_exemptions(tax_engine: str) -> tuple[str, ...]:
    """The exemption values the client's tax engine takes through the API."""
    if tax_engine == "CCH":
        return tuple(v for v in E.CCHTaxExemption if v not in E.CCH_NOT_IN_API)
    return tuple(v for v in E.SureTaxTaxExemption if v not in E.SURETAX_NOT_IN_API)


def check_new_customer(req: NewCustomers_CreateRequest, tax_engine: str, facts: OrderFacts,
                       today: dt.date) -> list[str]:
    problems: list[str] = []
    c = req.Customer
    if c is None:
        return ["Customer: required"]
    _check_customer(c, tax_engine, today, problems)
    if req.Order is not None:
        _check_order(req.Order, facts, problems)
    if facts.lifeline_package:
        if c.Lifeline is None:
            problems.append("Customer/Lifeline: required for a Lifeline package")
        else:
            _check_lifeline_required(c.Lifeline, problems)
    if c.Lifeline is not None:
        _check_lifeline(c.Lifeline, problems)
    return problems


def _check_customer(c: NewCustomer, tax_engine: str, today: dt.date, problems: list[str]) -> None:
    p = "Customer"
    check_lengths(c, p, CUSTOMER_MAX_LENGTH, problems)
    if c.AgentID is not None and c.AgentNumber is not None:
        problems.append(f"{p}/AgentNumber: cannot be used with AgentID")
    if c.IsParentAccount and c.ParentCustomerID:  # 0 names no parent
        problems.append(f"{p}/ParentCustomerID: cannot be used with IsParentAccount")
    if c.SecurityPIN not in (None, "") and not _PIN.fullmatch(c.SecurityPIN.strip()):
        problems.append(f"{p}/SecurityPIN: must be 4 digits")
    if c.Email not in (None, "") and not _EMAIL.fullmatch(c.Email.strip()):
        problems.append(f"{p}/Email: not an email address")
    if c.SSN not in (None, "") and not _SSN.fullmatch(c.SSN.strip()):
        problems.append(f"{p}/SSN: must be 9 digits")
    if c.DOB is not None and c.DOB > today:
        problems.append(f"{p}/DOB: must not be in the future")
    if c.ContractStart and c.ContactEnd and c.ContactEnd < c.ContractStart:
        problems.append(f"{p}/ContactEnd: must not be before ContractStart")
    rules = customer_address_rules(c.CustomerClass)
    for name in ("MailingAddress", "PhysicalAddress"):
        addr: Address | None = getattr(c, name)
        if addr is None:
            problems.append(f"{p}/{name}: required")
        else:
            check_address(addr, f"{p}/{name}", rules, problems)
    allowed = allowed_tax_exemptions(tax_engine)
    seen: set[str] = set()
    for i, value in enumerate(c.TaxExemptions or [], 1):
        v = value.strip()
        if v not in allowed:
            engine = "CCHTaxExemption" if tax_engine == "CCH" else "SureTaxTaxExemptionEnum"
            problems.append(f"{p}/TaxExemptions[{i}]: {v!r} is not a {engine} value "
                            f"this client's tax engine takes ({', '.join(allowed)})")
        elif v in seen:
            problems.append(f"{p}/TaxExemptions[{i}]: {v!r} is given twice")
        seen.add(v)
    for i, f in enumerate(c.Fields or [], 1):
        if f.FieldID is None and not (f.Label or "").strip():
            problems.append(f"{p}/Fields/Field[{i}]: FieldID or Label is required")
    b = c.Billing
    if b is not None:
        if b.PaymentTerms is not None and b.PaymentTerms < 0:
            problems.append(f"{p}/Billing/PaymentTerms: must not be negative")
        if b.UsageBalanceLimit is not None and b.UsageBalanceLimit < 0:
            problems.append(f"{p}/Billing/UsageBalanceLimit: must not be negative")


def _check_lifeline_required(ll: Lifeline, problems: list[str]) -> None:
    p = "Customer/Lifeline"
    for name in ("LifelineTypeID", "TemporaryAddress", "SeparateEconomicUnit"):
        if getattr(ll, name) is None:
            problems.append(f"{p}/{name}: required for a Lifeline package")


def _check_lifeline(ll: Lifeline, problems: list[str]) -> None:
    p = "Customer/Lifeline"
    if ll.Status == "NOT_SET":
        problems.append(f"{p}/Status: must be NEEDS_REVIEW, APPROVED, REJECTED or NEEDS_FORM")
    if ll.Status == "APPROVED" and ll.CertificationDate is None:
        problems.append(f"{p}/CertificationDate: required when Status is APPROVED")
    if ll.HouseholdCount is not None and ll.HouseholdCount < 1:
        problems.append(f"{p}/HouseholdCount: must be 1 or greater")
    if ll.AnnualIncome is not None and ll.AnnualIncome < Decimal(0):
        problems.append(f"{p}/AnnualIncome: must not be negative")
    check_lengths(ll, p, LIFELINE_MAX_LENGTH, problems)
    if (ll.CertificationDate and ll.OriginalCertificationDate
            and ll.OriginalCertificationDate > ll.CertificationDate):
        problems.append(f"{p}/OriginalCertificationDate: must not be after CertificationDate")


def _check_order(o: NewOrder, facts: OrderFacts, problems: list[str]) -> None:
    p = "Order"
    check_lengths(o, p, ORDER_MAX_LENGTH, problems)
    if o.PackageID is None:
        problems.append(f"{p}/PackageID: required")
    if o.CarrierID is not None and (o.CarrierCode or "").strip():
        problems.append(f"{p}/CarrierCode: cannot be used with CarrierID")
    for i, prod in enumerate(o.AdditionalProducts or [], 1):
        pp = f"{p}/AdditionalProducts/Product[{i}]"
        if prod.ProductID is None:
            problems.append(f"{pp}/ProductID: required")
        if prod.Quantity is not None and prod.Quantity < 1:
            problems.append(f"{pp}/Quantity: must be 1 or greater")
        check_lengths(prod, pp, PRODUCT_MAX_LENGTH, problems)
    if o.ShippingAddress is not None:
        check_address(o.ShippingAddress, f"{p}/ShippingAddress", SHIPPING_RULES, problems)
    elif facts.ships_equipment:
        problems.append(f"{p}/ShippingAddress: required, the order ships equipment")
    port = o.WirelessPort
    if port is not None:
        pp = f"{p}/WirelessPort"
        check_lengths(port, pp, PORT_MAX_LENGTH, problems)
        if not (port.MDN or "").strip():
            problems.append(f"{pp}/MDN: required")
        elif (bad := tn_problem(port.MDN, f"{pp}/MDN")) is not None:
            problems.append(bad)
        if port.Address is None:
            problems.append(f"{pp}/Address: required")
        else:
            check_address(port.Address, f"{pp}/Address", PORT_RULES, problems)
    for name in ("ReconnectTN", "TN"):
        if (bad := tn_problem(getattr(o, name), f"{p}/{name}")) is not None:
            problems.append(bad)
    if o.ReconnectTN and port is not None:
        problems.append(f"{p}/ReconnectTN: cannot be used with WirelessPort")
    if (o.TN or "").strip():
        for other, given in (("WirelessPort", port is not None),
                             ("ReconnectTN", bool((o.ReconnectTN or "").strip()))):
            if given:
                problems.append(f"{p}/TN: cannot be used with {other}")
