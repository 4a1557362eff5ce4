"""Sessions: idle expiry, touch, credentials make sessions, keys are random and stored hashed."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from openrev.contract.operations import OPERATIONS
from openrev.domain.passwords import hash_key
from openrev.ops.api import Api
from openrev.settings import Settings
from openrev.store.db import make_engine, make_sessionmaker
from openrev.store.tables import ApiSession, User
from openrev.wire import jsoncodec
from openrev.contract.report import DecodeReport

from helpers import DEMO, Clock


def _call(api: Api, op: str, body: dict) -> object:
    operation = OPERATIONS[op]
    report = DecodeReport()
    return api.call(operation, jsoncodec.decode(body, operation.request, "", report), report)


def _api(database_url: str, minutes: int = 20) -> tuple[Api, Clock]:
    clock = Clock()
    engine = make_engine(database_url)
    return Api(make_sessionmaker(engine), Settings(database_url=database_url,
                                                   session_idle_minutes=minutes), clock), clock


def test_session_expires_after_idle_time_and_use_keeps_it_alive(database_url):
    api, clock = _api(database_url, minutes=20)
    key = _call(api, "Sessions_Create", {"Credentials": DEMO}).Header.SessionKey
    session = {"Session": {"SessionKey": key}}
    clock.now += dt.timedelta(minutes=15)
    assert _call(api, "LifelineTypes_Query", session).Header.Success is True
    clock.now += dt.timedelta(minutes=15)  # 30 min after creation, 15 after last use
    assert _call(api, "LifelineTypes_Query", session).Header.Success is True
    clock.now += dt.timedelta(minutes=21)
    res = _call(api, "LifelineTypes_Query", session)
    assert res.Header.Success is False
    assert res.Header.Error_Code == "S2004"
    assert "expired" in res.Header.Message
    # an expired session is gone for good
    clock.now += dt.timedelta(seconds=1)
    assert _call(api, "LifelineTypes_Query", session).Header.Error_Code == "S2004"
    api.sessions.kw["bind"].dispose()


def test_session_keys_are_random_and_stored_only_as_hashes(database_url):
    api, _ = _api(database_url)
    keys = {_call(api, "Sessions_Create", {"Credentials": DEMO}).Header.SessionKey
            for _ in range(3)}
    assert len(keys) == 3 and all(len(k) >= 43 for k in keys)
    with api.sessions() as db:
        for key in keys:
            assert db.scalars(select(ApiSession).where(ApiSession.key_hash == key)).first() is None
            assert db.scalars(select(ApiSession).where(
                ApiSession.key_hash == hash_key(key))).first() is not None
    api.sessions.kw["bind"].dispose()


def test_passwords_are_stored_as_argon2_hashes(database_url):
    api, _ = _api(database_url)
    with api.sessions() as db:
        user = db.scalars(select(User).where(User.username == "demo")).first()
        assert user.password_hash.startswith("$argon2")
        assert "demo" not in user.password_hash.split("$")[-1]
    api.sessions.kw["bind"].dispose()


def _api_with(database_url: str, **settings: object) -> tuple[Api, Clock]:
    clock = Clock()
    engine = make_engine(database_url)
    return Api(make_sessionmaker(engine), Settings(database_url=database_url, **settings),
               clock), clock


def test_a_session_ends_at_its_absolute_lifetime_even_when_in_use(database_url):
    api, clock = _api_with(database_url, session_max_hours=2)
    key = _call(api, "Sessions_Create", {"Credentials": DEMO}).Header.SessionKey
    session = {"Session": {"SessionKey": key}}
    for _ in range(8):  # used every 15 minutes: never idle, 2 hours after creation at the end
        clock.now += dt.timedelta(minutes=15)
        assert _call(api, "LifelineTypes_Query", session).Header.Success is True
    clock.now += dt.timedelta(seconds=1)
    res = _call(api, "LifelineTypes_Query", session)
    assert (res.Header.Success, res.Header.Error_Code, res.Header.Message) == (
        False, "S2004",
        "Session/SessionKey: the session has expired (a session lasts at most 2 hours); "
        "create a new one")
    assert _call(api, "LifelineTypes_Query", session).Header.Message == \
        "Session/SessionKey: unknown session key"  # and it is gone
    api.sessions.kw["bind"].dispose()


def test_the_absolute_lifetime_defaults_to_12_hours():
    assert Settings().session_max_hours == 12
    assert Settings.from_env({}).session_max_hours == 12
    assert Settings.from_env({"OPENREV_SESSION_MAX_HOURS": "3"}).session_max_hours == 3


def test_a_session_is_marked_used_on_its_first_use(database_url):
    api, clock = _api_with(database_url)
    key = _call(api, "Sessions_Create", {"Credentials": DEMO}).Header.SessionKey

    def row() -> ApiSession:
        with api.sessions() as db:
            return db.scalars(select(ApiSession).where(
                ApiSession.key_hash == hash_key(key))).one()

    assert (row().used, row().last_used_at) == (False, clock.now)
    clock.now += dt.timedelta(seconds=5)  # within TOUCH_EVERY, but the first use
    assert _call(api, "LifelineTypes_Query", {"Session": {"SessionKey": key}}).Header.Success
    assert (row().used, row().last_used_at) == (True, clock.now)
    used_at = clock.now
    clock.now += dt.timedelta(seconds=5)  # not written again within TOUCH_EVERY
    assert _call(api, "LifelineTypes_Query", {"Session": {"SessionKey": key}}).Header.Success
    assert row().last_used_at == used_at
    clock.now += dt.timedelta(seconds=31)
    assert _call(api, "LifelineTypes_Query", {"Session": {"SessionKey": key}}).Header.Success
    assert row().last_used_at == clock.now
    api.sessions.kw["bind"].dispose()
