"""Order flow-through over the wire: SendOrders and flow-through sign-ups reach OPEN with an
MDN and MSID; CA2020 with the provider down, then completion once it is back; a provider's
rejection is ERROR until Orders_Update sends it again; time-outs and a worker that died are
asked about before anything is sent again; the worker never holds SQLite's write lock while
it talks to a provider; the operator commands (orders list/resend, provider fault).

Each backend gets a database of its own (the worker takes every due order of a database).
The worker here is driven step by step with a clock the test moves on (``Clock``), and
waits (latency) are not slept but added to that clock; ``tests/test_flow_workers.py`` runs
real worker processes.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import select, update
from starlette.testclient import TestClient

from helpers import DEMO, binding_call, ok
from openrev.cli import main
from openrev.domain import flow as rules
from openrev.provision.adapters import ProviderAnswer
from openrev.provision.worker import FlowSettings, Provisioner
from openrev.settings import Settings
from openrev.store import outbox as outbox_repo
from openrev.store.db import make_engine, make_sessionmaker
from openrev.store.tables import CarrierLedger, InventoryItem, InventoryType, Order, \
    OrderOutbox, Provider
from openrev.store.testing import demo_database
from openrev.store.uow import DatabaseBusy, TransactionRunner
from openrev.wire.app import create_app

PG_URL = os.environ.get("OPENREV_TEST_POSTGRES_URL")
BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])  # as conftest.py
ADDRESS = {"FirstName": "Flo", "LastName": "Through", "Address1": "101 N Palafox St",
           "City": "Pensacola", "State": "FL", "Zip": "32502"}
BINDINGS = ["json", "soap11", "soap12"]
SETTINGS = FlowSettings(lease_seconds=60, timeout_seconds=10, retry_base_seconds=10,
                        retry_max_seconds=600, batch=50)


class Clock:
    """Real time plus an offset the test moves on; ``sleep`` moves it instead of waiting."""

    def __init__(self) -> None:
        self.offset = dt.timedelta()

    def __call__(self) -> dt.datetime:
        return dt.datetime.now(dt.timezone.utc) + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += dt.timedelta(seconds=seconds)

    sleep = advance


@dataclass
class Flow:
    url: str
    client: TestClient
    sessions: Any
    clock: Clock
    worker: Provisioner

    def call(self, binding: str = "json"):
        return binding_call(self.client, binding)

    def run(self, seconds: float = 0.0, rounds: int = 1) -> int:
        """Move the clock on ``seconds`` and let the worker handle what is due, ``rounds``
        times; the number of outbox entries handled."""
        handled = 0
        for _ in range(rounds):
            self.clock.advance(seconds)
            handled += self.worker.run_once()
        return handled

    def until(self, order_id: int, status: str, step: float = 1.0, rounds: int = 20) -> None:
        for _ in range(rounds):
            if self.order(order_id)["Status"] == status:
                return
            self.run(step)
        assert self.order(order_id)["Status"] == status, self.order(order_id)

    def order(self, order_id: int, binding: str = "json") -> dict[str, Any]:
        return ok(self.call(binding)("Orders_Query", {"Credentials": DEMO,
                                                      "OrderID": order_id}))["Order"]

    def customer(self, customer_id: int, binding: str = "json") -> dict[str, Any]:
        return ok(self.call(binding)("Customers_Query", {"Credentials": DEMO,
                                                         "CustomerID": customer_id}))["Customer"]

    def device(self) -> str:
        """A new AVAILABLE Mobile_Device of DEMO."""
        imei = "35" + "".join(str(secrets.randbelow(10)) for _ in range(13))
        with self.sessions.begin() as db:
            type_id = db.scalar(select(InventoryType.id).where(
                InventoryType.client_id == 1, InventoryType.kind == "Mobile_Device"))
            db.add(InventoryItem(client_id=1, inventory_type_id=type_id, identifier=imei,
                                 status="AVAILABLE"))
        return imei

    def signup(self, binding: str = "json", *, send: bool = False, package: int = 1001,
               device: bool = True, **order: Any) -> dict[str, Any]:
        body: dict[str, Any] = {
            "Credentials": DEMO,
            "Customer": {"PhysicalAddress": ADDRESS, "MailingAddress": ADDRESS},
            "Order": {"PackageID": package, **order}}
        if device:
            body["Order"]["WirelessESN"] = self.device()
        if send:
            body["SendOrders"] = True
        return self.call(binding)("NewCustomers_Create", body)

    def fault(self, *args: str) -> None:
        assert main(["provider", "fault", "DEMOWIRELESS", "--client", "DEMO", *args,
                     "--database", self.url]) == 0

    def ledger(self, order_id: int) -> list[CarrierLedger]:
        with self.sessions() as db:
            return list(db.scalars(select(CarrierLedger).where(
                CarrierLedger.order_id == order_id)))

    def outbox(self, order_id: int) -> OrderOutbox | None:
        with self.sessions() as db:
            return outbox_repo.of_order(db, order_id)


@pytest.fixture(scope="module", params=BACKENDS)
def flow(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    base = f"sqlite:///{tmp_path_factory.mktemp('flow')}/flow.db" \
        if request.param == "sqlite" else PG_URL
    with demo_database(base) as url:
        app = create_app(Settings(database_url=url))
        clock = Clock()
        api = app.state.api
        # the API (its history entries, its SendOrders sends) runs on the same clock, and
        # never really waits
        api.clock = clock
        api.provisioning = Provisioner(api.runner, SETTINGS, clock=clock, sleep=clock.sleep)
        worker = Provisioner(api.runner, SETTINGS, clock=clock, sleep=clock.sleep,
                             owner="worker test:1")
        with TestClient(app, raise_server_exceptions=False) as client:
            yield Flow(url, client, make_sessionmaker(app.state.engine), clock, worker)
        app.state.engine.dispose()


@pytest.fixture(autouse=True)
def no_faults(flow: Flow):
    flow.fault("--clear")
    yield
    flow.fault("--clear")


# ------------------------------------------------------------------ the rules


def test_retry_delay_doubles_up_to_the_cap():
    assert [rules.retry_delay(n, 10, 600, jitter=False) for n in (1, 2, 3, 4, 7, 8, 20)] == \
        [10, 20, 40, 80, 600, 600, 600]
    assert 8 <= rules.retry_delay(1, 10, 600) <= 12


def test_resend_wanted():
    assert rules.resend_wanted("ERROR", "NEW", flow_through_set=False)
    assert rules.resend_wanted("FLOW_ERROR", "SENT", flow_through_set=False)
    assert not rules.resend_wanted("ERROR", "CANCELED", flow_through_set=False)
    assert not rules.resend_wanted("NEW", "SENT", flow_through_set=False)
    assert rules.resend_wanted("NEW", "NEW", flow_through_set=True)
    assert not rules.resend_wanted("SENT", "SENT", flow_through_set=True)


def test_queue_on_create():
    assert rules.queue_on_create(True, False) == "NOW"
    assert rules.queue_on_create(True, True) == "NOW"
    assert rules.queue_on_create(False, True) == "FLOW"
    assert rules.queue_on_create(False, False) is None


# ------------------------------------------------------------------ the happy paths


def _assert_activated(flow: Flow, out: dict[str, Any], binding: str) -> None:
    """The customer is OPEN with an MDN on its service and MSID/MSL/MDN on its device, the
    order COMPLETE, every transition in its history with time and actor."""
    c = flow.customer(out["Customer_ID"], binding)
    assert c["Status"] == "OPEN"
    (item,) = c["Services"]
    tn = item["Service"]["TN"]
    assert tn is not None and len(tn) == 10 and tn.isdigit()
    (device,) = item["Inventory"]
    assert device["Wireless"]["MDN"] == tn
    assert device["Wireless"]["MSID"] and len(device["Wireless"]["MSL"]) == 6
    assert {p["Status"] for p in item["Products"]} == {"ACTIVE"}
    assert all(p["ActivatedDate"] for p in item["Products"])
    o = flow.order(out["Orders"][0], binding)
    assert (o["Status"], o["TN"], o["Attempts"]) == ("COMPLETE", tn, 1)
    assert "NextAttemptDate" not in o and "LastError" not in o
    statuses = [h["Status"] for h in o["History"]]
    assert statuses == ["NEW", "SENT", "CONFIRMED", "COMPLETE"], o["History"]
    assert all(h["Date"] and h["Actor"] for h in o["History"])
    assert o["History"][0]["Actor"] == "user demo"
    assert {h["Actor"] for h in o["History"][2:]} == {"worker test:1"}
    (entry,) = flow.ledger(o["ID"])
    assert (entry.sends, entry.mdn) == (1, tn)


@pytest.mark.parametrize("binding", BINDINGS)
def test_send_orders_reaches_open_with_mdn_and_msid(flow: Flow, binding: str):
    out = ok(flow.signup(binding, send=True))
    assert out["Status"] == "PENDING"
    o = flow.order(out["Orders"][0], binding)
    assert (o["Status"], o["Attempts"]) == ("SENT", 1)
    assert o["SentDate"] and o["LastAttemptDate"] and o["NextAttemptDate"]
    assert o["History"][1]["Actor"] == "user demo (SendOrders)"
    flow.until(o["ID"], "COMPLETE")
    _assert_activated(flow, out, binding)


@pytest.mark.parametrize("binding", BINDINGS)
def test_a_flow_through_order_is_sent_by_the_worker(flow: Flow, binding: str):
    out = ok(flow.signup(binding))
    o = flow.order(out["Orders"][0], binding)
    assert (o["Status"], o["FlowThrough"], o["Attempts"]) == ("NEW", True, 0)
    assert o["NextAttemptDate"]  # queued in the transaction of the sign-up
    flow.run()
    assert flow.order(o["ID"])["Status"] == "SENT"
    flow.until(o["ID"], "COMPLETE")
    _assert_activated(flow, out, binding)


def test_an_order_without_flow_through_waits_for_a_person(flow: Flow):
    out = ok(flow.signup(device=False))
    order_id = out["Orders"][0]
    assert flow.outbox(order_id) is None
    flow.run(5, rounds=3)
    o = flow.order(order_id)
    assert (o["Status"], o["Attempts"]) == ("NEW", 0)
    # FlowThroughFlag set by Orders_Update queues it
    ok(flow.call()("Orders_Update", {"Credentials": DEMO, "OrderID": order_id,
                                     "FlowThroughFlag": True}))
    assert flow.order(order_id)["NextAttemptDate"]
    flow.until(order_id, "COMPLETE")
    assert flow.customer(out["Customer_ID"])["Status"] == "OPEN"


def test_a_port_completes_on_the_ported_mdn(flow: Flow):
    mdn = "7" + "".join(str(secrets.randbelow(10)) for _ in range(9))
    port = {"MDN": mdn, "AccountNumber": "A-1", "AuthorizedSigner": "Flo Through",
            "PINPassword": "1234", "Address": ADDRESS}
    out = ok(flow.signup(send=True, WirelessPort=port))
    order_id = out["Orders"][0]
    assert flow.order(order_id)["Type"] == "CONVERSION"
    flow.until(order_id, "COMPLETE")
    (item,) = flow.customer(out["Customer_ID"])["Services"]
    assert item["Service"]["TN"] == mdn
    assert item["Inventory"][0]["Wireless"]["MDN"] == mdn
    assert flow.ledger(order_id)[0].mdn == mdn


def test_a_manual_provider_leaves_the_order_sent_for_orders_update(flow: Flow):
    out = ok(flow.signup(send=True, package=1003, device=False))
    order_id = out["Orders"][0]
    o = flow.order(order_id)
    assert (o["Status"], o["Message"]) == ("SENT", "waiting for manual provisioning "
                                                   "(complete it with Orders_Update)")
    assert "NextAttemptDate" not in o and flow.outbox(order_id) is None
    flow.run(30, rounds=2)
    assert flow.order(order_id)["Status"] == "SENT"
    ok(flow.call()("Orders_Update", {"Credentials": DEMO, "OrderID": order_id,
                                     "Status": "COMPLETE"}))
    assert flow.customer(out["Customer_ID"])["Status"] == "OPEN"


# ------------------------------------------------------------------ failures


@pytest.mark.parametrize("binding", BINDINGS)
def test_provider_down_answers_ca2020_keeps_the_customer_and_resends(flow: Flow, binding: str):
    flow.fault("--down", "the tower is on fire")
    out = flow.signup(binding, send=True)
    h = out["Header"]
    assert (h["Success"], h["Error_Code"]) == (False, "CA2020"), h
    assert h["Error_Description"] == "Connectivity to the provider is currently down."
    customer_id, order_id = out["Customer_ID"], out["Orders"][0]
    assert f"Customer {customer_id} and order {order_id} were created and kept" in h["Message"]
    assert "the tower is on fire" in h["Message"]
    # kept: the customer PENDING, the order FLOW_ERROR, queued for a retry
    assert flow.customer(customer_id, binding)["Status"] == "PENDING"
    o = flow.order(order_id, binding)
    assert (o["Status"], o["Attempts"], o["LastError"]) == ("FLOW_ERROR", 1,
                                                             "the tower is on fire")
    first_retry = dt.datetime.fromisoformat(o["NextAttemptDate"])
    assert 7 <= (first_retry - dt.datetime.fromisoformat(o["LastAttemptDate"])
                 ).total_seconds() <= 13  # retry_base 10 s, +-20%
    # not due yet: nothing happens
    assert flow.run() == 0
    # due, still down: a second attempt, the wait doubles
    flow.run(13)
    o = flow.order(order_id)
    assert (o["Status"], o["Attempts"]) == ("FLOW_ERROR", 2)
    wait = (dt.datetime.fromisoformat(o["NextAttemptDate"])
            - dt.datetime.fromisoformat(o["LastAttemptDate"])).total_seconds()
    assert 16 <= wait <= 24
    assert flow.ledger(order_id) == []  # nothing reached the carrier
    # back up: the next retry goes through and the order completes
    flow.fault("--up")
    flow.run(25)
    assert flow.order(order_id)["Status"] == "SENT"
    flow.until(order_id, "COMPLETE")
    o = flow.order(order_id)
    assert o["Attempts"] == 3 and "LastError" not in o
    assert [h["Status"] for h in o["History"]] == ["NEW", "FLOW_ERROR", "SENT", "CONFIRMED",
                                                   "COMPLETE"]
    assert flow.customer(customer_id)["Status"] == "OPEN"


def test_a_flow_through_order_with_the_provider_down_is_flow_error(flow: Flow):
    flow.fault("--down")
    out = ok(flow.signup())  # no SendOrders: the sign-up itself succeeds
    order_id = out["Orders"][0]
    flow.run()
    o = flow.order(order_id)
    assert (o["Status"], o["LastError"]) == (
        "FLOW_ERROR", "connectivity to the provider is down (fault injected)")
    assert o["History"][-1]["Actor"] == "worker test:1"
    flow.fault("--up")
    flow.until(order_id, "COMPLETE", step=15)


@pytest.mark.parametrize("binding", BINDINGS)
def test_a_rejection_is_error_until_orders_update_sends_it_again(flow: Flow, binding: str):
    flow.fault("--reject-next", "1", "--reject-message", "IMEI is blacklisted")
    out = ok(flow.signup(binding))
    order_id = out["Orders"][0]
    flow.run()
    o = flow.order(order_id, binding)
    assert (o["Status"], o["Message"], o["LastError"]) == (
        "ERROR", "IMEI is blacklisted", "IMEI is blacklisted")
    assert "NextAttemptDate" not in o  # not resent automatically
    flow.run(3600)
    assert flow.order(order_id)["Status"] == "ERROR"
    with flow.sessions() as db:  # the rejection was used up
        assert db.get(Provider, 10).fault_reject_next == 0
    ok(flow.call(binding)("Orders_Update", {"Credentials": DEMO, "OrderID": order_id,
                                            "Status": "NEW", "StatusNote": "IMEI cleared"}))
    o = flow.order(order_id, binding)
    assert o["Status"] == "NEW" and o["NextAttemptDate"]
    flow.until(order_id, "COMPLETE")
    o = flow.order(order_id)
    assert o["Attempts"] == 2
    assert [h["Status"] for h in o["History"]] == [
        "NEW", "ERROR", "NEW", "SENT", "CONFIRMED", "COMPLETE"]
    assert o["History"][2]["Actor"] == "user demo"


def test_a_time_out_is_asked_about_before_anything_is_sent_again(flow: Flow):
    flow.fault("--latency", "30")  # beyond the 10 s time-out: the answer is lost
    out = ok(flow.signup())
    order_id = out["Orders"][0]
    flow.run()
    o = flow.order(order_id)
    assert o["Status"] == "FLOW_ERROR" and "within 10 s" in o["LastError"]
    assert flow.outbox(order_id).in_doubt
    (entry,) = flow.ledger(order_id)  # the carrier did receive it
    assert entry.sends == 1
    flow.fault("--latency", "0")
    flow.until(order_id, "COMPLETE", step=15)
    (entry,) = flow.ledger(order_id)
    assert (entry.sends, entry.lookups >= 1) == (1, True)  # asked, not sent twice


def test_a_worker_that_died_after_sending_is_not_sent_twice(flow: Flow):
    out = ok(flow.signup())
    order_id = out["Orders"][0]
    dead = Provisioner(flow.worker.runner, SETTINGS, clock=flow.clock, owner="worker dead:1")
    (claim,) = [c for c in dead.claim_due() if c.order.order_id == order_id]
    dead.adapters["DEMOWIRELESS"].send(claim.order)  # reached the carrier; then it died
    assert flow.run() == 0  # its lease holds
    flow.run(61)  # the lease expired: taken again, the carrier asked first
    flow.until(order_id, "COMPLETE")
    (entry,) = flow.ledger(order_id)
    assert entry.sends == 1 and entry.lookups >= 1
    # by the time it was asked, the carrier had completed it
    o = flow.order(order_id)
    assert [h["Status"] for h in o["History"]] == ["NEW", "COMPLETE"]
    assert o["SentDate"] and o["Attempts"] == 1  # the dead worker's send; not sent again


def test_a_late_answer_after_the_lease_moved_on_is_not_recorded(flow: Flow):
    out = ok(flow.signup())
    order_id = out["Orders"][0]
    slow = Provisioner(flow.worker.runner, SETTINGS, clock=flow.clock, owner="worker slow:1")
    (claim,) = [c for c in slow.claim_due() if c.order.order_id == order_id]
    flow.run(61)  # another worker takes the expired lease and sends it
    outcome = slow.process(claim)
    assert outcome.recorded is False
    flow.until(order_id, "COMPLETE")
    assert [h["Status"] for h in flow.order(order_id)["History"]].count("SENT") == 1


def test_canceling_an_order_takes_it_out_of_the_queue(flow: Flow):
    flow.fault("--down")
    out = ok(flow.signup())
    order_id = out["Orders"][0]
    flow.run()
    assert flow.outbox(order_id) is not None
    ok(flow.call()("Orders_Update", {"Credentials": DEMO, "OrderID": order_id,
                                     "Status": "CANCELED"}))
    assert flow.outbox(order_id) is None
    flow.fault("--up")
    flow.run(700)
    assert flow.order(order_id)["Status"] == "CANCELED" and flow.ledger(order_id) == []


def test_a_person_completing_the_order_meanwhile_wins(flow: Flow):
    out = ok(flow.signup())
    order_id = out["Orders"][0]
    flow.run()  # SENT, a poll scheduled
    ok(flow.call()("Orders_Update", {"Credentials": DEMO, "OrderID": order_id,
                                     "Status": "HOLD"}))
    flow.run(5)
    o = flow.order(order_id)
    assert o["Status"] == "HOLD" and "NextAttemptDate" not in o
    assert "left as it is" in o["History"][-1]["Note"]


def test_the_worker_holds_no_write_lock_while_it_talks_to_a_provider(flow: Flow):
    """An adapter that writes through another connection while it is being called: with the
    database's write lock held by the worker it could not (SQLite: the in-process lock and
    SQLite's own, tried once without waiting)."""
    runner = TransactionRunner(flow.sessions)
    other = TransactionRunner(make_sessionmaker(make_engine(flow.url)), attempts=1,
                              lock_wait=0.1)
    wrote: list[str] = []

    class Probe:
        def send(self, order):
            for r in (runner, other):
                r.run(True, lambda db: db.execute(update(Provider).where(Provider.id == 20)
                                                  .values(description="Manual Provisioning")))
            wrote.append(order.key)
            return ProviderAnswer("SENT", "probe", check_after=None)

        def status(self, order):
            return None

    probe = Provisioner(flow.worker.runner, SETTINGS, clock=flow.clock, owner="worker probe",
                        adapters={"MANUAL": Probe()})
    out = ok(flow.signup(package=1003))
    order_id = out["Orders"][0]
    try:
        probe.run_once()
    except DatabaseBusy:  # pragma: no cover - what the test is for
        pytest.fail("the worker held the write lock while it talked to the provider")
    assert flow.order(order_id)["Status"] == "SENT" and wrote


