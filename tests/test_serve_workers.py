"""``openrev serve --workers 2`` (openrev.wire.serve), as a real process: two server processes
each with its own SO_REUSEPORT socket on the same port, both answering (``/health`` names the
answering process in ``X-Openrev-Worker``), a dead worker replaced, and SIGTERM or Ctrl-C
(SIGINT to the process group) stopping them all."""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from openrev.cli import main

DEADLINE = 90  # seconds to wait for anything (a shared, loaded machine); never asserted on


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _health(port: int) -> str | None:
    """The pid that answered ``/health`` on a new connection (None: nobody listening)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", "/health")
        r = conn.getresponse()
        r.read()
        assert r.status == 200
        return r.getheader("X-Openrev-Worker")
    except OSError:
        return None
    finally:
        conn.close()


def _parent_of(pid: int) -> int | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return int(stat.rsplit(")", 1)[1].split()[1])


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return _parent_of(pid) is not None  # not a zombie left for someone to reap


def _pids_answering(port: int, proc: subprocess.Popen, want: set[str] | None = None,
                    exclude: set[str] = frozenset()) -> set[str]:
    """Open new connections until two different processes (not in ``exclude``) answered."""
    seen: set[str] = set()
    deadline = time.monotonic() + DEADLINE
    while len(seen - exclude) < 2:
        assert proc.poll() is None, proc.stdout.read() if proc.stdout else ""
        assert time.monotonic() < deadline, f"only {seen} answered"
        pid = _health(port)
        if pid is None:
            time.sleep(0.2)
        else:
            seen.add(pid)
    return seen - exclude


@pytest.fixture(scope="module")
def own_url(database_url: str) -> Iterator[str]:
    """A database of these tests alone (on the backend of ``database_url``), with the demo
    data: the server processes never touch the file the rest of the suite shares."""
    from openrev.store.testing import demo_database

    with demo_database(database_url) as url:
        yield url


@pytest.fixture
def served(own_url: str, tmp_path: Path) -> Iterator[tuple[subprocess.Popen, int]]:
    port = _free_port()
    log = (tmp_path / "serve.log").open("w+")
    proc = subprocess.Popen(
        [sys.executable, "-m", "openrev.cli", "serve", "--database", own_url, "--port",
         str(port), "--workers", "2", "--no-worker", "--log-level", "WARNING"],
        stdout=log, stderr=subprocess.STDOUT, start_new_session=True, text=True)
    try:
        yield proc, port
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)  # its own process group: the test's only
            proc.wait()
        log.close()


@pytest.mark.parametrize("stop", ["SIGTERM to the server", "Ctrl-C (SIGINT to the group)"])
def test_two_workers_answer_and_stop_together(served, stop: str) -> None:
    proc, port = served
    pids = _pids_answering(port, proc)
    assert len(pids) == 2
    for pid in pids:  # processes of their own, children of the one that was started
        assert _parent_of(int(pid)) == proc.pid

    # a call over the API works on both (one connection each until both were seen)
    seen: set[str] = set()
    deadline = time.monotonic() + DEADLINE
    while seen != pids and time.monotonic() < deadline:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request("POST", "/v20/json/Sessions_Create", body=json.dumps(
            {"Credentials": {"Username": "demo", "Password": "demo", "Client": "DEMO"}}),
            headers={"Content-Type": "application/json"})
        out = json.loads(conn.getresponse().read())
        assert out["Header"]["Success"] is True, out
        conn.request("GET", "/health")
        r = conn.getresponse()
        r.read()
        seen.add(r.getheader("X-Openrev-Worker"))
        conn.close()
    assert seen == pids

    if stop.startswith("SIGTERM"):
        proc.send_signal(signal.SIGTERM)
    else:
        os.killpg(proc.pid, signal.SIGINT)
    assert proc.wait(timeout=DEADLINE) == 0
    assert not [pid for pid in pids if _alive(int(pid))]
    assert _health(port) is None


def test_a_dead_worker_is_replaced(served) -> None:
    proc, port = served
    first = _pids_answering(port, proc)
    victim = sorted(first)[0]
    # a worker that dies right after it starts stops the server (it would not start again):
    # wait until it has been up for longer than that
    started = time.monotonic()
    from openrev.wire.serve import CRASH_SECONDS

    while time.monotonic() - started < CRASH_SECONDS + 1:
        time.sleep(0.5)
    os.kill(int(victim), signal.SIGKILL)
    now = _pids_answering(port, proc, exclude={victim})
    assert victim not in now and len(now) == 2
    assert all(_parent_of(int(pid)) == proc.pid for pid in now)
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=DEADLINE) == 0
    assert not [pid for pid in now if _alive(int(pid))]


def test_workers_below_one_is_a_usage_error(database_url: str, capsys) -> None:
    assert main(["serve", "--database", database_url, "--workers", "0"]) == 2
    err = capsys.readouterr().err
    assert err.strip() == "openrev: error: --workers 0: must be at least 1", err


def test_accepted_connections_of_a_reuseport_socket_have_tcp_nodelay() -> None:
    """What each worker of ``--workers N`` serves on (uvicorn's shared socket lost it)."""
    import threading

    import uvicorn

    from openrev.wire.serve import listening_socket

    async def app(scope, receive, send):
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    port = _free_port()
    sock = listening_socket("127.0.0.1", port)
    assert sock.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + DEADLINE
        while not server.started:
            assert thread.is_alive() and time.monotonic() < deadline
            time.sleep(0.05)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request("GET", "/")
        assert conn.getresponse().read() == b"ok"  # the connection stays open (keep-alive)
        [served] = list(server.server_state.connections)
        accepted = served.transport.get_extra_info("socket")
        assert accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0
        conn.close()
    finally:  # the server closes the socket (closing it again could close a reused fd)
        server.should_exit = True
        thread.join(timeout=DEADLINE)
