"""Personal data at rest: encrypted columns, keyed hashes for exact-match look-ups, the key
file, and key rotation.

Encrypted columns
-----------------
``customers.ssn``, ``dl``, ``dob``, ``security_pin`` and ``order_ports.pin_password`` are
:class:`Encrypted` / :class:`EncryptedDate` columns (TEXT in the database): code reads and
writes plain values (``customer.ssn = "123456789"``, ``customer.dob`` is a date), the database
only ever holds ciphertext (AES-256-GCM, see :mod:`openrev.keyring`). A comparison in SQL
against such a column never matches (every encryption is randomised): look rows up by their
keyed hash instead.

Keyed hashes
------------
Beside them, ``customers.ssn_hmac`` (HMAC-SHA256 hex of the 9 digits), ``ssn_last4_hmac``
(of the last 4 digits), ``dl_hmac`` (of the licence upper-cased, alphanumerics only) and
``dob_hmac`` (of the ISO date), each indexed with ``client_id``. They are filled whenever the
plain value is written (a mapper event on ``Customer``, :func:`fill_customer_hmacs`); look-ups
compute the same hash of the value searched for::

    select(Customer).where(Customer.client_id == cid, Customer.ssn_hmac == ssn_hmac(ssn))

(A Core ``update(Customer).values(ssn=...)`` bypasses the mapper event: set the hashes in the
same statement with these functions.)

Where the key comes from (:func:`load_keyring`)
------------------------------------------------
1. ``OPENREV_SECRET_KEY`` (urlsafe base64 of 32 bytes, or any text, stretched with HKDF),
   with ``OPENREV_SECRET_KEY_OLD`` (comma-separated) for values encrypted before a rotation;
2. else the key file named by ``OPENREV_SECRET_KEY_FILE``;
3. else, for a SQLite database file, the key file beside it (``openrev.db.key``), which
   ``openrev init`` / ``openrev demo`` create with owner-only permissions (0600);
   an in-memory SQLite database gets a key that lives as long as the process;
4. else (PostgreSQL) the server refuses to start: :class:`KeyringError` naming
   ``OPENREV_SECRET_KEY``.

A key file holds one key per line (``#`` comments allowed): the first is the current key,
the others are older keys kept for decryption.

Rotation (:func:`rotate`, ``openrev secrets rotate``): a new key becomes the current one, the
old ones are kept for decryption, and every encrypted column is re-encrypted and every keyed
hash recomputed with the new key, in one transaction.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import stat
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Dialect, Text, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.types import TypeDecorator

from openrev import keyring as _keyring
from openrev.keyring import (
    ENV_KEY,
    ENV_KEY_FILE,
    ENV_OLD_KEYS,
    Keyring,
    KeyringError,
    configure,
    keyring_from_environment,
    new_key,
)

__all__ = [
    "Encrypted", "EncryptedDate", "Keyring", "KeyringError", "load_keyring", "use_keyring",
    "key_file_path", "ssn_hmac", "ssn_last4_hmac", "dl_hmac", "dob_hmac", "rotate",
    "customer_key_columns", "match_key_columns", "MATCH_KEY_COLUMNS",
]

KEY_FILE_SUFFIX = ".key"

# --------------------------------------------------------------------------- loading the key


def key_file_path(database_url: str | URL) -> Path | None:
    """The default key file of ``database_url``: ``<database file>.key`` for a SQLite file,
    None for an in-memory SQLite database or another backend."""
    url = make_url(_normalize(database_url))
    if url.get_backend_name() != "sqlite":
        return None
    database = url.database or ""
    if database in ("", ":memory:") or database.startswith("file:") \
            or url.query.get("mode") == "memory":
        return None
    return Path(database + KEY_FILE_SUFFIX)


def _normalize(database_url: str | URL) -> str | URL:
    if isinstance(database_url, URL):
        return database_url
    from .db import normalize_url

    return normalize_url(database_url)


_ephemeral: Keyring | None = None


def _ephemeral_keyring() -> Keyring:
    """The key of in-memory SQLite databases: random, the same for the whole process."""
    global _ephemeral
    if _ephemeral is None:
        _ephemeral = Keyring.from_texts([new_key()], "ephemeral (in-memory database)")
    return _ephemeral


def read_key_file(path: Path) -> Keyring:
    """The keyring of the key file ``path`` (first line: current key; others: old keys)."""
    try:
        mode = path.stat().st_mode
        content = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise KeyringError(f"the key file {path} does not exist (`openrev init` creates it "
                           f"beside a SQLite database; or set {ENV_KEY})") from None
    except OSError as exc:
        raise KeyringError(f"the key file {path} cannot be read: {exc.strerror}") from None
    if os.name == "posix" and mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise KeyringError(f"the key file {path} is readable by others (mode "
                           f"{stat.S_IMODE(mode):04o}): run chmod 600 {path}")
    keys = [line.strip() for line in content.splitlines()
            if line.strip() and not line.lstrip().startswith("#")]
    if not keys:
        raise KeyringError(f"the key file {path} holds no key")
    return Keyring.from_texts(keys, str(path), key_file=str(path))


_KEY_FILE_HEADER = ("# openrev secret key file: keep it private and back it up with the "
                    "database.\n# First line: the current key; others: older keys, kept to "
                    "decrypt values written before a rotation.\n")


def write_key_file(path: Path, keys: list[str], *, exclusive: bool = False) -> None:
    """Write ``keys`` (current first) to ``path`` with mode 0600, atomically (a temporary
    file in the same directory, then a rename). ``exclusive``: fail if it exists."""
    content = _KEY_FILE_HEADER + "".join(k + "\n" for k in keys)
    if exclusive:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(content)
            f.flush()
            os.fsync(f.fileno())
        return
    fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(content)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def ensure_key_file(database_url: str | URL, environ: Mapping[str, str] | None = None
                    ) -> Path | None:
    """Create the key file of a SQLite ``database_url`` (0600, a new random key) unless a
    key is given otherwise (``OPENREV_SECRET_KEY``, ``OPENREV_SECRET_KEY_FILE``) or it
    exists. Returns the path created, or None."""
    env = os.environ if environ is None else environ
    if env.get(ENV_KEY, "").strip() or env.get(ENV_KEY_FILE, "").strip():
        return None
    path = key_file_path(database_url)
    if path is None or path.exists():
        return None
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        write_key_file(path, [new_key()], exclusive=True)
    except FileExistsError:  # created meanwhile by another process
        return None
    return path


def load_keyring(database_url: str | URL, *, create: bool = False,
                 environ: Mapping[str, str] | None = None) -> Keyring:
    """The keyring for ``database_url`` (see the module docstring for the order).

    ``create``: create the SQLite key file when it is missing (``openrev init``/``demo``,
    the migrations); the server does not, so that it never starts on a new key by mistake.
    """
    env = os.environ if environ is None else environ
    from_env = keyring_from_environment(env)
    if from_env is not None:
        return from_env
    file_name = env.get(ENV_KEY_FILE, "").strip()
    if file_name:
        return read_key_file(Path(file_name))
    url = make_url(_normalize(database_url))
    if url.get_backend_name() != "sqlite":
        raise KeyringError(f"no secret key for the {url.get_backend_name()} database: set "
                           f"{ENV_KEY} (e.g. to the output of `openrev secrets new-key`) or "
                           f"{ENV_KEY_FILE}")
    path = key_file_path(url)
    if path is None:
        return _ephemeral_keyring()
    if create:
        ensure_key_file(url, env)
    return read_key_file(path)


def use_keyring(database_url: str | URL, *, create: bool = False) -> Keyring:
    """:func:`load_keyring` and make it the process's keyring (:func:`openrev.keyring.configure`)."""
    found = load_keyring(database_url, create=create)
    configure(found)
    return found


