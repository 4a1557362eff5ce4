"""Customers_Update: partial updates of a customer, exactly as the documents describe them.

Only fields in the request change: absent, ``<X />``, ``xsi:nil`` and JSON ``null`` leave a
field; ``<X></X>``, ``""``, ``0`` or a value write it (the codec keeps the three states, the
field map, :mod:`openrev.store.customer_map`, turns what is written into column values).
Lists: absent or nil leave; present with no items is an empty list (TaxExemptions: all
removed). The answer is the Header alone ("None if successful").

Order of checks: authentication; permission (MANUALLY_CHANGE_LIFELINE_INFORMATION when the
request changes the Lifeline Status or Program, S2017); input (S2010, every problem of the
request together; S2015 for a ZIP it writes); existence (C2002 for the customer, A2011,
B2012, C2002 for ParentAccountID, L2015, L2016); state (C2006 for a CLOSED customer, C2007
for a Lifeline change its Lifeline status does not allow, C2008 for a hierarchy change).
Every change is recorded in ``customer_changes`` (who, impersonated by whom, when, field
path, old and new value, secrets masked); a Lifeline status change also writes a LIFELINE
entry of the customer's history with its StatusNote. The customer row is locked for the
transaction (PostgreSQL ``FOR UPDATE``; SQLite runs one writer at a time), so concurrent
updates of one customer all land.
"""

from __future__ import annotations

from typing import Any

from ..contract.errors import ApiError, problems_message
from ..contract.operations import Customers_UpdateRequest, Customers_UpdateResult
from ..domain import addresses as A
from ..domain.customer_rules import LIFELINE_PROGRAMS, CustomerInput, check_customer_update
from ..store import catalog, customer_map as M, customers as repo
from ..store.tables import (
    Address, Agent, BillProfile, Customer, CustomerChange, CustomerFieldValue, CustomerLifeline,
    CustomerTaxExemption, CustomFieldDefinition,
)
from .base import Context, handler
from .new_customers import initial_lifeline_status, lifeline_references, resolve_fields

LIFELINE_PERMISSION = "MANUALLY_CHANGE_LIFELINE_INFORMATION"

CLOSED_ALLOWS = ("Customer/MailingAddress/", "Customer/Email", "Customer/Fields/")
"""What a CLOSED customer still accepts (where its final bill goes, and the carrier's own
custom fields); any other change is C2006."""

ELIGIBILITY = ("LifelineTypeID", "TemporaryAddress", "SeparateEconomicUnit", "Tribal",
               "ProofTypeID", "ProofIdentifyingInformation", "MultipleHouseholds",
               "HouseholdCount", "AnnualIncome")
"""The Lifeline fields an APPROVED status was granted on: they change only together with a
new review (Status NEEDS_REVIEW or NEEDS_FORM in the same request), else C2007."""

# Customer fields written by the handler itself (resolved references, the hierarchy).
_BY_HANDLER = frozenset({"ID", "AgentID", "AgentNumber", "BillProfileID", "IsParentAccount",
                         "ParentAccountID"})


