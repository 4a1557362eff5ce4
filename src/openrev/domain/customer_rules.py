"""Input rules of a customer that need no database: every S2010 of the documents, for
NewCustomers_Create and Customers_Update.

The rules run on canonical field names (:class:`CustomerInput`, built from whichever request
by the field map, :mod:`openrev.store.customer_map`), not on one operation's request class;
messages name the field as the request spells it (``Customer/ContactEnd`` in
NewCustomers_Create, ``Customer/ContractEnd`` in Customers_Update). The longest text of each
field (:class:`Limits`) is handed in by the caller, read from the columns by the map.
``check_new_customer`` / ``check_customer_update`` return the list of problems, each
``Path/Field: rule``; the handler answers S2010 with all of them (so that an integrator fixes
a form in one round trip). Numbers outside 32 bits, amounts outside ``Numeric(12, 2)`` and
text with control characters never get this far: the codec refuses them (``wire.values``).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from ..contract import enums as E
from ..contract.operations import NewCustomers_QuoteRequest, NewOrder, OrderProduct
from .addresses import (
    PORT_RULES, QUOTE_RULES, SHIPPING_RULES, ZIP_PATTERN, check_address, check_address_values, check_lengths,
    customer_address_rules,
)
from .numbers import tn_problem

_PIN = re.compile(r"\d{4}", re.ASCII)
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_SSN = re.compile(r"\d{3}-?\d{2}-?\d{4}", re.ASCII)

LIFELINE_PROGRAMS = ("ETC_LIFELINE", "NON_ETC_LIFELINE")
AUTO_DEBIT_LAST_DAY = 28
"""AutoDebitDay: 0 (on the due date) or a day of the month every month has, 1-28."""


@dataclass
class CustomerInput:
    """A customer as a request writes it, by canonical name (see the field map).

    ``fields``: the customer's own fields written; ``addresses``: PhysicalAddress /
    MailingAddress written (each a dict of its written fields); ``billing``, ``lifeline``:
    written sub-objects (None: absent or left); ``tax_exemptions``, ``custom_fields``:
    written lists (None: absent or left; ``[]``: empty). ``names``: canonical name -> the
    request's own spelling, for messages."""

    fields: dict[str, Any] = field(default_factory=dict)
    addresses: dict[str, dict[str, Any]] = field(default_factory=dict)
    billing: dict[str, Any] | None = None
    lifeline: dict[str, Any] | None = None
    tax_exemptions: list[str] | None = None
    custom_fields: list[dict[str, Any]] | None = None
    names: dict[str, str] = field(default_factory=dict)

    def name(self, canonical: str) -> str:
        return self.names.get(canonical, canonical)


@dataclass(frozen=True)
class Limits:
    """The longest text of each field, by canonical name, per part (from the columns)."""

    customer: Mapping[str, int] = field(default_factory=dict)
    address: Mapping[str, int] = field(default_factory=dict)
    billing: Mapping[str, int] = field(default_factory=dict)
    lifeline: Mapping[str, int] = field(default_factory=dict)
    order: Mapping[str, int] = field(default_factory=dict)
    port: Mapping[str, int] = field(default_factory=dict)
    product: Mapping[str, int] = field(default_factory=dict)


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


# ------------------------------------------------------------------ NewCustomers_Create


def check_new_customer(c: CustomerInput | None, order: NewOrder | None, tax_engine: str,
                       facts: OrderFacts, today: dt.date, limits: Limits) -> list[str]:
    problems: list[str] = []
    if c is None:
        return ["Customer: required"]
    _check_new_customer(c, tax_engine, today, limits, problems)
    if order is not None:
        _check_order(order, facts, limits, problems)
    if facts.lifeline_package:
        if c.lifeline is None:
            problems.append("Customer/Lifeline: required for a Lifeline package")
        else:
            for name in ("LifelineTypeID", "TemporaryAddress", "SeparateEconomicUnit"):
                if c.lifeline.get(name) is None:
                    problems.append(f"Customer/Lifeline/{name}: required for a Lifeline "
                                    "package")
    if c.lifeline is not None:
        check_lifeline(c.lifeline, c.lifeline, "Customer/Lifeline", limits, problems)
    return problems


