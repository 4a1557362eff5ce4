"""Wireless device identifiers: the same device is found whichever form is sent.

WirelessESN "may be an ICCID, an ESN or an MEID, the last two in hex or in decimal form".

* ESN: 32 bits. Hex: 8 hex digits. Decimal: 11 digits = 3-digit manufacturer code (high 8
  bits) + 8-digit serial (low 24 bits).
* MEID: 56 bits. Hex: 14 hex digits. Decimal: 18 digits = 10-digit manufacturer code (high
  32 bits) + 8-digit serial (low 24 bits). An IMEI (15 decimal digits, the last a check
  digit) is an MEID whose 14 first digits are its hex form.
* ICCID: 19 or 20 digits (starting 89): matched as written.

``device_key`` gives the canonical hex form (upper case) of an ESN/MEID/IMEI in any of its
forms; ``identifier_forms`` gives every identifier under which the device may be recorded in
inventory, which is what a look-up matches.
"""

from __future__ import annotations

import re
from functools import lru_cache

_HEX = re.compile(r"[0-9A-Fa-f]+")


def device_key(identifier: str) -> str | None:
    """The canonical hex form of an ESN/MEID/IMEI, or None for anything else (e.g. ICCID)."""
    s = identifier.strip()
    if s.lower().startswith("0x"):
        s = s[2:]
    if not s or not _HEX.fullmatch(s):
        return None
    if s.isdigit():
        if len(s) == 11:  # ESN decimal
            manufacturer, serial = int(s[:3]), int(s[3:])
            if manufacturer < 256 and serial < 2**24:
                return f"{manufacturer:02X}{serial:06X}"
            return None
        if len(s) == 18:  # MEID decimal
            manufacturer, serial = int(s[:10]), int(s[10:])
            if manufacturer < 2**32 and serial < 2**24:
                return f"{manufacturer:08X}{serial:06X}"
            return None
        if len(s) == 15:  # IMEI: its first 14 digits are the MEID hex form
            return s[:14]
    if len(s) in (8, 14):  # ESN or MEID hex
        return s.upper()
    return None


def is_imei(identifier: str) -> bool:
    s = identifier.strip()
    return len(s) == 15 and s.isdigit()


def identifier_forms(identifier: str) -> tuple[str, ...]:
    """Every identifier the device named by ``identifier`` may be recorded under in inventory.

    As sent; for an ESN/MEID/IMEI also its hex form (upper and lower case) and its decimal
    form; for an MEID sent as hex or decimal also the IMEIs of that MEID (its 14 digits and a
    check digit). An IMEI does not name another IMEI of the same 14 digits (that is another
    check digit: a typing error, not another form of the device).
    """
    s = identifier.strip()
    key = device_key(s)
    forms = [s]
    if key is not None:
        forms += [key, key.lower()]
        if len(key) == 14:
            forms.append(meid_decimal(key))
            if key.isdigit() and not is_imei(s):
                forms += [f"{key}{d}" for d in range(10)]
        elif len(key) == 8:
            forms.append(esn_decimal(key))
    return tuple(dict.fromkeys(forms))


def meid_decimal(hex14: str) -> str:
    """The 18-digit decimal form of a 14-digit hex MEID."""
    return f"{int(hex14[:8], 16):010d}{int(hex14[8:], 16):08d}"


def esn_decimal(hex8: str) -> str:
    """The 11-digit decimal form of an 8-digit hex ESN."""
    return f"{int(hex8[:2], 16):03d}{int(hex8[2:], 16):08d}"


# --------------------------------------------------------------------------- check digits
#
# What an identifier of each IdentifierLabel must look like (openrev inventory import):
#
# * IMEI: 15 decimal digits, the last a Luhn check digit over the first 14.
# * ICCID: 19 or 20 decimal digits starting 89 (the telecom industry prefix), the last a Luhn
#   check digit over the others.
# * ESN: 8 hex digits, or 11 decimal digits (3-digit manufacturer code < 256, 8-digit serial
#   < 2**24); no check digit.
# * MEID: 14 hex digits, or 18 decimal digits (10-digit manufacturer code < 2**32, 8-digit
#   serial < 2**24); no check digit (an IMEI is checked as an IMEI).

CHECKED_LABELS = ("IMEI", "ICCID", "ESN", "MEID")


_DOUBLED = (0, 2, 4, 6, 8, 1, 3, 5, 7, 9)  # a digit doubled, its two digits summed


def luhn_digit(digits: str) -> str:
    """The Luhn check digit to append to ``digits`` (decimal digits)."""
    rev = digits[::-1]
    total = sum(_DOUBLED[int(c)] for c in rev[0::2]) + sum(int(c) for c in rev[1::2])
    return str(-total % 10)


def _decimal(s: str) -> bool:
    return s.isascii() and s.isdigit()


def imei_problem(identifier: str) -> str | None:
    """Why ``identifier`` is not a valid IMEI, or None."""
    s = identifier.strip()
    if len(s) != 15 or not _decimal(s):
        return "an IMEI must be 15 digits"
    expected = luhn_digit(s[:14])
    if s[14] != expected:
        return f"IMEI check digit is wrong (expected {expected})"
    return None


def iccid_problem(identifier: str) -> str | None:
    """Why ``identifier`` is not a valid ICCID, or None."""
    s = identifier.strip()
    if len(s) not in (19, 20) or not _decimal(s):
        return "an ICCID must be 19 or 20 digits"
    if not s.startswith("89"):
        return "an ICCID must start with 89"
    expected = luhn_digit(s[:-1])
    if s[-1] != expected:
        return f"ICCID check digit is wrong (expected {expected})"
    return None


def esn_problem(identifier: str) -> str | None:
    """Why ``identifier`` is not an ESN (8 hex or 11 decimal digits), or None."""
    s = identifier.strip()
    key = device_key(s) if s.isascii() else None
    if key is None or len(key) != 8:
        return "an ESN must be 8 hex digits or 11 decimal digits (manufacturer code < 256)"
    return None


def meid_problem(identifier: str) -> str | None:
    """Why ``identifier`` is not an MEID (14 hex or 18 decimal digits), or None."""
    s = identifier.strip()
    key = device_key(s) if s.isascii() else None
    if key is None or len(key) != 14 or is_imei(s):
        return ("an MEID must be 14 hex digits or 18 decimal digits (manufacturer code "
                "< 2**32)")
    return None


_CHECKS = {"IMEI": imei_problem, "ICCID": iccid_problem, "ESN": esn_problem,
           "MEID": meid_problem}
_WORD = re.compile(r"[A-Za-z]+")


@lru_cache(maxsize=256)
def _kinds(label: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(w.upper() for w in _WORD.findall(label) if w.upper() in _CHECKS))


def identifier_problem(label: str, identifier: str) -> str | None:
    """Why ``identifier`` cannot be an identifier of items labelled ``label``, or None.

    The label's words that are one of ``CHECKED_LABELS`` (case-insensitive; "ESN/MEID" names
    two) are the forms allowed: the identifier must be one of them. A label naming none of
    them (e.g. "Serial Number") sets no rule."""
    kinds = _kinds(label)
    if not kinds:
        return None
    problems = [_CHECKS[k](identifier) for k in kinds]
    if any(p is None for p in problems):
        return None
    return "; ".join(p for p in problems if p)
