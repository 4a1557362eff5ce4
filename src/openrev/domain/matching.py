"""Duplicate_Query's matching rules, with no database: normalisers, the keys of a customer,
match patterns, options, and how matches are listed and counted.

A Lifeline provider asks "is this person, or this household, already a customer?" before
every enrollment. A false "no" costs them money, a false "yes" loses a customer, so two
spellings of the same thing must give the same key and two different things never:

* **Names** (:func:`person_name`): case-, accent-, punctuation- and whitespace-insensitive:
  ``"José  O'Brien"`` and ``"jose obrien"`` are both ``JOSEOBRIEN``. A hyphen is the space it
  stands for and spaces are dropped, so ``Smith-Jones``, ``Smith Jones`` and ``SmithJones``
  are the same last name; a second last name is concatenated with one space (``García
  López``) and equals ``Garcia-Lopez``; ``Garcia`` alone does not equal ``Garcia Lopez``
  (no partial name matches).
* **SSN / Tax ID** (:func:`ssn_digits`): its 9 digits (dashes, spaces ignored); **last 4**
  (:func:`ssn_last4`); **driver's licence** (:func:`license_key`): letters and digits,
  upper case; **date of birth** (:func:`dob`): a date (a dateTime's date part as written).
* **Street** (:func:`street_key`, :func:`unit_key`, :func:`location_keys`): USPS
  Publication 28 forms via ``usaddress-scourgify`` (``North`` -> ``N``, ``Street`` -> ``ST``),
  the unit split off Street1 and merged with Street2, so ``123 North Main Street Apartment 4``
  equals ``123 N MAIN ST`` + ``APT 4``. A different house number, directional (``N`` vs ``S``,
  ``N MAIN ST`` vs ``MAIN ST N``) or unit never matches. See :func:`unit_key` for units.
* **City** (:func:`city_key`): ``St. Petersburg`` = ``Saint Petersburg``; **State**
  (:func:`state_key`): 2 letters (``Florida`` -> ``FL``); **ZIP** (:func:`zip5`): first five
  digits of ZIP or ZIP+4.

The keys of a customer (:func:`customer_keys`) are computed when a customer is written and
stored, indexed. The personal ones (SSN, last 4, DL, DOB) are handed back *plain and
normalised*, exactly as :mod:`openrev.store.crypto` hashes them (``ssn_hmac(keys.ssn)``
...): the store keeps only the keyed hashes, never these values.

Patterns, options and matches: :data:`DEFAULT_PATTERNS`, :func:`parse_pattern`,
:func:`resolve_options`, :func:`query_keys`, :func:`pattern_values`,
:func:`build_matches` (one match = one customer per MatchType; see there).

Note: ``usaddress-scourgify`` reads an ``address_constants.yaml`` from the working directory
(or the ``ADDRESS_CONFIG*`` environment variables) when first imported, which would change
its tables and so the keys: openrev ships none; do not add one.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from anyascii import anyascii

from ..contract import enums as E
from ..contract.errors import ApiError, invalid, problems_message

__all__ = [
    "KEYS_VERSION", "person_name", "suffix_key", "ssn_digits", "ssn_last4", "license_key", "zip5", "dob",
    "street_key", "unit_key", "location_keys", "city_key", "state_key",
    "CustomerKeys", "customer_keys", "query_keys",
    "PERSON", "LOCATION", "PERSON_FIELDS", "LOCATION_FIELDS", "FIELD_KEYS",
    "MatchPattern", "DEFAULT_PATTERN_TEXTS", "DEFAULT_PATTERNS", "parse_pattern",
    "pattern_values", "keys_match",
    "ResolvedOptions", "resolve_options", "customer_eligible",
    "MatchRow", "MatchOutcome", "build_matches", "MAX_MATCHES",
]

KEYS_VERSION = 1
"""The version of these normalisation rules. Stored keys computed under another version must
be recomputed (a migration or ``openrev`` command) before they are compared again."""

# --------------------------------------------------------------------------- text folding


def _fold(text: object) -> str:
    """Upper-case ASCII: accents and other scripts transliterated (``Ñ`` -> ``N``)."""
    if text is None:
        return ""
    return anyascii(str(text)).upper()


_NOT_ALNUM = re.compile(r"[^A-Z0-9]+")
_SPACES = re.compile(r"\s+")

# --------------------------------------------------------------------------- person


def person_name(*parts: str | None) -> str:
    """The key of a name (or of several parts given separately, e.g. a last name and a
    second last name): upper-case ASCII letters and digits only; "" for no name.

    >>> person_name("José")
    'JOSE'
    >>> person_name("  o'Brien ")
    'OBRIEN'
    >>> person_name("Smith-Jones") == person_name("Smith Jones") == person_name("SMITHJONES")
    True
    >>> person_name("García López") == person_name("Garcia", "Lopez")
    True
    >>> person_name("Garcia") == person_name("Garcia Lopez")
    False
    """
    return _NOT_ALNUM.sub("", _fold(" ".join(p for p in parts if p)))


_SUFFIXES = {"JUNIOR": "JR", "SENIOR": "SR", "2ND": "II", "3RD": "III", "4TH": "IV",
             "5TH": "V"}


def suffix_key(suffix: str | None) -> str:
    """A name suffix: :func:`person_name`, with ``Junior`` = ``Jr.`` = ``JR``, ``Senior`` =
    ``SR``, ``2nd`` = ``II``, ``3rd`` = ``III``.

    >>> suffix_key("Jr.") == suffix_key("junior") == "JR"
    True
    """
    key = person_name(suffix)
    return _SUFFIXES.get(key, key)


def ssn_digits(value: str | None) -> str | None:
    """An SSN / Tax ID as its 9 digits (anything else ignored); None unless there are
    exactly 9 digits. The same digits :func:`openrev.store.crypto.ssn_hmac` hashes.

    >>> ssn_digits("123-45-6789"), ssn_digits("123 45 6789"), ssn_digits("12345678")
    ('123456789', '123456789', None)
    """
    digits = re.sub(r"\D", "", value or "", flags=re.ASCII)
    return digits if len(digits) == 9 else None


def ssn_last4(value: str | None) -> str | None:
    """The last 4 digits of an SSN given whole (9 digits) or as its last 4; None otherwise.
    The same digits :func:`openrev.store.crypto.ssn_last4_hmac` hashes.

    >>> ssn_last4("123-45-6789"), ssn_last4("6789"), ssn_last4("789")
    ('6789', '6789', None)
    """
    digits = re.sub(r"\D", "", value or "", flags=re.ASCII)
    return digits[-4:] if len(digits) in (4, 9) else None


def license_key(value: str | None) -> str | None:
    """A driver's licence number: its letters and digits, upper case; None when it has none.
    Exactly :func:`openrev.store.crypto.normalize_dl` (what ``dl_hmac`` hashes).

    >>> license_key("d123-456 78"), license_key(" - ")
    ('D12345678', None)
    """
    key = "".join(ch for ch in (value or "").upper() if ch.isalnum())
    return key or None


def zip5(value: str | None) -> str | None:
    """The first five digits of a ZIP or ZIP+4; None when it has fewer than five.

    >>> zip5("32502-1234"), zip5("325021234"), zip5(" 32502 "), zip5("3250")
    ('32502', '32502', '32502', None)
    """
    digits = re.sub(r"\D", "", value or "", flags=re.ASCII)
    return digits[:5] if len(digits) >= 5 else None


def dob(value: dt.date | dt.datetime | str | None) -> dt.date | None:
    """A date of birth as a date: a dateTime's date part *as written* (no time-zone shift:
    ``1980-05-15T00:00:00+02:00`` is 15 May), an ISO text, or None.
    ``dob(...).isoformat()`` is what :func:`openrev.store.crypto.dob_hmac` hashes."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        return None


