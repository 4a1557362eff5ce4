"""The original service's Orders_Update and Lines_Update: order tracking, shipping status,
order history, the extra order statuses, line (service) fields.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


OLD_ORDER_STATUSES = ("NEW", "SENT", "CONFIRMED", "COMPLETE", "CANCELED", "ERROR", "FLOW_ERROR")
# Frozen here (not imported from the models): a migration describes one moment of the schema.
ORDER_STATUSES = OLD_ORDER_STATUSES + (
    "HOLD", "PAYMENT_HOLD", "LIFELINE_HOLD", "JEOPARDY", "PROVISIONED",
)
SHIPPING_STATUSES = ("NOT_REQUIRED", "NOT_SHIPPED", "SHIPPED")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def upgrade() -> None:
    with op.batch_alter_table("orders") as batch:
        batch.add_column(sa.Column("tracking_number", sa.String(length=100), nullable=True))
        batch.add_column(sa.Column("shipping_status", sa.String(length=20), nullable=True))
        batch.drop_constraint(op.f("ck_orders_status"), type_="check")
        batch.create_check_constraint(op.f("ck_orders_status"), _in("status", ORDER_STATUSES))
        batch.create_check_constraint(op.f("ck_orders_shipping_status"),
                                      _in("shipping_status", SHIPPING_STATUSES))
    with op.batch_alter_table("services") as batch:
        batch.add_column(sa.Column("circuit_number", sa.String(length=100), nullable=True))
        batch.add_column(sa.Column("carrier_customer_id", sa.String(length=100), nullable=True))

    op.create_table(
        "order_history",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(_in("status", ORDER_STATUSES), name=op.f("ck_order_history_status")),
        sa.ForeignKeyConstraint(["client_id"], ["clients.id"],
                                name=op.f("fk_order_history_client_id_clients")),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"],
                                name=op.f("fk_order_history_order_id_orders")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"],
                                name=op.f("fk_order_history_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_history")),
    )
    op.create_index(op.f("ix_order_history_client_id"), "order_history", ["client_id"])
    op.create_index(op.f("ix_order_history_order_id"), "order_history", ["order_id"])
    op.create_index(op.f("ix_order_history_user_id"), "order_history", ["user_id"])

    op.create_table(
        "service_fields",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("service_id", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("value", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["client_id"], ["clients.id"],
                                name=op.f("fk_service_fields_client_id_clients")),
        sa.ForeignKeyConstraint(["service_id"], ["services.id"],
                                name=op.f("fk_service_fields_service_id_services")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_service_fields")),
        sa.UniqueConstraint("service_id", "label", name=op.f("uq_service_fields_service_id_label")),
    )
    op.create_index(op.f("ix_service_fields_client_id"), "service_fields", ["client_id"])
    op.create_index(op.f("ix_service_fields_service_id"), "service_fields", ["service_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_service_fields_service_id"), table_name="service_fields")
    op.drop_index(op.f("ix_service_fields_client_id"), table_name="service_fields")
    op.drop_table("service_fields")
    op.drop_index(op.f("ix_order_history_user_id"), table_name="order_history")
    op.drop_index(op.f("ix_order_history_order_id"), table_name="order_history")
    op.drop_index(op.f("ix_order_history_client_id"), table_name="order_history")
    op.drop_table("order_history")
    with op.batch_alter_table("services") as batch:
        batch.drop_column("carrier_customer_id")
        batch.drop_column("circuit_number")
    # Orders in one of the extra statuses go back to the nearest status of 0001: in process.
    extra = ", ".join(repr(v) for v in ORDER_STATUSES if v not in OLD_ORDER_STATUSES)
    op.execute(f"UPDATE orders SET status = 'CONFIRMED' WHERE status IN ({extra})")
    with op.batch_alter_table("orders") as batch:
        batch.drop_constraint(op.f("ck_orders_shipping_status"), type_="check")
        batch.drop_constraint(op.f("ck_orders_status"), type_="check")
        batch.create_check_constraint(op.f("ck_orders_status"),
                                      _in("status", OLD_ORDER_STATUSES))
        batch.drop_column("shipping_status")
        batch.drop_column("tracking_number")
