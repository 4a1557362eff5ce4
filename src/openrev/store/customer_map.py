"""The field map of a customer: one declaration per part (customer, address, billing,
lifeline) of how a field on the wire and a column of ``store.tables`` correspond.

Each :class:`Field` names

* the canonical wire name (the documents' spelling: ``ContractEnd``, ``ParentAccountID``,
  ``BillProfileID``, ``Lifeline``) and the other spellings of it (``ContactEnd``,
  ``ParentCustomerID``, ``BIllProfileID``) - a request or answer Struct of any operation is
  read and written through its own field of that name or alias;
* the ORM attribute that keeps it (set and read through the attribute, so that the encrypted
  columns and their keyed hashes stay current, :mod:`openrev.store.crypto`);
* the normaliser that turns a written value into the column's value (trimmed text, None for
  empty, upper-case State, digits-only SSN, money half-up to cents, ...);
* the longest text it takes, read from the column (``String(n)``; for an encrypted column the
  plain value's bound, ``info["max_length"]``) - never a hand-kept dictionary.

NewCustomers_Create (writing), Customers_Query (reading) and Customers_Update (both) go
through it, and so do the input rules (``openrev.domain.customer_rules``): they run on the
canonical names of :class:`~openrev.domain.customer_rules.CustomerInput`, built here from
whichever request carries them. Duplicate_Query can take its match keys from it.

It lives in ``store`` because it must see both the contract's names and the columns, and
``domain`` does not import ``store``; the rules receive what they need from it as plain
data (values by canonical name, :class:`~openrev.domain.customer_rules.Limits`).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import Any

from sqlalchemy import String

from ..contract.schema import Struct
from ..domain.customer_rules import CustomerInput, Limits
from ..domain.money import money
from . import tables as T

MASK = "********"


# ------------------------------------------------------------------ normalisers


def same(v: Any) -> Any:
    return v


def text(v: str | None) -> str | None:
    """Trimmed; None when empty."""
    if v is None:
        return None
    s = str(v).strip()
    return s or None


def upper(v: str | None) -> str | None:
    s = text(v)
    return s.upper() if s else None


def country(v: str | None) -> str:
    """Upper-case ISO code; USA when not given or empty."""
    return upper(v) or "USA"


def digits(v: str | None) -> str | None:
    """Digits only (``123-45-6789`` -> ``123456789``); None when there are none."""
    s = re.sub(r"\D", "", v or "")
    return s or None


def amount(v: Decimal | None) -> Decimal | None:
    return money(v) if v is not None else None


def amount0(v: Decimal | None) -> Decimal:
    """Money of a NOT NULL column: empty is 0.00."""
    return money(v if v is not None else 0)


def flag(v: bool | None) -> bool:
    return bool(v)


def whole(v: int | None) -> int:
    return int(v or 0)


def ref(v: int | None) -> int | None:
    """A reference to another row: 0 (what a non-nullable integer sends) names none."""
    return v or None


# ------------------------------------------------------------------ declarations


@dataclass(frozen=True)
class Field:
    name: str  # canonical wire name
    attr: str | None  # ORM attribute of the part's model; None: not kept in a column here
    norm: Callable[[Any], Any] = same
    aliases: tuple[str, ...] = ()
    secret: bool = False  # masked in the change history
    write: bool = True  # False: only answered (ID, Status, Created_Date)
    show: bool = True  # False: never answered (the Lifeline PDFs)

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


class Part:
    """The fields of one part of a customer, kept in the columns of ``model``."""

    def __init__(self, path: str, model: type[T.Base], fields: Iterable[Field]):
        self.path = path
        self.model = model
        self.fields: tuple[Field, ...] = tuple(fields)
        self.by_name = {f.name: f for f in self.fields}
        columns = model.__table__.c
        limits: dict[str, int] = {}
        for f in self.fields:
            if f.attr is None or f.attr not in columns:
                continue
            col = columns[f.attr]
            n = col.info.get("max_length")
            if n is None and isinstance(col.type, String):
                n = col.type.length
            if n:
                limits[f.name] = n
        self.limits: Mapping[str, int] = limits

    # -- from a request ---------------------------------------------------------------
    def given(self, obj: Struct | None) -> dict[str, Any]:
        """Canonical name -> value of every field of this part written in ``obj`` (a
        written empty date is None: it clears)."""
        if obj is None:
            return {}
        out: dict[str, Any] = {}
        for f in self.fields:
            sf = _struct_field(type(obj), f)
            if sf is not None and obj.is_written(sf):
                out[f.name] = getattr(obj, sf)
        return out

    def columns(self, values: Mapping[str, Any]) -> dict[str, Any]:
        """Attribute -> normalised value of every writable field in ``values``."""
        return {f.attr: f.norm(values[f.name]) for f in self.fields
                if f.write and f.attr is not None and f.name in values}

    # -- to and from rows -------------------------------------------------------------
    def current(self, row: Any) -> dict[str, Any]:
        """Canonical name -> the row's value, for every field kept in a column."""
        if row is None:
            return {}
        return {f.name: getattr(row, f.attr) for f in self.fields
                if f.attr is not None and f.show}

    def apply(self, row: Any, values: Mapping[str, Any], path: str) -> list[Change]:
        """Set the attributes of ``row`` from ``values`` (canonical names) through the ORM
        attributes; the changes, for the history (a value that does not change is not one)."""
        changes: list[Change] = []
        for f in self.fields:
            if not f.write or f.attr is None or f.name not in values:
                continue
            new = f.norm(values[f.name])
            old = getattr(row, f.attr)
            if old != new:
                setattr(row, f.attr, new)
                changes.append(Change(f"{path}/{f.name}", old, new, f.secret))
        return changes

    def answered(self, table: Any, prefix: str = "") -> list[Any]:
        """The columns of ``table`` (this part's table or an alias of it) that an answer
        shows, labelled ``prefix`` + attribute: what a statement reading this part selects."""
        return [table.c[f.attr].label(prefix + f.attr) for f in self.fields
                if f.attr is not None and f.show]

    def shape(self, cls: type[Struct], keys: Sequence[str], prefix: str = "") -> Shape:
        """How a ``cls`` answer Struct is filled, under ``cls``'s own spellings, from rows
        whose columns are ``keys`` and hold this part's columns as :meth:`answered` labels
        them."""
        pairs = []
        for f in self.fields:
            if f.attr is None or not f.show:
                continue
            sf = _struct_field(cls, f)
            if sf is not None:
                pairs.append((sf, prefix + f.attr))
        return Shape(cls, pairs, keys)


