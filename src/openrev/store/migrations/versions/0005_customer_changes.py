"""Customers_Update: the history of every field it changes (``customer_changes``).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "customer_changes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("real_user_id", sa.Integer(), nullable=True),
        sa.Column("field", sa.String(length=200), nullable=False),
        sa.Column("old_value", sa.Text(), nullable=True),
        sa.Column("new_value", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["client_id"], ["clients.id"],
                                name=op.f("fk_customer_changes_client_id_clients")),
        sa.ForeignKeyConstraint(["customer_id"], ["customers.id"],
                                name=op.f("fk_customer_changes_customer_id_customers")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"],
                                name=op.f("fk_customer_changes_user_id_users")),
        sa.ForeignKeyConstraint(["real_user_id"], ["users.id"],
                                name=op.f("fk_customer_changes_real_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customer_changes")),
    )
    op.create_index(op.f("ix_customer_changes_client_id"), "customer_changes", ["client_id"])
    op.create_index(op.f("ix_customer_changes_customer_id_created_at"), "customer_changes",
                    ["customer_id", "created_at"])
    op.create_index(op.f("ix_customer_changes_user_id"), "customer_changes", ["user_id"])
    op.create_index(op.f("ix_customer_changes_real_user_id"), "customer_changes",
                    ["real_user_id"])


def downgrade() -> None:
    op.drop_table("customer_changes")
