"""Line (service) reads and writes of one client for Lines_Update and Orders_Update.

A line of another client is never found: to a caller it "does not exist".
"""

from __future__ import annotations

import hashlib

from sqlalchemy import select, text
from sqlalchemy.orm import Session as DbSession

from .tables import Service, ServiceField


def line(db: DbSession, client_id: int, line_id: int, *, for_update: bool = False
         ) -> Service | None:
    """The service ``line_id`` if it belongs to ``client_id``; ``for_update`` locks it until
    the transaction ends and reads it afresh."""
    stmt = select(Service).where(Service.client_id == client_id, Service.id == line_id)
    if for_update:
        stmt = stmt.with_for_update(of=Service).execution_options(populate_existing=True)
    return db.scalars(stmt).first()


def fields_of(db: DbSession, service_id: int) -> list[ServiceField]:
    """The line-level custom fields of the service, in the order they were first set."""
    return list(db.scalars(select(ServiceField).where(ServiceField.service_id == service_id)
                           .order_by(ServiceField.id)))


def write_field(db: DbSession, service: Service, label: str, value: str | None) -> None:
    """Set the field ``label`` (matched case-insensitively; a new field keeps the spelling
    given) of the service to ``value``."""
    key = label.casefold()
    found = next((f for f in fields_of(db, service.id) if f.label.casefold() == key), None)
    if found is None:
        db.add(ServiceField(client_id=service.client_id, service_id=service.id, label=label,
                            value=value))
    else:
        found.value = value


def lock_number(db: DbSession, client_id: int, tn: str) -> None:
    """Hold the number ``tn`` of the client until the transaction ends, so that two requests
    cannot both find it free and both put it on a line (PostgreSQL: a transaction advisory
    lock; SQLite runs one writer at a time anyway)."""
    if db.get_bind().dialect.name != "postgresql":
        return
    digest = hashlib.sha256(f"openrev-tn:{client_id}:{tn}".encode()).digest()
    db.execute(text("SELECT pg_advisory_xact_lock(:key)"),
               {"key": int.from_bytes(digest[:8], "big", signed=True)})
