"""Device intake: a CSV of inventory items made the client's, all or nothing.

``import_inventory`` checks every row first (against the file and against what the client
already has) and reports every problem by row; only a file with no problem is written, in
bulk (Core ``INSERT`` executemany, in chunks) in the caller's transaction. The rules are in
docs/API.md ("Device intake"); reading the file (sizes, encodings, the header) is
:mod:`openrev.domain.inventory_csv`, the check digits :mod:`openrev.domain.devices`.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import Column, ColumnElement, Engine, any_, bindparam, insert, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from ..contract.limits import MAX_STRING_CHARS
from ..domain.devices import device_key, identifier_forms, identifier_problem
from ..domain.inventory_csv import Columns, CsvRefused, read_header, read_table, value_problem
from ..domain.numbers import tn_problem
from . import stats
from .tables import (
    INVENTORY_ITEM_STATUSES, InventoryBatch, InventoryItem, InventoryItemField, InventoryType,
    Service,
)

MAX_BYTES = 32 * 1024 * 1024  # one file
MAX_ROWS = 200_000  # devices in one file
MAX_COLUMNS = 64
MAX_PROBLEMS = 50  # problem lines reported, then "and N more"
CHUNK = 5_000  # rows per INSERT executemany
_IN_CHUNK = 2_000  # values in one look-up (IN (...) on SQLite, = ANY(array) on PostgreSQL)

IMPORTED_STATUSES = tuple(s for s in INVENTORY_ITEM_STATUSES if s != "ASSIGNED")
WIRELESS_KINDS = ("Mobile_Device", "SIM_Card")
BATCH_ONLY = ("MSID", "MSL", "MDN", "Batch")  # pre-activated (BATCHED) devices only


def _cap(column: Column[Any]) -> int:
    """The most characters ``column`` holds (a Text column: the request limit)."""
    return getattr(column.type, "length", None) or MAX_STRING_CHARS


_LOADED = (InventoryItem.__table__, InventoryItemField.__table__, InventoryBatch.__table__)
_ITEMS = InventoryItem.__table__.c
_CAPS = {
    "Identifier": _cap(_ITEMS.identifier), "InventoryType": _cap(InventoryType.__table__.c
                                                                  .description),
    "Status": _cap(_ITEMS.status), "IdentifierLabel": _cap(InventoryType.__table__.c
                                                           .identifier_label),
    "Note": _cap(_ITEMS.note), "MSID": _cap(_ITEMS.msid), "MSL": _cap(_ITEMS.msl),
    "MDN": _cap(_ITEMS.mdn), "Batch": _cap(InventoryBatch.__table__.c.description),
}
_LABEL_CAP = _cap(InventoryItemField.__table__.c.label)
_VALUE_CAP = _cap(InventoryItemField.__table__.c.value)


@dataclass
class InventoryReport:
    """What an import did, or why it did nothing (``ok`` False: ``problems``, by row)."""

    ok: bool = True
    problems: list[str] = field(default_factory=list)
    created: int = 0
    unchanged: int = 0
    summary: list[str] = field(default_factory=list)


@dataclass(slots=True)
class _Row:
    number: int
    identifier: str
    type: InventoryType
    status: str
    note: str | None
    msid: str | None
    msl: str | None
    mdn: str | None
    batch: InventoryBatch | str | None  # a stored batch, or the description of a new one
    fields: dict[str, str]  # custom field label (as stored or written) -> value
    existing: int | None = None  # the id of the same item already stored, unchanged
    forms: tuple[str, ...] = ()  # devices.identifier_forms of the identifier


class _Problems:
    """Problem lines, reported in row order: the first ``MAX_PROBLEMS``, then a count."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.kept: list[tuple[int, int, str]] = []  # a max-heap of (-row, -seq, line)
        self.count = 0

    def add(self, number: int, identifier: str | None, text: str) -> None:
        self.count += 1
        who = f" (Identifier {identifier})" if identifier else ""
        entry = (-number, -self.count, f"{self.source}: row {number}{who}: {text}")
        if len(self.kept) < MAX_PROBLEMS:
            heapq.heappush(self.kept, entry)
        elif entry > self.kept[0]:
            heapq.heapreplace(self.kept, entry)

    def report(self) -> list[str]:
        lines = [line for _, _, line in sorted(self.kept, reverse=True)]
        more = self.count - len(lines)
        return lines + ([f"{self.source}: and {more:,} more problems"] if more else [])