class Shape:
    """How one answer Struct ``cls`` is filled from a row whose columns are ``keys``: each
    named field from one column (a None value leaves the field out). Made once per process
    (the positions are looked up then), used for every row."""

    __slots__ = ("cls", "plan")

    def __init__(self, cls: type[Struct], pairs: Iterable[tuple[str, str]],
                 keys: Sequence[str]):
        position = {k: i for i, k in enumerate(keys)}
        self.cls = cls
        self.plan: tuple[tuple[str, int], ...] = tuple(
            (cls.__lookup__[name.lower()].name, position[key]) for name, key in pairs)

    def out(self, row: Sequence[Any], **extra: Any) -> Struct:
        """A ``cls`` with the row's values, then ``extra`` (by field name)."""
        obj = self.cls()
        for name, i in self.plan:
            v = row[i]
            if v is not None:
                setattr(obj, name, v)
        for name, v in extra.items():
            setattr(obj, name, v)
        return obj


@cache
def _lookup(cls: type[Struct], f: Field) -> str | None:
    for n in f.names:
        sf = cls.__lookup__.get(n.lower())
        if sf is not None:
            return sf.name
    return None


def _struct_field(cls: type[Struct], f: Field) -> str | None:
    return _lookup(cls, f)


@dataclass(frozen=True)
class Change:
    """One field changed: its path, old and new value (``secret``: masked when shown)."""

    path: str
    old: Any
    new: Any
    secret: bool = False

    def shown(self) -> tuple[str | None, str | None]:
        return show(self.old, self.secret), show(self.new, self.secret)


