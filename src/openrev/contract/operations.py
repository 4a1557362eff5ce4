"""Every operation's request and response shape: the one source of truth.

Each operation has a ``…Request`` type (the ``<Request>`` element; it extends
``RequestBase``: Credentials, Session, Debug) and a ``…Result`` type (the ``<…Result>``
element; it extends ``ResultBase``: Header first, then the documented outputs; ``Debug`` is
appended by ``Operation``). Where the documents spell one field two ways, the spelling of
that operation's own text is the wire name and the other is an accepted alias.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from . import enums as E
from .envelope import RequestBase, ResultBase
from .schema import (
    Bool, Date, DateTime, F, Int, ListOf, Money, String, Struct, walk_types,
)
from .types import Address, Billing, Fields, Lifeline, ServiceItem, TaxExemptions


# ------------------------------------------------------------------ Sessions_Create
class Sessions_CreateRequest(RequestBase):
    """Authenticates with Credentials; the answer's Header.SessionKey is the session."""


class Sessions_CreateResult(ResultBase):
    SessionKey = F(String, "The new session's key (also in Header/SessionKey; public clients "
                           "read it in either place).")


# ------------------------------------------------------------------ LifelineTypes_Query
class LifelineTypes_QueryRequest(RequestBase):
    LifelineTypeID = F(Int, "Optional - only this lifeline type.")


class LifelineType(Struct):
    ID = F(Int, "Lifeline Type ID.")
    Description = F(String, "Lifeline type description.")


class LifelineTypes_QueryResult(ResultBase):
    LifelineTypes = F(ListOf("LifelineType", LifelineType), "The client's lifeline types.")


# ------------------------------------------------------------------ Customers_Query
class InventoryLookup(Struct):
    Identifier = F(String, "Inventory identifier of inventory.")
    Type = F(String, 'Optional. "Mobile_Device" (default) or "SIM_Card".')


class Customers_QueryRequest(RequestBase):
    CustomerID = F(Int, "ID of customer to lookup.")
    TN = F(String, "TN of service on customer's account.")
    Inventory = F(InventoryLookup, "An inventory item associated with a customer.")


class CustomerInfo(Struct):
    """A customer as Customers_Query returns it."""

    ID = F(Int, "Customer ID")
    AcctNum = F(String, "Custom account number")
    Status = F(E.CustomerStatus, "OPEN, PENDING, CLOSED or PROSPECT.")
    AgentID = F(Int, "Agent ID")
    AgentNumber = F(Int, "Agent account number of associated agent id.")
    BIllProfileID = F(Int, "ID of customer's bill profile.", aliases=("BillProfileID",))
    CustomerClass = F(E.CustomerClass, '"Residential" or "Business"')
    BillMethod = F(E.BillMethod, "Billing method.")
    IsParentAccount = F(Bool, "The customer is a parent account.")
    ParentAccountID = F(Int, "Parent account of a child account.", aliases=("ParentCustomerID",))
    ContractStart = F(Date, "Starting date of the customer's contract.")
    ContractEnd = F(Date, "Ending date of the customer's contract.", aliases=("ContactEnd",))
    SecurityPIN = F(String, "Customer's security pin.", secret=True)
    Language = F(String, "Customer's preferred language.")
    PhysicalAddress = F(Address, "Customer's physical (service) address.")
    MailingAddress = F(Address, "Customer's mailing (billing) address.")
    Billing = F(Billing, "Customer's billing specific information.")
    DOB = F(Date, "Customer's date of birth.", secret=True)
    DL = F(String, "Customer's driver's license number.", secret=True)
    SSN = F(String, "Customer's social security number.", secret=True)
    Email = F(String, "Customer's email address.")
    Source = F(String, "Source of customer creation.")
    IsAutoDebit = F(Bool, "AutoDebit is enabled.")
    AutoPaymentAccountID = F(Int, "The Payment Account used for AutoDebit.")
    AutoDebitDay = F(Int, "Day of the month of AutoDebit; 0 = on the Due Date.")
    LifeLine = F(Lifeline, "Customer's lifeline information if applicable.", aliases=("Lifeline",))
    TaxExemptions = F(TaxExemptions, "Customer-level tax exemptions; empty = not exempt.")
    Fields = Fields("List of customer-level custom fields.")
    Services = F(ListOf("ServiceItem", ServiceItem), "ServiceItems of the customer.")
    Created_Date = F(DateTime, "Date & time the customer was created.")


