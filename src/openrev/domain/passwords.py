"""Passwords and secret keys.

* A user's Password is kept as an argon2 hash (:func:`hash_password`, :func:`verify_password`).
* A SessionKey is a long random secret the server made (256 bits): it is kept as its SHA-256
  hex (:func:`hash_key`), so that it can be looked up by its hash, and never stored as given.
* An ImpersonationKey is chosen by an administrator and may be guessable: it is kept as a
  keyed hash, HMAC-SHA256 under a key derived from :func:`server_secret`
  (:func:`hash_impersonation_key`), so that a copy of the database alone does not allow
  testing guesses. Values stored before that (plain SHA-256 hex) are still accepted
  (:func:`impersonation_key_hashes`) and replaced on first use.
"""

from __future__ import annotations

import hashlib
import hmac
import os

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()


def use_cheap_parameters_for_tests() -> None:
    """Hash with the cheapest argon2 parameters from now on. For test suites only: the server
    never calls it, so production keeps argon2-cffi's slow defaults."""
    global _hasher
    _hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


def hash_password(pw: str) -> str:
    """The argon2 hash of password ``pw`` (``$argon2id$...``), salted afresh each time."""
    return _hasher.hash(pw)


def verify_password(hash: str, pw: str) -> bool:  # noqa: A002 - the name the callers use
    """True when ``pw`` is the password ``hash`` was made from; False otherwise.

    Never raises for a wrong password or for a value that is not an argon2 hash.
    """
    if not hash or pw is None:
        return False
    try:
        return _hasher.verify(hash, pw)
    except (VerificationError, InvalidHashError):
        return False


def password_needs_rehash(hash: str) -> bool:  # noqa: A002
    """True when ``hash`` was made with weaker parameters than the current ones."""
    try:
        return _hasher.check_needs_rehash(hash)
    except InvalidHashError:
        return True


def hash_key(key: str) -> str:
    """The SHA-256 hex digest of a SessionKey or ImpersonationKey."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


DEVELOPMENT_SECRET = b"openrev-development-secret-not-for-production"
"""The server secret used when ``OPENREV_SECRET_KEY`` is not set."""


def server_secret() -> bytes:
    """The server's secret key: ``OPENREV_SECRET_KEY`` (UTF-8), or a fixed development value.

    TODO(key file): ``openrev init`` will create a key file with owner-only permissions and
    this will read it when the variable is unset; the fixed fallback then goes away. Changing
    the secret invalidates every stored ImpersonationKey (set them again).
    """
    value = os.environ.get("OPENREV_SECRET_KEY")
    return value.encode("utf-8") if value else DEVELOPMENT_SECRET


def _subkey(purpose: bytes) -> bytes:
    """A key for one purpose, derived from the server secret (one secret, many uses)."""
    return hmac.new(server_secret(), b"openrev/" + purpose, hashlib.sha256).digest()


def hash_impersonation_key(key: str) -> str:
    """The keyed hash (HMAC-SHA256 hex, 64 characters) an ImpersonationKey is stored as."""
    return hmac.new(_subkey(b"impersonation-key/v1"), key.encode("utf-8"),
                    hashlib.sha256).hexdigest()


def impersonation_key_hashes(key: str) -> tuple[str, str]:
    """The stored forms that match ``key``: (keyed hash, legacy plain SHA-256 hex)."""
    return hash_impersonation_key(key), hash_key(key)