def _check_new_customer(c: CustomerInput, tax_engine: str, today: dt.date, limits: Limits,
                        problems: list[str]) -> None:
    p = "Customer"
    v = c.fields
    check_lengths(v, p, limits.customer, problems, c.names)
    if v.get("AgentID") is not None and v.get("AgentNumber") is not None:
        problems.append(f"{p}/{c.name('AgentNumber')}: cannot be used with {c.name('AgentID')}")
    if v.get("IsParentAccount") and v.get("ParentAccountID"):  # 0 names no parent
        problems.append(f"{p}/{c.name('ParentAccountID')}: cannot be used with IsParentAccount")
    _check_formats(c, p, today, problems)
    _check_contract(c, v, p, problems)
    rules = customer_address_rules(v.get("CustomerClass"))
    for name in ("MailingAddress", "PhysicalAddress"):
        addr = c.addresses.get(name)
        if addr is None:
            problems.append(f"{p}/{name}: required")
        else:
            check_address_values(addr, f"{p}/{name}", rules, limits.address, problems)
    _check_lists(c, p, tax_engine, problems)
    _check_billing(c.billing, f"{p}/Billing", problems)


# ------------------------------------------------------------------ Customers_Update


def check_customer_update(c: CustomerInput | None, current: CustomerInput | None,
                          tax_engine: str, today: dt.date, limits: Limits, *,
                          customer_class: str | None, converting: bool) -> list[str]:
    """Problems of a Customers_Update request. ``current``: the customer as it is (None when
    it was not found: only the request is judged); rules across fields (ContractEnd after ContractStart, AutoDebit needs its account, an
    address's required fields, APPROVED needs a CertificationDate) are judged on it, but
    only fields the request writes are reported. ``converting``: the request makes a non
    Lifeline customer a Lifeline customer (DOB, SSN and LifelineTypeID are then required)."""
    if c is None:
        return ["Customer: required"]
    problems: list[str] = []
    p = "Customer"
    v = c.fields
    if v.get("ID") is None:
        problems.append(f"{p}/ID: required")
    check_lengths(v, p, limits.customer, problems, c.names)
    _check_formats(c, p, today, problems)
    m = {**(current.fields if current is not None else {}), **v}
    if "ContractStart" in v or "ContractEnd" in v:
        _check_contract(c, m, p, problems)
    day = v.get("AutoDebitDay")
    if day is not None and not 0 <= day <= AUTO_DEBIT_LAST_DAY:
        problems.append(f"{p}/AutoDebitDay: must be 0 (the due date) or a day from 1 to "
                        f"{AUTO_DEBIT_LAST_DAY}")
    if ("IsAutoDebit" in v or "AutoPaymentAccountID" in v) and m.get("IsAutoDebit") \
            and not m.get("AutoPaymentAccountID"):
        problems.append(f"{p}/AutoPaymentAccountID: required when IsAutoDebit is true")
    rules = customer_address_rules(customer_class)
    for name, addr in c.addresses.items():
        whole = dict(current.addresses.get(name) or {}) if current is not None else {}
        whole.update(addr)
        whole.pop("ID", None)  # "ID As Integer - Ignored"
        check_address_values(whole, f"{p}/{name}", rules, limits.address, problems,
                             only=set(addr) - {"ID"} if current is not None else None)
    _check_lists(c, p, tax_engine, problems)
    _check_billing(c.billing, f"{p}/Billing", problems)
    ll_path = f"{p}/{c.name('Lifeline')}"
    if c.lifeline is not None:
        whole_ll = dict((current.lifeline or {}) if current is not None else {})
        whole_ll.update(c.lifeline)
        check_lifeline(c.lifeline, whole_ll, ll_path, limits, problems)
    if converting:
        why = "required to make a non Lifeline customer a Lifeline customer"
        for name in ("DOB", "SSN"):
            if not m.get(name):
                problems.append(f"{p}/{name}: {why}")
        merged_ll = dict((current.lifeline or {}) if current is not None else {})
        merged_ll.update(c.lifeline or {})
        if not merged_ll.get("LifelineTypeID"):
            problems.append(f"{ll_path}/LifelineTypeID: {why}")
    return problems


