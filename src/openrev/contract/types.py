"""The shared types of the Standards (ServiceItem, Product, Inventory, Field) and addresses."""

from __future__ import annotations

from . import enums as E
from .schema import Bool, Bytes, Date, F, Int, ListOf, Money, String, Struct


class Field(Struct):
    """Individual custom field."""

    FieldID = F(Int, "Rev.io custom field id.")
    Label = F(String, "Custom field label.")
    Value = F(String, "Value specified for custom field.")


def Fields(doc: str = "List of custom fields.") -> F:
    return F(ListOf("Field", Field), doc)


class Wireless(Struct):
    """Wireless-specific inventory fields."""

    MSID = F(String, "MSID of inventory item.")
    MSL = F(String, "MSL of inventory item.")
    MDN = F(String, "Current MDN of inventory item.")


class Inventory(Struct):
    """Individual inventory object."""

    ID = F(Int, "Rev.io inventory item id.")
    CustomerID = F(Int, "Rev.io customer id that this inventory item is associated with.")
    Identifier = F(String, "Inventory identifier.")
    IdentifierLabel = F(String, "The identifier label of this item, such as ESN, MEID, etc.")
    InventoryTypeID = F(Int, "Rev.io inventory type id.")
    InventoryType = F(E.InventoryType, "Rev.io inventory type.")
    InventoryDescription = F(String, "Description from inventory type id.")
    Status = F(E.InventoryItemStatus, "Current status of inventory item.")
    AssignedDate = F(Date, "Date the inventory was assigned to this customer.")
    UnavailableReasonID = F(Int, "When status is UNAVAILABLE, the reason id (if applicable).")
    UnavailableReasonDescription = F(String, "The description of the unavailable reason id.")
    Note = F(String, "Inventory note.")
    Fields = Fields()
    Wireless = F(Wireless, "Object containing wireless-specific inventory fields.")


class ServiceProduct(Struct):
    """Individual product of a service."""

    type_name = "Product"
    ID = F(Int, "Rev.io customer product id.")
    ProductID = F(Int, "Rev.io product id.")
    CarrierID = F(Int, "Rev.io provider id.")
    CarrierDescription = F(String, "Provider description for provider id.")
    Status = F(E.CustomerProductStatus, "Current customer product status.")
    Description = F(String, "Description of product.")
    Rate = F(Money, "Rate charged monthly; credits are negative.")
    Code1 = F(String, "Product code 1. Used for provisioning.")
    Code2 = F(String, "Product code 2. Used for provisioning.")
    ActivatedDate = F(Date, "Date product first became active.")
    BilledThroughDate = F(Date, "Date to which customer has been billed for this product.")
    Quantity = F(Int, "Quantity of products purchased by customer.")


class Service(Struct):
    """Individual service object."""

    ID = F(Int, "Rev.io service ID.")
    Type = F(String, "Type of service.")
    TN = F(String, "TN of service, or other identification for services without TNs.")
    CarrierID = F(Int, "Rev.io provider id for service.")
    CarrierDescription = F(String, "Provider description for provider id.")
    PackageID = F(Int, "Rev.io package id.")
    PackageDescription = F(String, "Package description for package id.")
    ProgramID = F(Int, "Rev.io program id.")
    ProgramDescription = F(String, "Program description for program id.")


class ServiceItem(Struct):
    """Encapsulates all information relating to a service."""

    Service = F(Service, "Individual service object.")
    Products = F(ListOf("Product", ServiceProduct), "Products that belong to this service.")
    Inventory = F(ListOf("Inventory", Inventory), "Inventory items that belong to this service.")


class Address(Struct):
    """A customer address (physical/service, mailing/billing, shipping, port)."""

    ID = F(Int, "Internal address id of address.")
    FirstName = F(String, "First name (Residential).")
    LastName = F(String, "Last name (Residential), second last name concatenated.")
    MiddleName = F(String, "Middle name (Residential). Max length 10.")
    Suffix = F(String, "Name suffix (Residential).")
    CompanyName = F(String, "Company name (Business).")
    Address1 = F(String, "Address, first line.")
    Address2 = F(String, "Address, second line.")
    City = F(String, "City.")
    State = F(String, "State, 2 characters.")
    Zip = F(String, "Zip code (first 5 digits only).")
    Zip4 = F(String, "+4 portion of zip code.")
    Country = F(String, "3 character Country ISO code. Defaults to USA.")


class Billing(Struct):
    """Customer's billing specific information."""

    Balance = F(Money, "Customer's current balance.")
    Due = F(Money, "Amount due at the next statement.")
    Overdue = F(Money, "Amount due on the previous statement.", declared=("OverDue",))
    UnbilledUsage = F(Money, "Total of unbilled customer usage.")
    EnabledBalanceLimit = F(Bool, "Eligibility to be suspended/restored based on balance.",
                            declared=("EnableBalanceLimit",))
    UsageBalanceLimit = F(Money, "Usage balance limit (triggers suspends and restores).")
    PaymentTerms = F(Int, "Customer's payment terms.")
    PaymentTermsOverride = F(Bool, "Whether to override the default payment terms.")


class Lifeline(Struct):
    """Customer's lifeline information (union of the fields of Query, Update and Create)."""

    LifelineTypeID = F(Int, "Lifeline Type ID of customer.")
    Status = F(E.LifelineStatus, "Current lifeline status.")
    SelfCertificationPDF = F(Bytes, "Self Certification PDF (not used in response).",
                             secret=True)
    TemporaryAddress = F(Bool, "The customer's physical address is temporary.")
    SeparateEconomicUnit = F(Bool, "Customer is a Separate Economic Unit.")
    Tribal = F(Bool, "Customer is a Tribal lifeline customer.")
    CertificationDate = F(Date, "Current certification date.")
    OriginalCertificationDate = F(Date, "Date first certified for lifeline.")
    ProofTypeID = F(Int, "Lifeline proof type.")
    ProofIdentifyingInformation = F(String, "Lifeline proof identifying information.")
    ProofNotes = F(String, "Lifeline proof notes.")
    MultipleHouseholds = F(Bool, "Multiple households at the customer's address.")
    ProofDocumentationPDF = F(Bytes, "Proof Documentation PDF (not used in response).",
                              secret=True)
    HouseholdCount = F(Int, "Number of people in the household (>= 1).")
    AnnualIncome = F(Money, "Annual income in dollars.")
    TPIVStatus = F(E.TPIVStatus, "Third Party Identity Verification status.")
    Program = F(E.LifelineProgram, "Current regulatory designation of the account.")
    CGM_Reservation = F(String, "Reservation CGM token from the intercompany duplicate database.")
    NLADEnrolled = F(Bool, "Customer already enrolled in NLAD outside Rev.io.")
    StatusNote = F(String, "Note logged to the customer's history when the status changes.")


TaxExemptions = ListOf("string", String)  # .NET serializer: a list of strings holds <string>
