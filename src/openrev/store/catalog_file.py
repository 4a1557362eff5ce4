"""A client's catalog as a file: ``openrev catalog export/import`` (docs/CATALOG.md).

:func:`import_catalog` reads and checks a whole file (:mod:`openrev.store.catalog_format`)
against the client's database rows, and only when there is no problem at all applies it: rows
keyed by id, missing ones inserted, existing ones set to the file's values, in the caller's
transaction (flushed, never committed). Rows of the client that the file does not list are
left as they are (customers may reference them), except the products of a listed package:
a package's product list is the file's. :func:`export_catalog` writes the client's whole
catalog as such a file; importing it again changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from .catalog_format import (
    PACKAGE_PRODUCTS, SECTIONS, SETTINGS, SETTINGS_KEY, Catalog, Known, Row, Section, bounded,
    check_against, dump, file_value, parse, unique_fields,
)
from .tables import Client

__all__ = ["CatalogReport", "export_catalog", "import_catalog"]

_CHUNK = 500  # ids per IN (...) look-up


@dataclass
class CatalogReport:
    """What an import found and did: ``ok`` (no problem; with ``dry_run`` nothing was
    written either way), ``problems`` (``SOURCE: path: problem`` lines, bounded),
    ``summary`` (one line per section: created / updated / unchanged, rows left as is),
    ``changed`` (something was, or with ``dry_run`` would be, written)."""

    ok: bool
    problems: list[str] = field(default_factory=list)
    summary: list[str] = field(default_factory=list)
    changed: bool = False


def import_catalog(db: Session, client_id: int, text: str, source: str, *,
                   dry_run: bool = False, keep_existing: bool = False,
                   prune: bool = True) -> CatalogReport:
    """Check the catalog file ``text`` (named ``source`` in the problems) completely against
    client ``client_id``; when there is no problem and not ``dry_run``, apply it (flushed, not
    committed: the caller commits). On a problem nothing is written and the session is as it
    was.

    ``keep_existing`` (the demo data's ``openrev demo``): only rows that are missing are
    inserted, existing ones are left as they are. ``prune`` false: products of a listed
    package that the file does not list are kept (``openrev demo --reset``).
    """
    client = db.get(Client, client_id)
    if client is None:
        return CatalogReport(False, [f"{source}: client {client_id} does not exist"])
    catalog = parse(text)
    if catalog.rows or catalog.settings:
        check_against(catalog, _known(db, client_id, catalog), client_id, client.code)
    if catalog.problems:
        return CatalogReport(False, bounded(catalog.problems, source))
    if dry_run:
        summary, changed = _apply(db, client, catalog, write=False,
                                  keep_existing=keep_existing, prune=prune)
        return CatalogReport(True, [], summary + [
            "dry run: nothing written" + ("" if changed else " (nothing would change)")],
            changed)
    try:
        with db.begin_nested():
            summary, changed = _apply(db, client, catalog, write=True,
                                      keep_existing=keep_existing, prune=prune)
    except SQLAlchemyError as exc:
        first = str(getattr(exc, "orig", None) or exc).strip().splitlines()
        return CatalogReport(False, [f"{source}: the database refused the catalog, nothing "
                                     f"changed: {first[0] if first else type(exc).__name__}"])
    if changed:
        from .demo import advance_id_sequences

        advance_id_sequences(db)
    return CatalogReport(True, [], summary + ["done" if changed else "nothing changed"],
                         changed)


def _known(db: Session, client_id: int, catalog: Catalog) -> Known:
    """The database facts the checks need (see :class:`Known`)."""
    known = Known()
    for table, ids in catalog.ids().items():
        model = _model(table)
        owners = known.owners.setdefault(table, {})
        wanted = sorted(ids)
        for i in range(0, len(wanted), _CHUNK):
            chunk = wanted[i:i + _CHUNK]
            for row_id, owner in db.execute(
                    select(model.id, model.client_id).where(model.id.in_(chunk))):
                owners[row_id] = owner
    for section in (*SECTIONS, PACKAGE_PRODUCTS):
        for f in unique_fields(section):
            column = getattr(section.model, f.attr)
            values = known.unique.setdefault((section.table, f.attr), {})
            for row_id, value in db.execute(select(section.model.id, column).where(
                    section.model.client_id == client_id)):  # type: ignore[attr-defined]
                if value is not None:
                    values[str(value).casefold()] = row_id
    return known


def _model(table: str) -> Any:
    for section in (*SECTIONS, PACKAGE_PRODUCTS):
        if section.table == table:
            return section.model
    raise KeyError(table)


def _counts_line(key: str, created: int, updated: int, unchanged: int, kept: int,
                 removed: int, left: int) -> str:
    parts = [f"{created} created", f"{updated} updated", f"{unchanged} unchanged"]
    if kept:
        parts.append(f"{kept} already there, kept as they are")
    if removed:
        parts.append(f"{removed} removed (not in the file's package)")
    line = f"{key}: " + ", ".join(parts)
    if left:
        line += f"; {left} not in the file, left as is"
    return line


def _apply(db: Session, client: Client, catalog: Catalog, *, write: bool,
           keep_existing: bool, prune: bool) -> tuple[list[str], bool]:
    """Apply (or, without ``write``, only compare) the checked file; the summary lines and
    whether anything changes."""
    lines: list[str] = []
    changed = False
    if catalog.settings is not None:
        diff = [f for f in SETTINGS.fields if f.attr in catalog.settings
                and getattr(client, f.attr) != catalog.settings[f.attr]]
        if diff and not keep_existing:
            changed = True
            if write:
                for f in diff:
                    setattr(client, f.attr, catalog.settings[f.attr])
            lines.append(f"{SETTINGS_KEY}: updated ({', '.join(f.key for f in diff)})")
        else:
            lines.append(f"{SETTINGS_KEY}: " + ("kept as they are" if diff else "unchanged"))
    for section in SECTIONS:
        model = section.model
        existing = {r.id: r for r in db.scalars(
            select(model).where(model.client_id == client.id))}  # type: ignore[attr-defined]
        rows = catalog.rows.get(section.key)
        if rows is None:
            lines.append(f"{section.key}: not in the file; {len(existing)} left as is")
            continue
        c = _upsert(db, client.id, section, rows, existing, write, keep_existing)
        left = len(set(existing) - {r.id for r in rows})
        if section.children is not None:
            if write:
                db.flush()
            cc = _children(db, client.id, section.children, rows, write, keep_existing,
                           prune and not keep_existing)
            lines.append(_counts_line(section.key, *c, 0, left))
            lines.append(_counts_line(f"{section.key}.{section.children_key}", *cc, 0))
            changed = changed or bool(cc[0] or cc[1] or cc[4])
        else:
            lines.append(_counts_line(section.key, *c, 0, left))
        changed = changed or bool(c[0] or c[1])
        if write:
            db.flush()
    return lines, changed


def _upsert(db: Session, client_id: int, section: Section, rows: list[Row],
            existing: dict[int, Any], write: bool, keep_existing: bool,
            extra: dict[int, dict[str, Any]] | None = None) -> tuple[int, int, int, int]:
    """Insert or update ``rows``; (created, updated, unchanged, kept)."""
    created = updated = unchanged = kept = 0
    for row in rows:
        values = {**row.values, **((extra or {}).get(row.id, {}))}
        obj = existing.get(row.id)
        if obj is None:
            created += 1
            if write:
                db.add(section.model(id=row.id, client_id=client_id, **values))
            continue
        if keep_existing:
            kept += 1
            continue
        diff = {a: v for a, v in values.items() if getattr(obj, a) != v}
        if not diff:
            unchanged += 1
            continue
        updated += 1
        if write:
            for a, v in diff.items():
                setattr(obj, a, v)
    return created, updated, unchanged, kept


def _children(db: Session, client_id: int, section: Section, parents: list[Row], write: bool,
              keep_existing: bool, prune: bool) -> tuple[int, int, int, int, int]:
    """The products of the file's packages; (created, updated, unchanged, kept, removed)."""
    model = section.model
    parent_ids = [p.id for p in parents]
    existing = {r.id: r for r in db.scalars(select(model).where(
        model.client_id == client_id))}  # type: ignore[attr-defined]
    rows = [child for p in parents for child in p.children]
    extra = {child.id: {section.parent_attr: p.id} for p in parents for child in p.children}
    created, updated, unchanged, kept = _upsert(db, client_id, section, rows, existing, write,
                                                keep_existing, extra)
    listed = {r.id for r in rows}
    doomed = [r for r in existing.values() if getattr(r, section.parent_attr) in parent_ids
              and r.id not in listed]
    removed = len(doomed) if prune else 0
    if write and removed:
        for r in doomed:
            db.delete(r)
    if write:
        db.flush()
        for parent in parent_ids:  # their product lists were changed behind the ORM's back
            obj = db.get(_parent_model(), parent)
            if obj is not None:
                db.expire(obj, ["products"])
    return created, updated, unchanged, kept, removed


def _parent_model() -> Any:
    return next(s.model for s in SECTIONS if s.children is PACKAGE_PRODUCTS)


# --------------------------------------------------------------------------- export


def export_catalog(db: Session, client_id: int) -> str:
    """The client's whole catalog as catalog file text (YAML)."""
    client = db.get(Client, client_id)
    if client is None:
        raise ValueError(f"client {client_id} does not exist")
    doc: dict[str, Any] = {SETTINGS_KEY: {
        f.key: file_value(SETTINGS, f, getattr(client, f.attr)) for f in SETTINGS.fields}}
    for section in SECTIONS:
        model = section.model
        rows = db.scalars(select(model).where(model.client_id == client_id)  # type: ignore
                          .order_by(model.id))
        doc[section.key] = [_export_row(db, section, r) for r in rows]
    header = (f"openrev catalog of client {client.code} (format: docs/CATALOG.md)\n"
              f"load it with: openrev catalog import FILE --client CODE [--dry-run]")
    return dump(doc, header)


def _export_row(db: Session, section: Section, obj: Any, position: int = 0) -> dict[str, Any]:
    out: dict[str, Any] = {"ID": obj.id}
    for f in section.fields:
        value = getattr(obj, f.attr)
        if value is None or (f.attr == "sort_order" and value == position):
            continue
        out[f.key] = file_value(section, f, value)
    if section.children is not None:
        child = section.children
        kids = db.scalars(select(child.model).where(
            getattr(child.model, child.parent_attr) == obj.id)
            .order_by(child.model.sort_order, child.model.id))  # type: ignore[attr-defined]
        out[section.children_key] = [_export_row(db, child, k, i)
                                     for i, k in enumerate(kids, 1)]
    return out
