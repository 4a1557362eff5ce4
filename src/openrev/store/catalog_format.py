"""Catalog files (``openrev catalog export/import``, docs/CATALOG.md): the YAML format, its
reader and every rule of it. No SQL here: what the database holds reaches the checks as plain
data (:class:`Known`), gathered by :mod:`openrev.store.catalog_file`.

The sections and their fields are declared once, below (:data:`SECTIONS`); the type, length,
nullability, default and reference target of each field come from its table column
(:mod:`openrev.store.tables`), so no length or enumeration is written twice.

Reading is bounded: at most :data:`MAX_BYTES` of text, no anchors or aliases (an alias bomb
is refused before anything is expanded), nesting at most :data:`MAX_DEPTH` deep, at most
:data:`MAX_PROBLEMS` problems reported. Numbers with a fraction are read as Decimal, never
float (money stays exact).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

import yaml
from sqlalchemy import Boolean, Column, Integer, String, UniqueConstraint

from ..domain.tax import CATEGORIES
from .tables import (
    BILL_METHODS, CLIENT_LIFELINE_FORM_STATUSES, INVENTORY_TYPE_KINDS, PROVIDER_ADAPTERS,
    TAX_ENGINES, Agent, Base, BillProfile, Client, CustomFieldDefinition, InventoryType,
    LifelineProofType, LifelineType, Money, NladProfile, Package, PackageProduct, Process,
    Product, Provider, ProviderAccount, ServiceType,
)

MAX_BYTES = 2 * 1024 * 1024
"""The largest catalog file read (2 MiB: thousands of products)."""
MAX_DEPTH = 8
"""The deepest nesting of nodes (the format needs 6: a package product's value)."""
MAX_PROBLEMS = 100
"""At most this many problems are listed; a last line says how many more there were."""
INT_MAX = 2**31 - 1
MONEY_MAX = Decimal("9999999999.99")  # Numeric(12, 2)


# --------------------------------------------------------------------------- the format


@dataclass(frozen=True)
class Field:
    """One key of a row: its YAML ``key`` and the model attribute ``attr`` it sets.

    ``enum``: the values allowed; ``words``: file words standing for column values (e.g.
    ``Monthly`` for ``recurring`` true); ``minimum`` of an integer; ``required`` overrides
    what the column says (a column with no default and NOT NULL is required).
    """

    key: str
    attr: str
    enum: tuple[str, ...] | None = None
    words: tuple[tuple[str, Any], ...] | None = None
    minimum: int | None = None
    required: bool | None = None
    pattern: tuple[str, str] | None = None  # (regex, what it means)


@dataclass(frozen=True)
class Section:
    """A list of rows of one table, keyed by ``ID`` (the table's primary key)."""

    key: str
    model: type[Base]
    noun: str
    fields: tuple[Field, ...]
    children: Section | None = None
    children_key: str = ""
    parent_attr: str = ""

    @property
    def table(self) -> str:
        return self.model.__tablename__  # type: ignore[no-any-return]

    def column(self, f: Field) -> Column[Any]:
        return self.model.__table__.c[f.attr]  # type: ignore[attr-defined,no-any-return]


_DESCRIPTION = Field("Description", "description")

PACKAGE_PRODUCTS = Section(
    "Products", PackageProduct, "package product", (
        Field("ProductID", "product_id"),
        Field("ProductGroupID", "product_group_id", minimum=0),
        Field("LeadProduct", "lead_product"),
        Field("Quantity", "quantity", minimum=1),
        Field("SortOrder", "sort_order", minimum=0),
    ), parent_attr="package_id")

SECTIONS: tuple[Section, ...] = (
    Section("Providers", Provider, "provider", (
        _DESCRIPTION,
        Field("Code", "code"),
        Field("Wireless", "is_wireless"),
        Field("AutoCompleteSeconds", "auto_complete_seconds", minimum=0),
        Field("Adapter", "adapter", enum=PROVIDER_ADAPTERS),
        Field("FaultDown", "fault_down"),
        Field("FaultDownMessage", "fault_down_message"),
        Field("FaultRejectNext", "fault_reject_next", minimum=0),
        Field("FaultRejectMessage", "fault_reject_message"),
        Field("FaultLatencyMs", "fault_latency_ms", minimum=0),
    )),
    Section("ProviderAccounts", ProviderAccount, "provider account", (
        Field("ProviderID", "provider_id"),
        Field("AccountNumber", "account_number"),
        _DESCRIPTION,
    )),
    Section("ServiceTypes", ServiceType, "service type", (_DESCRIPTION,)),
    Section("Processes", Process, "process", (_DESCRIPTION,)),
    Section("Products", Product, "product", (
        _DESCRIPTION,
        Field("Rate", "rate", required=True),
        Field("Charge", "recurring", words=(("Monthly", True), ("OneTime", False)),
              required=True),
        Field("ProviderID", "provider_id"),
        Field("Code1", "code1"),
        Field("Code2", "code2"),
        Field("ProductType", "product_type"),
        Field("TaxCategory", "tax_category", enum=CATEGORIES),
        Field("ShipsEquipment", "ships_equipment"),
    )),
    Section("Packages", Package, "package", (
        _DESCRIPTION,
        Field("ProviderID", "provider_id"),
        Field("ServiceTypeID", "service_type_id"),
        Field("Lifeline", "is_lifeline"),
        Field("ShipsEquipment", "ships_equipment"),
    ), children=PACKAGE_PRODUCTS, children_key="Products"),
    Section("LifelineTypes", LifelineType, "Lifeline type", (_DESCRIPTION,)),
    Section("LifelineProofTypes", LifelineProofType, "Lifeline proof type", (_DESCRIPTION,)),
    Section("CustomFields", CustomFieldDefinition, "custom field", (Field("Label", "label"),)),
    Section("NladProfiles", NladProfile, "NLAD profile", (
        Field("State", "state", pattern=(r"[A-Z]{2}", "two capital letters (a state code)")),
        Field("Active", "active"),
    )),
    Section("BillProfiles", BillProfile, "bill profile", (
        _DESCRIPTION,
        Field("BillMethod", "bill_method", enum=BILL_METHODS),
        Field("PaymentTerms", "payment_terms", minimum=0),
    )),
    Section("Agents", Agent, "agent", (
        Field("AgentNumber", "agent_number", minimum=1),
        Field("Name", "name"),
    )),
    Section("InventoryTypes", InventoryType, "inventory type", (
        _DESCRIPTION,
        Field("Kind", "kind", enum=INVENTORY_TYPE_KINDS),
        Field("IdentifierLabel", "identifier_label"),
    )),
)
"""Every section of a catalog file, in the order they are written and applied (a section
refers only to the ones before it)."""

SETTINGS_KEY = "Settings"
SETTINGS = Section(SETTINGS_KEY, Client, "settings", (
    Field("TaxEngine", "tax_engine", enum=TAX_ENGINES),
    Field("LifelineFormStatus", "lifeline_form_status", enum=CLIENT_LIFELINE_FORM_STATUSES),
))
"""The client's own settings the operations read (a mapping, not a list)."""

BY_TABLE: dict[str, Section] = {s.table: s for s in (*SECTIONS, PACKAGE_PRODUCTS)}
TOP_KEYS = (SETTINGS_KEY, *(s.key for s in SECTIONS))


def column_default(column: Column[Any]) -> tuple[bool, Any]:
    """(True, value) when ``column`` has a value to fall back on (a row of a catalog file
    that leaves it out, a demo row being reset): its scalar default, else NULL."""
    default: Any = column.default
    if default is not None:
        return (True, default.arg) if default.is_scalar else (False, None)
    return (True, None) if column.nullable else (False, None)


def is_required(section: Section, f: Field) -> bool:
    if f.required is not None:
        return f.required
    return not column_default(section.column(f))[0]


def reference(section: Section, f: Field) -> Section | None:
    """The section a field's column refers to (a foreign key), if any."""
    for fk in section.column(f).foreign_keys:
        return BY_TABLE.get(fk.column.table.name)
    return None


def unique_fields(section: Section) -> list[Field]:
    """The fields unique within one client (a ``UniqueConstraint(client_id, column)``)."""
    found = []
    for c in section.model.__table__.constraints:  # type: ignore[attr-defined]
        if isinstance(c, UniqueConstraint):
            names = [col.name for col in c.columns]
            if len(names) == 2 and names[0] == "client_id":
                found += [f for f in section.fields if section.column(f).name == names[1]]
    return found


# --------------------------------------------------------------------------- reading YAML


class CatalogSyntaxError(ValueError):
    """The text is not a catalog file that may be read (bad YAML, too big, an alias)."""


class _Loader(yaml.SafeLoader):
    """``yaml.SafeLoader`` refusing anchors and aliases, bounding depth, reading fractions
    as Decimal."""

    _depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            raise CatalogSyntaxError(f"{_where(event)}: aliases (*{event.anchor}) are not "
                                     "accepted in a catalog file")
        if getattr(event, "anchor", None) is not None:
            raise CatalogSyntaxError(f"{_where(event)}: anchors (&{event.anchor}) are not "
                                     "accepted in a catalog file")
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise CatalogSyntaxError(f"{_where(event)}: nested deeper than {MAX_DEPTH} "
                                         "levels")
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _where(event: Any) -> str:
    mark = event.start_mark
    return f"line {mark.line + 1}, column {mark.column + 1}"


def _decimal(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Any:
    text = str(loader.construct_scalar(node)).replace("_", "")
    try:
        value = Decimal(text)
    except InvalidOperation:
        return _NotANumber(text)
    return value if value.is_finite() else _NotANumber(text)


@dataclass(frozen=True)
class _NotANumber:
    text: str


_Loader.add_constructor("tag:yaml.org,2002:float", _decimal)


def read_yaml(text: str) -> Any:
    """The document of ``text`` (raises :class:`CatalogSyntaxError`)."""
    if len(text) > MAX_BYTES or len(text.encode("utf-8", "replace")) > MAX_BYTES:
        raise CatalogSyntaxError(f"larger than {MAX_BYTES // (1024 * 1024)} MiB")
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass
    except CatalogSyntaxError:
        raise
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        raise CatalogSyntaxError(f"{where}not valid YAML: {exc.problem or exc.context}"
                                 ) from None
    except (yaml.YAMLError, RecursionError) as exc:
        raise CatalogSyntaxError(f"not valid YAML: {exc}") from None


# --------------------------------------------------------------------------- parsed rows


@dataclass
class Row:
    """A row of the file, its values checked one by one: ``values`` by model attribute (every
    column of the section, left-out ones at their default); ``paths`` by attribute."""

    section: Section
    path: str
    id: int
    values: dict[str, Any]
    paths: dict[str, str]
    children: list[Row] = field(default_factory=list)


@dataclass
class Catalog:
    """A catalog file read and checked: ``settings`` (attribute -> value, only those given),
    ``rows`` by section key (sections the file does not have are missing), ``problems``."""

    settings: dict[str, Any] | None = None
    rows: dict[str, list[Row]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    def ids(self) -> dict[str, set[int]]:
        """Every id the file names, by table: its rows' and the ones it refers to."""
        wanted: dict[str, set[int]] = {}
        for row in self.all_rows():
            wanted.setdefault(row.section.table, set()).add(row.id)
            for f in row.section.fields:
                target = reference(row.section, f)
                value = row.values.get(f.attr)
                if target is not None and isinstance(value, int):
                    wanted.setdefault(target.table, set()).add(value)
        return wanted

    def all_rows(self) -> Iterator[Row]:
        for rows in self.rows.values():
            for row in rows:
                yield row
                yield from row.children


@dataclass
class Known:
    """What the database holds that the checks need: ``owners[table][id]`` the client of
    each row the file names (ids missing: no such row); ``unique[(table, attr)]`` this
    client's values of each per-client unique field (casefolded) and the row holding it."""

    owners: dict[str, dict[int, int]] = field(default_factory=dict)
    unique: dict[tuple[str, str], dict[str, int]] = field(default_factory=dict)


class _Problems(list[str]):
    def add(self, path: str, problem: str) -> None:
        self.append(f"{path}: {problem}")


def parse(text: str) -> Catalog:
    """Read ``text`` and check everything that needs no database (types, lengths, enums,
    required fields, duplicates within the file, the product group rules)."""
    problems = _Problems()
    catalog = Catalog(problems=problems)
    try:
        doc = read_yaml(text)
    except CatalogSyntaxError as exc:
        problems.append(str(exc))
        return catalog
    if doc is None:
        doc = {}
    if not isinstance(doc, dict):
        problems.append("the file must be a mapping of sections "
                        f"({', '.join(TOP_KEYS)})")
        return catalog
    for key in doc:
        if key not in TOP_KEYS:
            problems.add(str(key), f"unknown section (known: {', '.join(TOP_KEYS)})")
    if SETTINGS_KEY in doc:
        catalog.settings = _settings(doc[SETTINGS_KEY], problems)
    for section in SECTIONS:
        if section.key in doc:
            catalog.rows[section.key] = _rows(section, doc[section.key], section.key, problems)
    _check_duplicates(catalog, problems)
    for row in catalog.rows.get("Packages", []):
        _check_groups(row, problems)
    return catalog


def _settings(raw: Any, problems: _Problems) -> dict[str, Any]:
    if not isinstance(raw, dict):
        problems.add(SETTINGS_KEY, "must be a mapping (" +
                     ", ".join(f.key for f in SETTINGS.fields) + ")")
        return {}
    values: dict[str, Any] = {}
    _unknown_keys(SETTINGS, raw, SETTINGS_KEY, problems, with_id=False)
    for f in SETTINGS.fields:
        if f.key in raw:
            ok, value = _value(SETTINGS, f, raw[f.key], f"{SETTINGS_KEY}.{f.key}", problems)
            if ok:
                values[f.attr] = value
    return values


def _unknown_keys(section: Section, raw: dict[Any, Any], path: str, problems: _Problems, *,
                  with_id: bool = True) -> None:
    known = (["ID"] if with_id else []) + [f.key for f in section.fields] + (
        [section.children_key] if section.children else [])
    for key in raw:
        if key not in known:
            problems.add(f"{path}.{key}", f"unknown field (known: {', '.join(known)})")


def _rows(section: Section, raw: Any, path: str, problems: _Problems) -> list[Row]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        problems.add(path, f"must be a list of {section.noun}s")
        return []
    rows = []
    for i, item in enumerate(raw, 1):
        p = f"{path}[{i}]"
        if not isinstance(item, dict):
            problems.add(p, f"must be a mapping (a {section.noun} with ID, "
                            f"{', '.join(f.key for f in section.fields)})")
            continue
        _unknown_keys(section, item, p, problems)
        ok, row_id = _integer(item.get("ID"), 1, f"{p}.ID", problems, required=True)
        values: dict[str, Any] = {}
        paths: dict[str, str] = {}
        for position, f in enumerate(section.fields, 1):
            fp = f"{p}.{f.key}"
            paths[f.attr] = fp
            if f.key not in item:
                if f.attr == "sort_order":
                    values[f.attr] = i  # a package's products keep the order of the file
                elif is_required(section, f):
                    problems.add(fp, "required")
                else:
                    values[f.attr] = column_default(section.column(f))[1]
                continue
            good, value = _value(section, f, item[f.key], fp, problems)
            if good:
                values[f.attr] = value
        row = Row(section, p, row_id if ok else 0, values, paths)
        if section.children is not None:
            row.children = _rows(section.children, item.get(section.children_key),
                                 f"{p}.{section.children_key}", problems)
        if ok:
            rows.append(row)
    return rows


def _integer(raw: Any, minimum: int | None, path: str, problems: _Problems, *,
             required: bool = False) -> tuple[bool, int]:
    if raw is None:
        if required:
            problems.add(path, "required")
        return False, 0
    if isinstance(raw, bool) or not isinstance(raw, int):
        problems.add(path, f"must be a whole number, not {_shown(raw)}")
        return False, 0
    low = -INT_MAX - 1 if minimum is None else minimum
    if not low <= raw <= INT_MAX:
        problems.add(path, f"must be between {low} and {INT_MAX}")
        return False, 0
    return True, raw


def _shown(raw: Any) -> str:
    if isinstance(raw, _NotANumber):
        return repr(raw.text)
    if isinstance(raw, (int, Decimal)) and not isinstance(raw, bool):
        return str(raw)
    text = repr(raw) if isinstance(raw, str) else type(raw).__name__
    return text if len(text) <= 40 else text[:37] + "..."


def _value(section: Section, f: Field, raw: Any, path: str, problems: _Problems
           ) -> tuple[bool, Any]:
    """(True, the column value) of ``raw``, or (False, None) with the problem added."""
    column = section.column(f)
    if raw is None:
        if column.nullable and not is_required(section, f):
            return True, None
        problems.add(path, "required (it may not be null)")
        return False, None
    if f.words is not None:
        for word, value in f.words:
            if raw == word:
                return True, value
        problems.add(path, f"must be one of {', '.join(w for w, _ in f.words)}, "
                           f"not {_shown(raw)}")
        return False, None
    kind = column.type
    if isinstance(kind, Boolean):
        if not isinstance(raw, bool):
            problems.add(path, f"must be true or false, not {_shown(raw)}")
            return False, None
        return True, raw
    if isinstance(kind, Integer):
        if column.foreign_keys:
            good, value = _integer(raw, 1, path, problems)
        else:
            good, value = _integer(raw, f.minimum, path, problems)
        return good, value if good else None
    if isinstance(kind, Money):
        if isinstance(raw, bool) or not isinstance(raw, (int, Decimal)):
            problems.add(path, f"must be an amount such as 25.00, not {_shown(raw)}")
            return False, None
        amount = Decimal(raw)
        if amount.as_tuple().exponent < -2:  # type: ignore[operator]
            problems.add(path, f"{amount} has more than 2 decimal places")
            return False, None
        if abs(amount) > MONEY_MAX:
            problems.add(path, f"must be at most {MONEY_MAX} (and at least -{MONEY_MAX})")
            return False, None
        return True, amount.quantize(Decimal("0.01"))
    if isinstance(kind, String):
        if not isinstance(raw, str):
            problems.add(path, f"must be text, not {_shown(raw)} (quote it)")
            return False, None
        if not raw.strip():
            if column.nullable:
                return True, None
            problems.add(path, "must not be empty")
            return False, None
        if raw != raw.strip():
            problems.add(path, "must not start or end with spaces")
            return False, None
        if kind.length is not None and len(raw) > kind.length:
            problems.add(path, f"at most {kind.length} characters ({len(raw)} given)")
            return False, None
        if f.enum is not None and raw not in f.enum:
            problems.add(path, f"{_shown(raw)} is not one of {', '.join(f.enum)}")
            return False, None
        if f.pattern is not None and not re.fullmatch(f.pattern[0], raw):
            problems.add(path, f"must be {f.pattern[1]}, not {_shown(raw)}")
            return False, None
        return True, raw
    raise AssertionError(f"catalog field {f.key}: unsupported column type {kind}")


def _check_duplicates(catalog: Catalog, problems: _Problems) -> None:
    """Ids given twice in a section (a package's products: across all packages), and values
    of per-client unique fields given twice (case-insensitively)."""
    for section in (*SECTIONS, PACKAGE_PRODUCTS):
        rows = [r for r in catalog.all_rows() if r.section is section]
        seen: dict[int, str] = {}
        for row in rows:
            if row.id in seen:
                problems.add(f"{row.path}.ID", f"{row.id} is given twice (also {seen[row.id]})")
            else:
                seen[row.id] = row.path
        for f in unique_fields(section):
            values: dict[str, str] = {}
            for row in rows:
                value = row.values.get(f.attr)
                if value is None:
                    continue
                folded = str(value).casefold()
                if folded in values:
                    problems.add(row.paths[f.attr], f"{_shown(value)} is given twice (also "
                                                    f"{values[folded]}; {f.key} is unique)")
                else:
                    values[folded] = row.paths[f.attr]


def _check_groups(package: Row, problems: _Problems) -> None:
    """The product group rules the order code relies on: products of one group share
    ProductGroupID (0: no group); a lead product is the lead of a group, so it has a
    ProductGroupID other than 0; each group has exactly one lead product."""
    leads: dict[int, list[Row]] = {}
    for pp in package.children:
        group, lead = pp.values.get("product_group_id"), pp.values.get("lead_product")
        if not isinstance(group, int) or not isinstance(lead, bool):
            continue
        if group == 0:
            if lead:
                problems.add(pp.paths["lead_product"],
                             "a lead product needs a ProductGroupID (it leads a group)")
            continue
        leads.setdefault(group, [])
        if lead:
            leads[group].append(pp)
    for group, found in leads.items():
        if not found:
            problems.add(f"{package.path}.Products", f"product group {group} has no lead "
                                                     "product (LeadProduct: true on one)")
        for extra in found[1:]:
            problems.add(extra.paths["lead_product"], f"product group {group} already has "
                                                      f"a lead product ({found[0].path})")


def check_against(catalog: Catalog, known: Known, client_id: int, client_code: str) -> None:
    """The checks that need the database: ids of another client, references to rows that
    are neither in the file nor the client's, unique values held by a row of the client that
    the file does not list."""
    problems = catalog.problems
    in_file: dict[str, set[int]] = {}
    for row in catalog.all_rows():
        in_file.setdefault(row.section.table, set()).add(row.id)
    for row in catalog.all_rows():
        section = row.section
        owner = known.owners.get(section.table, {}).get(row.id)
        if owner is not None and owner != client_id:
            problems.append(f"{row.path}.ID: {section.noun} {row.id} belongs to another "
                            f"client (ids are unique across clients: choose a free one)")
        for f in section.fields:
            target = reference(section, f)
            value = row.values.get(f.attr)
            if target is None or not isinstance(value, int):
                continue
            if value in in_file.get(target.table, set()):
                continue
            owner = known.owners.get(target.table, {}).get(value)
            if owner is None:
                problems.append(f"{row.paths[f.attr]}: {target.noun} {value} does not exist "
                                f"(not in the file's {target.key}, nor of client "
                                f"{client_code})")
            elif owner != client_id:
                problems.append(f"{row.paths[f.attr]}: {target.noun} {value} belongs to "
                                "another client")
        for f in unique_fields(section):
            value = row.values.get(f.attr)
            if value is None:
                continue
            holder = known.unique.get((section.table, f.attr), {}).get(str(value).casefold())
            if holder is not None and holder != row.id and holder not in in_file.get(
                    section.table, set()):
                problems.append(f"{row.paths[f.attr]}: {_shown(value)} is the {f.key} of "
                                f"{section.noun} {holder} of client {client_code}, which the "
                                f"file does not list ({f.key} is unique)")


def bounded(problems: Iterable[str], source: str) -> list[str]:
    """``problems`` as ``SOURCE: problem`` lines, at most :data:`MAX_PROBLEMS` of them."""
    lines = [f"{source}: {p}" for p in problems]
    if len(lines) > MAX_PROBLEMS:
        more = len(lines) - MAX_PROBLEMS
        lines = lines[:MAX_PROBLEMS] + [f"{source}: ... and {more} more problems"]
    return lines


# --------------------------------------------------------------------------- writing


def file_value(section: Section, f: Field, value: Any) -> Any:
    """A column value as the file spells it."""
    if f.words is not None:
        for word, v in f.words:
            if v == value:
                return word
    return value


class _Dumper(yaml.SafeDumper):
    pass


def _represent_decimal(dumper: yaml.SafeDumper, value: Decimal) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:float", f"{value:.2f}")


_Dumper.add_representer(Decimal, _represent_decimal)


def dump(document: dict[str, Any], header: str) -> str:
    """YAML text of ``document`` (keys in the given order), after ``header`` comment lines."""
    body = yaml.dump(document, Dumper=_Dumper, sort_keys=False, allow_unicode=True,
                     default_flow_style=False, width=100)
    comments = "".join(f"# {line}\n".replace("# \n", "#\n") for line in header.splitlines())
    return comments + body