# --------------------------------------------------------------------------- location

_DIRECTIONALS = {"NORTH": "N", "SOUTH": "S", "EAST": "E", "WEST": "W", "NORTHEAST": "NE",
                 "NORTHWEST": "NW", "SOUTHEAST": "SE", "SOUTHWEST": "SW"}
_ORDINAL_WORDS = {"FIRST": "1ST", "SECOND": "2ND", "THIRD": "3RD", "FOURTH": "4TH",
                  "FIFTH": "5TH", "SIXTH": "6TH", "SEVENTH": "7TH", "EIGHTH": "8TH",
                  "NINTH": "9TH", "TENTH": "10TH", "ELEVENTH": "11TH", "TWELFTH": "12TH"}
_STREET_WORDS = {**_ORDINAL_WORDS, "SAINT": "ST", "MOUNT": "MT", "FORT": "FT"}
"""Words of a street name folded after Pub 28 forms (both spellings are common)."""

# Unit designators (Pub 28 appendix C2). Dwelling designators all name "the unit": APT 4 =
# UNIT 4 = STE 4 = #4 = 4 (a building never has both an APT 4 and a UNIT 4: a person who
# writes either means the same home). BLDG, FL and PH are levels of their own and keep
# their name; FRNT, REAR... stand alone, without an identifier.
_UNIT_DWELLING = frozenset({
    "APT", "APARTMENT", "UNIT", "#", "NO", "NUM", "NUMBER", "STE", "SUITE", "RM", "ROOM",
    "SPC", "SPACE", "LOT", "TRLR", "TRAILER", "SLIP", "PIER", "HNGR", "HANGER", "HANGAR",
    "OFC", "OFFICE", "DEPT", "DEPARTMENT", "KEY", "STOP"})
