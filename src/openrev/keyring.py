"""The server's secret keys: one keyring, read by the store (personal data encrypted at rest)
and by the domain (keyed hashes of ImpersonationKeys), with no dependency on either.

A *key* is 32 random bytes, written as urlsafe base64 (44 characters, see :func:`new_key`).
Nothing uses a key directly: every use gets its own subkey, derived with HKDF-SHA256 and a
purpose label (``derive(b"aes-gcm")``, ``derive(b"hmac/ssn")``, ...), so that the encryption
key and the look-up (HMAC) keys are independent. A key given as any other text (a passphrase)
is first stretched to 32 bytes with HKDF (:func:`parse_key`).

A :class:`Keyring` holds the *current* key (it encrypts, and keys every HMAC) and, after a
rotation, older keys that only decrypt. Every ciphertext names the key that made it::

    e1:<key id, 8 hex>:<urlsafe base64 of nonce (12 bytes) + AES-256-GCM ciphertext and tag>

The associated data of AES-GCM is the column (``customers.ssn``): a ciphertext copied into
another column does not decrypt.

The process has one active keyring: :func:`configure` sets it at startup (the server's
``create_app``, the ``openrev`` commands, through
:func:`openrev.store.crypto.use_keyring`); :func:`current` returns it. Until one is
configured, :func:`current` builds one from ``OPENREV_SECRET_KEY`` (and
``OPENREV_SECRET_KEY_OLD``), or fails with :class:`KeyringError`.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import re
import threading
from collections.abc import Mapping, Sequence

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

ENV_KEY = "OPENREV_SECRET_KEY"
ENV_OLD_KEYS = "OPENREV_SECRET_KEY_OLD"
ENV_KEY_FILE = "OPENREV_SECRET_KEY_FILE"

TOKEN_PREFIX = "e1:"
_KEY_TEXT = re.compile(r"[A-Za-z0-9_-]{43}=?")
_NONCE_BYTES = 12


class KeyringError(RuntimeError):
    """No usable key, or a value that cannot be decrypted; the message is one line."""


def new_key() -> str:
    """A new random key, as text (urlsafe base64 of 32 bytes)."""
    return base64.urlsafe_b64encode(os.urandom(32)).decode("ascii")


def parse_key(text: str) -> bytes:
    """The 32 key bytes of ``text``: urlsafe base64 of 32 bytes as such; any other non-empty
    text (a passphrase) stretched with HKDF-SHA256."""
    text = text.strip()
    if not text:
        raise KeyringError(f"{ENV_KEY}: an empty key cannot be used")
    if _KEY_TEXT.fullmatch(text):
        try:
            raw = base64.urlsafe_b64decode(text if text.endswith("=") else text + "=")
        except (binascii.Error, ValueError):
            raw = b""
        if len(raw) == 32:
            return raw
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=b"openrev/passphrase",
                info=b"openrev/secret-key/v1").derive(text.encode("utf-8"))


def _hkdf(master: bytes, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                info=b"openrev/v1/" + purpose).derive(master)


class _Key:
    __slots__ = ("master", "id", "aead", "_derived")

    def __init__(self, master: bytes) -> None:
        self.master = master
        self.id = _hkdf(master, b"key-id")[:4].hex()
        self.aead = AESGCM(_hkdf(master, b"aes-256-gcm"))
        self._derived: dict[bytes, bytes] = {}

    def derive(self, purpose: bytes) -> bytes:
        found = self._derived.get(purpose)
        if found is None:
            found = self._derived[purpose] = _hkdf(self.master, purpose)
        return found


class Keyring:
    """The current key and older keys (decryption only), current first.

    ``source`` says where the keys came from (for messages: ``OPENREV_SECRET_KEY``, a key
    file's path, ``ephemeral``); ``key_file`` is the file they were read from, if any.
    """

    def __init__(self, keys: Sequence[bytes], source: str, key_file: str | None = None) -> None:
        if not keys:
            raise KeyringError("a keyring needs at least one key")
        unique: dict[bytes, None] = dict.fromkeys(keys)
        self._keys = [_Key(k) for k in unique]
        self._by_id = {k.id: k for k in reversed(self._keys)}
        self.source = source
        self.key_file = key_file

    @classmethod
    def from_texts(cls, texts: Sequence[str], source: str, key_file: str | None = None
                   ) -> Keyring:
        return cls([parse_key(t) for t in texts], source, key_file)

    @property
    def keys(self) -> list[bytes]:
        """The key bytes, current first."""
        return [k.master for k in self._keys]

    @property
    def key_ids(self) -> list[str]:
        return [k.id for k in self._keys]

    @property
    def current_id(self) -> str:
        return self._keys[0].id

    def derive(self, purpose: bytes) -> bytes:
        """A 32-byte subkey of the current key for ``purpose``."""
        return self._keys[0].derive(purpose)

    def derive_all(self, purpose: bytes) -> list[bytes]:
        """The subkey for ``purpose`` of every key, current first (to verify old values)."""
        return [k.derive(purpose) for k in self._keys]

    # -- encryption ------------------------------------------------------------------
    def encrypt(self, plaintext: str, context: str) -> str:
        """``plaintext`` encrypted with the current key, bound to ``context`` (the column)."""
        key = self._keys[0]
        nonce = os.urandom(_NONCE_BYTES)
        sealed = key.aead.encrypt(nonce, plaintext.encode("utf-8"), _aad(context))
        body = base64.urlsafe_b64encode(nonce + sealed).decode("ascii").rstrip("=")
        return f"{TOKEN_PREFIX}{key.id}:{body}"

    def decrypt(self, token: str, context: str) -> str:
        """The plaintext of ``token``, with whichever key of the keyring made it."""
        if not token.startswith(TOKEN_PREFIX) or token.count(":") != 2:
            raise KeyringError(f"{context}: the stored value is not an openrev ciphertext")
        _, key_id, body = token.split(":")
        key = self._by_id.get(key_id)
        if key is None:
            raise KeyringError(
                f"{context}: the stored value was encrypted with key {key_id}, which is not in "
                f"the keyring ({self.source}: keys {', '.join(self.key_ids)}); give the old key "
                f"in {ENV_OLD_KEYS} or keep it in the key file")
        try:
            raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
            plain = key.aead.decrypt(raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], _aad(context))
        except (InvalidTag, binascii.Error, ValueError):
            raise KeyringError(f"{context}: the stored value does not decrypt with key "
                               f"{key_id} (altered, or copied from another column)") from None
        return plain.decode("utf-8")

    # -- keyed hashes ------------------------------------------------------------------
    def hmac_hex(self, purpose: str, value: str) -> str:
        """HMAC-SHA256 hex (64 characters) of ``value`` under the current key's subkey for
        ``purpose`` (e.g. ``ssn``)."""
        return hmac.new(self.derive(b"hmac/" + purpose.encode("ascii")),
                        value.encode("utf-8"), hashlib.sha256).hexdigest()


def _aad(context: str) -> bytes:
    return b"openrev/column/" + context.encode("utf-8")


def keyring_from_environment(environ: Mapping[str, str] | None = None) -> Keyring | None:
    """The keyring of ``OPENREV_SECRET_KEY`` (current) and ``OPENREV_SECRET_KEY_OLD``
    (comma-separated older keys), or None when ``OPENREV_SECRET_KEY`` is not set."""
    env = os.environ if environ is None else environ
    value = env.get(ENV_KEY, "").strip()
    if not value:
        return None
    old = [v for v in (s.strip() for s in env.get(ENV_OLD_KEYS, "").split(",")) if v]
    return Keyring.from_texts([value, *old], ENV_KEY)


_lock = threading.Lock()
_active: Keyring | None = None


def configure(keyring: Keyring | None) -> None:
    """Make ``keyring`` the process's keyring (None: forget it)."""
    global _active
    with _lock:
        _active = keyring


def configured() -> Keyring | None:
    """The configured keyring, or None."""
    return _active


def current() -> Keyring:
    """The process's keyring: the configured one, else one from ``OPENREV_SECRET_KEY``."""
    found = _active
    if found is not None:
        return found
    from_env = keyring_from_environment()
    if from_env is None:
        raise KeyringError(
            f"no secret key is loaded: set {ENV_KEY}, or run through `openrev` (which reads "
            "the key file beside a SQLite database)")
    configure(from_env)
    return from_env
