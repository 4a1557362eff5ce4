"""Users, permissions and API sessions: the queries authentication needs."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session as DbSession

from .tables import ApiSession, Client, User, UserPermission


@dataclass(frozen=True, slots=True)
class UserRow:
    user_id: int
    username: str
    password_hash: str
    client_id: int
    client_code: str
    tax_engine: str
    lifeline_form_status: str


def _row(user: User, client: Client) -> UserRow:
    return UserRow(
        user.id, user.username, user.password_hash, client.id, client.code,
        client.tax_engine, client.lifeline_form_status,
    )


def find_user(db: DbSession, client_code: str, username: str) -> UserRow | None:
    """The active user ``username`` of the client ``client_code`` (client code ignores case)."""
    stmt = (
        select(User, Client)
        .join(Client, Client.id == User.client_id)
        .where(Client.code == client_code.strip().upper(), User.username == username.strip())
        .where(User.active.is_(True))
    )
    found = db.execute(stmt).first()
    return _row(*found) if found else None


def user_by_id(db: DbSession, user_id: int) -> UserRow | None:
    stmt = select(User, Client).join(Client, Client.id == User.client_id).where(
        User.id == user_id, User.active.is_(True)
    )
    found = db.execute(stmt).first()
    return _row(*found) if found else None


def user_by_impersonation_key(db: DbSession, client_id: int, key_hash: str) -> UserRow | None:
    stmt = (
        select(User, Client)
        .join(Client, Client.id == User.client_id)
        .where(User.client_id == client_id, User.impersonation_key_hash == key_hash)
        .where(User.active.is_(True))
    )
    found = db.execute(stmt).first()
    return _row(*found) if found else None


def permissions_of(db: DbSession, user_id: int) -> frozenset[str]:
    rows = db.scalars(select(UserPermission.permission).where(UserPermission.user_id == user_id))
    return frozenset(rows)


def create_session(
    db: DbSession, *, key_hash: str, client_id: int, user_id: int, real_user_id: int,
    impersonated: bool, now: dt.datetime,
) -> None:
    db.add(ApiSession(
        key_hash=key_hash, client_id=client_id, user_id=user_id, real_user_id=real_user_id,
        impersonated=impersonated, created_at=now, last_used_at=now,
    ))


def find_session(db: DbSession, key_hash: str) -> ApiSession | None:
    return db.scalars(select(ApiSession).where(ApiSession.key_hash == key_hash)).first()


def delete_idle_sessions(db: DbSession, idle_before: dt.datetime) -> int:
    result = db.execute(delete(ApiSession).where(ApiSession.last_used_at < idle_before))
    return result.rowcount or 0
