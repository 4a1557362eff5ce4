"""The contract DSL: the one source of truth for every request and response shape.

A ``Struct`` subclass declares its fields, in wire order, as ``F(...)`` class attributes.
From these declarations the SOAP codec, the WSDL/XSD, the JSON binding and the OpenAPI
document are all derived (see ``openrev.wire``); nothing else describes a shape.

A decoded request keeps, for every field, one of three states (CONTRACT.md, Customers_Update):

* ``ABSENT``  - the element was not sent (or JSON key missing);
* ``EMPTY``   - ``<X />``, ``xsi:nil="true"`` or JSON ``null``: "leave as it is" (for a list,
  only ``xsi:nil`` and ``null``: ``<X />`` is a list present with no items, written ``[]``);
* ``WRITTEN`` - ``<X></X>``, ``<X>v</X>``, JSON ``""`` or a value: write this value
  (for ``<X></X>`` the type's empty value: ``""`` for strings, ``0``, ``False``, ``[]``...).

Reading an attribute gives the value (``None`` unless written); ``obj.is_written(name)``
and ``obj.state(name)`` give the state.
"""

from __future__ import annotations

import datetime as _dt
from decimal import Decimal
from enum import IntEnum
from typing import Any, ClassVar, Iterator


class State(IntEnum):
    ABSENT = 0
    EMPTY = 1
    WRITTEN = 2


# --------------------------------------------------------------------------- types


class Type:
    """Base of every field type."""

    xsd: str = ""
    json_type: dict[str, Any] = {}

    def empty_value(self) -> Any:
        return None


class Primitive(Type):
    def __init__(self, name: str, xsd: str, py: type, json_type: dict[str, Any], empty: Any):
        self.name = name
        self.xsd = xsd
        self.py = py
        self.json_type = json_type
        self._empty = empty

    def empty_value(self) -> Any:
        return self._empty

    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        return f"Primitive({self.name})"


String = Primitive("String", "xs:string", str, {"type": "string"}, "")
Int = Primitive("Int", "xs:int", int, {"type": "integer", "format": "int32"}, 0)
Long = Primitive("Long", "xs:long", int, {"type": "integer", "format": "int64"}, 0)
Bool = Primitive("Bool", "xs:boolean", bool, {"type": "boolean"}, False)
Money = Primitive("Decimal", "xs:decimal", Decimal, {"type": "number"}, Decimal("0"))
Date = Primitive("Date", "xs:date", _dt.date, {"type": "string", "format": "date"}, None)
DateTime = Primitive(
    "DateTime", "xs:dateTime", _dt.datetime, {"type": "string", "format": "date-time"}, None
)
Bytes = Primitive("Bytes", "xs:base64Binary", bytes, {"type": "string", "format": "byte"}, b"")


class Enum(Type):
    """An enumeration of the Standards (or of the Customers section)."""

    xsd = ""

    def __init__(self, name: str, values: dict[str, str], doc: str = ""):
        self.name = name
        self.values = values  # value -> description
        self.doc = doc
        self._by_lower = {v.lower(): v for v in values}

    def canonical(self, text: str) -> str | None:
        """The documented spelling of ``text`` (matched case-insensitively), or None."""
        return self._by_lower.get(text.strip().lower())

    def empty_value(self) -> Any:
        return ""

    def __iter__(self) -> Iterator[str]:
        return iter(self.values)

    def __contains__(self, item: object) -> bool:
        return item in self.values

    def __repr__(self) -> str:  # pragma: no cover
        return f"Enum({self.name})"


class ListOf(Type):
    """A documented list: a wrapper element holding repeated ``item`` elements."""

    def __init__(self, item: str, of: "Type | type[Struct]"):
        self.item = item
        self.of = of

    def empty_value(self) -> Any:
        return []


class F:
    """One field of a Struct: its type, other accepted spellings, doc, and whether secret.

    ``aliases`` are other spellings accepted on input (matched case-insensitively, like the
    name). ``declared`` are spellings that are also *declared* in the WSDL and OpenAPI, right
    after the field, because the original service declares them and WSDL-driven clients (PHP
    ``SoapClient`` sends only what the WSDL declares) send them: ``OverDue`` beside the
    documents' ``Overdue``. Answers always use the name.
    """

    __slots__ = ("name", "type", "aliases", "declared", "doc", "secret", "owner")

    def __init__(
        self,
        type: "Type | type[Struct]",
        doc: str = "",
        *,
        aliases: tuple[str, ...] = (),
        declared: tuple[str, ...] = (),
        secret: bool = False,
    ):
        self.type = type
        self.doc = doc
        self.aliases = tuple(dict.fromkeys(aliases + declared))
        self.declared = declared
        self.secret = secret
        self.name = ""
        self.owner: type[Struct] | None = None

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, obj: "Struct | None", objtype: type | None = None) -> Any:
        if obj is None:
            return self
        return obj._values.get(self.name)

    def __set__(self, obj: "Struct", value: Any) -> None:
        if value is None:
            obj._values.pop(self.name, None)
            obj._states.pop(self.name, None)
        else:
            obj._values[self.name] = value
            obj._states[self.name] = State.WRITTEN

    @property
    def is_struct(self) -> bool:
        return isinstance(self.type, type) and issubclass(self.type, Struct)

    def __repr__(self) -> str:  # pragma: no cover
        return f"F({self.name})"


