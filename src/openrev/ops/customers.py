"""Customers_Query: a customer by CustomerID, by TN, or by an inventory item.

The whole documented output: addresses with their IDs, Billing, LifeLine, TaxExemptions,
AutoDebit fields, custom Fields and Services as ServiceItems (products, inventory, provider
and package descriptions). A customer of another client "does not exist" (C2002). The SSN
is shown only to users holding VIEW_SSN; others see its last four digits behind a mask.
"""

from __future__ import annotations

from typing import Any

from ..contract.errors import ApiError
from ..contract.operations import CustomerInfo, Customers_QueryRequest, Customers_QueryResult
from ..contract.types import (
    Address as AddressOut, Billing, Field, Inventory, Lifeline, Service as ServiceOut,
    ServiceItem, ServiceProduct, Wireless,
)
from ..store import catalog, customer_map as M, customers as repo
from .base import Context, handler

INVENTORY_TYPES = {"mobile_device": "Mobile_Device", "sim_card": "SIM_Card"}


@handler("Customers_Query", writes=False)
def customers_query(ctx: Context, req: Customers_QueryRequest) -> Customers_QueryResult:
    found = repo.customer_answer(ctx.db, ctx.client_id, _find(ctx, req))
    if found is None:
        raise ApiError("C2002", f"CustomerID: {req.CustomerID} does not exist")
    return Customers_QueryResult(Customer=customer_info(ctx, found))


def _find(ctx: Context, req: Customers_QueryRequest) -> int:
    """The id of the customer asked for (by TN or Inventory: of the customer found)."""
    tn = (req.TN or "").strip()
    inv = req.Inventory
    identifier = (inv.Identifier or "").strip() if inv is not None else ""
    given = [name for name, present in (("CustomerID", req.CustomerID is not None),
                                         ("TN", bool(tn)), ("Inventory", bool(identifier)))
             if present]
    if not given:
        raise ApiError("S2010", "CustomerID, TN or Inventory/Identifier: one is required")
    if len(given) > 1:
        raise ApiError("S2010", f"{', '.join(given)}: give only one of them")
    if req.CustomerID is not None:
        return req.CustomerID
    if tn:
        customer_id = catalog.tn_holder(ctx.db, ctx.client_id, tn)
        if customer_id is None:
            raise ApiError("C2002", f"TN: no customer has a service on {tn}")
        return customer_id
    kind = INVENTORY_TYPES.get((inv.Type or "Mobile_Device").strip().lower())
    if kind is None:
        raise ApiError("S2010", 'Inventory/Type: must be "Mobile_Device" or "SIM_Card"')
    customer_id = catalog.inventory_holder(ctx.db, ctx.client_id, identifier, (kind,))
    if customer_id is None:
        raise ApiError("C2002", f"Inventory/Identifier: no customer has the {kind} "
                                f"{identifier}")
    return customer_id


def customer_info(ctx: Context, a: repo.CustomerAnswer) -> CustomerInfo:
    """The answer for the customer as :func:`openrev.store.customers.customer_answer` reads
    it."""
    c, lifeline = a.customer, a.lifeline
    # the customer's own fields, Billing, the addresses and LifeLine through the field map
    return M.CUSTOMER.out(
        CustomerInfo, c,
        AgentNumber=c.agent_number,
        SSN=_ssn(ctx, c.ssn),
        PhysicalAddress=address_out(a.physical_address),
        MailingAddress=address_out(a.mailing_address),
        Billing=M.BILLING.out(Billing, c),
        LifeLine=M.LIFELINE.out(Lifeline, lifeline, Program=c.lifeline_program)
        if lifeline is not None else None,
        TaxExemptions=list(a.tax_exemptions),
        Fields=[Field(FieldID=f.field_id, Label=f.label, Value=f.value) for f in a.fields],
        Services=[_service_item(s) for s in a.services],
    )


def _ssn(ctx: Context, ssn: str | None) -> str | None:
    if not ssn:
        return None
    if ctx.caller.can("VIEW_SSN"):
        return ssn
    return "*****" + ssn[-4:]


def address_out(a: Any) -> AddressOut | None:
    """An address row (a table row or an ``addresses`` row read as such) as answered."""
    if a is None:
        return None
    return M.ADDRESS.out(AddressOut, a)


def _service_item(item: repo.ServiceAnswer) -> ServiceItem:
    s = item.service
    return ServiceItem(
        Service=ServiceOut(
            ID=s.id, Type=s.type, TN=s.tn, CarrierID=s.provider_id,
            CarrierDescription=s.provider_description,
            PackageID=s.package_id, PackageDescription=s.package_description,
            ProgramID=s.program_id),
        Products=[ServiceProduct(
            ID=p.id, ProductID=p.product_id, CarrierID=p.provider_id,
            CarrierDescription=p.provider_description,
            Status=p.status, Description=p.description, Rate=p.rate, Code1=p.code1,
            Code2=p.code2, ActivatedDate=p.activated_date,
            BilledThroughDate=p.billed_through_date, Quantity=p.quantity)
            for p in item.products],
        Inventory=[_inventory(d) for d in item.devices],
    )


def _inventory(d: repo.DeviceAnswer) -> Inventory:
    i = d.item
    wireless = None
    if i.msid or i.msl or i.mdn:
        wireless = Wireless(MSID=i.msid, MSL=i.msl, MDN=i.mdn)
    return Inventory(
        ID=i.id, CustomerID=i.customer_id, Identifier=i.identifier,
        IdentifierLabel=i.type_identifier_label, InventoryTypeID=i.inventory_type_id,
        InventoryType=i.type_kind, InventoryDescription=i.type_description,
        Status=i.status, AssignedDate=i.assigned_date,
        UnavailableReasonID=i.unavailable_reason_id,
        UnavailableReasonDescription=i.unavailable_reason_description, Note=i.note,
        Fields=[Field(FieldID=f.field_id, Label=f.label, Value=f.value) for f in d.fields],
        Wireless=wireless,
    )
