"""Customer reads that need more than one row: lifeline record, services of a customer."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session as DbSession

from .tables import CustomerLifeline, Service


def lifeline_of(db: DbSession, customer_id: int) -> CustomerLifeline | None:
    return db.scalars(select(CustomerLifeline)
                      .where(CustomerLifeline.customer_id == customer_id)).first()


def services_of(db: DbSession, customer_id: int) -> list[Service]:
    return list(db.scalars(select(Service).where(Service.customer_id == customer_id)
                           .order_by(Service.id)))