class Struct:
    """A complex type. Subclass it and declare fields with ``F``.

    ``type_name`` is the XSD complexType name (defaults to the class name).
    """

    __fields__: ClassVar[tuple[F, ...]] = ()
    __lookup__: ClassVar[dict[str, F]] = {}
    type_name: ClassVar[str] = ""
    doc: ClassVar[str] = ""

    __slots__ = ("_values", "_states", "_unknown", "_invalid")

    def __init_subclass__(cls, **kw: Any) -> None:
        super().__init_subclass__(**kw)
        fields: list[F] = []
        for base in reversed(cls.__mro__[1:]):
            if issubclass(base, Struct) and base is not Struct:
                for f in base.__fields__:
                    if f not in fields:
                        fields.append(f)
        for value in cls.__dict__.values():
            if isinstance(value, F):
                value.owner = value.owner or cls
                fields.append(value)
        cls.__fields__ = tuple(fields)
        lookup: dict[str, F] = {}
        for f in fields:
            lookup[f.name.lower()] = f
            for alias in f.aliases:
                lookup[alias.lower()] = f
        cls.__lookup__ = lookup
        if "type_name" not in cls.__dict__:
            cls.type_name = cls.__name__

    def __init__(self, **values: Any):
        self._values: dict[str, Any] = {}
        self._states: dict[str, State] = {}
        self._unknown: list[str] | None = None
        self._invalid: list[tuple[str, str]] | None = None
        for k, v in values.items():
            f = self.__lookup__.get(k.lower())
            if f is None:
                raise TypeError(f"{type(self).__name__} has no field {k!r}")
            if v is not None:
                self._values[f.name] = v
                self._states[f.name] = State.WRITTEN

    # -- three states -------------------------------------------------------------
    def state(self, name: str) -> State:
        return self._states.get(name, State.ABSENT)

    def is_written(self, name: str) -> bool:
        return self._states.get(name) is State.WRITTEN

    def is_given(self, name: str) -> bool:
        """True if the element was sent at all, even empty or nil."""
        return name in self._states

    def set_state(self, name: str, state: State, value: Any = None) -> None:
        self._states[name] = state
        if state is State.WRITTEN:
            self._values[name] = value
        else:
            self._values.pop(name, None)

    def written(self) -> Iterator[tuple[F, Any]]:
        """(field, value) for every written field, in declaration order."""
        for f in self.__fields__:
            if self._states.get(f.name) is State.WRITTEN:
                yield f, self._values.get(f.name)

    def to_dict(self) -> dict[str, Any]:
        """Plain dict of written values (nested structs and lists converted)."""
        out: dict[str, Any] = {}
        for f, v in self.written():
            out[f.name] = _plain(v)
        return out

    def __repr__(self) -> str:
        # Secrets never appear in repr (and so never in logs or debug output).
        parts = []
        for f, v in self.written():
            parts.append(f"{f.name}={'***' if f.secret and v else v!r}")
        return f"{type(self).__name__}({', '.join(parts)})"

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return self.to_dict() == other.to_dict()  # type: ignore[union-attr]

    __hash__ = None  # type: ignore[assignment]

    # -- decoding diagnostics -----------------------------------------------------
    def note_unknown(self, path: str) -> None:
        if self._unknown is None:
            self._unknown = []
        self._unknown.append(path)

    def note_invalid(self, path: str, why: str) -> None:
        if self._invalid is None:
            self._invalid = []
        self._invalid.append((path, why))


def _plain(v: Any) -> Any:
    if isinstance(v, Struct):
        return v.to_dict()
    if isinstance(v, list):
        return [_plain(x) for x in v]
    return v


def walk_types(root: type[Struct], seen: dict[str, Any] | None = None) -> dict[str, Any]:
    """Every Struct and Enum reachable from ``root``, by type name, in dependency order."""
    seen = {} if seen is None else seen

    def visit_type(t: Any) -> None:
        if isinstance(t, ListOf):
            visit_type(t.of)
        elif isinstance(t, Enum):
            seen.setdefault(t.name, t)
        elif isinstance(t, type) and issubclass(t, Struct):
            if t.type_name in seen:
                if seen[t.type_name] is not t:
                    raise ValueError(f"two different types named {t.type_name}")
                return
            seen[t.type_name] = t  # placeholder first: recursion-safe
            for f in t.__fields__:
                visit_type(f.type)
            # move to the end so dependencies come first
            seen.pop(t.type_name)
            seen[t.type_name] = t

    visit_type(root)
    return seen
