"""Personal data at rest: SSN, DL, DOB, SecurityPIN and the port PINPassword encrypted,
keyed hashes (HMAC-SHA256) of SSN, SSN last 4, DL and DOB for exact-match look-ups.

* ``customers.ssn``, ``dl``, ``dob``, ``security_pin`` and ``order_ports.pin_password``
  become TEXT (ciphertext is longer than the values; ``dob`` is no longer a DATE);
* ``customers.ssn_hmac``, ``ssn_last4_hmac``, ``dl_hmac``, ``dob_hmac`` (64 hex) are added,
  each indexed with ``client_id``; the indexes on the plain ``ssn``, ``dl``, ``dob`` go;
* the values already stored are encrypted in place and their hashes filled, with the key
  of :func:`openrev.store.crypto.load_keyring` (``OPENREV_SECRET_KEY``, or the key file
  beside a SQLite database, created when missing). An empty database needs no key here.

The downgrade decrypts the values back (it needs the same key) and restores the old types.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from openrev.store import crypto

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen here: the schema of this moment.
ENCRYPTED = {"customers": ("ssn", "dl", "dob", "security_pin"), "order_ports": ("pin_password",)}
OLD_TYPES = {
    ("customers", "ssn"): sa.String(length=20),
    ("customers", "dl"): sa.String(length=50),
    ("customers", "dob"): sa.Date(),
    ("customers", "security_pin"): sa.String(length=20),
    ("order_ports", "pin_password"): sa.String(length=100),
}
HMACS = ("ssn_hmac", "ssn_last4_hmac", "dl_hmac", "dob_hmac")
OLD_INDEXES = ("ssn", "dl", "dob")


def _has_values(bind: sa.Connection) -> bool:
    for table, cols in ENCRYPTED.items():
        where = " OR ".join(f"{c} IS NOT NULL" for c in cols)
        if bind.execute(sa.text(f"SELECT 1 FROM {table} WHERE {where} LIMIT 1")).first():
            return True
    return False


def _keyring(bind: sa.Connection) -> crypto.Keyring:
    return crypto.load_keyring(bind.engine.url, create=True)


def _secure_delete(bind: sa.Connection) -> None:
    """SQLite: zero what is deleted or overwritten (the plaintext cells, the pages of the
    table the batch rebuild drops), so that no plaintext stays behind in the file."""
    if bind.dialect.name == "sqlite":
        bind.exec_driver_sql("PRAGMA secure_delete=ON")


def upgrade() -> None:
    bind = op.get_bind()
    _secure_delete(bind)
    for column in OLD_INDEXES:
        op.drop_index(op.f(f"ix_customers_client_id_{column}"), table_name="customers")
    with op.batch_alter_table("customers") as batch:
        for column in ENCRYPTED["customers"]:
            batch.alter_column(column, type_=sa.Text(), existing_type=OLD_TYPES["customers", column],
                               existing_nullable=True, postgresql_using=f"{column}::text")
        for column in HMACS:
            batch.add_column(sa.Column(column, sa.String(length=64), nullable=True))
    with op.batch_alter_table("order_ports") as batch:
        batch.alter_column("pin_password", type_=sa.Text(),
                           existing_type=OLD_TYPES["order_ports", "pin_password"],
                           existing_nullable=True)
    for column in HMACS:
        op.create_index(op.f(f"ix_customers_client_id_{column}"), "customers",
                        ["client_id", column], unique=False)
    if _has_values(bind):
        crypto.rewrite_personal_data(bind, lambda value, _context: value, _keyring(bind),
                                     ENCRYPTED)


def downgrade() -> None:
    bind = op.get_bind()
    if _has_values(bind):
        crypto.decrypt_personal_data(bind, _keyring(bind), ENCRYPTED)
    for column in HMACS:
        op.drop_index(op.f(f"ix_customers_client_id_{column}"), table_name="customers")
    with op.batch_alter_table("order_ports") as batch:
        batch.alter_column("pin_password", type_=OLD_TYPES["order_ports", "pin_password"],
                           existing_type=sa.Text(), existing_nullable=True)
    with op.batch_alter_table("customers") as batch:
        for column in HMACS:
            batch.drop_column(column)
        for column in ENCRYPTED["customers"]:
            old = OLD_TYPES["customers", column]
            using = f"{column}::date" if column == "dob" else None
            batch.alter_column(column, type_=old, existing_type=sa.Text(),
                               existing_nullable=True, postgresql_using=using)
    for column in OLD_INDEXES:
        op.create_index(op.f(f"ix_customers_client_id_{column}"), "customers",
                        ["client_id", column], unique=False)