T = TypeVar("T")


def _chunks(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


def _among(db: Session, column: Any, values: Sequence[Any]) -> ColumnElement[bool]:
    """``column`` is one of ``values``: one array parameter on PostgreSQL (an IN list of
    thousands of parameters costs more to send and parse than the look-up itself)."""
    if db.get_bind().dialect.name == "postgresql":
        return column == any_(bindparam(None, list(values), type_=ARRAY(column.type)))
    return column.in_(values)


class _Types:
    """The client's inventory types, named by id, description or Enum_Inventory_Type kind."""

    def __init__(self, types: list[InventoryType]) -> None:
        self.all = types
        self.by_id = {str(t.id): t for t in types}
        self.by_description: dict[str, list[InventoryType]] = {}
        self.by_kind: dict[str, list[InventoryType]] = {}
        for t in types:
            self.by_description.setdefault(t.description.strip().lower(), []).append(t)
            self.by_kind.setdefault(t.kind.lower(), []).append(t)

    def find(self, name: str) -> tuple[InventoryType | None, str | None]:
        if name.isascii() and name.isdigit():
            t = self.by_id.get(str(int(name)))
            return (t, None) if t else (None, f"InventoryType {name} is not an inventory type "
                                              f"id of the client ({self.names()})")
        low = name.lower()
        found = self.by_description.get(low) or self.by_kind.get(low) or []
        if len(found) == 1:
            return found[0], None
        if found:
            ids = ", ".join(str(t.id) for t in found)
            return None, f"InventoryType {name!r} names {len(found)} types ({ids}); give its id"
        return None, f"InventoryType {name!r} is not an inventory type of the client " \
                     f"({self.names()})"

    def names(self) -> str:
        if not self.all:
            return "it has none"
        shown = ", ".join(f"{t.id} {t.description} ({t.kind})" for t in self.all[:10])
        return "types: " + shown + (", ..." if len(self.all) > 10 else "")


def refresh_statistics(engine: Engine) -> None:
    """After an import is committed: planner statistics of the tables it loaded (a caller
    that imported many rows calls it, as ``openrev inventory import`` does)."""
    stats.refresh_statistics(engine, tables=[t.name for t in _LOADED], analysis_limit=0)


def import_inventory(db: Session, client_id: int, data: bytes | str, source: str, *,
                     dry_run: bool = False,
                     progress: Callable[[int, int], None] | None = None) -> InventoryReport:
    """Check the device CSV ``data`` (named ``source`` in problems) completely; when it has no
    problem and not ``dry_run``, add its devices to the client's inventory.

    Flushes, never commits: the caller commits when ``ok`` and not ``dry_run`` (and rolls
    back otherwise, although nothing was written then). ``progress(done, total)`` is called
    as rows are checked against the database, then again (from 0) as they are written."""
    try:
        table = read_table(data, source, max_bytes=MAX_BYTES, max_rows=MAX_ROWS,
                           max_columns=MAX_COLUMNS)
    except CsvRefused as exc:
        return InventoryReport(ok=False, problems=exc.problems)
    labels = _custom_labels(db, client_id)
    columns, header_problems = read_header(table.header, source, set(labels))
    if header_problems:
        return InventoryReport(ok=False, problems=header_problems[:MAX_PROBLEMS])
    if not table.rows:
        return InventoryReport(ok=False, problems=[f"{source}: no devices (only a header)"])
    problems = _Problems(source)
    for label, i in columns.custom:
        p = value_problem("a custom field label", label, _LABEL_CAP)
        if p:
            problems.add(1, None, f"column {i + 1}: {p}")
    if problems.count:
        return InventoryReport(ok=False, problems=problems.report())
    types = _Types(list(db.scalars(select(InventoryType).where(
        InventoryType.client_id == client_id).order_by(InventoryType.id))))
    batches = list(db.scalars(select(InventoryBatch).where(
        InventoryBatch.client_id == client_id).order_by(InventoryBatch.id)))
    total = len(table.rows)
    rows = _read_rows(table.rows, columns, width=len(table.header), types=types,
                      batches=batches, labels=labels, problems=problems)
    _check_in_file(rows, problems)
    _check_stored(db, client_id, rows, types, problems, progress)
    if problems.count:
        return InventoryReport(ok=False, problems=problems.report())
    new = [r for r in rows if r.existing is None]
    report = InventoryReport(unchanged=len(rows) - len(new))
    new_batches = sorted({r.batch.lower(): r.batch for r in new
                          if isinstance(r.batch, str)}.values(), key=str.lower)
    new_labels = sorted({label for r in new for label in r.fields
                         if label.lower() not in labels}, key=str.lower)
    if dry_run:
        report.summary.append(f"{source}: checked {total:,} rows: {len(new):,} devices would "
                              f"be added, {report.unchanged:,} are already stored unchanged "
                              "(dry run: nothing written)")
    else:
        report.created = _write(db, client_id, new, labels, progress)
        report.summary.append(f"{source}: {report.created:,} devices added, "
                              f"{report.unchanged:,} already stored unchanged")
    verb = "would be" if dry_run else "were"
    if new_batches:
        report.summary.append(f"batches that {verb} created: {', '.join(new_batches)}")
    if new_labels:
        report.summary.append(f"custom field labels that {verb} new: {', '.join(new_labels)}")
    counts: dict[str, int] = {}
    for r in new:
        key = f"{r.type.description} {r.status}"
        counts[key] = counts.get(key, 0) + 1
    for key, n in sorted(counts.items()):
        report.summary.append(f"  {n:,} {key}")
    return report


def _custom_labels(db: Session, client_id: int) -> dict[str, tuple[int, str]]:
    """The custom field labels of the client's items (lower case) -> (FieldID, Label)."""
    f = InventoryItemField
    found: dict[str, tuple[int, str]] = {}
    for fid, label in db.execute(select(f.field_id, f.label).where(f.client_id == client_id)
                                 .group_by(f.field_id, f.label).order_by(f.field_id)):
        found.setdefault(label.lower(), (fid, label))  # the first FieldID of a label
    return found


def _read_rows(records: list[tuple[int, list[str]]], columns: Columns, *, width: int,
               types: _Types, batches: list[InventoryBatch],
               labels: dict[str, tuple[int, str]], problems: _Problems) -> list[_Row]:
    """Each record checked on its own (its values, its type, its check digits)."""
    batch_by_id = {str(b.id): b for b in batches}
    batch_by_name: dict[str, InventoryBatch] = {}
    for b in batches:
        batch_by_name.setdefault(b.description.strip().lower(), b)
    rows: list[_Row] = []
    for number, values in records:
        if len(values) != width:
            problems.add(number, None, f"{len(values)} values; the header has {width} columns")
            continue
        v = {name: values[i] for name, i in columns.fields.items()}
        identifier = v.get("Identifier", "")
        shown = identifier if len(identifier) <= _CAPS["Identifier"] and \
            identifier.isprintable() else None
        before = problems.count

        def bad(text: str) -> None:
            problems.add(number, shown, text)  # noqa: B023 (called in this iteration only)

        for name, value in v.items():
            p = value_problem(name, value, _CAPS[name])
            if p:
                bad(p)
        custom: dict[str, str] = {}
        for label, i in columns.custom:
            p = value_problem(label, values[i], _VALUE_CAP)
            if p:
                bad(p)
            elif values[i]:
                custom[labels.get(label.lower(), (0, label))[1]] = values[i]
        if problems.count > before:
            continue
        if not identifier:
            bad("Identifier is missing")
        t, why = (None, "InventoryType is missing") if not v.get("InventoryType") else \
            types.find(v["InventoryType"])
        if why:
            bad(why)
        status = (v.get("Status") or "AVAILABLE").upper()
        if status == "ASSIGNED":
            bad("Status ASSIGNED cannot be imported (NewCustomers_Create assigns an item to "
                "a customer)")
        elif status not in IMPORTED_STATUSES:
            bad(f"Status {v['Status']!r} is not one of {', '.join(IMPORTED_STATUSES)}")
        if t is not None:
            label = v.get("IdentifierLabel")
            if label and label.lower() != t.identifier_label.strip().lower():
                bad(f"IdentifierLabel {label} is not the label of type {t.description} "
                    f"({t.identifier_label})")
            if identifier:
                p = identifier_problem(t.identifier_label, identifier)
                if p:
                    bad(p)
        batch: InventoryBatch | str | None = None
        if status == "BATCHED":
            if t is not None and t.kind not in WIRELESS_KINDS:
                bad(f"a BATCHED (pre-activated) device must be of a {' or '.join(WIRELESS_KINDS)} "
                    f"type, not {t.kind}")
            if not v.get("MDN"):
                bad("MDN is missing: a BATCHED (pre-activated) device carries its MDN")
            else:
                p = tn_problem(v["MDN"], "MDN")
                if p:
                    bad(p)
            name = v.get("Batch", "")
            if not name:
                bad("Batch is missing: a BATCHED device is on a batch (its id or description; "
                    "a new description creates the batch)")
            elif name.isascii() and name.isdigit():
                batch = batch_by_id.get(str(int(name)))
                if batch is None:
                    bad(f"Batch {name} is not an inventory batch id of the client")
            else:
                batch = batch_by_name.get(name.lower(), name)
        else:
            for name in BATCH_ONLY:
                if v.get(name):
                    bad(f"{name} is only for a BATCHED (pre-activated) device; this one is "
                        f"{status}")
        if problems.count > before:
            continue
        assert t is not None
        rows.append(_Row(number, identifier, t, status, v.get("Note") or None,
                         v.get("MSID") or None, v.get("MSL") or None, v.get("MDN") or None,
                         batch, custom, forms=identifier_forms(identifier)))
    return rows


def _check_in_file(rows: list[_Row], problems: _Problems) -> None:
    """The same device twice (in any of its forms), or one MDN on two devices."""
    forms_seen: dict[str, _Row] = {}
    exact_seen: dict[str, _Row] = {}
    mdn_seen: dict[str, _Row] = {}
    for r in rows:
        first = forms_seen.get(r.identifier) or next(
            (exact_seen[f] for f in r.forms if f in exact_seen), None)
        if first is not None:
            problems.add(r.number, r.identifier, (
                f"the same Identifier as row {first.number}" if first.identifier == r.identifier
                else f"the same device as row {first.number} ({first.identifier})"))
            continue
        exact_seen[r.identifier] = r
        for f in r.forms:
            forms_seen.setdefault(f, r)
        if r.mdn:
            other = mdn_seen.get(r.mdn)
            if other is not None:
                problems.add(r.number, r.identifier, f"MDN {r.mdn} is also the MDN of row "
                                                     f"{other.number} ({other.identifier})")
            else:
                mdn_seen[r.mdn] = r


_STORED = (InventoryItem.id, InventoryItem.identifier, InventoryItem.inventory_type_id,
           InventoryItem.status, InventoryItem.note, InventoryItem.msid, InventoryItem.msl,
           InventoryItem.mdn, InventoryItem.batch_id)


def _check_stored(db: Session, client_id: int, rows: list[_Row], types: _Types,
                  problems: _Problems, progress: Callable[[int, int], None] | None) -> None:
    """Rows against the client's items (any type, any form of the device) and services (an
    MDN live on one). Another client's items are not looked at: tenants are isolated."""
    done = 0
    if progress is not None:
        progress(0, len(rows))
    for chunk in _chunks(rows, _IN_CHUNK // 4):
        by_form: dict[str, list[_Row]] = {}
        for r in chunk:
            for f in r.forms:
                by_form.setdefault(f, []).append(r)
        found: dict[int, list[Any]] = {}
        for forms in _chunks(list(by_form), _IN_CHUNK):
            for item in db.execute(select(*_STORED).where(
                    InventoryItem.client_id == client_id,
                    _among(db, InventoryItem.identifier, forms))):
                for r in by_form[item.identifier]:
                    found.setdefault(id(r), []).append(item)
        same = [item.id for items in found.values() for item in items]
        fields: dict[int, dict[str, str]] = {}
        f = InventoryItemField
        stmt = select(f.inventory_item_id, f.label, f.value).where(
            _among(db, f.inventory_item_id, same))
        for item_id, label, value in db.execute(stmt) if same else ():
            if value:
                fields.setdefault(item_id, {})[label.lower()] = value
        for r in chunk:
            for item in sorted(found.get(id(r), []), key=lambda i: i.id):
                if item.identifier == r.identifier and item.inventory_type_id == r.type.id:
                    differs = _differences(r, item, fields.get(item.id, {}))
                    if differs:
                        problems.add(r.number, r.identifier,
                                     f"already stored (item {item.id}) with other values: "
                                     f"{'; '.join(differs)} (a stored item is never changed)")
                    else:
                        r.existing = item.id
                else:
                    t = types.by_id.get(str(item.inventory_type_id))
                    problems.add(r.number, r.identifier,
                                 f"already in inventory as {item.identifier} (item {item.id}, "
                                 f"{t.description if t else 'another type'})")
        done += len(chunk)
        if progress is not None:
            progress(done, len(rows))
    mdns = {r.mdn: r for r in rows if r.mdn and r.existing is None}
    for chunk in _chunks(list(mdns), _IN_CHUNK):
        for sid, tn in db.execute(select(Service.id, Service.tn).where(
                Service.client_id == client_id, _among(db, Service.tn, chunk),
                Service.status != "DISCONNECTED").order_by(Service.id)):
            r = mdns[tn]
            problems.add(r.number, r.identifier, f"MDN {tn} is in use on service {sid}")
        for item_id, identifier, mdn in db.execute(select(
                InventoryItem.id, InventoryItem.identifier, InventoryItem.mdn).where(
                InventoryItem.client_id == client_id, _among(db, InventoryItem.mdn, chunk),
                InventoryItem.status == "BATCHED").order_by(InventoryItem.id)):
            r = mdns[mdn]
            if identifier != r.identifier:
                problems.add(r.number, r.identifier, f"MDN {mdn} is already the MDN of "
                                                     f"BATCHED device {identifier} (item "
                                                     f"{item_id})")


def _differences(r: _Row, item: Any, fields: dict[str, str]) -> list[str]:
    """How the stored ``item`` (and its custom ``fields``, by lower-case label) differs from
    row ``r`` (empty: the same)."""
    out = []
    for name, want, have in (("Status", r.status, item.status), ("Note", r.note, item.note),
                             ("MSID", r.msid, item.msid), ("MSL", r.msl, item.msl),
                             ("MDN", r.mdn, item.mdn)):
        if (want or None) != (have or None):
            out.append(f"{name} is {have or 'empty'}, not {want or 'empty'}")
    batch_id = r.batch.id if isinstance(r.batch, InventoryBatch) else None
    if batch_id != item.batch_id or isinstance(r.batch, str):
        out.append(f"Batch is {item.batch_id or 'empty'}, not "
                   f"{r.batch if isinstance(r.batch, str) else batch_id or 'empty'}")
    if fields != {k.lower(): v for k, v in r.fields.items()}:
        out.append("its custom fields differ")
    return out


def _write(db: Session, client_id: int, rows: list[_Row],
           labels: dict[str, tuple[int, str]],
           progress: Callable[[int, int], None] | None) -> int:
    """Insert the new batches, items and custom fields (flushed, not committed)."""
    made: dict[str, InventoryBatch] = {}
    for r in rows:
        if isinstance(r.batch, str):
            key = r.batch.lower()
            if key not in made:
                made[key] = InventoryBatch(client_id=client_id, description=r.batch)
                db.add(made[key])
    db.flush()
    field_ids = {low: fid for low, (fid, _) in labels.items()}
    next_id = max(field_ids.values(), default=0) + 1
    for r in rows:
        for label in r.fields:
            if label.lower() not in field_ids:
                field_ids[label.lower()] = next_id
                next_id += 1
    items, fields = InventoryItem.__table__, InventoryItemField.__table__
    done = 0
    if progress is not None:
        progress(0, len(rows))
    for chunk in _chunks(rows, CHUNK):
        values = [{
            "client_id": client_id, "inventory_type_id": r.type.id, "identifier": r.identifier,
            "identifier_hex": device_key(r.identifier), "status": r.status, "note": r.note,
            "msid": r.msid, "msl": r.msl, "mdn": r.mdn,
            "batch_id": (made[r.batch.lower()] if isinstance(r.batch, str) else r.batch).id
            if r.batch is not None else None,
        } for r in chunk]
        with_fields = [r for r in chunk if r.fields]
        if with_fields:
            ids = db.execute(insert(items).returning(items.c.id, sort_by_parameter_order=True),
                             values).scalars().all()
            db.execute(insert(fields), [
                {"client_id": client_id, "inventory_item_id": item_id,
                 "field_id": field_ids[label.lower()], "label": label, "value": value}
                for r, item_id in zip(chunk, ids, strict=True)
                for label, value in r.fields.items()])
        else:
            db.execute(insert(items), values)
        done += len(chunk)
        if progress is not None:
            progress(done, len(rows))
    db.flush()
    return len(rows)