@handler("Customers_Update", writes=True)
def customers_update(ctx: Context, req: Customers_UpdateRequest) -> Customers_UpdateResult:
    ci = M.customer_input(req.Customer) if req.Customer is not None else None
    customer_id = ci.fields.get("ID") if ci is not None else None
    customer = repo.lock_customer(ctx.db, ctx.client_id, customer_id) \
        if customer_id else None
    ll = _lifeline_request(ci)

    # permission: only a change of the Lifeline status or program needs it
    current_program = customer.lifeline_program if customer is not None else None
    current_status = customer.lifeline.status \
        if customer is not None and customer.lifeline is not None else None
    new_program = ll.get("Program") or None
    new_status = ll.get("Status") or None
    if (new_program is not None and new_program != current_program) or \
            (new_status is not None and new_status != current_status):
        ctx.caller.require(LIFELINE_PERMISSION, "Customer/Lifeline: changing the Lifeline "
                                                "status or program")
    converting = (customer is not None and current_program == "NON_LIFELINE"
                  and new_program in LIFELINE_PROGRAMS)

    # input (S2010: all problems together), then S2015
    current = M.current_input(customer) if customer is not None else None
    problems = check_customer_update(
        ci, current, ctx.caller.tax_engine, ctx.today, M.limits(),
        customer_class=customer.customer_class if customer is not None else None,
        converting=converting)
    if problems:
        raise ApiError("S2010", problems_message(problems))
    assert ci is not None and customer_id is not None
    fields = resolve_fields(ctx, ci.custom_fields)
    account = ci.fields.get("AutoPaymentAccountID")
    if account and customer is not None and repo.payment_account(
            ctx.db, ctx.client_id, customer.id, account) is None:
        raise ApiError("S2010", f"Customer/AutoPaymentAccountID: {account} is not a payment "
                                f"account of customer {customer.id}")
    for name, values in ci.addresses.items():
        if "Zip" in values:
            A.check_zip_exists(values, f"Customer/{name}")

    # existence
    if customer is None:
        raise ApiError("C2002", f"Customer/ID: {customer_id} does not exist")
    agent_id = _agent(ctx, ci)
    bill_profile_id = _bill_profile(ctx, ci)
    parent = _parent(ctx, ci)
    lifeline_path = f"Customer/{ci.name('Lifeline')}"
    # 0 (the empty value, <X></X>) names no type here
    lifeline_references(ctx, lifeline_path, ll.get("LifelineTypeID") or None,
                        ll.get("ProofTypeID") or None)

    # state (C2007, C2008 judged on the customer as it was; C2006 on what would change)
    state = _lifeline_state(ci, customer, converting, lifeline_path)
    state += _hierarchy_state(ctx, ci, customer, parent)

    history: list[tuple[str, str]] = []  # the History pane's entries (category, note)
    changes = _apply(ctx, ci, customer, agent_id, bill_profile_id, parent, fields, converting,
                     lifeline_path, history)
    if customer.status == "CLOSED":
        refused = [c.path for c in changes if not c.path.startswith(CLOSED_ALLOWS)]
        if refused:
            raise ApiError("C2006", f"Customer/ID: customer {customer.id} is CLOSED; only "
                                    "MailingAddress, Email and Fields can be changed (not "
                                    f"{', '.join(refused[:10])})")
    if state:
        raise state[0]
    _record(ctx, customer, changes, history)
    return Customers_UpdateResult()


# ------------------------------------------------------------------ look-ups


def _lifeline_request(ci: CustomerInput | None) -> dict[str, Any]:
    return dict(ci.lifeline or {}) if ci is not None else {}


_UNCHANGED = object()


def _agent(ctx: Context, ci: CustomerInput) -> Any:
    """The agent the request names (AgentNumber is ignored when AgentID is given): its id,
    None to remove it (0, empty), or _UNCHANGED."""
    v = ci.fields
    if "AgentID" in v:
        if not v["AgentID"]:
            return None
        if catalog.get(ctx.db, Agent, ctx.client_id, v["AgentID"]) is None:
            raise ApiError("A2011", f"Customer/AgentID: {v['AgentID']} does not exist")
        return v["AgentID"]
    if "AgentNumber" in v:
        number = (str(v["AgentNumber"]) if v["AgentNumber"] is not None else "").strip()
        if not number or number == "0":
            return None
        agent = catalog.agent_by_number(ctx.db, ctx.client_id, int(number)) \
            if number.isascii() and number.isdigit() and len(number) < 10 else None
        if agent is None:
            raise ApiError("A2011", f"Customer/AgentNumber: {number} does not exist")
        return agent.id
    return _UNCHANGED


def _bill_profile(ctx: Context, ci: CustomerInput) -> Any:
    if "BillProfileID" not in ci.fields:
        return _UNCHANGED
    bp = ci.fields["BillProfileID"]
    if catalog.get(ctx.db, BillProfile, ctx.client_id, bp) is None:
        raise ApiError("B2012", f"Customer/{ci.name('BillProfileID')}: {bp} does not exist")
    return bp


def _parent(ctx: Context, ci: CustomerInput) -> Any:
    """The parent named by ParentAccountID (its hierarchy row; 0 names none: the hierarchy
    is left)."""
    pid = ci.fields.get("ParentAccountID")
    if not pid:
        return None
    parent = repo.hierarchy_of(ctx.db, ctx.client_id, pid)
    if parent is None:
        raise ApiError("C2002", f"Customer/{ci.name('ParentAccountID')}: {pid} does not exist")
    return parent


# ------------------------------------------------------------------ state rules


