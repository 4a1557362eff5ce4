"""Authentication (Standards): Credentials or Session on every request; impersonation.

* Credentials: Username/Password/Client checked against a slow salted hash (argon2); on
  success a new session is created and its key returned in ``Header.SessionKey``.
* Session: the key must name a live session (sessions expire after an idle time).
* ImpersonationKey: a caller holding IMPERSONATE_USERS who passes a user's key acts as that
  user; the session is marked impersonated (``Header.Impersonated``).
Failures: S2005 (credentials), S2004 (session key), S2017 (impersonation not permitted).
"""

from __future__ import annotations

import datetime as dt
import secrets

from sqlalchemy.orm import Session as DbSession

from ..contract.errors import ApiError
from ..contract.schema import Struct
from ..domain.passwords import hash_key, verify_password
from ..store import authrepo
from .base import Caller

# A real argon2 hash of a random string, verified when the user does not exist so that
# an unknown username costs as much time as a wrong password.
_DUMMY_HASH: str | None = None

# A session's last-used time is written at most this often (saves a write per request).
TOUCH_EVERY = dt.timedelta(seconds=30)


def _dummy_hash() -> str:
    global _DUMMY_HASH
    if _DUMMY_HASH is None:
        from ..domain.passwords import hash_password

        _DUMMY_HASH = hash_password(secrets.token_hex(16))
    return _DUMMY_HASH


def as_utc(value: dt.datetime) -> dt.datetime:
    """SQLite returns naive datetimes; every time stored here is UTC."""
    return value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)


def authenticate(db: DbSession, request: Struct, idle: dt.timedelta, now: dt.datetime) -> Caller:
    session = getattr(request, "Session", None)
    if session is not None and session.SessionKey:
        return _by_session(db, session.SessionKey.strip(), idle, now)
    creds = getattr(request, "Credentials", None)
    if creds is None:
        raise ApiError("S2005", "Credentials or Session is required on every request")
    return _by_credentials(db, creds, now)


def _by_credentials(db: DbSession, creds: Struct, now: dt.datetime) -> Caller:
    for name in ("Username", "Password", "Client"):
        if not getattr(creds, name):
            raise ApiError("S2005", f"Credentials/{name}: required")
    user = authrepo.find_user(db, creds.Client, creds.Username)
    if user is None:
        verify_password(_dummy_hash(), creds.Password)
        raise ApiError("S2005", "Credentials: unknown Username, Password or Client")
    if not verify_password(user.password_hash, creds.Password):
        raise ApiError("S2005", "Credentials: unknown Username, Password or Client")
    acting, impersonated = user, False
    if creds.ImpersonationKey:
        if "IMPERSONATE_USERS" not in authrepo.permissions_of(db, user.user_id):
            raise ApiError("S2017", "Credentials/ImpersonationKey: requires the permission "
                                    "IMPERSONATE_USERS")
        target = authrepo.user_by_impersonation_key(
            db, user.client_id, hash_key(creds.ImpersonationKey)
        )
        if target is None:
            raise ApiError("S2005", "Credentials/ImpersonationKey: no user of this client "
                                    "has this key")
        acting, impersonated = target, True
    key = secrets.token_urlsafe(32)
    authrepo.create_session(
        db, key_hash=hash_key(key), client_id=user.client_id, user_id=acting.user_id,
        real_user_id=user.user_id, impersonated=impersonated, now=now,
    )
    return _caller(db, acting, key, impersonated)


def _by_session(db: DbSession, key: str, idle: dt.timedelta, now: dt.datetime) -> Caller:
    row = authrepo.find_session(db, hash_key(key))
    if row is None:
        raise ApiError("S2004", "Session/SessionKey: unknown session key")
    last = as_utc(row.last_used_at)
    if now - last > idle:
        db.delete(row)
        raise ApiError("S2004", "Session/SessionKey: the session has expired; create a new one")
    user = authrepo.user_by_id(db, row.user_id)
    if user is None or user.client_id != row.client_id:
        raise ApiError("S2004", "Session/SessionKey: the session's user no longer exists")
    if now - last > TOUCH_EVERY:
        row.last_used_at = now
    return _caller(db, user, key, bool(row.impersonated))


def _caller(db: DbSession, user: authrepo.UserRow, key: str, impersonated: bool) -> Caller:
    return Caller(
        client_id=user.client_id, client_code=user.client_code, user_id=user.user_id,
        username=user.username, permissions=authrepo.permissions_of(db, user.user_id),
        session_key=key, impersonated=impersonated, tax_engine=user.tax_engine,
        lifeline_form_status=user.lifeline_form_status,
    )
