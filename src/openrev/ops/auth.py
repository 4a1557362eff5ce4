"""Authentication (Standards): Credentials or Session on every request; impersonation.

* Credentials: Username/Password/Client checked against a slow salted hash (argon2); on
  success a new session is created and its key returned in ``Header.SessionKey``.
* Session: the key must name a live session. A session ends ``session_idle_minutes`` after
  its last use and ``session_max_hours`` after it was created; it stops working when its
  user (or the user who logged in, for an impersonated session) is deactivated or changes
  password, or when ``openrev user passwd`` / ``openrev session revoke`` end it.
* ImpersonationKey: a caller holding IMPERSONATE_USERS who passes a user's key acts as that
  user; the session is marked impersonated (``Header.Impersonated``).
Failures: S2005 (credentials), S2004 (session key), S2017 (impersonation not permitted).

Login throttle (NIST SP 800-63B, 5.2.2): every failed login (unknown client or user, wrong
password, wrong ImpersonationKey) is recorded in ``login_failures`` with the Client code and
Username as sent and the client's address. Once ``login_max_failures`` failures of one
Client+Username, or ``login_max_failures_per_address`` failures from one address, fall within
``login_window_seconds``, further logins of that user / from that address are refused with
S2005 and a Message giving the time to retry, without checking the password (so without the
cost of argon2), until the oldest of those failures leaves the window. A successful login
forgets the user's failures; so does ``openrev user unlock``. At most ``login_concurrency``
password checks (argon2 takes 64 MiB each) run at once per process.

Credentials on every call (as simple integrations send them) would cost an argon2 check per
request; a password that was verified recently is remembered instead (:class:`VerifiedCache`:
in memory only, as an HMAC under a random per-process key, for :data:`VERIFIED_TTL_SECONDS`,
and only while the user's stored hash is the one it was verified against). A wrong password
is always checked with argon2. Logins of one Client+Username are checked one at a time (a
striped lock), so that many clients sending the same Credentials at once cost one argon2
check, not one each.

Sessions stay bounded: each login deletes every expired session and keeps at most
``sessions_per_user`` sessions of the user who logged in: sessions never used since the
Credentials call that made them go first (oldest first), then the least recently used.

Session cache (:class:`SessionCache`): a session checked against the database (two
statements: the session with both its users and the client, then the permissions) is
trusted for :data:`SESSION_CACHE_SECONDS` by the hash of its key, so most calls with a
session cost no statement and no transaction here. A change of users, permissions, sessions
or clients committed in this process ends every cached check at once
(:data:`openrev.store.authrepo.CHANGES`); one made by another process reaches this one when
the cached check is that old. Idle and absolute expiry are checked on every call; when a
cached check says expired, the database decides.

Transactions (:mod:`openrev.store.uow`): the password is checked with no transaction open;
reading a session is a read-only transaction; the writes (a new session, a failure, a
session's first use, then its last-use time at most every :data:`TOUCH_EVERY`) are short
transactions of their own, never the handler's.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import hmac
import logging
import math
import secrets
import threading
import time
from collections import OrderedDict
from typing import Callable

from sqlalchemy.orm import Session as DbSession

from ..contract.errors import ApiError
from ..contract.schema import Struct
from ..domain.passwords import (
    hash_impersonation_key, hash_key, impersonation_key_hashes, verify_password,
)
from ..settings import Settings
from ..store import authrepo
from ..store.uow import DatabaseBusy, TransactionRunner
from .base import Caller

log = logging.getLogger("openrev.auth")

# A real argon2 hash of a random string, verified when the user does not exist so that
# an unknown username costs as much time as a wrong password.
_DUMMY_HASH: str | None = None

TOUCH_EVERY = dt.timedelta(seconds=30)
"""A session's last-used time is written at most this often (saves a write per request)."""

CHECK_WAIT_SECONDS = 10.0
"""How long a login waits for one of the ``login_concurrency`` password-check slots."""

VERIFIED_TTL_SECONDS = 300.0
"""How long a verified password is remembered (see :class:`VerifiedCache`)."""

VERIFIED_ENTRIES = 4096
"""How many verified logins are remembered at most (the least recently used are dropped)."""

