"""How many operations run at once (openrev.wire.lanes), over the wire on JSON and SOAP.

A server process runs at most ``OPENREV_CALL_THREADS`` operations at once; the others wait
their turn without a thread. Calls that carry Credentials have a lane of their own, so
password checks that hold every slot of theirs never hold up a call with a session.
"""

from __future__ import annotations

import threading
import time

import anyio
import httpx
import pytest

from helpers import DEMO, creds_xml, envelope, headers_for, session_xml
from openrev.ops import auth
from openrev.ops.base import HANDLERS, Registered
from openrev.settings import Settings
from openrev.wire.app import create_app
from openrev.wire.lanes import carries_credentials


def test_the_lane_is_chosen_by_the_element_name() -> None:
    assert carries_credentials(b'{"Credentials": {"Username": "demo"}}')
    assert carries_credentials(b"<r:Credentials><r:Username>demo</r:Username></r:Credentials>")
    assert carries_credentials(b'{"credentials": {}}')
    assert not carries_credentials(b'{"Session": {"SessionKey": "k"}}')


@pytest.fixture
def small_app(database_url: str):
    app = create_app(Settings(database_url=database_url, call_threads=2))
    yield app
    app.state.engine.dispose()


def _session_key(app) -> str:
    from starlette.testclient import TestClient

    with TestClient(app) as c:
        out = c.post("/v20/json/Sessions_Create", json={"Credentials": DEMO}).json()
    assert out["Header"]["Success"] is True, out
    return out["Header"]["SessionKey"]


def _succeeded(r: httpx.Response) -> bool:
    return r.status_code == 200 and (b'"Success":true' in r.content
                                     or b"<Success>true</Success>" in r.content)


def _requests(key: str) -> list[tuple[str, bytes, dict[str, str]]]:
    """The no-work operation with a session, on JSON, SOAP 1.1 and SOAP 1.2."""
    json_body = ('{"Session": {"SessionKey": "%s"}}' % key).encode()
    out = [("/v20/json/LifelineTypes_Query", json_body, {"content-type": "application/json"})]
    for version in (11, 12):
        out.append(("/v20/default.asmx",
                    envelope("LifelineTypes_Query", session_xml(key), version=version),
                    headers_for(version, "LifelineTypes_Query")))
    return out


def test_at_most_call_threads_operations_run_at_once(small_app, monkeypatch) -> None:
    key = _session_key(small_app)
    running = [0, 0]  # now, most at once
    guard = threading.Lock()
    registered = HANDLERS["LifelineTypes_Query"]

    def slow(ctx, req):
        with guard:
            running[0] += 1
            running[1] = max(running[1], running[0])
        time.sleep(0.15)
        with guard:
            running[0] -= 1
        return registered.handler(ctx, req)

    monkeypatch.setitem(HANDLERS, "LifelineTypes_Query",
                        Registered(slow, registered.permission, registered.writes))
    answers: list[httpx.Response] = []

    async def main() -> None:
        transport = httpx.ASGITransport(app=small_app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
            async def one(path: str, body: bytes, headers: dict[str, str]) -> None:
                answers.append(await c.post(path, content=body, headers=headers))

            async with anyio.create_task_group() as tg:
                for _ in range(3):
                    for path, body, headers in _requests(key):
                        tg.start_soon(one, path, body, headers)

    anyio.run(main)
    assert len(answers) == 9
    assert all(r.status_code == 200 and _succeeded(r) for r in answers), \
        [r.content[:300] for r in answers]
    assert running[1] == 2  # nine calls, two at a time


def test_logins_holding_their_lane_do_not_hold_up_calls_with_a_session(small_app, monkeypatch
                                                                        ) -> None:
    key = _session_key(small_app)
    small_app.state.api.auth.verified = auth.VerifiedCache()  # the logins must check passwords
    release = threading.Event()
    checking = threading.Semaphore(0)
    real_verify = auth.verify_password

    def held_verify(password_hash: str, password: str) -> bool:
        checking.release()
        release.wait(20)
        return real_verify(password_hash, password)

    monkeypatch.setattr(auth, "verify_password", held_verify)
    done: dict[str, float] = {}
    answers: dict[str, httpx.Response] = {}

    async def main() -> None:
        transport = httpx.ASGITransport(app=small_app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t",
                                     timeout=30) as c:
            async def login(name: str, version: int | None) -> None:
                if version is None:
                    r = await c.post("/v20/json/Sessions_Create", json={"Credentials": DEMO})
                else:
                    r = await c.post("/v20/default.asmx", content=envelope(
                        "Sessions_Create", creds_xml(DEMO), version=version),
                        headers=headers_for(version, "Sessions_Create"))
                answers[name] = r
                done[name] = time.monotonic()

            async def with_session() -> None:
                # both login slots are taken: one login is in its password check, the other
                # waits for it (one user's checks run one at a time)
                await anyio.to_thread.run_sync(checking.acquire)
                for path, body, headers in _requests(key):
                    r = await c.post(path, content=body, headers=headers)
                    assert r.status_code == 200, r.text
                    assert _succeeded(r), r.content[:300]
                done["session"] = time.monotonic()
                release.set()

            async with anyio.create_task_group() as tg:
                tg.start_soon(login, "json", None)
                tg.start_soon(login, "soap12", 12)
                tg.start_soon(login, "soap11", 11)
                tg.start_soon(with_session)

    anyio.run(main)
    assert done["session"] < min(done["json"], done["soap11"], done["soap12"])
    for name in ("json", "soap11", "soap12"):
        assert answers[name].status_code == 200
        assert _succeeded(answers[name]), answers[name].content[:300]