def _lifeline_state(ci: CustomerInput, customer: Customer, converting: bool, path: str
                    ) -> list[ApiError]:
    """C2007: the Lifeline changes the customer's Lifeline status allows (docs/API.md)."""
    ll = ci.lifeline
    if not ll:
        return []
    program = customer.lifeline_program
    written = [k for k in ll if k not in ("Program", "StatusNote")]
    if program == "NON_LIFELINE" and not converting:
        if written:
            return [ApiError("C2007", f"{path}: customer {customer.id} is not a Lifeline "
                                      "customer; make it one with Lifeline/Program "
                                      "ETC_LIFELINE or NON_ETC_LIFELINE (with DOB, SSN and "
                                      "LifelineTypeID)")]
        return []
    row = customer.lifeline
    status = row.status if row is not None else None
    new_status = ll.get("Status") or status
    if status == "REJECTED" and ll.get("Status") == "APPROVED":
        return [ApiError("C2007", f"{path}/Status: a REJECTED Lifeline is reviewed again "
                                  "(NEEDS_REVIEW) before it is APPROVED")]
    if status == "APPROVED" and new_status == "APPROVED" and row is not None:
        changed = [k for k in ELIGIBILITY if k in ll
                   and M.LIFELINE.by_name[k].norm(ll[k]) != getattr(
                       row, M.LIFELINE.by_name[k].attr)]
        if changed:
            return [ApiError("C2007", f"{path}/{changed[0]}: the Lifeline is APPROVED; "
                                      f"{', '.join(changed)} change only with a new review "
                                      "(Status NEEDS_REVIEW or NEEDS_FORM in the same "
                                      "request)")]
    return []


def _hierarchy_state(ctx: Context, ci: CustomerInput, customer: Customer,
                     parent: Any) -> list[ApiError]:
    """C2008: IsParentAccount and ParentAccountID never together; standard -> parent only;
    a child never becomes a parent; the parent is a parent account of the client, not the
    customer itself, and no cycle comes of it."""
    v = ci.fields
    p = "Customer"
    parent_name = ci.name("ParentAccountID")
    out: list[ApiError] = []
    if v.get("IsParentAccount") and v.get("ParentAccountID"):
        out.append(ApiError("C2008", f"{p}/IsParentAccount: cannot be passed in conjunction "
                                     f"with {parent_name}"))
    elif v.get("IsParentAccount") is True and customer.parent_customer_id is not None:
        out.append(ApiError("C2008", f"{p}/IsParentAccount: customer {customer.id} is a child "
                                     f"of {customer.parent_customer_id}; a child account "
                                     "cannot become a parent account"))
    elif v.get("IsParentAccount") is False and customer.is_parent_account:
        out.append(ApiError("C2008", f"{p}/IsParentAccount: customer {customer.id} is a parent "
                                     "account; a parent account cannot become a standard "
                                     "account"))
    if parent is not None and parent.id != customer.parent_customer_id:
        if parent.id == customer.id:
            out.append(ApiError("C2008", f"{p}/{parent_name}: a customer cannot be its own "
                                         "parent"))
        elif not parent.is_parent_account:
            out.append(ApiError("C2008", f"{p}/{parent_name}: customer {parent.id} is not a "
                                         "parent account"))
        else:
            seen, up = set(), parent
            while up is not None and up.id not in seen and len(seen) < 1000:
                if up.id == customer.id:
                    out.append(ApiError("C2008", f"{p}/{parent_name}: customer {parent.id} "
                                                 f"is below customer {customer.id}; the "
                                                 "hierarchy would be a cycle"))
                    break
                seen.add(up.id)
                up = repo.hierarchy_of(ctx.db, ctx.client_id, up.parent_customer_id)
    return out


# ------------------------------------------------------------------ writing


