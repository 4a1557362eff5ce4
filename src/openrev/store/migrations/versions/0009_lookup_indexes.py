"""Indexes that lead with what each look-up searches, within the client.

* ``services (client_id, tn)`` replaces ``services (tn)``: Customers_Query by TN, the
  number-in-use rule;
* ``inventory_items (client_id, identifier)`` replaces ``inventory_items (identifier)``:
  Customers_Query by Inventory, NewCustomers_Create's WirelessESN/ICCID;
* ``orders (client_id, created_at, id)``: Orders_Search pages without a CustomerID;
* ``carrier_ledger (client_id, mdn)``: the simulated carrier's free-number check.

They pick the right plan on SQLite even before statistics exist (``openrev.store.stats``).

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(op.f("ix_services_client_id_tn"), "services", ["client_id", "tn"])
    op.drop_index(op.f("ix_services_tn"), table_name="services")
    op.create_index(op.f("ix_inventory_items_client_id_identifier"), "inventory_items",
                    ["client_id", "identifier"])
    op.drop_index(op.f("ix_inventory_items_identifier"), table_name="inventory_items")
    op.create_index(op.f("ix_orders_client_id_created_at_id"), "orders",
                    ["client_id", "created_at", "id"])
    op.create_index(op.f("ix_carrier_ledger_client_id_mdn"), "carrier_ledger",
                    ["client_id", "mdn"])


def downgrade() -> None:
    op.drop_index(op.f("ix_carrier_ledger_client_id_mdn"), table_name="carrier_ledger")
    op.drop_index(op.f("ix_orders_client_id_created_at_id"), table_name="orders")
    op.create_index(op.f("ix_inventory_items_identifier"), "inventory_items", ["identifier"])
    op.drop_index(op.f("ix_inventory_items_client_id_identifier"), table_name="inventory_items")
    op.create_index(op.f("ix_services_tn"), "services", ["tn"])
    op.drop_index(op.f("ix_services_client_id_tn"), table_name="services")
