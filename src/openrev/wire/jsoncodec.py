"""The JSON binding's codec, derived from the same Struct declarations as the SOAP codec.

The body of ``POST /v20/json/{Operation}`` is the operation's Request object; the answer is
its Result object; lists are JSON arrays. A key that is absent or ``null`` leaves a field
as it is; ``""`` writes the empty or default value (CONTRACT.md, Customers_Update).
Decimals travel as JSON numbers written exactly (never through a binary float).

Bounded (``limits``): the body's values are counted before it is parsed (MAX_ELEMENTS), its
nesting is checked (MAX_DEPTH), ``NaN``/``Infinity`` are refused, and a number is kept as
its literal text (``JsonNumber``) until the field it is for parses it with the same bounded
parsers as XML text, so ``1e1000000`` is never turned into an int.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from decimal import Decimal
from functools import lru_cache
from typing import Any, Callable

import orjson

from ..contract import schema as S
from ..contract.limits import MAX_DEPTH, MAX_ELEMENTS, MAX_LIST_ITEMS
from .values import INVALID, BadValue, format_datetime, parse_integral, parse_leaf
from .xmlcodec import DecodeReport, item_path


class JsonError(ValueError):
    """The body is not a JSON object."""


class JsonNumber(str):
    """The literal text of a JSON number, parsed only by the field it is for."""

    __slots__ = ()


def _refuse_constant(name: str) -> Any:
    raise JsonError(f"the request body is not valid JSON: {name} is not a JSON number")


def loads(body: bytes) -> dict[str, Any]:
    # Every value but the first is preceded by a comma or an opening bracket: a cheap upper
    # bound on the number of values, checked before anything is built.
    values = body.count(b",") + body.count(b"[") + body.count(b"{")
    if values > MAX_ELEMENTS:
        raise JsonError(f"the request has too many JSON values (more than {MAX_ELEMENTS})")
    try:
        value = json.loads(body, parse_float=JsonNumber, parse_int=JsonNumber,
                           parse_constant=_refuse_constant)
    except JsonError:
        raise
    except RecursionError:
        raise JsonError(f"the request body nests arrays/objects deeper than {MAX_DEPTH} "
                        "levels") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise JsonError(f"the request body is not valid JSON: {exc}") from None
    if not isinstance(value, dict):
        raise JsonError("the request body must be a JSON object (the operation's Request)")
    _check_depth(value)
    return value


def _check_depth(value: Any) -> None:
    """Refuse nesting deeper than MAX_DEPTH (iterative: at most MAX_ELEMENTS values)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        v, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise JsonError(f"the request body nests arrays/objects deeper than {MAX_DEPTH} "
                            "levels")
        if isinstance(v, dict):
            stack.extend((c, depth + 1) for c in v.values() if isinstance(c, (dict, list)))
        elif isinstance(v, list):
            stack.extend((c, depth + 1) for c in v if isinstance(c, (dict, list)))


def decode(data: dict[str, Any], cls: type[S.Struct], path: str, report: DecodeReport) -> S.Struct:
    obj = cls()
    lookup = cls.__lookup__
    for key, value in data.items():
        f = lookup.get(key.lower()) if isinstance(key, str) else None
        cpath = f"{path}/{f.name if f else key}" if path else str(f.name if f else key)
        if f is None:
            report.ignore(cpath)
            continue
        if value is None:
            obj.set_state(f.name, S.State.EMPTY)
            continue
        v = _decode_value(value, f.type, cpath, report)
        if v is not INVALID:
            obj.set_state(f.name, S.State.WRITTEN, v)
    return obj


def _decode_value(value: Any, t: Any, path: str, report: DecodeReport) -> Any:
    if isinstance(t, S.ListOf):
        if value == "":
            return []
        if not isinstance(value, list):
            report.invalid.append((path, "must be a JSON array"))
            return INVALID
        if len(value) > MAX_LIST_ITEMS:
            report.invalid.append((path, f"must have at most {MAX_LIST_ITEMS} items"))
            return INVALID
        out = []
        for i, item in enumerate(value, 1):
            if item is None:
                continue
            v = _decode_value(item, t.of, item_path(path, t, i), report)
            if v is not INVALID:
                out.append(v)
        return out
    if isinstance(t, type):  # a Struct
        if value == "":
            return t()
        if not isinstance(value, dict):
            report.invalid.append((path, "must be a JSON object"))
            return INVALID
        return decode(value, t, path, report)
    return _decode_leaf(value, t, path, report)


def _decode_leaf(value: Any, t: S.Type, path: str, report: DecodeReport) -> Any:
    if isinstance(value, (dict, list)):
        report.invalid.append((path, "must be a simple value, not a structure"))
        return INVALID
    if value == "" and t is not S.String:
        return t.empty_value()
    if isinstance(value, bool):
        if t is S.Bool:
            return value
        value = "1" if value else "0"  # lenient, as in XML
    elif isinstance(value, (int, Decimal)):  # a dict built in Python, not by loads()
        value = JsonNumber(value)
    if isinstance(value, JsonNumber):
        if t is S.String:
            report.invalid.append((path, "must be a JSON string"))
            return INVALID
        if t in (S.Int, S.Long) and not value.lstrip("-").isdigit():  # 1e3, 10.0
            try:
                return parse_integral(t, value)
            except BadValue as exc:
                report.invalid.append((path, str(exc)))
                return INVALID
        value = str(value)
    return parse_leaf(t, value, path, report.invalid)


# ---------------------------------------------------------------------------- encoding


def _fmt_decimal(v: Decimal) -> orjson.Fragment:
    return orjson.Fragment(format(v, "f").encode())


_JSON_FORMATTERS: dict[S.Primitive, Callable[[Any], Any]] = {
    S.String: str,
    S.Int: int,
    S.Long: int,
    S.Bool: bool,
    S.Money: _fmt_decimal,
    S.Date: dt.date.isoformat,
    S.DateTime: format_datetime,
    S.Bytes: lambda b: base64.b64encode(b).decode("ascii"),
}


@lru_cache(maxsize=None)
def _plan(cls: type[S.Struct]) -> list[tuple[str, Callable[[Any], Any]]]:
    return [(f.name, _encoder(f.type)) for f in cls.__fields__]


def _encoder(t: Any) -> Callable[[Any], Any]:
    if isinstance(t, S.ListOf):
        item = _encoder(t.of)
        return lambda v: [item(x) for x in v]
    if isinstance(t, type):
        return encode
    if isinstance(t, S.Enum):
        return str
    return _JSON_FORMATTERS[t]


def encode(obj: S.Struct) -> dict[str, Any]:
    """The JSON object of a Struct: every non-None field, in declaration order."""
    values = obj._values
    out: dict[str, Any] = {}
    for name, enc in _plan(type(obj)):
        v = values.get(name)
        if v is not None:
            out[name] = enc(v)
    return out


def dumps(obj: S.Struct) -> bytes:
    return orjson.dumps(encode(obj))
