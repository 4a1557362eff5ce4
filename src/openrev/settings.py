"""Configuration from the environment (CONTRACT.md: Names).

Every ``OPENREV_*`` value is checked when read: a value that does not parse raises
:class:`SettingsError`, whose message names the variable and what it accepts (``openrev``
prints it as one line).

| variable                        | default               |
| ``OPENREV_DATABASE_URL``        | ``sqlite:///openrev.db`` (or ``postgresql://…``) |
| ``OPENREV_HOST``                | ``127.0.0.1``         |
| ``OPENREV_PORT``                | ``8020`` (1-65535)    |
| ``OPENREV_SESSION_IDLE_MINUTES``| ``20`` (at least 1)   |
| ``OPENREV_MAX_BODY_BYTES``      | ``16777216`` (at least 1) |
| ``OPENREV_LOG_LEVEL``           | ``INFO`` (DEBUG, INFO, WARNING, ERROR, CRITICAL) |
| ``OPENREV_LOG_FORMAT``          | ``text`` (or ``json``: one JSON object per line) |
| ``OPENREV_SESSION_MAX_HOURS``   | ``12``: a session ends this long after it was created |
| ``OPENREV_SESSIONS_PER_USER``   | ``50``: more live sessions of a user end the least recently used |
| ``OPENREV_LOGIN_MAX_FAILURES``  | ``10``: failed logins of a Client+Username within the window before it is throttled |
| ``OPENREV_LOGIN_MAX_FAILURES_PER_ADDRESS`` | ``50``: the same, per client IP address |
| ``OPENREV_LOGIN_WINDOW_SECONDS``| ``900``: the window failed logins are counted in |
| ``OPENREV_LOGIN_CONCURRENCY``   | ``2``: password checks (argon2, 64 MiB each) run at once |
| ``OPENREV_WORKER_LEASE_SECONDS``| ``60``: an order a worker claimed is its own this long (a dead worker's orders are taken again after it); at least 3 times the provider timeout |
| ``OPENREV_PROVIDER_TIMEOUT_SECONDS`` | ``10``: a provider that has not answered by then has timed out |
| ``OPENREV_RETRY_BASE_SECONDS``  | ``10``: first automatic resend of a FLOW_ERROR order after this long, doubling per attempt |
| ``OPENREV_RETRY_MAX_SECONDS``   | ``600``: the longest wait between automatic resends |
| ``OPENREV_CALL_THREADS``        | ``2``: operations run at once per server process (openrev.wire.lanes) |
| ``OPENREV_SQLITE_SYNCHRONOUS``  | ``FULL``: a SQLite commit is on disk before it is answered; ``NORMAL``: synced at checkpoints (never corrupt, but an OS crash or power loss can undo the last commits) |
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

DEFAULT_DATABASE_URL = "sqlite:///openrev.db"
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
LOG_FORMATS = ("text", "json")
SQLITE_SYNCHRONOUS = ("FULL", "NORMAL")
SQLITE_SYNCHRONOUS_VARIABLE = "OPENREV_SQLITE_SYNCHRONOUS"


def sqlite_synchronous(env: Mapping[str, str] | None = None) -> str:
    """SQLite's ``PRAGMA synchronous`` for openrev's connections, from
    ``OPENREV_SQLITE_SYNCHRONOUS`` (checked: :class:`SettingsError` naming it)."""
    return _choice(os.environ if env is None else env, SQLITE_SYNCHRONOUS_VARIABLE, "FULL",
                   SQLITE_SYNCHRONOUS, upper=True)


class SettingsError(ValueError):
    """A configuration value that cannot be used; the message names the variable."""


def check_database_url(url: str, source: str = "OPENREV_DATABASE_URL") -> str:
    """``url`` when openrev can use it (SQLite, or PostgreSQL through psycopg 3); otherwise
    :class:`SettingsError` naming ``source`` (the variable or flag it came from)."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    from .store.db import normalize_url

    hint = "use sqlite:///PATH.db or postgresql://USER:PASSWORD@HOST:5432/DB"
    try:
        parsed = make_url(normalize_url(url))
    except (ArgumentError, ValueError):
        shown = repr(url) if "@" not in url else "the value"  # may hold a password
        raise SettingsError(f"{source}: {shown} is not a database URL ({hint})") from None
    backend, driver = parsed.get_backend_name(), parsed.get_driver_name()
    if (backend, driver) not in (("sqlite", "pysqlite"), ("postgresql", "psycopg")):
        shown = parsed.render_as_string(hide_password=True)
        raise SettingsError(f"{source}: unsupported database URL {shown!r} ({hint})")
    return url


def _int(env: Mapping[str, str], name: str, default: int, low: int, high: int | None = None
         ) -> int:
    text = env.get(name, "").strip()
    if not text:
        return default
    want = f"an integer from {low} to {high}" if high is not None else f"an integer >= {low}"
    try:
        value = int(text)
    except ValueError:
        raise SettingsError(f"{name}={text!r}: must be {want}") from None
    if value < low or (high is not None and value > high):
        raise SettingsError(f"{name}={text!r}: must be {want}")
    return value


