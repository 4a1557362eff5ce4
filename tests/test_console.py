"""The operator console over HTTP (Starlette's TestClient, both databases): login (the API's
users, one message for every wrong login, the throttle), the session cookie's flags, CSRF and
Origin checks on every POST, logout and revocation ending the session, tenant isolation on
every page and action (another client's ids are 404), permission checks, completing and
resending orders through the API's own code, the Users page, search and its pages.

The browser flows (headless Chromium) are in test_console_browser.py.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import delete, select
from starlette.testclient import TestClient

from helpers import DEMO, OTHER, call_json, new_session
from openrev.cli import main
from openrev.ops import console as actions
from openrev.ops.base import Caller
from openrev.settings import Settings
from openrev.store.tables import (
    Client, CustomerHistory, LoginFailure, Order, OrderHistory, OrderOutbox, User,
    UserPermission,
)
from openrev.wire.app import create_app
from openrev.wire.console.app import BAD_LOGIN, COOKIE, THROTTLED, csrf_token

BASE = "http://testserver"
SAME_SITE = {"Origin": BASE}
ADDRESS = {"FirstName": "Connie", "LastName": "Console", "Address1": "101 N Palafox St",
           "City": "Pensacola", "State": "FL", "Zip": "32502"}


# ------------------------------------------------------------------ helpers


@pytest.fixture
def browser(app) -> Iterator[TestClient]:
    """A fresh client (its own cookies) on the test app."""
    with TestClient(app, base_url=BASE, raise_server_exceptions=False) as c:
        yield c


def login(c: TestClient, client: str = "DEMO", username: str = "demo",
          password: str = "demo") -> str:
    """Log in through the form; returns the session key (the cookie)."""
    r = c.post("/console/login", data={"client": client, "username": username,
                                       "password": password, "next": "/console/orders"},
               headers=SAME_SITE, follow_redirects=False)
    assert r.status_code == 303, r.text
    assert r.headers["location"] == "/console/orders"
    return r.cookies[COOKIE]


def post(c: TestClient, url: str, data: dict | None = None, *, key: str,
         headers: dict | None = None):
    """A console POST with the session's CSRF token and this site's Origin."""
    return c.post(url, data={"csrf": csrf_token(key), **(data or {})},
                  headers=headers if headers is not None else SAME_SITE,
                  follow_redirects=False)


def new_customer(client) -> tuple[int, int]:
    """A PENDING customer with its MANUAL activation order (package 1003): (customer,
    order)."""
    out = call_json(client, "NewCustomers_Create", {
        "Credentials": DEMO, "Order": {"PackageID": 1003},
        "Customer": {"PhysicalAddress": ADDRESS, "MailingAddress": ADDRESS}})
    assert out["Header"]["Success"] is True, out
    return out["Customer_ID"], out["Orders"][0]


def customer_status(client, customer_id: int) -> str:
    out = call_json(client, "Customers_Query", {"Credentials": DEMO, "CustomerID": customer_id})
    return out["Customer"]["Status"]


def make_user(sessions, client_code: str, permissions: tuple[str, ...]) -> tuple[int, str]:
    """A new active user of the client holding ``permissions``: (id, username); its password
    is its username."""
    from openrev.domain.passwords import hash_password

    name = f"u-{uuid.uuid4().hex[:8]}"
    with sessions.begin() as db:
        client = db.scalar(select(Client).where(Client.code == client_code))
        user = User(client_id=client.id, username=name, password_hash=hash_password(name),
                    active=True)
        db.add(user)
        db.flush()
        for p in permissions:
            db.add(UserPermission(client_id=client.id, user_id=user.id, permission=p))
        return user.id, name


def flash(c: TestClient, url: str) -> str:
    """The message shown on ``url`` after a redirect."""
    page = c.get(url).text
    found = re.search(r'<p class="flash [a-z]+" role="[a-z]+">(.*?)</p>', page, re.S)
    return found.group(1) if found else ""


# ------------------------------------------------------------------ login


def test_unauthenticated_pages_lead_to_the_login_form(browser) -> None:
    r = browser.get("/console/customers?q=850", follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == "/console/login?next=%2Fconsole%2Fcustomers%3Fq%3D850"
    page = browser.get(r.headers["location"]).text
    for field in ("client", "username", "password"):
        assert f'<label for="{field}">' in page and f'id="{field}"' in page
    assert 'value="/console/customers?q=850"' in page


@pytest.mark.parametrize("creds", [("DEMO", "demo", "wrong"), ("DEMO", "nobody", "demo"),
                                   ("NOPE", "demo", "demo"), ("DEMO", "", "")])
def test_every_wrong_login_gets_the_same_message(browser, creds) -> None:
    client, username, password = creds
    r = browser.post("/console/login", data={"client": client, "username": username,
                                             "password": password}, headers=SAME_SITE,
                     follow_redirects=False)
    assert r.status_code == 401
    assert BAD_LOGIN in r.text
    assert COOKIE not in r.cookies
    password_input = re.search(r'<input id="password"[^>]*>', r.text).group(0)
    assert "value=" not in password_input  # a password is never sent back


def test_cookie_is_httponly_samesite_strict_and_secure_over_https(app, browser) -> None:
    r = browser.post("/console/login", data={"client": "demo", "username": "demo",
                                             "password": "demo"}, headers=SAME_SITE,
                     follow_redirects=False)
    cookie = r.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/console" in cookie
    assert "Secure" not in cookie  # plain http: a Secure cookie would never come back
    r = browser.post("/console/login", data={"client": "DEMO", "username": "demo",
                                             "password": "demo"},
                     headers={**SAME_SITE, "X-Forwarded-Proto": "https"},
                     follow_redirects=False)
    assert "Secure" in r.headers["set-cookie"]
    with TestClient(app, base_url="https://testserver") as tls:
        r = tls.post("/console/login", data={"client": "DEMO", "username": "demo",
                                             "password": "demo"},
                     headers={"Origin": "https://testserver"}, follow_redirects=False)
        assert r.status_code == 303 and "Secure" in r.headers["set-cookie"]


def test_login_from_another_site_is_refused(browser) -> None:
    for headers in ({"Origin": "http://evil.example"}, {"Referer": "http://evil.example/x"}, {}):
        r = browser.post("/console/login", data={"client": "DEMO", "username": "demo",
                                                 "password": "demo"}, headers=headers,
                         follow_redirects=False)
        assert r.status_code == 403, headers
        assert COOKIE not in r.cookies
    r = browser.post("/console/login", data={"client": "DEMO", "username": "demo",
                                             "password": "demo"},
                     headers={"Referer": f"{BASE}/console/login"}, follow_redirects=False)
    assert r.status_code == 303


def test_login_is_throttled_like_the_api(settings, sessions) -> None:
    name = f"throttled-{uuid.uuid4().hex[:8]}"
    throttled_app = create_app(Settings(database_url=settings.database_url,
                                        login_max_failures=2))
    try:
        with TestClient(throttled_app, base_url=BASE) as c:
            for _ in range(2):
                r = c.post("/console/login", data={"client": "DEMO", "username": name,
                                                   "password": "x"}, headers=SAME_SITE)
                assert r.status_code == 401 and BAD_LOGIN in r.text
            r = c.post("/console/login", data={"client": "DEMO", "username": name,
                                               "password": "x"}, headers=SAME_SITE)
            assert r.status_code == 429 and THROTTLED in r.text
            with sessions() as db:  # counted like an API login: Client+Username, and address
                failures = db.scalars(select(LoginFailure).where(
                    LoginFailure.username == name)).all()
                assert len(failures) == 2 and {f.client_code for f in failures} == {"DEMO"}
    finally:
        throttled_app.state.engine.dispose()
        with sessions.begin() as db:
            db.execute(delete(LoginFailure).where(LoginFailure.username == name))


def test_overlong_login_fields_and_forms_are_refused(browser) -> None:
    r = browser.post("/console/login", data={"client": "D" * 51, "username": "demo",
                                             "password": "demo"}, headers=SAME_SITE)
    assert r.status_code == 400 and "client: at most 50 characters" in r.text
    r = browser.post("/console/login", content=b"a=" + b"x" * 70000, headers={
        **SAME_SITE, "Content-Type": "application/x-www-form-urlencoded"})
    assert r.status_code == 413 and "too large" in r.text


# ------------------------------------------------------------------ session, CSRF


def test_logout_ends_the_session_for_the_console_and_the_api(browser, client) -> None:
    key = login(browser)
    assert browser.get("/console/customers").status_code == 200
    r = post(browser, "/console/logout", key=key)
    assert r.status_code == 303 and r.headers["location"] == "/console/login"
    browser.cookies.set(COOKIE, key, path="/console")  # the old cookie, kept by an attacker
    r = browser.get("/console/customers", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/console/login")
    out = call_json(client, "Orders_Search", {"Session": {"SessionKey": key}})
    assert out["Header"]["Error_Code"] == "S2004"


def test_session_revoke_and_passwd_end_a_console_session(browser, database_url,
                                                         monkeypatch) -> None:
    key = login(browser, username="clerk", password="clerk")
    assert browser.get("/console/orders").status_code == 200
    assert main(["session", "revoke", "DEMO", "clerk", "--database", database_url]) == 0
    assert browser.get("/console/orders", follow_redirects=False).status_code == 303
    key = login(browser, username="clerk", password="clerk")
    assert browser.get("/console/orders").status_code == 200
    import io
    monkeypatch.setattr("sys.stdin", io.StringIO("clerk\n"))  # the same password again
    assert main(["user", "passwd", "DEMO", "clerk", "--database", database_url]) == 0
    assert browser.get("/console/orders", follow_redirects=False).status_code == 303
    assert key


def test_a_post_without_the_csrf_token_or_from_another_site_changes_nothing(
        browser, client, sessions) -> None:
    key = login(browser)
    customer_id, order_id = new_customer(client)
    url = f"/console/orders/{order_id}/complete"
    cases = [
        ({}, SAME_SITE),  # no token
        ({"csrf": "0" * 64}, SAME_SITE),  # a wrong token
        ({"csrf": csrf_token(key)}, {"Origin": "http://evil.example"}),  # another site
        ({"csrf": csrf_token(key)}, {"Referer": "http://evil.example/page"}),
        ({"csrf": csrf_token(key)}, {}),  # says nowhere where it came from
    ]
    for data, headers in cases:
        r = browser.post(url, data=data, headers=headers, follow_redirects=False)
        assert r.status_code == 403, (data, headers)
    # the token as htmx sends it (a header) is accepted too, but not a wrong one
    r = browser.post(url, headers={**SAME_SITE, "X-CSRF-Token": "x"}, follow_redirects=False)
    assert r.status_code == 403
    with sessions() as db:
        assert db.get(Order, order_id).status == "NEW"
    assert customer_status(client, customer_id) == "PENDING"
    r = browser.post(url, headers={**SAME_SITE, "X-CSRF-Token": csrf_token(key)},
                     follow_redirects=False)
    assert r.status_code == 303
    assert customer_status(client, customer_id) == "OPEN"


def test_pages_are_not_cached_nor_framed_and_load_only_own_files(browser) -> None:
    login(browser)
    r = browser.get("/console/customers")
    assert r.headers["cache-control"] == "no-store"
    assert "frame-ancestors 'none'" in r.headers["content-security-policy"]
    assert "script-src 'self'" in r.headers["content-security-policy"]
    assert 'href="#main"' in r.text  # the skip link
    for asset in re.findall(r'(?:src|href)="(/console/static/[^"]+)"', r.text):
        assert browser.get(asset).status_code == 200, asset
    js = browser.get("/console/static/htmx.min.js").text
    assert "Zero-Clause BSD" in js.splitlines()[0]
    assert "https://" not in r.text.replace("https://htmx.org", "")  # no CDN


# ------------------------------------------------------------------ customers


def test_search_by_tn_account_device_and_name(browser, client) -> None:
    login(browser)
    for by, q in (("any", "8505550100"), ("tn", "(850) 555-0100"), ("any", "DEMO-0001"),
                  ("account", "DEMO-0001"), ("name", "sample"), ("name", "Sample, Ja"),
                  ("name", "jane sam"), ("id", "1")):
        page = browser.get("/console/customers", params={"by": by, "q": q}).text
        assert 'href="/console/customers/1"' in page, (by, q)
    assert "No customer matches" in browser.get("/console/customers",
                                                params={"q": "Nosuchname"}).text
    r = browser.get("/console/customers", params={"q": "x" * 101})
    assert r.status_code == 400 and "at most 100 characters" in r.text
    assert browser.get("/console/customers", params={"by": "ssn", "q": "1"}).status_code == 400


def test_search_by_device(browser, client, sessions) -> None:
    from openrev.store.tables import InventoryItem
    with sessions() as db:
        item = db.scalars(select(InventoryItem).where(InventoryItem.customer_id.is_not(None))
                          .where(InventoryItem.client_id == 1)).first()
    if item is None:  # give one of DEMO's devices to the demo customer's line
        customer_id, _ = new_customer(client)
        with sessions.begin() as db:
            item = db.scalars(select(InventoryItem).where(
                InventoryItem.client_id == 1, InventoryItem.customer_id.is_(None))).first()
            item.customer_id = customer_id
            identifier = item.identifier
    else:
        customer_id, identifier = item.customer_id, item.identifier
    login(browser)
    for by in ("any", "device"):
        page = browser.get("/console/customers", params={"by": by, "q": identifier}).text
        assert f'href="/console/customers/{customer_id}"' in page


def test_name_search_pages_by_keyset(app, client, sessions) -> None:
    last = "Keyset" + uuid.uuid4().hex[:6].upper().replace("0", "A")
    ids = []
    for first in ("Ann", "Bob", "Cyd"):
        out = call_json(client, "NewCustomers_Create", {
            "Credentials": DEMO, "Order": {"PackageID": 1003},
            "Customer": {"PhysicalAddress": {**ADDRESS, "FirstName": first, "LastName": last},
                         "MailingAddress": ADDRESS}})
        ids.append(out["Customer_ID"])
    caller = Caller(client_id=1, client_code="DEMO", user_id=1, username="demo",
                    permissions=frozenset(), session_key="-", impersonated=False,
                    tax_engine="SURETAX")
    with sessions() as db:
        page1, cursor = actions.search_customers(db, caller, "name", last, None, 2)
        assert [h.id for h in page1] == ids[:2] and cursor
        page2, cursor2 = actions.search_customers(db, caller, "name", last, cursor, 2)
        assert [h.id for h in page2] == ids[2:] and cursor2 is None
        # "First Last" narrows by the first name's key too
        only, _ = actions.search_customers(db, caller, "name", f"b {last}", None, 10)
        assert [h.id for h in only] == [ids[1]]
        with pytest.raises(actions.ConsoleError, match="after"):
            actions.search_customers(db, caller, "name", last, "nonsense", 2)


def test_customer_page_shows_everything_with_secrets_masked(browser) -> None:
    login(browser)  # demo holds VIEW_SSN: still only the last four digits
    page = browser.get("/console/customers/1").text
    for text in ("Jane", "Sample", "101 N Palafox St", "8505550100", "DEMO-0001",
                 'id="h-addresses"', 'id="h-services"', 'id="h-lifeline"', 'id="h-orders"',
                 'id="h-history"', "Unlimited Talk &amp; Text", "6789"):
        assert text in page, text
    for secret in ("123456789", "123-45-6789", "S530123801550", "1980-05-15"):
        assert secret not in page


def test_complete_runs_orders_update_and_opens_the_customer(browser, client, sessions
                                                            ) -> None:
    key = login(browser)
    customer_id, order_id = new_customer(client)
    page = browser.get(f"/console/customers/{customer_id}").text
    assert f'id="complete-{order_id}"' in page and "PENDING" in page
    r = post(browser, f"/console/orders/{order_id}/complete",
             {"note": "done by phone", "back": f"/console/customers/{customer_id}"}, key=key)
    assert r.status_code == 303 and r.headers["location"] == f"/console/customers/{customer_id}"
    assert flash(browser, r.headers["location"]) == f"Order {order_id} completed."
    assert customer_status(client, customer_id) == "OPEN"
    with sessions() as db:
        assert db.get(Order, order_id).status == "COMPLETE"
        entries = db.scalars(select(OrderHistory).where(OrderHistory.order_id == order_id)
                             .order_by(OrderHistory.id)).all()
        assert entries[-1].actor == "user demo" and "done by phone" in (entries[-1].note or "")
        notes = db.scalars(select(CustomerHistory.note).where(
            CustomerHistory.customer_id == customer_id)).all()
        assert any("done by phone" in n for n in notes)
    page = browser.get(f"/console/customers/{customer_id}").text
    assert f'id="complete-{order_id}"' not in page  # COMPLETE is final
    assert "done by phone" in page  # the History pane
    # a CANCELED order: the API's refusal is shown, nothing changes
    customer_id, order_id = new_customer(client)
    out = call_json(client, "Orders_Update", {"Credentials": DEMO, "OrderID": order_id,
                                              "Status": "CANCELED"})
    assert out["Header"]["Success"] is True
    r = post(browser, f"/console/orders/{order_id}/complete",
             {"back": f"/console/customers/{customer_id}"}, key=key)
    assert r.status_code == 303
    shown = flash(browser, r.headers["location"])
    assert f"Order {order_id} was not completed" in shown and "final" in shown
    assert customer_status(client, customer_id) != "OPEN"


def test_resend_queues_a_failed_order_again(browser, client, sessions) -> None:
    key = login(browser)
    customer_id, order_id = new_customer(client)
    with sessions.begin() as db:
        order = db.get(Order, order_id)
        order.status, order.last_error = "ERROR", "provider said no"
    page = browser.get("/console/orders").text
    stuck = page[page.index('id="stuck"'):page.index('id="queue"')]
    assert f'id="order-{order_id}"' in stuck and "provider said no" in stuck
    r = post(browser, f"/console/orders/{order_id}/resend", {"back": "/console/orders"},
             key=key)
    assert r.status_code == 303
    assert flash(browser, "/console/orders") == \
        f"Order {order_id} queued to be sent (was ERROR); a worker sends it shortly."
    with sessions() as db:
        assert db.get(Order, order_id).status == "NEW"
        assert db.scalars(select(OrderOutbox).where(OrderOutbox.order_id == order_id)
                          ).first() is not None
        last = db.scalars(select(OrderHistory).where(OrderHistory.order_id == order_id)
                          .order_by(OrderHistory.id.desc())).first()
        assert last.actor == "user demo" and last.note == "Queued to be sent again (was ERROR)"
    # a SENT order is not resent without --force (the same refusal as the command's)
    with sessions.begin() as db:
        db.get(Order, order_id).status = "SENT"
    assert f'id="resend-{order_id}"' not in browser.get("/console/orders").text
    r = post(browser, f"/console/orders/{order_id}/resend", {"back": "/console/orders"},
             key=key)
    assert flash(browser, "/console/orders").startswith(f"Not resent: order {order_id} ")


def test_order_queue_filters_and_pages(browser, client) -> None:
    login(browser)
    _, order_id = new_customer(client)
    page = browser.get("/console/orders", params={"status": "NEW"}).text
    assert f'id="order-{order_id}"' in page
    page = browser.get("/console/orders", params={"status": "COMPLETE"}).text
    assert f'id="order-{order_id}"' not in page
    assert browser.get("/console/orders", params={"status": "BOGUS"}).status_code == 400
    assert browser.get("/console/orders", params={"after": "garbage"}).status_code == 400


def test_catalog_and_inventory_pages(browser) -> None:
    login(browser)
    page = browser.get("/console/catalog").text
    assert "Business Voice" in page and "MANUAL" in page
    page = browser.get("/console/inventory", params={"status": "AVAILABLE"}).text
    assert "89014103211118510720" in page
    assert browser.get("/console/inventory", params={"status": "NOPE"}).status_code == 400
    assert browser.get("/console/inventory", params={"type": "x"}).status_code == 400


# ------------------------------------------------------------------ isolation


def test_other_client_never_sees_demo_data(browser, client, sessions) -> None:
    customer_id, order_id = new_customer(client)
    with sessions() as db:
        clerk_id = db.scalar(select(User.id).where(User.username == "clerk"))
    key = login(browser, "OTHER", "other", "other")
    for url in ("/console/customers/1", f"/console/customers/{customer_id}"):
        r = browser.get(url)
        assert r.status_code == 404, url
        assert "Jane" not in r.text and "Connie" not in r.text
    for q in ("8505550100", "DEMO-0001", "Sample", "Console", "1", str(customer_id)):
        page = browser.get("/console/customers", params={"q": q}).text
        assert 'href="/console/customers/1"' not in page and \
            f'href="/console/customers/{customer_id}"' not in page, q
    for url in ("/console/orders", "/console/catalog", "/console/inventory"):
        page = browser.get(url).text
        assert f'id="order-{order_id}"' not in page
        assert "Business Voice" not in page and "89014103211118510720" not in page, url
    for action in ("complete", "resend"):
        r = post(browser, f"/console/orders/{order_id}/{action}", key=key)
        assert r.status_code == 404, action
    with sessions() as db:
        assert db.get(Order, order_id).status == "NEW"
    assert browser.get("/console/users").status_code == 403  # other holds no permission
    # an administrator of OTHER cannot touch DEMO's users either
    _, admin = make_user(sessions, "OTHER", ("ADMINISTER_USERS",))
    key = login(browser, "OTHER", admin, admin)
    page = browser.get("/console/users").text
    assert "clerk" not in page and "demo" not in page
    for path, data in (("password", {"password": "new-password"}), ("active", {"active": "0"}),
                       ("permissions", {"permission": "ADMINISTER_USERS"})):
        r = post(browser, f"/console/users/{clerk_id}/{path}", data, key=key)
        assert r.status_code == 404, path
    with sessions() as db:
        clerk = db.get(User, clerk_id)
        assert clerk.active and "ADMINISTER_USERS" in clerk.permission_names


# ------------------------------------------------------------------ users


def test_users_page_needs_administer_users(browser, sessions) -> None:
    name = f"plain-{uuid.uuid4().hex[:6]}"
    key = login(browser)
    post(browser, "/console/users", {"username": name, "password": "plain-password"}, key=key)
    key = login(browser, username=name, password="plain-password")
    assert browser.get("/console/users").status_code == 403
    assert 'href="/console/users"' not in browser.get("/console/customers").text
    r = post(browser, "/console/users", {"username": "x" + name, "password": "whatever-pw"},
             key=key)
    assert r.status_code == 403
    with sessions() as db:
        assert db.scalar(select(User).where(User.username == "x" + name)) is None


def test_administrator_adds_grants_sets_password_and_deactivates(browser, client, sessions
                                                                 ) -> None:
    name = f"agent-{uuid.uuid4().hex[:6]}"
    key = login(browser)
    r = post(browser, "/console/users", {"username": name, "password": "first-password",
                                         "permission": ["VIEW_SSN"]}, key=key)
    assert flash(browser, r.headers["location"]) == f"user {name} added"
    with sessions() as db:
        user = db.scalar(select(User).where(User.username == name))
        user_id = user.id
        assert user.permission_names == {"VIEW_SSN"} and user.active
    api_key = new_session(client, {"Username": name, "Password": "first-password",
                                   "Client": "DEMO"})
    r = post(browser, f"/console/users/{user_id}/permissions",
             {"permission": ["ADMINISTER_USERS"]}, key=key)
    assert "granted ADMINISTER_USERS; revoked VIEW_SSN" in flash(browser, "/console/users")
    r = post(browser, f"/console/users/{user_id}/password", {"password": "short"}, key=key)
    assert "Password: must be 8 to 256 characters" in flash(browser, "/console/users")
    r = post(browser, f"/console/users/{user_id}/password", {"password": "second-password"},
             key=key)
    assert "1 session(s) ended" in flash(browser, "/console/users")
    out = call_json(client, "Orders_Search", {"Session": {"SessionKey": api_key}})
    assert out["Header"]["Error_Code"] == "S2004"
    new_session(client, {"Username": name, "Password": "second-password", "Client": "DEMO"})
    r = post(browser, f"/console/users/{user_id}/active", {"active": "0"}, key=key)
    assert f"{name} deactivated" in flash(browser, "/console/users")
    out = call_json(client, "Sessions_Create", {"Credentials": {
        "Username": name, "Password": "second-password", "Client": "DEMO"}})
    assert out["Header"]["Error_Code"] == "S2005"
    r = post(browser, f"/console/users/{user_id}/active", {"active": "1"}, key=key)
    assert f"{name} reactivated" in flash(browser, "/console/users")
    # bad input: a clear message, nothing written
    for data, message in (({"username": "", "password": "long-enough"}, "Username: required"),
                          ({"username": "a b", "password": "long-enough"}, "no spaces"),
                          ({"username": name, "password": "long-enough"}, "already exists"),
                          ({"username": "n" + name, "password": "long-enough",
                            "permission": "BE_ROOT"}, "unknown BE_ROOT")):
        post(browser, "/console/users", data, key=key)
        assert message in flash(browser, "/console/users"), data
    with sessions() as db:
        assert db.scalar(select(User).where(User.username == "n" + name)) is None


def test_an_administrator_grants_only_what_they_hold_and_keeps_their_own(
        browser, sessions) -> None:
    admin_id, admin = make_user(sessions, "DEMO", ("ADMINISTER_USERS",))  # no VIEW_SSN
    with sessions() as db:
        demo_id = db.scalar(select(User.id).where(User.username == "demo"))
        held_by_demo = db.get(User, demo_id).permission_names
    key = login(browser, username=admin, password=admin)
    name = f"helper-{uuid.uuid4().hex[:6]}"
    post(browser, "/console/users", {"username": name, "password": "helper-password",
                                     "permission": ["VIEW_SSN"]}, key=key)
    assert "you cannot grant VIEW_SSN" in flash(browser, "/console/users")
    with sessions() as db:
        assert db.scalar(select(User).where(User.username == name)) is None
    # saving demo's permissions keeps those clerk does not hold (it cannot revoke them)
    post(browser, f"/console/users/{demo_id}/permissions",
         {"permission": ["ADMINISTER_USERS"]}, key=key)
    with sessions() as db:
        assert db.get(User, demo_id).permission_names == held_by_demo
    post(browser, f"/console/users/{admin_id}/permissions", {}, key=key)
    assert "cannot revoke your own ADMINISTER_USERS" in flash(browser, "/console/users")
    post(browser, f"/console/users/{admin_id}/active", {"active": "0"}, key=key)
    assert "cannot deactivate yourself" in flash(browser, "/console/users")
    with sessions() as db:
        me = db.get(User, admin_id)
        assert me.active and me.permission_names == {"ADMINISTER_USERS"}
    assert browser.get("/console/users/999999/password").status_code in (404, 405)
    r = post(browser, "/console/users/999999/password", {"password": "whatever-pw"}, key=key)
    assert r.status_code == 404


def test_ids_that_cannot_exist_are_404_and_bad_parameters_400(browser) -> None:
    key = login(browser)
    for url in ("/console/customers/99999999999", "/console/customers/0x1",
                "/console/customers/%C2%B2"):
        assert browser.get(url).status_code == 404, url
    r = post(browser, "/console/orders/99999999999/complete", key=key)
    assert r.status_code == 404
    for q in ("99999999999999999999", "²", "8505550100"):
        assert browser.get("/console/customers", params={"q": q}).status_code == 200, q
    assert browser.get("/console/inventory", params={"after": "²"}).status_code == 400


# ------------------------------------------------------------------ imports


def catalog_file(package_id: int, description: str) -> bytes:
    """A catalog file adding one package (on provider 20 MANUAL, with product 2006)."""
    return (f"Packages:\n- ID: {package_id}\n  Description: {description}\n  ProviderID: 20\n"
            f"  ServiceTypeID: 2\n  Products:\n  - {{ID: {package_id}, ProductID: 2006}}\n"
            ).encode()


def upload(c: TestClient, url: str, name: str, data: bytes, *, key: str,
           dry_run: bool = False, csrf: bool = True):
    fields = {"csrf": csrf_token(key)} if csrf else {}
    if dry_run:
        fields["dry_run"] = "1"
    return c.post(url, data=fields, files={"file": (name, data, "application/octet-stream")},
                  headers=SAME_SITE, follow_redirects=False)


def test_catalog_import_checks_then_applies_in_one_transaction(browser, sessions) -> None:
    from openrev.store.tables import Package

    key = login(browser)
    package_id = 80000 + uuid.uuid4().int % 9000
    name = f"Console Package {package_id}"
    r = upload(browser, "/console/catalog/import", "new.yaml",
               catalog_file(package_id, name), key=key, dry_run=True)
    assert r.status_code == 200 and "Checked" in r.text and "dry run: nothing written" in r.text
    with sessions() as db:
        assert db.get(Package, package_id) is None
    r = upload(browser, "/console/catalog/import", "new.yaml",
               catalog_file(package_id, name), key=key)
    assert r.status_code == 200 and "Imported" in r.text
    assert "Packages: 1 created" in r.text
    assert name in browser.get("/console/catalog").text
    # a file with problems: each listed by path, nothing written
    bad = (f"Packages:\n- ID: {package_id + 1}\n  Description: Bad\n  ProviderID: 99999\n"
           f"  Products: []\n").encode()
    r = upload(browser, "/console/catalog/import", "bad.yaml", bad, key=key)
    assert r.status_code == 400 and "Not imported, nothing changed" in r.text
    assert "bad.yaml: Packages[1].ProviderID" in r.text
    with sessions() as db:
        assert db.get(Package, package_id + 1) is None
    for data, message in ((b"\xff\xfe", "not UTF-8 text"),
                          (b"x" * (2 * 1024 * 1024 + 1), "larger than 2 MiB")):
        r = upload(browser, "/console/catalog/import", "odd.yaml", data, key=key)
        assert r.status_code in (400, 413) and message in r.text
    r = browser.post("/console/catalog/import", data={"csrf": csrf_token(key)},
                     headers=SAME_SITE)
    assert r.status_code == 400 and "choose a file" in r.text


def test_imports_need_manage_catalog_and_the_csrf_token(browser, sessions) -> None:
    from openrev.store.tables import Package

    package_id = 80000 + uuid.uuid4().int % 9000 + 9000
    key = login(browser)
    r = upload(browser, "/console/catalog/import", "new.yaml",
               catalog_file(package_id, "No token"), key=key, csrf=False)
    assert r.status_code == 403
    _, plain = make_user(sessions, "DEMO", ("VIEW_SSN",))
    key = login(browser, username=plain, password=plain)
    assert 'id="import-file"' not in browser.get("/console/catalog").text
    assert 'id="import-file"' not in browser.get("/console/inventory").text
    for url in ("/console/catalog/import", "/console/inventory/import"):
        r = upload(browser, url, "f", catalog_file(package_id, "No permission"), key=key)
        assert r.status_code == 403, url
    with sessions() as db:
        assert db.get(Package, package_id) is None


def test_inventory_import_adds_devices_or_lists_problems(browser, sessions) -> None:
    from openrev.domain.devices import luhn_digit
    from openrev.store.tables import InventoryItem

    def imei() -> str:
        body = "35" + f"{uuid.uuid4().int % 10 ** 12:012d}"
        return body + luhn_digit(body)

    key = login(browser)
    a, b = imei(), imei()
    csv = f"Identifier,InventoryType,Status\n{a},Mobile Device,\n{b},Mobile Device,\n".encode()
    r = upload(browser, "/console/inventory/import", "devices.csv", csv, key=key)
    assert r.status_code == 200, r.text
    assert "devices.csv: 2 devices added" in r.text
    with sessions() as db:
        items = db.scalars(select(InventoryItem).where(InventoryItem.identifier.in_((a, b)))
                           ).all()
        assert {i.client_id for i in items} == {1} and len(items) == 2
    bad = f"Identifier,InventoryType,Status\n{imei()},Mobile Device,\n{a[:-1]}0,Nope,\n".encode()
    r = upload(browser, "/console/inventory/import", "bad.csv", bad, key=key)
    assert r.status_code == 400 and "bad.csv: row 3" in r.text
    assert "Not imported, nothing changed" in r.text
    with sessions() as db:
        assert db.scalar(select(InventoryItem).where(
            InventoryItem.identifier == bad.decode().splitlines()[1].split(",")[0])) is None


def test_inventory_pages_follow_the_identifiers(browser, sessions) -> None:
    from openrev.store import console as reads

    with sessions() as db:
        first = reads.inventory_page(db, 1, status=None, type_id=None, after=None, limit=3)
        second = reads.inventory_page(db, 1, status=None, type_id=None,
                                      after=(first[-1].identifier, first[-1].id), limit=3)
        everything = reads.inventory_page(db, 1, status=None, type_id=None, after=None,
                                          limit=6)
    assert [i.id for i in first + second] == [i.id for i in everything]
    assert {i.client_id for i in everything} == {1}
    login(browser)
    page = browser.get("/console/inventory", params={
        "after": f"{first[-1].identifier}|{first[-1].id}"}).text
    assert second[0].identifier in page and first[0].identifier not in page


def test_logging_out_of_an_ended_session_just_forgets_the_cookie(browser) -> None:
    key = login(browser)
    post(browser, "/console/logout", key=key)
    browser.cookies.set(COOKIE, key, path="/console")
    r = post(browser, "/console/logout", key=key)
    assert r.status_code == 303 and r.headers["location"] == "/console/login"
    assert 'openrev_console=""' in r.headers["set-cookie"] or "Max-Age=0" in \
        r.headers["set-cookie"]


def test_every_field_has_a_label_and_every_table_headers(browser, client) -> None:
    from lxml import html

    pages = ["/console/login"]
    key = login(browser)
    customer_id, _ = new_customer(client)
    pages += ["/console/customers?q=Sample", f"/console/customers/{customer_id}",
              "/console/customers/1", "/console/orders", "/console/catalog",
              "/console/inventory", "/console/users"]
    for url in pages:
        if url == "/console/login":
            with TestClient(browser.app, base_url=BASE) as anonymous:
                doc = html.fromstring(anonymous.get(url).text)
        else:
            doc = html.fromstring(browser.get(url).text)
        labelled = set(doc.xpath("//label/@for"))
        fields = doc.xpath("//input[not(@type='hidden')] | //select | //textarea")
        assert fields or url == "/console/customers/1", url  # (no order left to complete)
        for field in fields:
            assert field.get("id") in labelled, (url, html.tostring(field))
        for table in doc.xpath("//table"):
            assert table.xpath(".//th"), (url, table.get("id"))
        assert doc.xpath("//a[@class='skip' and @href='#main']")
        assert doc.xpath("//main[@id='main']")
        assert doc.get("lang") == "en" and doc.xpath("//title")
    assert key
