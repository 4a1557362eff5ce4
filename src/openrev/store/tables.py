"""The tables of openrev: one model for everything the Customers section touches.

"Users, catalog, inventory and customers belong to one client; nothing of one client is visible
to another" (CONTRACT.md). So every row except a ``Client`` carries ``client_id`` (a foreign key
to ``clients.id``, indexed), and every query of the layers above filters on it.

Conventions
-----------
* Every table has an integer, autoincrementing primary key ``id``.
* Column names are the snake_case of the documents' field names (``AcctNum`` -> ``acct_num``,
  ``BilledThroughDate`` -> ``billed_through_date``).
* Money ("Money is decimal, never float, rounded half-up to cents") is :class:`Money`:
  ``Numeric(12, 2)`` that binds and returns :class:`decimal.Decimal` only (a float is refused).
* Dates are ``Date``; timestamps are :class:`UTCDateTime` (``DateTime(timezone=True)``, always
  read back as an aware UTC datetime, also on SQLite).
* Enumerations are strings, checked by a named CHECK constraint against the values of the
  documents (the ``*_VALUES`` tuples below).
* Constraint and index names follow :data:`NAMING_CONVENTION`, so migrations are deterministic.
* ``repr()`` of any model shows only its class and id: secrets (password and key hashes, SSN,
  security PIN, port PIN) never reach a log through a repr.

Addresses
---------
An ``Address`` row belongs to a customer (``addresses.customer_id``) and has a ``kind``:
``PHYSICAL``, ``MAILING``, ``SHIPPING`` (an order's shipping address,
``orders.shipping_address_id``) or ``PORT`` (the address of a ported number,
``order_ports.address_id``). The customer points at its current two addresses with the
foreign keys ``customers.physical_address_id`` and ``customers.mailing_address_id``
(relationships ``Customer.physical_address`` and ``Customer.mailing_address``). These two,
and ``customers.auto_payment_account_id``, close a cycle with ``addresses.customer_id`` /
``payment_accounts.customer_id``; they are declared ``use_alter`` and the relationships use
``post_update``, so a customer and its addresses can be added in one flush::

    customer = Customer(client_id=c.id, status="PROSPECT", ...)
    customer.physical_address = Address(client_id=c.id, first_name="Jane", ...)
    # kind and customer of the address are filled in on assignment

Relationships
-------------
Kept few and explicit. Small owned collections (a user's permissions, a customer's tax
exemptions and custom field values, a package's products, an inventory item's fields, an
order's port) load with ``selectin`` and are deleted with their owner (``delete-orphan``).
Lookups a response always needs (a service's provider, package, products and inventory; a
customer product's provider) load with ``selectin``. There is no ``Customer.services`` or
``Customer.orders`` collection: query ``Service``/``Order`` by ``customer_id``.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    false,
    inspect,
)
from sqlalchemy.orm import (
    DeclarativeBase,
    Mapped,
    Session,
    mapped_column,
    relationship,
    validates,
)
from sqlalchemy import event
from sqlalchemy.types import TypeDecorator, TypeEngine

from .crypto import (
    Encrypted, EncryptedDate, fill_customer_hmacs, fill_customer_match_keys, match_keys_stale,
)

# --------------------------------------------------------------------------- conventions

NAMING_CONVENTION: dict[str, str] = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
"""Names of indexes and constraints, e.g. ``ix_customers_client_id_ssn``,
``fk_services_customer_id_customers``, ``ck_orders_status``, ``pk_orders``."""

CENT = Decimal("0.01")

# Values of the enumerations, as the documents spell them (checked in the database).
TAX_ENGINES = ("SURETAX", "CCH")
CLIENT_LIFELINE_FORM_STATUSES = ("NEEDS_REVIEW", "APPROVED")
BILL_METHODS = ("PRINT_ONLY", "EMAIL_ONLY", "BOTH", "NONE")
INVENTORY_TYPE_KINDS = ("General", "Telephone_Number", "IP_Address", "Mobile_Device", "SIM_Card")
INVENTORY_ITEM_STATUSES = ("AVAILABLE", "UNAVAILABLE", "ASSIGNED", "BATCHED")
CUSTOMER_STATUSES = ("OPEN", "PENDING", "CLOSED", "PROSPECT")
CUSTOMER_CLASSES = ("Residential", "Business")
LIFELINE_PROGRAMS = ("NON_LIFELINE", "ETC_LIFELINE", "NON_ETC_LIFELINE")
ADDRESS_KINDS = ("PHYSICAL", "MAILING", "SHIPPING", "PORT")
LIFELINE_STATUSES = ("NOT_SET", "NEEDS_FORM", "NEEDS_REVIEW", "APPROVED", "REJECTED")
TPIV_STATUSES = ("APPROVED", "REJECTED", "PENDING")
PAYMENT_ACCOUNT_TYPES = ("CREDIT_CARD", "ACH")
SERVICE_STATUSES = ("PENDING", "ACTIVE", "DISCONNECTED")
CUSTOMER_PRODUCT_STATUSES = ("PENDING", "ACTIVE", "DENIED", "DISCONNECTED")
ORDER_TYPES = (
    "NEW", "DISCONNECT", "DENY", "RESTORE", "CHANGE_FEATURE", "ADD_LINE", "TRANSFER", "CONVERSION",
)
ORDER_STATUSES = (
    "NEW", "SENT", "CONFIRMED", "COMPLETE", "CANCELED", "ERROR", "FLOW_ERROR",
    # the original's extra statuses (Orders_Update): neither final nor completing
    "HOLD", "PAYMENT_HOLD", "LIFELINE_HOLD", "JEOPARDY", "PROVISIONED",
)
SHIPPING_STATUSES = ("NOT_REQUIRED", "NOT_SHIPPED", "SHIPPED")
# Provider adapters (openrev.provision.adapters) and what the outbox asks a worker to do
PROVIDER_ADAPTERS = ("DEMOWIRELESS", "MANUAL")
OUTBOX_ACTIONS = ("SEND", "POLL")


def one_of(column: str, values: tuple[str, ...], name: str | None = None) -> CheckConstraint:
    """A CHECK constraint: ``column`` is one of ``values`` (or NULL)."""
    listed = ", ".join(f"'{v}'" for v in values)
    return CheckConstraint(f"{column} IN ({listed})", name=name or column)


def utcnow() -> dt.datetime:
    """The current time, aware, in UTC."""
    return dt.datetime.now(dt.timezone.utc)


# --------------------------------------------------------------------------- column types


class Money(TypeDecorator[Decimal]):
    """An amount of money: ``Numeric(12, 2)``, Decimal in and out, rounded half-up to cents.

    PostgreSQL keeps it exactly. SQLite has no decimal type; the value is read back from its
    shortest float representation, which is exact for 12 digits with 2 decimals.
    """

    impl = Numeric(12, 2)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            # Read floats and convert them here (quietly and exactly) instead of letting
            # SQLAlchemy warn that SQLite has no native decimal.
            return dialect.type_descriptor(Numeric(12, 2, asdecimal=False))
        return dialect.type_descriptor(Numeric(12, 2))

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        if isinstance(value, float):
            raise TypeError("money must be a Decimal (or int/str), never a float")
        amount = Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)
        if dialect.name == "sqlite":
            return str(amount)
        return amount

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        if isinstance(value, float):
            value = repr(value)
        return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


class UTCDateTime(TypeDecorator[dt.datetime]):
    """A point in time: ``DateTime(timezone=True)``, stored in UTC, read back aware (UTC).

    A naive datetime given to it is taken to be UTC already.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.timezone.utc)
        return value.astimezone(dt.timezone.utc)

    def process_result_value(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.timezone.utc)
        return value.astimezone(dt.timezone.utc)


