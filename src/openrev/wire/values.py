"""Parsing and formatting of the primitive values, shared by the XML and JSON bindings."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, Callable

from ..contract import schema as S

CENT = Decimal("0.01")


class BadValue(ValueError):
    """A value that does not fit its type; the message is the rule, for the field path."""


def parse_int(text: str) -> int:
    t = text.strip()
    try:
        v = int(t)
    except ValueError:
        raise BadValue("must be a whole number") from None
    if not -(2**63) <= v < 2**63:
        raise BadValue("is out of range")
    return v


def parse_bool(text: str) -> bool:
    t = text.strip().lower()
    if t in ("true", "1"):
        return True
    if t in ("false", "0"):
        return False
    raise BadValue("must be true, false, 1 or 0")


def parse_decimal(text: str) -> Decimal:
    try:
        v = Decimal(text.strip())
    except InvalidOperation:
        raise BadValue("must be a decimal number") from None
    if not v.is_finite():
        raise BadValue("must be a finite decimal number")
    return v


def parse_date(text: str) -> dt.date:
    """xs:date (optionally with a zone) or xs:dateTime (its date part)."""
    t = text.strip()
    try:
        if len(t) > 10 and t[10] in "Tt ":
            return dt.datetime.fromisoformat(t.replace("z", "Z")).date()
        return dt.date.fromisoformat(t[:10]) if _zone_ok(t[10:]) else _fail()
    except ValueError:
        raise BadValue("must be a date (YYYY-MM-DD)") from None


def _zone_ok(rest: str) -> bool:
    if rest in ("", "Z", "z"):
        return True
    if len(rest) == 6 and rest[0] in "+-" and rest[3] == ":":
        return rest[1:3].isdigit() and rest[4:].isdigit()
    return False


def _fail() -> Any:
    raise ValueError


def parse_datetime(text: str) -> dt.datetime:
    t = text.strip()
    try:
        if len(t) == 10:
            return dt.datetime.combine(dt.date.fromisoformat(t), dt.time())
        return dt.datetime.fromisoformat(t.replace("z", "Z"))
    except ValueError:
        raise BadValue("must be a date-time (YYYY-MM-DDThh:mm:ss)") from None


def parse_bytes(text: str) -> bytes:
    try:
        return base64.b64decode("".join(text.split()), validate=True)
    except (binascii.Error, ValueError):
        raise BadValue("must be base64") from None


def parse_enum(enum: S.Enum) -> Callable[[str], str]:
    def parse(text: str) -> str:
        v = enum.canonical(text)
        if v is None:
            raise BadValue("must be one of " + ", ".join(enum.values))
        return v

    return parse


PARSERS: dict[S.Primitive, Callable[[str], Any]] = {
    S.String: lambda t: t,
    S.Int: parse_int,
    S.Long: parse_int,
    S.Bool: parse_bool,
    S.Money: parse_decimal,
    S.Date: parse_date,
    S.DateTime: parse_datetime,
    S.Bytes: parse_bytes,
}


def text_parser(t: S.Type) -> Callable[[str], Any]:
    """How the text of an element of type ``t`` becomes a value."""
    if isinstance(t, S.Enum):
        return parse_enum(t)
    assert isinstance(t, S.Primitive), t
    return PARSERS[t]


# ---------------------------------------------------------------- formatting (to text)


def format_decimal(v: Decimal) -> str:
    return format(v, "f")


def money(v: Decimal | int | str) -> Decimal:
    """A money amount rounded half-up to cents (CONTRACT.md)."""
    return Decimal(v).quantize(CENT, rounding=ROUND_HALF_UP)


def format_datetime(v: dt.datetime) -> str:
    return v.isoformat(timespec="seconds")


def format_bool(v: bool) -> str:
    return "true" if v else "false"


def format_bytes(v: bytes) -> str:
    return base64.b64encode(v).decode("ascii")


FORMATTERS: dict[S.Primitive, Callable[[Any], str]] = {
    S.String: str,
    S.Int: str,
    S.Long: str,
    S.Bool: format_bool,
    S.Money: format_decimal,
    S.Date: dt.date.isoformat,
    S.DateTime: format_datetime,
    S.Bytes: format_bytes,
}
