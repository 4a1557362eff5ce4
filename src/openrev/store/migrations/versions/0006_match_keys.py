"""Duplicate_Query: the normalised name and location keys of every customer, stored, indexed.

* ``customers.first_name_key``, ``last_name_key``, ``middle_name_key``, ``suffix_key``,
  ``street_key``, ``unit_key``, ``city_key``, ``state_key``, ``zip5`` and
  ``match_keys_version`` are added (``openrev.domain.matching``; the personal keys are the
  keyed hashes of 0004);
* indexes ``(client_id, last_name_key, first_name_key)``, ``(client_id, street_key,
  unit_key, zip5)`` and ``(client_id, street_key, unit_key, city_key, state_key)`` serve the
  default match patterns;
* the keys of the customers already stored are computed from their physical address
  (:func:`openrev.store.crypto.match_key_columns`; no secret key needed).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from openrev.store import crypto

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KEY_COLUMNS: tuple[tuple[str, sa.types.TypeEngine], ...] = (
    ("first_name_key", sa.String()),
    ("last_name_key", sa.String()),
    ("middle_name_key", sa.String()),
    ("suffix_key", sa.String()),
    ("street_key", sa.String()),
    ("unit_key", sa.String()),
    ("city_key", sa.String()),
    ("state_key", sa.String()),
    ("zip5", sa.String(length=5)),
    ("match_keys_version", sa.Integer()),
)
INDEXES = (
    ("client_id", "last_name_key", "first_name_key"),
    ("client_id", "street_key", "unit_key", "zip5"),
    ("client_id", "street_key", "unit_key", "city_key", "state_key"),
)
_BATCH = 1000


def _index_name(cols: tuple[str, ...]) -> str:
    return "ix_customers_" + "_".join(cols)


def _fill(bind: sa.Connection) -> None:
    select_sql = sa.text(
        "SELECT c.id, a.first_name, a.last_name, a.address1, a.address2, a.city, a.state, "
        "a.zip, a.middle_name, a.suffix FROM customers c "
        "LEFT JOIN addresses a ON a.id = c.physical_address_id "
        "WHERE c.id > :after ORDER BY c.id LIMIT " + str(_BATCH))
    names = [c for c, _ in KEY_COLUMNS]
    update_sql = sa.text("UPDATE customers SET " + ", ".join(f"{c} = :{c}" for c in names)
                         + " WHERE id = :id")
    after = 0
    while True:
        rows = bind.execute(select_sql, {"after": after}).all()
        if not rows:
            break
        updates = []
        for row in rows:
            after = row[0]
            values = crypto.match_key_columns(*row[1:8], middle_name=row[8], suffix=row[9])
            updates.append({"id": row[0], **{c: values[c] for c in names}})
        bind.execute(update_sql, updates)


def upgrade() -> None:
    with op.batch_alter_table("customers") as batch:
        for name, type_ in KEY_COLUMNS:
            batch.add_column(sa.Column(name, type_, nullable=True))
    for cols in INDEXES:
        op.create_index(_index_name(cols), "customers", list(cols))
    _fill(op.get_bind())


def downgrade() -> None:
    for cols in INDEXES:
        op.drop_index(_index_name(cols), table_name="customers")
    with op.batch_alter_table("customers") as batch:
        for name, _ in reversed(KEY_COLUMNS):
            batch.drop_column(name)
