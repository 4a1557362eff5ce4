"""Users, permissions, API sessions and login failures: the queries authentication needs."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import threading
from typing import Any

from sqlalchemy import delete, event, or_, select, true, update
from sqlalchemy.orm import Session as DbSession, aliased

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


@dataclass(frozen=True, slots=True)
class SessionRow:
    """What checking a session needs, read by :func:`find_session` in one statement: the
    session, the user it acts as (with the session's client) and the user who logged in
    (``None`` for a user row that is gone)."""

    id: int
    client_id: int
    created_at: dt.datetime
    last_used_at: dt.datetime
    used: bool
    impersonated: bool
    user: UserRow | None
    user_active: bool
    real_user_id: int
    real_user_client_id: int | None
    real_user_active: bool
    real_password_changed_at: dt.datetime | None


_REAL_USER = aliased(User, name="real_user")


def find_session(db: DbSession, key_hash: str) -> SessionRow | None:
    """The session whose key hashes to ``key_hash``, with both its users (one statement)."""
    stmt = (
        select(ApiSession.id, ApiSession.client_id, ApiSession.created_at,
               ApiSession.last_used_at, ApiSession.used, ApiSession.impersonated,
               ApiSession.real_user_id,
               User.id, User.username, User.password_hash, User.client_id, User.active,
               User.password_changed_at, Client.code, Client.tax_engine,
               Client.lifeline_form_status,
               _REAL_USER.client_id, _REAL_USER.active, _REAL_USER.password_changed_at)
        .outerjoin(User, User.id == ApiSession.user_id)
        .outerjoin(Client, Client.id == User.client_id)
        .outerjoin(_REAL_USER, _REAL_USER.id == ApiSession.real_user_id)
        .where(ApiSession.key_hash == key_hash)
    )
    r = db.execute(stmt).first()
    if r is None:
        return None
    (sid, client_id, created, last_used, used, impersonated, real_id,
     uid, username, password_hash, u_client, u_active, u_changed, code, engine, ll_status,
     r_client, r_active, r_changed) = r
    user = None if uid is None else UserRow(uid, username, password_hash, u_client, code,
                                            engine, ll_status, u_changed)
    return SessionRow(sid, client_id, created, last_used, bool(used), bool(impersonated),
                      user, bool(u_active), real_id, r_client, bool(r_active), r_changed)


def touch_session(db: DbSession, session_id: int, now: dt.datetime, before: dt.datetime) -> None:
    """Mark the session used, last at ``now``, unless it is marked used already at ``before``
    or later (another request touched it meanwhile). Not a change of what a session may do:
    it leaves :data:`CHANGES` alone."""
    db.execute(update(ApiSession)
               .where(ApiSession.id == session_id,
                      or_(ApiSession.used.is_(False), ApiSession.last_used_at < before))
               .values(last_used_at=now, used=True)
               .execution_options(**{BOOKKEEPING: True}))


def delete_session(db: DbSession, session_id: int) -> None:
    db.execute(delete(ApiSession).where(ApiSession.id == session_id))


def delete_idle_sessions(db: DbSession, idle_before: dt.datetime) -> int:
    result = db.execute(delete(ApiSession).where(ApiSession.last_used_at < idle_before))
    return result.rowcount or 0


def sweep_sessions(db: DbSession, idle_before: dt.datetime, created_before: dt.datetime) -> int:
    """Delete every expired session: unused since ``idle_before`` or created before
    ``created_before``. Returns how many."""
    result = db.execute(delete(ApiSession).where(or_(
        ApiSession.last_used_at < idle_before, ApiSession.created_at < created_before))
        .execution_options(**{BOOKKEEPING: True}))
    return _changed_if(db, result.rowcount or 0)


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
    ).execution_options(synchronize_session=False, **{BOOKKEEPING: True}))
    return _changed_if(db, result.rowcount or 0)


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


# ------------------------------------------------------------------------------ changes

BOOKKEEPING = "openrev_auth_bookkeeping"
"""Execution option of a statement on the auth tables that changes nothing a cached session
depends on (a session's last-use time)."""

_AUTH_TABLES = frozenset({"users", "user_permissions", "api_sessions", "clients"})
_AUTH_CLASSES = (User, UserPermission, ApiSession, Client)
_PENDING = "openrev_auth_changed"


class AuthChanges:
    """A counter of this process, raised when a transaction that changed users, permissions,
    sessions or clients commits. Caches of what authentication read (the session cache of
    :mod:`openrev.ops.auth`) remember the value they read at, and read again when it moved.

    Every change through a SQLAlchemy Session counts, whatever module makes it (an ORM
    change of a User/UserPermission/ApiSession/Client, or an UPDATE/DELETE/INSERT statement
    on their tables), except new sessions and :data:`BOOKKEEPING` statements. Changes made by
    another process, or by raw SQL, are not seen here: the caches' short life bounds them."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.value = 0

    def bump(self) -> None:
        with self._lock:
            self.value += 1


CHANGES = AuthChanges()


def _changed_if(db: DbSession, deleted: int) -> int:
    """Sweeping and capping sessions (on every login) change something only when they delete
    a row: only then do they count as a change."""
    if deleted:
        mark_changed(db)
    return deleted


def mark_changed(db: DbSession) -> None:
    """Count the current transaction of ``db`` as a change of authentication (on commit)."""
    db.info[_PENDING] = True


@event.listens_for(DbSession, "do_orm_execute")
def _on_execute(state: Any) -> None:
    if not (state.is_update or state.is_delete or state.is_insert):
        return
    if state.execution_options.get(BOOKKEEPING):
        return
    table = getattr(state.statement, "table", None)
    if getattr(table, "name", None) in _AUTH_TABLES:
        if state.is_insert and table.name == "api_sessions":
            return
        mark_changed(state.session)


@event.listens_for(DbSession, "before_flush")
def _on_flush(db: DbSession, _context: Any, _instances: Any) -> None:
    if any(isinstance(o, _AUTH_CLASSES) and db.is_modified(o) for o in db.dirty) or any(
            isinstance(o, _AUTH_CLASSES) for o in db.deleted) or any(
            isinstance(o, _AUTH_CLASSES) and not isinstance(o, ApiSession) for o in db.new):
        mark_changed(db)


@event.listens_for(DbSession, "after_commit")
def _on_commit(db: DbSession) -> None:
    if db.info.pop(_PENDING, False):
        CHANGES.bump()


@event.listens_for(DbSession, "after_rollback")
def _on_rollback(db: DbSession) -> None:
    db.info.pop(_PENDING, None)
