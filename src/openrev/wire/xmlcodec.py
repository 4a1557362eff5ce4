"""The XML codec: request Nodes -> Structs, result Structs -> XML text.

Both directions are derived from the contract's Struct declarations and compiled once per
type into plain-Python plans, so the hot path does no schema lookups. The encoder writes
text directly (unprefixed elements under a default namespace declared on the operation's
response element), which is several times faster than building an element tree.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, Callable

from ..contract import schema as S
from ..contract.limits import MAX_LIST_ITEMS
from ..contract.report import DecodeReport  # noqa: F401  (re-exported for the codecs)
from .values import FORMATTERS, INVALID, parse_leaf
from .xmltree import Node

# ---------------------------------------------------------------------------- decoding


def decode(node: Node, cls: type[S.Struct], path: str, report: DecodeReport) -> S.Struct:
    """Decode the children of ``node`` as the fields of ``cls``.

    Field names match case-insensitively and by alias; unknown children are reported.
    """
    obj = cls()
    lookup = cls.__lookup__
    for child in node.children:
        f = lookup.get(child.local.lower())
        cpath = f"{path}/{f.name if f else child.local}" if path else (f.name if f else child.local)
        if f is None:
            report.ignore(cpath)
            continue
        ftype = f.type
        if child.is_empty_tag:
            if isinstance(ftype, S.ListOf) and not child.nil:
                # a list present with no items, <TaxExemptions/>, is an empty list (what PHP
                # and .NET write for an empty array); only xsi:nil leaves it (CONTRACT.md)
                obj.set_state(f.name, S.State.WRITTEN, [])
            else:
                obj.set_state(f.name, S.State.EMPTY)
            continue
        if isinstance(ftype, S.ListOf):
            items = _decode_list(child, ftype, cpath, report)
            if items is not INVALID:
                obj.set_state(f.name, S.State.WRITTEN, items)
        elif isinstance(ftype, type):  # a Struct
            obj.set_state(f.name, S.State.WRITTEN, decode(child, ftype, cpath, report))
        else:
            value = _decode_leaf(child, ftype, cpath, report)
            if value is not INVALID:
                obj.set_state(f.name, S.State.WRITTEN, value)
    return obj


def _decode_leaf(node: Node, ftype: S.Type, path: str, report: DecodeReport) -> Any:
    if node.children:
        report.invalid.append((path, "must be a simple value, not a structure"))
        return INVALID
    text = node.text
    if text is None or (ftype is not S.String and not text.strip()):
        return ftype.empty_value()  # <X></X>: the type's empty or default value
    return parse_leaf(ftype, text, path, report.invalid)


def item_path(path: str, lt: S.ListOf, i: int) -> str:
    """The path of a list item, the same in every binding: ``Fields/Field[1]``, ``X[1]``."""
    return f"{path}/{lt.item}[{i}]" if isinstance(lt.of, type) else f"{path}[{i}]"


def _decode_list(node: Node, lt: S.ListOf, path: str, report: DecodeReport) -> Any:
    """Every child is an item, whatever its name (clients spell item names differently).

    More than MAX_LIST_ITEMS items: the list is INVALID (S2010), no item is decoded."""
    if len(node.children) > MAX_LIST_ITEMS:
        report.invalid.append((path, f"must have at most {MAX_LIST_ITEMS} items"))
        return INVALID
    out: list[Any] = []
    of = lt.of
    for i, item in enumerate(node.children, 1):
        ipath = item_path(path, lt, i)
        if isinstance(of, type):
            out.append(decode(item, of, ipath, report))
        elif item.is_empty_tag:
            continue
        else:
            v = _decode_leaf(item, of, ipath, report)
            if v is not INVALID:
                out.append(v)
    return out


# ---------------------------------------------------------------------------- encoding

_NEEDS_ESCAPE = re.compile(r"[&<>\r\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]").search
_INVALID_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def escape(text: str) -> str:
    """Escape character data; characters XML 1.0 cannot carry are dropped."""
    if _NEEDS_ESCAPE(text) is None:
        return text
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = text.replace("\r", "&#13;")
    return _INVALID_CHARS.sub("", text)


Plan = list[tuple[str, str, str, int, Any]]
_LEAF, _STRUCT, _LIST_LEAF, _LIST_STRUCT = range(4)


@lru_cache(maxsize=None)
def _plan(cls: type[S.Struct]) -> Plan:
    plan: Plan = []
    for f in cls.__fields__:
        t = f.type
        open_, close = f"<{f.name}>", f"</{f.name}>"
        if isinstance(t, S.ListOf):
            item_open, item_close = f"<{t.item}>", f"</{t.item}>"
            if isinstance(t.of, type):
                plan.append((f.name, open_, close, _LIST_STRUCT, (item_open, item_close, t.of)))
            else:
                plan.append((f.name, open_, close, _LIST_LEAF,
                             (item_open, item_close, _formatter(t.of))))
        elif isinstance(t, type):
            plan.append((f.name, open_, close, _STRUCT, t))
        else:
            plan.append((f.name, open_, close, _LEAF, _formatter(t)))
    return plan


def _formatter(t: S.Type) -> Callable[[Any], str]:
    if t is S.String or isinstance(t, S.Enum):
        return lambda v: escape(str(v))
    assert isinstance(t, S.Primitive)
    return FORMATTERS[t]


def encode_fields(obj: S.Struct, out: list[str]) -> None:
    """Append the XML of every non-None field of ``obj`` to ``out``."""
    values = obj._values
    for name, open_, close, kind, extra in _plan(type(obj)):
        v = values.get(name)
        if v is None:
            continue
        if kind == _LEAF:
            out.append(open_ + extra(v) + close)
        elif kind == _STRUCT:
            out.append(open_)
            encode_fields(v, out)
            out.append(close)
        elif kind == _LIST_STRUCT:
            item_open, item_close, _ = extra
            out.append(open_)
            for item in v:
                out.append(item_open)
                encode_fields(item, out)
                out.append(item_close)
            out.append(close)
        else:
            item_open, item_close, fmt = extra
            out.append(open_)
            for item in v:
                out.append(item_open + fmt(item) + item_close)
            out.append(close)


def encode_element(name: str, obj: S.Struct, out: list[str], ns: str | None = None) -> None:
    """``<name xmlns="ns">…fields…</name>`` appended to ``out``."""
    out.append(f'<{name} xmlns="{escape_attr(ns)}">' if ns is not None else f"<{name}>")
    encode_fields(obj, out)
    out.append(f"</{name}>")


def escape_attr(text: str) -> str:
    return escape(text).replace('"', "&quot;")
