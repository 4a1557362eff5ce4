"""Passwords and secret keys.

* A user's Password is kept as an argon2 hash (:func:`hash_password`, :func:`verify_password`).
* A SessionKey or an ImpersonationKey is a long random secret: it is kept as its SHA-256 hex
  (:func:`hash_key`), so that it can be looked up by its hash, and never stored as given.
"""

from __future__ import annotations

import hashlib

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
