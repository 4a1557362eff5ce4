"""Address rules of the Customers section: Required / Optional / Prohibited per address kind
and CustomerClass, field formats, and US ZIP codes (S2015 for one that does not exist).

The rules are data (``AddressRules``), so that each documented table is written once:

* Customer/MailingAddress and Customer/PhysicalAddress: FirstName and LastName required when
  CustomerClass is not specified or is Residential, otherwise prohibited; CompanyName required
  when Business, otherwise prohibited.
* Order/ShippingAddress: FirstName, LastName and CompanyName are all documented "Required".
* Order/WirelessPort/Address: FirstName and LastName required.
* NewCustomers_Quote/Address: names optional.
Everywhere: ID prohibited; MiddleName at most 10 characters; Address1, City, State (2
letters), Zip (5 digits, a real US ZIP) required; Zip4 4 digits when given; Country 3
letters, USA when not given; no text longer than the column that keeps it (the limits the
field map reads from the columns, handed in by the caller).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from types import MappingProxyType
from typing import Any

from ..contract.errors import ApiError
from ..contract.types import Address

REQUIRED, OPTIONAL, PROHIBITED = "required", "optional", "prohibited"

ZIP_PATTERN = re.compile(r"\d{5}", re.ASCII)  # a 5-digit ZIP
_ZIP4 = re.compile(r"\d{4}", re.ASCII)
_STATE = re.compile(r"[A-Za-z]{2}")
_COUNTRY = re.compile(r"[A-Za-z]{3}")

MIDDLE_NAME_MAX = 10  # the documents: "Max length 10"


@dataclass(frozen=True)
class AddressRules:
    first_last: str
    company: str
    why: str = ""  # said after "prohibited"/"required" when the rule depends on CustomerClass


RESIDENTIAL_RULES = AddressRules(REQUIRED, PROHIBITED, " for a Residential customer")
BUSINESS_RULES = AddressRules(PROHIBITED, REQUIRED, " for a Business customer")


def customer_address_rules(customer_class: str | None) -> AddressRules:
    return BUSINESS_RULES if customer_class == "Business" else RESIDENTIAL_RULES


SHIPPING_RULES = AddressRules(first_last=REQUIRED, company=REQUIRED)
PORT_RULES = AddressRules(first_last=REQUIRED, company=OPTIONAL)
QUOTE_RULES = AddressRules(first_last=OPTIONAL, company=OPTIONAL)


def _given(value: object) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


FORMATTED = ("ID", "MiddleName", "State", "Zip", "Zip4", "Country")
"""Fields whose own rule bounds them (their column width is not what a client is told)."""


def check_address(addr: Address, path: str, rules: AddressRules, limits: Mapping[str, int],
                  problems: list[str]) -> None:
    """Append ``path/Field: rule`` for every S2010 problem of the address ``addr``."""
    check_address_values({f.name: v for f, v in addr.written()}, path, rules, limits, problems)


def check_address_values(addr: Mapping[str, Any], path: str, rules: AddressRules,
                         limits: Mapping[str, int], problems: list[str],
                         only: set[str] | None = None) -> None:
    """The address rules on an address given by canonical field name. ``limits``: the longest
    text of each field (its column). ``only``: report problems of these fields alone (an
    update judges the whole address but answers for what it writes)."""
    found: list[tuple[str, str]] = []

    def need(field: str, how: str) -> None:
        given = _given(addr.get(field))
        why = "" if field in ("ID", "Address1", "City", "State", "Zip") else rules.why
        if how == REQUIRED and not given:
            found.append((field, f"required{why}"))
        elif how == PROHIBITED and given:
            found.append((field, f"prohibited{why}"))

    need("ID", PROHIBITED)
    need("FirstName", rules.first_last)
    need("LastName", rules.first_last)
    need("CompanyName", rules.company)
    need("Address1", REQUIRED)
    need("City", REQUIRED)
    need("State", REQUIRED)
    need("Zip", REQUIRED)
    middle = addr.get("MiddleName")
    if middle and len(middle.strip()) > MIDDLE_NAME_MAX:
        found.append(("MiddleName", f"at most {MIDDLE_NAME_MAX} characters"))
    for name, n in limits.items():
        value = addr.get(name)
        if name not in FORMATTED and isinstance(value, str) and len(value.strip()) > n:
            found.append((name, f"at most {n} characters"))
    for name, pattern, rule in (("State", _STATE, "must be 2 letters"),
                                ("Zip", ZIP_PATTERN, "must be 5 digits"),
                                ("Zip4", _ZIP4, "must be 4 digits"),
                                ("Country", _COUNTRY, "must be a 3 character ISO country code")):
        value = addr.get(name)
        if _given(value) and not pattern.fullmatch(value.strip()):
            found.append((name, rule))
    problems.extend(f"{path}/{name}: {rule}" for name, rule in found
                    if only is None or name in only)


def check_lengths(obj: object, path: str, longest: Mapping[str, int], problems: list[str],
                  names: Mapping[str, str] | None = None) -> None:
    """``path/Field: at most N characters`` for every text of ``obj`` (a Struct, or a mapping
    by canonical name) longer than its column. ``names``: how the request spells a field."""
    for name, n in longest.items():
        if isinstance(obj, Mapping):
            value = obj.get(name)
        else:
            value = getattr(obj, name, None)
        if isinstance(value, str) and len(value.strip()) > n:
            shown = names.get(name, name) if names else name
            problems.append(f"{path}/{shown}: at most {n} characters")


def check_zip_exists(addr: Address | Mapping[str, Any] | None, path: str) -> None:
    """S2015 when the (well-formed) Zip of ``addr`` (a Struct or a mapping by canonical name)
    is not a real US ZIP code."""
    if addr is None:
        return
    zip5 = ((addr.get("Zip") if isinstance(addr, Mapping) else addr.Zip) or "").strip()
    if ZIP_PATTERN.fullmatch(zip5) and not zip_exists(zip5):
        raise ApiError("S2015", f"{path}/Zip: {zip5} is not a known US zip code")


@lru_cache(maxsize=4096)
def zip_exists(zip5: str) -> bool:
    import zipcodes  # the US ZIP list ships inside the package; no network

    return bool(zipcodes.is_real(zip5))


@lru_cache(maxsize=4096)
def zip_info(zip5: str) -> Mapping[str, Any] | None:
    """The ``zipcodes`` record of a ZIP (state, county, city...), None for none: read-only
    and cached (the package's look-up walks its whole list, about 1.5 ms)."""
    import zipcodes

    found = zipcodes.matching(zip5)
    return MappingProxyType(found[0]) if found else None