# --------------------------------------------------------------------------- base


class Base(DeclarativeBase):
    """The declarative base of every openrev table."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)

    def __repr__(self) -> str:
        """Class name and id only, so that no secret ever reaches a log through a repr."""
        state = inspect(self)
        ident = state.identity[0] if state.identity else self.__dict__.get("id")
        return f"<{type(self).__name__} id={ident!r}>"


class _Id:
    """An integer, autoincrementing primary key ``id``."""

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True, sort_order=-10)


class _Tenant(_Id):
    """A row of one client: "Every row belongs to one client"."""

    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id"), index=True, sort_order=-9)


# --------------------------------------------------------------------------- clients and users


class Client(_Id, Base):
    """A tenant: the ``Client`` (Client_Code) of the Credentials.

    ``tax_engine`` picks the tax exemption list its customers use: ``SURETAX``
    (SureTaxTaxExemptionEnum) or ``CCH`` (CCHTaxExemption). ``lifeline_form_status`` is
    "Rev.io's default configuration": the Lifeline status a new customer gets when a
    SelfCertificationPDF is supplied (NEEDS_REVIEW or APPROVED).
    """

    __tablename__ = "clients"
    __table_args__ = (
        one_of("tax_engine", TAX_ENGINES),
        one_of("lifeline_form_status", CLIENT_LIFELINE_FORM_STATUSES),
    )

    code: Mapped[str] = mapped_column(String(50), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    tax_engine: Mapped[str] = mapped_column(String(10), default="SURETAX")
    lifeline_form_status: Mapped[str] = mapped_column(String(20), default="NEEDS_REVIEW")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class User(_Tenant, Base):
    """A login of one client: Username and Password of the Credentials.

    ``password_hash`` is an argon2 hash; ``impersonation_key_hash`` the keyed hash
    (HMAC-SHA256 hex, :func:`openrev.domain.passwords.hash_impersonation_key`) of the
    ImpersonationKey an administrator set on this user (null: none set); a value written
    before migration 0003 is the plain SHA-256 hex, still accepted. ``password_changed_at``:
    when the password was last changed (null: never); sessions created before it no longer
    work.
    """

    __tablename__ = "users"
    __table_args__ = (UniqueConstraint("client_id", "username"),)

    username: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(String(255))
    impersonation_key_hash: Mapped[str | None] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    password_changed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    permissions: Mapped[list[UserPermission]] = relationship(
        lazy="selectin", cascade="all, delete-orphan", order_by="UserPermission.permission"
    )

    @property
    def permission_names(self) -> frozenset[str]:
        """The names of the permissions this user holds."""
        return frozenset(p.permission for p in self.permissions)


class UserPermission(_Tenant, Base):
    """One permission a user holds (e.g. ``MANUALLY_CHANGE_LIFELINE_INFORMATION``)."""

    __tablename__ = "user_permissions"
    __table_args__ = (UniqueConstraint("user_id", "permission"),)

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    permission: Mapped[str] = mapped_column(String(64))


class ApiSession(_Tenant, Base):
    """A Session: what a SessionKey stands for.

    Only the SHA-256 hex of the key is kept. ``user_id`` is the user the session acts as;
    ``real_user_id`` the user who authenticated (they differ when ``impersonated``). A session
    ends ``session_idle_minutes`` after ``last_used_at`` and ``session_max_hours`` after
    ``created_at`` (Settings); expired rows are swept when sessions are created. ``used``:
    the key has been used in a Session (a session a client made by sending Credentials and
    never used again is the first to go when a user has too many).
    """

    __tablename__ = "api_sessions"

    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    real_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    impersonated: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    last_used_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    used: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    user: Mapped[User] = relationship(foreign_keys=[user_id], lazy="selectin")
    real_user: Mapped[User] = relationship(foreign_keys=[real_user_id], lazy="selectin")


class LoginFailure(_Id, Base):
    """A failed login (wrong password, unknown user or client, wrong ImpersonationKey), kept
    for the login throttle (``openrev.ops.auth``). Not a tenant row: it is written before any
    client is known, so it names the Client code and Username as they were sent (an unknown
    user is throttled like a known one) and the address the request came from (``peer``).
    Rows older than the throttle window are swept.
    """

    __tablename__ = "login_failures"
    __table_args__ = (
        Index(None, "client_code", "username", "failed_at"),
        Index(None, "peer", "failed_at"),
    )

    client_code: Mapped[str] = mapped_column(String(50))
    username: Mapped[str] = mapped_column(String(100))
    peer: Mapped[str | None] = mapped_column(String(64))
    failed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


# --------------------------------------------------------------------------- settings / catalog


class Agent(_Tenant, Base):
    """An agent (AgentID) with its agent account number (AgentNumber)."""

    __tablename__ = "agents"
    __table_args__ = (UniqueConstraint("client_id", "agent_number"),)

    agent_number: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))


class BillProfile(_Tenant, Base):
    """A bill profile (BillProfileID): default bill method and payment terms."""

    __tablename__ = "bill_profiles"
    __table_args__ = (one_of("bill_method", BILL_METHODS),)

    description: Mapped[str] = mapped_column(String(200))
    bill_method: Mapped[str] = mapped_column(String(20), default="EMAIL_ONLY")
    payment_terms: Mapped[int] = mapped_column(Integer, default=30)


class Provider(_Tenant, Base):
    """A provider (CarrierID / CarrierCode; Settings > Providers).

    ``auto_complete_seconds``: orders of this provider complete on their own this many seconds
    after they are sent (the demo's DEMOWIRELESS); null: they wait for Orders_Update.
    """

    __tablename__ = "providers"
    __table_args__ = (UniqueConstraint("client_id", "code"),
                      one_of("adapter", PROVIDER_ADAPTERS))

    description: Mapped[str] = mapped_column(String(200))
    code: Mapped[str] = mapped_column(String(50))
    is_wireless: Mapped[bool] = mapped_column(Boolean, default=False)
    auto_complete_seconds: Mapped[int | None] = mapped_column(Integer)
    # Order flow-through (0008): the adapter that talks to this provider, and the faults
    # injected at run time (``openrev provider fault``): connectivity down (with a message),
    # the next N orders rejected (with a message), latency added to every call.
    adapter: Mapped[str] = mapped_column(String(30), default="MANUAL", server_default="MANUAL")
    fault_down: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    fault_down_message: Mapped[str | None] = mapped_column(String(200))
    fault_reject_next: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    fault_reject_message: Mapped[str | None] = mapped_column(String(200))
    fault_latency_ms: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class ProviderAccount(_Tenant, Base):
    """A provider account (CarrierAccountID; Settings > Provider Accounts)."""

    __tablename__ = "provider_accounts"

    provider_id: Mapped[int] = mapped_column(ForeignKey("providers.id"), index=True)
    account_number: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(String(200))


class Product(_Tenant, Base):
    """A product (ProductID; Settings > Products).

    ``rate`` is the default rate (credits are negative); ``recurring`` true for a monthly
    product, false for a one-time charge; ``tax_category`` picks the taxes that apply.
    ``ships_equipment``: ordering it ships something, so the order needs a ShippingAddress.
    """

    __tablename__ = "products"

    description: Mapped[str] = mapped_column(String(200))
    rate: Mapped[Decimal] = mapped_column(Money, default=Decimal("0.00"))
    recurring: Mapped[bool] = mapped_column(Boolean, default=True)
    code1: Mapped[str | None] = mapped_column(String(100))
    code2: Mapped[str | None] = mapped_column(String(100))
    provider_id: Mapped[int | None] = mapped_column(ForeignKey("providers.id"), index=True)
    product_type: Mapped[str | None] = mapped_column(String(100))
    ships_equipment: Mapped[bool] = mapped_column(Boolean, default=False)
    # the product tax category its taxes are looked up by (openrev.domain.tax.CATEGORIES;
    # null: "general")
    tax_category: Mapped[str | None] = mapped_column(String(50))


class TaxTable(_Tenant, Base):
    """A client's tax table (``openrev tax load``): the TOML text as loaded, one per client.

    ``digest`` (SHA-256 of ``source``) keys the parsed table cached in memory
    (openrev.store.tax), so that a quote reads one indexed row and parses nothing.
    """

    __tablename__ = "tax_tables"
    __table_args__ = (UniqueConstraint("client_id"),)

    name: Mapped[str] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(Text)
    digest: Mapped[str] = mapped_column(String(64))
    loaded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class ServiceType(_Tenant, Base):
    """A service (line) type (LineTypeID; Settings > Service Types)."""

    __tablename__ = "service_types"

    description: Mapped[str] = mapped_column(String(200))


class Package(_Tenant, Base):
    """A package (PackageID; Settings > Packages): a provider and the products it adds."""

    __tablename__ = "packages"

    description: Mapped[str] = mapped_column(String(200))
    provider_id: Mapped[int] = mapped_column(ForeignKey("providers.id"), index=True)
    is_lifeline: Mapped[bool] = mapped_column(Boolean, default=False)
    ships_equipment: Mapped[bool] = mapped_column(Boolean, default=False)
    service_type_id: Mapped[int | None] = mapped_column(ForeignKey("service_types.id"), index=True)

    products: Mapped[list[PackageProduct]] = relationship(
        lazy="selectin",
        cascade="all, delete-orphan",
        order_by="[PackageProduct.sort_order, PackageProduct.id]",
    )


class PackageProduct(_Tenant, Base):
    """A product of a package; products of one group share ``product_group_id`` (0: none)."""

    __tablename__ = "package_products"

    package_id: Mapped[int] = mapped_column(ForeignKey("packages.id"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    product_group_id: Mapped[int] = mapped_column(Integer, default=0)
    lead_product: Mapped[bool] = mapped_column(Boolean, default=False)
    quantity: Mapped[int] = mapped_column(Integer, default=1)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)

    product: Mapped[Product] = relationship(lazy="selectin")


class Process(_Tenant, Base):
    """A process (ProcessID; Settings > Processes)."""

    __tablename__ = "processes"

    description: Mapped[str] = mapped_column(String(200))


class LifelineType(_Tenant, Base):
    """A Lifeline type (LifelineTypeID; see LifelineTypes_Query)."""

    __tablename__ = "lifeline_types"

    description: Mapped[str] = mapped_column(String(200))


class LifelineProofType(_Tenant, Base):
    """A Lifeline proof type (ProofTypeID)."""

    __tablename__ = "lifeline_proof_types"

    description: Mapped[str] = mapped_column(String(200))


class NladProfile(_Tenant, Base):
    """An NLAD profile for one state; NLADEnrolled needs an active one for the customer's
    physical address state."""

    __tablename__ = "nlad_profiles"
    __table_args__ = (UniqueConstraint("client_id", "state"),)

    state: Mapped[str] = mapped_column(String(2))
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class CustomFieldDefinition(_Tenant, Base):
    """A customer-level custom field (FieldID, Label)."""

    __tablename__ = "custom_field_definitions"
    __table_args__ = (UniqueConstraint("client_id", "label"),)

    label: Mapped[str] = mapped_column(String(200))


# --------------------------------------------------------------------------- inventory


class InventoryType(_Tenant, Base):
    """An inventory type (InventoryTypeID, InventoryDescription).

    ``kind`` is its Enum_Inventory_Type; ``identifier_label`` the IdentifierLabel of its items
    (IMEI, ESN, MEID, ICCID...).
    """

    __tablename__ = "inventory_types"
    __table_args__ = (one_of("kind", INVENTORY_TYPE_KINDS),)

    description: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    identifier_label: Mapped[str] = mapped_column(String(50))


class InventoryBatch(_Tenant, Base):
    """A wireless pre-activated batch: its items are BATCHED and carry an MDN already."""

    __tablename__ = "inventory_batches"

    description: Mapped[str] = mapped_column(String(200))


class InventoryItem(_Tenant, Base):
    """An inventory item (Inventory ID, Identifier, Status...).

    ``identifier_hex``: for ESN/MEID devices, the hex form of ``identifier``, so that a device
    is found by its decimal or its hex identifier.
    """

    __tablename__ = "inventory_items"
    __table_args__ = (
        UniqueConstraint("client_id", "inventory_type_id", "identifier"),
        Index(None, "client_id", "identifier"),  # look-ups by identifier (0009)
        one_of("status", INVENTORY_ITEM_STATUSES),
    )

    inventory_type_id: Mapped[int] = mapped_column(ForeignKey("inventory_types.id"), index=True)
    identifier: Mapped[str] = mapped_column(String(100))
    identifier_hex: Mapped[str | None] = mapped_column(String(100), index=True)
    status: Mapped[str] = mapped_column(String(20), default="AVAILABLE")
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"), index=True)
    service_id: Mapped[int | None] = mapped_column(ForeignKey("services.id"), index=True)
    batch_id: Mapped[int | None] = mapped_column(ForeignKey("inventory_batches.id"), index=True)
    assigned_date: Mapped[dt.date | None] = mapped_column(Date)
    unavailable_reason_id: Mapped[int | None] = mapped_column(Integer)
    unavailable_reason_description: Mapped[str | None] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(Text)
    msid: Mapped[str | None] = mapped_column(String(20))
    msl: Mapped[str | None] = mapped_column(String(20))
    mdn: Mapped[str | None] = mapped_column(String(20), index=True)

    inventory_type: Mapped[InventoryType] = relationship(lazy="selectin")
    fields: Mapped[list[InventoryItemField]] = relationship(
        lazy="selectin", cascade="all, delete-orphan", order_by="InventoryItemField.field_id"
    )


class InventoryItemField(_Tenant, Base):
    """A custom field of an inventory item (FieldID, Label, Value)."""

    __tablename__ = "inventory_item_fields"
    __table_args__ = (UniqueConstraint("inventory_item_id", "field_id"),)

    inventory_item_id: Mapped[int] = mapped_column(ForeignKey("inventory_items.id"), index=True)
    field_id: Mapped[int] = mapped_column(Integer)
    label: Mapped[str] = mapped_column(String(200))
    value: Mapped[str | None] = mapped_column(Text)


# --------------------------------------------------------------------------- customers


class Customer(_Tenant, Base):
    """A customer (Customer ID) with its account, contact, billing and Lifeline program data.

    Name and address live in its two addresses (see the module docstring). ``status`` is
    Enum_Customer_Status; ``lifeline_program`` Enum_Lifeline_Program (``Lifeline/Program``).
    Billing fields are those of ``Customer/Billing``.

    ``ssn``, ``dl``, ``dob`` and ``security_pin`` are encrypted at rest
    (:mod:`openrev.store.crypto`): read and written as plain values, stored as ciphertext.
    ``ssn_hmac``, ``ssn_last4_hmac``, ``dl_hmac`` and ``dob_hmac`` are their keyed hashes,
    kept up to date whenever the customer is flushed; look customers up by those.
    """

    __tablename__ = "customers"
    __table_args__ = (
        Index(None, "client_id", "ssn_hmac"),
        Index(None, "client_id", "ssn_last4_hmac"),
        Index(None, "client_id", "dl_hmac"),
        Index(None, "client_id", "dob_hmac"),
        Index(None, "client_id", "acct_num"),
        # Duplicate_Query (0006): one index per default pattern's leading keys
        Index(None, "client_id", "last_name_key", "first_name_key"),
        Index(None, "client_id", "street_key", "unit_key", "zip5"),
        Index(None, "client_id", "street_key", "unit_key", "city_key", "state_key"),
        one_of("status", CUSTOMER_STATUSES),
        one_of("customer_class", CUSTOMER_CLASSES),
        one_of("bill_method", BILL_METHODS),
        one_of("lifeline_program", LIFELINE_PROGRAMS),
    )

    acct_num: Mapped[str | None] = mapped_column(String(50))
    status: Mapped[str] = mapped_column(String(20), default="PROSPECT")
    customer_class: Mapped[str] = mapped_column(String(20), default="Residential")
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id"), index=True)
    bill_profile_id: Mapped[int | None] = mapped_column(ForeignKey("bill_profiles.id"), index=True)
    bill_method: Mapped[str | None] = mapped_column(String(20))
    is_parent_account: Mapped[bool] = mapped_column(Boolean, default=False)
    parent_customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"), index=True)
    contract_start: Mapped[dt.date | None] = mapped_column(Date)
    contract_end: Mapped[dt.date | None] = mapped_column(Date)
    security_pin: Mapped[str | None] = mapped_column(Encrypted("customers.security_pin"))
    language: Mapped[str | None] = mapped_column(String(50))
    dob: Mapped[dt.date | None] = mapped_column(EncryptedDate("customers.dob"))
    # the ciphertext is TEXT; ``info["max_length"]`` bounds the plain value (the field map)
    dl: Mapped[str | None] = mapped_column(Encrypted("customers.dl"), info={"max_length": 50})
    ssn: Mapped[str | None] = mapped_column(Encrypted("customers.ssn"))
    email: Mapped[str | None] = mapped_column(String(255))
    source: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    physical_address_id: Mapped[int | None] = mapped_column(
        ForeignKey("addresses.id", use_alter=True), index=True
    )
    mailing_address_id: Mapped[int | None] = mapped_column(
        ForeignKey("addresses.id", use_alter=True), index=True
    )
    # Customer/Billing
    balance: Mapped[Decimal] = mapped_column(Money, default=Decimal("0.00"))
    due: Mapped[Decimal] = mapped_column(Money, default=Decimal("0.00"))
    overdue: Mapped[Decimal] = mapped_column(Money, default=Decimal("0.00"))
    unbilled_usage: Mapped[Decimal] = mapped_column(Money, default=Decimal("0.00"))
    enabled_balance_limit: Mapped[bool] = mapped_column(Boolean, default=False)
    usage_balance_limit: Mapped[Decimal] = mapped_column(Money, default=Decimal("0.00"))
    payment_terms: Mapped[int] = mapped_column(Integer, default=0)
    payment_terms_override: Mapped[bool] = mapped_column(Boolean, default=False)
    # AutoDebit
    is_auto_debit: Mapped[bool] = mapped_column(Boolean, default=False)
    auto_payment_account_id: Mapped[int | None] = mapped_column(
        ForeignKey("payment_accounts.id", use_alter=True), index=True
    )
    auto_debit_day: Mapped[int] = mapped_column(Integer, default=0)
    lifeline_program: Mapped[str] = mapped_column(String(20), default="NON_LIFELINE")
    # Keyed hashes of the encrypted SSN, DL and DOB, for exact-match look-ups (0004; filled
    # from the plain values on every insert/update, see _customer_hmacs below)
    ssn_hmac: Mapped[str | None] = mapped_column(String(64))
    ssn_last4_hmac: Mapped[str | None] = mapped_column(String(64))
    dl_hmac: Mapped[str | None] = mapped_column(String(64))
    dob_hmac: Mapped[str | None] = mapped_column(String(64))
    # Duplicate_Query's normalised keys of the name and the *physical* address (0006;
    # openrev.domain.matching, computed on every write by _customer_match_keys below, or by
    # crypto.customer_key_columns for a bulk load; never per query). unit_key: "" = no unit.
    first_name_key: Mapped[str | None] = mapped_column(String)
    last_name_key: Mapped[str | None] = mapped_column(String)
    middle_name_key: Mapped[str | None] = mapped_column(String)
    suffix_key: Mapped[str | None] = mapped_column(String)
    street_key: Mapped[str | None] = mapped_column(String)
    unit_key: Mapped[str | None] = mapped_column(String)
    city_key: Mapped[str | None] = mapped_column(String)
    state_key: Mapped[str | None] = mapped_column(String)
    zip5: Mapped[str | None] = mapped_column(String(5))
    match_keys_version: Mapped[int | None] = mapped_column(Integer)

    agent: Mapped[Agent | None] = relationship(lazy="selectin")
    physical_address: Mapped[Address | None] = relationship(
        foreign_keys=[physical_address_id], post_update=True, lazy="selectin"
    )
    mailing_address: Mapped[Address | None] = relationship(
        foreign_keys=[mailing_address_id], post_update=True, lazy="selectin"
    )
    lifeline: Mapped[CustomerLifeline | None] = relationship(
        lazy="selectin", cascade="all, delete-orphan", uselist=False
    )
    tax_exemptions: Mapped[list[CustomerTaxExemption]] = relationship(
        lazy="selectin", cascade="all, delete-orphan", order_by="CustomerTaxExemption.id"
    )
    field_values: Mapped[list[CustomerFieldValue]] = relationship(
        lazy="selectin", cascade="all, delete-orphan", order_by="CustomerFieldValue.field_id"
    )

    @validates("physical_address", "mailing_address")
    def _own_address(self, key: str, address: Address | None) -> Address | None:
        """An address given as this customer's physical/mailing address belongs to it."""
        if address is None:
            return None
        kind = "PHYSICAL" if key == "physical_address" else "MAILING"
        if address.kind is None:
            address.kind = kind
        elif address.kind != kind:
            raise ValueError(f"a {address.kind} address cannot be the {key}")
        if address.customer_id is None and address.customer is None:
            address.customer = self
        return address


@event.listens_for(Customer, "before_insert")
def _customer_hmacs_on_insert(_mapper: Any, _connection: Any, customer: Customer) -> None:
    fill_customer_hmacs(customer, inserting=True)


@event.listens_for(Customer, "before_update")
def _customer_hmacs_on_update(_mapper: Any, _connection: Any, customer: Customer) -> None:
    fill_customer_hmacs(customer, inserting=False)


@event.listens_for(Session, "before_flush")
def _customer_match_keys(session: Session, _context: Any, _instances: Any) -> None:
    """Duplicate_Query's keys of every customer written in this flush (created, given
    another physical address or keys of an older version, or whose current physical address
    is created or changed), from that address. A change of the customer's own columns leaves
    them: they are computed from the address alone."""
    touched: dict[int, Customer] = {}
    for obj in (*session.new, *session.dirty):
        if isinstance(obj, Customer):
            if obj in session.new or match_keys_stale(obj):
                touched[id(obj)] = obj
        elif isinstance(obj, Address) and obj.kind == "PHYSICAL":
            owner = obj.customer
            if owner is not None and owner.physical_address is obj:
                touched[id(owner)] = owner
    for customer in touched.values():
        if customer not in session.deleted:
            fill_customer_match_keys(customer)


class CustomerTaxExemption(_Tenant, Base):
    """One customer-level tax exemption (a CCHTaxExemption or SureTaxTaxExemptionEnum value)."""

    __tablename__ = "customer_tax_exemptions"
    __table_args__ = (UniqueConstraint("customer_id", "value"),)

    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    value: Mapped[str] = mapped_column(String(50))


class Address(_Tenant, Base):
    """An address: a customer's PHYSICAL (service/tax) or MAILING (billing) address, an
    order's SHIPPING address, or the PORT address of a number being ported."""

    __tablename__ = "addresses"
    __table_args__ = (
        Index(None, "client_id", "zip"),
        Index(None, "client_id", "address1"),
        Index(None, "client_id", "last_name", "first_name"),
        one_of("kind", ADDRESS_KINDS),
    )

    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    first_name: Mapped[str | None] = mapped_column(String(100))
    last_name: Mapped[str | None] = mapped_column(String(200))
    middle_name: Mapped[str | None] = mapped_column(String(50))
    suffix: Mapped[str | None] = mapped_column(String(20))
    company_name: Mapped[str | None] = mapped_column(String(200))
    address1: Mapped[str | None] = mapped_column(String(200))
    address2: Mapped[str | None] = mapped_column(String(200))
    city: Mapped[str | None] = mapped_column(String(100))
    state: Mapped[str | None] = mapped_column(String(20))
    zip: Mapped[str | None] = mapped_column(String(10))
    zip4: Mapped[str | None] = mapped_column(String(10))
    country: Mapped[str] = mapped_column(String(3), default="USA")

    customer: Mapped[Customer | None] = relationship(foreign_keys=[customer_id])


class CustomerLifeline(_Tenant, Base):
    """A customer's Lifeline information (``Customer/Lifeline``), one row per customer.

    The two PDFs are deferred: they load only when read.
    """

    __tablename__ = "customer_lifelines"
    __table_args__ = (
        one_of("status", LIFELINE_STATUSES),
        one_of("tpiv_status", TPIV_STATUSES),
    )

    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), unique=True)
    lifeline_type_id: Mapped[int | None] = mapped_column(
        ForeignKey("lifeline_types.id"), index=True
    )
    status: Mapped[str] = mapped_column(String(20), default="NOT_SET")
    temporary_address: Mapped[bool] = mapped_column(Boolean, default=False)
    separate_economic_unit: Mapped[bool] = mapped_column(Boolean, default=False)
    tribal: Mapped[bool] = mapped_column(Boolean, default=False)
    proof_type_id: Mapped[int | None] = mapped_column(
        ForeignKey("lifeline_proof_types.id"), index=True
    )
    proof_identifying_information: Mapped[str | None] = mapped_column(String(200))
    proof_notes: Mapped[str | None] = mapped_column(Text)
    multiple_households: Mapped[bool] = mapped_column(Boolean, default=False)
    household_count: Mapped[int | None] = mapped_column(Integer)
    annual_income: Mapped[Decimal | None] = mapped_column(Money)
    certification_date: Mapped[dt.date | None] = mapped_column(Date)
    original_certification_date: Mapped[dt.date | None] = mapped_column(Date)
    tpiv_status: Mapped[str | None] = mapped_column(String(20))
    cgm_reservation: Mapped[str | None] = mapped_column(String(200))
    nlad_enrolled: Mapped[bool] = mapped_column(Boolean, default=False)
    self_certification_pdf: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    proof_documentation_pdf: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)