_UNIT_LEVEL = {"BLDG": "BLDG", "BUILDING": "BLDG", "FL": "FL", "FLOOR": "FL", "PH": "PH",
               "PENTHOUSE": "PH"}
_UNIT_WORD = {"BSMT": "BSMT", "BASEMENT": "BSMT", "FRNT": "FRNT", "FRONT": "FRNT",
              "REAR": "REAR", "UPPR": "UPPR", "UPPER": "UPPR", "LOWR": "LOWR", "LOWER": "LOWR",
              "LBBY": "LBBY", "LOBBY": "LBBY", "SIDE": "SIDE"}
_ORDINAL = re.compile(r"(\d+)(?:ST|ND|RD|TH)")
_LEADING_ZEROS = re.compile(r"^0+(?=\d)")
_CARE_OF = re.compile(r"\s*(?:C\s*/\s*O|ATTN|ATTENTION)\b")
_GLUED = re.compile(r"(APT|UNIT|STE|SUITE|RM|ROOM|LOT|SPC|TRLR|BLDG|FL|NO)(\d\w*)")


def _unit_components(text: str | None) -> list[str]:
    """The components of a unit text (see :func:`unit_key`)."""
    folded = _fold(text)
    if _CARE_OF.match(folded):  # "c/o ...", "Attn ...": not a unit
        return []
    words: list[str] = []
    for raw in re.sub(r"[.,;:()/]", " ", folded.replace("#", " # ")).split():
        if raw == "#":
            words.append("#")
            continue
        word = _NOT_ALNUM.sub("", raw)  # 4-B -> 4B
        m = _GLUED.fullmatch(word)  # APT4 -> APT 4
        words.extend(m.groups() if m else [word] if word else [])
    out: list[str] = []
    level: str | None = None  # "" for a dwelling designator, "BLDG"... for a level
    ident = ""
    bare_ordinal = False

    def flush() -> None:
        nonlocal ident, level, bare_ordinal
        if ident:
            out.append((level or "") + _LEADING_ZEROS.sub("", ident))
        elif level:  # "Penthouse", "Basement floor"
            out.append(level)
        ident, level, bare_ordinal = "", None, False

    for w in words:
        if w in _UNIT_DWELLING or w in _UNIT_LEVEL:
            new_level = _UNIT_LEVEL.get(w, "")
            if ident and not level and new_level and bare_ordinal:
                level = new_level  # "2nd Floor" = "FL 2"
                flush()
                continue
            flush()
            level = new_level
        elif w in _UNIT_WORD:
            flush()
            out.append(_UNIT_WORD[w])
        else:
            m = _ORDINAL.fullmatch(w)
            if m:
                if ident:
                    flush()
                w = m.group(1)
                bare_ordinal = not level
            ident += w
    flush()
    return list(dict.fromkeys(out))


def unit_key(street2: str | None, street1_unit: str | None = None) -> str:
    """The key of a unit (Street2, and the unit found in Street1 if any): its components,
    sorted, space-separated; "" for no unit.

    A dwelling designator (APT, UNIT, #, STE, RM, LOT, SPC, TRLR, ...) is dropped: it is the
    unit's *number* that tells a home apart, so ``Apartment 4`` = ``APT 4`` = ``Apt. 4`` =
    ``#4`` = ``Unit 4`` = ``4`` (Pub 28 treats designators as distinct, but a building has
    not both an APT 4 and a UNIT 4, and a person means the same home). Identifiers lose
    punctuation and leading zeros (``4-B`` = ``4B``, ``04`` = ``4``). BLDG, FL and PH keep
    their name (``BLDG 2`` is not unit ``2``; ``2nd Floor`` = ``FL 2``); FRNT, REAR, UPPR,
    LOWR, BSMT, LBBY, SIDE stand alone.

    >>> unit_key("Apartment 4") == unit_key("#4") == unit_key("Unit 04") == "4"
    True
    >>> unit_key("Bldg 2 Apt 4B")
    '4B BLDG2'
    >>> unit_key("APT 4") == unit_key("APT 5")
    False
    """
    comps = _unit_components(street1_unit)
    for c in _unit_components(street2):
        if c not in comps:
            comps.append(c)
    return " ".join(sorted(comps))


