"""Customer reads beyond the customer row itself: the services of a customer."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session as DbSession

from .tables import Customer, CustomerChange, PaymentAccount, Service


def services_of(db: DbSession, customer_id: int) -> list[Service]:
    return list(db.scalars(select(Service).where(Service.customer_id == customer_id)
                           .order_by(Service.id)))


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