class NladEnrollment(_Tenant, Base):
    """An NLAD enrollment record of a customer (inserted as complete when NLADEnrolled)."""

    __tablename__ = "nlad_enrollments"

    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    state: Mapped[str] = mapped_column(String(2))
    status: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class CustomerFieldValue(_Tenant, Base):
    """The value of one customer-level custom field for one customer."""

    __tablename__ = "customer_field_values"
    __table_args__ = (UniqueConstraint("customer_id", "field_id"),)

    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    field_id: Mapped[int] = mapped_column(ForeignKey("custom_field_definitions.id"), index=True)
    value: Mapped[str | None] = mapped_column(Text)

    field: Mapped[CustomFieldDefinition] = relationship(lazy="selectin")


class PaymentAccount(_Tenant, Base):
    """A customer's payment account (AutoPaymentAccountID): a card or a bank account.

    Only the last four digits are kept, never a full card or account number.
    """

    __tablename__ = "payment_accounts"
    __table_args__ = (one_of("account_type", PAYMENT_ACCOUNT_TYPES),)

    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    account_type: Mapped[str] = mapped_column(String(20))
    description: Mapped[str | None] = mapped_column(String(200))
    last4: Mapped[str | None] = mapped_column(String(4))
    active: Mapped[bool] = mapped_column(Boolean, default=True)