_PO = re.compile(r"\b(?:P\s*O|POST\s+OFFICE)\s+BOX\b")
"""PO Box spellings (dots already spaces): ``P O BOX``, ``POST OFFICE BOX`` -> ``PO BOX``."""
_RURAL = re.compile(r"\b(?:RURAL\s+(?:ROUTE|RTE)|R\s+R|HIGHWAY\s+CONTRACT|H\s+C)(?=\s+\d)")
"""Rural route and highway contract spellings -> ``RR``, ``HC`` (Pub 28 forms)."""


def _street_words(words: Iterable[str]) -> str:
    return " ".join(_STREET_WORDS.get(w, w) for w in words)


@lru_cache(maxsize=8192)
def _parse_street(street1: str) -> tuple[str, str]:
    """(line-1 key, unit text) of a Street1, by usaddress-scourgify; the fallback when it
    cannot parse it (or fails in any way)."""
    text = _SPACES.sub(" ", _fold(street1)).strip()
    if not text:
        return "", ""
    try:
        from scourgify.normalize import normalize_addr_str

        parsed = normalize_addr_str(text)
        line1 = parsed.get("address_line_1") or ""
        line2 = parsed.get("address_line_2") or ""
        if not line1:
            raise ValueError("no line 1")
        words = _SPACES.sub(" ", _fold(line1)).replace(",", " ").replace(".", " ").split()
        return _street_words(words), line2
    except Exception:  # noqa: BLE001 - any failure of the parser gets the fallback key
        return _fallback_street(text)


def _street_type_table() -> dict[str, str]:
    try:
        from scourgify.normalize import STREET_TYPE_ABBREVIATIONS

        return dict(STREET_TYPE_ABBREVIATIONS)
    except Exception:  # noqa: BLE001
        return {"STREET": "ST", "AVENUE": "AVE", "ROAD": "RD", "DRIVE": "DR", "LANE": "LN",
                "BOULEVARD": "BLVD", "COURT": "CT", "PLACE": "PL", "CIRCLE": "CIR",
                "HIGHWAY": "HWY", "PARKWAY": "PKWY", "TERRACE": "TER", "TRAIL": "TRL"}


_STREET_TYPES = _street_type_table()


def _fallback_street(text: str) -> tuple[str, str]:
    """Street1 the parser cannot take (``PO Box 12``, ``Rural Route 2 Box 5``): upper case,
    punctuation dropped (``/`` and ``-`` kept), directionals and street types abbreviated,
    whitespace folded; the unit is what follows the first unit designator after the first
    word."""
    text = re.sub(r"[^A-Z0-9/#\- ]+", " ", text.replace("#", " # "))
    text = _PO.sub("PO BOX", _SPACES.sub(" ", text))
    text = _RURAL.sub(lambda m: "HC" if m.group(0).startswith("H") else "RR", text)
    words = [w for w in text.split() if w.strip("-/")]
    for i, w in enumerate(words):
        if i > 0 and (w in _UNIT_DWELLING or w in _UNIT_LEVEL) and w not in ("NO", "KEY",
                                                                            "STOP"):
            line1, unit = words[:i], " ".join(words[i:])
            break
    else:
        line1, unit = words, ""
    line1 = [_DIRECTIONALS.get(w, _STREET_TYPES.get(w, w)) for w in line1]
    return _street_words(line1), unit


def street_key(street1: str | None) -> str:
    """The key of Street1 without its unit: USPS Pub 28 forms, upper case, single spaces;
    ``FIRST`` -> ``1ST``, ``SAINT`` -> ``ST``; "" for none. Never raises: a street the parser
    cannot take gets a deterministic fallback key.

    >>> street_key("123 North Main Street Apartment 4") == street_key("123 n. main st") \
        == "123 N MAIN ST"
    True
    >>> street_key("123 S Main St") == street_key("123 N Main St")
    False
    >>> street_key("P.O. Box 12")
    'PO BOX 12'
    """
    return _parse_street(street1 or "")[0]


