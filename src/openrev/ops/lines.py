"""Lines_Update: how integrators complete a manually provisioned sign-up (set the line's
number, then complete the order with Orders_Update). The original's request shape
(ORIGINAL-WIRE.md): ``Line_ID``, then ``{Updated, Value}`` pairs.

Checks, in the documented order: input (S2010), then existence (L2024 for the line, a line of
another client does not exist; LT2001 for Line_Type_Id), then state (S2010: a Number live on
another service of the client). The rules are in ``domain.lines``. A request that updates
nothing answers the line as it is and writes no history.
"""

from __future__ import annotations

from ..contract.errors import ApiError
from ..contract.operations import LineField, LineInfo, Lines_UpdateRequest, Lines_UpdateResult
from ..domain import lines as rules
from ..store import catalog, lines as repo
from ..store.tables import Service, ServiceType
from .base import Context, handler


@handler("Lines_Update", writes=True)
def lines_update(ctx: Context, req: Lines_UpdateRequest) -> Lines_UpdateResult:
    changes = rules.read_request(req)
    service = repo.line(ctx.db, ctx.client_id, req.Line_ID, for_update=True)
    if service is None:
        raise ApiError("L2024", f"Line_ID: {req.Line_ID} does not exist")
    service_type = None
    if "Line_Type_Id" in changes.values:
        type_id = changes.values["Line_Type_Id"]
        service_type = catalog.get(ctx.db, ServiceType, ctx.client_id, type_id)
        if service_type is None:
            raise ApiError("LT2001", f"Line_Type_Id/Value: {type_id} does not exist")
    if "Number" in changes.values:
        tn = changes.values["Number"]
        repo.lock_number(ctx.db, ctx.client_id, tn)
        rules.check_number_free("Number/Value", tn, service.id,
                                catalog.services_with_tn(ctx.db, ctx.client_id, tn))
    notes = rules.apply(service, changes, service_type)
    for label, value in changes.fields:
        repo.write_field(ctx.db, service, label, value)
    for category, note in notes:
        ctx.history(service.customer_id, category, note)
    ctx.db.flush()
    return Lines_UpdateResult(Line=line_info(ctx, service))


def line_info(ctx: Context, s: Service) -> LineInfo:
    """A line as Lines_Update answers it."""
    return LineInfo(
        ID=s.id, CustomerID=s.customer_id, Number=s.tn, Circuit_Number=s.circuit_number,
        Carrier_Customer_Id=s.carrier_customer_id, Description=s.description,
        Program_ID=s.program_id, Line_Type_Id=s.service_type_id, Status=s.status,
        Fields=[LineField(Label=f.label, Value=f.value) for f in repo.fields_of(ctx.db, s.id)],
    )
