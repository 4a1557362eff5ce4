"""The order flow-through worker: takes orders from the outbox, talks to their providers,
records what they answer.

One order is handled in three steps, and no transaction is open while a provider is being
talked to (on SQLite the write lock is free for the API meanwhile):

1. **claim** (one short write transaction for a batch): due outbox rows are leased to this
   worker (``store.outbox.claim_due``: ``FOR UPDATE SKIP LOCKED`` on PostgreSQL), and what
   the provider needs to know is read;
2. **talk**: the provider's adapter (with its injected faults) is asked, and sent the order;
   when an earlier send under the same request id may have reached the provider (a worker
   died with the lease, a call timed out), it is first asked whether it has it, and nothing
   is sent again if it does;
3. **record** (one write transaction per order): under the lease still held, the answer
   moves the order on (``domain.flow``), each status change is written to the order's
   history with this worker as its actor, and the outbox row is rescheduled (a retry after
   :func:`openrev.domain.flow.retry_delay`, a poll when the provider will move the order on)
   or removed.

A worker killed between 2 and 3 leaves its lease to expire (``lease_seconds``); the next
claim asks the provider first. So every order reaches its provider once, and a provider that
de-duplicates request ids (as real carriers do with their order numbers, and DEMOWIRELESS
does) never receives it twice.

``send_now`` is the same for orders a request (NewCustomers_Create with SendOrders) created
already leased to itself: it talks to the provider after its transaction committed.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
import time
from dataclasses import dataclass
from typing import Callable

from ..domain import flow
from ..domain import orders as order_rules
from ..domain.numbers import live_service
from ..settings import Settings
from ..store import catalog, orders as orders_repo, outbox as store
from ..store.stats import maybe_refresh
from ..store.tables import InventoryItem, Service
from ..store.uow import TransactionRunner
from .adapters import Adapter, Faults, Faulty, OrderToSend, ProviderAnswer, ProviderDown, \
    ProviderTimeout
from .demowireless import DemoWireless
from .manual import Manual

log = logging.getLogger("openrev.worker")

Clock = Callable[[], dt.datetime]


@dataclass(frozen=True, slots=True)
class FlowSettings:
    """How the worker works: the defaults are :class:`openrev.settings.Settings`' (the
    ``OPENREV_WORKER_*``, ``OPENREV_PROVIDER_*`` and ``OPENREV_RETRY_*`` variables)."""

    lease_seconds: float = Settings.worker_lease_seconds
    timeout_seconds: float = Settings.provider_timeout_seconds
    retry_base_seconds: float = Settings.retry_base_seconds
    retry_max_seconds: float = Settings.retry_max_seconds
    poll_seconds: float = 0.5
    batch: int = 20

    @classmethod
    def from_settings(cls, s: Settings) -> "FlowSettings":
        return cls(lease_seconds=s.worker_lease_seconds,
                   timeout_seconds=s.provider_timeout_seconds,
                   retry_base_seconds=s.retry_base_seconds,
                   retry_max_seconds=s.retry_max_seconds)


@dataclass(frozen=True, slots=True)
class Claim:
    """One outbox row leased to ``owner``, with what the provider needs to know."""

    row_id: int
    action: str  # SEND or POLL
    key: str
    ask_first: bool
    order: OrderToSend
    adapter: str
    faults: Faults
    owner: str


@dataclass(frozen=True, slots=True)
class Outcome:
    """What became of one claim: the order's status after it; ``down``: the provider could not
    be reached (the message); ``recorded``: False when the lease had moved on."""

    order_id: int
    status: str | None
    down: str | None = None
    message: str | None = None
    recorded: bool = True


def default_owner(kind: str = "worker") -> str:
    """The lease owner (and history actor) of a worker: ``worker HOST:PID``."""
    return f"{kind} {socket.gethostname()}:{os.getpid()}"[:100]


def request_owner(order_id: int) -> str:
    """The lease owner of an order a request sends at once (SendOrders)."""
    return f"request:{order_id}"


class Provisioner:
    """Claims, talks, records (see the module). Shared by the API (SendOrders) and workers."""

    def __init__(self, runner: TransactionRunner, settings: FlowSettings | None = None, *,
                 clock: Clock | None = None, owner: str | None = None,
                 sleep: Callable[[float], None] = time.sleep,
                 adapters: dict[str, Adapter] | None = None) -> None:
        self.runner = runner
        self.settings = settings or FlowSettings()
        self.clock = clock or (lambda: dt.datetime.now(dt.timezone.utc))
        self.owner = owner or default_owner()
        self.sleep = sleep
        self.adapters: dict[str, Adapter] = {"DEMOWIRELESS": DemoWireless(runner, self.clock),
                                             "MANUAL": Manual()}
        self.adapters.update(adapters or {})

    # ------------------------------------------------------------------ the three steps

    def claim_due(self) -> list[Claim]:
        now = self.clock()
        until = now + dt.timedelta(seconds=self.settings.lease_seconds)

        def claim(db) -> list[Claim]:
            rows = store.claim_due(db, self.owner, now, until, self.settings.batch)
            return [c for row, ask in rows
                    if (c := self._claim(db, row, ask, self.owner)) is not None]

        return self.runner.run(True, claim)

    def _claim(self, db, row, ask_first: bool, owner: str) -> Claim | None:
        facts = store.order_facts(db, row.order_id)
        if facts is None:  # pragma: no cover - the foreign key keeps the order
            return None
        o, s, p = facts.order, facts.service, facts.provider
        return Claim(
            row_id=row.id, action=row.action, key=row.key, ask_first=ask_first, owner=owner,
            adapter=p.adapter,
            faults=Faults(p.fault_down, p.fault_down_message, p.fault_reject_next,
                          p.fault_reject_message, p.fault_latency_ms),
            order=OrderToSend(
                key=row.key, client_id=o.client_id, provider_id=p.id, order_id=o.id,
                order_type=o.order_type, tn=s.tn if s is not None else None,
                port_mdn=facts.port.mdn if facts.port is not None else None,
                devices=tuple(facts.devices),
                complete_after=p.auto_complete_seconds))

    def process(self, claim: Claim, actor: str | None = None) -> Outcome:
        """Talk to the provider, then record its answer (steps 2 and 3)."""
        adapter = self._adapter(claim)
        answer: ProviderAnswer | None = None
        failure: ProviderDown | None = None
        tried = False
        try:
            if claim.ask_first or claim.action == "POLL":
                answer = adapter.status(claim.order)
            if answer is None:  # the provider does not have it: send it
                tried = True
                answer = adapter.send(claim.order)
        except ProviderDown as exc:
            failure = exc
        return self.runner.run(True, lambda db: self._record(
            db, claim, answer, failure, tried, actor or claim.owner))

    def _adapter(self, claim: Claim) -> Adapter:
        base = self.adapters[claim.adapter]
        if not claim.faults.any:
            return base
        provider_id = claim.order.provider_id
        return Faulty(base, claim.faults, timeout=self.settings.timeout_seconds,
                      sleep=self.sleep,
                      take_rejection=lambda: self.runner.run(
                          True, lambda db: store.take_rejection(db, provider_id)))

    def _record(self, db, claim: Claim, answer: ProviderAnswer | None,
                failure: ProviderDown | None, tried: bool, actor: str) -> Outcome:
        now = self.clock()
        row = store.leased(db, claim.row_id, claim.owner, claim.key)
        if row is None:  # the lease expired and the row went on without us
            return Outcome(claim.order.order_id, None, recorded=False)
        order = store.order_for_update(db, claim.order.order_id)
        old = order.status
        if tried or (answer is not None and claim.action == "SEND"
                     and claim.key == store.send_key(order)):
            # a send under this request id that reached the provider is an attempt, also one
            # an earlier claim made and did not record (its worker died): the next send (a
            # resend after an ERROR, --force) is then a new request id
            flow.attempted(order, now)
        notes: list[flow.Note] = []
        if order.status not in flow.PROVISIONING:
            # a person decided meanwhile (COMPLETE, CANCELED, ERROR, a HOLD): keep it
            store.remove(db, order.id)
            what = f"failed: {failure}" if failure else f"answered {answer.state}"
            self._history(db, order, f"The provider {what} while the order was "
                                     f"{order.status}; left as it is", now, actor)
            return Outcome(order.id, order.status, message=str(failure or answer.message))
        if failure is not None:
            notes = flow.send_failed(order, now, str(failure))
            if claim.action == "POLL":
                delay = self.settings.retry_base_seconds
            else:
                delay = flow.retry_delay(order.attempts, self.settings.retry_base_seconds,
                                         self.settings.retry_max_seconds)
            row.due_at = now + dt.timedelta(seconds=delay)
            # a POLL asks whatever this says; a SEND is in doubt after a time-out, or when
            # the earlier send it was to ask about is still unanswered
            row.in_doubt = isinstance(failure, ProviderTimeout) or (
                claim.ask_first and not tried)
            row.lease_owner = row.lease_until = None
            self._write(db, order, old, notes, now, actor, str(failure))
            return Outcome(order.id, order.status, down=str(failure))
        assert answer is not None
        if answer.state == "REJECTED":
            notes = flow.rejected(order, now, answer.message or "rejected")
            store.remove(db, order.id)
        elif answer.state == "COMPLETE":
            notes = self._complete(db, order, answer, now)
            store.remove(db, order.id)
        else:
            notes = (flow.sent if answer.state == "SENT" else flow.confirmed)(
                order, now, answer.message)
            if answer.check_after is None:
                store.remove(db, order.id)
            else:
                row.action, row.in_doubt = "POLL", False
                row.due_at = now + dt.timedelta(seconds=max(answer.check_after, 0.0))
                row.lease_owner = row.lease_until = None
        self._write(db, order, old, notes, now, actor, answer.message)
        return Outcome(order.id, order.status, message=answer.message)

    def _complete(self, db, order, answer: ProviderAnswer, now: dt.datetime
                  ) -> list[flow.Note]:
        service = db.get(Service, order.service_id) if order.service_id else None
        a = answer.assignment
        if service is not None and a is not None and a.mdn and not service.tn:
            taken = live_service(catalog.services_with_tn(db, order.client_id, a.mdn),
                                 other_than=service.id)
            if taken is not None:
                return flow.rejected(order, now, f"the provider assigned {a.mdn}, which is "
                                                 f"live on service {taken.id}")
        devices = _devices(db, service)
        notes = flow.completed(order, now, orders_repo.products_of(db, order.client_id,
                                                                   order.id),
                               service, devices, a, answer.message)
        customer = orders_repo.customer_for_update(db, order.client_id, order.customer_id)
        if customer is not None:
            notes += order_rules.open_if_activated(
                customer, orders_repo.orders_of(db, order.client_id, customer.id))
        return notes

    def _write(self, db, order, old: str, notes: list[flow.Note], now: dt.datetime,
               actor: str, message: str | None) -> None:
        if order.status != old:
            note = f"Status changed from {old} to {order.status}"
            if message:
                note += f": {message}"
            self._history(db, order, note, now, actor)
            log.info("order %d: %s -> %s (%s)", order.id, old, order.status, message or "")
        for category, text in notes:
            orders_repo.customer_history(db, order, category, text, now)

    @staticmethod
    def _history(db, order, note: str, now: dt.datetime, actor: str) -> None:
        orders_repo.record_history(db, order, status=order.status, note=note, user_id=None,
                                   now=now, actor=actor)

    # ------------------------------------------------------------------ runs

    def run_once(self) -> int:
        """Claim a batch and handle it; the number of orders handled."""
        claims = self.claim_due()
        started = time.monotonic()
        for i, claim in enumerate(claims):
            # leave what the lease no longer covers to be claimed again (asked first)
            left = self.settings.lease_seconds - (time.monotonic() - started)
            if left < 2 * self.settings.timeout_seconds:
                log.warning("lease running out: %d claimed orders given back",
                            len(claims) - i)
                self.runner.run(True, lambda db, rest=claims[i:]: [
                    store.release(db, c.row_id, c.owner, c.key, in_doubt=c.ask_first)
                    for c in rest])
                break
            try:
                self.process(claim)
            except Exception:  # noqa: BLE001 - one order's failure does not stop the others
                log.exception("order %d: failed; its lease will expire and it is taken "
                              "again", claim.order.order_id)
        return len(claims)

    def send_now(self, order_ids: list[int], actor: str) -> list[Outcome]:
        """Send orders a request created leased to itself (SendOrders), now."""
        outcomes: list[Outcome] = []
        for order_id in order_ids:
            owner = request_owner(order_id)

            def load(db, order_id: int = order_id, owner: str = owner) -> Claim | None:
                row = store.claimed_by(db, order_id, owner)
                # its own first send: nothing can have been sent under the key yet
                return None if row is None else self._claim(db, row, False, owner)

            claim = self.runner.run(False, load)
            if claim is not None:
                outcomes.append(self.process(claim, actor))
        return outcomes

    def run(self, stop: threading.Event) -> None:
        """Work until ``stop`` is set: handle due orders, sleep ``poll_seconds`` when there
        were none. It also keeps SQLite's planner statistics current
        (:func:`openrev.store.stats.maybe_refresh`, at most once an hour)."""
        log.info("order flow-through worker %s started", self.owner)
        engine = self.runner.sessions.kw["bind"]
        while not stop.is_set():
            maybe_refresh(engine)  # planner statistics (SQLite), at most hourly; never raises
            try:
                handled = self.run_once()
            except Exception:  # noqa: BLE001 - a worker keeps going (database restarts...)
                log.exception("worker %s: claiming failed; trying again", self.owner)
                handled = 0
                stop.wait(min(self.settings.retry_base_seconds, 5.0))
            if not handled:
                stop.wait(self.settings.poll_seconds)
        log.info("order flow-through worker %s stopped", self.owner)


def _devices(db, service: Service | None) -> list[InventoryItem]:
    """The items that get MSID/MSL: the service's Mobile_Device, else its SIM_Card."""
    if service is None:
        return []
    items = store.items_of_service(db, service.id)
    by_kind: dict[str, list[InventoryItem]] = {}
    for item in items:
        by_kind.setdefault(item.inventory_type.kind, []).append(item)
    return by_kind.get("Mobile_Device") or by_kind.get("SIM_Card") or []

