"""LifelineTypes_Query: the client's lifeline types ("Use LifelineTypes_Query to find a valid ID")."""

from __future__ import annotations

from ..contract.errors import ApiError
from ..contract.operations import LifelineType, LifelineTypes_QueryRequest, LifelineTypes_QueryResult
from ..store import catalog
from .base import Context, handler


@handler("LifelineTypes_Query", writes=False)
def lifeline_types_query(ctx: Context, req: LifelineTypes_QueryRequest) -> LifelineTypes_QueryResult:
    rows = catalog.lifeline_types(ctx.db, ctx.client_id, req.LifelineTypeID)
    if req.LifelineTypeID is not None and not rows:
        raise ApiError("L2015", f"LifelineTypeID: {req.LifelineTypeID} does not exist")
    return LifelineTypes_QueryResult(
        LifelineTypes=[LifelineType(ID=r.id, Description=r.description) for r in rows]
    )
