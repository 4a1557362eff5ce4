"""Duplicate_Query's search: the caller's client's customers matching each pattern, by
equality on the keys stored with every customer (``customers.*_key``, ``zip5`` and the keyed
hashes ``ssn_hmac``, ``ssn_last4_hmac``, ``dl_hmac``, ``dob_hmac``; see migration 0006 and
:mod:`openrev.store.crypto`). The only place with Duplicate_Query's SQL; the rules (what a
key is, what a match is and how matches count) are :mod:`openrev.domain.matching`.

Bounded work whatever the number of matches: each pattern reads at most ``limit`` +
(customers of its MatchType already listed) + 1 ids, ordered by id (an index range per
pattern: the default patterns are served by the indexes of ``customers``). When every
pattern of a MatchType found fewer than that, its count is the number of distinct customers
found; otherwise one ``COUNT`` over the UNION of that MatchType's patterns gives it exactly.
Personal values are never compared in plaintext: the query's SSN, last 4, DL and DOB are
hashed with the same key and compared with the stored hashes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, func, select, union
from sqlalchemy.orm import Session as DbSession

from ..domain import matching as M
from . import crypto
from .tables import Address, Customer

__all__ = ["MatchedCustomer", "DuplicateSearch", "search"]

# Pattern field -> (column of customers, how the query's key becomes the stored value)
_COLUMNS: dict[str, tuple[Any, Any]] = {
    "SSNTaxId": (Customer.ssn_hmac, crypto.ssn_hmac),
    "SSNTaxIdLast4": (Customer.ssn_last4_hmac, crypto.ssn_last4_hmac),
    "DateOfBirth": (Customer.dob_hmac, crypto.dob_hmac),
    "DriversLicenseNumber": (Customer.dl_hmac, crypto.dl_hmac),
    "FirstName": (Customer.first_name_key, None),
    "LastName": (Customer.last_name_key, None),
    "MiddleName": (Customer.middle_name_key, None),
    "Suffix": (Customer.suffix_key, None),
    "Street1": (Customer.street_key, None),
    "Street2": (Customer.unit_key, None),
    "City": (Customer.city_key, None),
    "State": (Customer.state_key, None),
    "Zip": (Customer.zip5, None),
}
assert set(_COLUMNS) == set(M.FIELD_KEYS)


@dataclass(frozen=True)
class MatchedCustomer:
    """What a listed match shows of its customer (its physical address)."""

    id: int
    acct_num: str | None
    name: str | None
    street1: str | None
    street2: str | None
    city_state_zip: str | None
    status: str
    created_at: dt.datetime


@dataclass(frozen=True)
class DuplicateSearch:
    outcome: M.MatchOutcome
    customers: dict[int, MatchedCustomer]
    """The listed customers, by id."""


def _pattern_where(pattern: M.MatchPattern, keys: M.CustomerKeys
                   ) -> list[ColumnElement[bool]] | None:
    values = M.pattern_values(pattern, keys)
    if values is None:
        return None
    where: list[ColumnElement[bool]] = []
    for f, value in values.items():
        column, to_stored = _COLUMNS[f]
        stored = to_stored(value) if to_stored is not None else value
        if stored is None:  # cannot be stored as such: nothing matches
            return None
        where.append(column == stored)
    return where


def _eligible(client_id: int, options: M.ResolvedOptions) -> list[ColumnElement[bool]]:
    """:func:`openrev.domain.matching.customer_eligible` in SQL."""
    where: list[ColumnElement[bool]] = [Customer.client_id == client_id]
    if options.ignore_closed:
        where.append(Customer.status != "CLOSED")
    if options.bill_profile_ids:
        where.append(Customer.bill_profile_id.in_(options.bill_profile_ids))
    if options.lifeline_programs:
        where.append(Customer.lifeline_program.in_(options.lifeline_programs))
    return where


def search(db: DbSession, client_id: int, options: M.ResolvedOptions, keys: M.CustomerKeys,
           *, limit: int = M.MAX_MATCHES) -> DuplicateSearch:
    """The matches of ``keys`` among ``client_id``'s eligible customers, by the patterns of
    ``options`` in their order (a pattern whose fields the query leaves empty is skipped);
    at most ``limit`` listed, the counts exact."""
    eligible = _eligible(client_id, options)
    found: list[tuple[M.MatchPattern, list[int]]] = []
    conditions: dict[str, list[list[ColumnElement[bool]]]] = {M.PERSON: [], M.LOCATION: []}
    complete = {M.PERSON: True, M.LOCATION: True}
    seen: dict[str, set[int]] = {M.PERSON: set(), M.LOCATION: set()}
    listed = 0
    for pattern in options.patterns:
        where = _pattern_where(pattern, keys)
        if where is None:
            continue
        kind = pattern.match_type
        conditions[kind].append(where)
        room = limit - listed
        if room <= 0:
            complete[kind] = False
            continue
        cap = room + len(seen[kind])
        ids = list(db.scalars(select(Customer.id).where(*eligible, *where)
                              .order_by(Customer.id).limit(cap + 1)))
        if len(ids) > cap:
            complete[kind] = False
            ids = ids[:cap]
        found.append((pattern, ids))
        for cid in ids:  # as build_matches lists them
            if cid not in seen[kind]:
                seen[kind].add(cid)
                if listed < limit:
                    listed += 1
    outcome = M.build_matches(found, limit)
    counts = {M.PERSON: outcome.person, M.LOCATION: outcome.location}
    for kind, wheres in conditions.items():
        if not complete[kind] and wheres:
            counts[kind] = _count(db, eligible, wheres)
    outcome = M.MatchOutcome(outcome.matches, counts[M.PERSON] + counts[M.LOCATION],
                             counts[M.PERSON], counts[M.LOCATION])
    return DuplicateSearch(outcome, _customers(db, client_id,
                                               {m.customer_id for m in outcome.matches}))


def _count(db: DbSession, eligible: list[ColumnElement[bool]],
           wheres: Sequence[list[ColumnElement[bool]]]) -> int:
    """The number of distinct eligible customers matching any of ``wheres``."""
    ids = union(*(select(Customer.id).where(*eligible, *w) for w in wheres)).subquery()
    return int(db.scalar(select(func.count()).select_from(ids)) or 0)


def _customers(db: DbSession, client_id: int, ids: set[int]) -> dict[int, MatchedCustomer]:
    if not ids:
        return {}
    rows = db.execute(
        select(Customer.id, Customer.acct_num, Customer.status, Customer.created_at,
               Address.first_name, Address.middle_name, Address.last_name, Address.suffix,
               Address.company_name, Address.address1, Address.address2, Address.city,
               Address.state, Address.zip)
        .outerjoin(Address, and_(Address.id == Customer.physical_address_id,
                                 Address.client_id == client_id))
        .where(Customer.client_id == client_id, Customer.id.in_(sorted(ids))))
    out: dict[int, MatchedCustomer] = {}
    for r in rows:
        name = " ".join(p.strip() for p in (r.first_name, r.middle_name, r.last_name, r.suffix)
                        if p and p.strip()) or r.company_name
        out[r.id] = MatchedCustomer(
            id=r.id, acct_num=r.acct_num, name=name, street1=r.address1, street2=r.address2,
            city_state_zip=city_state_zip(r.city, r.state, r.zip), status=r.status,
            created_at=r.created_at)
    return out


def city_state_zip(city: str | None, state: str | None, zip_code: str | None) -> str | None:
    """``Pensacola, FL 32502`` (the parts present; None when none is)."""
    tail = " ".join(p for p in (state, zip_code) if p)
    text = ", ".join(p for p in (city, tail) if p)
    return text or None