# --------------------------------------------------------------------------- services and orders


class Service(_Tenant, Base):
    """A service, i.e. a line (ServiceItem/Service): TN, provider, package, program.

    ``type`` is the Type text of the ServiceItem (the service type's description).
    """

    __tablename__ = "services"
    # look-ups by number lead with the client (0009)
    __table_args__ = (Index(None, "client_id", "tn"), one_of("status", SERVICE_STATUSES))

    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    tn: Mapped[str | None] = mapped_column(String(20))
    type: Mapped[str | None] = mapped_column(String(100))
    service_type_id: Mapped[int | None] = mapped_column(ForeignKey("service_types.id"), index=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("providers.id"), index=True)
    provider_account_id: Mapped[int | None] = mapped_column(
        ForeignKey("provider_accounts.id"), index=True
    )
    package_id: Mapped[int | None] = mapped_column(ForeignKey("packages.id"), index=True)
    program_id: Mapped[int | None] = mapped_column(Integer)
    description: Mapped[str | None] = mapped_column(String(200))
    pbx_make: Mapped[str | None] = mapped_column(String(100))
    pbx_model: Mapped[str | None] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(20), default="PENDING")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Lines_Update (0002)
    circuit_number: Mapped[str | None] = mapped_column(String(100))
    carrier_customer_id: Mapped[str | None] = mapped_column(String(100))

    provider: Mapped[Provider] = relationship(lazy="selectin")
    package: Mapped[Package | None] = relationship(lazy="selectin")
    customer_products: Mapped[list[CustomerProduct]] = relationship(
        lazy="selectin", order_by="CustomerProduct.id"
    )
    inventory_items: Mapped[list[InventoryItem]] = relationship(
        lazy="selectin", order_by="InventoryItem.id"
    )


