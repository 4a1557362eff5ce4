"""DEMOWIRELESS: a simulated wireless carrier, for integrators to develop against.

It behaves like a carrier that keeps its own records: what it receives is written to its
ledger (``carrier_ledger``, in a transaction of its own: the carrier's side, not the
order's) under the request id, once. A send under a request id it already has is answered
as before and only counted (``sends``): it never activates one order twice.

* a send is answered SENT; the order is CONFIRMED one second later (or half its completion
  time, when shorter) and COMPLETE ``complete_after`` seconds after it arrived (the
  provider's ``auto_complete_seconds``: 3 in the demo);
* on completion it assigns an MDN — the service's number when it has one (a BATCHED device,
  Order/TN, ReconnectTN), the ported MDN for a port (Order/WirelessPort/MDN), else a new
  number 850-2xx-xxxx not live on a service of the client — and an MSID and MSL for the
  device.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Callable

from ..domain.flow import Assignment
from ..store import outbox as store
from ..store.tables import CarrierLedger
from ..store.uow import TransactionRunner
from .adapters import OrderToSend, ProviderAnswer

DEFAULT_COMPLETE_AFTER = 3.0
NEW_NUMBER_BASE = 8502000000  # the demo carrier's numbers: 850-200-0001 and on


class DemoWireless:
    def __init__(self, runner: TransactionRunner,
                 clock: Callable[[], dt.datetime]) -> None:
        self.runner = runner
        self.clock = clock

    def send(self, order: OrderToSend) -> ProviderAnswer:
        now = self.clock()

        def receive(db) -> CarrierLedger:
            entry = store.ledger_entry(db, order.provider_id, order.key)
            if entry is not None:
                entry.sends += 1
                return entry
            complete = DEFAULT_COMPLETE_AFTER if order.complete_after is None \
                else max(order.complete_after, 0.0)
            entry = store.ledger_add(db, CarrierLedger(
                client_id=order.client_id, provider_id=order.provider_id, key=order.key,
                order_id=order.order_id, received_at=now,
                confirm_at=now + dt.timedelta(seconds=min(1.0, complete / 2)),
                complete_at=now + dt.timedelta(seconds=complete), sends=1, lookups=0))
            entry.mdn = order.port_mdn or order.tn or _new_number(db, order.client_id, entry.id)
            digest = hashlib.sha256(order.key.encode()).hexdigest()
            entry.msid = f"{9000000000 + entry.id}"
            entry.msl = f"{int(digest[:8], 16) % 1_000_000:06d}"
            return entry

        entry = self.runner.run(True, receive)
        return self._answer(entry, now)

    def status(self, order: OrderToSend) -> ProviderAnswer | None:
        now = self.clock()

        def look(db) -> CarrierLedger | None:
            entry = store.ledger_entry(db, order.provider_id, order.key)
            if entry is not None:
                entry.lookups += 1
            return entry

        entry = self.runner.run(True, look)
        return None if entry is None else self._answer(entry, now)

    @staticmethod
    def _answer(entry: CarrierLedger, now: dt.datetime) -> ProviderAnswer:
        if now >= entry.complete_at:
            return ProviderAnswer("COMPLETE", f"activated on {entry.mdn}",
                                  assignment=Assignment(entry.mdn, entry.msid, entry.msl))
        if now >= entry.confirm_at:
            return ProviderAnswer("CONFIRMED", "confirmed by Demo Wireless",
                                  check_after=(entry.complete_at - now).total_seconds())
        return ProviderAnswer("SENT", f"received by Demo Wireless as {entry.key}",
                              check_after=(entry.confirm_at - now).total_seconds())


def _new_number(db, client_id: int, seed: int) -> str:
    """A number of the demo carrier's range that no service of the client has."""
    n = seed
    while True:
        tn = str(NEW_NUMBER_BASE + n)
        if not store.number_live(db, client_id, tn):
            return tn
        n += 1_000  # another ledger entry will want seed + 1
