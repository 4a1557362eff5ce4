"""Authentication hardening (issue 7), over the wire (JSON, SOAP 1.1, SOAP 1.2):

* the login throttle: after N failed logins of a Client+Username (or M from one address)
  within the window, logins are refused with S2005 and the time to retry, without argon2;
  a success resets the user's count; ``openrev user unlock`` lifts it;
* sessions stay bounded under Credentials on every call; they end on ``openrev user passwd``,
  ``openrev session revoke``, a password change and a deactivation;
* ImpersonationKeys are stored keyed (HMAC); legacy SHA-256 values still work, and are upgraded;
* SQLite: a read-only operation never waits for the write lock, and many clients sending
  Credentials on every call never get ``database is locked``.

Most tests use an app of their own ("strict": 3 failures per user, 5 per address, 10 sessions
per user, an injected clock), users of their own and a client address of their own, so that
nothing they do throttles another test.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
import sqlite3
import sys
import threading
import time
import uuid
from collections import Counter
from typing import Any, Callable

import httpx
import pytest
from argon2 import PasswordHasher
from lxml import etree
from sqlalchemy import func, select, update
from sqlalchemy.engine import make_url
from starlette.testclient import TestClient

from helpers import Clock, post_soap, result_of
from openrev.cli import main
from openrev.domain.passwords import hash_impersonation_key, hash_key, hash_password
from openrev.ops import auth as auth_module
from openrev.settings import Settings
from openrev.store.db import make_sessionmaker
from openrev.store.tables import ApiSession, Client, Customer, LoginFailure, User, UserPermission
from openrev.wire import app as app_module
from openrev.wire.app import create_app

UTC = dt.timezone.utc
BAD = "Credentials: unknown Username, Password or Client"
Call = Callable[[str, dict[str, Any]], dict[str, Any]]


@pytest.fixture(scope="module")
def clock() -> Clock:
    return Clock(dt.datetime(2026, 11, 22, 12, 0, tzinfo=UTC))


@pytest.fixture(scope="module")
def strict_app(database_url: str, clock: Clock):
    app = create_app(Settings(database_url=database_url, login_max_failures=3,
                              login_max_failures_per_address=5, login_window_seconds=900,
                              sessions_per_user=10, session_max_hours=12))
    app.state.api.clock = clock
    yield app
    app.state.engine.dispose()


@pytest.fixture(scope="module")
def db(strict_app):
    return make_sessionmaker(strict_app.state.engine)


_addresses = itertools.count(1)


def new_web(app) -> TestClient:
    """A client of ``app`` from an address no other test uses."""
    n = next(_addresses)
    return TestClient(app, raise_server_exceptions=False, client=(f"10.7.{n // 200}.{n % 200}",
                                                                  40000))


@pytest.fixture
def web(strict_app) -> TestClient:
    return new_web(strict_app)


def add_user(db, password: str = "right", *, permissions: tuple[str, ...] = (),
             key_hash: str | None = None, hasher: Callable[[str], str] = hash_password
             ) -> tuple[dict[str, str], int]:
    """A new active user of client DEMO: (its Credentials, its id)."""
    name = f"u-{uuid.uuid4().hex[:12]}"
    with db.begin() as s:
        client = s.scalar(select(Client).where(Client.code == "DEMO"))
        user = User(client_id=client.id, username=name, password_hash=hasher(password),
                    impersonation_key_hash=key_hash, active=True)
        s.add(user)
        s.flush()
        for p in permissions:
            s.add(UserPermission(client_id=client.id, user_id=user.id, permission=p))
        user_id = user.id
    return {"Username": name, "Password": password, "Client": "DEMO"}, user_id


def to_xml(body: dict[str, Any]) -> str:
    out = []
    for key, value in body.items():
        if isinstance(value, dict):
            value = to_xml(value)
        out.append(f"<r:{key}>{value}</r:{key}>")
    return "".join(out)


def soap_header(content: bytes, op: str) -> dict[str, Any]:
    header = result_of(content, op).xpath("*[local-name()='Header']")[0]
    out: dict[str, Any] = {etree.QName(c).localname: c.text for c in header}
    for name in ("Success", "Impersonated"):
        if name in out:
            out[name] = out[name] == "true"
    return out


def caller_for(web: TestClient, binding: str) -> Call:
    """Call an operation through ``binding``; returns the answer's Header."""

    def run(op: str, body: dict[str, Any]) -> dict[str, Any]:
        if binding == "json":
            r = web.post(f"/v20/json/{op}", json=body)
            assert r.status_code == 200, r.text
            return r.json()["Header"]
        r = post_soap(web, op, to_xml(body), version=12 if binding == "soap12" else 11)
        assert r.status_code == 200, r.text
        return soap_header(r.content, op)

    return run