# ------------------------------------------------------------------ operator commands


def test_orders_list_stuck_and_resend(flow: Flow, capsys: pytest.CaptureFixture[str]):
    flow.fault("--reject-next", "1", "--reject-message", "no coverage")
    rejected = ok(flow.signup())["Orders"][0]
    flow.run()
    assert main(["orders", "list", "--stuck", "--client", "DEMO", "--database", flow.url]) == 0
    out = capsys.readouterr().out
    line = next(x for x in out.splitlines() if x.split()[0] == str(rejected))
    assert "ERROR" in line and "no coverage" in line and "DEMOWIRELESS" in line
    assert main(["orders", "resend", str(rejected), "--client", "DEMO",
                 "--database", flow.url]) == 0
    assert "queued to be sent (was ERROR)" in capsys.readouterr().out
    o = flow.order(rejected)
    assert o["Status"] == "NEW"
    assert {"Status": "NEW", "Actor": "openrev orders resend"} in [
        {k: h[k] for k in ("Status", "Actor")} for h in o["History"]]  # real time: the test's
    # clock is ahead of it
    flow.until(rejected, "COMPLETE")
    # a final order has nothing to send; a SENT one needs --force
    assert main(["orders", "resend", str(rejected), "--database", flow.url]) == 1
    assert "COMPLETE, which is final" in capsys.readouterr().err
    manual = ok(flow.signup(send=True, package=1003, device=False))["Orders"][0]
    assert main(["orders", "resend", str(manual), "--database", flow.url]) == 1
    assert "--force" in capsys.readouterr().err
    assert main(["orders", "resend", "999999", "--database", flow.url]) == 1
    assert "does not exist" in capsys.readouterr().err
    assert main(["orders", "list", "--status", "sent", "--database", flow.url]) == 0
    listed = [x.split()[0] for x in capsys.readouterr().out.splitlines()[1:]]
    assert str(manual) in listed and str(rejected) not in listed


