"""Provider adapters: the one small interface between openrev and a provider.

An adapter is chosen per provider in the catalog (``providers.adapter``):

| adapter        | what it does                                                           |
| DEMOWIRELESS   | a simulated wireless carrier (:mod:`.demowireless`): takes the order,  |
|                | confirms it, completes it a few seconds later, assigns MDN/MSID/MSL   |
| MANUAL         | (:mod:`.manual`) takes the order and leaves it SENT for a person: it   |
|                | completes with Orders_Update / Lines_Update                            |

An adapter has two calls, both given a request id (``key``) that stays the same when one send
is retried:

* ``send(order)``: hand the order over; a provider that already has ``key`` answers as it did
  (it never takes one order twice);
* ``status(provider_id, key)``: what became of the order sent under ``key``; None when the
  provider never received it. The worker asks it before it sends again an order whose
  earlier send may have reached the provider (a worker died, a call timed out), and to follow
  an order the provider has.

They answer a :class:`ProviderAnswer`, or raise :class:`ProviderDown` (nothing was sent) or
:class:`ProviderTimeout` (no answer in time: it may have been).

Faults (``openrev provider fault``) are injected around any adapter by :class:`Faulty`, from
the provider's settings read when the order is claimed: connectivity down, the next N sends
rejected with a message, latency added to every answer.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable, Literal, Protocol

from ..domain.flow import Assignment

AnswerState = Literal["SENT", "CONFIRMED", "COMPLETE", "REJECTED"]


@dataclass(frozen=True, slots=True)
class OrderToSend:
    """What a provider is told about an order."""

    key: str
    client_id: int
    provider_id: int
    order_id: int
    order_type: str
    tn: str | None  # the service's number, when it has one (BATCHED device, TN, reconnect)
    port_mdn: str | None  # Order/WirelessPort/MDN
    devices: tuple[tuple[str, str], ...] = ()  # (inventory kind, identifier)
    complete_after: float | None = None  # the provider's settings (DEMOWIRELESS)


@dataclass(frozen=True, slots=True)
class ProviderAnswer:
    """A provider's answer. ``check_after``: seconds until it is worth asking again (None:
    the provider will not move the order on its own)."""

    state: AnswerState
    message: str | None = None
    check_after: float | None = None
    assignment: Assignment | None = None


class ProviderDown(Exception):
    """Connectivity to the provider is down: nothing was sent (CA2020)."""


class ProviderTimeout(ProviderDown):
    """The provider did not answer in time: the request may have reached it."""


class Adapter(Protocol):
    def send(self, order: OrderToSend) -> ProviderAnswer: ...

    def status(self, order: OrderToSend) -> ProviderAnswer | None: ...


@dataclass(frozen=True, slots=True)
class Faults:
    """The faults injected for one provider (``providers.fault_*``)."""

    down: bool = False
    down_message: str | None = None
    reject_next: int = 0
    reject_message: str | None = None
    latency_ms: int = 0

    @property
    def any(self) -> bool:
        return self.down or self.reject_next > 0 or self.latency_ms > 0


DOWN_MESSAGE = "connectivity to the provider is down (fault injected)"
REJECT_MESSAGE = "order rejected by the provider (fault injected)"


@dataclass
class Faulty:
    """``inner`` with the provider's faults: down raises :class:`ProviderDown` before anything
    is sent; a pending rejection (``take_rejection()`` uses one up) answers REJECTED without
    sending; latency delays every answer, and a latency beyond ``timeout`` seconds is a
    :class:`ProviderTimeout` after ``timeout`` seconds (the request did reach the provider:
    the worker asks before it sends again)."""

    inner: Adapter
    faults: Faults
    take_rejection: Callable[[], bool]
    timeout: float
    sleep: Callable[[float], None] = field(default=time.sleep)

    def send(self, order: OrderToSend) -> ProviderAnswer:
        self._check_down()
        if self.faults.reject_next > 0 and self.take_rejection():
            return self._slow(ProviderAnswer("REJECTED", self.faults.reject_message
                                             or REJECT_MESSAGE))
        return self._slow(self.inner.send(order))

    def status(self, order: OrderToSend) -> ProviderAnswer | None:
        self._check_down()
        return self._slow(self.inner.status(order))

    def _check_down(self) -> None:
        if self.faults.down:
            raise ProviderDown(self.faults.down_message or DOWN_MESSAGE)

    def _slow(self, answer: ProviderAnswer | None) -> ProviderAnswer | None:
        latency = self.faults.latency_ms / 1000
        if latency <= 0:
            return answer
        if latency > self.timeout:
            self.sleep(self.timeout)
            raise ProviderTimeout(f"no answer from the provider within {self.timeout:g} s")
        self.sleep(latency)
        return answer