def location_keys(street1: str | None, street2: str | None) -> tuple[str, str]:
    """(street key, unit key) of an address: the unit written in Street1 (``123 Main St
    Apt 4``) and the one in Street2 are merged (the same one written twice counts once).

    >>> location_keys("123 North Main Street Apartment 4", None) \
        == location_keys("123 N MAIN ST", "APT 4") == ("123 N MAIN ST", "4")
    True
    """
    line1, unit1 = _parse_street(street1 or "")
    return line1, unit_key(street2, unit1)


_CITY_WORDS = {"ST": "SAINT", "STE": "SAINTE", "MT": "MOUNT", "FT": "FORT", "N": "NORTH",
               "S": "SOUTH", "E": "EAST", "W": "WEST", "PT": "POINT"}


def city_key(city: str | None) -> str:
    """A city: upper-case ASCII letters and digits, ``ST``/``MT``/``FT``/``N``... spelled
    out as USPS spells them in its city names, spaces dropped; "" for none.

    >>> city_key("St. Petersburg") == city_key("saint  petersburg") == "SAINTPETERSBURG"
    True
    >>> city_key("De Kalb") == city_key("DeKalb")
    True
    """
    words = _NOT_ALNUM.sub(" ", _fold(city)).split()
    return "".join(_CITY_WORDS.get(w, w) for w in words)


def _state_table() -> dict[str, str]:
    try:
        from scourgify.normalize import STATE_ABBREVIATIONS

        return {k.replace(" ", ""): v for k, v in STATE_ABBREVIATIONS.items()}
    except Exception:  # noqa: BLE001
        return {}


_STATES = _state_table()


def state_key(state: str | None) -> str:
    """A state: its 2-letter USPS abbreviation, upper case (a state's name is abbreviated:
    ``Florida`` -> ``FL``); "" for none; other text folded to its letters (matches nothing
    stored: a stored state is always 2 letters).

    >>> state_key(" fl "), state_key("Florida"), state_key("New York")
    ('FL', 'FL', 'NY')
    """
    letters = re.sub(r"[^A-Z]", "", _fold(state))
    if len(letters) <= 2:
        return letters
    return _STATES.get(letters, letters)


# --------------------------------------------------------------------------- keys


@dataclass(frozen=True)
class CustomerKeys:
    """The normalised keys of a customer (or of a query). "" / None: not given.

    ``ssn``, ``ssn_last4``, ``dl``, ``dob`` are plain normalised values for the store to turn
    into keyed hashes (``ssn_hmac(keys.ssn)``, ``ssn_last4_hmac(keys.ssn_last4)``,
    ``dl_hmac(keys.dl)``, ``dob_hmac(keys.dob)``): never store them.
    """

    first_name: str = ""
    last_name: str = ""
    middle_name: str = ""
    suffix: str = ""
    ssn: str | None = None
    ssn_last4: str | None = None
    dl: str | None = None
    dob: dt.date | None = None
    street: str = ""
    unit: str = ""
    city: str = ""
    state: str = ""
    zip5: str | None = None

    @property
    def name_key(self) -> str:
        """``FIRST|LAST``: the key of the FirstName,LastName pair (one indexed column)."""
        return f"{self.first_name}|{self.last_name}" if self.first_name or self.last_name \
            else ""

    def __repr__(self) -> str:  # personal values never in logs
        hidden = {"ssn", "ssn_last4", "dl", "dob"}
        parts = [f"{k}={'***' if k in hidden and v else repr(v)}"
                 for k, v in self.__dict__.items()]
        return f"CustomerKeys({', '.join(parts)})"


