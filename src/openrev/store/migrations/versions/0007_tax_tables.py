"""NewCustomers_Quote: a tax table per client and a tax category per product.

* ``tax_tables``: one row per client, the TOML text of its tax table as ``openrev tax load``
  loaded it (openrev.domain.tax.parse_table), its name and SHA-256 digest;
* ``products.tax_category``: the product tax category its taxes are looked up by (null:
  ``general``). Existing products get none; ``openrev demo`` sets the demo products'.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "tax_tables",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["client_id"], ["clients.id"],
                                name=op.f("fk_tax_tables_client_id_clients")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tax_tables")),
        sa.UniqueConstraint("client_id", name=op.f("uq_tax_tables_client_id")),
    )
    op.create_index(op.f("ix_tax_tables_client_id"), "tax_tables", ["client_id"])
    with op.batch_alter_table("products") as batch:
        batch.add_column(sa.Column("tax_category", sa.String(length=50), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("products") as batch:
        batch.drop_column("tax_category")
    op.drop_index(op.f("ix_tax_tables_client_id"), table_name="tax_tables")
    op.drop_table("tax_tables")
