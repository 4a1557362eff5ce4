"""Customers_Query: a customer by CustomerID, by TN, or by an inventory item.

The whole documented output: addresses with their IDs, Billing, LifeLine, TaxExemptions,
AutoDebit fields, custom Fields and Services as ServiceItems (products, inventory, provider
and package descriptions). A customer of another client "does not exist" (C2002). The SSN
is shown only to users holding VIEW_SSN; others see its last four digits behind a mask.
"""

from __future__ import annotations

from ..contract.errors import ApiError
from ..contract.operations import CustomerInfo, Customers_QueryRequest, Customers_QueryResult
from ..contract.types import (
    Address as AddressOut, Billing, Field, Inventory, Lifeline, Service as ServiceOut,
    ServiceItem, ServiceProduct, Wireless,
)
from ..store import customer_map as M, customers as repo
from ..store.customer_map import Shape
from .base import Context, handler

INVENTORY_TYPES = {"mobile_device": "Mobile_Device", "sim_card": "SIM_Card"}


@handler("Customers_Query", writes=False)
def customers_query(ctx: Context, req: Customers_QueryRequest) -> Customers_QueryResult:
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
        found = repo.customer_answer(ctx.db, ctx.client_id, req.CustomerID)
        if found is None:
            raise ApiError("C2002", f"CustomerID: {req.CustomerID} does not exist")
    elif tn:  # the customer of the service on the TN
        found = repo.customer_answer(ctx.db, ctx.client_id, tn=tn)
        if found is None:
            raise ApiError("C2002", f"TN: no customer has a service on {tn}")
    else:  # the customer holding the device
        kind = INVENTORY_TYPES.get((inv.Type or "Mobile_Device").strip().lower())
        if kind is None:
            raise ApiError("S2010", 'Inventory/Type: must be "Mobile_Device" or "SIM_Card"')
        found = repo.customer_answer(ctx.db, ctx.client_id, identifier=identifier,
                                     kinds=(kind,))
        if found is None:
            raise ApiError("C2002", f"Inventory/Identifier: no customer has the {kind} "
                                    f"{identifier}")
    return Customers_QueryResult(Customer=customer_info(ctx, found))


# How the answer's Structs are filled from the rows of store.customers (made once)
_CUSTOMER = M.CUSTOMER.shape(CustomerInfo, repo.CUSTOMER_KEYS)
_BILLING = M.BILLING.shape(Billing, repo.CUSTOMER_KEYS)
_PHYSICAL = M.ADDRESS.shape(AddressOut, repo.CUSTOMER_KEYS, "pa_")
_MAILING = M.ADDRESS.shape(AddressOut, repo.CUSTOMER_KEYS, "ma_")
_LIFELINE = M.LIFELINE.shape(Lifeline, repo.CUSTOMER_KEYS, "ll_")
_C = {k: repo.CUSTOMER_KEYS.index(k)
      for k in ("ssn", "agent_number", "lifeline_program", "pa_id", "ma_id", "ll_id")}
_FIELD_OF = (("FieldID", "field_id"), ("Label", "label"), ("Value", "value"))
_FIELD = Shape(Field, _FIELD_OF, repo.FIELD_KEYS)
_SERVICE = Shape(ServiceOut, (
    ("ID", "id"), ("Type", "type"), ("TN", "tn"), ("CarrierID", "provider_id"),
    ("CarrierDescription", "provider_description"), ("PackageID", "package_id"),
    ("PackageDescription", "package_description"), ("ProgramID", "program_id"),
), repo.SERVICE_KEYS)
_PRODUCT = Shape(ServiceProduct, (
    ("ID", "p_id"), ("ProductID", "p_product_id"), ("CarrierID", "p_provider_id"),
    ("CarrierDescription", "p_provider_description"), ("Status", "p_status"),
    ("Description", "p_description"), ("Rate", "p_rate"), ("Code1", "p_code1"),
    ("Code2", "p_code2"), ("ActivatedDate", "p_activated_date"),
    ("BilledThroughDate", "p_billed_through_date"), ("Quantity", "p_quantity"),
), repo.SERVICE_KEYS)
_INVENTORY = Shape(Inventory, (
    ("ID", "id"), ("CustomerID", "customer_id"), ("Identifier", "identifier"),
    ("IdentifierLabel", "type_identifier_label"), ("InventoryTypeID", "inventory_type_id"),
    ("InventoryType", "type_kind"), ("InventoryDescription", "type_description"),
    ("Status", "status"), ("AssignedDate", "assigned_date"),
    ("UnavailableReasonID", "unavailable_reason_id"),
    ("UnavailableReasonDescription", "unavailable_reason_description"), ("Note", "note"),
), repo.DEVICE_KEYS)
_DEVICE_FIELD = Shape(Field, ((name, "f_" + key) for name, key in _FIELD_OF),
                      repo.DEVICE_KEYS)
_WIRELESS = Shape(Wireless, (("MSID", "msid"), ("MSL", "msl"), ("MDN", "mdn")),
                  repo.DEVICE_KEYS)
_W = tuple(repo.DEVICE_KEYS.index(k) for k in ("msid", "msl", "mdn"))


def customer_info(ctx: Context, a: repo.CustomerAnswer) -> CustomerInfo:
    """The answer for the customer as :func:`openrev.store.customers.customer_answer` reads
    it."""
    c = a.customer
    # the customer's own fields, Billing, the addresses and LifeLine through the field map
    return _CUSTOMER.out(
        c,
        AgentNumber=c[_C["agent_number"]],
        SSN=_ssn(ctx, c[_C["ssn"]]),
        PhysicalAddress=_PHYSICAL.out(c) if c[_C["pa_id"]] is not None else None,
        MailingAddress=_MAILING.out(c) if c[_C["ma_id"]] is not None else None,
        Billing=_BILLING.out(c),
        LifeLine=_LIFELINE.out(c, Program=c[_C["lifeline_program"]])
        if c[_C["ll_id"]] is not None else None,
        TaxExemptions=list(a.tax_exemptions),
        Fields=[_FIELD.out(f) for f in a.fields],
        Services=[_service_item(s) for s in a.services],
    )


def _ssn(ctx: Context, ssn: str | None) -> str | None:
    if not ssn:
        return None
    if ctx.caller.can("VIEW_SSN"):
        return ssn
    return "*****" + ssn[-4:]


def _service_item(item: repo.ServiceAnswer) -> ServiceItem:
    return ServiceItem(
        Service=_SERVICE.out(item.service),
        Products=[_PRODUCT.out(p) for p in item.products],
        Inventory=[_inventory(d) for d in item.devices],
    )


def _inventory(d: repo.DeviceAnswer) -> Inventory:
    i = d.item
    msid, msl, mdn = (i[k] for k in _W)
    return _INVENTORY.out(
        i, Fields=[_DEVICE_FIELD.out(f) for f in d.fields],
        Wireless=_WIRELESS.out(i) if msid or msl or mdn else None)
