"""Duplicate_Query: existing customers of the caller's client matching a person or a location.

The rules are :mod:`openrev.domain.matching` (options, patterns, keys, what one match is); the
search is :mod:`openrev.store.duplicates`. Order of checks: the input (options, then the
person and location values: S2010 naming the field), then the search.
"""

from __future__ import annotations

from ..contract.operations import DuplicateMatch, Duplicate_QueryRequest, Duplicate_QueryResult
from ..domain import matching as M
from ..store import duplicates as D
from .base import Context, handler


@handler("Duplicate_Query", writes=False)
def duplicate_query(ctx: Context, req: Duplicate_QueryRequest) -> Duplicate_QueryResult:
    options = M.resolve_options(req)
    keys = M.query_keys(req)
    found = D.search(ctx.db, ctx.client_id, options, keys)
    matches = []
    for m in found.outcome.matches:
        c = found.customers[m.customer_id]
        matches.append(DuplicateMatch(
            MatchPattern=m.pattern, MatchType=m.match_type, CustomerID=c.id,
            AcctNum=c.acct_num, Name=c.name, Street1=c.street1, Street2=c.street2,
            CityStateZip=c.city_state_zip, Status=c.status, Created_Date=c.created_at))
    return Duplicate_QueryResult(
        MatchTotalCount=found.outcome.total, MatchPersonCount=found.outcome.person,
        MatchLocationCount=found.outcome.location, Options=options.echo(), Matches=matches)
