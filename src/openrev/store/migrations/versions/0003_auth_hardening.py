"""Authentication hardening: login throttling, session expiry and revocation.

* ``login_failures``: failed logins, for the throttle (per Client+Username, per address);
* ``users.password_changed_at``: sessions created before it no longer work;
* ``ix_api_sessions_created_at``: the sweep of sessions past their absolute lifetime;
* ``api_sessions.used``: whether the key was ever used (never-used sessions go first when a
  user has too many).

ImpersonationKeys are now stored as a keyed hash (HMAC-SHA256). The keys themselves are
unknown, so existing values (plain SHA-256 hex) cannot be converted here: they stay, are still
accepted, and are replaced by the keyed hash the first time the key is used.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'login_failures',
        sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
        sa.Column('client_code', sa.String(length=50), nullable=False),
        sa.Column('username', sa.String(length=100), nullable=False),
        sa.Column('peer', sa.String(length=64), nullable=True),
        sa.Column('failed_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_login_failures')),
    )
    op.create_index(op.f('ix_login_failures_client_code_username_failed_at'), 'login_failures',
                    ['client_code', 'username', 'failed_at'], unique=False)
    op.create_index(op.f('ix_login_failures_failed_at'), 'login_failures', ['failed_at'],
                    unique=False)
    op.create_index(op.f('ix_login_failures_peer_failed_at'), 'login_failures',
                    ['peer', 'failed_at'], unique=False)
    with op.batch_alter_table('users') as batch:
        batch.add_column(sa.Column('password_changed_at', sa.DateTime(timezone=True),
                                   nullable=True))
    op.create_index(op.f('ix_api_sessions_created_at'), 'api_sessions', ['created_at'],
                    unique=False)
    with op.batch_alter_table('api_sessions') as batch:
        batch.add_column(sa.Column('used', sa.Boolean(), server_default=sa.false(),
                                   nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('api_sessions') as batch:
        batch.drop_column('used')
    op.drop_index(op.f('ix_api_sessions_created_at'), table_name='api_sessions')
    with op.batch_alter_table('users') as batch:
        batch.drop_column('password_changed_at')
    op.drop_index(op.f('ix_login_failures_peer_failed_at'), table_name='login_failures')
    op.drop_index(op.f('ix_login_failures_failed_at'), table_name='login_failures')
    op.drop_index(op.f('ix_login_failures_client_code_username_failed_at'),
                  table_name='login_failures')
    op.drop_table('login_failures')