@pytest.fixture(params=["json", "soap11", "soap12"])
def call(request, web) -> Call:
    return caller_for(web, request.param)


@pytest.fixture
def checks(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every password check (argon2) the server makes, counted."""
    made: list[str] = []
    real = auth_module.verify_password

    def counting(hash: str, pw: str) -> bool:  # noqa: A002
        made.append(pw)
        return real(hash, pw)

    monkeypatch.setattr(auth_module, "verify_password", counting)
    return made


@pytest.fixture(autouse=True)
def holds(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The seconds each answer was held back (recorded, not waited)."""
    held: list[float] = []

    async def record(seconds: float) -> None:
        held.append(seconds)

    monkeypatch.setattr(app_module, "_sleep", record)
    return held


def refused(h: dict[str, Any], message: str) -> None:
    assert (h["Success"], h["Error_Code"], h.get("Message")) == (False, "S2005", message), h


def iso(t: dt.datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def user_throttle(retry_at: dt.datetime, seconds: int) -> str:
    return ("Credentials: too many failed login attempts for this Username and Client; "
            f"logins are refused until {iso(retry_at)} (retry in {seconds} s)")


# ------------------------------------------------------------------ the throttle


def test_failed_logins_are_throttled_without_checking_the_password(call, db, clock, checks,
                                                                    holds):
    creds, _ = add_user(db)
    wrong = dict(creds, Password="wrong")
    for _ in range(3):
        refused(call("Sessions_Create", {"Credentials": wrong}), BAD)
    assert len(checks) == 3 and holds == []  # a checked failure is answered at once
    first_failure = clock.now
    clock.now += dt.timedelta(seconds=100)
    for attempt in (wrong, creds):  # even the right password is refused, and cheaply
        refused(call("Sessions_Create", {"Credentials": attempt}),
                user_throttle(first_failure + dt.timedelta(seconds=900), 800))
    assert len(checks) == 3
    # and late: each refused answer is held back, asynchronously, to slow a guesser down
    assert holds == [auth_module.REFUSED_LOGIN_DELAY] * 2 == [1.0, 1.0]
    clock.now += dt.timedelta(seconds=801)  # the failures have left the window
    h = call("Sessions_Create", {"Credentials": creds})
    assert (h["Success"], h.get("Error_Code")) == (True, None), h
    assert len(checks) == 4


def test_the_throttle_ends_when_the_oldest_counted_failure_leaves_the_window(web, db, clock):
    call = caller_for(web, "json")
    creds, _ = add_user(db)
    wrong = dict(creds, Password="wrong")
    start = clock.now
    for step in range(3):  # failures at +0, +60 s, +120 s
        clock.now = start + dt.timedelta(seconds=60 * step)
        refused(call("LifelineTypes_Query", {"Credentials": wrong}), BAD)
    clock.now = start + dt.timedelta(seconds=899)
    refused(call("LifelineTypes_Query", {"Credentials": creds}),
            user_throttle(start + dt.timedelta(seconds=900), 1))
    clock.now = start + dt.timedelta(seconds=900)  # the failure at +0 is out: 2 remain
    assert call("LifelineTypes_Query", {"Credentials": creds})["Success"] is True


def test_a_successful_login_resets_the_count(call, db, clock):
    creds, _ = add_user(db)
    wrong = dict(creds, Password="wrong")
    for _ in range(2):
        refused(call("Sessions_Create", {"Credentials": wrong}), BAD)
    assert call("Sessions_Create", {"Credentials": creds})["Success"] is True
    for _ in range(2):  # 4 failures in the window, but only 2 since the success
        refused(call("Sessions_Create", {"Credentials": wrong}), BAD)
    assert call("Sessions_Create", {"Credentials": creds})["Success"] is True
    with db() as s:
        assert s.scalar(select(func.count()).select_from(LoginFailure).where(
            LoginFailure.username == creds["Username"])) == 0


def test_openrev_user_unlock_lifts_the_throttle(call, db, clock, database_url, capsys):
    creds, _ = add_user(db)
    wrong = dict(creds, Password="wrong")
    for _ in range(3):
        refused(call("Sessions_Create", {"Credentials": wrong}), BAD)
    assert call("Sessions_Create", {"Credentials": creds})["Error_Code"] == "S2005"
    assert main(["user", "unlock", "DEMO", creds["Username"], "--database", database_url]) == 0
    assert capsys.readouterr().out == \
        f"{creds['Username']} in client DEMO unlocked (3 failed login(s) forgotten)\n"
    assert call("Sessions_Create", {"Credentials": creds})["Success"] is True


def test_an_unknown_username_is_throttled_like_a_known_one(web, clock, checks):
    call = caller_for(web, "soap11")
    nobody = {"Username": f"nobody-{uuid.uuid4().hex[:8]}", "Password": "x", "Client": "DEMO"}
    for _ in range(3):
        refused(call("Sessions_Create", {"Credentials": nobody}), BAD)
    refused(call("Sessions_Create", {"Credentials": nobody}),
            user_throttle(clock.now + dt.timedelta(seconds=900), 900))
    assert len(checks) == 3  # the dummy hash was checked for each of the first three


def test_failures_from_one_address_throttle_every_login_from_it(call, strict_app, db, clock,
                                                                checks):
    creds, _ = add_user(db)
    for _ in range(5):  # 5 different unknown users: no user reaches its own limit
        guess = {"Username": f"guess-{uuid.uuid4().hex[:8]}", "Password": "x", "Client": "DEMO"}
        refused(call("Sessions_Create", {"Credentials": guess}), BAD)
    refused(call("Sessions_Create", {"Credentials": creds}),
            "Credentials: too many failed login attempts from this address; logins are "
            f"refused until {iso(clock.now + dt.timedelta(seconds=900))} (retry in 900 s)")
    assert len(checks) == 5
    # The same user from another address is not throttled.
    other = caller_for(new_web(strict_app), "json")
    assert other("Sessions_Create", {"Credentials": creds})["Success"] is True


def test_password_checks_are_bounded_and_refused_when_no_slot_frees(strict_app, web, db,
                                                                    monkeypatch):
    creds, _ = add_user(db)
    monkeypatch.setattr(auth_module, "CHECK_WAIT_SECONDS", 0.05)
    checker = strict_app.state.api.auth
    taken = 0
    while checker.password_checks.acquire(blocking=False):  # every slot busy
        taken += 1
    try:
        assert taken == 2  # Settings.login_concurrency
        refused(caller_for(web, "json")("Sessions_Create", {"Credentials": creds}),
                "Credentials: too many logins are being checked at once; try again in a few "
                "seconds")
    finally:
        for _ in range(taken):
            checker.password_checks.release()
    assert caller_for(web, "json")("Sessions_Create", {"Credentials": creds})["Success"] is True


def test_a_password_verified_recently_is_not_checked_again(web, db, checks, database_url,
                                                          monkeypatch, capsys):
    call = caller_for(web, "soap12")
    creds, _ = add_user(db)
    for _ in range(3):  # Credentials on every call: one argon2 check
        assert call("LifelineTypes_Query", {"Credentials": creds})["Success"] is True
    assert checks == ["right"]
    refused(call("LifelineTypes_Query", {"Credentials": dict(creds, Password="wrong")}), BAD)
    assert checks == ["right", "wrong"]  # a wrong password is always checked
    monkeypatch.setattr(sys, "stdin", io.StringIO("next one\n"))
    assert main(["user", "passwd", "DEMO", creds["Username"], "--database", database_url]) == 0
    capsys.readouterr()
    refused(call("LifelineTypes_Query", {"Credentials": creds}), BAD)  # the old one: checked
    assert checks == ["right", "wrong", "right"]
    assert call("LifelineTypes_Query",
                {"Credentials": dict(creds, Password="next one")})["Success"] is True
    assert checks == ["right", "wrong", "right", "next one"]


# ------------------------------------------------------------------ sessions


def session_count(db, user_id: int) -> int:
    with db() as s:
        return s.scalar(select(func.count()).select_from(ApiSession).where(
            ApiSession.real_user_id == user_id))


def test_credentials_on_every_call_leave_a_bounded_number_of_sessions(web, db, clock):
    creds, user_id = add_user(db)
    json_call, soap_call = caller_for(web, "json"), caller_for(web, "soap11")
    kept = json_call("Sessions_Create", {"Credentials": creds})["SessionKey"]
    assert json_call("LifelineTypes_Query", {"Session": {"SessionKey": kept}})["Success"] is True
    keys = []
    for n in range(200):
        h = (json_call if n % 2 else soap_call)("LifelineTypes_Query", {"Credentials": creds})
        assert h["Success"] is True, h
        keys.append(h["SessionKey"])
    assert len(set(keys)) == 200
    assert session_count(db, user_id) == 10  # Settings.sessions_per_user
    # the session in use survived; of those never used, the newest are kept
    for key in (kept, keys[-1]):
        assert json_call("LifelineTypes_Query",
                         {"Session": {"SessionKey": key}})["Success"] is True
    h = json_call("LifelineTypes_Query", {"Session": {"SessionKey": keys[0]}})
    assert (h["Error_Code"], h["Message"]) == ("S2004", "Session/SessionKey: unknown session key")
    # expired sessions are swept by the next login
    clock.now += dt.timedelta(minutes=21)
    assert json_call("Sessions_Create", {"Credentials": creds})["Success"] is True
    assert session_count(db, user_id) == 1


def test_openrev_user_passwd_ends_the_sessions(call, db, database_url, monkeypatch, capsys):
    creds, user_id = add_user(db)
    keys = [call("Sessions_Create", {"Credentials": creds})["SessionKey"] for _ in range(2)]
    monkeypatch.setattr(sys, "stdin", io.StringIO("the new one\n"))
    assert main(["user", "passwd", "DEMO", creds["Username"], "--database", database_url]) == 0
    assert capsys.readouterr().out == \
        f"password changed for {creds['Username']} in client DEMO; 2 session(s) ended\n"
    for key in keys:
        h = call("LifelineTypes_Query", {"Session": {"SessionKey": key}})
        assert (h["Success"], h["Error_Code"]) == (False, "S2004")
    refused(call("Sessions_Create", {"Credentials": creds}), BAD)
    new = dict(creds, Password="the new one")
    assert call("Sessions_Create", {"Credentials": new})["Success"] is True


def test_a_session_created_before_a_password_change_no_longer_works(call, db, clock):
    creds, user_id = add_user(db)
    key = call("Sessions_Create", {"Credentials": creds})["SessionKey"]
    with db.begin() as s:  # a change that did not go through `openrev user passwd`
        s.execute(update(User).where(User.id == user_id).values(
            password_changed_at=clock.now + dt.timedelta(seconds=1)))
    clock.now += dt.timedelta(seconds=2)
    h = call("LifelineTypes_Query", {"Session": {"SessionKey": key}})
    assert (h["Success"], h["Error_Code"], h["Message"]) == (
        False, "S2004",
        "Session/SessionKey: the session ended because the password was changed; create a "
        "new one")
    assert session_count(db, user_id) == 0  # and it is gone


def test_openrev_session_revoke_ends_the_sessions(call, db, database_url, capsys):
    creds, user_id = add_user(db)
    key = call("Sessions_Create", {"Credentials": creds})["SessionKey"]
    assert call("LifelineTypes_Query", {"Session": {"SessionKey": key}})["Success"] is True
    assert main(["session", "revoke", "DEMO", creds["Username"],
                 "--database", database_url]) == 0
    assert capsys.readouterr().out == \
        f"1 session(s) of {creds['Username']} in client DEMO ended\n"
    h = call("LifelineTypes_Query", {"Session": {"SessionKey": key}})
    assert (h["Error_Code"], h["Message"]) == ("S2004", "Session/SessionKey: unknown session key")


def test_a_deactivated_users_session_no_longer_works(call, db):
    creds, user_id = add_user(db)
    key = call("Sessions_Create", {"Credentials": creds})["SessionKey"]
    with db.begin() as s:
        s.execute(update(User).where(User.id == user_id).values(active=False))
    h = call("LifelineTypes_Query", {"Session": {"SessionKey": key}})
    assert (h["Success"], h["Error_Code"], h["Message"]) == (
        False, "S2004", "Session/SessionKey: the session's user no longer exists or is "
                        "deactivated")
    refused(call("Sessions_Create", {"Credentials": creds}), BAD)


def test_an_impersonated_session_ends_when_the_impersonator_is_deactivated(web, db):
    call = caller_for(web, "json")
    target, _ = add_user(db, key_hash=hash_impersonation_key("the-key-1"))
    boss, boss_id = add_user(db, permissions=("IMPERSONATE_USERS",))
    h = call("Sessions_Create", {"Credentials": dict(boss, ImpersonationKey="the-key-1")})
    assert (h["Success"], h["Impersonated"]) == (True, True), h
    with db.begin() as s:
        s.execute(update(User).where(User.id == boss_id).values(active=False))
    assert call("LifelineTypes_Query",
                {"Session": {"SessionKey": h["SessionKey"]}})["Error_Code"] == "S2004"


# ------------------------------------------------------------------ ImpersonationKey


def test_impersonation_keys_are_keyed_and_legacy_hashes_are_upgraded(call, db, clock):
    key = f"legacy-{uuid.uuid4().hex}"
    target, target_id = add_user(db, key_hash=hash_key(key))  # as stored before 0003
    boss, _ = add_user(db, permissions=("IMPERSONATE_USERS",))
    for _ in range(2):  # the legacy value, then the upgraded one
        h = call("Sessions_Create", {"Credentials": dict(boss, ImpersonationKey=key)})
        assert (h["Success"], h.get("Impersonated")) == (True, True), h
        with db() as s:
            assert s.get(User, target_id).impersonation_key_hash == hash_impersonation_key(key)
    assert hash_impersonation_key(key) != hash_key(key)
    refused(call("Sessions_Create", {"Credentials": dict(boss, ImpersonationKey="wrong")}),
            "Credentials/ImpersonationKey: no user of this client has this key")
    with db() as s:  # a wrong key counts as a failed login of the impersonator
        assert s.scalar(select(func.count()).select_from(LoginFailure).where(
            LoginFailure.username == boss["Username"])) == 1


def test_the_impersonation_key_hash_depends_on_the_server_secret():
    from openrev import keyring

    before = keyring.configured()
    try:
        hashes = []
        for secret in ("first secret", "second secret"):
            keyring.configure(keyring.Keyring.from_texts([secret], "test"))
            hashes.append(hash_impersonation_key("k"))
    finally:
        keyring.configure(before)
    assert all(len(h) == 64 for h in hashes) and hashes[0] != hashes[1]
    assert hash_key("k") not in hashes


# ------------------------------------------------------------------ SQLite concurrency


def sqlite_path(database_url: str) -> str:
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite":
        pytest.skip("SQLite's write lock")
    return str(url.database)


def test_read_only_operations_do_not_wait_for_the_write_lock(web, db, clock, database_url):
    path = sqlite_path(database_url)
    call = caller_for(web, "json")
    creds, _ = add_user(db)
    key = call("Sessions_Create", {"Credentials": creds})["SessionKey"]
    session = {"Session": {"SessionKey": key}}
    assert call("LifelineTypes_Query", session)["Success"] is True  # first use: marked used
    with db() as s:
        customer_id = s.scalar(select(Customer.id).join(Client, Client.id == Customer.client_id)
                               .where(Client.code == "DEMO").order_by(Customer.id).limit(1))
    holder = sqlite3.connect(path, timeout=0.1, isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")  # another process is writing
        clock.now += dt.timedelta(seconds=31)  # and the session is due for a touch
        for op, body in (("Customers_Query", {"CustomerID": customer_id}),
                         ("LifelineTypes_Query", {}), ("Orders_Search", {"PageSize": 1})):
            t0 = time.monotonic()
            h = call(op, {**session, **body})
            assert h["Success"] is True, (op, h)
            assert time.monotonic() - t0 < 2.0, op  # not the busy timeout (5 s)
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def test_a_read_only_transaction_cannot_write(strict_app, database_url):
    sqlite_path(database_url)
    from sqlalchemy.exc import OperationalError

    runner = strict_app.state.api.runner
    with pytest.raises(OperationalError, match="readonly database"):
        runner.run(False, lambda s: s.execute(update(User).where(User.id == -1)
                                              .values(active=False)))
    assert runner.run(True, lambda s: s.execute(
        update(User).where(User.id == -1).values(active=False)).rowcount) == 0


def test_many_clients_sending_credentials_on_every_call_never_see_database_is_locked(
        live_url, app, database_url):
    """12 clients for 10 s, each creating customers and querying them with Credentials on
    every call, against a user whose password hash has argon2's production parameters."""
    sqlite_path(database_url)
    creds, _ = add_user(make_sessionmaker(app.state.engine), "load-test-pw",
                        hasher=PasswordHasher().hash)
    address = {"FirstName": "Lo", "LastName": "Ad", "Address1": "1 Main St",
               "City": "Pensacola", "State": "FL", "Zip": "32502"}
    answers: Counter[str] = Counter()
    problems: list[Any] = []
    lock = threading.Lock()
    deadline = time.monotonic() + 10

    def client() -> None:
        with httpx.Client(base_url=live_url, timeout=60) as http:
            while time.monotonic() < deadline:
                out = http.post("/v20/json/NewCustomers_Create", json={
                    "Credentials": creds,
                    "Customer": {"MailingAddress": address, "PhysicalAddress": address}}).json()
                calls = [out]
                if out["Header"]["Success"]:
                    calls.append(http.post("/v20/json/Customers_Query", json={
                        "Credentials": creds, "CustomerID": out["Customer_ID"]}).json())
                with lock:
                    for answer in calls:
                        header = answer["Header"]
                        answers[header.get("Error_Code") or "OK"] += 1
                        if not header["Success"]:
                            problems.append(header)

    threads = [threading.Thread(target=client) for _ in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert problems == [] and answers["CN2001"] == 0, (answers, problems[:5])
    assert answers["OK"] >= 24, answers