USER_LOCK_STRIPES = 64
"""Locks that serialize the password checks of one Client+Username (shared by hash)."""

BAD_CREDENTIALS = "Credentials: unknown Username, Password or Client"

# Column sizes of login_failures: what is sent is cut to fit.
_CODE_LEN, _USERNAME_LEN, _PEER_LEN = 50, 100, 64


def _dummy_hash() -> str:
    global _DUMMY_HASH
    if _DUMMY_HASH is None:
        from ..domain.passwords import hash_password

        _DUMMY_HASH = hash_password(secrets.token_hex(16))
    return _DUMMY_HASH


def as_utc(value: dt.datetime) -> dt.datetime:
    """SQLite returns naive datetimes; every time stored here is UTC."""
    return value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)


def _iso(value: dt.datetime) -> str:
    return value.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")



TOO_MANY_CHECKS = ("Credentials: too many logins are being checked at once; try again in a "
                   "few seconds")
"""S2005 when no password-check slot frees in time (per user, or the server's argon2 slots)."""

REFUSED_LOGIN_DELAY = 1.0
"""Seconds a refused (throttled) login's answer is held back. The wait is asynchronous (no
thread, no database), so 40 guessers cost the server 40 cheap answers a second instead of
thousands, and clients with a session keep their latency."""


class LoginRefused(ApiError):
    """S2005 for a throttled login: answered late (``answer_delay``), never checked."""

    answer_delay = REFUSED_LOGIN_DELAY

class VerifiedCache:
    """Logins whose password argon2 accepted recently: (Client code, Username) -> an HMAC of
    the password under a random key of this process, the stored hash it matched, and when it
    expires. A hit needs the same password, the same stored hash (a password change misses at
    once) and an unexpired entry."""

    def __init__(self, ttl: float = VERIFIED_TTL_SECONDS, size: int = VERIFIED_ENTRIES) -> None:
        self.ttl = ttl
        self.size = size
        self._key = secrets.token_bytes(32)
        self._lock = threading.Lock()
        self._entries: OrderedDict[tuple[str, str], tuple[bytes, str, float]] = OrderedDict()

    def _digest(self, password: str) -> bytes:
        return hmac.new(self._key, password.encode("utf-8"), hashlib.sha256).digest()

    def hit(self, code: str, username: str, password: str, password_hash: str) -> bool:
        digest = self._digest(password)
        with self._lock:
            entry = self._entries.get((code, username))
            if entry is None:
                return False
            if entry[2] < time.monotonic() or entry[1] != password_hash:
                del self._entries[(code, username)]
                return False
            self._entries.move_to_end((code, username))
        return hmac.compare_digest(entry[0], digest)

    def remember(self, code: str, username: str, password: str, password_hash: str) -> None:
        entry = (self._digest(password), password_hash, time.monotonic() + self.ttl)
        with self._lock:
            self._entries[(code, username)] = entry
            self._entries.move_to_end((code, username))
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)


SESSION_CACHE_SECONDS = 5.0
"""How long a session checked against the database is trusted without reading it again: the
most a change made by another process (``openrev session revoke``, ``openrev user passwd``,
another ``serve`` worker, a change made with SQL) can take to reach this one. Changes this
process commits reach it at once (:data:`openrev.store.authrepo.CHANGES`)."""

SESSION_CACHE_ENTRIES = 10_000
"""How many checked sessions are remembered at most (the least recently used are dropped)."""


@dataclasses.dataclass(slots=True)
class CachedSession:
    """A session as it was checked: the Caller it stands for (``session_key`` left empty:
    the key itself is never kept), its id and times, and when and at which
    :data:`~openrev.store.authrepo.CHANGES` value it was read."""

    caller: Caller
    session_id: int
    created_at: dt.datetime
    last_used: dt.datetime  # as stored, or as this process last wrote it
    used: bool
    checked_at: dt.datetime
    changes: int