def _choice(env: Mapping[str, str], name: str, default: str, choices: tuple[str, ...],
            *, upper: bool) -> str:
    text = env.get(name, "").strip()
    if not text:
        return default
    value = text.upper() if upper else text.lower()
    if value not in choices:
        raise SettingsError(f"{name}={text!r}: must be one of {', '.join(choices)}")
    return value


def port_from_text(text: str, source: str = "OPENREV_PORT") -> int:
    """A TCP port (1-65535) given as text; :class:`SettingsError` naming ``source`` else."""
    return _int({source: text}, source, 0, 1, 65535)


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    host: str = "127.0.0.1"
    port: int = 8020
    # Sessions expire after this long unused (ASMX's default session timeout is 20 minutes).
    session_idle_minutes: int = 20
    # Largest request body accepted (a SelfCertificationPDF travels base64-encoded inside).
    max_body_bytes: int = 16 * 1024 * 1024
    log_level: str = "INFO"
    log_format: str = "text"
    # Authentication (ops/auth.py): absolute session lifetime, sessions kept per user, login
    # throttle (failures per user and per address within a window), parallel password checks.
    session_max_hours: int = 12
    sessions_per_user: int = 50
    login_max_failures: int = 10
    login_max_failures_per_address: int = 50
    login_window_seconds: int = 900
    login_concurrency: int = 2
    # Operations running at once per server process (openrev.wire.lanes)
    call_threads: int = 2
    sqlite_synchronous: str = "FULL"
    # Order flow-through (openrev.provision.worker)
    worker_lease_seconds: int = 60
    provider_timeout_seconds: int = 10
    retry_base_seconds: int = 10
    retry_max_seconds: int = 600

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: object) -> "Settings":
        """Settings from ``env`` (default: the process environment), checked; ``overrides``
        that are not None replace them (their variables are then not read)."""
        env = os.environ if env is None else env
        given = {k for k, v in overrides.items() if v is not None}
        readers = {
            "database_url": lambda: check_database_url(
                env.get("OPENREV_DATABASE_URL", "").strip() or DEFAULT_DATABASE_URL),
            "host": lambda: env.get("OPENREV_HOST", "").strip() or "127.0.0.1",
            "port": lambda: _int(env, "OPENREV_PORT", 8020, 1, 65535),
            "session_idle_minutes": lambda: _int(env, "OPENREV_SESSION_IDLE_MINUTES", 20, 1),
            "max_body_bytes": lambda: _int(env, "OPENREV_MAX_BODY_BYTES", 16 * 1024 * 1024, 1),
            "log_level": lambda: _choice(env, "OPENREV_LOG_LEVEL", "INFO", LOG_LEVELS,
                                         upper=True),
            "log_format": lambda: _choice(env, "OPENREV_LOG_FORMAT", "text", LOG_FORMATS,
                                          upper=False),
            "session_max_hours": lambda: _int(env, "OPENREV_SESSION_MAX_HOURS", 12, 1),
            "sessions_per_user": lambda: _int(env, "OPENREV_SESSIONS_PER_USER", 50, 1),
            "login_max_failures": lambda: _int(env, "OPENREV_LOGIN_MAX_FAILURES", 10, 1),
            "login_max_failures_per_address": lambda: _int(
                env, "OPENREV_LOGIN_MAX_FAILURES_PER_ADDRESS", 50, 1),
            "login_window_seconds": lambda: _int(env, "OPENREV_LOGIN_WINDOW_SECONDS", 900, 1),
            "login_concurrency": lambda: _int(env, "OPENREV_LOGIN_CONCURRENCY", 2, 1, 64),
            "call_threads": lambda: _int(env, "OPENREV_CALL_THREADS", 2, 1, 256),
            "sqlite_synchronous": lambda: sqlite_synchronous(env),
            "worker_lease_seconds": lambda: _int(env, "OPENREV_WORKER_LEASE_SECONDS", 60, 3),
            "provider_timeout_seconds": lambda: _int(env, "OPENREV_PROVIDER_TIMEOUT_SECONDS",
                                                     10, 1),
            "retry_base_seconds": lambda: _int(env, "OPENREV_RETRY_BASE_SECONDS", 10, 1),
            "retry_max_seconds": lambda: _int(env, "OPENREV_RETRY_MAX_SECONDS", 600, 1),
        }
        values: dict[str, object] = {k: read() for k, read in readers.items() if k not in given}
        values.update({k: overrides[k] for k in given})
        settings = cls(**values)  # type: ignore[arg-type]
        if settings.worker_lease_seconds < 3 * settings.provider_timeout_seconds:
            raise SettingsError(
                f"OPENREV_WORKER_LEASE_SECONDS={settings.worker_lease_seconds}: must be at least "
                f"3 times OPENREV_PROVIDER_TIMEOUT_SECONDS ({settings.provider_timeout_seconds})")
        return settings
