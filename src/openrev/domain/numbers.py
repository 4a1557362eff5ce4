"""Telephone numbers (TNs) of services: their format, and the rule that a number is live on at
most one service of a client.

A number is *live* on a service that is not DISCONNECTED. NewCustomers_Create (Order/TN,
Order/ReconnectTN, Order/WirelessPort/MDN), Orders_Update (Lines/OrderLineUpdateItem/TN) and
Lines_Update (Number) all refuse a number live on another service, with S2010 naming the field
and the service. Services are passed in (the store finds them): anything with ``id`` and
``status``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Protocol

from ..contract.errors import ApiError

TN_PATTERN = re.compile(r"\d{10}", re.ASCII)


class HasStatus(Protocol):
    id: int
    status: str


def tn_problem(value: str | None, path: str) -> str | None:
    """``path: must be 10 digits`` when ``value`` is given and is not a 10-digit number."""
    if value is None or not value.strip():
        return None
    if not TN_PATTERN.fullmatch(value.strip()):
        return f"{path}: must be 10 digits"
    return None


def live_service(services: Iterable[HasStatus], *, other_than: int | None = None
                 ) -> HasStatus | None:
    """The first of ``services`` on which the number is live, ignoring ``other_than``."""
    for s in services:
        if s.status != "DISCONNECTED" and s.id != other_than:
            return s
    return None


def number_in_use(path: str, tn: str, services: Iterable[HasStatus], *,
                  other_than: int | None = None) -> ApiError | None:
    """S2010 when ``tn`` is live on one of ``services`` (other than ``other_than``)."""
    live = live_service(services, other_than=other_than)
    if live is None:
        return None
    return ApiError("S2010", f"{path}: {tn.strip()} is in use on service {live.id}")
