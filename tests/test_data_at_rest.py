"""Personal data at rest (issue 7): SSN, DL, DOB, SecurityPIN and the port PINPassword are
ciphertext in the database, keyed hashes (HMAC) beside them, the key from
OPENREV_SECRET_KEY or a key file, rotation, and migration 0004 of plaintext rows.

The values are sent over the wire (JSON, SOAP 1.1, SOAP 1.2), then looked for in the raw
column values (plain SQL, both backends) and in the bytes of the SQLite database files.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import os
import secrets
import stat
from collections.abc import Iterator
from typing import Any

import pytest
from alembic import command
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import MetaData, Table, select, text

from helpers import CLERK, DEMO, binding_call, ok
from openrev import keyring
from openrev.cli import main
from openrev.domain.passwords import hash_impersonation_key, impersonation_key_hashes
from openrev.settings import Settings
from openrev.store import crypto
from openrev.store.db import make_engine, make_sessionmaker
from openrev.store.demo import load_demo
from openrev.store.migrate import alembic_config, current_revision, head_revision, upgrade
from openrev.store.tables import Customer, OrderPort
from openrev.store.testing import fresh_database, sqlite_file_bytes

PG_URL = os.environ.get("OPENREV_TEST_POSTGRES_URL")
TEST_KEY = os.environ["OPENREV_SECRET_KEY"]  # set by conftest


# ------------------------------------------------------------------------------ helpers


def expected_hmac(purpose: str, value: str, key_text: str = TEST_KEY) -> str:
    """The documented scheme, computed independently: HMAC-SHA256 under the HKDF-SHA256
    subkey ``openrev/v1/hmac/<purpose>`` of the 32-byte key."""
    master = base64.urlsafe_b64decode(key_text)
    assert len(master) == 32
    sub = HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
               info=b"openrev/v1/hmac/" + purpose.encode()).derive(master)
    return hmac.new(sub, value.encode(), hashlib.sha256).hexdigest()


def key_id(key_text: str) -> str:
    master = base64.urlsafe_b64decode(key_text)
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                info=b"openrev/v1/key-id").derive(master)[:4].hex()


def raw_customer(url: str, customer_id: int) -> dict[str, Any]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            row = conn.execute(text(
                "SELECT ssn, dl, dob, security_pin, ssn_hmac, ssn_last4_hmac, dl_hmac, "
                "dob_hmac FROM customers WHERE id = :id"), {"id": customer_id}).mappings().one()
            return dict(row)
    finally:
        engine.dispose()


def raw_pin_passwords(url: str) -> list[str | None]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return list(conn.execute(text("SELECT pin_password FROM order_ports ORDER BY id"))
                        .scalars())
    finally:
        engine.dispose()


def unique_tn() -> str:
    return "7" + "".join(str(secrets.randbelow(10)) for _ in range(9))


def personal() -> dict[str, str]:
    """Values unlikely to appear anywhere else in a database file."""
    ssn = "".join(str(secrets.randbelow(10)) for _ in range(9))
    return {
        "SSN": f"{ssn[:3]}-{ssn[3:5]}-{ssn[5:]}",
        "ssn_digits": ssn,
        "DL": f"q{secrets.randbelow(10**11):011d}-x",
        "DOB": dt.date(1931, 1, 1).replace(year=1931 + secrets.randbelow(40),
                                           month=1 + secrets.randbelow(12),
                                           day=1 + secrets.randbelow(28)).isoformat(),
        "SecurityPIN": f"{secrets.randbelow(10**4):04d}",
        "PINPassword": f"PortPw-{secrets.token_hex(6)}",
    }


ADDRESS = {"FirstName": "Rest", "LastName": "Atrest", "Address1": "1 Main St",
           "City": "Pensacola", "State": "FL", "Zip": "32502"}


def create_customer(call: Any, p: dict[str, str]) -> int:
    out = ok(call("NewCustomers_Create", {
        "Credentials": DEMO,
        "Customer": {"PhysicalAddress": ADDRESS, "MailingAddress": ADDRESS, "SSN": p["SSN"],
                     "DL": p["DL"], "DOB": p["DOB"], "SecurityPIN": p["SecurityPIN"]},
        "Order": {"PackageID": 1001, "WirelessPort": {
            "MDN": unique_tn(), "AccountNumber": "ACC-9", "AuthorizedSigner": "Rest Atrest",
            "PINPassword": p["PINPassword"], "Address": ADDRESS}},
    }))
    return int(out["Customer_ID"])


@pytest.fixture
def own_keyring() -> Iterator[None]:
    """Tests that configure other keys give the process its keyring back afterwards."""
    before = keyring.configured()
    try:
        yield
    finally:
        keyring.configure(before)


@pytest.fixture
def server_url(database_url: str) -> str:
    """What to give fresh_database for the backend this run is on."""
    return "sqlite://" if database_url.startswith("sqlite") else PG_URL  # type: ignore[return-value]


# ------------------------------------------------------------------------------ at rest


def test_personal_data_sent_over_the_wire_is_only_ciphertext_in_the_database(
        call, client, database_url):
    p = personal()
    customer_id = create_customer(call, p)
    row = raw_customer(database_url, customer_id)
    plaintexts = [p["SSN"], p["ssn_digits"], p["ssn_digits"][-4:], p["DL"], p["DL"].upper(),
                  p["DOB"], p["SecurityPIN"], p["PINPassword"]]
    for column in ("ssn", "dl", "dob", "security_pin"):
        value = row[column]
        assert isinstance(value, str) and value.startswith(f"e1:{key_id(TEST_KEY)}:"), value
        for plain in plaintexts:
            assert plain not in value, (column, plain)
    pins = raw_pin_passwords(database_url)
    assert all(p["PINPassword"] not in (v or "") for v in pins)
    assert sum(1 for v in pins if v and v.startswith("e1:")) >= 1
    # the keyed hashes, as documented
    assert row["ssn_hmac"] == expected_hmac("ssn", p["ssn_digits"])
    assert row["ssn_last4_hmac"] == expected_hmac("ssn-last4", p["ssn_digits"][-4:])
    assert row["dl_hmac"] == expected_hmac("dl", p["DL"].upper().replace("-", ""))
    assert row["dob_hmac"] == expected_hmac("dob", p["DOB"])
    # Customers_Query still reads them back; VIEW_SSN rules unchanged
    got = ok(call("Customers_Query", {"Credentials": DEMO, "CustomerID": customer_id}))[
        "Customer"]
    assert (got["SSN"], got["DL"], got["DOB"], got["SecurityPIN"]) == (
        p["ssn_digits"], p["DL"], p["DOB"], p["SecurityPIN"])
    clerk = ok(call("Customers_Query", {"Credentials": CLERK, "CustomerID": customer_id}))[
        "Customer"]
    assert clerk["SSN"] == "*****" + p["ssn_digits"][-4:]
    if database_url.startswith("sqlite"):
        data = sqlite_file_bytes(database_url)
        # a 4-digit PIN or last 4 would match unrelated bytes: the longer values only
        for plain in (p["SSN"], p["ssn_digits"], p["DL"], p["DOB"], p["PINPassword"]):
            assert plain.encode() not in data, plain


def test_the_demo_customer_is_encrypted_too(client, database_url):
    row = raw_customer(database_url, 1)
    assert all(row[c].startswith("e1:") for c in ("ssn", "dl", "dob", "security_pin"))
    assert row["ssn_hmac"] == expected_hmac("ssn", "123456789")
    assert row["dl_hmac"] == expected_hmac("dl", "S530123801550")
    assert row["dob_hmac"] == expected_hmac("dob", "1980-05-15")
    got = ok(binding_call(client, "json")("Customers_Query", {"Credentials": DEMO,
                                                              "CustomerID": 1}))["Customer"]
    assert (got["SSN"], got["DL"], got["DOB"], got["SecurityPIN"]) == (
        "123456789", "S530123801550", "1980-05-15", "1234")
    if database_url.startswith("sqlite"):
        data = sqlite_file_bytes(database_url)
        for plain in (b"123456789", b"S530123801550", b"1980-05-15"):
            assert plain not in data


def test_the_keyed_hashes_find_a_customer(client, app, database_url):
    p = personal()
    customer_id = create_customer(binding_call(client, "json"), p)
    with make_sessionmaker(app.state.engine)() as db:
        for column, value in ((Customer.ssn_hmac, crypto.ssn_hmac(p["SSN"])),
                              (Customer.ssn_last4_hmac, crypto.ssn_last4_hmac(p["ssn_digits"])),
                              (Customer.dl_hmac, crypto.dl_hmac(p["DL"].lower())),
                              (Customer.dob_hmac, crypto.dob_hmac(dt.date.fromisoformat(
                                  p["DOB"])))):
            found = db.scalars(select(Customer.id).where(Customer.client_id == 1,
                                                         column == value)).all()
            assert customer_id in found, column
        # a comparison with the plain value never matches (randomised encryption)
        assert db.scalars(select(Customer.id).where(Customer.ssn == p["ssn_digits"])).all() \
            == []


def test_changing_a_value_recomputes_its_hash(client, app):
    p = personal()
    customer_id = create_customer(binding_call(client, "json"), p)
    with make_sessionmaker(app.state.engine).begin() as db:
        c = db.get(Customer, customer_id)
        c.ssn, c.dl, c.dob = "987654321", None, dt.date(1944, 4, 4)
    with make_sessionmaker(app.state.engine)() as db:
        c = db.get(Customer, customer_id)
        assert (c.ssn_hmac, c.ssn_last4_hmac, c.dl_hmac, c.dob_hmac) == (
            expected_hmac("ssn", "987654321"), expected_hmac("ssn-last4", "4321"), None,
            expected_hmac("dob", "1944-04-04"))
        # a hash set by hand (e.g. reset to NULL) is recomputed from the value on flush
        c.ssn_hmac = None
        db.commit()
        db.expire_all()
        assert db.get(Customer, customer_id).ssn_hmac == expected_hmac("ssn", "987654321")


def test_maximum_lengths_still_bound_the_plaintext(call):
    out = call("NewCustomers_Create", {
        "Credentials": DEMO,
        "Customer": {"PhysicalAddress": ADDRESS, "MailingAddress": ADDRESS, "DL": "D" * 51},
        "Order": {"PackageID": 1001, "WirelessPort": {"MDN": unique_tn(), "Address": ADDRESS,
                                                      "PINPassword": "p" * 101}}})
    h = out["Header"]
    assert (h["Success"], h["Error_Code"]) == (False, "S2010"), h
    assert "Customer/DL: at most 50 characters" in h["Message"]
    assert "Order/WirelessPort/PINPassword: at most 100 characters" in h["Message"]


def test_a_ciphertext_moved_to_another_column_or_altered_does_not_decrypt():
    ring = keyring.Keyring.from_texts([TEST_KEY], "test")
    token = ring.encrypt("123456789", "customers.ssn")
    assert ring.decrypt(token, "customers.ssn") == "123456789"
    with pytest.raises(keyring.KeyringError, match="customers.dl: the stored value does not "
                                                   "decrypt"):
        ring.decrypt(token, "customers.dl")
    altered = token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1]
    with pytest.raises(keyring.KeyringError):
        ring.decrypt(altered, "customers.ssn")
    assert ring.encrypt("123456789", "customers.ssn") != token  # randomised


def test_a_passphrase_key_is_stretched_and_works():
    ring = keyring.Keyring.from_texts(["correct horse battery staple"], "test")
    assert len(ring.keys[0]) == 32
    assert ring.decrypt(ring.encrypt("x", "c"), "c") == "x"
    with pytest.raises(keyring.KeyringError, match="empty key"):
        keyring.Keyring.from_texts(["  "], "test")


# ------------------------------------------------------------------------------ rotation


def _add_customer(url: str) -> int:
    with make_sessionmaker(make_engine(url)).begin() as db:
        c = Customer(client_id=1, ssn="555443333", dl="ROT-123", dob=dt.date(1960, 6, 6),
                     security_pin="8642")
        db.add(c)
        db.flush()
        return c.id


def _read(url: str, customer_id: int) -> tuple[Any, ...]:
    engine = make_engine(url)
    try:
        with make_sessionmaker(engine)() as db:
            c = db.get(Customer, customer_id)
            pins = sorted(p or "" for p in db.scalars(select(OrderPort.pin_password)))
            return c.ssn, c.dl, c.dob, c.security_pin, tuple(pins)
    finally:
        engine.dispose()


def test_rotation_with_the_key_in_the_environment(server_url, own_keyring, monkeypatch):
    with fresh_database(server_url) as url:
        upgrade(url)
        keyring.configure(crypto.load_keyring(url))
        with make_sessionmaker(make_engine(url)).begin() as db:
            load_demo(db)
        customer_id = _add_customer(url)
        before_rows = raw_customer(url, customer_id), raw_customer(url, 1)
        before = _read(url, customer_id)
        assert before[:4] == ("555443333", "ROT-123", dt.date(1960, 6, 6), "8642")

        done = crypto.rotate(url)
        assert done.key_file is None and done.old_keys == [TEST_KEY]
        assert done.rows >= 3  # two demo customers, this one, and the ports
        assert done.new_key_id == key_id(done.new_key) != key_id(TEST_KEY)
        after_rows = raw_customer(url, customer_id), raw_customer(url, 1)
        for old, new in zip(before_rows, after_rows):
            for column in ("ssn", "dl", "dob", "security_pin"):
                assert new[column] != old[column]
                assert new[column].startswith(f"e1:{done.new_key_id}:")
            for column in ("ssn_hmac", "ssn_last4_hmac", "dl_hmac", "dob_hmac"):
                assert new[column] != old[column]
        assert after_rows[0]["ssn_hmac"] == expected_hmac("ssn", "555443333", done.new_key)
        assert after_rows[0]["dl_hmac"] == expected_hmac("dl", "ROT123", done.new_key)

        # the old key is no longer needed: the new key alone reads everything
        keyring.configure(keyring.Keyring.from_texts([done.new_key], "test"))
        assert _read(url, customer_id) == before
        # and the old key alone no longer reads it
        keyring.configure(keyring.Keyring.from_texts([TEST_KEY], "test"))
        with pytest.raises(keyring.KeyringError, match="not in the keyring"):
            _read(url, customer_id)

        # what the command tells to set works as the environment
        monkeypatch.setenv("OPENREV_SECRET_KEY", done.new_key)
        monkeypatch.setenv("OPENREV_SECRET_KEY_OLD", ",".join(done.old_keys))
        ring = crypto.use_keyring(url)
        assert ring.key_ids == [done.new_key_id, key_id(TEST_KEY)]
        assert _read(url, customer_id) == before


def test_an_impersonation_key_hashed_before_a_rotation_is_still_recognised(own_keyring):
    old = keyring.Keyring.from_texts([TEST_KEY], "test")
    keyring.configure(old)
    stored = hash_impersonation_key("imp-key-1")
    new = keyring.Keyring.from_texts([keyring.new_key(), TEST_KEY], "test")
    keyring.configure(new)
    accepted = impersonation_key_hashes("imp-key-1")
    assert stored in accepted and accepted[0] == hash_impersonation_key("imp-key-1") != stored
    assert accepted[-1] == hashlib.sha256(b"imp-key-1").hexdigest()  # legacy form


def test_rotation_rewrites_the_key_file(tmp_path, own_keyring, monkeypatch, capsys):
    monkeypatch.delenv("OPENREV_SECRET_KEY")
    url = f"sqlite:///{tmp_path}/rot.db"
    assert main(["demo", "--database", url]) == 0
    key_file = tmp_path / "rot.db.key"
    [first] = crypto.read_key_file(key_file).keys
    demo_before = raw_customer(url, 1)
    assert main(["secrets", "rotate", "--database", url]) == 0
    out = capsys.readouterr().out
    ring = crypto.read_key_file(key_file)
    assert len(ring.keys) == 2 and ring.keys[1] == first
    assert f"new key {ring.current_id}:" in out and f"key file {key_file} rewritten" in out
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    demo_after = raw_customer(url, 1)
    assert demo_after["ssn"] != demo_before["ssn"]
    assert demo_after["ssn"].startswith(f"e1:{ring.current_id}:")
    # the new key alone reads everything
    keyring.configure(keyring.Keyring([ring.keys[0]], "test"))
    assert _read(url, 1)[:4] == ("123456789", "S530123801550", dt.date(1980, 5, 15), "1234")
    # --drop-old keeps only the newest key
    assert main(["secrets", "rotate", "--database", url, "--drop-old"]) == 0
    assert len(crypto.read_key_file(key_file).keys) == 1
    keyring.configure(crypto.read_key_file(key_file))
    assert _read(url, 1)[0] == "123456789"


def test_rotation_with_the_key_in_the_environment_prints_what_to_set(
        tmp_path, own_keyring, capsys):
    url = f"sqlite:///{tmp_path}/env.db"
    assert main(["demo", "--database", url]) == 0
    assert not (tmp_path / "env.db.key").exists()  # the key is OPENREV_SECRET_KEY
    capsys.readouterr()
    assert main(["secrets", "rotate", "--database", url]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[1] == "the key comes from OPENREV_SECRET_KEY: set these, then restart the server"
    assert lines[2].startswith("OPENREV_SECRET_KEY=") and lines[3] == \
        f"OPENREV_SECRET_KEY_OLD={TEST_KEY}"
    new_key = lines[2].split("=", 1)[1]
    keyring.configure(keyring.Keyring.from_texts([new_key], "test"))
    assert _read(url, 1)[0] == "123456789"


# ------------------------------------------------------------------------------ key file


def test_init_creates_the_key_file_owner_only(tmp_path, own_keyring, monkeypatch, capsys):
    monkeypatch.delenv("OPENREV_SECRET_KEY")
    url = f"sqlite:///{tmp_path}/k.db"
    assert main(["init", "--database", url]) == 0
    key_file = tmp_path / "k.db.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert f"created the key file {key_file} (mode 0600)" in capsys.readouterr().out
    content = key_file.read_text()
    assert main(["init", "--database", url]) == 0  # safe to run twice: the key stays
    assert key_file.read_text() == content
    assert "created the key file" not in capsys.readouterr().out
    keys = [line for line in content.splitlines() if not line.startswith("#")]
    assert len(keys) == 1 and len(base64.urlsafe_b64decode(keys[0])) == 32
    # the server reads the same key
    assert crypto.load_keyring(url).keys == [base64.urlsafe_b64decode(keys[0])]
    # a key file others can read is refused
    key_file.chmod(0o644)
    with pytest.raises(keyring.KeyringError, match="readable by others"):
        crypto.load_keyring(url)
    key_file.chmod(0o600)


def test_the_server_does_not_make_up_a_key(tmp_path, own_keyring, monkeypatch):
    monkeypatch.delenv("OPENREV_SECRET_KEY")
    url = f"sqlite:///{tmp_path}/nokey.db"
    with pytest.raises(keyring.KeyringError, match="does not exist .*openrev init"):
        crypto.load_keyring(url)
    assert not (tmp_path / "nokey.db.key").exists()


def test_openrev_secret_key_file(tmp_path, own_keyring, monkeypatch):
    monkeypatch.delenv("OPENREV_SECRET_KEY")
    key_file = tmp_path / "elsewhere.key"
    crypto.write_key_file(key_file, [TEST_KEY])
    monkeypatch.setenv("OPENREV_SECRET_KEY_FILE", str(key_file))
    ring = crypto.load_keyring("postgresql://u@localhost/db")
    assert ring.key_ids == [key_id(TEST_KEY)]


def test_postgresql_without_a_key_is_refused_in_one_line(own_keyring, monkeypatch, capsys):
    monkeypatch.delenv("OPENREV_SECRET_KEY")
    message = ("no secret key for the postgresql database: set OPENREV_SECRET_KEY (e.g. to "
               "the output of `openrev secrets new-key`) or OPENREV_SECRET_KEY_FILE")
    with pytest.raises(keyring.KeyringError) as info:
        crypto.load_keyring("postgresql://u@127.0.0.1:1/x")
    assert str(info.value) == message
    from openrev.wire.app import create_app

    with pytest.raises(keyring.KeyringError):
        create_app(Settings(database_url="postgresql://u@127.0.0.1:1/x"))
    for argv in (["init"], ["serve"], ["demo"], ["secrets", "rotate"]):
        assert main([*argv, "--database", "postgresql://u@127.0.0.1:1/x"]) == 1, argv
        err = capsys.readouterr().err
        assert err == f"openrev: error: {message}\n", argv


def test_new_key_prints_a_usable_key(capsys):
    assert main(["secrets", "new-key"]) == 0
    printed = capsys.readouterr().out.strip()
    assert len(base64.urlsafe_b64decode(printed)) == 32
    assert keyring.parse_key(printed) == base64.urlsafe_b64decode(printed)


def test_an_in_memory_database_gets_one_key_per_process(own_keyring, monkeypatch):
    monkeypatch.delenv("OPENREV_SECRET_KEY")
    first = crypto.load_keyring("sqlite://")
    assert crypto.load_keyring("sqlite:///:memory:") is first
    assert first.source.startswith("ephemeral")


# ------------------------------------------------------------------------------ migration


def test_migration_0004_encrypts_plaintext_rows_and_0003_gets_them_back(server_url):
    with fresh_database(server_url) as url:
        command.upgrade(alembic_config(url), "0003")
        engine = make_engine(url)
        now = dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc)
        try:
            with engine.begin() as conn:
                md = MetaData()
                t = {n: Table(n, md, autoload_with=conn)
                     for n in ("clients", "customers", "providers", "orders", "order_ports")}
                conn.execute(t["clients"].insert(), {"id": 1, "code": "M", "name": "M",
                             "tax_engine": "SURETAX", "lifeline_form_status": "NEEDS_REVIEW",
                             "created_at": now})
                common = {"client_id": 1, "status": "OPEN", "customer_class": "Residential",
                          "is_parent_account": False, "created_at": now, "balance": 0,
                          "due": 0, "overdue": 0, "unbilled_usage": 0,
                          "enabled_balance_limit": False, "usage_balance_limit": 0,
                          "payment_terms": 0, "payment_terms_override": False,
                          "is_auto_debit": False, "auto_debit_day": 0,
                          "lifeline_program": "NON_LIFELINE"}
                conn.execute(t["customers"].insert(), [
                    {**common, "id": 1, "ssn": "111223333", "dl": "mig-dl 77",
                     "dob": dt.date(1950, 12, 31), "security_pin": "2468"},
                    {**common, "id": 2, "ssn": None, "dl": None, "dob": None,
                     "security_pin": None}])
                conn.execute(t["providers"].insert(), {"id": 1, "client_id": 1,
                             "description": "P", "code": "P", "is_wireless": True})
                conn.execute(t["orders"].insert(), {"id": 1, "client_id": 1, "customer_id": 1,
                             "provider_id": 1, "order_type": "CONVERSION", "status": "NEW",
                             "is_reconnect": False, "flow_through": False, "created_at": now})
                conn.execute(t["order_ports"].insert(), {"id": 1, "client_id": 1,
                             "order_id": 1, "mdn": "8505550142",
                             "pin_password": "mig-port-pw"})
        finally:
            engine.dispose()
        if url.startswith("sqlite"):
            assert b"mig-port-pw" in sqlite_file_bytes(url)  # the check below can fail

        upgrade(url)
        assert current_revision(url) == head_revision()
        row = raw_customer(url, 1)
        assert row["ssn"].startswith(f"e1:{key_id(TEST_KEY)}:") and "111223333" not in row["ssn"]
        assert "mig-dl" not in row["dl"] and "1950" not in row["dob"] \
            and "2468" not in row["security_pin"]
        assert (row["ssn_hmac"], row["ssn_last4_hmac"], row["dl_hmac"], row["dob_hmac"]) == (
            expected_hmac("ssn", "111223333"), expected_hmac("ssn-last4", "3333"),
            expected_hmac("dl", "MIGDL77"), expected_hmac("dob", "1950-12-31"))
        assert raw_customer(url, 2) == dict.fromkeys(row)  # nothing to encrypt, no hashes
        [pin] = raw_pin_passwords(url)
        assert pin.startswith("e1:") and "mig-port-pw" not in pin
        assert _read(url, 1) == ("111223333", "mig-dl 77", dt.date(1950, 12, 31), "2468",
                                 ("mig-port-pw",))
        if url.startswith("sqlite"):
            data = sqlite_file_bytes(url)
            for plain in (b"111223333", b"mig-dl 77", b"mig-port-pw"):
                assert plain not in data  # the batch migration rebuilt the table

        command.downgrade(alembic_config(url), "0003")
        engine = make_engine(url)
        try:
            with engine.connect() as conn:
                assert conn.execute(text("SELECT ssn, dl, security_pin FROM customers "
                                         "WHERE id = 1")).one() == ("111223333", "mig-dl 77",
                                                                    "2468")
                assert conn.execute(text("SELECT pin_password FROM order_ports")).scalar() \
                    == "mig-port-pw"
        finally:
            engine.dispose()