# ------------------------------------------------------------------ shared


def _check_formats(c: CustomerInput, p: str, today: dt.date, problems: list[str]) -> None:
    v = c.fields
    pin, email, ssn, dob = v.get("SecurityPIN"), v.get("Email"), v.get("SSN"), v.get("DOB")
    if pin not in (None, "") and not _PIN.fullmatch(pin.strip()):
        problems.append(f"{p}/SecurityPIN: must be 4 digits")
    if email not in (None, "") and not _EMAIL.fullmatch(email.strip()):
        problems.append(f"{p}/Email: not an email address")
    if ssn not in (None, "") and not _SSN.fullmatch(ssn.strip()):
        problems.append(f"{p}/SSN: must be 9 digits")
    if dob is not None and dob > today:
        problems.append(f"{p}/DOB: must not be in the future")


def _check_contract(c: CustomerInput, m: Mapping[str, Any], p: str, problems: list[str]) -> None:
    start, end = m.get("ContractStart"), m.get("ContractEnd")
    if start and end and end < start:
        problems.append(f"{p}/{c.name('ContractEnd')}: must not be before ContractStart")


def _check_lists(c: CustomerInput, p: str, tax_engine: str, problems: list[str]) -> None:
    allowed = allowed_tax_exemptions(tax_engine)
    seen: set[str] = set()
    for i, value in enumerate(c.tax_exemptions or [], 1):
        v = value.strip()
        if v not in allowed:
            engine = "CCHTaxExemption" if tax_engine == "CCH" else "SureTaxTaxExemptionEnum"
            problems.append(f"{p}/TaxExemptions[{i}]: {v!r} is not a {engine} value "
                            f"this client's tax engine takes ({', '.join(allowed)})")
        elif v in seen:
            problems.append(f"{p}/TaxExemptions[{i}]: {v!r} is given twice")
        seen.add(v)
    for i, f in enumerate(c.custom_fields or [], 1):
        if f.get("FieldID") is None and not (f.get("Label") or "").strip():
            problems.append(f"{p}/Fields/Field[{i}]: FieldID or Label is required")


def _check_billing(b: Mapping[str, Any] | None, p: str, problems: list[str]) -> None:
    if b is None:
        return
    if b.get("PaymentTerms") is not None and b["PaymentTerms"] < 0:
        problems.append(f"{p}/PaymentTerms: must not be negative")
    if b.get("UsageBalanceLimit") is not None and b["UsageBalanceLimit"] < 0:
        problems.append(f"{p}/UsageBalanceLimit: must not be negative")


def check_lifeline(given: Mapping[str, Any], whole: Mapping[str, Any], p: str, limits: Limits,
                   problems: list[str]) -> None:
    """The Lifeline rules: ``given`` the fields written, ``whole`` the Lifeline as it would be
    (for create, the same)."""
    if given.get("Status") == "NOT_SET":
        problems.append(f"{p}/Status: must be NEEDS_REVIEW, APPROVED, REJECTED or NEEDS_FORM")
    if ("Status" in given or "CertificationDate" in given) and whole.get("Status") == "APPROVED" \
            and whole.get("CertificationDate") is None:
        problems.append(f"{p}/CertificationDate: required when Status is APPROVED")
    if given.get("HouseholdCount") is not None and given["HouseholdCount"] < 1:
        problems.append(f"{p}/HouseholdCount: must be 1 or greater")
    if given.get("AnnualIncome") is not None and given["AnnualIncome"] < Decimal(0):
        problems.append(f"{p}/AnnualIncome: must not be negative")
    check_lengths(given, p, limits.lifeline, problems)
    cert, original = whole.get("CertificationDate"), whole.get("OriginalCertificationDate")
    if ("CertificationDate" in given or "OriginalCertificationDate" in given) and cert \
            and original and original > cert:
        problems.append(f"{p}/OriginalCertificationDate: must not be after CertificationDate")


