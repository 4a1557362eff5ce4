"""Telecom taxes of charges in a jurisdiction: a small engine interface and a table engine.

* :class:`Jurisdiction`: state, county, city (and ZIP, Zip4) of a ZIP code, from the ZIP data
  the project ships (``zipcodes``; :func:`jurisdiction_of`).
* :class:`TaxDefinition`: one tax or fee of a client's tax table: its ``level`` (federal,
  state, county, city, local), ``kind`` (``percent`` of the charge; ``per_line``: a fixed
  amount once per service and category, as E911 fees are; ``per_unit``: a fixed amount per
  unit of quantity), ``type`` (``excise``, ``usf``, ``sales_use``, ``e911``, ... : what the
  exemption lists name), the product tax categories it applies to, and where it applies.
* :class:`TaxEngine`: ``taxes(jurisdiction, charges, exemptions) -> list[TaxLine]``. The
  default is :class:`TableTaxEngine`, driven by a client's table (:func:`parse_table`).
  Another engine (a commercial tax service) is any object with that method; see
  ``openrev.ops.quote.ENGINE_FACTORY``.

Rules of the table engine (docs/API.md, NewCustomers_Quote):

* charges are grouped by Category (OneTime, Monthly); a ``percent`` tax is taken on the *net*
  of the charges of its categories in that group (credits, i.e. negative amounts, reduce the
  base); when that net is zero or negative there is no tax line;
* ``per_line``: the amount once per group that has a positive charge of its categories;
  ``per_unit``: the amount times the quantities of the positive charges of its categories;
* every tax line is rounded half-up to cents on its own (a line that rounds to 0.00 is left
  out); sums are sums of rounded lines;
* a definition removed by one of the customer's exemptions (:data:`EXEMPTIONS`) is skipped.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, Protocol

from .money import money

LEVELS = ("federal", "state", "county", "city", "local")
LOCAL_LEVELS = frozenset({"county", "city", "local"})
KINDS = ("percent", "per_line", "per_unit")
UNIT_KINDS = frozenset({"per_line", "per_unit"})
TYPES = ("excise", "usf", "sales_use", "e911", "gross_receipts", "telecom", "surcharge",
         "franchise", "utility_users", "communications_users", "gst", "pst", "hst", "other")
CATEGORIES = ("wireless_service", "voice_service", "data_service", "equipment", "activation",
              "shipping", "general")
"""Product tax categories (``products.tax_category``; a product without one is ``general``)."""
DEFAULT_CATEGORY = "general"
CHARGE_CATEGORIES = ("OneTime", "Monthly")


# --------------------------------------------------------------------------- values


@dataclass(frozen=True, slots=True)
class Jurisdiction:
    zip: str
    state: str = ""
    county: str = ""
    city: str = ""
    zip4: str = ""


@dataclass(frozen=True, slots=True)
class Charge:
    """A charge (or credit) line: ``amount`` is rate x quantity, rounded to cents."""

    description: str
    amount: Decimal
    quantity: int
    category: str  # OneTime or Monthly
    tax_category: str = DEFAULT_CATEGORY


@dataclass(frozen=True, slots=True)
class TaxLine:
    description: str
    amount: Decimal
    category: str  # OneTime or Monthly
    tax_id: str = ""


@dataclass(frozen=True, slots=True)
class TaxDefinition:
    id: str
    description: str
    level: str
    kind: str
    type: str
    categories: frozenset[str]
    rate: Decimal = Decimal(0)      # percent: 5.5 means 5.5 %
    amount: Decimal = Decimal(0)    # per_line / per_unit
    state: str = ""
    county: str = ""
    city: str = ""
    zips: frozenset[str] = frozenset()

    def applies_in(self, j: Jurisdiction) -> bool:
        if self.state and self.state != j.state.upper():
            return False
        if self.county and self.county != _place(j.county):
            return False
        if self.city and self.city != _place(j.city):
            return False
        return not self.zips or j.zip in self.zips

    def where(self) -> str:
        parts = [p for p in (self.state, self.county.title(), self.city.title()) if p]
        if self.zips:
            parts.append("ZIP " + ",".join(sorted(self.zips)))
        return "/".join(parts) or "everywhere"


@dataclass(frozen=True, slots=True)
class TaxTable:
    name: str
    definitions: tuple[TaxDefinition, ...]
    note: str = ""

    def applicable(self, j: Jurisdiction) -> list[TaxDefinition]:
        return [d for d in self.definitions if d.applies_in(j)]


EMPTY_TABLE = TaxTable("no tax table", ())


def _place(name: str) -> str:
    """A county or city name as compared: upper case, without a County/Parish/Borough suffix."""
    n = " ".join(name.upper().split())
    for suffix in (" COUNTY", " PARISH", " BOROUGH", " CITY AND BOROUGH"):
        if n.endswith(suffix):
            n = n[: -len(suffix)]
    return n


def jurisdiction_of(zip5: str, zip4: str = "") -> Jurisdiction | None:
    """State, county and city of a real US ZIP code; None for one that does not exist."""
    from .addresses import zip_exists, zip_info

    if not zip_exists(zip5):
        return None
    info = zip_info(zip5) or {}
    return Jurisdiction(zip=zip5, state=(info.get("state") or "").upper(),
                        county=info.get("county") or "", city=info.get("city") or "",
                        zip4=zip4)


# --------------------------------------------------------------------------- exemptions


@dataclass(frozen=True, slots=True)
class Exempts:
    """Removes a definition when each given criterion matches (None: any)."""

    levels: frozenset[str] | None = None
    types: frozenset[str] | None = None
    kinds: frozenset[str] | None = None

    def removes(self, d: TaxDefinition) -> bool:
        return ((self.levels is None or d.level in self.levels)
                and (self.types is None or d.type in self.types)
                and (self.kinds is None or d.kind in self.kinds))


def _x(levels: Iterable[str] | None = None, types: Iterable[str] | None = None,
       kinds: Iterable[str] | None = None) -> Exempts:
    return Exempts(None if levels is None else frozenset(levels),
                   None if types is None else frozenset(types),
                   None if kinds is None else frozenset(kinds))


_FED = ("federal",)
_STATE = ("state",)
_LOCAL = tuple(sorted(LOCAL_LEVELS))
FET = _x(_FED, ("excise",))
FUSF = _x(_FED, ("usf",))

CCH_EXEMPTIONS: dict[str, tuple[Exempts, ...]] = {
    "Federal": (_x(_FED),),
    "State": (_x(_STATE),),
    "County": (_x(("county",)),),
    "City": (_x(("city",)),),
    "Local": (_x(("local",)),),
    "Other": (),  # not available in the API
}

SURETAX_EXEMPTIONS: dict[str, tuple[Exempts, ...]] = {
    "None": (),
    "FET": (FET,),
    "State": (_x(_STATE),),
    "FET_State": (FET, _x(_STATE)),
    "Local": (_x(_LOCAL),),
    "FET_Local": (FET, _x(_LOCAL)),
    "State_Local": (_x(_STATE), _x(_LOCAL)),
    "FET_State_Local": (FET, _x(_STATE), _x(_LOCAL)),
    "Federal": (_x(_FED),),
    "Unit_Based": (_x(kinds=UNIT_KINDS),),
    "Unit_Based_E911": (_x(types=("e911",), kinds=UNIT_KINDS),),
    "Unit_Only": (_x(kinds=("percent",)),),
    "Gross_Receipts": (_x(types=("gross_receipts",)),),
    "USF": (_x(types=("usf",)),),
    "Gross_Receipts_USF": (_x(types=("gross_receipts", "usf")),),
    "FUSF": (FUSF,),
    "FET_FUSF_State_Sales_Use": (FET, FUSF, _x(_STATE, ("sales_use",))),
    "State_Excise": (_x(_STATE, ("excise",)),),
    "FET_FUSF_Local_Sales_Use": (FET, FUSF, _x(_LOCAL, ("sales_use",))),
    "FUSF_State_Local_Sales_Use": (FUSF, _x(_STATE, ("sales_use",)),
                                   _x(_LOCAL, ("sales_use",))),
    "State_Excise_Local_Telecom": (_x(_STATE, ("excise",)), _x(_LOCAL, ("telecom",))),
    "State_Sales_Use": (_x(_STATE, ("sales_use",)),),
    "State_Local_Sales_Use": (_x(_STATE, ("sales_use",)), _x(_LOCAL, ("sales_use",))),
    "GST": (_x(types=("gst",)),),
    "PST": (_x(types=("pst",)),),
    "HST": (_x(types=("hst",)),),
    "Local_Utility_Users": (_x(_LOCAL, ("utility_users",)),),
    "State_Excise_Local_Surcharge": (_x(_STATE, ("excise",)), _x(_LOCAL, ("surcharge",))),
    "State_Franchise": (_x(_STATE, ("franchise",)),),
    "Los_Angeles_Comm_Users": (_x(_LOCAL, ("communications_users",)),),
    "All": (_x(),),
}

EXEMPTIONS = {"CCH": CCH_EXEMPTIONS, "SURETAX": SURETAX_EXEMPTIONS}
"""By the client's tax engine (``clients.tax_engine``): exemption value -> what it removes."""


