"""``Debug/Request``: the request as understood, with every secret masked."""

from __future__ import annotations

from typing import Any

from ..contract.schema import Struct

MASK = "********"


def masked(obj: Struct) -> Struct:
    """A copy of ``obj`` in which every field declared ``secret`` is replaced by a mask."""
    copy = type(obj)()
    for f, value in obj.written():
        if f.secret and value not in (None, ""):
            copy._values[f.name] = MASK if isinstance(value, str) else None
        else:
            copy._values[f.name] = _mask_value(value)
        copy._states[f.name] = obj.state(f.name)
    return copy


def _mask_value(value: Any) -> Any:
    if isinstance(value, Struct):
        return masked(value)
    if isinstance(value, list):
        return [_mask_value(v) for v in value]
    return value