class Customers_QueryResult(ResultBase):
    Customer = F(CustomerInfo, "The customer found.")


# ------------------------------------------------------------------ Customers_Update
class CustomerUpdate(Struct):
    """Customers_Update input: only fields specified are updated (see the three states)."""

    ID = F(Int, "CustomerID (required; cannot be changed).")
    AcctNum = F(String, "Custom account number.")
    AgentID = F(Int, "AgentID")
    AgentNumber = F(String, "Agent account number. Ignored if AgentID is specified.")
    BillProfileID = F(Int, "ID of customer's bill profile.", aliases=("BIllProfileID",))
    SecurityPIN = F(String, "Customer's security pin.", secret=True)
    IsParentAccount = F(Bool, "Upgrade to parent account (not vice versa).")
    ParentAccountID = F(Int, "Existing parent account to become a child of.",
                        aliases=("ParentCustomerID",))
    ContractStart = F(Date, "Starting date of the customer's contract.")
    ContractEnd = F(Date, "Ending date of the customer's contract.", aliases=("ContactEnd",))
    Language = F(String, "Customer's preferred language.")
    PhysicalAddress = F(Address, "Customer's physical (service) address.")
    MailingAddress = F(Address, "Customer's mailing (billing) address.")
    Billing = F(Billing, "Customer's billing specific information.")
    DOB = F(Date, "Customer's date of birth.", secret=True)
    DL = F(String, "Customer's driver's license number.", secret=True)
    SSN = F(String, "Customer's social security number.", secret=True)
    Source = F(String, "Source of customer creation.")
    BillMethod = F(E.BillMethod, "Billing method.")
    Email = F(String, "Customer's email address.")
    Lifeline = F(Lifeline, "Customer's lifeline information.", aliases=("LifeLine",))
    Fields = Fields("List of customer-level custom fields.")
    TaxExemptions = F(TaxExemptions, "Absent: unchanged; empty list: all removed.")
    IsAutoDebit = F(Bool, "Enables or disables AutoDebit.")
    AutoPaymentAccountID = F(Int, "The customer's Payment Account used for AutoDebit.")
    AutoDebitDay = F(Int, "Day of the month of AutoDebit; 0 = on the Due Date.")


class Customers_UpdateRequest(RequestBase):
    Customer = F(CustomerUpdate, "The customer and the fields to change.")


class Customers_UpdateResult(ResultBase):
    pass


# ------------------------------------------------------------------ Duplicate_Query
class DuplicateOptions(Struct):
    """The documents' Options object: what the answer echoes, with the defaults filled in."""

    IgnoreClosed = F(Bool, "True by default; False also returns CLOSED customers.")
    LifelinePrograms = F(ListOf("string", String), "Lifeline Programs to match on.")
    MatchPatterns = F(ListOf("string", String), "Combinations of fields considered matches.")
    BillProfileIDs = F(ListOf("int", Int), "Only customers on these bill profiles; empty = all.")


