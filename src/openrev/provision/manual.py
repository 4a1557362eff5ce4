"""MANUAL: a provider worked by people. Sending an order puts it in their queue: it is SENT
and stays so until someone completes it with Orders_Update (or Lines_Update and
Orders_Update), or cancels it. Nothing leaves openrev, so a repeated send changes nothing."""

from __future__ import annotations

from .adapters import OrderToSend, ProviderAnswer

MESSAGE = "waiting for manual provisioning (complete it with Orders_Update)"


class Manual:
    def send(self, order: OrderToSend) -> ProviderAnswer:
        return ProviderAnswer("SENT", MESSAGE, check_after=None)

    def status(self, order: OrderToSend) -> ProviderAnswer | None:
        return None  # nothing was sent anywhere: sending (again) is harmless
