"""The rules of updating a line (service): Lines_Update, and the TN of Orders_Update's Lines.

Lines_Update takes each field as a pair ``{Updated, Value}``. A pair whose ``Updated`` is not
true (false, absent, empty) is left as it is, whatever its Value. When ``Updated`` is true,
``Value`` is required (S2010 ``Number/Value: required when Updated is true``); a string
Value that is empty (``<Value></Value>``, JSON ``""``) clears the field, except ``Number``,
which must be 10 digits.

* ``Number``: the service's TN: 10 digits, and not live (not DISCONNECTED) on another service
  of the client (S2010 ``Number/Value: 8505551234 is in use on service 12``). A Mobile_Device
  assigned to the line that has no MDN yet gets the number as its MDN (as NewCustomers_Create
  does); a device that already carries an MDN (a pre-activated one) keeps it.
* ``Circuit_Number``, ``Carrier_Customer_Id`` (at most 100 characters), ``Description`` (at
  most 200): stored as given (trimmed).
* ``Program_ID``: a whole number >= 0, stored as given (openrev has no programs table, so any
  such number is accepted).
* ``Line_Type_Id``: a service type of the client (LT2001 otherwise); sets the line's type and
  its Type text (the type's description).
* ``Fields``: line-level custom fields, free labels (at most 200 characters), matched
  case-insensitively with the line's existing fields; a new label is added as spelled.

Each applied change is noted in the customer's history (category SERVICE).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..contract.errors import ApiError, problems_message
from ..store.tables import InventoryItem, Service, ServiceType
from .numbers import number_in_use, tn_problem

MAX_LENGTH = {"Circuit_Number": 100, "Carrier_Customer_Id": 100, "Description": 200}
LABEL_MAX = 200
# wire name -> Service column
COLUMNS = {"Number": "tn", "Circuit_Number": "circuit_number",
           "Carrier_Customer_Id": "carrier_customer_id", "Description": "description",
           "Program_ID": "program_id", "Line_Type_Id": "service_type_id"}

Note = tuple[str, str]


@dataclass
class LineChanges:
    """What a Lines_Update writes: wire name -> new value (None: clear), and the fields."""

    values: dict[str, Any] = field(default_factory=dict)
    fields: list[tuple[str, str | None]] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.values or self.fields)


def updated(pair: Any) -> bool:
    """The pair is to be written: its Updated is true."""
    return pair is not None and pair.Updated is True


def read_request(req: Any) -> LineChanges:
    """The changes a Lines_Update request asks for, after its input rules (S2010, every
    problem in one message)."""
    problems: list[str] = []
    out = LineChanges()
    if req.Line_ID is None:
        problems.append("Line_ID: required")
    for name in COLUMNS:
        pair = getattr(req, name)
        if not updated(pair):
            continue
        path = f"{name}/Value"
        if not pair.is_written("Value"):
            problems.append(f"{path}: required when Updated is true")
            continue
        value = pair.Value
        if isinstance(value, str):
            value = value.strip() or None
        if name == "Number":
            bad = tn_problem(value, path) if value else f"{path}: must be 10 digits"
            if bad is not None:
                problems.append(bad)
                continue
        elif name in MAX_LENGTH and value is not None and len(value) > MAX_LENGTH[name]:
            problems.append(f"{path}: at most {MAX_LENGTH[name]} characters")
            continue
        elif name == "Program_ID" and value < 0:
            problems.append(f"{path}: must be 0 or more")
            continue
        out.values[name] = value
    seen: set[str] = set()
    for i, f in enumerate(req.Fields or [], 1):
        path = f"Fields/Field[{i}]"
        label = (f.Label or "").strip()
        if not label:
            problems.append(f"{path}/Label: required")
            continue
        if len(label) > LABEL_MAX:
            problems.append(f"{path}/Label: at most {LABEL_MAX} characters")
            continue
        if label.casefold() in seen:
            problems.append(f"{path}/Label: {label!r} is given twice")
            continue
        seen.add(label.casefold())
        if not updated(f.Value):
            continue
        if not f.Value.is_written("Value"):
            problems.append(f"{path}/Value/Value: required when Updated is true")
            continue
        out.fields.append((label, f.Value.Value.strip() or None))
    if problems:
        raise ApiError("S2010", problems_message(problems))
    return out


def check_number_free(path: str, tn: str, line_id: int, services_on_tn: list[Service]) -> None:
    """S2010 when ``tn`` is live on a service of the client other than ``line_id``."""
    err = number_in_use(path, tn, services_on_tn, other_than=line_id)
    if err is not None:
        raise err


def set_number(service: Service, tn: str) -> list[Note]:
    """The service's TN becomes ``tn``; an assigned Mobile_Device without an MDN gets it."""
    old = service.tn
    if old == tn:
        return []
    service.tn = tn
    for item in service.inventory_items:
        if _is_device(item) and not item.mdn:
            item.mdn = tn
    return [("SERVICE", f"Line {service.id} number changed from {old or 'none'} to {tn}")]


def _is_device(item: InventoryItem) -> bool:
    return item.inventory_type is not None and item.inventory_type.kind == "Mobile_Device"


def apply(service: Service, changes: LineChanges, service_type: ServiceType | None
          ) -> list[Note]:
    """Write ``changes`` (checked) to the service; the notes for the customer's history.
    ``service_type`` is the one Line_Type_Id names (looked up by the caller)."""
    notes: list[Note] = []
    said: list[str] = []
    for name, value in changes.values.items():
        if name == "Number":
            notes += set_number(service, value)
            continue
        column = COLUMNS[name]
        if getattr(service, column) == value:
            continue
        setattr(service, column, value)
        if name == "Line_Type_Id":
            assert service_type is not None and service_type.id == value
            service.type = service_type.description
            said.append(f"Line_Type_Id {value} ({service_type.description})")
        elif value is None:
            said.append(f"{name} cleared")
        else:
            said.append(f"{name} {value!r}" if isinstance(value, str) else f"{name} {value}")
    for label, value in changes.fields:
        said.append(f"Field {label!r} " + ("cleared" if value is None else f"= {value!r}"))
    if said:
        notes.append(("SERVICE", f"Line {service.id} updated: " + "; ".join(said)))
    return notes
