"""The openrev command, through main([...])."""

from __future__ import annotations

import io
import os
import sys
import threading
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy import func, select

from openrev.cli import main
from openrev.domain.passwords import hash_impersonation_key, hash_key, verify_password
from openrev.logs import log_config
from openrev.store.db import make_engine, make_sessionmaker
from openrev.store.migrate import current_revision, head_revision
from openrev.store.tables import Client, Customer, User


def _stdin(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(text))


def _user(url: str, client: str, username: str) -> User:
    engine = make_engine(url)
    try:
        with make_sessionmaker(engine)() as s:
            return s.scalar(select(User).join(Client, Client.id == User.client_id).where(
                Client.code == client, User.username == username))
    finally:
        engine.dispose()


def test_init_twice(database_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["init", "--database", database_url]) == 0
    assert main(["init", "--database", database_url]) == 0
    assert current_revision(database_url) == head_revision()
    assert head_revision() in capsys.readouterr().out


def test_init_takes_the_url_from_the_environment(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENREV_DATABASE_URL", database_url)
    assert main(["init"]) == 0
    assert current_revision(database_url) == head_revision()


def test_demo_twice_prints_the_credentials(
    database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["demo", "--database", database_url]) == 0
    assert main(["demo", "--database", database_url]) == 0
    out = capsys.readouterr().out
    for line in ("DEMO / demo / demo", "DEMO / clerk / clerk", "OTHER / other / other",
                 "clerk-impersonation-key"):
        assert line in out
    engine = make_engine(database_url)
    with make_sessionmaker(engine)() as s:
        assert s.scalar(select(func.count()).select_from(Customer)) == 2
    engine.dispose()


def test_client_add(database_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["init", "--database", database_url]) == 0
    assert main(["client", "add", "ACME", "--name", "Acme Telecom", "--tax-engine", "CCH",
                 "--database", database_url]) == 0
    engine = make_engine(database_url)
    with make_sessionmaker(engine)() as s:
        acme = s.scalar(select(Client).where(Client.code == "ACME"))
        assert (acme.name, acme.tax_engine, acme.lifeline_form_status) == (
            "Acme Telecom", "CCH", "NEEDS_REVIEW")
    engine.dispose()
    capsys.readouterr()
    assert main(["client", "add", "ACME", "--name", "Again", "--database", database_url]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "already exists" in err and "Traceback" not in err


def test_client_add_rejects_an_unknown_tax_engine(database_url: str) -> None:
    assert main(["client", "add", "ACME", "--name", "A", "--tax-engine", "AVALARA",
                 "--database", database_url]) == 2


def test_user_add_reads_the_password_from_stdin(
    database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["init", "--database", database_url]) == 0
    assert main(["client", "add", "ACME", "--name", "Acme", "--database", database_url]) == 0
    _stdin(monkeypatch, "correct horse\n")
    assert main(["user", "add", "ACME", "alice", "--permission", "VIEW_SSN",
                 "--database", database_url]) == 0
    alice = _user(database_url, "ACME", "alice")
    assert alice.password_hash.startswith("$argon2") and "correct horse" not in alice.password_hash
    assert verify_password(alice.password_hash, "correct horse")
    assert alice.permission_names == {"VIEW_SSN"}
    assert alice.impersonation_key_hash is None

    _stdin(monkeypatch, "pw\nbobs-key\n")
    assert main(["user", "add", "ACME", "bob", "--impersonation-key-stdin",
                 "--database", database_url]) == 0
    bob = _user(database_url, "ACME", "bob")
    assert verify_password(bob.password_hash, "pw")
    assert bob.impersonation_key_hash == hash_impersonation_key("bobs-key")
    assert bob.impersonation_key_hash != hash_key("bobs-key")  # keyed, not plain SHA-256

    capsys.readouterr()
    _stdin(monkeypatch, "pw\n")
    assert main(["user", "add", "ACME", "alice", "--database", database_url]) == 1
    assert "already exists" in capsys.readouterr().err


def test_user_add_errors(
    database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["demo", "--database", database_url]) == 0
    capsys.readouterr()

    _stdin(monkeypatch, "pw\n")
    assert main(["user", "add", "DEMO", "eve", "--permission", "BE_ROOT",
                 "--database", database_url]) == 2
    err = capsys.readouterr().err
    assert "BE_ROOT" in err and "VIEW_SSN" in err and "IMPERSONATE_USERS" in err

    _stdin(monkeypatch, "pw\n")
    assert main(["user", "add", "NOPE", "eve", "--database", database_url]) == 1
    assert "NOPE" in capsys.readouterr().err

    _stdin(monkeypatch, "")
    assert main(["user", "add", "DEMO", "eve", "--database", database_url]) == 1
    err = capsys.readouterr().err
    assert "password" in err and "Traceback" not in err
    assert _user(database_url, "DEMO", "eve") is None


def test_user_grant_and_set_impersonation_key(
    database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["demo", "--database", database_url]) == 0
    assert main(["user", "grant", "DEMO", "clerk", "VIEW_SSN", "IMPERSONATE_USERS",
                 "--database", database_url]) == 0
    assert main(["user", "grant", "DEMO", "clerk", "VIEW_SSN", "--database", database_url]) == 0
    from openrev.contract.enums import PERMISSIONS
    from openrev.store.demo import RESTRICTED_PERMISSIONS
    assert _user(database_url, "DEMO", "clerk").permission_names == (  # the demo's + granted
        frozenset(PERMISSIONS) - set(RESTRICTED_PERMISSIONS)) | {"VIEW_SSN", "IMPERSONATE_USERS"}
    assert main(["user", "grant", "DEMO", "clerk", "NOT_A_PERMISSION",
                 "--database", database_url]) == 2
    assert main(["user", "grant", "DEMO", "nobody", "VIEW_SSN", "--database", database_url]) == 1

    _stdin(monkeypatch, "a-new-key\n")
    assert main(["user", "set-impersonation-key", "DEMO", "demo",
                 "--database", database_url]) == 0
    assert _user(database_url, "DEMO", "demo").impersonation_key_hash == \
        hash_impersonation_key("a-new-key")


def _count(url: str, model: Any, *where: Any) -> int:
    engine = make_engine(url)
    try:
        with make_sessionmaker(engine)() as s:
            return s.scalar(select(func.count()).select_from(model).where(*where))
    finally:
        engine.dispose()


def _add_sessions_and_failures(url: str) -> dict[str, int]:
    """Two sessions of demo, one of clerk, one of other (client OTHER); three failed logins
    of DEMO/demo and one of DEMO/clerk. Returns the user ids by name."""
    import datetime as dt

    from openrev.store import authrepo

    now = dt.datetime.now(dt.timezone.utc)
    engine = make_engine(url)
    try:
        with make_sessionmaker(engine).begin() as s:
            users = {u.username: u for u in s.scalars(select(User))}
            for n, name in enumerate(["demo", "demo", "clerk", "other"]):
                u = users[name]
                authrepo.create_session(s, key_hash=f"{n:064d}", client_id=u.client_id,
                                        user_id=u.id, real_user_id=u.id, impersonated=False,
                                        now=now)
            for name in ["demo", "demo", "demo", "clerk"]:
                authrepo.record_login_failure(s, "DEMO", name, "10.0.0.1", now)
            return {name: u.id for name, u in users.items()}
    finally:
        engine.dispose()


def test_user_passwd_sets_the_password_and_ends_the_sessions(
    database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from openrev.store.tables import ApiSession, LoginFailure

    assert main(["demo", "--database", database_url]) == 0
    ids = _add_sessions_and_failures(database_url)
    capsys.readouterr()
    _stdin(monkeypatch, "new secret\n")
    assert main(["user", "passwd", "DEMO", "demo", "--database", database_url]) == 0
    assert capsys.readouterr().out == \
        "password changed for demo in client DEMO; 2 session(s) ended\n"
    demo = _user(database_url, "DEMO", "demo")
    assert verify_password(demo.password_hash, "new secret")
    assert not verify_password(demo.password_hash, "demo")
    assert demo.password_changed_at is not None
    assert _count(database_url, ApiSession, ApiSession.user_id == ids["demo"]) == 0
    assert _count(database_url, ApiSession) == 2  # clerk's and other's stay
    assert _count(database_url, LoginFailure, LoginFailure.username == "demo") == 0
    assert _count(database_url, LoginFailure) == 1

    _stdin(monkeypatch, "")
    assert main(["user", "passwd", "DEMO", "demo", "--database", database_url]) == 1
    assert "password expected on standard input" in capsys.readouterr().err
    _stdin(monkeypatch, "x\n")
    assert main(["user", "passwd", "DEMO", "nobody", "--database", database_url]) == 1
    assert "'nobody' does not exist" in capsys.readouterr().err


def test_user_unlock_forgets_the_failed_logins(
    database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from openrev.store.tables import LoginFailure

    assert main(["demo", "--database", database_url]) == 0
    _add_sessions_and_failures(database_url)
    capsys.readouterr()
    assert main(["user", "unlock", "DEMO", "demo", "--database", database_url]) == 0
    assert capsys.readouterr().out == "demo in client DEMO unlocked (3 failed login(s) forgotten)\n"
    assert _count(database_url, LoginFailure, LoginFailure.username == "demo") == 0
    assert _count(database_url, LoginFailure, LoginFailure.username == "clerk") == 1
    assert main(["user", "unlock", "DEMO", "nobody", "--database", database_url]) == 1


def test_session_revoke_a_user_or_a_whole_client(
    database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from openrev.store.tables import ApiSession

    assert main(["demo", "--database", database_url]) == 0
    ids = _add_sessions_and_failures(database_url)
    capsys.readouterr()
    assert main(["session", "revoke", "DEMO", "clerk", "--database", database_url]) == 0
    assert capsys.readouterr().out == "1 session(s) of clerk in client DEMO ended\n"
    assert _count(database_url, ApiSession, ApiSession.user_id == ids["clerk"]) == 0
    assert _count(database_url, ApiSession) == 3
    assert main(["session", "revoke", "DEMO", "--all", "--database", database_url]) == 0
    assert capsys.readouterr().out == "2 session(s) of client DEMO ended\n"
    assert _count(database_url, ApiSession) == 1  # OTHER's session stays
    assert _count(database_url, ApiSession, ApiSession.user_id == ids["other"]) == 1
    assert main(["session", "revoke", "DEMO", "--database", database_url]) == 2
    assert main(["session", "revoke", "DEMO", "demo", "--all", "--database", database_url]) == 2
    assert "USERNAME or --all" in capsys.readouterr().err


def test_errors_are_one_line_without_traceback(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["init", "--database", "postgresql://nobody@127.0.0.1:1/none"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("openrev: ") and err.count("\n") == 1 and "Traceback" not in err
    assert main([]) == 2
    assert main(["user"]) == 2
    assert main(["--version"]) == 0


class _FakeUvicorn:
    def __init__(self) -> None:
        self.calls: list[tuple[tuple[Any, ...], dict[str, Any]]] = []
        self.env_url: str | None = None
        self.flow_worker_urls: list[str] = []  # the in-process order worker asked for

    def run(self, *args: Any, **kwargs: Any) -> None:
        self.calls.append((args, kwargs))
        self.env_url = os.environ.get("OPENREV_DATABASE_URL")


@pytest.fixture
def fake_uvicorn(monkeypatch: pytest.MonkeyPatch) -> _FakeUvicorn:
    import uvicorn

    from openrev import cli

    from openrev.provision import commands

    fake = _FakeUvicorn()
    monkeypatch.setattr(uvicorn, "run", fake.run)
    # these tests are about flags and variables; the schema and port checks have their own
    # tests (tests/test_first_hour.py)
    monkeypatch.setattr(cli, "_check_schema", lambda url: None)
    monkeypatch.setattr(cli, "_check_port_free", lambda host, port: None)

    def flow_worker(url: str, settings: Any) -> tuple[threading.Event, Any]:
        # the real one is a thread that would open (and create) these databases - the
        # default ./openrev.db and /tmp paths every test run on the machine shares - and
        # outlive the test (tests/test_first_hour.py serves with the real one)
        fake.flow_worker_urls.append(url)
        return threading.Event(), SimpleNamespace(dispose=lambda: None)

    monkeypatch.setattr(commands, "start_serve_worker", flow_worker)
    for name in ("OPENREV_DATABASE_URL", "OPENREV_HOST", "OPENREV_PORT", "OPENREV_LOG_LEVEL",
                 "OPENREV_LOG_FORMAT"):
        # set first, so that monkeypatch also restores a variable's absence after the test:
        # `openrev serve` sets OPENREV_DATABASE_URL (for its workers), which would otherwise
        # stay set, relative path and all, for the rest of the run and its subprocesses
        monkeypatch.setenv(name, "")
        monkeypatch.delenv(name)
    return fake


def test_serve_defaults(fake_uvicorn: _FakeUvicorn, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve"]) == 0
    (args, kwargs), = fake_uvicorn.calls
    assert args == ("openrev.wire.app:app_from_env",)
    assert kwargs == {"factory": True, "host": "127.0.0.1", "port": 8020,
                      "log_config": log_config("INFO", "text"), "log_level": "info"}
    assert fake_uvicorn.env_url == "sqlite:///openrev.db"
    assert fake_uvicorn.flow_worker_urls == ["sqlite:///openrev.db"]
    assert "http://127.0.0.1:8020/" in capsys.readouterr().out


def test_serve_environment_then_flags(
    fake_uvicorn: _FakeUvicorn, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENREV_HOST", "0.0.0.0")
    monkeypatch.setenv("OPENREV_PORT", "9000")
    monkeypatch.setenv("OPENREV_DATABASE_URL", "sqlite:////tmp/env.db")
    assert main(["serve"]) == 0
    assert fake_uvicorn.calls[-1][1]["host"] == "0.0.0.0"
    assert fake_uvicorn.calls[-1][1]["port"] == 9000
    assert fake_uvicorn.env_url == "sqlite:////tmp/env.db"

    monkeypatch.setenv("OPENREV_LOG_LEVEL", "warning")
    assert main(["serve"]) == 0
    assert fake_uvicorn.calls[-1][1]["log_level"] == "warning"

    from openrev.wire import serve

    def fake_workers(workers: int, host: str, port: int, kwargs: dict[str, Any]) -> int:
        fake_uvicorn.calls.append(((), {"workers": workers, "host": host, "port": port,
                                        **kwargs}))
        fake_uvicorn.env_url = os.environ.get("OPENREV_DATABASE_URL")
        return 0

    monkeypatch.setattr(serve, "serve_workers", fake_workers)  # tests/test_serve_workers.py
    assert main(["serve", "--host", "127.0.0.2", "--port", "9100", "--workers", "3",
                 "--database", "sqlite:////tmp/flag.db", "--log-level", "error"]) == 0
    kwargs = fake_uvicorn.calls[-1][1]
    assert (kwargs["host"], kwargs["port"], kwargs["workers"]) == ("127.0.0.2", 9100, 3)
    assert kwargs["app"] == "openrev.wire.app:app_from_env" and kwargs["factory"] is True
    assert kwargs["log_level"] == "error" and kwargs["log_config"] == log_config("ERROR")
    assert fake_uvicorn.env_url == "sqlite:////tmp/flag.db"
    assert fake_uvicorn.flow_worker_urls == ["sqlite:////tmp/env.db"] * 2 + [
        "sqlite:////tmp/flag.db"]


def test_serve_rejects_a_bad_port_in_the_environment(
    fake_uvicorn: _FakeUvicorn, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENREV_PORT", "eighty")
    assert main(["serve"]) == 2
    assert fake_uvicorn.calls == []