def show(v: Any, secret: bool = False) -> str | None:
    """A value as the history keeps it: text; None for no value; secrets masked."""
    if v is None or v == "" or v == []:
        return None
    if secret:
        return MASK
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (dt.date, dt.datetime)):
        return v.isoformat()
    if isinstance(v, Decimal):
        return format(v, "f")
    if isinstance(v, (list, tuple)):
        return ", ".join(str(x) for x in v)
    return str(v)


CUSTOMER = Part("Customer", T.Customer, (
    Field("ID", "id", write=False),
    Field("AcctNum", "acct_num", text),
    Field("Status", "status", write=False),
    Field("AgentID", "agent_id", ref),
    Field("AgentNumber", None),  # resolved to AgentID by the handler
    Field("BillProfileID", "bill_profile_id", ref, aliases=("BIllProfileID",)),
    Field("CustomerClass", "customer_class", write=False),
    Field("BillMethod", "bill_method", text),
    Field("IsParentAccount", "is_parent_account", flag),
    Field("ParentAccountID", "parent_customer_id", ref, aliases=("ParentCustomerID",)),
    Field("ContractStart", "contract_start"),
    Field("ContractEnd", "contract_end", aliases=("ContactEnd",)),
    Field("SecurityPIN", "security_pin", text, secret=True),
    Field("Language", "language", text),
    Field("DOB", "dob", secret=True),
    Field("DL", "dl", text, secret=True),
    Field("SSN", "ssn", digits, secret=True),
    Field("Email", "email", text),
    Field("Source", "source", text),
    Field("IsAutoDebit", "is_auto_debit", flag),
    Field("AutoPaymentAccountID", "auto_payment_account_id", ref),
    Field("AutoDebitDay", "auto_debit_day", whole),
    Field("Created_Date", "created_at", write=False),
))

ADDRESS = Part("Address", T.Address, (
    Field("ID", "id", write=False),  # create: prohibited; update: ignored
    Field("FirstName", "first_name", text),
    Field("LastName", "last_name", text),
    Field("MiddleName", "middle_name", text),
    Field("Suffix", "suffix", text),
    Field("CompanyName", "company_name", text),
    Field("Address1", "address1", text),
    Field("Address2", "address2", text),
    Field("City", "city", text),
    Field("State", "state", upper),
    Field("Zip", "zip", text),
    Field("Zip4", "zip4", text),
    Field("Country", "country", country),
))

BILLING = Part("Billing", T.Customer, (
    Field("Balance", "balance", amount0),
    Field("Due", "due", amount0),
    Field("Overdue", "overdue", amount0, aliases=("OverDue",)),
    Field("UnbilledUsage", "unbilled_usage", amount0),
    Field("EnabledBalanceLimit", "enabled_balance_limit", flag, aliases=("EnableBalanceLimit",)),
    Field("UsageBalanceLimit", "usage_balance_limit", amount0),
    Field("PaymentTerms", "payment_terms", whole),
    Field("PaymentTermsOverride", "payment_terms_override", flag),
))

LIFELINE = Part("Lifeline", T.CustomerLifeline, (
    Field("LifelineTypeID", "lifeline_type_id", ref),
    Field("Status", "status", write=False),  # written by the handler: a transition (C2007)
    Field("SelfCertificationPDF", "self_certification_pdf", lambda v: v or None, secret=True,
          show=False),
    Field("TemporaryAddress", "temporary_address", flag),
    Field("SeparateEconomicUnit", "separate_economic_unit", flag),
    Field("Tribal", "tribal", flag),
    Field("CertificationDate", "certification_date"),
    Field("OriginalCertificationDate", "original_certification_date"),
    Field("ProofTypeID", "proof_type_id", ref),
    Field("ProofIdentifyingInformation", "proof_identifying_information", text),
    Field("ProofNotes", "proof_notes", text),
    Field("MultipleHouseholds", "multiple_households", flag),
    Field("ProofDocumentationPDF", "proof_documentation_pdf", lambda v: v or None, secret=True,
          show=False),
    Field("HouseholdCount", "household_count"),
    Field("AnnualIncome", "annual_income", amount),
    Field("TPIVStatus", "tpiv_status", text),
    Field("Program", None),  # Customer.lifeline_program, written by the handler
    Field("CGM_Reservation", "cgm_reservation", text),
    Field("NLADEnrolled", "nlad_enrolled", flag),
    Field("StatusNote", None),  # goes to the customer's history, not to a column
))