def customer_keys(first: str | None = None, last: str | None = None,
                  middle: str | None = None, suffix: str | None = None,
                  ssn: str | None = None, dob_value: dt.date | dt.datetime | str | None = None,
                  dl: str | None = None, street1: str | None = None,
                  street2: str | None = None, city: str | None = None,
                  state: str | None = None, zip_code: str | None = None) -> CustomerKeys:
    """The keys of a customer as written (its name, SSN, DOB, DL and *physical* address).
    Lenient: a value that does not normalise gives no key (it was validated on write)."""
    street, unit = location_keys(street1, street2)
    return CustomerKeys(
        first_name=person_name(first), last_name=person_name(last),
        middle_name=person_name(middle), suffix=suffix_key(suffix),
        ssn=ssn_digits(ssn), ssn_last4=ssn_last4(ssn_digits(ssn)), dl=license_key(dl),
        dob=dob(dob_value), street=street, unit=unit, city=city_key(city),
        state=state_key(state), zip5=zip5(zip_code))


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def query_keys(request: Any) -> CustomerKeys:
    """The keys of a Duplicate_Query request (either shape: the person and location fields
    are the same). A value given but unusable is S2010 (a silent skip would answer "no
    duplicate"): SSNTaxId not 9 digits, SSNTaxIdLast4 not 4 digits or not the last 4 of
    SSNTaxId, DriversLicenseNumber without a letter or digit, Zip with fewer than 5 digits,
    State not a state. SSNTaxIdLast4 not given is taken from SSNTaxId. Messages never
    repeat a personal value."""
    problems: list[str] = []
    g = lambda name: getattr(request, name, None)  # noqa: E731
    ssn = ssn_digits(g("SSNTaxId"))
    if not _blank(g("SSNTaxId")) and ssn is None:
        problems.append("SSNTaxId: must be 9 digits (dashes and spaces are ignored)")
    last4 = None
    if not _blank(g("SSNTaxIdLast4")):
        digits = re.sub(r"\D", "", g("SSNTaxIdLast4"), flags=re.ASCII)
        if len(digits) != 4:
            problems.append("SSNTaxIdLast4: must be 4 digits")
        else:
            last4 = digits
            if ssn is not None and ssn[-4:] != digits:
                problems.append("SSNTaxIdLast4: is not the last 4 digits of SSNTaxId")
    elif ssn is not None:
        last4 = ssn[-4:]
    dl = license_key(g("DriversLicenseNumber"))
    if not _blank(g("DriversLicenseNumber")) and dl is None:
        problems.append("DriversLicenseNumber: must contain letters or digits")
    zip_key = zip5(g("Zip"))
    if not _blank(g("Zip")) and zip_key is None:
        problems.append("Zip: must be 5 digits (ZIP+4 accepted)")
    st = state_key(g("State"))
    if not _blank(g("State")) and len(st) != 2:
        problems.append("State: must be a 2-letter USPS state abbreviation")
    if problems:
        raise ApiError("S2010", problems_message(problems))
    street, unit = location_keys(g("Street1"), g("Street2"))
    return CustomerKeys(
        first_name=person_name(g("FirstName")), last_name=person_name(g("LastName")),
        middle_name=person_name(g("MiddleName")), suffix=suffix_key(g("Suffix")),
        ssn=ssn, ssn_last4=last4, dl=dl, dob=dob(g("DateOfBirth")), street=street,
        unit=unit, city=city_key(g("City")), state=st, zip5=zip_key)


# --------------------------------------------------------------------------- patterns

PERSON, LOCATION = "PERSON", "LOCATION"

FIELD_KEYS: dict[str, str] = {
    "SSNTaxId": "ssn", "SSNTaxIdLast4": "ssn_last4", "DateOfBirth": "dob",
    "DriversLicenseNumber": "dl", "FirstName": "first_name", "LastName": "last_name",
    "MiddleName": "middle_name", "Suffix": "suffix",
    "Street1": "street", "Street2": "unit", "City": "city", "State": "state", "Zip": "zip5",
}
"""Pattern field (canonical spelling) -> :class:`CustomerKeys` attribute it compares."""

PERSON_FIELDS = ("SSNTaxId", "SSNTaxIdLast4", "DateOfBirth", "DriversLicenseNumber",
                 "FirstName", "LastName", "MiddleName", "Suffix")
LOCATION_FIELDS = ("Street1", "Street2", "City", "State", "Zip")
_BY_LOWER = {name.lower(): name for name in FIELD_KEYS}  # SSNTaxID, ZIP: case-insensitive


@dataclass(frozen=True)
class MatchPattern:
    """A combination of fields that makes a match: canonical spellings, in the order given.
    Its ``match_type`` is PERSON when it uses any person field (a mixed pattern such as
    ``LastName,Zip`` is PERSON), LOCATION when it uses location fields only."""

    fields: tuple[str, ...]

    @property
    def name(self) -> str:
        """As echoed in Options/MatchPatterns and Match/MatchPattern: ``SSNTaxIdLast4,DateOfBirth``."""
        return ",".join(self.fields)

    @property
    def match_type(self) -> str:
        return PERSON if any(f in PERSON_FIELDS for f in self.fields) else LOCATION


