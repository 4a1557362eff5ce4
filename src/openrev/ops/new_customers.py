"""NewCustomers_Create: a customer signs up, with or without an order, in one transaction.

Checks, in the documented order: input (S2010: every rule of ``domain.customer_rules``;
S2015: ZIP codes that do not exist), then existence (A2011, B2012, C2002, PK2013, CA2014,
LT2001, PC2001, PR2023, L2015, L2016, I2019) and state. Then it writes the customer, its
addresses, lifeline record, custom fields, tax exemptions, history, and - with an Order - the
service (line), its customer products (the package's, keeping product group and lead flag,
then the additional products), the activation order and the inventory assignments. Any
failure rolls all of it back (the handler runs in one transaction).

The rows are written by :mod:`openrev.store.signup` with one Core statement per table (no
ORM unit of work): the customer and every address of the sign-up, their link, the line, the
order, its products, the history entries - about ten statements with an order.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..contract.errors import ApiError, problems_message
from ..contract.operations import (
    CreatedProduct, NewCustomer, NewCustomers_CreateRequest, NewCustomers_CreateResult, NewOrder,
    OrderProduct,
)
from ..domain import addresses as A, numbers
from ..domain.customer_rules import CustomerInput, OrderFacts, check_new_customer, product_terms
from ..domain.money import money
from ..domain import flow
from ..provision.worker import request_owner
from ..store import catalog, customer_map as M, customers as customers_repo, \
    lines as lines_repo, outbox as outbox_repo, signup
from ..store.catalog import OrderedPackage
from ..store.tables import (
    Agent, BillProfile, CustomerFieldValue, CustomerLifeline, CustomerTaxExemption,
    InventoryItem, LifelineProofType, LifelineType, NladEnrollment, Process, Product, Provider,
    ProviderAccount, ServiceType,
)
from .base import Context, handler

if TYPE_CHECKING:
    from sqlalchemy import Row


@dataclass
class Resolved:
    """The catalog rows a request names, found (and checked) before anything is written."""

    agent: Agent | None = None
    bill_profile: BillProfile | Row[Any] | None = None  # a row: the default one
    parent: Row[Any] | None = None  # customers_repo.hierarchy_of
    fields: list[tuple[int, str | None]] = field(default_factory=list)  # (field id, value)
    package: OrderedPackage | None = None
    provider: Provider | catalog.ProviderRef | None = None
    provider_account: ProviderAccount | None = None
    service_type: ServiceType | catalog.ServiceTypeRef | None = None
    process: Process | None = None
    additional: list[tuple[Product, OrderProduct]] = field(default_factory=list)
    device: InventoryItem | None = None
    sim: InventoryItem | None = None


@handler("NewCustomers_Create", writes=True)
def new_customers_create(ctx: Context, req: NewCustomers_CreateRequest
                         ) -> NewCustomers_CreateResult:
    order = req.Order
    package = catalog.ordered_package(ctx.db, ctx.client_id, order.PackageID) \
        if order else None
    facts = OrderFacts(
        lifeline_package=bool(package and package.is_lifeline),
        ships_equipment=_ships_equipment(ctx, package, order),
    )
    ci = M.customer_input(req.Customer) if req.Customer is not None else None
    problems = check_new_customer(ci, order, ctx.caller.tax_engine, facts, ctx.today,
                                  M.limits())
    if problems:
        raise ApiError("S2010", problems_message(problems))
    assert ci is not None
    c: NewCustomer = req.Customer
    # input (S2010) though it reads the catalog: before S2015
    fields = resolve_fields(ctx, ci.custom_fields)
    for name in ("MailingAddress", "PhysicalAddress"):
        A.check_zip_exists(getattr(c, name), f"Customer/{name}")
    if order is not None:
        if order.ShippingAddress is not None:
            A.check_zip_exists(order.ShippingAddress, "Order/ShippingAddress")
        if order.WirelessPort is not None and order.WirelessPort.Address is not None:
            A.check_zip_exists(order.WirelessPort.Address, "Order/WirelessPort/Address")
    found = _resolve(ctx, c, order, package)
    found.fields = fields
    return _create(ctx, req, ci, found)


# ------------------------------------------------------------------------ look-ups


def _ships_equipment(ctx: Context, package: OrderedPackage | None, order: NewOrder | None
                     ) -> bool:
    if order is None:
        return False
    if package is not None and (package.ships_equipment or any(
            line.ships_equipment for line in package.lines)):
        return True
    for p in order.AdditionalProducts or []:
        product = catalog.get(ctx.db, Product, ctx.client_id, p.ProductID)
        if product is not None and product.ships_equipment:
            return True
    return False


def _resolve(ctx: Context, c: NewCustomer, order: NewOrder | None,
             package: OrderedPackage | None) -> Resolved:
    """Find every row the request names. Existence codes (A2011, B2012, C2002, L2015, L2016,
    PK2013, CA2014, LT2001, PC2001, PR2023, I2019) come first, in that order; state codes
    (C2008, a number in use, an inventory item in the wrong status, ...) are collected in
    ``state`` and the first is raised only once everything named exists."""
    db, cid = ctx.db, ctx.client_id
    r = Resolved()
    state: list[ApiError] = []
    if c.AgentID is not None:
        r.agent = catalog.get(db, Agent, cid, c.AgentID)
        if r.agent is None:
            raise ApiError("A2011", f"Customer/AgentID: {c.AgentID} does not exist")
    elif c.AgentNumber is not None:
        r.agent = catalog.agent_by_number(db, cid, c.AgentNumber)
        if r.agent is None:
            raise ApiError("A2011", f"Customer/AgentNumber: {c.AgentNumber} does not exist")
    if c.BIllProfileID is not None:
        r.bill_profile = catalog.get(db, BillProfile, cid, c.BIllProfileID)
        if r.bill_profile is None:
            raise ApiError("B2012", f"Customer/BIllProfileID: {c.BIllProfileID} does not exist")
    else:
        r.bill_profile = catalog.default_bill_profile(db, cid)
    if parent_customer_id(c) is not None:
        r.parent = customers_repo.hierarchy_of(db, cid, c.ParentCustomerID)
        if r.parent is None:
            raise ApiError("C2002", f"Customer/ParentCustomerID: {c.ParentCustomerID} does "
                                    "not exist")
        if not r.parent.is_parent_account:
            state.append(ApiError("C2008", f"Customer/ParentCustomerID: customer {r.parent.id} "
                                           "is not a parent account"))
    _resolve_lifeline(ctx, c, state)
    if order is not None:
        _resolve_order(ctx, order, package, r, state)
    if state:
        raise state[0]
    return r


def parent_customer_id(c: NewCustomer) -> int | None:
    """The parent named by ParentCustomerID; 0 (what clients with a non-nullable int send for
    "no parent") names none."""
    return c.ParentCustomerID or None


def resolve_fields(ctx: Context, given: list[dict] | None) -> list[tuple[int, str | None]]:
    """The custom fields a request writes (by FieldID or Label; a Label given with a FieldID
    must be that field's): (field id, value), S2010 for one that is not a custom field."""
    if not given:
        return []
    defs = catalog.field_definitions(ctx.db, ctx.client_id)
    by_id = {d.id: d for d in defs}
    by_label = {d.label.strip().lower(): d for d in defs}
    out: dict[int, str | None] = {}
    for i, f in enumerate(given, 1):
        path = f"Customer/Fields/Field[{i}]"
        label = (f.get("Label") or "").strip()
        field_id = f.get("FieldID")
        if field_id is not None:
            d = by_id.get(field_id)
            if d is None:
                raise ApiError("S2010", f"{path}/FieldID: {field_id} is not a custom field")
            if label and label.lower() != d.label.strip().lower():
                raise ApiError("S2010", f"{path}/Label: {label!r} does not match FieldID "
                                        f"{d.id} ({d.label!r})")
        else:
            d = by_label.get(label.lower())
            if d is None:
                raise ApiError("S2010", f"{path}/Label: {label!r} is not a custom field")
        if d.id in out:
            raise ApiError("S2010", f"{path}: custom field {d.id} is given twice")
        out[d.id] = f.get("Value")
    return list(out.items())


def lifeline_references(ctx: Context, path: str, type_id: int | None,
                        proof_type_id: int | None) -> None:
    """L2015 / L2016 when the Lifeline type or proof type named (not None) does not exist in
    the client (NewCustomers_Create and Customers_Update)."""
    if type_id is not None and catalog.get(ctx.db, LifelineType, ctx.client_id,
                                           type_id) is None:
        raise ApiError("L2015", f"{path}/LifelineTypeID: {type_id} does not exist")
    if proof_type_id is not None and catalog.get(ctx.db, LifelineProofType, ctx.client_id,
                                                 proof_type_id) is None:
        raise ApiError("L2016", f"{path}/ProofTypeID: {proof_type_id} does not exist")


def _resolve_lifeline(ctx: Context, c: NewCustomer, state: list[ApiError]) -> None:
    ll = c.Lifeline
    if ll is None:
        return
    lifeline_references(ctx, "Customer/Lifeline", ll.LifelineTypeID, ll.ProofTypeID)
    if ll.NLADEnrolled:
        us_state = (c.PhysicalAddress.State or "").strip().upper()
        if catalog.nlad_profile(ctx.db, ctx.client_id, us_state) is None:
            state.append(ApiError("CN2001", f"Customer/Lifeline/NLADEnrolled: no active NLAD "
                                            f"profile is set up for {us_state}, the physical "
                                            "address state"))


def _resolve_order(ctx: Context, o: NewOrder, package: OrderedPackage | None, r: Resolved,
                   state: list[ApiError]) -> None:
    db, cid = ctx.db, ctx.client_id
    if package is None:
        raise ApiError("PK2013", f"Order/PackageID: {o.PackageID} does not exist")
    r.package = package
    if o.CarrierID is not None:
        r.provider = catalog.get(db, Provider, cid, o.CarrierID)
        if r.provider is None:
            raise ApiError("CA2014", f"Order/CarrierID: {o.CarrierID} does not exist")
    elif (o.CarrierCode or "").strip():
        r.provider = catalog.provider_by_code(db, cid, o.CarrierCode)
        if r.provider is None:
            raise ApiError("CA2014", f"Order/CarrierCode: {o.CarrierCode!r} does not exist")
    else:
        r.provider = package.provider
        if r.provider is None:  # pragma: no cover - the package's provider is a foreign key
            raise ApiError("CA2014", "Order/PackageID: the package's provider does not exist")
    if o.CarrierAccountID is not None:
        r.provider_account = catalog.get(db, ProviderAccount, cid, o.CarrierAccountID)
        if r.provider_account is None or r.provider_account.provider_id != r.provider.id:
            raise ApiError("CA2014", f"Order/CarrierAccountID: {o.CarrierAccountID} is not an "
                                     f"account of provider {r.provider.id}")
    if o.LineTypeID is not None:
        r.service_type = catalog.get(db, ServiceType, cid, o.LineTypeID)
        if r.service_type is None:
            raise ApiError("LT2001", f"Order/LineTypeID: {o.LineTypeID} does not exist")
    elif package.service_type_id is not None:
        r.service_type = package.service_type
    if o.ProcessID is not None:
        r.process = catalog.get(db, Process, cid, o.ProcessID)
        if r.process is None:
            raise ApiError("PC2001", f"Order/ProcessID: {o.ProcessID} does not exist")
    r.additional = additional_products(ctx, o.AdditionalProducts, "Order/AdditionalProducts")
    port = o.WirelessPort
    if port is not None and (port.ExternalProvider or "").strip():
        ext = catalog.provider_by_code(db, cid, port.ExternalProvider)
        if ext is None:
            raise ApiError("CA2014", f"Order/WirelessPort/ExternalProvider: "
                                     f"{port.ExternalProvider!r} does not exist")
        if not ext.is_wireless:
            state.append(ApiError("S2010", f"Order/WirelessPort/ExternalProvider: {ext.code} is "
                                           "not a wireless provider"))
    esn = (o.WirelessESN or "").strip()
    iccid = (o.WirelessICCID or "").strip()
    if esn:
        r.device = _inventory(ctx, esn, "Order/WirelessESN", ("Mobile_Device", "SIM_Card"),
                              state)
    if iccid and not (r.device is not None and r.device.status == "BATCHED"):
        r.sim = _inventory(ctx, iccid, "Order/WirelessICCID", ("SIM_Card",), state)
        if r.device is None:
            r.device, r.sim = r.sim, None
    # the numbers the service could get: each must not be live on another service
    for path, number in (("Order/WirelessPort/MDN", port.MDN if port is not None else None),
                         ("Order/ReconnectTN", o.ReconnectTN), ("Order/TN", o.TN)):
        if number and number.strip():
            lines_repo.lock_number(db, cid, number.strip())  # no concurrent create takes it
            in_use = numbers.number_in_use(path, number,
                                           catalog.services_with_tn(db, cid, number))
            if in_use is not None:
                state.append(in_use)
    if r.device is not None and r.device.status == "BATCHED":
        other = next((name for name, given in (("WirelessPort", port is not None),
                                               ("ReconnectTN", bool(o.ReconnectTN)),
                                               ("TN", bool((o.TN or "").strip()))) if given),
                     None)
        if other is not None:
            # the service's TN would be the batch's MDN: the other number would be lost
            path = "Order/WirelessESN" if esn else "Order/WirelessICCID"
            state.append(ApiError("S2010", f"{path}: {r.device.identifier} is BATCHED with its "
                                           f"own MDN; it cannot be used with {other}"))


def additional_products(ctx: Context, products: list[OrderProduct] | None, path: str
                        ) -> list[tuple[Product, OrderProduct]]:
    """Each requested additional product with its catalog row (PR2023 naming the first that
    does not exist in the client)."""
    found: list[tuple[Product, OrderProduct]] = []
    for i, p in enumerate(products or [], 1):
        product = catalog.get(ctx.db, Product, ctx.client_id, p.ProductID)
        if product is None:
            raise ApiError("PR2023", f"{path}/Product[{i}]/ProductID: {p.ProductID} does not "
                                     "exist")
        found.append((product, p))
    return found


def _inventory(ctx: Context, identifier: str, path: str, kinds: tuple[str, ...],
               state: list[ApiError]) -> InventoryItem:
    items = catalog.inventory_items(ctx.db, ctx.client_id, identifier, kinds, for_update=True)
    if not items:
        raise ApiError("I2019", f"{path}: no inventory item {identifier}")
    item = items[0]
    if item.status not in ("AVAILABLE", "BATCHED"):
        state.append(ApiError("S2010", f"{path}: inventory item {identifier} is {item.status}; "
                                       "it must be AVAILABLE or BATCHED"))
    return item


# ------------------------------------------------------------------------ writing


def _address(ctx: Context, values: dict, kind: str) -> dict:
    """An address's columns from its written fields (canonical names), through the map."""
    return {"client_id": ctx.client_id, "kind": kind, **M.ADDRESS.columns(values)}


# Written from what was resolved (or defaulted), not copied from the request.
_RESOLVED = frozenset({"AgentID", "BillProfileID", "ParentAccountID", "BillMethod"})


def _create(ctx: Context, req: NewCustomers_CreateRequest, ci: CustomerInput, r: Resolved
            ) -> NewCustomers_CreateResult:
    db, cid = ctx.db, ctx.client_id
    c: NewCustomer = req.Customer
    o: NewOrder | None = req.Order
    bp = r.bill_profile
    v = ci.fields
    customer = {
        "client_id": cid, "status": "PENDING" if o else "PROSPECT",
        "customer_class": v.get("CustomerClass") or "Residential",
        "agent_id": r.agent.id if r.agent else None,
        "bill_profile_id": bp.id if bp else None,
        "bill_method": v.get("BillMethod") or (bp.bill_method if bp else "NONE"),
        "parent_customer_id": r.parent.id if r.parent else None,
        "created_at": ctx.now, "payment_terms": bp.payment_terms if bp else 0,
        "lifeline_program": _program(c, r),
        # every other field through the map (the plain values: the columns encrypt)
        **M.CUSTOMER.columns({k: x for k, x in v.items() if k not in _RESOLVED}),
        **M.BILLING.columns(ci.billing or {}),
    }
    physical = _address(ctx, ci.addresses["PhysicalAddress"], "PHYSICAL")
    addresses = [physical, _address(ctx, ci.addresses["MailingAddress"], "MAILING")]
    if o is not None:
        if o.ShippingAddress is not None:
            addresses.append(_address(ctx, M.ADDRESS.given(o.ShippingAddress), "SHIPPING"))
        if o.WirelessPort is not None:
            addresses.append(_address(ctx, M.ADDRESS.given(o.WirelessPort.Address), "PORT"))
    customer_id, address_ids = signup.add_customer(db, customer, addresses)
    customers_repo.add_rows(db, CustomerTaxExemption, (
        {"client_id": cid, "customer_id": customer_id, "value": x.strip()}
        for x in dict.fromkeys(ci.tax_exemptions or [])))
    customers_repo.add_rows(db, CustomerFieldValue, (
        {"client_id": cid, "customer_id": customer_id, "field_id": fid, "value": value}
        for fid, value in r.fields))
    # the History pane's entries, in this order, written together at the end
    history = [("CUSTOMER", "Customer created through the API"
                + (f" (Source: {c.Source.strip()})" if (c.Source or "").strip() else ""))]
    if ci.lifeline is not None:
        history += _lifeline(ctx, customer_id, physical.get("state"), ci.lifeline)

    result = NewCustomers_CreateResult(Customer_ID=customer_id,
                                       BillMethod=customer["bill_method"],
                                       Status=customer["status"], Orders=[], Lines=[],
                                       Products=[])
    if o is not None:
        history.append(_order(ctx, customer_id, address_ids, req, r, result))
    customers_repo.add_history(db, cid, customer_id, ctx.caller.user_id, ctx.now, history)
    return result


def _program(c: NewCustomer, r: Resolved) -> str:
    if c.Lifeline is not None and c.Lifeline.Program:
        return c.Lifeline.Program
    return "ETC_LIFELINE" if r.package is not None and r.package.is_lifeline else "NON_LIFELINE"


def initial_lifeline_status(ctx: Context, ll: dict) -> str:
    """The Status given; else the client's form status when a SelfCertificationPDF comes with
    it; else NEEDS_FORM."""
    if ll.get("Status"):
        return ll["Status"]
    if ll.get("SelfCertificationPDF"):
        return ctx.caller.lifeline_form_status
    return "NEEDS_FORM"


def _lifeline(ctx: Context, customer_id: int, us_state: str | None, ll: dict
              ) -> list[tuple[str, str]]:
    """Write the customer's Lifeline row (and NLAD enrollment): the history entries."""
    status = initial_lifeline_status(ctx, ll)
    row = {"client_id": ctx.client_id, "customer_id": customer_id, "status": status,
           **M.LIFELINE.columns(ll)}
    row["original_certification_date"] = row.get("original_certification_date") \
        or row.get("certification_date")
    customers_repo.add_rows(ctx.db, CustomerLifeline, [row])
    note = f"Lifeline status set to {status}"
    if (ll.get("StatusNote") or "").strip():
        note += f": {ll['StatusNote'].strip()}"
    history = [("LIFELINE", note)]
    if ll.get("NLADEnrolled"):
        customers_repo.add_rows(ctx.db, NladEnrollment, [{
            "client_id": ctx.client_id, "customer_id": customer_id, "state": us_state,
            "status": "COMPLETE", "created_at": ctx.now}])
        history.append(("LIFELINE", "NLAD enrollment recorded (enrolled outside openrev)"))
    return history


def _order(ctx: Context, customer_id: int, address_ids: dict[str, int],
           req: NewCustomers_CreateRequest, r: Resolved, result: NewCustomers_CreateResult
           ) -> tuple[str, str]:
    """Write the order and its line, products and inventory: the history entry."""
    cid = ctx.client_id
    o: NewOrder = req.Order
    provider, package = r.provider, r.package
    port = o.WirelessPort
    tn = None
    if r.device is not None and r.device.status == "BATCHED":
        tn = r.device.mdn
    elif port is not None:
        tn = port.MDN.strip()
    elif o.ReconnectTN:
        tn = o.ReconnectTN.strip()
    elif (o.TN or "").strip():
        tn = o.TN.strip()
    service = {
        "client_id": cid, "customer_id": customer_id, "tn": tn,
        "type": r.service_type.description if r.service_type else (
            "Wireless" if provider.is_wireless else None),
        "service_type_id": r.service_type.id if r.service_type else None,
        "provider_id": provider.id, "provider_account_id": r.provider_account.id
        if r.provider_account else None, "package_id": package.id,
        "description": M.text(o.Description), "pbx_make": M.text(o.PBXMake),
        "pbx_model": M.text(o.PBXModel), "status": "PENDING", "created_at": ctx.now,
    }
    order_type = "CONVERSION" if port is not None else "NEW"
    flow_through = r.device is not None and r.device.status == "AVAILABLE"
    order = {
        "client_id": cid, "customer_id": customer_id, "provider_id": provider.id,
        "order_type": order_type, "status": "NEW", "is_reconnect": bool(o.ReconnectTN),
        "process_id": r.process.id if r.process else None, "flow_through": flow_through,
        "created_at": ctx.now, "status_changed_at": ctx.now,
        "shipping_address_id": address_ids.get("SHIPPING"),
    }
    order_port = None if port is None else {
        "client_id": cid, "mdn": port.MDN.strip(), "account_number": M.text(port.AccountNumber),
        "authorized_signer": M.text(port.AuthorizedSigner),
        "pin_password": M.text(port.PINPassword), "remark": M.text(port.Remark),
        "address_id": address_ids["PORT"], "external_provider": M.upper(port.ExternalProvider),
    }
    products = []

    def add_product(product: Any, rate: Any, quantity: int, description: str,
                    group: int, lead: bool) -> None:
        products.append({
            "client_id": cid, "customer_id": customer_id, "product_id": product.id,
            "provider_id": product.provider_id or provider.id, "status": "PENDING",
            "description": description, "rate": money(rate), "quantity": quantity,
            "code1": product.code1, "code2": product.code2, "product_group_id": group,
            "lead_product": lead})
        result.Products.append(CreatedProduct(ProductID=product.id, ProductGroupID=group,
                                              LeadProductFlag=lead))

    for line in package.lines:  # in the package's order (sort_order, id)
        add_product(line, line.rate, line.quantity, line.description, line.product_group_id,
                    line.lead_product)
    for product, extra in r.additional:
        add_product(product, *product_terms(product.rate, product.description, extra), 0, False)
    service_id, order_id = signup.add_order(ctx.db, service, order, order_port, products)

    for item in (r.device, r.sim):
        if item is not None:
            item.status = "ASSIGNED"
            item.customer_id = customer_id
            item.service_id = service_id
            item.assigned_date = ctx.today
    if r.device is not None and r.device.status == "ASSIGNED" and tn and not r.device.mdn:
        r.device.mdn = tn
    note = (f"Order {order_id} ({order_type}) created for package {package.id} on "
            f"provider {provider.code}")
    signup.add_order_history(ctx.db, cid, order_id, status="NEW", note=note,
                             user_id=ctx.caller.user_id, now=ctx.now, actor=ctx.actor)
    result.Orders.append(order_id)
    result.Lines.append(service_id)
    _queue(ctx, order_id, flow.queue_on_create(bool(req.SendOrders), flow_through), result)
    return ("ORDER", note)


def _queue(ctx: Context, order_id: int, how: str | None,
           result: NewCustomers_CreateResult) -> None:
    """The order's outbox row, in this transaction; with SendOrders it is leased to this
    request, which sends it once the sign-up has committed (CA2020 when the provider cannot
    be reached: the customer and order are kept, and a worker resends the order)."""
    if how is None:
        return
    if how == "FLOW" or ctx.provisioning is None:
        outbox_repo.enqueue_new(ctx.db, ctx.client_id, order_id, ctx.now)
        return
    owner = request_owner(order_id)
    outbox_repo.enqueue_new(ctx.db, ctx.client_id, order_id, ctx.now, lease_owner=owner,
                            lease_until=ctx.now + dt.timedelta(
                                seconds=ctx.provisioning.settings.lease_seconds))
    provisioning, actor, customer_id = ctx.provisioning, f"{ctx.actor} (SendOrders)", \
        result.Customer_ID

    def send() -> None:
        for outcome in provisioning.send_now([order_id], actor):
            if outcome.down is not None:
                raise ApiError("CA2020", (
                    f"SendOrders: order {order_id} could not be sent ({outcome.down}). "
                    f"Customer {customer_id} and order {order_id} were created and kept: the "
                    "order is FLOW_ERROR and is resent automatically until the provider takes "
                    "it; do not create the customer again"))

    ctx.after_commit.append(send)