def _apply(ctx: Context, ci: CustomerInput, customer: Customer, agent_id: Any,
           bill_profile_id: Any, parent: Any,
           fields: list[tuple[int, str | None]], converting: bool, lifeline_path: str,
           history: list[tuple[str, str]]) -> list[M.Change]:
    """Write what the request changes, through the ORM attributes; the changes made."""
    cid = ctx.client_id
    changes: list[M.Change] = []

    def set_attr(path: str, attr: str, new: Any) -> None:
        old = getattr(customer, attr)
        if old != new:
            setattr(customer, attr, new)
            changes.append(M.Change(path, old, new))

    if agent_id is not _UNCHANGED:
        set_attr("Customer/AgentID", "agent_id", agent_id)
    if bill_profile_id is not _UNCHANGED:
        set_attr("Customer/BillProfileID", "bill_profile_id", bill_profile_id)
    if ci.fields.get("IsParentAccount") is True and not ci.fields.get("ParentAccountID"):
        set_attr("Customer/IsParentAccount", "is_parent_account", True)
    if parent is not None:
        set_attr("Customer/ParentAccountID", "parent_customer_id", parent.id)
    changes += M.CUSTOMER.apply(
        customer, {k: v for k, v in ci.fields.items() if k not in _BY_HANDLER}, "Customer")
    if ci.billing:
        changes += M.BILLING.apply(customer, ci.billing, "Customer/Billing")
    for name, values in ci.addresses.items():
        attr = M.ADDRESS_ATTRS[name]
        row = getattr(customer, attr)
        if row is None:
            row = Address(client_id=cid, customer_id=customer.id)
            setattr(customer, attr, row)
        changes += M.ADDRESS.apply(row, {k: v for k, v in values.items() if k != "ID"},
                                   f"Customer/{name}")
    if ci.lifeline is not None:
        changes += _apply_lifeline(ctx, ci.lifeline, customer, converting, lifeline_path,
                                   history)
    if ci.tax_exemptions is not None:
        wanted = list(dict.fromkeys(v.strip() for v in ci.tax_exemptions))
        old = [t.value for t in customer.tax_exemptions]
        if set(old) != set(wanted):
            keep = [t for t in customer.tax_exemptions if t.value in wanted]
            customer.tax_exemptions = keep + [
                CustomerTaxExemption(client_id=cid, customer_id=customer.id, value=v)
                for v in wanted if v not in old]
            changes.append(M.Change("Customer/TaxExemptions", old, wanted))
    by_field = {fv.field_id: fv for fv in customer.field_values} if fields else {}
    for i, (field_id, value) in enumerate(fields):  # in request order (no field twice)
        item = (ci.custom_fields or [])[i]
        if not item.get("written_value"):
            continue  # <Value /> leaves the field's value
        value = value or None
        fv = by_field.get(field_id)
        old = fv.value if fv is not None else None
        if old == value:
            continue
        if fv is None:
            fv = CustomerFieldValue(client_id=cid, customer_id=customer.id, field_id=field_id)
            customer.field_values.append(fv)
        fv.value = value
        label = catalog.get(ctx.db, CustomFieldDefinition, cid, field_id).label  # resolved above
        changes.append(M.Change(f"Customer/Fields/{label}", old, value))
    return changes


def _apply_lifeline(ctx: Context, ll: dict[str, Any], customer: Customer, converting: bool,
                    path: str, history: list[tuple[str, str]]) -> list[M.Change]:
    changes: list[M.Change] = []
    row = customer.lifeline
    if row is None:
        if not converting and customer.lifeline_program == "NON_LIFELINE":
            return changes  # nothing to write (only Program NON_LIFELINE / StatusNote given)
        row = CustomerLifeline(client_id=ctx.client_id, customer_id=customer.id,
                               status=initial_lifeline_status(ctx, ll))
        customer.lifeline = row
        changes.append(M.Change(f"{path}/Status", None, row.status))
        old_status = row.status
    else:
        old_status = row.status
    changes += M.LIFELINE.apply(row, ll, path)
    if row.original_certification_date is None and row.certification_date is not None:
        row.original_certification_date = row.certification_date
    new_status = ll.get("Status") or None
    note = (ll.get("StatusNote") or "").strip()
    if new_status is not None and new_status != row.status:
        row.status = new_status
        changes.append(M.Change(f"{path}/Status", old_status, new_status))
    program = ll.get("Program") or None
    if program is not None and program != customer.lifeline_program:
        changes.append(M.Change(f"{path}/Program", customer.lifeline_program, program))
        history.append(("LIFELINE",
                        f"Lifeline program changed from {customer.lifeline_program} to {program}"))
        customer.lifeline_program = program
    if row.status != old_status or (converting and customer.lifeline is row):
        text = f"Lifeline status changed from {old_status} to {row.status}" \
            if row.status != old_status else f"Lifeline status set to {row.status}"
        history.append(("LIFELINE", text + (f": {note}" if note else "")))
    elif note:
        history.append(("LIFELINE", f"Lifeline note: {note}"))
    return changes


def _record(ctx: Context, customer: Customer, changes: list[M.Change],
            history: list[tuple[str, str]]) -> None:
    """One ``customer_changes`` row per change, the History pane's entries and one line in it
    for the changes (one statement each)."""
    cid = ctx.client_id
    rows = []
    for ch in changes:
        old, new = ch.shown()
        rows.append({"client_id": cid, "customer_id": customer.id, "created_at": ctx.now,
                     "user_id": ctx.caller.user_id, "real_user_id": ctx.caller.real_user_id,
                     "field": ch.path[:200], "old_value": old, "new_value": new})
    repo.add_rows(ctx.db, CustomerChange, rows)
    if changes:
        paths = ", ".join(ch.path.removeprefix("Customer/") for ch in changes[:20])
        more = f" and {len(changes) - 20} more" if len(changes) > 20 else ""
        history.append(("CUSTOMER", f"Customer updated through the API: {paths}{more}"))
    repo.add_history(ctx.db, cid, customer.id, ctx.caller.user_id, ctx.now, history)