def exempted(d: TaxDefinition, exemptions: Iterable[str], engine: str = "SURETAX") -> bool:
    table = EXEMPTIONS[engine]
    return any(rule.removes(d) for value in exemptions for rule in table.get(value, ()))


def exemption_rows(engine: str) -> list[tuple[str, str]]:
    """(value, what it removes) for the documentation table and ``openrev tax show``."""
    rows = []
    for value, rules in EXEMPTIONS[engine].items():
        said = []
        for r in rules:
            levels = "any level" if r.levels is None else "/".join(sorted(r.levels))
            what = "all" if r.types is None else "/".join(sorted(r.types))
            kinds = "" if r.kinds is None else f" ({'/'.join(sorted(r.kinds))})"
            said.append(f"{levels}: {what}{kinds}")
        rows.append((value, "; ".join(said) or "nothing"))
    return rows


# --------------------------------------------------------------------------- engines


class TaxEngine(Protocol):
    def taxes(self, jurisdiction: Jurisdiction, charges: Sequence[Charge],
              exemptions: Iterable[str] = ()) -> list[TaxLine]: ...


@dataclass(slots=True)
class TableTaxEngine:
    """The default engine: a client's :class:`TaxTable`, in memory."""

    table: TaxTable
    exemption_list: str = "SURETAX"  # the client's tax engine: which list exemptions are from

    def taxes(self, jurisdiction: Jurisdiction, charges: Sequence[Charge],
              exemptions: Iterable[str] = ()) -> list[TaxLine]:
        exemptions = tuple(exemptions)
        lines: list[TaxLine] = []
        for d in self.table.applicable(jurisdiction):
            if exempted(d, exemptions, self.exemption_list):
                continue
            for cat in CHARGE_CATEGORIES:
                mine = [c for c in charges if c.category == cat and c.tax_category in d.categories]
                amount = _tax_of(d, mine)
                if amount:  # None: nothing to tax; 0.00 (rounded away): no line either
                    lines.append(TaxLine(d.description, amount, cat, d.id))
        return lines