class SessionCache:
    """Sessions checked recently, by the hash of their key: a hit needs an entry younger than
    ``ttl`` seconds (by the request clock) read at the current value of
    :data:`openrev.store.authrepo.CHANGES` (no user, permission, session or client changed
    in this process since)."""

    def __init__(self, ttl: float = SESSION_CACHE_SECONDS,
                 size: int = SESSION_CACHE_ENTRIES) -> None:
        self.ttl = dt.timedelta(seconds=ttl)
        self.size = size
        self._lock = threading.Lock()
        self._entries: OrderedDict[str, CachedSession] = OrderedDict()

    def get(self, key_hash: str, now: dt.datetime) -> CachedSession | None:
        with self._lock:
            entry = self._entries.get(key_hash)
            if entry is None:
                return None
            if (entry.changes != authrepo.CHANGES.value
                    or not entry.checked_at <= now < entry.checked_at + self.ttl):
                del self._entries[key_hash]
                return None
            self._entries.move_to_end(key_hash)
            return entry

    def put(self, key_hash: str, entry: CachedSession) -> None:
        with self._lock:
            self._entries[key_hash] = entry
            self._entries.move_to_end(key_hash)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def drop(self, key_hash: str) -> None:
        with self._lock:
            self._entries.pop(key_hash, None)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


