"""Every enumeration of the Standards, and those the Customers section defines."""

from __future__ import annotations

from .schema import Enum

OrderStatus = Enum("Enum_Order_Status", {
    "NEW": "Order has not yet been sent.",
    "SENT": "Order has been sent and is waiting on confirmation from the provider/back-end system.",
    "CONFIRMED": "Provider/back-end system has confirmed the order and it is in process.",
    "COMPLETE": "Order is complete and Rev.io has been updated.",
    "CANCELED": "Order is in a canceled state.",
    "ERROR": "Provider/back-end system returned an error.",
    "FLOW_ERROR": "Provider/back-end system returned an error while trying to send the order automatically.",
    # The original's extra statuses (ORIGINAL-WIRE.md, Orders_Update): neither final nor
    # completing; an order in one of them can still become any other status.
    "HOLD": "Order is on hold (neither final nor completing).",
    "PAYMENT_HOLD": "Order is on hold waiting for a payment (neither final nor completing).",
    "LIFELINE_HOLD": "Order is on hold waiting for Lifeline approval (neither final nor completing).",
    "JEOPARDY": "Order is in jeopardy: at risk of not completing (neither final nor completing).",
    "PROVISIONED": "Order has been provisioned but is not complete yet (neither final nor completing).",
})

# Orders_Update's Status: Enum_Order_Status and NOT_SPECIFIED ("no change").
OrderUpdateStatus = Enum("Enum_Order_Update_Status", {
    **{k: v for k, v in OrderStatus.values.items()
       if k not in ("HOLD", "PAYMENT_HOLD", "LIFELINE_HOLD", "JEOPARDY", "PROVISIONED")},
    "NOT_SPECIFIED": "Leave the order's status as it is.",
    **{k: v for k, v in OrderStatus.values.items()
       if k in ("HOLD", "PAYMENT_HOLD", "LIFELINE_HOLD", "JEOPARDY", "PROVISIONED")},
})

ShippingStatus = Enum("Enum_Shipping_Status", {
    "NOT_REQUIRED": "The order ships nothing.",
    "NOT_SHIPPED": "The order's equipment has not shipped yet.",
    "SHIPPED": "The order's equipment has shipped.",
})

OrderType = Enum("Enum_Order_Type", {
    "NEW": "New customer / new service.",
    "DISCONNECT": "Entire account disconnect.",
    "DENY": "Suspend/Deny/Hotline one or more services.",
    "RESTORE": "Restore/Unhotline one or more services.",
    "CHANGE_FEATURE": "Add/change/disconnect one or more products and/or services.",
    "ADD_LINE": "New service being added to a customer.",
    "TRANSFER": "Moving service to a new address.",
    "CONVERSION": "New customer / new service / with phone # migration.",
})

# The Standards list four values; the Customers section adds NOT_SET (the default).
LifelineStatus = Enum("Enum_Lifeline_Status", {
    "NOT_SET": "Lifeline status has not been set (should not be returned in practice).",
    "NEEDS_REVIEW": "Lifeline form needs to be reviewed.",
    "APPROVED": "Approved lifeline form.",
    "REJECTED": "Attached lifeline form was rejected.",
    "NEEDS_FORM": "No form is on file.",
})

PinStatus = Enum("Enum_Pin_Status", {
    "AVAILABLE": "PIN is available to be claimed.",
    "CLAIMED": "PIN has been claimed.",
    "INVALID": "PIN has not been claimed and is not available to be claimed.",
    "LOCKED": "PIN has not been claimed and is temporarily locked from being claimed.",
})

TicketStatus = Enum("Enum_Ticket_Status", {
    "OPEN": "General open status.",
    "INWORK": "Currently being worked.",
    "CLOSED": "Ticket is closed.",
    "PENDING_CANCELLATION": "Ticket is in the process of being canceled.",
    "CANCELED": "Ticket has been canceled.",
})

TPIVStatus = Enum("Enum_TPIV_Status", {
    "APPROVED": "Customer's TPIVStatus has been Approved.",
    "REJECTED": "Customer's TPIVStatus has been Rejected.",
    "PENDING": "Customer's TPIVStatus is Pending.",
})

CCHTaxExemption = Enum("CCHTaxExemption", {
    "Federal": "Federal Taxes Exempt",
    "State": "State Taxes Exempt",
    "County": "County Taxes Exempt",
    "City": "City Taxes Exempt",
    "Local": "Local Taxes Exempt",
    "Other": "Exempt from other, specific taxes (not available for query / update in the API)",
})
# Values of the CCH list that the API neither accepts nor returns.
CCH_NOT_IN_API = frozenset({"Other"})