def test_provider_fault_shows_sets_and_refuses(flow: Flow, capsys: pytest.CaptureFixture[str]):
    args = ["provider", "fault", "10", "--client", "DEMO", "--database", flow.url]
    assert main(args) == 0
    assert capsys.readouterr().out.strip() == (
        "provider 10 DEMOWIRELESS (DEMOWIRELESS): up; rejects the next 0; latency 0 s")
    assert main([*args, "--down", "maintenance", "--reject-next", "2", "--latency", "1.5"]) == 0
    assert capsys.readouterr().out.strip() == (
        "provider 10 DEMOWIRELESS (DEMOWIRELESS): DOWN (maintenance); rejects the next 2; "
        "latency 1.5 s")
    assert main([*args, "--clear"]) == 0
    capsys.readouterr()
    assert main(["provider", "fault", "NOPE", "--client", "DEMO", "--database", flow.url]) == 1
    assert "provider 'NOPE' does not exist in client DEMO" in capsys.readouterr().err
    # OTHER's provider is not DEMO's
    assert main(["provider", "fault", "OTHERWIRELESS", "--client", "DEMO",
                 "--database", flow.url]) == 1
    assert main([*args, "--reject-message", "x"]) == 2
    assert main([*args, "--latency", "-1"]) == 2


@pytest.mark.parametrize("binding", BINDINGS)
def test_send_orders_rejected_by_the_provider_answers_success_with_the_order_in_error(
        flow: Flow, binding: str):
    flow.fault("--reject-next", "1", "--reject-message", "no coverage at this address")
    out = ok(flow.signup(binding, send=True))
    o = flow.order(out["Orders"][0], binding)
    assert (o["Status"], o["Message"], o["Attempts"]) == (
        "ERROR", "no coverage at this address", 1)
    assert flow.customer(out["Customer_ID"], binding)["Status"] == "PENDING"