def _tax_of(d: TaxDefinition, charges: Sequence[Charge]) -> Decimal | None:
    if d.kind == "percent":
        base = sum((c.amount for c in charges), Decimal(0))
        return money(base * d.rate / 100) if base > 0 else None
    positive = [c for c in charges if c.amount > 0]
    if not positive:
        return None
    if d.kind == "per_line":
        return money(d.amount)
    return money(d.amount * sum(c.quantity for c in positive))


@dataclass(frozen=True, slots=True)
class Quote:
    charges: list[Charge]
    taxes: list[TaxLine]
    revenue: dict[str, Decimal]
    tax_totals: dict[str, Decimal]
    subtotals: dict[str, Decimal]
    total: Decimal


def quote(charges: Sequence[Charge], engine: TaxEngine, jurisdiction: Jurisdiction,
          exemptions: Iterable[str] = ()) -> Quote:
    """Charges and their taxes, with every subtotal the exact sum of its details."""
    taxes = engine.taxes(jurisdiction, charges, exemptions)
    taxes = [TaxLine(t.description, money(t.amount), t.category, t.tax_id) for t in taxes]
    revenue = {cat: sum((c.amount for c in charges if c.category == cat), Decimal("0.00"))
               for cat in CHARGE_CATEGORIES}
    tax_totals = {cat: sum((t.amount for t in taxes if t.category == cat), Decimal("0.00"))
                  for cat in CHARGE_CATEGORIES}
    subtotals = {cat: revenue[cat] + tax_totals[cat] for cat in CHARGE_CATEGORIES}
    return Quote(list(charges), taxes, revenue, tax_totals, subtotals,
                 subtotals["OneTime"] + subtotals["Monthly"])


def charge(description: str, rate: Decimal, quantity: int, recurring: bool,
           tax_category: str | None) -> Charge:
    return Charge(description, money(Decimal(rate) * quantity), quantity,
                  "Monthly" if recurring else "OneTime", tax_category or DEFAULT_CATEGORY)


# --------------------------------------------------------------------------- the file format


class TaxTableError(ValueError):
    """A tax table that cannot be loaded: every problem, as ``where: path: problem``."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(f"{source}: {p}" for p in problems))


_DEF_KEYS = {"id", "description", "level", "kind", "type", "categories", "rate", "amount",
             "state", "county", "city", "zips"}


def parse_table(text: str, source: str = "<tax table>") -> TaxTable:
    """A :class:`TaxTable` from TOML text (docs/API.md, "Tax table file"); raises
    :class:`TaxTableError` listing every problem, by path (``tax[3].rate: ...``)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise TaxTableError(source, [f"not valid TOML: {exc}"]) from None
    problems: list[str] = []
    head = data.get("table", {})
    if not isinstance(head, Mapping):
        problems.append("table: must be a table")
        head = {}
    name = head.get("name", "")
    if not isinstance(name, str) or not name.strip():
        problems.append("table.name: required text")
        name = ""
    note = head.get("note", "")
    for key in set(data) - {"table", "tax"}:
        problems.append(f"{key}: unknown key (expected [table] and [[tax]])")
    raw = data.get("tax", [])
    if not isinstance(raw, list):
        problems.append("tax: must be an array of tables ([[tax]])")
        raw = []
    defs: list[TaxDefinition] = []
    seen: set[str] = set()
    for i, item in enumerate(raw, 1):
        p = f"tax[{i}]"
        if not isinstance(item, Mapping):
            problems.append(f"{p}: must be a table")
            continue
        d = _definition(item, p, problems)
        if d is not None:
            if d.id in seen:
                problems.append(f"{p}.id: {d.id!r} used twice")
            seen.add(d.id)
            defs.append(d)
    if problems:
        raise TaxTableError(source, problems)
    return TaxTable(name.strip(), tuple(defs), str(note))


