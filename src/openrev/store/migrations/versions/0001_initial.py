"""Initial schema: every table of openrev.store.tables.

Written by autogenerate, then cleaned by hand; a test checks it against the models.

Revision ID: 0001
Revises:
Create Date: 2025-01-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0001'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# customers.physical_address_id, mailing_address_id and auto_payment_account_id point at tables
# that point back at customers. SQLite accepts a foreign key to a table it has not created yet
# (and cannot add one later), so there they are declared with the customers table; elsewhere
# they are added once addresses and payment_accounts exist.
CUSTOMER_CYCLE_FKS = (
    ("fk_customers_physical_address_id_addresses", "physical_address_id", "addresses"),
    ("fk_customers_mailing_address_id_addresses", "mailing_address_id", "addresses"),
    (
        "fk_customers_auto_payment_account_id_payment_accounts",
        "auto_payment_account_id",
        "payment_accounts",
    ),
)

TABLES = (
    "clients",
    "agents",
    "bill_profiles",
    "custom_field_definitions",
    "inventory_batches",
    "inventory_types",
    "lifeline_proof_types",
    "lifeline_types",
    "nlad_profiles",
    "processes",
    "providers",
    "service_types",
    "users",
    "api_sessions",
    "customers",
    "packages",
    "products",
    "provider_accounts",
    "user_permissions",
    "addresses",
    "customer_field_values",
    "customer_history",
    "customer_lifelines",
    "customer_tax_exemptions",
    "nlad_enrollments",
    "package_products",
    "payment_accounts",
    "services",
    "inventory_items",
    "orders",
    "customer_products",
    "inventory_item_fields",
    "order_ports",
)
"""The tables this revision creates, in creation order."""


def _cycle_fks_inline() -> bool:
    return op.get_context().dialect.name == "sqlite"


def _inline_cycle_fks() -> list[sa.ForeignKeyConstraint]:
    if not _cycle_fks_inline():
        return []
    return [
        sa.ForeignKeyConstraint([column], [f"{target}.id"], name=op.f(name))
        for name, column, target in CUSTOMER_CYCLE_FKS
    ]


def upgrade() -> None:
    op.create_table(
        'clients',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('code', sa.String(length=50), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('tax_engine', sa.String(length=10), nullable=False),
        sa.Column('lifeline_form_status', sa.String(length=20), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("lifeline_form_status IN ('NEEDS_REVIEW', 'APPROVED')", name=op.f('ck_clients_lifeline_form_status')),
        sa.CheckConstraint("tax_engine IN ('SURETAX', 'CCH')", name=op.f('ck_clients_tax_engine')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_clients')),
        sa.UniqueConstraint('code', name=op.f('uq_clients_code'))
    )
    op.create_table(
        'agents',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('client_id', sa.Integer(), nullable=False),
        sa.Column('agent_number', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_agents_client_id_clients')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_agents')),
        sa.UniqueConstraint('client_id', 'agent_number', name=op.f('uq_agents_client_id_agent_number'))
    )
    op.create_index(op.f('ix_agents_client_id'), 'agents', ['client_id'], unique=False)

    op.create_table(
        'bill_profiles',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('client_id', sa.Integer(), nullable=False),
        sa.Column('description', sa.String(length=200), nullable=False),
        sa.Column('bill_method', sa.String(length=20), nullable=False),
        sa.Column('payment_terms', sa.Integer(), nullable=False),
        sa.CheckConstraint("bill_method IN ('PRINT_ONLY', 'EMAIL_ONLY', 'BOTH', 'NONE')", name=op.f('ck_bill_profiles_bill_method')),
        sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_bill_profiles_client_id_clients')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_bill_profiles'))
    )
    op.create_index(op.f('ix_bill_profiles_client_id'), 'bill_profiles', ['client_id'], unique=False)

    op.create_table(
        'custom_field_definitions',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('client_id', sa.Integer(), nullable=False),
        sa.Column('label', sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_custom_field_definitions_client_id_clients')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_custom_field_definitions')),
        sa.UniqueConstraint('client_id', 'label', name=op.f('uq_custom_field_definitions_client_id_label'))
    )
    op.create_index(op.f('ix_custom_field_definitions_client_id'), 'custom_field_definitions', ['client_id'], unique=False)

    op.create_table(
        'inventory_batches',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('client_id', sa.Integer(), nullable=False),
        sa.Column('description', sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_inventory_batches_client_id_clients')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_inventory_batches'))
    )
    op.create_index(op.f('ix_inventory_batches_client_id'), 'inventory_batches', ['client_id'], unique=False)

    op.create_table(
        'inventory_types',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('client_id', sa.Integer(), nullable=False),
        sa.Column('description', sa.String(length=200), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('identifier_label', sa.String(length=50), nullable=False),
        sa.CheckConstraint("kind IN ('General', 'Telephone_Number', 'IP_Address', 'Mobile_Device', 'SIM_Card')", name=op.f('ck_inventory_types_kind')),
        sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_inventory_types_client_id_clients')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_inventory_types'))
    )
    op.create_index(op.f('ix_inventory_types_client_id'), 'inventory_types', ['client_id'], unique=False)

    op.create_table(
        'lifeline_proof_types',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('client_id', sa.Integer(), nullable=False),
        sa.Column('description', sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_lifeline_proof_types_client_id_clients')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_lifeline_proof_types'))
    )
    op.create_index(op.f('ix_lifeline_proof_types_client_id'), 'lifeline_proof_types', ['client_id'], unique=False)

    op.create_table(
        'lifeline_types',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('client_id', sa.Integer(), nullable=False),
        sa.Column('description', sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_lifeline_types_client_id_clients')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_lifeline_types'))
    )
    op.create_index(op.f('ix_lifeline_types_client_id'), 'lifeline_types', ['client_id'], unique=False)

    op.create_table(
        'nlad_profiles',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('client_id', sa.Integer(), nullable=False),
        sa.Column('state', sa.String(length=2), nullable=False),
        sa.Column('active', sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_nlad_profiles_client_id_clients')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_nlad_profiles')),
        sa.UniqueConstraint('client_id', 'state', name=op.f('uq_nlad_profiles_client_id_state'))
    )
    op.create_index(op.f('ix_nlad_profiles_client_id'), 'nlad_profiles', ['client_id'], unique=False)

    op.create_table(
        'processes',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('client_id', sa.Integer(), nullable=False),
        sa.Column('description', sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_processes_client_id_clients')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_processes'))
    )
    op.create_index(op.f('ix_processes_client_id'), 'processes', ['client_id'], unique=False)

    op.create_table(
        'providers',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('client_id', sa.Integer(), nullable=False),
        sa.Column('description', sa.String(length=200), nullable=False),
        sa.Column('code', sa.String(length=50), nullable=False),
        sa.Column('is_wireless', sa.Boolean(), nullable=False),
        sa.Column('auto_complete_seconds', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_providers_client_id_clients')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_providers')),
        sa.UniqueConstraint('client_id', 'code', name=op.f('uq_providers_client_id_code'))
    )
    op.create_index(op.f('ix_providers_client_id'), 'providers', ['client_id'], unique=False)

    op.create_table(
        'service_types',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('client_id', sa.Integer(), nullable=False),
        sa.Column('description', sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_service_types_client_id_clients')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_service_types'))
    )
    op.create_index(op.f('ix_service_types_client_id'), 'service_types', ['client_id'], unique=False)

    op.create_table(
        'users',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('client_id', sa.Integer(), nullable=False),
        sa.Column('username', sa.String(length=100), nullable=False),
        sa.Column('password_hash', sa.String(length=255), nullable=False),
        sa.Column('impersonation_key_hash', sa.String(length=64), nullable=True),
        sa.Column('active', sa.Boolean(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_users_client_id_clients')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
        sa.UniqueConstraint('client_id', 'username', name=op.f('uq_users_client_id_username'))
    )
    op.create_index(op.f('ix_users_client_id'), 'users', ['client_id'], unique=False)

    op.create_table(
        'api_sessions',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('client_id', sa.Integer(), nullable=False),
        sa.Column('key_hash', sa.String(length=64), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('real_user_id', sa.Integer(), nullable=False),
        sa.Column('impersonated', sa.Boolean(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_api_sessions_client_id_clients')),
        sa.ForeignKeyConstraint(['real_user_id'], ['users.id'], name=op.f('fk_api_sessions_real_user_id_users')),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_api_sessions_user_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_api_sessions')),
        sa.UniqueConstraint('key_hash', name=op.f('uq_api_sessions_key_hash'))
    )
    op.create_index(op.f('ix_api_sessions_client_id'), 'api_sessions', ['client_id'], unique=False)
    op.create_index(op.f('ix_api_sessions_last_used_at'), 'api_sessions', ['last_used_at'], unique=False)
    op.create_index(op.f('ix_api_sessions_real_user_id'), 'api_sessions', ['real_user_id'], unique=False)
    op.create_index(op.f('ix_api_sessions_user_id'), 'api_sessions', ['user_id'], unique=False)

    op.create_table(
        'customers',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('client_id', sa.Integer(), nullable=False),
        sa.Column('acct_num', sa.String(length=50), nullable=True),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('customer_class', sa.String(length=20), nullable=False),
        sa.Column('agent_id', sa.Integer(), nullable=True),
        sa.Column('bill_profile_id', sa.Integer(), nullable=True),
        sa.Column('bill_method', sa.String(length=20), nullable=True),
        sa.Column('is_parent_account', sa.Boolean(), nullable=False),
        sa.Column('parent_customer_id', sa.Integer(), nullable=True),
        sa.Column('contract_start', sa.Date(), nullable=True),
        sa.Column('contract_end', sa.Date(), nullable=True),
        sa.Column('security_pin', sa.String(length=20), nullable=True),
        sa.Column('language', sa.String(length=50), nullable=True),
        sa.Column('dob', sa.Date(), nullable=True),
        sa.Column('dl', sa.String(length=50), nullable=True),
        sa.Column('ssn', sa.String(length=20), nullable=True),
        sa.Column('email', sa.String(length=255), nullable=True),
        sa.Column('source', sa.String(length=100), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('physical_address_id', sa.Integer(), nullable=True),
        sa.Column('mailing_address_id', sa.Integer(), nullable=True),
        sa.Column('balance', sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column('due', sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column('overdue', sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column('unbilled_usage', sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column('enabled_balance_limit', sa.Boolean(), nullable=False),
        sa.Column('usage_balance_limit', sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column('payment_terms', sa.Integer(), nullable=False),
        sa.Column('payment_terms_override', sa.Boolean(), nullable=False),
        sa.Column('is_auto_debit', sa.Boolean(), nullable=False),
        sa.Column('auto_payment_account_id', sa.Integer(), nullable=True),
        sa.Column('auto_debit_day', sa.Integer(), nullable=False),
        sa.Column('lifeline_program', sa.String(length=20), nullable=False),
        sa.CheckConstraint("bill_method IN ('PRINT_ONLY', 'EMAIL_ONLY', 'BOTH', 'NONE')", name=op.f('ck_customers_bill_method')),
        sa.CheckConstraint("customer_class IN ('Residential', 'Business')", name=op.f('ck_customers_customer_class')),
        sa.CheckConstraint("lifeline_program IN ('NON_LIFELINE', 'ETC_LIFELINE', 'NON_ETC_LIFELINE')", name=op.f('ck_customers_lifeline_program')),
        sa.CheckConstraint("status IN ('OPEN', 'PENDING', 'CLOSED', 'PROSPECT')", name=op.f('ck_customers_status')),
        sa.ForeignKeyConstraint(['agent_id'], ['agents.id'], name=op.f('fk_customers_agent_id_agents')),
        sa.ForeignKeyConstraint(['bill_profile_id'], ['bill_profiles.id'], name=op.f('fk_customers_bill_profile_id_bill_profiles')),
        sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_customers_client_id_clients')),
        sa.ForeignKeyConstraint(['parent_customer_id'], ['customers.id'], name=op.f('fk_customers_parent_customer_id_customers')),
        *_inline_cycle_fks(),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_customers'))
    )
    op.create_index(op.f('ix_customers_agent_id'), 'customers', ['agent_id'], unique=False)
    op.create_index(op.f('ix_customers_auto_payment_account_id'), 'customers', ['auto_payment_account_id'], unique=False)
    op.create_index(op.f('ix_customers_bill_profile_id'), 'customers', ['bill_profile_id'], unique=False)
    op.create_index(op.f('ix_customers_client_id'), 'customers', ['client_id'], unique=False)
    op.create_index(op.f('ix_customers_client_id_acct_num'), 'customers', ['client_id', 'acct_num'], unique=False)
    op.create_index(op.f('ix_customers_client_id_dl'), 'customers', ['client_id', 'dl'], unique=False)
    op.create_index(op.f('ix_customers_client_id_dob'), 'customers', ['client_id', 'dob'], unique=False)
    op.create_index(op.f('ix_customers_client_id_ssn'), 'customers', ['client_id', 'ssn'], unique=False)
    op.create_index(op.f('ix_customers_created_at'), 'customers', ['created_at'], unique=False)
    op.create_index(op.f('ix_customers_mailing_address_id'), 'customers', ['mailing_address_id'], unique=False)
    op.create_index(op.f('ix_customers_parent_customer_id'), 'customers', ['parent_customer_id'], unique=False)
    op.create_index(op.f('ix_customers_physical_address_id'), 'customers', ['physical_address_id'], unique=False)

    op.create_table(
        'packages',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('client_id', sa.Integer(), nullable=False),
        sa.Column('description', sa.String(length=200), nullable=False),
        sa.Column('provider_id', sa.Integer(), nullable=False),
        sa.Column('is_lifeline', sa.Boolean(), nullable=False),
        sa.Column('ships_equipment', sa.Boolean(), nullable=False),
        sa.Column('service_type_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_packages_client_id_clients')),
        sa.ForeignKeyConstraint(['provider_id'], ['providers.id'], name=op.f('fk_packages_provider_id_providers')),
        sa.ForeignKeyConstraint(['service_type_id'], ['service_types.id'], name=op.f('fk_packages_service_type_id_service_types')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_packages'))
    )
    op.create_index(op.f('ix_packages_client_id'), 'packages', ['client_id'], unique=False)
    op.create_index(op.f('ix_packages_provider_id'), 'packages', ['provider_id'], unique=False)
    op.create_index(op.f('ix_packages_service_type_id'), 'packages', ['service_type_id'], unique=False)

    op.create_table(
        'products',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('client_id', sa.Integer(), nullable=False),
        sa.Column('description', sa.String(length=200), nullable=False),
        sa.Column('rate', sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column('recurring', sa.Boolean(), nullable=False),
        sa.Column('code1', sa.String(length=100), nullable=True),
        sa.Column('code2', sa.String(length=100), nullable=True),
        sa.Column('provider_id', sa.Integer(), nullable=True),
        sa.Column('product_type', sa.String(length=100), nullable=True),
        sa.Column('ships_equipment', sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_products_client_id_clients')),
        sa.ForeignKeyConstraint(['provider_id'], ['providers.id'], name=op.f('fk_products_provider_id_providers')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_products'))
    )
    op.create_index(op.f('ix_products_client_id'), 'products', ['client_id'], unique=False)
    op.create_index(op.f('ix_products_provider_id'), 'products', ['provider_id'], unique=False)

    op.create_table(
        'provider_accounts',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('client_id', sa.Integer(), nullable=False),
        sa.Column('provider_id', sa.Integer(), nullable=False),
        sa.Column('account_number', sa.String(length=100), nullable=False),
        sa.Column('description', sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_provider_accounts_client_id_clients')),
        sa.ForeignKeyConstraint(['provider_id'], ['providers.id'], name=op.f('fk_provider_accounts_provider_id_providers')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_provider_accounts'))
    )
    op.create_index(op.f('ix_provider_accounts_client_id'), 'provider_accounts', ['client_id'], unique=False)
    op.create_index(op.f('ix_provider_accounts_provider_id'), 'provider_accounts', ['provider_id'], unique=False)

    op.create_table(
        'user_permissions',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('client_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('permission', sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_user_permissions_client_id_clients')),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_user_permissions_user_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_user_permissions')),
        sa.UniqueConstraint('user_id', 'permission', name=op.f('uq_user_permissions_user_id_permission'))
    )
    op.create_index(op.f('ix_user_permissions_client_id'), 'user_permissions', ['client_id'], unique=False)
    op.create_index(op.f('ix_user_permissions_user_id'), 'user_permissions', ['user_id'], unique=False)

    op.create_table(
        'addresses',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('client_id', sa.Integer(), nullable=False),
        sa.Column('customer_id', sa.Integer(), nullable=True),
        sa.Column('kind', sa.String(length=10), nullable=False),
        sa.Column('first_name', sa.String(length=100), nullable=True),
        sa.Column('last_name', sa.String(length=200), nullable=True),
        sa.Column('middle_name', sa.String(length=50), nullable=True),
        sa.Column('suffix', sa.String(length=20), nullable=True),
        sa.Column('company_name', sa.String(length=200), nullable=True),
        sa.Column('address1', sa.String(length=200), nullable=True),
        sa.Column('address2', sa.String(length=200), nullable=True),
        sa.Column('city', sa.String(length=100), nullable=True),
        sa.Column('state', sa.String(length=20), nullable=True),
        sa.Column('zip', sa.String(length=10), nullable=True),
        sa.Column('zip4', sa.String(length=10), nullable=True),
        sa.Column('country', sa.String(length=3), nullable=False),
        sa.CheckConstraint("kind IN ('PHYSICAL', 'MAILING', 'SHIPPING', 'PORT')", name=op.f('ck_addresses_kind')),
        sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_addresses_client_id_clients')),
        sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_addresses_customer_id_customers')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_addresses'))
    )
    op.create_index(op.f('ix_addresses_client_id'), 'addresses', ['client_id'], unique=False)
    op.create_index(op.f('ix_addresses_client_id_address1'), 'addresses', ['client_id', 'address1'], unique=False)
    op.create_index(op.f('ix_addresses_client_id_last_name_first_name'), 'addresses', ['client_id', 'last_name', 'first_name'], unique=False)
    op.create_index(op.f('ix_addresses_client_id_zip'), 'addresses', ['client_id', 'zip'], unique=False)
    op.create_index(op.f('ix_addresses_customer_id'), 'addresses', ['customer_id'], unique=False)

    op.create_table(
        'customer_field_values',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('client_id', sa.Integer(), nullable=False),
        sa.Column('customer_id', sa.Integer(), nullable=False),
        sa.Column('field_id', sa.Integer(), nullable=False),
        sa.Column('value', sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_customer_field_values_client_id_clients')),
        sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_customer_field_values_customer_id_customers')),
        sa.ForeignKeyConstraint(['field_id'], ['custom_field_definitions.id'], name=op.f('fk_customer_field_values_field_id_custom_field_definitions')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_customer_field_values')),
        sa.UniqueConstraint('customer_id', 'field_id', name=op.f('uq_customer_field_values_customer_id_field_id'))
    )
    op.create_index(op.f('ix_customer_field_values_client_id'), 'customer_field_values', ['client_id'], unique=False)
    op.create_index(op.f('ix_customer_field_values_customer_id'), 'customer_field_values', ['customer_id'], unique=False)
    op.create_index(op.f('ix_customer_field_values_field_id'), 'customer_field_values', ['field_id'], unique=False)

    op.create_table(
        'customer_history',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('client_id', sa.Integer(), nullable=False),
        sa.Column('customer_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('category', sa.String(length=50), nullable=False),
        sa.Column('note', sa.Text(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_customer_history_client_id_clients')),
        sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_customer_history_customer_id_customers')),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_customer_history_user_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_customer_history'))
    )
    op.create_index(op.f('ix_customer_history_client_id'), 'customer_history', ['client_id'], unique=False)
    op.create_index(op.f('ix_customer_history_created_at'), 'customer_history', ['created_at'], unique=False)
    op.create_index(op.f('ix_customer_history_customer_id'), 'customer_history', ['customer_id'], unique=False)
    op.create_index(op.f('ix_customer_history_user_id'), 'customer_history', ['user_id'], unique=False)

    op.create_table(
        'customer_lifelines',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('client_id', sa.Integer(), nullable=False),
        sa.Column('customer_id', sa.Integer(), nullable=False),
        sa.Column('lifeline_type_id', sa.Integer(), nullable=True),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('temporary_address', sa.Boolean(), nullable=False),
        sa.Column('separate_economic_unit', sa.Boolean(), nullable=False),
        sa.Column('tribal', sa.Boolean(), nullable=False),
        sa.Column('proof_type_id', sa.Integer(), nullable=True),
        sa.Column('proof_identifying_information', sa.String(length=200), nullable=True),
        sa.Column('proof_notes', sa.Text(), nullable=True),
        sa.Column('multiple_households', sa.Boolean(), nullable=False),
        sa.Column('household_count', sa.Integer(), nullable=True),
        sa.Column('annual_income', sa.Numeric(precision=12, scale=2), nullable=True),
        sa.Column('certification_date', sa.Date(), nullable=True),
        sa.Column('original_certification_date', sa.Date(), nullable=True),
        sa.Column('tpiv_status', sa.String(length=20), nullable=True),
        sa.Column('cgm_reservation', sa.String(length=200), nullable=True),
        sa.Column('nlad_enrolled', sa.Boolean(), nullable=False),
        sa.Column('self_certification_pdf', sa.LargeBinary(), nullable=True),
        sa.Column('proof_documentation_pdf', sa.LargeBinary(), nullable=True),
        sa.CheckConstraint("status IN ('NOT_SET', 'NEEDS_FORM', 'NEEDS_REVIEW', 'APPROVED', 'REJECTED')", name=op.f('ck_customer_lifelines_status')),
        sa.CheckConstraint("tpiv_status IN ('APPROVED', 'REJECTED', 'PENDING')", name=op.f('ck_customer_lifelines_tpiv_status')),
        sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_customer_lifelines_client_id_clients')),
        sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_customer_lifelines_customer_id_customers')),
        sa.ForeignKeyConstraint(['lifeline_type_id'], ['lifeline_types.id'], name=op.f('fk_customer_lifelines_lifeline_type_id_lifeline_types')),
        sa.ForeignKeyConstraint(['proof_type_id'], ['lifeline_proof_types.id'], name=op.f('fk_customer_lifelines_proof_type_id_lifeline_proof_types')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_customer_lifelines')),
        sa.UniqueConstraint('customer_id', name=op.f('uq_customer_lifelines_customer_id'))
    )
    op.create_index(op.f('ix_customer_lifelines_client_id'), 'customer_lifelines', ['client_id'], unique=False)
    op.create_index(op.f('ix_customer_lifelines_lifeline_type_id'), 'customer_lifelines', ['lifeline_type_id'], unique=False)
    op.create_index(op.f('ix_customer_lifelines_proof_type_id'), 'customer_lifelines', ['proof_type_id'], unique=False)

    op.create_table(
        'customer_tax_exemptions',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('client_id', sa.Integer(), nullable=False),
        sa.Column('customer_id', sa.Integer(), nullable=False),
        sa.Column('value', sa.String(length=50), nullable=False),
        sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_customer_tax_exemptions_client_id_clients')),
        sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_customer_tax_exemptions_customer_id_customers')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_customer_tax_exemptions')),
        sa.UniqueConstraint('customer_id', 'value', name=op.f('uq_customer_tax_exemptions_customer_id_value'))
    )
    op.create_index(op.f('ix_customer_tax_exemptions_client_id'), 'customer_tax_exemptions', ['client_id'], unique=False)
    op.create_index(op.f('ix_customer_tax_exemptions_customer_id'), 'customer_tax_exemptions', ['customer_id'], unique=False)

    op.create_table(
        'nlad_enrollments',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('client_id', sa.Integer(), nullable=False),
        sa.Column('customer_id', sa.Integer(), nullable=False),
        sa.Column('state', sa.String(length=2), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_nlad_enrollments_client_id_clients')),
        sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_nlad_enrollments_customer_id_customers')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_nlad_enrollments'))
    )
    op.create_index(op.f('ix_nlad_enrollments_client_id'), 'nlad_enrollments', ['client_id'], unique=False)
    op.create_index(op.f('ix_nlad_enrollments_customer_id'), 'nlad_enrollments', ['customer_id'], unique=False)

    op.create_table(
        'package_products',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('client_id', sa.Integer(), nullable=False),
        sa.Column('package_id', sa.Integer(), nullable=False),
        sa.Column('product_id', sa.Integer(), nullable=False),
        sa.Column('product_group_id', sa.Integer(), nullable=False),
        sa.Column('lead_product', sa.Boolean(), nullable=False),
        sa.Column('quantity', sa.Integer(), nullable=False),
        sa.Column('sort_order', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_package_products_client_id_clients')),
        sa.ForeignKeyConstraint(['package_id'], ['packages.id'], name=op.f('fk_package_products_package_id_packages')),
        sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_package_products_product_id_products')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_package_products'))
    )
    op.create_index(op.f('ix_package_products_client_id'), 'package_products', ['client_id'], unique=False)
    op.create_index(op.f('ix_package_products_package_id'), 'package_products', ['package_id'], unique=False)
    op.create_index(op.f('ix_package_products_product_id'), 'package_products', ['product_id'], unique=False)

    op.create_table(
        'payment_accounts',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('client_id', sa.Integer(), nullable=False),
        sa.Column('customer_id', sa.Integer(), nullable=False),
        sa.Column('account_type', sa.String(length=20), nullable=False),
        sa.Column('description', sa.String(length=200), nullable=True),
        sa.Column('last4', sa.String(length=4), nullable=True),
        sa.Column('active', sa.Boolean(), nullable=False),
        sa.CheckConstraint("account_type IN ('CREDIT_CARD', 'ACH')", name=op.f('ck_payment_accounts_account_type')),
        sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_payment_accounts_client_id_clients')),
        sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_payment_accounts_customer_id_customers')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_payment_accounts'))
    )
    op.create_index(op.f('ix_payment_accounts_client_id'), 'payment_accounts', ['client_id'], unique=False)
    op.create_index(op.f('ix_payment_accounts_customer_id'), 'payment_accounts', ['customer_id'], unique=False)

    if not _cycle_fks_inline():
        for name, column, target in CUSTOMER_CYCLE_FKS:
            op.create_foreign_key(op.f(name), "customers", target, [column], ["id"])
    op.create_table(
        'services',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('client_id', sa.Integer(), nullable=False),
        sa.Column('customer_id', sa.Integer(), nullable=False),
        sa.Column('tn', sa.String(length=20), nullable=True),
        sa.Column('type', sa.String(length=100), nullable=True),
        sa.Column('service_type_id', sa.Integer(), nullable=True),
        sa.Column('provider_id', sa.Integer(), nullable=False),
        sa.Column('provider_account_id', sa.Integer(), nullable=True),
        sa.Column('package_id', sa.Integer(), nullable=True),
        sa.Column('program_id', sa.Integer(), nullable=True),
        sa.Column('description', sa.String(length=200), nullable=True),
        sa.Column('pbx_make', sa.String(length=100), nullable=True),
        sa.Column('pbx_model', sa.String(length=100), nullable=True),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("status IN ('PENDING', 'ACTIVE', 'DISCONNECTED')", name=op.f('ck_services_status')),
        sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_services_client_id_clients')),
        sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_services_customer_id_customers')),
        sa.ForeignKeyConstraint(['package_id'], ['packages.id'], name=op.f('fk_services_package_id_packages')),
        sa.ForeignKeyConstraint(['provider_account_id'], ['provider_accounts.id'], name=op.f('fk_services_provider_account_id_provider_accounts')),
        sa.ForeignKeyConstraint(['provider_id'], ['providers.id'], name=op.f('fk_services_provider_id_providers')),
        sa.ForeignKeyConstraint(['service_type_id'], ['service_types.id'], name=op.f('fk_services_service_type_id_service_types')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_services'))
    )
    op.create_index(op.f('ix_services_client_id'), 'services', ['client_id'], unique=False)
    op.create_index(op.f('ix_services_customer_id'), 'services', ['customer_id'], unique=False)
    op.create_index(op.f('ix_services_package_id'), 'services', ['package_id'], unique=False)
    op.create_index(op.f('ix_services_provider_account_id'), 'services', ['provider_account_id'], unique=False)
    op.create_index(op.f('ix_services_provider_id'), 'services', ['provider_id'], unique=False)
    op.create_index(op.f('ix_services_service_type_id'), 'services', ['service_type_id'], unique=False)
    op.create_index(op.f('ix_services_tn'), 'services', ['tn'], unique=False)

    op.create_table(
        'inventory_items',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('client_id', sa.Integer(), nullable=False),
        sa.Column('inventory_type_id', sa.Integer(), nullable=False),
        sa.Column('identifier', sa.String(length=100), nullable=False),
        sa.Column('identifier_hex', sa.String(length=100), nullable=True),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('customer_id', sa.Integer(), nullable=True),
        sa.Column('service_id', sa.Integer(), nullable=True),
        sa.Column('batch_id', sa.Integer(), nullable=True),
        sa.Column('assigned_date', sa.Date(), nullable=True),
        sa.Column('unavailable_reason_id', sa.Integer(), nullable=True),
        sa.Column('unavailable_reason_description', sa.String(length=200), nullable=True),
        sa.Column('note', sa.Text(), nullable=True),
        sa.Column('msid', sa.String(length=20), nullable=True),
        sa.Column('msl', sa.String(length=20), nullable=True),
        sa.Column('mdn', sa.String(length=20), nullable=True),
        sa.CheckConstraint("status IN ('AVAILABLE', 'UNAVAILABLE', 'ASSIGNED', 'BATCHED')", name=op.f('ck_inventory_items_status')),
        sa.ForeignKeyConstraint(['batch_id'], ['inventory_batches.id'], name=op.f('fk_inventory_items_batch_id_inventory_batches')),
        sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_inventory_items_client_id_clients')),
        sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_inventory_items_customer_id_customers')),
        sa.ForeignKeyConstraint(['inventory_type_id'], ['inventory_types.id'], name=op.f('fk_inventory_items_inventory_type_id_inventory_types')),
        sa.ForeignKeyConstraint(['service_id'], ['services.id'], name=op.f('fk_inventory_items_service_id_services')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_inventory_items')),
        sa.UniqueConstraint('client_id', 'inventory_type_id', 'identifier', name=op.f('uq_inventory_items_client_id_inventory_type_id_identifier'))
    )
    op.create_index(op.f('ix_inventory_items_batch_id'), 'inventory_items', ['batch_id'], unique=False)
    op.create_index(op.f('ix_inventory_items_client_id'), 'inventory_items', ['client_id'], unique=False)
    op.create_index(op.f('ix_inventory_items_customer_id'), 'inventory_items', ['customer_id'], unique=False)
    op.create_index(op.f('ix_inventory_items_identifier'), 'inventory_items', ['identifier'], unique=False)
    op.create_index(op.f('ix_inventory_items_identifier_hex'), 'inventory_items', ['identifier_hex'], unique=False)
    op.create_index(op.f('ix_inventory_items_inventory_type_id'), 'inventory_items', ['inventory_type_id'], unique=False)
    op.create_index(op.f('ix_inventory_items_mdn'), 'inventory_items', ['mdn'], unique=False)
    op.create_index(op.f('ix_inventory_items_service_id'), 'inventory_items', ['service_id'], unique=False)

    op.create_table(
        'orders',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('client_id', sa.Integer(), nullable=False),
        sa.Column('customer_id', sa.Integer(), nullable=False),
        sa.Column('service_id', sa.Integer(), nullable=True),
        sa.Column('provider_id', sa.Integer(), nullable=False),
        sa.Column('order_type', sa.String(length=20), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('is_reconnect', sa.Boolean(), nullable=False),
        sa.Column('flow_through', sa.Boolean(), nullable=False),
        sa.Column('process_id', sa.Integer(), nullable=True),
        sa.Column('shipping_address_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('completion_date', sa.Date(), nullable=True),
        sa.Column('message', sa.Text(), nullable=True),
        sa.CheckConstraint("order_type IN ('NEW', 'DISCONNECT', 'DENY', 'RESTORE', 'CHANGE_FEATURE', 'ADD_LINE', 'TRANSFER', 'CONVERSION')", name=op.f('ck_orders_order_type')),
        sa.CheckConstraint("status IN ('NEW', 'SENT', 'CONFIRMED', 'COMPLETE', 'CANCELED', 'ERROR', 'FLOW_ERROR')", name=op.f('ck_orders_status')),
        sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_orders_client_id_clients')),
        sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_orders_customer_id_customers')),
        sa.ForeignKeyConstraint(['process_id'], ['processes.id'], name=op.f('fk_orders_process_id_processes')),
        sa.ForeignKeyConstraint(['provider_id'], ['providers.id'], name=op.f('fk_orders_provider_id_providers')),
        sa.ForeignKeyConstraint(['service_id'], ['services.id'], name=op.f('fk_orders_service_id_services')),
        sa.ForeignKeyConstraint(['shipping_address_id'], ['addresses.id'], name=op.f('fk_orders_shipping_address_id_addresses')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_orders'))
    )
    op.create_index(op.f('ix_orders_client_id'), 'orders', ['client_id'], unique=False)
    op.create_index(op.f('ix_orders_created_at'), 'orders', ['created_at'], unique=False)
    op.create_index(op.f('ix_orders_customer_id'), 'orders', ['customer_id'], unique=False)
    op.create_index(op.f('ix_orders_process_id'), 'orders', ['process_id'], unique=False)
    op.create_index(op.f('ix_orders_provider_id'), 'orders', ['provider_id'], unique=False)
    op.create_index(op.f('ix_orders_service_id'), 'orders', ['service_id'], unique=False)
    op.create_index(op.f('ix_orders_shipping_address_id'), 'orders', ['shipping_address_id'], unique=False)

    op.create_table(
        'customer_products',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('client_id', sa.Integer(), nullable=False),
        sa.Column('customer_id', sa.Integer(), nullable=False),
        sa.Column('service_id', sa.Integer(), nullable=True),
        sa.Column('product_id', sa.Integer(), nullable=False),
        sa.Column('provider_id', sa.Integer(), nullable=True),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('description', sa.String(length=200), nullable=False),
        sa.Column('rate', sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column('quantity', sa.Integer(), nullable=False),
        sa.Column('code1', sa.String(length=100), nullable=True),
        sa.Column('code2', sa.String(length=100), nullable=True),
        sa.Column('product_group_id', sa.Integer(), nullable=False),
        sa.Column('lead_product', sa.Boolean(), nullable=False),
        sa.Column('activated_date', sa.Date(), nullable=True),
        sa.Column('billed_through_date', sa.Date(), nullable=True),
        sa.Column('order_id', sa.Integer(), nullable=True),
        sa.CheckConstraint("status IN ('PENDING', 'ACTIVE', 'DENIED', 'DISCONNECTED')", name=op.f('ck_customer_products_status')),
        sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_customer_products_client_id_clients')),
        sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_customer_products_customer_id_customers')),
        sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_customer_products_order_id_orders')),
        sa.ForeignKeyConstraint(['product_id'], ['products.id'], name=op.f('fk_customer_products_product_id_products')),
        sa.ForeignKeyConstraint(['provider_id'], ['providers.id'], name=op.f('fk_customer_products_provider_id_providers')),
        sa.ForeignKeyConstraint(['service_id'], ['services.id'], name=op.f('fk_customer_products_service_id_services')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_customer_products'))
    )
    op.create_index(op.f('ix_customer_products_client_id'), 'customer_products', ['client_id'], unique=False)
    op.create_index(op.f('ix_customer_products_customer_id'), 'customer_products', ['customer_id'], unique=False)
    op.create_index(op.f('ix_customer_products_order_id'), 'customer_products', ['order_id'], unique=False)
    op.create_index(op.f('ix_customer_products_product_id'), 'customer_products', ['product_id'], unique=False)
    op.create_index(op.f('ix_customer_products_provider_id'), 'customer_products', ['provider_id'], unique=False)
    op.create_index(op.f('ix_customer_products_service_id'), 'customer_products', ['service_id'], unique=False)

    op.create_table(
        'inventory_item_fields',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('client_id', sa.Integer(), nullable=False),
        sa.Column('inventory_item_id', sa.Integer(), nullable=False),
        sa.Column('field_id', sa.Integer(), nullable=False),
        sa.Column('label', sa.String(length=200), nullable=False),
        sa.Column('value', sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_inventory_item_fields_client_id_clients')),
        sa.ForeignKeyConstraint(['inventory_item_id'], ['inventory_items.id'], name=op.f('fk_inventory_item_fields_inventory_item_id_inventory_items')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_inventory_item_fields')),
        sa.UniqueConstraint('inventory_item_id', 'field_id', name=op.f('uq_inventory_item_fields_inventory_item_id_field_id'))
    )
    op.create_index(op.f('ix_inventory_item_fields_client_id'), 'inventory_item_fields', ['client_id'], unique=False)
    op.create_index(op.f('ix_inventory_item_fields_inventory_item_id'), 'inventory_item_fields', ['inventory_item_id'], unique=False)

    op.create_table(
        'order_ports',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('client_id', sa.Integer(), nullable=False),
        sa.Column('order_id', sa.Integer(), nullable=False),
        sa.Column('mdn', sa.String(length=20), nullable=False),
        sa.Column('account_number', sa.String(length=100), nullable=True),
        sa.Column('authorized_signer', sa.String(length=200), nullable=True),
        sa.Column('pin_password', sa.String(length=100), nullable=True),
        sa.Column('remark', sa.Text(), nullable=True),
        sa.Column('address_id', sa.Integer(), nullable=True),
        sa.Column('external_provider', sa.String(length=50), nullable=True),
        sa.ForeignKeyConstraint(['address_id'], ['addresses.id'], name=op.f('fk_order_ports_address_id_addresses')),
        sa.ForeignKeyConstraint(['client_id'], ['clients.id'], name=op.f('fk_order_ports_client_id_clients')),
        sa.ForeignKeyConstraint(['order_id'], ['orders.id'], name=op.f('fk_order_ports_order_id_orders')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_order_ports')),
        sa.UniqueConstraint('order_id', name=op.f('uq_order_ports_order_id'))
    )
    op.create_index(op.f('ix_order_ports_address_id'), 'order_ports', ['address_id'], unique=False)
    op.create_index(op.f('ix_order_ports_client_id'), 'order_ports', ['client_id'], unique=False)
    op.create_index(op.f('ix_order_ports_mdn'), 'order_ports', ['mdn'], unique=False)


def downgrade() -> None:
    if not _cycle_fks_inline():
        for name, _column, _target in CUSTOMER_CYCLE_FKS:
            op.drop_constraint(op.f(name), "customers", type_="foreignkey")
    for table in reversed(TABLES):
        op.drop_table(table)
