"""Money: decimal, never float, rounded half-up to cents (CONTRACT.md)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")


def money(v: Decimal | int | str) -> Decimal:
    """A money amount rounded half-up to cents."""
    return Decimal(v).quantize(CENT, rounding=ROUND_HALF_UP)