SureTaxTaxExemption = Enum("SureTaxTaxExemptionEnum", {
    "None": "No Exemptions (not usable or returned by the API)",
    "FET": "Federal Excise Tax Exempt",
    "State": "State Taxes Exempt",
    "FET_State": "Federal Excise Tax and State Taxes Exempt",
    "Local": "Local Taxes Exempt",
    "FET_Local": "Federal Excise Tax and Local Taxes Exempt",
    "State_Local": "State and Local Taxes Exempt",
    "FET_State_Local": "Federal Excise Tax and State and Local Taxes Exempt",
    "Federal": "All Federal Level Taxes Exempt",
    "Unit_Based": "All Unit Based Taxes Exempt",
    "Unit_Based_E911": "Unit Based E911 Exempt",
    "Unit_Only": "Only apply Unit Based Fees",
    "Gross_Receipts": "Gross Receipts Tax (GRT) Exempt",
    "USF": "All Universal Service Fund (USF) Fees Exempt",
    "Gross_Receipts_USF": "GRT and USF Exempt",
    "FUSF": "Federal USF Tax Exempt",
    "FET_FUSF_State_Sales_Use": "Federal Excise, Federal USF, and State Sales & Use Tax Exempt",
    "State_Excise": "State Excise Tax Exempt (includes FL CST)",
    "FET_FUSF_Local_Sales_Use": "Federal Excise, Federal USF, and Local Sales & Use Tax Exempt",
    "FUSF_State_Local_Sales_Use": "Federal USF and State Local Sales & Use Tax Exempt",
    "State_Excise_Local_Telecom": "State Excise and Local Telecommunications Tax Exempt",
    "State_Sales_Use": "State Level Sales & Use Tax Exempt",
    "State_Local_Sales_Use": "State and Local Sales & Use Tax Exempt",
    "GST": "Goods and Services Taxes (GST) Exempt",
    "PST": "Provincial Service Taxes (PST) Exempt",
    "HST": "Harmonized Service Taxes (HST) Exempt",
    "Local_Utility_Users": "Local Utility Users Tax Exempt",
    "State_Excise_Local_Surcharge": "State Excise Tax Exempt and Local Surcharge Exempt",
    "State_Franchise": "State Franchise Fee Exempt",
    "Los_Angeles_Comm_Users": "Los Angeles Communications Users Tax Exempt",
    "All": "All Taxes Exempt - Apply no tax or fees",
})
SURETAX_NOT_IN_API = frozenset({"None"})

CustomerProductStatus = Enum("Enum_Customer_Product_Status", {
    "PENDING": "Product has not yet activated and is pending activation.",
    "ACTIVE": "Product is active and billing.",
    "DENIED": "Product was active, but has been suspended.",
    "DISCONNECTED": "Product has been completely disconnected and is no longer billing.",
})

InventoryType = Enum("Enum_Inventory_Type", {
    "General": "General inventory type for inventory not covered by another type.",
    "Telephone_Number": "Telephone number.",
    "IP_Address": "An IP address.",
    "Mobile_Device": "A wireless mobile device.",
    "SIM_Card": "A wireless SIM card.",
})

InventoryItemStatus = Enum("Enum_Inventory_Item_Status", {
    "AVAILABLE": "Inventory is not activated and is available to be associated with a customer or activated on a batch.",
    "UNAVAILABLE": "Inventory is not activated and may not be used.",
    "ASSIGNED": "Inventory is assigned to a customer.",
    "BATCHED": "Inventory is on a batch.",
})

CustomerClass = Enum("Enum_Customer_Class", {
    "Residential": "A residential customer (named by FirstName/LastName).",
    "Business": "A business customer (named by CompanyName).",
})

BillMethod = Enum("Enum_Bill_Method", {
    "PRINT_ONLY": "Printed bills only.",
    "EMAIL_ONLY": "Emailed bills only.",
    "BOTH": "Printed and emailed bills.",
    "NONE": "No bills are sent.",
})

LifelineProgram = Enum("Enum_Lifeline_Program", {
    "NON_LIFELINE": "Indicates account is not Lifeline configured.",
    "ETC_LIFELINE": "Account is Lifeline and you act as the Eligible Telecommunications Carrier.",
    "NON_ETC_LIFELINE": "Account is Lifeline and the LEC will act as the Eligible Telecommunications Carrier.",
})

MatchType = Enum("Enum_Match_Type", {
    "PERSON": "Matched on the person/customer (name, DOB, SSN, ...).",
    "LOCATION": "Matched on the location address.",
})

CustomerStatus = Enum("Enum_Customer_Status", {
    "OPEN": "Customer is active.",
    "PENDING": "Customer has activation orders that are not complete.",
    "CLOSED": "Customer is closed.",
    "PROSPECT": "Customer was created without an order.",
})

ChargeCategory = Enum("Enum_Charge_Category", {
    "OneTime": "Non-recurring.",
    "Monthly": "Monthly recurring.",
})

# Permissions a user can hold. CONTRACT.md names IMPERSONATE_USERS,
# MANUALLY_CHANGE_LIFELINE_INFORMATION and VIEW_SSN; the other two are openrev's own, for the
# operator console, and not on the wire: ADMINISTER_USERS (the Users page: add and deactivate
# users of the client, grant and revoke permissions, set passwords) and MANAGE_CATALOG (the
# catalog and inventory imports).
PERMISSIONS = (
    "ADMINISTER_USERS",
    "IMPERSONATE_USERS",
    "MANAGE_CATALOG",
    "MANUALLY_CHANGE_LIFELINE_INFORMATION",
    "VIEW_SSN",
)

ALL_ENUMS = (
    OrderStatus, OrderType, LifelineStatus, PinStatus, TicketStatus, TPIVStatus,
    CCHTaxExemption, SureTaxTaxExemption, CustomerProductStatus, InventoryType,
    InventoryItemStatus, CustomerClass, BillMethod, LifelineProgram, MatchType,
    CustomerStatus, ChargeCategory, OrderUpdateStatus, ShippingStatus,
)
