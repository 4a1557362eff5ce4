"""Order flow-through with real ``openrev worker`` processes: every order reaches its provider
exactly once, even when a worker is killed in the middle of a send, and when two workers
share one PostgreSQL database.

What is proven, against the simulated carrier DEMOWIRELESS (its ``carrier_ledger`` has one
row per request id it received; ``sends`` counts the send requests that arrived under the id,
``lookups`` the status questions):

* **a worker killed mid-send** (``SIGKILL``, no chance to clean up): the carrier has
  recorded an order (a ledger row) that the worker had not recorded yet — the latency fault
  (applied *after* the carrier answered) holds the worker in that window. A new worker takes
  the dead worker's orders once their leases expire, *asks* the carrier about each order
  that may have been sent (``lookups``) instead of sending it again, and finishes the queue:
  one ledger row per order, each sent once, each order COMPLETE once in its history.
* **two workers on PostgreSQL** (``FOR UPDATE SKIP LOCKED``): thousands of orders, both
  workers take part, and still one ledger row per order, each sent once.

Each test makes its own database (demo data, ``openrev seed-customers`` for customers and
services), because the workers run as separate processes on it. SQLite always; PostgreSQL too
when ``OPENREV_TEST_POSTGRES_URL`` is set (an unreachable server is an error, never a skip).
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select, update
from sqlalchemy.orm import Session

from openrev.cli import main
from openrev.store import outbox
from openrev.store.db import make_engine, make_sessionmaker
from openrev.store.demo import load_demo
from openrev.store.migrate import upgrade
from openrev.store.tables import CarrierLedger, Order, OrderHistory, OrderOutbox, Provider, \
    Service
from openrev.store.testing import fresh_database

PG_URL = os.environ.get("OPENREV_TEST_POSTGRES_URL")
BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])

DEMO_CLIENT_ID = 1
DEMOWIRELESS = 10  # the demo's provider with the DEMOWIRELESS adapter
KILL_ORDERS = 20  # orders of the kill test
TWO_WORKER_ORDERS = 3000  # orders of the two-worker test: about a minute on 2 idle CPUs


# ---------------------------------------------------------------------- databases


@pytest.fixture(params=BACKENDS)
def fresh_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A new database of its own, migrated and loaded with the demo data."""
    base = f"sqlite:///{tmp_path}/flow.db" if request.param == "sqlite" else PG_URL
    assert base
    with fresh_database(base) as url:
        upgrade(url)
        engine = make_engine(url)
        with make_sessionmaker(engine)() as db:
            load_demo(db)
            db.commit()
        engine.dispose()
        try:
            yield url
        finally:
            if url in _ENGINES:  # the test's engine, before the database is dropped
                _ENGINES.pop(url).dispose()


_ENGINES: dict[str, Engine] = {}


@contextmanager
def session_on(url: str) -> Iterator[Session]:
    """A session on the test's one engine for ``url`` (disposed of by ``fresh_url``; the
    workers have engines of their own)."""
    if url not in _ENGINES:
        _ENGINES[url] = make_engine(url)
    with make_sessionmaker(_ENGINES[url])() as db:
        yield db


def queue_orders(url: str, customers: int, capsys: pytest.CaptureFixture[str]) -> list[int]:
    """``customers`` new customers (``openrev seed-customers``: each with a service on a
    DEMOWIRELESS package), and a flow-through activation order on each one's service, waiting
    in the outbox as NewCustomers_Create leaves it. The new orders' ids."""
    with session_on(url) as db:
        last_service = db.scalar(select(func.max(Service.id))) or 0
    jobs = ["--jobs", "1"] if customers < 1000 else []
    assert main(["seed-customers", str(customers), "--client", "DEMO", "--database", url,
                 *jobs]) == 0
    capsys.readouterr()
    now = dt.datetime.now(dt.timezone.utc)
    with session_on(url) as db:
        services = list(db.scalars(select(Service).where(Service.id > last_service)
                                   .order_by(Service.id)))
        assert len(services) == customers
        assert {s.provider_id for s in services} == {DEMOWIRELESS}
        orders = [Order(client_id=DEMO_CLIENT_ID, customer_id=s.customer_id, service_id=s.id,
                        provider_id=DEMOWIRELESS, order_type="NEW", status="NEW",
                        flow_through=True, created_at=now) for s in services]
        db.add_all(orders)
        db.flush()
        for order in orders:
            outbox.enqueue(db, order, now)
        db.commit()
        return [o.id for o in orders]