class Duplicate_QueryRequest(RequestBase):
    """The original's flat request (ORIGINAL-WIRE.md), in its order; the documents' nested
    ``Options`` is understood too (declared last)."""

    FirstName = F(String, "First Name of a customer for which to search.")
    LastName = F(String, "Last Name (second last name concatenated with a space).")
    MiddleName = F(String, "MiddleName of a customer for which to search.")
    Suffix = F(String, "Suffix of a customer for which to search.")
    SSNTaxId = F(String, "Full SSN, EIN, Tribal ID, or other Tax ID.", secret=True)
    SSNTaxIdLast4 = F(String, "Last 4 digits of the SSN/Tax ID.", secret=True)
    DateOfBirth = F(DateTime, "Customer's date of birth (its date part is used).", secret=True)
    DriversLicenseNumber = F(String, "Full drivers license number.", secret=True)
    Street1 = F(String, "Full street address according to USPS standards.")
    Street2 = F(String, "Apartment/Unit/Building, etc.")
    City = F(String, "City name.")
    State = F(String, "2-character USPS State Abbreviation.")
    Zip = F(String, "5-digit USPS Zip code.")
    OptionIgnoreClosed = F(Bool, "True by default; False also returns CLOSED customers.")
    OptionMatchPatterns = F(ListOf("string", String), "Combinations of fields considered "
                                                       "matches.")
    OptionBillProfileIDs = F(ListOf("int", Int), "Only customers on these bill profiles.")
    OptionLifelinePrograms = F(ListOf("string", String), "Lifeline Programs to match on.")
    Options = F(DuplicateOptions, "The documents' shape of the options (IgnoreClosed, "
                                  "LifelinePrograms, MatchPatterns, BillProfileIDs).")


class DuplicateMatch(Struct):
    type_name = "Match"
    MatchPattern = F(String, "E.g. SSNTaxId or FirstName,LastName,SSNTaxIdLast4")
    MatchType = F(E.MatchType, "PERSON or LOCATION.")
    CustomerID = F(Int, "Customer's ID.")
    AcctNum = F(String, "Account Number.")
    Name = F(String, "Customer's full name.")
    Street1 = F(String, "Full street address.")
    Street2 = F(String, "Apartment/unit/building, etc.")
    CityStateZip = F(String, "E.g. Pensacola, FL 32502")
    Status = F(E.CustomerStatus, "OPEN, PENDING, CLOSED, PROSPECT")
    Created_Date = F(DateTime, "Date & Time the Customer was created.")


class Duplicate_QueryResult(ResultBase):
    MatchTotalCount = F(Int, "Total number of matches found.")
    MatchPersonCount = F(Int, "Matches based on the person/customer.")
    MatchLocationCount = F(Int, "Matches based on the location address.")
    Options = F(DuplicateOptions, "The options specified, or the defaults.")
    Matches = F(ListOf("Match", DuplicateMatch), "Matching customers.")


# ------------------------------------------------------------------ NewCustomers_Create
class NewCustomer(Struct):
    AcctNum = F(String, "Optional - Custom account number")
    AgentID = F(Int, "Optional - Agent. Cannot use with AgentNumber.")
    AgentNumber = F(Int, "Optional - Agent number. Cannot use with AgentID.")
    BIllProfileID = F(Int, "Optional - Bill Profile.", aliases=("BillProfileID",))
    BillMethod = F(E.BillMethod, "Optional - defaults to the bill profile's bill method.")
    SecurityPIN = F(String, "Optional - 4-digit Security PIN.", secret=True)
    Language = F(String, "Optional - e.g. Spanish, English")
    DOB = F(Date, "Optional - Date of Birth.", secret=True)
    DL = F(String, "Optional - Drivers License #.", secret=True)
    SSN = F(String, "Optional - Social Security Number.", secret=True)
    Source = F(String, "Optional - the system entering this order, e.g. Kiosk1234.")
    Email = F(String, "Optional - email address.")
    CustomerClass = F(E.CustomerClass, 'Optional - "Residential" (default) or "Business".')
    IsParentAccount = F(Bool, "Optional - create as a parent account.")
    ParentCustomerID = F(Int, "Optional - existing parent account.", aliases=("ParentAccountID",))
    ContractStart = F(Date, "Optional - contract start.")
    ContactEnd = F(Date, "Optional - contract end.", aliases=("ContractEnd",))
    Lifeline = F(Lifeline, "Required for Lifeline Packages.", aliases=("LifeLine",))
    Fields = Fields("List of customer-level custom fields.")
    TaxExemptions = F(TaxExemptions, "Customer-level tax exemptions.")
    MailingAddress = F(Address, "Customer's billing address.")
    PhysicalAddress = F(Address, "Customer's service location/tax address.")
    Billing = F(Billing, "Customer's billing specific information.")


