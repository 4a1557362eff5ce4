"""Parsing and formatting of the primitive values, shared by the XML and JSON bindings."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any, Callable

from ..contract import schema as S
from ..contract.limits import INT_RANGE, MAX_DECIMAL_CHARS, MAX_EXPONENT, MAX_STRING_CHARS

class BadValue(ValueError):
    """A value that does not fit its type; the message is the rule, for the field path."""


_INTEGER = re.compile(r"[+-]?[0-9]+")
_DECIMAL = re.compile(r"([+-]?)([0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE]([+-]?[0-9]+))?")
# Characters XML 1.0 cannot carry (a JSON request can send them; PostgreSQL refuses a NUL).
_BAD_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

# Money is kept as Numeric(12, 2): anything that rounds to 10^10 or more does not fit.
MONEY_LIMIT = Decimal("9999999999.995")


def _integer(bits: int) -> Callable[[str], int]:
    lowest, highest = -(2 ** (bits - 1)), 2 ** (bits - 1) - 1
    most_digits = len(str(highest))

    def parse(text: str) -> int:
        t = text.strip()
        if not _INTEGER.fullmatch(t):  # ASCII digits only ("１２" is not a number here)
            raise BadValue("must be a whole number")
        digits = t.lstrip("+-").lstrip("0")
        if len(digits) > most_digits:  # bounded before int()
            raise BadValue(f"must be at least {lowest}" if t[0] == "-"
                           else f"must be at most {highest}")
        v = -int(digits or "0") if t[0] == "-" else int(digits or "0")
        if v > highest:
            raise BadValue(f"must be at most {highest}")
        if v < lowest:
            raise BadValue(f"must be at least {lowest}")
        return v

    return parse


parse_int = _integer(32)  # xs:int
parse_long = _integer(64)  # xs:long


def parse_integral(t: S.Primitive, text: str) -> int:
    """An Int/Long written as a decimal number (a JSON ``1e3`` or ``10.0``): its size is
    judged on the text before anything is converted (``1e1000000`` is out of range at once)."""
    lowest, highest = INT_RANGE if t is S.Int else (-(2 ** 63), 2 ** 63 - 1)
    d = _bounded_decimal(text.strip(), out_of_range=f"must be at most {highest}",
                         negative_out_of_range=f"must be at least {lowest}",
                         too_small="must be a whole number")
    if d > highest:
        raise BadValue(f"must be at most {highest}")
    if d < lowest:
        raise BadValue(f"must be at least {lowest}")
    if d != d.to_integral_value():
        raise BadValue("must be a whole number")
    return int(d)


def _bounded_decimal(t: str, *, out_of_range: str, negative_out_of_range: str,
                     too_small: str) -> Decimal:
    """``Decimal(t)`` once its length and exponent are known to be small (MAX_DECIMAL_CHARS,
    MAX_EXPONENT); a huge exponent is answered with one of the messages given."""
    if len(t) > MAX_DECIMAL_CHARS:
        raise BadValue(f"must be a decimal number of at most {MAX_DECIMAL_CHARS} characters")
    m = _DECIMAL.fullmatch(t)
    if m is None:
        raise BadValue("must be a decimal number")
    sign, digits, exponent = m.groups()
    if exponent is not None and abs(int(exponent)) > MAX_EXPONENT:  # <= 64 characters
        if not digits.replace(".", "").strip("0"):
            return Decimal(0)  # 0e999999 is zero
        if exponent.startswith("-"):
            raise BadValue(too_small)
        raise BadValue(negative_out_of_range if sign == "-" else out_of_range)
    try:
        return Decimal(t)
    except InvalidOperation:  # pragma: no cover - the pattern admits only numbers
        raise BadValue("must be a decimal number") from None


def parse_string(text: str) -> str:
    if _BAD_TEXT.search(text) is not None:
        raise BadValue("must not contain control characters")
    return text


def parse_bool(text: str) -> bool:
    t = text.strip().lower()
    if t in ("true", "1"):
        return True
    if t in ("false", "0"):
        return False
    raise BadValue("must be true, false, 1 or 0")


_MONEY_RANGE = "must be less than 10000000000 in absolute value"


def parse_decimal(text: str) -> Decimal:
    v = _bounded_decimal(
        text.strip(), out_of_range=_MONEY_RANGE, negative_out_of_range=_MONEY_RANGE,
        too_small=f"must be a decimal number with an exponent between -{MAX_EXPONENT} and "
                  f"{MAX_EXPONENT}")
    if not abs(v) < MONEY_LIMIT:
        raise BadValue(_MONEY_RANGE)
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
    S.String: parse_string,
    S.Int: parse_int,
    S.Long: parse_long,
    S.Bool: parse_bool,
    S.Money: parse_decimal,
    S.Date: parse_date,
    S.DateTime: parse_datetime,
    S.Bytes: parse_bytes,
}


@lru_cache(maxsize=None)
def text_parser(t: S.Type) -> Callable[[str], Any]:
    """How the text of an element of type ``t`` becomes a value."""
    if isinstance(t, S.Enum):
        return parse_enum(t)
    assert isinstance(t, S.Primitive), t
    return PARSERS[t]


INVALID = object()  # what a leaf that does not parse decodes to (its problem is reported)


def parse_leaf(t: S.Type, text: str, path: str, invalid: list[tuple[str, str]]) -> Any:
    """The value of ``text`` as type ``t``, or INVALID with ``(path, rule)`` noted.

    Text longer than MAX_STRING_CHARS is refused before any conversion (base64 Bytes only
    are bounded by the body size)."""
    if len(text) > MAX_STRING_CHARS and t is not S.Bytes:
        invalid.append((path, f"must be at most {MAX_STRING_CHARS} characters"))
        return INVALID
    try:
        return text_parser(t)(text)
    except BadValue as exc:
        invalid.append((path, str(exc)))
        return INVALID


# ---------------------------------------------------------------- formatting (to text)


def format_decimal(v: Decimal) -> str:
    return format(v, "f")


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