def set_provider(url: str, **values: Any) -> None:
    with session_on(url) as db:
        db.execute(update(Provider).where(Provider.id == DEMOWIRELESS).values(**values))
        db.commit()


def fault(url: str, capsys: pytest.CaptureFixture[str], *options: str) -> None:
    """``openrev provider fault DEMOWIRELESS --client DEMO OPTIONS``."""
    assert main(["provider", "fault", "DEMOWIRELESS", "--client", "DEMO", "--database", url,
                 *options]) == 0
    capsys.readouterr()


# ---------------------------------------------------------------------- worker processes


class Worker:
    """An ``openrev worker`` process; its output goes to files (a pipe nobody reads could
    fill up and stall it)."""

    def __init__(self, url: str, logs: Path, name: str, **env: str) -> None:
        self.name = name
        self.out = logs / f"{name}.out"
        self.err = logs / f"{name}.err"
        environment = {**os.environ, **env}
        environment.pop("OPENREV_DATABASE_URL", None)
        with open(self.out, "wb") as out, open(self.err, "wb") as err:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "openrev.cli", "worker", "--database", url],
                env=environment, stdout=out, stderr=err, stdin=subprocess.DEVNULL)

    @property
    def owner(self) -> str:
        """Its lease owner and history actor (``provision.worker.default_owner``)."""
        return f"worker {socket.gethostname()}:{self.proc.pid}"[:100]

    def running(self) -> bool:
        return self.proc.poll() is None

    def kill(self) -> None:
        """SIGKILL: it dies where it is, leases held, nothing recorded."""
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=30)

    def stop(self) -> int:
        """SIGTERM: it finishes the order in hand and exits; its exit status."""
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=30)
            raise AssertionError(f"{self.name} did not stop within 60 s of SIGTERM\n"
                                 f"{self.logs()}") from None

    def close(self) -> None:
        if self.running():
            self.proc.kill()
            self.proc.wait(timeout=30)

    def logs(self, tail: int = 4000) -> str:
        def read(path: Path) -> str:
            text = path.read_text(errors="replace") if path.exists() else ""
            return text if len(text) <= tail else "..." + text[-tail:]

        status = "running" if self.running() else f"exited {self.proc.returncode}"
        return (f"--- {self.name} (pid {self.proc.pid}, {status}) stdout:\n{read(self.out)}"
                f"--- {self.name} stderr:\n{read(self.err)}")


@contextmanager
def workers(url: str, logs: Path, *names: str, **env: str) -> Iterator[list[Worker]]:
    """Worker processes started together; any still running at the end are killed."""
    started: list[Worker] = []
    try:
        for name in names:
            started.append(Worker(url, logs, name, **env))
        yield started
    finally:
        for w in started:
            w.close()


def wait_until(check: Callable[[], bool], seconds: float, what: str, running: list[Worker],
               describe: Callable[[], str] = lambda: "", poll: float = 0.2,
               progress: Callable[[], object] | None = None, stalled: float = 0.0) -> float:
    """Poll ``check`` until it holds; fail after ``seconds`` (or, given ``progress``, after
    ``stalled`` seconds in which its value did not change), or at once when a worker exits,
    with the workers' output. The seconds it took."""
    started = moved = time.monotonic()
    last = progress() if progress else None
    while not check():
        now = time.monotonic()
        if progress is not None and (value := progress()) != last:
            last, moved = value, now
        dead = [w for w in running if not w.running()]
        why = (f"{dead[0].name} exited" if dead
               else f"not within {seconds:g} s" if now - started > seconds
               else f"no progress for {stalled:g} s" if progress and stalled
               and now - moved > stalled
               else None)
        if why:
            raise AssertionError(f"waiting until {what}: {why}. {describe()}\n"
                                 + "\n".join(w.logs() for w in running))
        time.sleep(poll)
    return time.monotonic() - started


# ---------------------------------------------------------------------- what the database says


def ledger_size(url: str) -> int:
    with session_on(url) as db:
        return db.scalar(select(func.count(CarrierLedger.id))) or 0