class WirelessPort(Struct):
    MDN = F(String, "Mobile Device Number being ported.")
    AccountNumber = F(String, "Customer's account number with previous provider.")
    AuthorizedSigner = F(String, "Full name authorized to request this port.")
    PINPassword = F(String, "Customer's password with previous provider.", secret=True)
    Remark = F(String, "General comment to be sent with the port request.")
    Address = F(Address, "Address currently assigned to the device being ported.")
    ExternalProvider = F(String, "New wireless provider (code) for porting the MDN.")


class OrderProduct(Struct):
    type_name = "AdditionalProduct"
    ProductID = F(Int, "Required - Product ID.")
    Rate = F(Money, "Optional - overrides the product's default rate.")
    Quantity = F(Int, "Optional - >= 1; defaults to 1.")
    Description = F(String, "Optional - overrides the product's default description.")


class NewOrder(Struct):
    CarrierID = F(Int, "Optional. Cannot be used with CarrierCode.")
    CarrierCode = F(String, "Optional. Cannot be used with CarrierID.")
    CarrierAccountID = F(Int, "Optional. Provider account.")
    PackageID = F(Int, "Required. Package.")
    Description = F(String, "Optional - Service description.")
    PBXMake = F(String, "Optional - Make of PBX.")
    PBXModel = F(String, "Optional - Model of PBX.")
    ShippingAddress = F(Address, "Shipping Address. Conditionally required.")
    MailingAddress = F(Address, "Accepted for the original's clients and ignored: the "
                                "customer's MailingAddress is the billing address.")
    TN = F(String, "Optional - the service is created on this TN (10 digits, not in use).")
    WirelessPort = F(WirelessPort, "Required only when a Wireless MDN is being ported.")
    WirelessESN = F(String, "Optional - ICCID, ESN or MEID (hex or decimal).")
    WirelessICCID = F(String, "Optional - ICCID used with the device in WirelessESN.")
    AdditionalProducts = F(ListOf("Product", OrderProduct), "Additional products.")
    LineTypeID = F(Int, "Optional - Service type.")
    ProcessID = F(Int, "Optional - Process.")
    ReconnectTN = F(String, "Optional - create the service with this TN, as a reconnect.")


class NewCustomers_CreateRequest(RequestBase):
    Customer = F(NewCustomer, "Required.")
    Order = F(NewOrder, "If not specified the customer is created as a PROSPECT.")
    SendOrders = F(Bool, "Send resultant orders immediately. Defaults to False.")


class CreatedProduct(Struct):
    type_name = "CreatedProduct"
    ProductID = F(Int, "The Product ID")
    ProductGroupID = F(Int, "Product group ID when added as part of a group, else 0.")
    LeadProductFlag = F(Bool, "The product is the lead product of a product group.")


class NewCustomers_CreateResult(ResultBase):
    Customer_ID = F(Int, "The new customer's ID.")
    Orders = F(ListOf("Order", Int), "Orders created by this request.")
    Lines = F(ListOf("Line", Int), "Lines (services) created by this request.")
    Products = F(ListOf("Product", CreatedProduct), "Products added to the customer.")
    BillMethod = F(E.BillMethod, "Customer's billing method.")
    Status = F(E.CustomerStatus, "Customer's status (PROSPECT or PENDING).")


# ------------------------------------------------------------------ NewCustomers_Quote
class NewCustomers_QuoteRequest(RequestBase):
    ZIP = F(String, "Required (optional if in Address). 5 digits, a valid zip code.")
    PackageID = F(Int, "Package.")
    AdditionalProducts = F(ListOf("Product", OrderProduct), "Additional products.")
    Address = F(Address, "Retrieves the Zip+4 automatically.")


class QuoteDetail(Struct):
    type_name = "QuoteDetail"
    Description = F(String, "Description")
    Amount = F(Money, "Amount")
    Category = F(E.ChargeCategory, "OneTime or Monthly")


