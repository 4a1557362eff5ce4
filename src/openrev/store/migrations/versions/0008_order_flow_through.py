"""Order flow-through: the outbox, provider adapters and faults, the simulated carrier's
ledger, and the order's attempts, last error and history actor.

* ``order_outbox``: the orders a worker has to send or poll (openrev.provision.worker);
* ``carrier_ledger``: what the simulated carrier (DEMOWIRELESS adapter) has received;
* ``providers.adapter`` and ``fault_*``: which adapter talks to the provider, and the faults
  injected at run time. Existing providers that completed on their own
  (``auto_complete_seconds``) get DEMOWIRELESS, the others MANUAL;
* ``orders.attempts``, ``last_error``, ``last_attempt_at``, ``status_changed_at``;
  ``order_history.actor`` (filled with "user NAME" for existing entries made by a user).

Orders that were waiting for a worker that did not exist yet are queued: NEW flow-through
orders, and SENT orders of a DEMOWIRELESS provider (never really sent: they are sent, the
simulated carrier first asked whether it has them).

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-23
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("providers") as batch:
        batch.add_column(sa.Column("adapter", sa.String(length=30), server_default="MANUAL",
                                   nullable=False))
        batch.add_column(sa.Column("fault_down", sa.Boolean(), server_default=sa.false(),
                                   nullable=False))
        batch.add_column(sa.Column("fault_down_message", sa.String(length=200), nullable=True))
        batch.add_column(sa.Column("fault_reject_next", sa.Integer(), server_default="0",
                                   nullable=False))
        batch.add_column(sa.Column("fault_reject_message", sa.String(length=200),
                                   nullable=True))
        batch.add_column(sa.Column("fault_latency_ms", sa.Integer(), server_default="0",
                                   nullable=False))
        batch.create_check_constraint(op.f("ck_providers_adapter"), "adapter IN ('DEMOWIRELESS', 'MANUAL')")
    with op.batch_alter_table("orders") as batch:
        batch.add_column(sa.Column("attempts", sa.Integer(), server_default="0", nullable=False))
        batch.add_column(sa.Column("last_error", sa.Text(), nullable=True))
        batch.add_column(sa.Column("last_attempt_at", TS, nullable=True))
        batch.add_column(sa.Column("status_changed_at", TS, nullable=True))
    with op.batch_alter_table("order_history") as batch:
        batch.add_column(sa.Column("actor", sa.String(length=100), nullable=True))

    op.create_table(
        "order_outbox",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=10), nullable=False),
        sa.Column("key", sa.String(length=60), nullable=False),
        sa.Column("due_at", TS, nullable=False),
        sa.Column("lease_owner", sa.String(length=100), nullable=True),
        sa.Column("lease_until", TS, nullable=True),
        sa.Column("in_doubt", sa.Boolean(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.CheckConstraint("action IN ('SEND', 'POLL')", name=op.f("ck_order_outbox_action")),
        sa.ForeignKeyConstraint(["client_id"], ["clients.id"],
                                name=op.f("fk_order_outbox_client_id_clients")),
        sa.ForeignKeyConstraint(["order_id"], ["orders.id"],
                                name=op.f("fk_order_outbox_order_id_orders")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_outbox")),
        sa.UniqueConstraint("order_id", name=op.f("uq_order_outbox_order_id")),
    )
    op.create_index(op.f("ix_order_outbox_client_id"), "order_outbox", ["client_id"])
    op.create_index(op.f("ix_order_outbox_due_at"), "order_outbox", ["due_at"])

    op.create_table(
        "carrier_ledger",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("client_id", sa.Integer(), nullable=False),
        sa.Column("provider_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=60), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("received_at", TS, nullable=False),
        sa.Column("confirm_at", TS, nullable=False),
        sa.Column("complete_at", TS, nullable=False),
        sa.Column("mdn", sa.String(length=20), nullable=True),
        sa.Column("msid", sa.String(length=20), nullable=True),
        sa.Column("msl", sa.String(length=20), nullable=True),
        sa.Column("sends", sa.Integer(), nullable=False),
        sa.Column("lookups", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["client_id"], ["clients.id"],
                                name=op.f("fk_carrier_ledger_client_id_clients")),
        sa.ForeignKeyConstraint(["provider_id"], ["providers.id"],
                                name=op.f("fk_carrier_ledger_provider_id_providers")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_carrier_ledger")),
        sa.UniqueConstraint("provider_id", "key", name=op.f("uq_carrier_ledger_provider_id_key")),
    )
    op.create_index(op.f("ix_carrier_ledger_client_id"), "carrier_ledger", ["client_id"])
    op.create_index(op.f("ix_carrier_ledger_order_id"), "carrier_ledger", ["order_id"])
    op.create_index(op.f("ix_carrier_ledger_provider_id"), "carrier_ledger", ["provider_id"])
    _fill()


def _fill() -> None:
    bind = op.get_bind()
    providers = sa.table("providers", sa.column("id"), sa.column("adapter"),
                         sa.column("auto_complete_seconds"))
    bind.execute(providers.update().where(providers.c.auto_complete_seconds.is_not(None))
                 .values(adapter="DEMOWIRELESS"))
    users = sa.table("users", sa.column("id"), sa.column("username"))
    history = sa.table("order_history", sa.column("user_id"), sa.column("actor"))
    bind.execute(history.update().where(history.c.user_id.is_not(None)).values(
        actor=sa.select(sa.literal("user ") + users.c.username)
        .where(users.c.id == history.c.user_id).scalar_subquery()))
    orders = sa.table("orders", sa.column("id"), sa.column("client_id"), sa.column("status"),
                      sa.column("flow_through"), sa.column("provider_id"))
    waiting = bind.execute(
        sa.select(orders.c.id, orders.c.client_id, orders.c.status)
        .join(providers, providers.c.id == orders.c.provider_id)
        .where(sa.or_(sa.and_(orders.c.status == "NEW", orders.c.flow_through.is_(True)),
                      sa.and_(orders.c.status == "SENT",
                              providers.c.adapter == "DEMOWIRELESS")))).all()
    if not waiting:
        return
    now = dt.datetime.now(dt.timezone.utc)
    outbox = sa.table("order_outbox", sa.column("client_id"), sa.column("order_id"),
                      sa.column("action"), sa.column("key"), sa.column("due_at", TS),
                      sa.column("in_doubt"), sa.column("created_at", TS))
    bind.execute(outbox.insert(), [
        {"client_id": client_id, "order_id": order_id, "action": "SEND",
         "key": f"o{order_id}.1", "due_at": now, "in_doubt": status == "SENT",
         "created_at": now}
        for order_id, client_id, status in waiting])


def downgrade() -> None:
    for table in ("carrier_ledger", "order_outbox"):
        op.drop_table(table)  # its indexes go with it
    with op.batch_alter_table("order_history") as batch:
        batch.drop_column("actor")
    with op.batch_alter_table("orders") as batch:
        for column in ("status_changed_at", "last_attempt_at", "last_error", "attempts"):
            batch.drop_column(column)
    with op.batch_alter_table("providers") as batch:
        batch.drop_constraint(op.f("ck_providers_adapter"), type_="check")
        for column in ("fault_latency_ms", "fault_reject_message", "fault_reject_next",
                       "fault_down_message", "fault_down", "adapter"):
            batch.drop_column(column)