def queue_state(url: str, order_ids: list[int]) -> tuple[int, Counter[str]]:
    """(outbox rows, the orders' statuses)."""
    with session_on(url) as db:
        rows = db.scalar(select(func.count(OrderOutbox.id))) or 0
        statuses = Counter(db.scalars(select(Order.status).where(Order.id.in_(order_ids))))
        return rows, statuses


def all_complete(url: str, order_ids: list[int]) -> bool:
    rows, statuses = queue_state(url, order_ids)
    return rows == 0 and statuses == Counter({"COMPLETE": len(order_ids)})


def sent_not_recorded(url: str) -> dict[int, str | None]:
    """Orders the carrier has (a ledger row) that are not COMPLETE: with auto-completion at
    0 s the carrier's first answer completes an order, so the worker had not recorded the
    answer yet. Their outbox rows' lease owners, by order id."""
    with session_on(url) as db:
        return {order_id: owner for order_id, owner in db.execute(
            select(CarrierLedger.order_id, OrderOutbox.lease_owner)
            .join(Order, Order.id == CarrierLedger.order_id)
            .outerjoin(OrderOutbox, OrderOutbox.order_id == Order.id)
            .where(Order.status != "COMPLETE"))}


def check_each_sent_once(url: str, order_ids: list[int]) -> tuple[dict[int, CarrierLedger],
                                                                   list[OrderHistory]]:
    """One ledger row per order (request id ``o<id>.1``), each sent once; every order
    COMPLETE, with exactly one COMPLETE entry in its history. (The ledger by order id, the
    COMPLETE history entries.)"""
    with session_on(url) as db:
        ledger = list(db.scalars(select(CarrierLedger).order_by(CarrierLedger.id)))
        per_order = Counter(e.order_id for e in ledger)
        twice = {o: n for o, n in per_order.items() if n > 1}
        assert not twice, f"orders with more than one ledger row: {twice}"
        assert set(per_order) == set(order_ids), (
            f"ledger rows for orders not queued: {sorted(set(per_order) - set(order_ids))}; "
            f"queued orders the carrier never received: "
            f"{sorted(set(order_ids) - set(per_order))}")
        resent = {e.order_id: e.sends for e in ledger if e.sends != 1}
        assert not resent, f"orders the carrier received more than once (sends): {resent}"
        keys = {e.order_id: e.key for e in ledger if e.key != f"o{e.order_id}.1"}
        assert not keys, f"unexpected request ids: {keys}"

        statuses = Counter(db.scalars(select(Order.status).where(Order.id.in_(order_ids))))
        assert statuses == Counter({"COMPLETE": len(order_ids)}), statuses
        history = list(db.scalars(select(OrderHistory).where(
            OrderHistory.order_id.in_(order_ids), OrderHistory.status == "COMPLETE")))
        completions = Counter(h.order_id for h in history)
        wrong = {o: completions[o] for o in order_ids if completions[o] != 1}
        assert not wrong, f"orders without exactly one COMPLETE history entry: {wrong}"
        db.expunge_all()
        return {e.order_id: e for e in ledger}, history


# ---------------------------------------------------------------------- the tests