class Authenticator:
    """Authenticates requests against one database (see the module documentation)."""

    def __init__(self, runner: TransactionRunner, settings: Settings) -> None:
        self.runner = runner
        self.idle = dt.timedelta(minutes=settings.session_idle_minutes)
        self.max_hours = settings.session_max_hours
        self.lifetime = dt.timedelta(hours=settings.session_max_hours)
        self.sessions_per_user = settings.sessions_per_user
        self.max_failures = settings.login_max_failures
        self.max_failures_per_address = settings.login_max_failures_per_address
        self.window = dt.timedelta(seconds=settings.login_window_seconds)
        self.password_checks = threading.BoundedSemaphore(settings.login_concurrency)
        self.verified = VerifiedCache()
        self.sessions = SessionCache()
        self._user_locks = [threading.Lock() for _ in range(USER_LOCK_STRIPES)]

    def authenticate(self, request: Struct, now: dt.datetime, peer: str | None = None
                     ) -> Caller:
        session = getattr(request, "Session", None)
        if session is not None and session.SessionKey:
            return self._by_session(session.SessionKey.strip(), now)
        creds = getattr(request, "Credentials", None)
        if creds is None:
            raise ApiError("S2005", "Credentials or Session is required on every request")
        return self._by_credentials(creds, now, peer)

    # ------------------------------------------------------------------ sessions

    def _by_session(self, key: str, now: dt.datetime) -> Caller:
        key_hash = hash_key(key)
        cached = self.sessions.get(key_hash, now)
        if cached is None or not self._fresh(cached, now):
            cached = self._read_session(key_hash, now)
        self._touch_if_due(cached, now)
        return dataclasses.replace(cached.caller, session_key=key)

    def _fresh(self, cached: CachedSession, now: dt.datetime) -> bool:
        """True when the cached session is clearly still alive (else the database decides,
        and says why it ended)."""
        return now - cached.last_used <= self.idle and now - cached.created_at <= self.lifetime

    def _read_session(self, key_hash: str, now: dt.datetime) -> CachedSession:
        """The session checked against the database (two statements, one read-only
        transaction), remembered in :attr:`sessions`; S2004 when it does not work."""
        changes = authrepo.CHANGES.value  # before reading: a change meanwhile is not missed

        def read(db: DbSession) -> tuple[authrepo.SessionRow | None, str | None,
                                         Caller | None]:
            row = authrepo.find_session(db, key_hash)
            if row is None:
                return None, "unknown session key", None
            problem = self._session_problem(row, now)
            if problem is not None or row.user is None:
                return row, problem, None
            return row, None, _caller(db, row.user, "", row.impersonated, row.real_user_id)

        row, problem, caller = self.runner.run(False, read)
        if problem is not None or row is None or caller is None:
            self.sessions.drop(key_hash)
            if row is not None:  # an ended session is gone for good
                self._best_effort(lambda db: authrepo.delete_session(db, row.id))
            raise ApiError("S2004", f"Session/SessionKey: {problem}")
        cached = CachedSession(caller, row.id, as_utc(row.created_at), as_utc(row.last_used_at),
                               row.used, now, changes)
        self.sessions.put(key_hash, cached)
        return cached

    def _touch_if_due(self, cached: CachedSession, now: dt.datetime) -> None:
        """Write the session's last-use time (and that it was used) at most every
        :data:`TOUCH_EVERY`, in a short transaction of its own before the handler's."""
        if cached.used and now - cached.last_used <= TOUCH_EVERY:
            return
        before, cached.last_used, cached.used = cached.last_used, now, True  # one toucher
        if not self._best_effort(lambda db: authrepo.touch_session(db, cached.session_id, now,
                                                                   now - TOUCH_EVERY)):
            cached.last_used = before  # the next request tries again

    def _session_problem(self, row: authrepo.SessionRow, now: dt.datetime) -> str | None:
        if now - as_utc(row.last_used_at) > self.idle:
            return "the session has expired; create a new one"
        if now - as_utc(row.created_at) > self.lifetime:
            return (f"the session has expired (a session lasts at most {self.max_hours} "
                    "hours); create a new one")
        if (row.user is None or not row.user_active or row.user.client_id != row.client_id
                or not row.real_user_active or row.real_user_client_id != row.client_id):
            return "the session's user no longer exists or is deactivated"
        changed = row.real_password_changed_at
        if changed is not None and as_utc(row.created_at) < as_utc(changed):
            return "the session ended because the password was changed; create a new one"
        return None

    def _best_effort(self, fn: Callable[[DbSession], object]) -> bool:
        """Session bookkeeping that is skipped when the database is busy (the next request
        does it): it never makes a reader wait for a writer. False: it was skipped."""
        if not self.runner.try_write(fn):
            log.debug("session bookkeeping skipped: the database is busy")
            return False
        return True

    # ------------------------------------------------------------------ credentials

    def _by_credentials(self, creds: Struct, now: dt.datetime, peer: str | None) -> Caller:
        for name in ("Username", "Password", "Client"):
            if not getattr(creds, name):
                raise ApiError("S2005", f"Credentials/{name}: required")
        code = creds.Client.strip().upper()[:_CODE_LEN]
        username = creds.Username.strip()[:_USERNAME_LEN]
        peer = peer[:_PEER_LEN] if peer else None

        # Cheap refusal first: a throttled login never reaches argon2.
        throttled, user = self.runner.run(False, lambda db: (
            self._throttled(db, code, username, peer, now),
            authrepo.find_user(db, code, username)))
        self._refuse_if_throttled(throttled)
        ok = self._verify(user, creds.Password, code, username, peer, now)
        if user is None or not ok:
            self._failed(code, username, peer, now)
            raise ApiError("S2005", BAD_CREDENTIALS)

        acting, impersonated, stored_key = user, False, None
        if creds.ImpersonationKey:
            def find_target(db: DbSession) -> tuple[bool, tuple[authrepo.UserRow, str] | None]:
                if "IMPERSONATE_USERS" not in authrepo.permissions_of(db, user.user_id):
                    return False, None
                return True, authrepo.user_by_impersonation_key(
                    db, user.client_id, impersonation_key_hashes(creds.ImpersonationKey))

            permitted, target = self.runner.run(False, find_target)
            if not permitted:
                raise ApiError("S2017", "Credentials/ImpersonationKey: requires the permission "
                                        "IMPERSONATE_USERS")
            if target is None:
                self._failed(code, username, peer, now)
                raise ApiError("S2005", "Credentials/ImpersonationKey: no user of this client "
                                        "has this key")
            (acting, stored_key), impersonated = target, True

        key = secrets.token_urlsafe(32)
        keyed = hash_impersonation_key(creds.ImpersonationKey) if impersonated else None

        def open_session(db: DbSession) -> Caller | None:
            # The password was checked outside this transaction: it must still be the one
            # checked (a password change or a deactivation meanwhile wins).
            current = authrepo.user_by_id(db, user.user_id)
            if current is None or current.password_hash != user.password_hash:
                return None
            if impersonated and authrepo.user_by_id(db, acting.user_id) is None:
                return None
            if keyed is not None and stored_key != keyed:  # a legacy SHA-256 value: upgrade
                authrepo.set_impersonation_key_hash(db, acting.user_id, keyed)
            authrepo.clear_login_failures(db, code, username)
            authrepo.sweep_sessions(db, now - self.idle, now - self.lifetime)
            authrepo.cap_sessions(db, user.user_id, self.sessions_per_user - 1)
            authrepo.create_session(
                db, key_hash=hash_key(key), client_id=user.client_id, user_id=acting.user_id,
                real_user_id=user.user_id, impersonated=impersonated, now=now,
            )
            return _caller(db, acting, key, impersonated, user.user_id)

        caller = self.runner.run(True, open_session)
        if caller is None:
            raise ApiError("S2005", BAD_CREDENTIALS)
        return caller

    def _verify(self, user: authrepo.UserRow | None, password: str, code: str, username: str,
                peer: str | None, now: dt.datetime) -> bool:
        """True when ``password`` is ``user``'s: remembered, or checked with argon2."""
        def remembered() -> bool:
            return user is not None and self.verified.hit(code, username, password,
                                                          user.password_hash)

        if remembered():
            return True
        lock = self._user_locks[hash((code, username)) % USER_LOCK_STRIPES]
        if not lock.acquire(timeout=CHECK_WAIT_SECONDS):
            raise ApiError("S2005", TOO_MANY_CHECKS)
        try:
            if remembered():  # checked by a login that held the lock meanwhile
                return True
            ok = self._check_password(user, password, code, username, peer, now)
            if ok and user is not None:
                self.verified.remember(code, username, password, user.password_hash)
            return ok
        finally:
            lock.release()

    def _check_password(self, user: authrepo.UserRow | None, password: str, code: str,
                        username: str, peer: str | None, now: dt.datetime) -> bool:
        """argon2, in one of the ``login_concurrency`` slots, with no transaction open."""
        if not self.password_checks.acquire(timeout=CHECK_WAIT_SECONDS):
            raise ApiError("S2005", TOO_MANY_CHECKS)
        try:
            # Again, now that this login has a slot: failures recorded by the logins that
            # held the slots meanwhile count.
            self._refuse_if_throttled(self.runner.run(
                False, lambda db: self._throttled(db, code, username, peer, now)))
            ok = verify_password(user.password_hash if user else _dummy_hash(), password)
        finally:
            self.password_checks.release()
        return ok and user is not None

    def _throttled(self, db: DbSession, code: str, username: str, peer: str | None,
                   now: dt.datetime) -> str | None:
        """Why a login of Client+Username from ``peer`` is refused now (None: it is not)."""
        since = now - self.window
        recent = authrepo.recent_failures_of_user(db, code, username, since, self.max_failures)
        if len(recent) >= self.max_failures:
            return self._throttle_message("for this Username and Client", recent[-1], now)
        if peer:
            recent = authrepo.recent_failures_of_peer(db, peer, since,
                                                      self.max_failures_per_address)
            if len(recent) >= self.max_failures_per_address:
                return self._throttle_message("from this address", recent[-1], now)
        return None

    def _throttle_message(self, what: str, oldest: dt.datetime, now: dt.datetime) -> str:
        retry_at = as_utc(oldest) + self.window
        seconds = max(1, math.ceil((retry_at - now).total_seconds()))
        return (f"Credentials: too many failed login attempts {what}; logins are refused "
                f"until {_iso(retry_at)} (retry in {seconds} s)")

    @staticmethod
    def _refuse_if_throttled(message: str | None) -> None:
        if message is not None:
            raise LoginRefused("S2005", message)

    def _failed(self, code: str, username: str, peer: str | None, now: dt.datetime) -> None:
        def record(db: DbSession) -> None:
            authrepo.sweep_login_failures(db, now - self.window)
            authrepo.record_login_failure(db, code, username, peer, now)

        try:
            self.runner.run(True, record)
        except DatabaseBusy:  # the answer stays S2005; the failure is not counted
            log.warning("a failed login could not be recorded: the database is busy")


def _caller(db: DbSession, user: authrepo.UserRow, key: str, impersonated: bool,
            real_user_id: int) -> Caller:
    return Caller(
        client_id=user.client_id, client_code=user.client_code, user_id=user.user_id,
        username=user.username, permissions=authrepo.permissions_of(db, user.user_id),
        session_key=key, impersonated=impersonated, tax_engine=user.tax_engine,
        lifeline_form_status=user.lifeline_form_status,
        real_user_id=real_user_id if impersonated else None,
    )
