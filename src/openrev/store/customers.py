"""Customer reads beyond the customer row itself: the services of a customer."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session as DbSession, joinedload, raiseload, selectinload

from .tables import (
    Customer, CustomerChange, CustomerFieldValue, CustomerProduct, InventoryItem,
    PaymentAccount, Service,
)

# What Customers_Query answers, loaded by a fixed number of statements whatever the number of
# services, products and devices (one per collection); anything else raises if touched.
_CUSTOMER_ANSWER = (
    joinedload(Customer.agent), joinedload(Customer.physical_address),
    joinedload(Customer.mailing_address), joinedload(Customer.lifeline),
    selectinload(Customer.tax_exemptions),
    selectinload(Customer.field_values).joinedload(CustomerFieldValue.field),
    raiseload("*"),
)
_SERVICES_ANSWER = (
    joinedload(Service.provider), joinedload(Service.package).raiseload("*"),
    selectinload(Service.customer_products).options(
        joinedload(CustomerProduct.provider), raiseload("*")),
    selectinload(Service.inventory_items).options(
        joinedload(InventoryItem.inventory_type), selectinload(InventoryItem.fields),
        raiseload("*")),
    raiseload("*"),
)


def services_of(db: DbSession, customer_id: int) -> list[Service]:
    return list(db.scalars(select(Service).where(Service.customer_id == customer_id)
                           .order_by(Service.id)))


def customer_answer(db: DbSession, client_id: int, customer_id: int
                    ) -> tuple[Customer, list[Service]] | None:
    """The customer of ``client_id`` with what Customers_Query answers: its agent, addresses,
    lifeline, tax exemptions, custom fields, and its services with their provider, package,
    products (with their provider) and devices (with their type and fields). Seven
    statements, however many services, products and devices; nothing else is loaded."""
    customer = db.scalars(select(Customer).where(
        Customer.client_id == client_id, Customer.id == customer_id)
        .options(*_CUSTOMER_ANSWER)).unique().first()
    if customer is None:
        return None
    services = db.scalars(select(Service).where(Service.customer_id == customer_id)
                          .order_by(Service.id).options(*_SERVICES_ANSWER)).unique().all()
    return customer, list(services)


def lock_customer(db: DbSession, client_id: int, customer_id: int) -> Customer | None:
    """The customer of ``client_id``, locked until the transaction ends (PostgreSQL
    ``SELECT … FOR UPDATE``; SQLite's transactions are already serialized) and read afresh,
    so that concurrent updates of one customer apply one after the other."""
    stmt = (select(Customer).where(Customer.client_id == client_id, Customer.id == customer_id)
            .with_for_update(of=Customer).execution_options(populate_existing=True))
    return db.scalars(stmt).first()


def payment_account(db: DbSession, client_id: int, customer_id: int, account_id: int
                    ) -> PaymentAccount | None:
    """The payment account ``account_id`` if it is one of this customer's."""
    return db.scalars(select(PaymentAccount).where(
        PaymentAccount.client_id == client_id, PaymentAccount.customer_id == customer_id,
        PaymentAccount.id == account_id)).first()


def changes_of(db: DbSession, client_id: int, customer_id: int) -> list[CustomerChange]:
    """The customer's change history (Customers_Update), oldest first."""
    return list(db.scalars(select(CustomerChange).where(
        CustomerChange.client_id == client_id, CustomerChange.customer_id == customer_id)
        .order_by(CustomerChange.created_at, CustomerChange.id)))
