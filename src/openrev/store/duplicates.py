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
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    ColumnElement, Integer, and_, bindparam, func, literal_column, select, union, union_all,
)
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


def _stored(pattern: M.MatchPattern, keys: M.CustomerKeys) -> tuple[Any, ...] | None:
    """The stored value each field of ``pattern`` must equal, in its order; None when the
    pattern is skipped (a field not given, or a value that cannot be stored as such)."""
    values = M.pattern_values(pattern, keys)
    if values is None:
        return None
    stored = []
    for f, value in values.items():
        to_stored = _COLUMNS[f][1]
        v = to_stored(value) if to_stored is not None else value
        if v is None:  # cannot be stored as such: nothing matches
            return None
        stored.append(v)
    return tuple(stored)


def _where(fields: tuple[str, ...], names: Sequence[str]) -> list[ColumnElement[bool]]:
    """Each field's column equal to the parameter of the same place in ``names``."""
    return [_COLUMNS[f][0] == bindparam(n) for f, n in zip(fields, names)]


def _names(arm: int, fields: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(f"v{arm}_{j}" for j in range(len(fields)))


Eligible = tuple[bool, bool, bool]
"""What the SQL of :func:`_eligible` depends on of the options: whether CLOSED customers are
left out, whether bill profiles and Lifeline programs are listed (their values are
parameters)."""


def _eligibility(options: M.ResolvedOptions) -> Eligible:
    return (options.ignore_closed, bool(options.bill_profile_ids),
            bool(options.lifeline_programs))


def _eligible(shape: Eligible) -> list[ColumnElement[bool]]:
    """:func:`openrev.domain.matching.customer_eligible` in SQL (parameters: ``client_id``,
    ``bill_profile_ids``, ``lifeline_programs``; see :func:`_eligible_values`)."""
    ignore_closed, bill_profiles, programs = shape
    where: list[ColumnElement[bool]] = [Customer.client_id == bindparam("client_id")]
    if ignore_closed:
        where.append(Customer.status != "CLOSED")
    if bill_profiles:
        where.append(Customer.bill_profile_id.in_(bindparam("bill_profile_ids",
                                                            expanding=True)))
    if programs:
        where.append(Customer.lifeline_program.in_(bindparam("lifeline_programs",
                                                             expanding=True)))
    return where


def _eligible_values(client_id: int, options: M.ResolvedOptions) -> dict[str, Any]:
    return {"client_id": client_id, "bill_profile_ids": list(options.bill_profile_ids),
            "lifeline_programs": list(options.lifeline_programs)}


@lru_cache(maxsize=256)
def _first_ids(eligible: Eligible, shapes: tuple[tuple[str, ...], ...]) -> Any:
    """One statement: for each pattern (its fields, in ``shapes``) the ids of the first
    eligible customers it matches, by id, at most ``n`` (``arm``, ``id`` rows, by arm then
    id). Each arm is an index range of its own, as a statement of its own would be. Made
    once per shape of the options and patterns (the patterns' values are parameters)."""
    arms = []
    for i, fields in enumerate(shapes):
        first = (select(Customer.id)
                 .where(*_eligible(eligible), *_where(fields, _names(i, fields)))
                 .order_by(Customer.id).limit(bindparam("n", type_=Integer))
                 .subquery(f"p{i}"))
        arms.append(select(literal_column(str(i)).label("arm"), first.c.id))
    return union_all(*arms).order_by(literal_column("arm"), literal_column("id"))


def search(db: DbSession, client_id: int, options: M.ResolvedOptions, keys: M.CustomerKeys,
           *, limit: int = M.MAX_MATCHES) -> DuplicateSearch:
    """The matches of ``keys`` among ``client_id``'s eligible customers, by the patterns of
    ``options`` in their order (a pattern whose fields the query leaves empty is skipped);
    at most ``limit`` listed, the counts exact."""
    applied = [(p, v) for p, v in ((p, _stored(p, keys)) for p in options.patterns)
               if v is not None]
    # The first limit + 1 ids of every pattern, in one statement: a pattern is read below
    # only while fewer than ``limit`` matches are listed, and then every id seen so far has
    # been listed, so it never needs more than ``limit`` + 1 ids (``cap`` <= ``limit``).
    first: list[list[int]] = [[] for _ in applied]
    eligible = _eligible_values(client_id, options)
    if applied and limit > 0:
        values = dict(eligible, n=limit + 1)
        for i, (p, v) in enumerate(applied):
            values.update(zip(_names(i, p.fields), v))
        stmt = _first_ids(_eligibility(options), tuple(p.fields for p, _ in applied))
        for arm, cid in db.connection().execute(stmt, values):
            first[arm].append(cid)
    found: list[tuple[M.MatchPattern, list[int]]] = []
    conditions: dict[str, list[tuple[M.MatchPattern, tuple[Any, ...]]]] = {
        M.PERSON: [], M.LOCATION: []}
    complete = {M.PERSON: True, M.LOCATION: True}
    seen: dict[str, set[int]] = {M.PERSON: set(), M.LOCATION: set()}
    listed = 0
    for (pattern, stored), ids in zip(applied, first):
        kind = pattern.match_type
        conditions[kind].append((pattern, stored))
        room = limit - listed
        if room <= 0:
            complete[kind] = False
            continue
        cap = room + len(seen[kind])
        assert cap <= limit, (cap, limit)
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
    for kind, applied_of_kind in conditions.items():
        if not complete[kind] and applied_of_kind:
            counts[kind] = _count(db, options, eligible, applied_of_kind)
    outcome = M.MatchOutcome(outcome.matches, counts[M.PERSON] + counts[M.LOCATION],
                             counts[M.PERSON], counts[M.LOCATION])
    return DuplicateSearch(outcome, _customers(db, client_id,
                                               {m.customer_id for m in outcome.matches}))


def _count(db: DbSession, options: M.ResolvedOptions, eligible: dict[str, Any],
           applied: Sequence[tuple[M.MatchPattern, tuple[Any, ...]]]) -> int:
    """The number of distinct eligible customers matching any of the ``applied`` patterns
    (with their stored values)."""
    values = dict(eligible)
    arms = []
    for i, (p, v) in enumerate(applied):
        names = _names(i, p.fields)
        values.update(zip(names, v))
        arms.append(select(Customer.id).where(*_eligible(_eligibility(options)),
                                              *_where(p.fields, names)))
    ids = union(*arms).subquery()
    return int(db.connection().execute(select(func.count()).select_from(ids),
                                       values).scalar() or 0)


_ad = Address.__table__
_cu = Customer.__table__
_LISTED = (
    select(_cu.c.id, _cu.c.acct_num, _cu.c.status, _cu.c.created_at, _ad.c.first_name,
           _ad.c.middle_name, _ad.c.last_name, _ad.c.suffix, _ad.c.company_name,
           _ad.c.address1, _ad.c.address2, _ad.c.city, _ad.c.state, _ad.c.zip)
    .outerjoin(_ad, and_(_ad.c.id == _cu.c.physical_address_id,
                         _ad.c.client_id == bindparam("client_id")))
    .where(_cu.c.client_id == bindparam("client_id"),
           _cu.c.id.in_(bindparam("ids", expanding=True))))


def _customers(db: DbSession, client_id: int, ids: set[int]) -> dict[int, MatchedCustomer]:
    if not ids:
        return {}
    rows = db.connection().execute(_LISTED, {"client_id": client_id, "ids": sorted(ids)})
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