DEFAULT_PATTERN_TEXTS = (
    "SSNTaxId",
    "DriversLicenseNumber",
    "SSNTaxIdLast4,DateOfBirth",
    "FirstName,LastName,SSNTaxIdLast4",
    "Street1,Street2,City,State,Zip",
    "Street1,Street2,City,State",
    "Street1,Street2,Zip",
)
"""The documented default match list, in its order."""


def parse_pattern(text: str | None, path: str = "Options/MatchPatterns") -> MatchPattern:
    """A pattern from its text: field names separated by commas, case-insensitive,
    whitespace ignored around names, in the documents' or the original's spellings
    (``SSNTaxId``/``SSNTaxID``, ``Zip``/``ZIP``). A field named twice counts once. An
    unknown or empty field name is S2010 naming it and ``path``.

    >>> parse_pattern(" ssntaxidlast4 , DATEOFBIRTH ").name
    'SSNTaxIdLast4,DateOfBirth'
    """
    raw = (text or "").strip()
    if not raw:
        raise invalid(path, "a match pattern is empty (field names separated by commas)")
    fields: list[str] = []
    for part in raw.split(","):
        name = re.sub(r"\s+", "", part)
        if not name:
            raise invalid(path, f"an empty field name in the pattern '{raw[:80]}'")
        canonical = _BY_LOWER.get(name.lower())
        if canonical is None:
            raise invalid(path, f"unknown field name '{name[:40]}' in the pattern "
                                f"'{raw[:80]}' (known: {', '.join(FIELD_KEYS)})")
        if canonical not in fields:
            fields.append(canonical)
    return MatchPattern(tuple(fields))


DEFAULT_PATTERNS = tuple(parse_pattern(t) for t in DEFAULT_PATTERN_TEXTS)


def pattern_values(pattern: MatchPattern, keys: CustomerKeys) -> dict[str, Any] | None:
    """The key each field of ``pattern`` must equal (field -> value of ``keys``), or None
    when the pattern is skipped because the request does not give one of its fields.

    Street2 (the unit) is given whenever Street1 is: an empty unit then means "no unit" and
    matches only customers with no unit (``123 Main St`` is not ``123 Main St Apt 4``) — so
    the default location patterns apply to houses. Street2 given without Street1 is given.
    """
    values: dict[str, Any] = {}
    for f in pattern.fields:
        value = getattr(keys, FIELD_KEYS[f])
        if f == "Street2":
            if not value and not keys.street:
                return None
        elif value is None or value == "":
            return None
        values[f] = value
    return values


def keys_match(pattern: MatchPattern, query: CustomerKeys, customer: CustomerKeys) -> bool:
    """Whether ``customer`` matches ``query`` by ``pattern`` (False when it is skipped): the
    rule the store implements with indexed equality on the stored keys."""
    values = pattern_values(pattern, query)
    return values is not None and all(
        getattr(customer, FIELD_KEYS[f]) == v for f, v in values.items())


# --------------------------------------------------------------------------- options

LIFELINE_PROGRAMS = tuple(E.LifelineProgram.values)


@dataclass(frozen=True)
class ResolvedOptions:
    """The options of one query, defaults filled in (see :func:`resolve_options`)."""

    ignore_closed: bool
    lifeline_programs: tuple[str, ...]
    bill_profile_ids: tuple[int, ...]
    patterns: tuple[MatchPattern, ...]

    def echo(self) -> Any:
        """The answer's Options (a ``DuplicateOptions``)."""
        from ..contract.operations import DuplicateOptions

        return DuplicateOptions(
            IgnoreClosed=self.ignore_closed, LifelinePrograms=list(self.lifeline_programs),
            MatchPatterns=[p.name for p in self.patterns],
            BillProfileIDs=list(self.bill_profile_ids))


def _pick(flat: Any, nested: Any) -> tuple[Any, str]:
    """The flat Option* value when given (not None, not an empty list), else the nested."""
    if flat is not None and flat != []:
        return flat, "flat"
    return nested, "nested"


