"""Customer reads beyond the customer row itself: the services of a customer."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session as DbSession

from .tables import Service


def services_of(db: DbSession, customer_id: int) -> list[Service]:
    return list(db.scalars(select(Service).where(Service.customer_id == customer_id)
                           .order_by(Service.id)))
