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
letters, USA when not given; no text longer than the column that keeps it (``MAX_LENGTH``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from ..contract.errors import ApiError
from ..contract.types import Address

REQUIRED, OPTIONAL, PROHIBITED = "required", "optional", "prohibited"

_ZIP = re.compile(r"\d{5}", re.ASCII)
_ZIP4 = re.compile(r"\d{4}", re.ASCII)
_STATE = re.compile(r"[A-Za-z]{2}")
_COUNTRY = re.compile(r"[A-Za-z]{3}")

MAX_LENGTH = {"FirstName": 100, "LastName": 200, "Suffix": 20, "CompanyName": 200,
              "Address1": 200, "Address2": 200, "City": 100}
"""The longest text of the other fields: the widths of their ``addresses`` columns."""


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


def check_address(addr: Address, path: str, rules: AddressRules, problems: list[str]) -> None:
    """Append ``path/Field: rule`` for every S2010 problem of ``addr`` to ``problems``."""

    def need(field: str, how: str) -> None:
        given = _given(getattr(addr, field))
        why = "" if field in ("ID", "Address1", "City", "State", "Zip") else rules.why
        if how == REQUIRED and not given:
            problems.append(f"{path}/{field}: required{why}")
        elif how == PROHIBITED and given:
            problems.append(f"{path}/{field}: prohibited{why}")

    need("ID", PROHIBITED)
    need("FirstName", rules.first_last)
    need("LastName", rules.first_last)
    need("CompanyName", rules.company)
    need("Address1", REQUIRED)
    need("City", REQUIRED)
    need("State", REQUIRED)
    need("Zip", REQUIRED)
    if addr.MiddleName and len(addr.MiddleName.strip()) > 10:
        problems.append(f"{path}/MiddleName: at most 10 characters")
    check_lengths(addr, path, MAX_LENGTH, problems)
    if _given(addr.State) and not _STATE.fullmatch(addr.State.strip()):
        problems.append(f"{path}/State: must be 2 letters")
    if _given(addr.Zip) and not _ZIP.fullmatch(addr.Zip.strip()):
        problems.append(f"{path}/Zip: must be 5 digits")
    if _given(addr.Zip4) and not _ZIP4.fullmatch(addr.Zip4.strip()):
        problems.append(f"{path}/Zip4: must be 4 digits")
    if _given(addr.Country) and not _COUNTRY.fullmatch(addr.Country.strip()):
        problems.append(f"{path}/Country: must be a 3 character ISO country code")


def check_lengths(obj: object, path: str, longest: dict[str, int], problems: list[str]) -> None:
    """``path/Field: at most N characters`` for every text of ``obj`` longer than its column."""
    for name, n in longest.items():
        value = getattr(obj, name)
        if value and len(value.strip()) > n:
            problems.append(f"{path}/{name}: at most {n} characters")


def check_zip_exists(addr: Address, path: str) -> None:
    """S2015 when the (well-formed) Zip is not a real US ZIP code."""
    zip5 = (addr.Zip or "").strip()
    if _ZIP.fullmatch(zip5) and not zip_exists(zip5):
        raise ApiError("S2015", f"{path}/Zip: {zip5} is not a known US zip code")


@lru_cache(maxsize=4096)
def zip_exists(zip5: str) -> bool:
    import zipcodes  # the US ZIP list ships inside the package; no network

    return bool(zipcodes.is_real(zip5))


def zip_info(zip5: str) -> dict | None:
    import zipcodes

    found = zipcodes.matching(zip5)
    return found[0] if found else None


def normalized(addr: Address) -> dict[str, str | None]:
    """Column values of an address: trimmed, State upper-case, Country defaulting to USA."""

    def clean(v: str | None) -> str | None:
        return v.strip() if isinstance(v, str) and v.strip() else None

    return {
        "first_name": clean(addr.FirstName), "last_name": clean(addr.LastName),
        "middle_name": clean(addr.MiddleName), "suffix": clean(addr.Suffix),
        "company_name": clean(addr.CompanyName), "address1": clean(addr.Address1),
        "address2": clean(addr.Address2), "city": clean(addr.City),
        "state": (clean(addr.State) or "").upper() or None, "zip": clean(addr.Zip),
        "zip4": clean(addr.Zip4), "country": (clean(addr.Country) or "USA").upper(),
    }