class NewCustomers_QuoteResult(ResultBase):
    Subtotal_OneTime = F(Money, "Non-recurring charges + taxes.")
    Subtotal_OneTime_Revenue = F(Money, "Non-recurring charges without taxes.")
    Subtotal_OneTime_Taxes = F(Money, "Non-recurring taxes only.")
    Subtotal_Monthly = F(Money, "Monthly recurring charges + taxes.")
    Subtotal_Monthly_Revenue = F(Money, "Monthly recurring charges without taxes.")
    Subtotal_Monthly_Taxes = F(Money, "Monthly recurring taxes only.")
    Total = F(Money, "Total of all non-recurring and recurring charges and taxes.")
    Details_Charges = F(ListOf("Charge", QuoteDetail), "Recurring & non-recurring charges/credits.")
    Details_Taxes = F(ListOf("Tax", QuoteDetail), "Recurring & non-recurring taxes.")


# ------------------------------------------------------------------ Orders
class OrderHistoryEntry(Struct):
    type_name = "OrderHistoryEntry"
    Date = F(DateTime, "When.")
    Status = F(E.OrderStatus, "The order's status after this entry.")
    Note = F(String, "The StatusNote given, or what changed.")
    Actor = F(String, "Who made the change: user NAME, worker HOST:PID (flow-through), or the "
                      "operator command.")


class OrderInfo(Struct):
    type_name = "OrderInfo"
    ID = F(Int, "Order ID.")
    CustomerID = F(Int, "Customer of the order.")
    ServiceID = F(Int, "Service (line) of the order.")
    TN = F(String, "TN of the service.")
    Type = F(E.OrderType, "Order type.")
    Status = F(E.OrderStatus, "Order status.")
    CarrierID = F(Int, "Provider of the order.")
    CarrierDescription = F(String, "Provider description.")
    PackageID = F(Int, "Package of the service.")
    IsReconnect = F(Bool, "The order is a reconnect order.")
    FlowThrough = F(Bool, "The order is set to flow through to the provider.")
    CreatedDate = F(DateTime, "When the order was created.")
    SentDate = F(DateTime, "When the order was sent.")
    CompletionDate = F(Date, "When the order was completed.")
    Message = F(String, "Last message from the provider/back-end system.")
    TrackingNumber = F(String, "Shipping tracking number (Orders_Update).")
    ShippingStatus = F(E.ShippingStatus, "Shipping status (Orders_Update); absent when never "
                                         "set.")
    ProcessID = F(Int, "Process of the order.")
    Attempts = F(Int, "Sends to the provider attempted so far.")
    LastError = F(String, "The last failure of a send (connectivity, a rejection); absent once "
                          "the provider has taken the order.")
    LastAttemptDate = F(DateTime, "When a send was last attempted.")
    NextAttemptDate = F(DateTime, "When the order is next sent or checked with the provider "
                                  "(absent: nothing scheduled).")
    StatusDate = F(DateTime, "When the status last changed.")
    History = F(ListOf("Entry", OrderHistoryEntry), "The order's history, oldest first: every "
                                                    "status change and StatusNote.")


class Orders_QueryRequest(RequestBase):
    OrderID = F(Int, "The order to look up.")


class Orders_QueryResult(ResultBase):
    Order = F(OrderInfo, "The order.")


class Orders_SearchRequest(RequestBase):
    CustomerID = F(Int, "Optional - orders of this customer.")
    Status = F(E.OrderStatus, "Optional - orders in this status.")
    Type = F(E.OrderType, "Optional - orders of this type.")
    CreatedFrom = F(DateTime, "Optional - created at or after.")
    CreatedTo = F(DateTime, "Optional - created at or before.")
    PageNumber = F(Int, "Optional - 1-based page, default 1.")
    PageSize = F(Int, "Optional - default 50, at most 500.")


class Orders_SearchResult(ResultBase):
    TotalCount = F(Int, "Orders matching the search.")
    PageNumber = F(Int, "This page.")
    PageSize = F(Int, "Page size.")
    Orders = F(ListOf("Order", OrderInfo), "The orders of this page, newest first.")


class OrderLineProductAdd(Struct):
    type_name = "OrderLineProductAdd"
    ProductID = F(Int, "Required - Product ID.")
    Rate = F(Money, "Optional - overrides the product's default rate.")
    Quantity = F(Int, "Optional - >= 1; defaults to 1.")
    Description = F(String, "Optional - overrides the product's default description.")