def _text(item: Mapping[str, Any], key: str, p: str, problems: list[str],
          required: bool = False) -> str:
    v = item.get(key, "")
    if not isinstance(v, str):
        problems.append(f"{p}.{key}: must be text")
        return ""
    if required and not v.strip():
        problems.append(f"{p}.{key}: required")
    return v.strip()


def _decimal(item: Mapping[str, Any], key: str, p: str, problems: list[str]) -> Decimal:
    v = item.get(key)
    if isinstance(v, bool) or not isinstance(v, (str, int, float)):
        problems.append(f"{p}.{key}: required, a decimal number (e.g. \"5.5\")")
        return Decimal(0)
    try:
        d = Decimal(str(v))
    except InvalidOperation:
        problems.append(f"{p}.{key}: {v!r} is not a decimal number")
        return Decimal(0)
    if not d.is_finite() or d < 0:
        problems.append(f"{p}.{key}: must be a number >= 0")
        return Decimal(0)
    return d


def _definition(item: Mapping[str, Any], p: str, problems: list[str]) -> TaxDefinition | None:
    before = len(problems)
    for key in sorted(set(item) - _DEF_KEYS):
        problems.append(f"{p}.{key}: unknown key")
    tax_id = _text(item, "id", p, problems, required=True)
    description = _text(item, "description", p, problems, required=True)
    level = _text(item, "level", p, problems, required=True)
    if level and level not in LEVELS:
        problems.append(f"{p}.level: {level!r} is not one of {', '.join(LEVELS)}")
    kind = _text(item, "kind", p, problems, required=True)
    if kind and kind not in KINDS:
        problems.append(f"{p}.kind: {kind!r} is not one of {', '.join(KINDS)}")
    type_ = _text(item, "type", p, problems, required=True)
    if type_ and type_ not in TYPES:
        problems.append(f"{p}.type: {type_!r} is not one of {', '.join(TYPES)}")
    cats = item.get("categories")
    if not isinstance(cats, list) or not cats or not all(isinstance(c, str) for c in cats):
        problems.append(f"{p}.categories: required, a list of product tax categories")
        cats = []
    for c in cats:
        if c not in CATEGORIES:
            problems.append(f"{p}.categories: {c!r} is not one of {', '.join(CATEGORIES)}")
    rate = amount = Decimal(0)
    if kind == "percent":
        rate = _decimal(item, "rate", p, problems)
        if rate > 100:
            problems.append(f"{p}.rate: a percentage, at most 100")
        if "amount" in item:
            problems.append(f"{p}.amount: not used by kind percent (use rate)")
    elif kind in UNIT_KINDS:
        amount = _decimal(item, "amount", p, problems)
        if "rate" in item:
            problems.append(f"{p}.rate: not used by kind {kind} (use amount)")
    state = _text(item, "state", p, problems).upper()
    county = _place(_text(item, "county", p, problems))
    city = _place(_text(item, "city", p, problems))
    zips = item.get("zips", [])
    if not isinstance(zips, list) or not all(isinstance(z, str) and len(z) == 5
                                             and z.isdigit() for z in zips):
        problems.append(f"{p}.zips: a list of 5-digit ZIP codes")
        zips = []
    if state and (len(state) != 2 or not state.isalpha()):
        problems.append(f"{p}.state: 2 letters")
    if level == "federal" and (state or county or city or zips):
        problems.append(f"{p}: a federal tax applies everywhere (no state, county, city, zips)")
    if level in ("state", "county", "city", "local") and not state:
        problems.append(f"{p}.state: required for a {level} tax")
    if level == "county" and not county:
        problems.append(f"{p}.county: required for a county tax")
    if level == "city" and not city:
        problems.append(f"{p}.city: required for a city tax")
    if level == "local" and not (county or city or zips):
        problems.append(f"{p}: a local tax needs county, city or zips")
    if len(problems) > before:
        return None
    return TaxDefinition(tax_id, description, level, kind, type_, frozenset(cats), rate, amount,
                         state, county, city, frozenset(zips))