def check_additional_products(products: list[OrderProduct] | None, path: str, limits: Limits,
                              problems: list[str]) -> None:
    """AdditionalProducts of NewCustomers_Create and NewCustomers_Quote: ProductID required,
    Quantity 1 or more, no text longer than its column."""
    for i, prod in enumerate(products or [], 1):
        pp = f"{path}/Product[{i}]"
        if prod.ProductID is None:
            problems.append(f"{pp}/ProductID: required")
        if prod.Quantity is not None and prod.Quantity < 1:
            problems.append(f"{pp}/Quantity: must be 1 or greater")
        check_lengths(prod, pp, limits.product, problems)


def product_terms(rate: Decimal, description: str, override: OrderProduct
                  ) -> tuple[Decimal, int, str]:
    """(Rate, Quantity, Description) of an additional product: each override of the request
    when given ("Otherwise, it will use the default … from Settings > Products"; quantity 1)."""
    given = (override.Description or "").strip()
    return (override.Rate if override.Rate is not None else rate, override.Quantity or 1,
            given or description)


def check_quote(req: NewCustomers_QuoteRequest, limits: Limits) -> tuple[list[str], str, str]:
    """NewCustomers_Quote's input rules: (S2010 problems, the ZIP quoted, the path that gave
    it). ZIP, or Address whose Zip is then used (both given: they must agree); the Address
    rules of a quote (names optional); PackageID required; the additional products."""
    problems: list[str] = []
    zip_given = (req.ZIP or "").strip()
    addr = req.Address
    addr_zip = (addr.Zip or "").strip() if addr is not None else ""
    if zip_given and not ZIP_PATTERN.fullmatch(zip_given):
        problems.append("ZIP: must be 5 digits")
    if addr is not None:
        check_address(addr, "Address", QUOTE_RULES, limits.address, problems)
    if not zip_given and addr is None:
        problems.append("ZIP: required (or Address/Zip)")
    if zip_given and addr_zip and zip_given != addr_zip:
        problems.append(f"Address/Zip: {addr_zip} differs from ZIP {zip_given}")
    if req.PackageID is None:
        problems.append("PackageID: required")
    check_additional_products(req.AdditionalProducts, "AdditionalProducts", limits, problems)
    if zip_given:
        return problems, zip_given, "ZIP"
    return problems, addr_zip, "Address/Zip"


def _check_order(o: NewOrder, facts: OrderFacts, limits: Limits, problems: list[str]) -> None:
    p = "Order"
    check_lengths(o, p, limits.order, problems)
    if o.PackageID is None:
        problems.append(f"{p}/PackageID: required")
    if o.CarrierID is not None and (o.CarrierCode or "").strip():
        problems.append(f"{p}/CarrierCode: cannot be used with CarrierID")
    check_additional_products(o.AdditionalProducts, f"{p}/AdditionalProducts", limits, problems)
    if o.ShippingAddress is not None:
        check_address(o.ShippingAddress, f"{p}/ShippingAddress", SHIPPING_RULES, limits.address,
                      problems)
    elif facts.ships_equipment:
        problems.append(f"{p}/ShippingAddress: required, the order ships equipment")
    port = o.WirelessPort
    if port is not None:
        pp = f"{p}/WirelessPort"
        check_lengths(port, pp, limits.port, problems)
        if not (port.MDN or "").strip():
            problems.append(f"{pp}/MDN: required")
        elif (bad := tn_problem(port.MDN, f"{pp}/MDN")) is not None:
            problems.append(bad)
        if port.Address is None:
            problems.append(f"{pp}/Address: required")
        else:
            check_address(port.Address, f"{pp}/Address", PORT_RULES, limits.address, problems)
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