class OrderLineProductChange(Struct):
    type_name = "OrderLineProductChange"
    CustomerProductID = F(Int, "Required - a customer product of this line.")
    Rate = F(Money, "Optional - new rate.")
    Quantity = F(Int, "Optional - new quantity, >= 1.")
    Description = F(String, "Optional - new description.")
    Status = F(E.CustomerProductStatus, "Optional - new status; DISCONNECTED is final.")


class OrderLineProducts(Struct):
    type_name = "OrderLineProducts"
    Add = F(ListOf("Product", OrderLineProductAdd), "Products added to the line, PENDING "
                                                    "until the order completes.")
    Change = F(ListOf("Product", OrderLineProductChange), "Changes of the line's customer "
                                                          "products.")


class OrderLineUpdateItem(Struct):
    type_name = "OrderLineUpdateItem"
    LineID = F(Int, "Required - the line (service) of this order.")
    TN = F(String, "Optional - the line's TN: 10 digits, not live on another line.")
    Products = F(OrderLineProducts, "Optional - products to add or change.")


class Orders_UpdateRequest(RequestBase):
    """The original service's request, in its order; CustomerID (openrev's earlier shape) is
    still understood, declared last."""

    OrderID = F(Int, "The order to update.")
    Status = F(E.OrderUpdateStatus, "New status; NOT_SPECIFIED or absent: no change.")
    StatusNote = F(String, "Note recorded in the order's and the customer's history.")
    FlowThroughFlag = F(Bool, "Sets whether the order flows through to the provider.")
    CompletionDate = F(DateTime, "Completion (its date part; defaults to today when COMPLETE).")
    TrackingNumber = F(String, "Shipping tracking number; empty clears it.")
    ShippingStatus = F(E.ShippingStatus, "NOT_REQUIRED, NOT_SHIPPED or SHIPPED.")
    ProcessID = F(Int, "Process of the order (PC2001 when it does not exist).")
    ProcessRouteID = F(Int, "Accepted and ignored: openrev has no process routes.")
    Lines = F(ListOf("OrderLineUpdateItem", OrderLineUpdateItem), "The order's line: TN and "
                                                                  "products.")
    CustomerID = F(Int, "Optional - must be the order's customer (AT2002).")


class Orders_UpdateResult(ResultBase):
    Order = F(OrderInfo, "The order as updated.")


# ------------------------------------------------------------------ Lines_Update
class UpdatableString(Struct):
    """A value with its Updated flag: left as it is unless Updated is true."""

    type_name = "UpdatableString"
    Updated = F(Bool, "True to write Value; false or absent leaves the field as it is.")
    Value = F(String, "The new value.")


class UpdatableInt(Struct):
    """A value with its Updated flag: left as it is unless Updated is true."""

    type_name = "UpdatableInt"
    Updated = F(Bool, "True to write Value; false or absent leaves the field as it is.")
    Value = F(Int, "The new value.")


class LineFieldUpdate(Struct):
    type_name = "LineFieldUpdate"
    Label = F(String, "Line-level custom field label (matched case-insensitively).")
    Value = F(UpdatableString, "The field's value.")


class LineField(Struct):
    type_name = "LineField"
    Label = F(String, "Line-level custom field label.")
    Value = F(String, "Its value.")


class LineInfo(Struct):
    type_name = "LineInfo"
    ID = F(Int, "Line (service) ID.")
    CustomerID = F(Int, "Customer of the line.")
    Number = F(String, "The line's number (TN).")
    Circuit_Number = F(String, "Circuit number.")
    Carrier_Customer_Id = F(String, "The customer's id at the provider.")
    Description = F(String, "Line description.")
    Program_ID = F(Int, "Program ID.")
    Line_Type_Id = F(Int, "Service (line) type.")
    Status = F(String, "Line status: PENDING, ACTIVE or DISCONNECTED.")
    Fields = F(ListOf("Field", LineField), "Line-level custom fields.")