@pytest.mark.parametrize("binding", BINDINGS)
def test_orders_search_shows_attempts_last_error_and_next_attempt(flow: Flow, binding: str):
    flow.fault("--down", "scheduled maintenance")
    out = ok(flow.signup())
    flow.run()
    found = ok(flow.call(binding)("Orders_Search", {
        "Credentials": DEMO, "CustomerID": out["Customer_ID"], "Status": "FLOW_ERROR"}))
    (o,) = found["Orders"]
    assert (o["ID"], o["Attempts"], o["LastError"]) == (out["Orders"][0], 1,
                                                         "scheduled maintenance")
    assert o["NextAttemptDate"] > o["LastAttemptDate"]
    assert o["History"][-1] == {"Date": o["StatusDate"], "Status": "FLOW_ERROR",
                                "Note": "Status changed from NEW to FLOW_ERROR: scheduled "
                                        "maintenance", "Actor": "worker test:1"}


@pytest.mark.parametrize("binding", BINDINGS)
def test_orders_update_answers_the_queue_as_the_update_left_it(flow: Flow, binding: str):
    out = ok(flow.signup(device=False))
    order_id = out["Orders"][0]
    queued = ok(flow.call(binding)("Orders_Update", {"Credentials": DEMO, "OrderID": order_id,
                                                     "FlowThroughFlag": True}))["Order"]
    assert queued["NextAttemptDate"] == flow.order(order_id)["NextAttemptDate"]
    canceled = ok(flow.call(binding)("Orders_Update", {
        "Credentials": DEMO, "OrderID": order_id, "Status": "CANCELED"}))["Order"]
    assert canceled["Status"] == "CANCELED" and "NextAttemptDate" not in canceled
