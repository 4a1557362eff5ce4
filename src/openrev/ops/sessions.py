"""Sessions_Create: authentication itself is the work; the Header carries the SessionKey."""

from __future__ import annotations

from ..contract.operations import Sessions_CreateRequest, Sessions_CreateResult
from .base import Context, handler


@handler("Sessions_Create", writes=False)  # the session row is written by auth
def sessions_create(ctx: Context, req: Sessions_CreateRequest) -> Sessions_CreateResult:
    return Sessions_CreateResult(SessionKey=ctx.caller.session_key)