ADDRESSES = ("PhysicalAddress", "MailingAddress")
ADDRESS_ATTRS = {"PhysicalAddress": "physical_address", "MailingAddress": "mailing_address"}

# The parts of an order that NewCustomers_Create writes: only their text limits are needed.
_ORDER_LIMITS = (
    (T.Service, {"Description": "description", "PBXMake": "pbx_make", "PBXModel": "pbx_model"}),
    (T.OrderPort, {"AccountNumber": "account_number", "AuthorizedSigner": "authorized_signer",
                   "PINPassword": "pin_password"}),
    (T.CustomerProduct, {"Description": "description"}),
)


def _column_limits(model: type[T.Base], names: Mapping[str, str]) -> dict[str, int]:
    return Part("", model, (Field(n, attr) for n, attr in names.items())).limits  # type: ignore[return-value]


@cache
def limits() -> Limits:
    """The longest text of every field, read from the columns."""
    order, port, product = (_column_limits(m, n) for m, n in _ORDER_LIMITS)
    return Limits(customer=CUSTOMER.limits, address=ADDRESS.limits, billing=BILLING.limits,
                  lifeline=LIFELINE.limits, order=order, port=port, product=product)


# ------------------------------------------------------------------ a request's customer


def customer_input(c: Struct | None) -> CustomerInput:
    """What a request's customer object (NewCustomer, CustomerUpdate, ...) writes, by canonical
    name: the plain data the rules and the writers work on. A sub-object or list that is
    absent or left (``<X/>``, nil, null) is None; written, it is a dict / list."""
    out = CustomerInput()
    if c is None:
        return out
    out.fields = CUSTOMER.given(c)
    cls = type(c)
    for f in CUSTOMER.fields:
        sf = _lookup(cls, f)
        if sf is not None:
            out.names[f.name] = sf
    out.names["Lifeline"] = _sub(cls, "Lifeline", "LifeLine") or "Lifeline"
    for name in ADDRESSES:
        sf = _sub(cls, name)
        if sf is not None and c.is_written(sf):
            out.addresses[name] = ADDRESS.given(getattr(c, sf))
    sf = _sub(cls, "Billing")
    if sf is not None and c.is_written(sf):
        out.billing = BILLING.given(getattr(c, sf))
    sf = _sub(cls, "Lifeline", "LifeLine")
    if sf is not None and c.is_written(sf):
        out.lifeline = LIFELINE.given(getattr(c, sf))
    sf = _sub(cls, "TaxExemptions")
    if sf is not None and c.is_written(sf):
        out.tax_exemptions = list(getattr(c, sf) or [])
    sf = _sub(cls, "Fields")
    if sf is not None and c.is_written(sf):
        out.custom_fields = [{"FieldID": f.FieldID, "Label": f.Label, "Value": f.Value,
                              "written_value": f.is_written("Value")}
                             for f in getattr(c, sf) or []]
    return out


def _sub(cls: type[Struct], *names: str) -> str | None:
    for n in names:
        f = cls.__lookup__.get(n.lower())
        if f is not None:
            return f.name
    return None


def current_input(customer: T.Customer) -> CustomerInput:
    """The customer as it is, in the same canonical shape (for rules on the merged result)."""
    out = CustomerInput(fields=CUSTOMER.current(customer))
    for name, attr in ADDRESS_ATTRS.items():
        out.addresses[name] = ADDRESS.current(getattr(customer, attr))
    out.billing = BILLING.current(customer)
    if customer.lifeline is not None:
        out.lifeline = LIFELINE.current(customer.lifeline)
        out.lifeline["Program"] = customer.lifeline_program
    out.tax_exemptions = [t.value for t in customer.tax_exemptions]
    return out