def resolve_options(request: Any) -> ResolvedOptions:
    """The options of a Duplicate_Query request in either shape, with the defaults.

    Both shapes may be sent; **per field, the original's flat ``Option*`` field wins** when
    it is given (an empty list counts as not given); otherwise the documents' ``Options``
    field; otherwise the default: IgnoreClosed true; LifelinePrograms empty (program not
    considered; values of Enum_Lifeline_Program, case-insensitive, else S2010);
    BillProfileIDs empty (all bill profiles); MatchPatterns the seven documented patterns,
    in order. Repeated programs, IDs and patterns (same fields in any order) count once."""
    nested = getattr(request, "Options", None)
    n = (lambda name: getattr(nested, name, None)) if nested is not None else (lambda _: None)

    ignore, _ = _pick(getattr(request, "OptionIgnoreClosed", None), n("IgnoreClosed"))

    programs_in, shape = _pick(getattr(request, "OptionLifelinePrograms", None),
                               n("LifelinePrograms"))
    path = "OptionLifelinePrograms" if shape == "flat" else "Options/LifelinePrograms"
    programs: list[str] = []
    for value in programs_in or []:
        code = (value or "").strip().upper()
        if code not in LIFELINE_PROGRAMS:
            raise invalid(path, f"'{str(value)[:40]}' is not a lifeline program (one of "
                                f"{', '.join(LIFELINE_PROGRAMS)})")
        if code not in programs:
            programs.append(code)

    ids_in, _ = _pick(getattr(request, "OptionBillProfileIDs", None), n("BillProfileIDs"))
    ids = list(dict.fromkeys(int(i) for i in ids_in or [] if i is not None))

    patterns_in, shape = _pick(getattr(request, "OptionMatchPatterns", None),
                               n("MatchPatterns"))
    path = "OptionMatchPatterns" if shape == "flat" else "Options/MatchPatterns"
    patterns: list[MatchPattern] = []
    seen: set[frozenset[str]] = set()
    for text in patterns_in or []:
        p = parse_pattern(text, path)
        if frozenset(p.fields) not in seen:
            seen.add(frozenset(p.fields))
            patterns.append(p)
    return ResolvedOptions(
        ignore_closed=True if ignore is None else bool(ignore),
        lifeline_programs=tuple(programs), bill_profile_ids=tuple(ids),
        patterns=tuple(patterns) or DEFAULT_PATTERNS)


def customer_eligible(options: ResolvedOptions, *, status: str | None,
                      bill_profile_id: int | None, lifeline_program: str | None) -> bool:
    """Whether a customer of the caller's client may be matched at all (the store applies
    the same filter in SQL): not CLOSED unless IgnoreClosed is false; on one of
    BillProfileIDs when given; on one of LifelinePrograms when given (a customer without a
    program counts as NON_LIFELINE)."""
    if options.ignore_closed and status == "CLOSED":
        return False
    if options.bill_profile_ids and bill_profile_id not in options.bill_profile_ids:
        return False
    if options.lifeline_programs and (lifeline_program or "NON_LIFELINE") \
            not in options.lifeline_programs:
        return False
    return True


# --------------------------------------------------------------------------- matches

MAX_MATCHES = 100
"""Matches listed at most; the counts are exact whatever the number."""


@dataclass(frozen=True)
class MatchRow:
    pattern: str
    match_type: str
    customer_id: int


@dataclass(frozen=True)
class MatchOutcome:
    matches: tuple[MatchRow, ...]
    total: int
    person: int
    location: int

    @property
    def truncated(self) -> bool:
        return self.total > len(self.matches)


def build_matches(found: Sequence[tuple[MatchPattern, Iterable[int]]],
                  limit: int = MAX_MATCHES) -> MatchOutcome:
    """Matches and counts from the customer ids each pattern found, in pattern order
    (patterns skipped for the request are simply absent).

    **One match = one customer and one MatchType**, with the first pattern (in pattern
    order) that found it that way: a customer found by SSNTaxId and by its address is two
    matches (PERSON ``SSNTaxId`` and LOCATION ``Street1,Street2,City,State,Zip``); found by
    SSNTaxId and by SSNTaxIdLast4,DateOfBirth, one (PERSON ``SSNTaxId``). So
    MatchPersonCount = the number of customers matching as a person, MatchLocationCount =
    the number of customers at the location, MatchTotalCount = their sum = the number of
    matches (0: no existing customer; > 0: a duplicate). Matches are listed in pattern order,
    then by customer id, at most ``limit``; the counts are exact."""
    rows: list[MatchRow] = []
    seen: set[tuple[int, str]] = set()
    counts = {PERSON: 0, LOCATION: 0}
    for pattern, ids in found:
        kind = pattern.match_type
        for cid in sorted(set(ids)):
            if (cid, kind) in seen:
                continue
            seen.add((cid, kind))
            counts[kind] += 1
            if len(rows) < limit:
                rows.append(MatchRow(pattern.name, kind, cid))
    return MatchOutcome(tuple(rows), counts[PERSON] + counts[LOCATION], counts[PERSON],
                        counts[LOCATION])