class CustomerProduct(_Tenant, Base):
    """A product on a customer's account (ServiceItem/Products/Product).

    ``product_group_id`` is the product group it was added with (0: none) and
    ``lead_product`` its LeadProductFlag.
    """

    __tablename__ = "customer_products"
    __table_args__ = (one_of("status", CUSTOMER_PRODUCT_STATUSES),)

    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    service_id: Mapped[int | None] = mapped_column(ForeignKey("services.id"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    provider_id: Mapped[int | None] = mapped_column(ForeignKey("providers.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default="PENDING")
    description: Mapped[str] = mapped_column(String(200))
    rate: Mapped[Decimal] = mapped_column(Money)
    quantity: Mapped[int] = mapped_column(Integer, default=1)
    code1: Mapped[str | None] = mapped_column(String(100))
    code2: Mapped[str | None] = mapped_column(String(100))
    product_group_id: Mapped[int] = mapped_column(Integer, default=0)
    lead_product: Mapped[bool] = mapped_column(Boolean, default=False)
    activated_date: Mapped[dt.date | None] = mapped_column(Date)
    billed_through_date: Mapped[dt.date | None] = mapped_column(Date)
    order_id: Mapped[int | None] = mapped_column(ForeignKey("orders.id"), index=True)

    provider: Mapped[Provider | None] = relationship(lazy="selectin")


class Order(_Tenant, Base):
    """An order (Enum_Order_Type, Enum_Order_Status) sent to a provider for a service.

    ``is_reconnect``: created with a ReconnectTN. ``flow_through``: to be sent automatically.
    ``shipping_address_id``: the Order/ShippingAddress, when one was given.
    """

    __tablename__ = "orders"
    __table_args__ = (
        Index(None, "client_id", "created_at", "id"),  # Orders_Search pages (0009)
        one_of("order_type", ORDER_TYPES),
        one_of("status", ORDER_STATUSES),
        one_of("shipping_status", SHIPPING_STATUSES),
    )

    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    service_id: Mapped[int | None] = mapped_column(ForeignKey("services.id"), index=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("providers.id"), index=True)
    order_type: Mapped[str] = mapped_column(String(20), default="NEW")
    status: Mapped[str] = mapped_column(String(20), default="NEW")
    is_reconnect: Mapped[bool] = mapped_column(Boolean, default=False)
    flow_through: Mapped[bool] = mapped_column(Boolean, default=False)
    process_id: Mapped[int | None] = mapped_column(ForeignKey("processes.id"), index=True)
    shipping_address_id: Mapped[int | None] = mapped_column(ForeignKey("addresses.id"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    completion_date: Mapped[dt.date | None] = mapped_column(Date)
    message: Mapped[str | None] = mapped_column(Text)
    # Orders_Update (0002)
    tracking_number: Mapped[str | None] = mapped_column(String(100))
    shipping_status: Mapped[str | None] = mapped_column(String(20))
    # Flow-through (0008): sends attempted, the last failure, when the status last changed
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    last_error: Mapped[str | None] = mapped_column(Text)
    last_attempt_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    status_changed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    port: Mapped[OrderPort | None] = relationship(
        lazy="selectin", cascade="all, delete-orphan", uselist=False
    )
    shipping_address: Mapped[Address | None] = relationship(foreign_keys=[shipping_address_id])


class OrderPort(_Tenant, Base):
    """The Order/WirelessPort of an order: a Wireless MDN being ported from another provider.

    ``pin_password`` is encrypted at rest (:mod:`openrev.store.crypto`)."""

    __tablename__ = "order_ports"

    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), unique=True)
    mdn: Mapped[str] = mapped_column(String(20), index=True)
    account_number: Mapped[str | None] = mapped_column(String(100))
    authorized_signer: Mapped[str | None] = mapped_column(String(200))
    pin_password: Mapped[str | None] = mapped_column(Encrypted("order_ports.pin_password"),
                                                     info={"max_length": 100})
    remark: Mapped[str | None] = mapped_column(Text)
    address_id: Mapped[int | None] = mapped_column(ForeignKey("addresses.id"), index=True)
    external_provider: Mapped[str | None] = mapped_column(String(50))

    address: Mapped[Address | None] = relationship(foreign_keys=[address_id])


class OrderHistory(_Tenant, Base):
    """An entry of an order's history (Orders_Query ``History``): every status change, and
    every Orders_Update StatusNote, with the order's status after it."""

    __tablename__ = "order_history"
    __table_args__ = (one_of("status", ORDER_STATUSES),)

    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    status: Mapped[str] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(Text)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    # who made the change (0008): "user demo", "worker host:pid", "openrev orders resend"
    actor: Mapped[str | None] = mapped_column(String(100))


class OrderOutbox(_Tenant, Base):
    """The transactional outbox of order flow-through: an order that needs a worker.

    Written in the transaction that makes the order need it (NewCustomers_Create, an
    Orders_Update that resends, ``openrev orders resend``), so an order is never lost; one row
    per order. ``action``: SEND the order to its provider under ``key`` (the request id the
    provider de-duplicates and is asked about), or POLL the provider for its progress.
    ``due_at``: not before. ``lease_owner``/``lease_until``: the worker (or request) that has
    claimed it, until when. ``in_doubt``: a send under ``key`` may have reached the provider
    without its answer being recorded (a claim that did not finish, a time-out): the
    provider is asked before anything is sent again.
    """

    __tablename__ = "order_outbox"
    __table_args__ = (one_of("action", OUTBOX_ACTIONS),)

    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id"), unique=True)
    action: Mapped[str] = mapped_column(String(10), default="SEND")
    key: Mapped[str] = mapped_column(String(60))
    due_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, index=True)
    lease_owner: Mapped[str | None] = mapped_column(String(100))
    lease_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    in_doubt: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class CarrierLedger(_Tenant, Base):
    """What the simulated carrier (the DEMOWIRELESS adapter) has received: one row per request
    id (``key``). It stands for the carrier's own records: a real carrier keeps them on its
    side. ``sends`` counts the send requests that arrived under the key (more than 1: a
    duplicate reached the carrier), ``lookups`` the status questions."""

    __tablename__ = "carrier_ledger"
    __table_args__ = (UniqueConstraint("provider_id", "key"), Index(None, "client_id", "mdn"))

    provider_id: Mapped[int] = mapped_column(ForeignKey("providers.id"), index=True)
    key: Mapped[str] = mapped_column(String(60))
    order_id: Mapped[int] = mapped_column(Integer, index=True)
    received_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    confirm_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    complete_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    mdn: Mapped[str | None] = mapped_column(String(20))
    msid: Mapped[str | None] = mapped_column(String(20))
    msl: Mapped[str | None] = mapped_column(String(20))
    sends: Mapped[int] = mapped_column(Integer, default=1)
    lookups: Mapped[int] = mapped_column(Integer, default=0)


class ServiceField(_Tenant, Base):
    """A line-level custom field of a service (Lines_Update ``Fields``): a free label and its
    value; labels are matched case-insensitively."""

    __tablename__ = "service_fields"
    __table_args__ = (UniqueConstraint("service_id", "label"),)

    service_id: Mapped[int] = mapped_column(ForeignKey("services.id"), index=True)
    label: Mapped[str] = mapped_column(String(200))
    value: Mapped[str | None] = mapped_column(Text)


class CustomerHistory(_Tenant, Base):
    """An entry of a customer's History pane (e.g. category LIFELINE for a StatusNote)."""

    __tablename__ = "customer_history"

    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    category: Mapped[str] = mapped_column(String(50))
    note: Mapped[str] = mapped_column(Text)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)


class CustomerChange(_Tenant, Base):
    """One field a Customers_Update changed: when, by whom (``user_id``, the user the request
    acted as; ``real_user_id``, the user who logged in, when the session was impersonated),
    the field path (``Customer/PhysicalAddress/FirstName``), the old and the new value as text
    (secrets masked: ``********``; NULL: no value). Read by ``openrev customer history``."""

    __tablename__ = "customer_changes"
    __table_args__ = (Index(None, "customer_id", "created_at"),)

    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    real_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    field: Mapped[str] = mapped_column(String(200))
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)


GLOBAL_MODELS: tuple[type[Base], ...] = (Client, LoginFailure)
"""The models whose rows belong to no client: the clients themselves, and the login failures
(written before a client is known)."""

TENANT_MODELS: tuple[type[Base], ...] = tuple(
    sorted(
        (mapper.class_ for mapper in Base.registry.mappers
         if mapper.class_ not in GLOBAL_MODELS),
        key=lambda cls: cls.__tablename__,
    )
)
"""Every model whose rows belong to one client (all but :data:`GLOBAL_MODELS`)."""