class Lines_UpdateRequest(RequestBase):
    """The original service's request: Line_ID, then {Updated, Value} pairs; a pair whose
    Updated is not true is left as it is."""

    Line_ID = F(Int, "Required - the line (service) to update.")
    Number = F(UpdatableString, "The line's number (TN): 10 digits, not live on another line.")
    Circuit_Number = F(UpdatableString, "Circuit number; empty clears it.")
    Carrier_Customer_Id = F(UpdatableString, "The customer's id at the provider; empty clears "
                                             "it.")
    Description = F(UpdatableString, "Line description; empty clears it.")
    Program_ID = F(UpdatableInt, "Program ID (>= 0).")
    Line_Type_Id = F(UpdatableInt, "Service (line) type (LT2001 when it does not exist).")
    Fields = F(ListOf("Field", LineFieldUpdate), "Line-level custom fields.")


class Lines_UpdateResult(ResultBase):
    Line = F(LineInfo, "The line as updated.")


# ------------------------------------------------------------------ registry
@dataclass(frozen=True)
class Operation:
    """One operation of the API: its name, shapes and documentation."""

    name: str
    request: type[Struct]
    result: type[Struct]
    doc: str
    authenticated: bool = True
    debug_type: type[Struct] = field(init=False)

    def __post_init__(self) -> None:
        debug = type(f"{self.name}Debug", (Struct,), {
            "__module__": __name__,
            "Request": F(self.request, "The request object as understood by the API."),
            "Ignored": F(ListOf("string", String), "Request elements not understood."),
        })
        result = type(self.result.__name__, (self.result,), {
            "__module__": __name__,
            "type_name": self.result.type_name,
            "Debug": F(debug, "Debug information (when Debug is true)."),
        })
        object.__setattr__(self, "debug_type", debug)
        object.__setattr__(self, "result", result)

    @property
    def response_element(self) -> str:
        return f"{self.name}Response"

    @property
    def result_element(self) -> str:
        return f"{self.name}Result"


OPERATIONS: dict[str, Operation] = {op.name: op for op in (
    Operation("Sessions_Create", Sessions_CreateRequest, Sessions_CreateResult,
              "Authenticates Credentials and returns a SessionKey in the Header."),
    Operation("Customers_Query", Customers_QueryRequest, Customers_QueryResult,
              "Looks up a customer by CustomerID, TN or Inventory."),
    Operation("Customers_Update", Customers_UpdateRequest, Customers_UpdateResult,
              "Updates a customer; only fields specified are updated."),
    Operation("Duplicate_Query", Duplicate_QueryRequest, Duplicate_QueryResult,
              "Searches for existing customers and/or locations that match."),
    Operation("NewCustomers_Create", NewCustomers_CreateRequest, NewCustomers_CreateResult,
              "Creates a new customer and order."),
    Operation("NewCustomers_Quote", NewCustomers_QuoteRequest, NewCustomers_QuoteResult,
              "Calculates the taxes and charges for a package and/or products for a zip code."),
    Operation("Orders_Query", Orders_QueryRequest, Orders_QueryResult,
              "Looks up one order."),
    Operation("Orders_Search", Orders_SearchRequest, Orders_SearchResult,
              "Searches orders by customer, status, type and created date; paged."),
    Operation("Orders_Update", Orders_UpdateRequest, Orders_UpdateResult,
              "Updates an order: status and note, completion date, shipping, process, and "
              "its line's TN and products."),
    Operation("Lines_Update", Lines_UpdateRequest, Lines_UpdateResult,
              "Updates a line (service): each field wrapped as {Updated, Value}."),
    Operation("LifelineTypes_Query", LifelineTypes_QueryRequest, LifelineTypes_QueryResult,
              "Returns the client's lifeline types."),
)}

OPERATIONS_BY_LOWER: dict[str, Operation] = {name.lower(): op for name, op in OPERATIONS.items()}


def all_types() -> dict[str, object]:
    """Every Struct and Enum used by any operation, by type name, dependencies first."""
    seen: dict[str, object] = {}
    for op in OPERATIONS.values():
        walk_types(op.request, seen)
        walk_types(op.result, seen)
    return seen
