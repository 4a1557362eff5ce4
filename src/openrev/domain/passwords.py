"""Passwords and secret keys.

* A user's Password is kept as an argon2 hash (:func:`hash_password`, :func:`verify_password`).
* A SessionKey is a long random secret the server made (256 bits): it is kept as its SHA-256
  hex (:func:`hash_key`), so that it can be looked up by its hash, and never stored as given.
* An ImpersonationKey is chosen by an administrator and may be guessable: it is kept as a
  keyed hash, HMAC-SHA256 under a key derived from :func:`server_secret`
  (:func:`hash_impersonation_key`), so that a copy of the database alone does not allow
  testing guesses. Values hashed under an older key of the keyring (before a key rotation)
  and values stored before keyed hashing (plain SHA-256 hex) are still accepted
  (:func:`impersonation_key_hashes`) and replaced on first use.

The server secret is a subkey of the current key of the process's keyring
(:mod:`openrev.keyring`: ``OPENREV_SECRET_KEY`` or the key file), the same secret that
encrypts personal data at rest.
"""

from __future__ import annotations

import hashlib
import hmac

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from openrev import keyring

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


_SERVER_SECRET = b"passwords/server-secret"


def server_secret() -> bytes:
    """The server's secret for keyed hashes: a subkey (HKDF) of the current key of the
    keyring (:func:`openrev.keyring.current`), independent of the encryption key.

    A key rotation makes a new one; the previous keys stay in the keyring, so that values
    hashed under them are still recognised (:func:`server_secrets`).
    """
    return keyring.current().derive(_SERVER_SECRET)


def server_secrets() -> list[bytes]:
    """The server secret of every key of the keyring, current first."""
    return keyring.current().derive_all(_SERVER_SECRET)


def _subkey(purpose: bytes, secret: bytes | None = None) -> bytes:
    """A key for one purpose, derived from the server secret (one secret, many uses)."""
    return hmac.new(secret or server_secret(), b"openrev/" + purpose, hashlib.sha256).digest()


def _impersonation_hash(key: str, secret: bytes | None = None) -> str:
    return hmac.new(_subkey(b"impersonation-key/v1", secret), key.encode("utf-8"),
                    hashlib.sha256).hexdigest()


def hash_impersonation_key(key: str) -> str:
    """The keyed hash (HMAC-SHA256 hex, 64 characters) an ImpersonationKey is stored as."""
    return _impersonation_hash(key)


def impersonation_key_hashes(key: str) -> tuple[str, ...]:
    """The stored forms that match ``key``: its keyed hash under the current key first, then
    under each older key of the keyring, then the legacy plain SHA-256 hex."""
    keyed = [_impersonation_hash(key, secret) for secret in server_secrets()]
    return (*dict.fromkeys(keyed), hash_key(key))
