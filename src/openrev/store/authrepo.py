"""Users, permissions, API sessions and login failures: the queries authentication needs."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import delete, or_, select, true, update
from sqlalchemy.orm import Session as DbSession

from .tables import ApiSession, Client, LoginFailure, User, UserPermission


@dataclass(frozen=True, slots=True)
class UserRow:
    user_id: int
    username: str
    password_hash: str
    client_id: int
    client_code: str
    tax_engine: str
    lifeline_form_status: str
    password_changed_at: dt.datetime | None = None


def _row(user: User, client: Client) -> UserRow:
    return UserRow(
        user.id, user.username, user.password_hash, client.id, client.code,
        client.tax_engine, client.lifeline_form_status, user.password_changed_at,
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
    """The user ``user_id`` when it is active (None otherwise)."""
    stmt = select(User, Client).join(Client, Client.id == User.client_id).where(
        User.id == user_id, User.active.is_(True)
    )
    found = db.execute(stmt).first()
    return _row(*found) if found else None


def user_by_impersonation_key(db: DbSession, client_id: int, key_hashes: tuple[str, ...]
                              ) -> tuple[UserRow, str] | None:
    """The active user of ``client_id`` whose stored ImpersonationKey hash is one of
    ``key_hashes`` (the keyed form and the legacy SHA-256 form), with the stored value."""
    stmt = (
        select(User, Client)
        .join(Client, Client.id == User.client_id)
        .where(User.client_id == client_id, User.impersonation_key_hash.in_(key_hashes))
        .where(User.active.is_(True))
        .order_by(User.id)
    )
    found = db.execute(stmt).first()
    return (_row(*found), found[0].impersonation_key_hash) if found else None


def set_impersonation_key_hash(db: DbSession, user_id: int, key_hash: str) -> None:
    db.execute(update(User).where(User.id == user_id).values(impersonation_key_hash=key_hash))


def permissions_of(db: DbSession, user_id: int) -> frozenset[str]:
    rows = db.scalars(select(UserPermission.permission).where(UserPermission.user_id == user_id))
    return frozenset(rows)


# ------------------------------------------------------------------------------ sessions


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


def touch_session(db: DbSession, session_id: int, now: dt.datetime, before: dt.datetime) -> None:
    """Mark the session used, last at ``now``, unless it is marked used already at ``before``
    or later (another request touched it meanwhile)."""
    db.execute(update(ApiSession)
               .where(ApiSession.id == session_id,
                      or_(ApiSession.used.is_(False), ApiSession.last_used_at < before))
               .values(last_used_at=now, used=True))


def delete_session(db: DbSession, session_id: int) -> None:
    db.execute(delete(ApiSession).where(ApiSession.id == session_id))


def delete_idle_sessions(db: DbSession, idle_before: dt.datetime) -> int:
    result = db.execute(delete(ApiSession).where(ApiSession.last_used_at < idle_before))
    return result.rowcount or 0


def sweep_sessions(db: DbSession, idle_before: dt.datetime, created_before: dt.datetime) -> int:
    """Delete every expired session: unused since ``idle_before`` or created before
    ``created_before``. Returns how many."""
    result = db.execute(delete(ApiSession).where(or_(
        ApiSession.last_used_at < idle_before, ApiSession.created_at < created_before)))
    return result.rowcount or 0


def cap_sessions(db: DbSession, real_user_id: int, keep: int) -> int:
    """Delete the sessions of ``real_user_id`` (the user who logged in) but ``keep``: those
    used most recently, and among the never used (made by Credentials on a call and not used
    since), the newest. Returns how many were deleted."""
    newest = (select(ApiSession.id).where(ApiSession.real_user_id == real_user_id)
              .order_by(ApiSession.used.desc(), ApiSession.last_used_at.desc(),
                        ApiSession.id.desc()).limit(keep))
    result = db.execute(delete(ApiSession).where(
        ApiSession.real_user_id == real_user_id,
        ApiSession.id.not_in(newest.scalar_subquery()) if keep > 0 else true(),
    ).execution_options(synchronize_session=False))
    return result.rowcount or 0


def end_sessions_of_user(db: DbSession, user_id: int) -> int:
    """Delete every session acting as, or logged in as, ``user_id``. Returns how many."""
    result = db.execute(delete(ApiSession).where(
        or_(ApiSession.user_id == user_id, ApiSession.real_user_id == user_id)))
    return result.rowcount or 0


def end_sessions_of_client(db: DbSession, client_id: int) -> int:
    """Delete every session of the client ``client_id``. Returns how many."""
    result = db.execute(delete(ApiSession).where(ApiSession.client_id == client_id))
    return result.rowcount or 0


def set_password(db: DbSession, user: User, password_hash: str, now: dt.datetime) -> int:
    """Give ``user`` a new password hash and end all its sessions (returns how many)."""
    user.password_hash = password_hash
    user.password_changed_at = now
    db.flush()
    return end_sessions_of_user(db, user.id)


def change_password(db: DbSession, user: User, client_code: str, password_hash: str,
                    now: dt.datetime) -> int:
    """``openrev user passwd`` and the console: the new password hash, every session of the
    user ended (returns how many), its failed logins forgotten."""
    ended = set_password(db, user, password_hash, now)
    clear_login_failures(db, client_code.strip().upper(), user.username)
    return ended


# ------------------------------------------------------------------------------ login failures


def record_login_failure(db: DbSession, client_code: str, username: str, peer: str | None,
                         now: dt.datetime) -> None:
    db.add(LoginFailure(client_code=client_code, username=username, peer=peer, failed_at=now))


def sweep_login_failures(db: DbSession, before: dt.datetime) -> int:
    """Delete the login failures older than ``before`` (outside every throttle window)."""
    result = db.execute(delete(LoginFailure).where(LoginFailure.failed_at < before))
    return result.rowcount or 0


def recent_failures_of_user(db: DbSession, client_code: str, username: str,
                            since: dt.datetime, limit: int) -> list[dt.datetime]:
    """When the last ``limit`` failures of Client+Username after ``since`` happened, newest
    first."""
    return list(db.scalars(
        select(LoginFailure.failed_at)
        .where(LoginFailure.client_code == client_code, LoginFailure.username == username,
               LoginFailure.failed_at > since)
        .order_by(LoginFailure.failed_at.desc()).limit(limit)))


def recent_failures_of_peer(db: DbSession, peer: str, since: dt.datetime, limit: int
                            ) -> list[dt.datetime]:
    """When the last ``limit`` failures from address ``peer`` after ``since`` happened,
    newest first."""
    return list(db.scalars(
        select(LoginFailure.failed_at)
        .where(LoginFailure.peer == peer, LoginFailure.failed_at > since)
        .order_by(LoginFailure.failed_at.desc()).limit(limit)))


def clear_login_failures(db: DbSession, client_code: str, username: str) -> int:
    """Forget the failed logins of Client+Username (a success, or ``openrev user unlock``)."""
    result = db.execute(delete(LoginFailure).where(LoginFailure.client_code == client_code,
                                                   LoginFailure.username == username))
    return result.rowcount or 0