# --------------------------------------------------------------------------- column types


class Encrypted(TypeDecorator[str]):
    """Text kept encrypted with the process's keyring; ``context`` names the column
    (``customers.ssn``) and is bound to the ciphertext."""

    impl = Text
    cache_ok = True

    def __init__(self, context: str) -> None:
        super().__init__()
        self.context = context

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        if value is None:
            return None
        return _keyring.current().encrypt(self._to_text(value), self.context)

    def process_result_value(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        return self._from_text(_keyring.current().decrypt(value, self.context))

    def _to_text(self, value: Any) -> str:
        if not isinstance(value, str):
            raise TypeError(f"{self.context}: a str is expected, not {type(value).__name__}")
        return value

    def _from_text(self, value: str) -> Any:
        return value


class EncryptedDate(Encrypted):
    """A date kept encrypted (its ISO form); read back as a :class:`datetime.date`."""

    cache_ok = True

    def _to_text(self, value: Any) -> str:
        if isinstance(value, dt.datetime):
            value = value.date()
        if not isinstance(value, dt.date):
            raise TypeError(f"{self.context}: a date is expected, not {type(value).__name__}")
        return value.isoformat()

    def _from_text(self, value: str) -> dt.date:
        return dt.date.fromisoformat(value)


# --------------------------------------------------------------------------- keyed hashes


def _ssn_digits(ssn: str | None) -> str:
    return re.sub(r"\D", "", ssn or "")


def ssn_hmac(ssn: str | None, keyring: Keyring | None = None) -> str | None:
    """The keyed hash of an SSN (its digits), None for no SSN."""
    digits = _ssn_digits(ssn)
    return (keyring or _keyring.current()).hmac_hex("ssn", digits) if digits else None


def ssn_last4_hmac(ssn_or_last4: str | None, keyring: Keyring | None = None) -> str | None:
    """The keyed hash of the last 4 digits of an SSN (or of 4 digits given as such)."""
    digits = _ssn_digits(ssn_or_last4)
    if len(digits) < 4:
        return None
    return (keyring or _keyring.current()).hmac_hex("ssn-last4", digits[-4:])


def normalize_dl(dl: str | None) -> str:
    """A driver's licence number as it is hashed: upper-case, letters and digits only."""
    return "".join(ch for ch in (dl or "").upper() if ch.isalnum())


def dl_hmac(dl: str | None, keyring: Keyring | None = None) -> str | None:
    """The keyed hash of a driver's licence number (normalised, :func:`normalize_dl`)."""
    value = normalize_dl(dl)
    return (keyring or _keyring.current()).hmac_hex("dl", value) if value else None


def dob_hmac(dob: dt.date | str | None, keyring: Keyring | None = None) -> str | None:
    """The keyed hash of a date of birth (its ISO date, ``1980-05-15``)."""
    if dob is None or dob == "":
        return None
    if isinstance(dob, dt.datetime):
        dob = dob.date()
    iso = dob.isoformat() if isinstance(dob, dt.date) else dt.date.fromisoformat(dob).isoformat()
    return (keyring or _keyring.current()).hmac_hex("dob", iso)


CUSTOMER_HMACS: tuple[tuple[str, str, Callable[..., str | None]], ...] = (
    ("ssn_hmac", "ssn", ssn_hmac),
    ("ssn_last4_hmac", "ssn", ssn_last4_hmac),
    ("dl_hmac", "dl", dl_hmac),
    ("dob_hmac", "dob", dob_hmac),
)
"""(hash column, plain column, function) of the keyed hashes of ``customers``."""


def fill_customer_hmacs(customer: Any, *, inserting: bool) -> None:
    """Set the keyed hashes of ``customer`` from its plain values: all of them on insert, and
    on update those whose plain value (or the hash itself) was changed."""
    from sqlalchemy import inspect

    state = inspect(customer)
    for hash_attr, plain_attr, fn in CUSTOMER_HMACS:
        if not inserting and not (state.attrs[plain_attr].history.has_changes()
                                  or state.attrs[hash_attr].history.has_changes()):
            continue
        setattr(customer, hash_attr, fn(getattr(customer, plain_attr)))


# --------------------------------------------------------------------------- match keys

MATCH_KEY_COLUMNS = ("first_name_key", "last_name_key", "middle_name_key", "suffix_key",
                     "street_key", "unit_key", "city_key", "state_key", "zip5",
                     "match_keys_version")
"""The columns of ``customers`` holding Duplicate_Query's normalised keys (not secret)."""


def match_key_columns(first_name: str | None = None, last_name: str | None = None,
                      street1: str | None = None, street2: str | None = None,
                      city: str | None = None, state: str | None = None,
                      zip: str | None = None, *,  # noqa: A002 - the field's name
                      middle_name: str | None = None, suffix: str | None = None
                      ) -> dict[str, Any]:
    """Column -> value of the normalised name and location keys of a customer, from its
    *physical* address as stored (:func:`openrev.domain.matching.customer_keys`). Empty keys
    are NULL, except ``unit_key``: "" (no unit) whenever there is a street."""
    from ..domain import matching

    k = matching.customer_keys(first=first_name, last=last_name, middle=middle_name,
                               suffix=suffix, street1=street1, street2=street2, city=city,
                               state=state, zip_code=zip)
    return {
        "first_name_key": k.first_name or None, "last_name_key": k.last_name or None,
        "middle_name_key": k.middle_name or None, "suffix_key": k.suffix or None,
        "street_key": k.street or None, "unit_key": k.unit if k.street else None,
        "city_key": k.city or None, "state_key": k.state or None, "zip5": k.zip5,
        "match_keys_version": matching.KEYS_VERSION,
    }


def customer_key_columns(ssn: str | None = None, dl: str | None = None,
                         dob: dt.date | str | None = None, first_name: str | None = None,
                         last_name: str | None = None, street1: str | None = None,
                         street2: str | None = None, city: str | None = None,
                         state: str | None = None, zip: str | None = None, *,  # noqa: A002
                         middle_name: str | None = None, suffix: str | None = None,
                         keyring: Keyring | None = None) -> dict[str, Any]:
    """Every derived column of a ``customers`` row: the keyed hashes (``ssn_hmac``,
    ``ssn_last4_hmac``, ``dl_hmac``, ``dob_hmac``) and Duplicate_Query's keys
    (:func:`match_key_columns`), from the plain SSN, DL, DOB and the physical address's
    name and location. For Core inserts (a bulk load, a sign-up): the ORM computes the
    same values on every flush. ``keyring``: default the process's current one."""
    out: dict[str, Any] = {
        "ssn_hmac": ssn_hmac(ssn, keyring), "ssn_last4_hmac": ssn_last4_hmac(ssn, keyring),
        "dl_hmac": dl_hmac(dl, keyring), "dob_hmac": dob_hmac(dob, keyring)}
    out.update(match_key_columns(first_name, last_name, street1, street2, city, state, zip,
                                 middle_name=middle_name, suffix=suffix))
    return out


def address_match_key_columns(address: Any) -> dict[str, Any]:
    """:func:`match_key_columns` of an ``Address`` row (or None: no physical address)."""
    if address is None:
        return match_key_columns()
    return match_key_columns(address.first_name, address.last_name, address.address1,
                             address.address2, address.city, address.state, address.zip,
                             middle_name=address.middle_name, suffix=address.suffix)


def match_keys_stale(customer: Any) -> bool:
    """Whether a stored customer's match keys may not be those of its physical address: it
    was given another physical address, or its keys are of another version."""
    from sqlalchemy import inspect

    from ..domain import matching

    attrs = inspect(customer).attrs
    return (attrs.physical_address.history.has_changes()
            or attrs.physical_address_id.history.has_changes()
            or customer.match_keys_version != matching.KEYS_VERSION)


def fill_customer_match_keys(customer: Any) -> None:
    """Set the match keys of ``customer`` from its current physical address (only the
    columns whose value changes are set)."""
    for col, value in address_match_key_columns(customer.physical_address).items():
        if getattr(customer, col) != value:
            setattr(customer, col, value)


# --------------------------------------------------------------------------- re-encryption


ENCRYPTED_COLUMNS: dict[str, tuple[str, ...]] = {
    "customers": ("ssn", "dl", "dob", "security_pin"),
    "order_ports": ("pin_password",),
}
"""The encrypted columns of each table (the context of a column is ``table.column``)."""

_BATCH = 500


def rewrite_personal_data(
    conn: Connection,
    read: Callable[[str, str], str],
    keyring: Keyring,
    columns: Mapping[str, tuple[str, ...]] = ENCRYPTED_COLUMNS,
    *,
    hmacs: bool = True,
) -> int:
    """Rewrite every encrypted value on ``conn``: ``read(stored, context)`` gives the
    plaintext of a stored value (identity for plaintext rows, a keyring's decrypt for a
    rotation), which is encrypted with ``keyring``'s current key; the keyed hashes of
    ``customers`` are recomputed with it (``hmacs``). Runs in the caller's transaction.
    Returns the number of rows rewritten."""
    rewritten = 0
    for table, cols in columns.items():
        with_hmacs = hmacs and table == "customers"
        out_cols = list(cols) + ([h for h, _, _ in CUSTOMER_HMACS] if with_hmacs else [])
        select_sql = text(f"SELECT id, {', '.join(cols)} FROM {table} "  # noqa: S608 - fixed names
                          f"WHERE id > :after ORDER BY id LIMIT {_BATCH}")
        update_sql = text(f"UPDATE {table} SET "  # noqa: S608 - fixed names
                          + ", ".join(f"{c} = :{c}" for c in out_cols) + " WHERE id = :id")
        after = 0
        while True:
            rows = conn.execute(select_sql, {"after": after}).all()
            if not rows:
                break
            updates = []
            for row in rows:
                after = row[0]
                plain = {c: None if v is None else read(str(v), f"{table}.{c}")
                         for c, v in zip(cols, row[1:])}
                if all(v is None for v in plain.values()) and not with_hmacs:
                    continue
                values: dict[str, Any] = {
                    c: None if v is None else keyring.encrypt(v, f"{table}.{c}")
                    for c, v in plain.items()}
                if with_hmacs:
                    for hash_col, plain_col, fn in CUSTOMER_HMACS:
                        values[hash_col] = fn(plain.get(plain_col), keyring)
                values["id"] = row[0]
                updates.append(values)
            if updates:
                conn.execute(update_sql, updates)
                rewritten += len(updates)
    return rewritten


def decrypt_personal_data(conn: Connection, keyring: Keyring,
                          columns: Mapping[str, tuple[str, ...]] = ENCRYPTED_COLUMNS) -> int:
    """Put the plaintext back in every encrypted column (migration 0004's downgrade)."""
    rewritten = 0
    for table, cols in columns.items():
        rows = conn.execute(text(f"SELECT id, {', '.join(cols)} FROM {table}")).all()  # noqa: S608
        updates = [
            {"id": row[0], **{c: None if v is None else keyring.decrypt(str(v), f"{table}.{c}")
                              for c, v in zip(cols, row[1:])}}
            for row in rows]
        if updates:
            conn.execute(text(f"UPDATE {table} SET "  # noqa: S608
                              + ", ".join(f"{c} = :{c}" for c in cols) + " WHERE id = :id"),
                         updates)
            rewritten += len(updates)
    return rewritten


# --------------------------------------------------------------------------- rotation


@dataclass
class Rotation:
    """What :func:`rotate` did."""

    new_key: str
    """The new current key (to set as ``OPENREV_SECRET_KEY`` when the key came from it)."""
    old_keys: list[str]
    """The keys kept for decryption (``OPENREV_SECRET_KEY_OLD``), newest first."""
    key_file: str | None
    """The key file rewritten (None: the key came from the environment)."""
    rows: int
    """Rows re-encrypted."""
    new_key_id: str


def _key_text(raw: bytes) -> str:
    import base64

    return base64.urlsafe_b64encode(raw).decode("ascii")


def rotate(database_url: str, *, drop_old: bool = False,
           environ: Mapping[str, str] | None = None) -> Rotation:
    """Make a new key the current one and re-encrypt everything with it, in one transaction.

    The current keyring (with its old keys) decrypts. The new keyring is the new key followed
    by the previous keys (none with ``drop_old``: only the new key is then kept; an
    ImpersonationKey hashed under an older key must be set again). A key file is rewritten
    before the transaction (with the previous keys kept, so that every value stays readable
    whatever happens) and put back if the transaction fails. When the key came from
    ``OPENREV_SECRET_KEY``, nothing is written: the caller shows the new values to set.
    """
    from .db import make_engine

    old = load_keyring(database_url, environ=environ)
    key = new_key()
    previous = [_key_text(k) for k in old.keys]
    new = Keyring.from_texts([key, *previous], old.source, old.key_file)
    final = [] if drop_old else previous
    path = Path(old.key_file) if old.key_file else None
    backup = path.read_text(encoding="utf-8") if path else None
    if path is not None:
        write_key_file(path, [key, *previous])
    engine = make_engine(database_url)
    try:
        with engine.begin() as conn:
            if conn.dialect.name == "sqlite":  # zero the old ciphertexts' space in the file
                conn.exec_driver_sql("PRAGMA secure_delete=ON")
            rows = rewrite_personal_data(conn, old.decrypt, new)
    except BaseException:
        if path is not None and backup is not None:
            _restore(path, backup)
        raise
    finally:
        engine.dispose()
    if path is not None and drop_old:
        write_key_file(path, [key])
    return Rotation(new_key=key, old_keys=final, key_file=old.key_file, rows=rows,
                    new_key_id=new.current_id)


def _restore(path: Path, content: str) -> None:
    fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    os.fchmod(fd, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(content)
    os.replace(tmp, path)


__all__ += ["ENV_OLD_KEYS", "ENV_KEY_FILE", "ENV_KEY", "Rotation", "ensure_key_file",
            "read_key_file", "write_key_file", "rewrite_personal_data",
            "decrypt_personal_data", "fill_customer_hmacs"]