def test_a_worker_killed_while_sending_sends_every_order_exactly_once(
        fresh_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """SIGKILL a worker between the carrier's record of a send and its own; a new worker
    asks the carrier instead of sending again, and every order is sent once."""
    url = fresh_url
    order_ids = queue_orders(url, KILL_ORDERS, capsys)
    set_provider(url, auto_complete_seconds=0)  # the first answer completes an order
    fault(url, capsys, "--latency", "0.4")  # ...and comes 0.4 s after the carrier has it
    env = {"OPENREV_WORKER_LEASE_SECONDS": "3", "OPENREV_PROVIDER_TIMEOUT_SECONDS": "1"}

    # Kill a worker as soon as the carrier has a few orders: almost surely while it waits for
    # an answer the carrier has already recorded. Should it land elsewhere, kill another.
    in_doubt: dict[int, str | None] = {}
    killed: list[Worker] = []
    for attempt in range(1, 6):
        target = ledger_size(url) + 3
        with workers(url, tmp_path, f"killed-{attempt}", **env) as (worker,):
            wait_until(lambda: ledger_size(url) >= target, 60,
                       f"the carrier has {target} orders", [worker], poll=0.01)
            worker.kill()
        killed.append(worker)
        in_doubt = sent_not_recorded(url)
        if in_doubt:
            break
    assert in_doubt, ("no kill of 5 landed between the carrier's and the worker's record of "
                      "a send\n" + "\n".join(w.logs() for w in killed))
    # the dead worker still holds their leases: the send's fate is unknown to openrev
    assert set(in_doubt.values()) == {killed[-1].owner}, (in_doubt, killed[-1].owner)

    fault(url, capsys, "--clear")
    started = time.monotonic()
    with workers(url, tmp_path, "restarted", **env) as (worker,):
        wait_until(lambda: all_complete(url, order_ids), 60,
                   "the outbox is empty and every order COMPLETE", [worker],
                   describe=lambda: "(outbox rows, statuses): "
                                    f"{queue_state(url, order_ids)}")
        assert worker.stop() == 0, worker.logs()
    took = time.monotonic() - started

    ledger, history = check_each_sent_once(url, order_ids)
    # the restarted worker asked the carrier about what the dead one may have sent, and
    # did not send it again
    not_asked = {o: ledger[o].lookups for o in in_doubt if ledger[o].lookups < 1}
    assert not not_asked, f"orders in doubt never asked about: {not_asked}"
    assert any(e.lookups >= 1 for e in ledger.values())
    finished_by = {h.order_id: h.actor for h in history}
    assert {finished_by[o] for o in in_doubt} == {worker.owner}, finished_by
    assert set(finished_by.values()) <= {w.owner for w in [*killed, worker]}, finished_by
    with session_on(url) as db:
        attempts = dict(db.execute(select(Order.id, Order.attempts)
                                   .where(Order.id.in_(order_ids))).all())
    # the send the killed worker made is an attempt too (so that a resend after an ERROR,
    # or ``orders resend --force``, goes out under a new request id, o<id>.2)
    never = {o: n for o, n in attempts.items() if n < 1}
    assert not never, (f"orders with no send attempt counted (attempts): {never}; the orders "
                       f"a killed worker sent: {sorted(in_doubt)}")
    print(f"\n{len(order_ids)} orders, {len(killed)} kill(s), {len(in_doubt)} in doubt; the "
          f"restarted worker finished in {took:.1f} s")


def test_two_workers_on_postgresql_send_each_order_exactly_once(
        fresh_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Two workers share the queue (SKIP LOCKED claims), and every order is sent once."""
    if fresh_url.startswith("sqlite"):
        pytest.skip("SQLite runs one worker (its claim is a write transaction at a time)")
    url = fresh_url
    started = time.monotonic()
    order_ids = queue_orders(url, TWO_WORKER_ORDERS, capsys)
    queued = time.monotonic() - started
    set_provider(url, auto_complete_seconds=0)

    started = time.monotonic()
    with workers(url, tmp_path, "first", "second") as both:
        # about a minute on an idle 2-CPU machine; allow for a busy one, not for a stall
        took = wait_until(lambda: all_complete(url, order_ids), 600,
                          "the outbox is empty and every order COMPLETE", both,
                          describe=lambda: "(outbox rows, statuses): "
                                           f"{queue_state(url, order_ids)}", poll=0.5,
                          progress=lambda: queue_state(url, order_ids), stalled=60)
        for w in both:
            assert w.stop() == 0, w.logs()
    owners = {w.owner for w in both}

    ledger, history = check_each_sent_once(url, order_ids)
    asked = {o: e.lookups for o, e in ledger.items() if e.lookups}
    assert not asked, f"no worker died, yet orders were in doubt (lookups): {asked}"
    by_actor = Counter(h.actor for h in history)
    assert set(by_actor) == owners and len(by_actor) == 2, (
        f"COMPLETE entries by actor: {by_actor}; the workers: {owners}")
    print(f"\n{len(order_ids)} orders queued in {queued:.1f} s, sent by two workers in "
          f"{took:.1f} s ({len(order_ids) / max(took, 0.001):.0f} orders/s; "
          f"{time.monotonic() - started:.1f} s with start and stop): "
          f"{dict(by_actor)}")
