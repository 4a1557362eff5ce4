"""The ASGI application: the endpoints of CONTRACT.md over the one service layer.

| path                              | what                                              |
| POST /v20/default.asmx            | SOAP 1.1 and 1.2                                  |
| GET  /v20/default.asmx?WSDL       | the WSDL (address = the host the request came to) |
| POST /v20/json/{Operation}        | JSON binding                                      |
| GET  /openapi.json, /docs         | OpenAPI description and its browsable page        |
| GET  /health                      | 200 with the database reachable, 503 without      |
"""

from __future__ import annotations

import logging
from pathlib import Path

import orjson
from sqlalchemy import text
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from .. import ops  # noqa: F401  (registers the handlers)
from ..contract.operations import OPERATIONS, OPERATIONS_BY_LOWER
from ..ops.api import Api
from ..settings import Settings
from ..store.db import make_engine, make_sessionmaker
from . import jsoncodec, soap
from .openapi import openapi
from .wsdl import wsdl
from .xmlcodec import DecodeReport

log = logging.getLogger("openrev.wire")

SOAP_PATH = "/v20/default.asmx"


class BodyTooLarge(Exception):
    pass


async def read_body(request: Request, limit: int) -> bytes:
    """The request body, refused as soon as it is known to exceed ``limit`` bytes."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge(f"the request body ({declared} bytes) exceeds the limit of {limit} bytes")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge(f"the request body exceeds the limit of {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def create_app(settings: Settings | None = None) -> Starlette:
    settings = settings or Settings.from_env()
    engine = make_engine(settings.database_url)
    api = Api(make_sessionmaker(engine), settings)
    limit = settings.max_body_bytes

    def soap_call(body: bytes, content_type: str) -> Response:
        try:
            call = soap.read_call(body, content_type)
        except soap.SoapFault as f:
            return _fault(f.version, f.message)
        result = api.call(call.op, call.request, call.report)
        return Response(soap.write_response(call, result),
                        media_type=soap.CONTENT_TYPE[call.version])

    async def soap_endpoint(request: Request) -> Response:
        content_type = request.headers.get("content-type", "")
        try:
            body = await read_body(request, limit)
        except BodyTooLarge as exc:
            resp = _fault(soap.version_from_content_type(content_type), str(exc))
            resp.headers["connection"] = "close"
            return resp
        return await run_in_threadpool(soap_call, body, content_type)

    async def soap_get(request: Request) -> Response:
        if any(k.lower() == "wsdl" for k in request.query_params.keys()):
            address = str(request.url.replace(query="", fragment=""))
            return Response(wsdl(address), media_type="text/xml; charset=utf-8")
        items = "".join(f"<li>{name}</li>" for name in OPERATIONS)
        return HTMLResponse(
            f"<html><body><h1>openrev v20</h1><p>SOAP 1.1 and 1.2 endpoint. "
            f'<a href="?WSDL">Service Description (WSDL)</a> · <a href="/docs">JSON API</a>'
            f"</p><ul>{items}</ul></body></html>"
        )

    def json_call(op_name: str, body: bytes) -> Response:
        op = OPERATIONS_BY_LOWER.get(op_name.lower())
        if op is None:
            return _json_error(404, f"unknown operation {op_name!r}; known operations: "
                                    f"{', '.join(OPERATIONS)}")
        try:
            data = jsoncodec.loads(body)
        except jsoncodec.JsonError as exc:
            return _json_error(400, str(exc))
        report = DecodeReport()
        request = jsoncodec.decode(data, op.request, "", report)
        result = api.call(op, request, report)
        return Response(jsoncodec.dumps(result), media_type="application/json")

    async def json_endpoint(request: Request) -> Response:
        try:
            body = await read_body(request, limit)
        except BodyTooLarge as exc:
            return _json_error(413, str(exc))
        return await run_in_threadpool(json_call, request.path_params["operation"], body)

    async def openapi_endpoint(request: Request) -> Response:
        return Response(orjson.dumps(openapi()), media_type="application/json")

    async def docs(request: Request) -> Response:
        return HTMLResponse(_DOCS_PAGE)

    def db_ok() -> bool:
        try:
            with engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            return True
        except Exception:  # noqa: BLE001 - any failure means unreachable
            log.warning("health: database unreachable", exc_info=True)
            return False

    async def health(request: Request) -> Response:
        ok = await run_in_threadpool(db_ok)
        return JSONResponse({"status": "ok" if ok else "database unreachable"},
                            status_code=200 if ok else 503)

    routes = [
        Route(SOAP_PATH, soap_endpoint, methods=["POST"]),
        Route(SOAP_PATH, soap_get, methods=["GET"]),
        Route("/v20/json/{operation}", json_endpoint, methods=["POST"]),
        Route("/openapi.json", openapi_endpoint, methods=["GET"]),
        Route("/docs", docs, methods=["GET"]),
        Route("/health", health, methods=["GET"]),
    ]
    static = _swagger_dir()
    if static is not None:
        routes.append(Mount("/docs/static", app=StaticFiles(directory=static), name="swagger"))
    app = Starlette(routes=routes)
    app.state.api = api
    app.state.engine = engine
    return app


def app_from_env() -> Starlette:
    """The factory ``openrev serve`` hands to uvicorn (settings from the environment)."""
    return create_app(Settings.from_env())


def _fault(version: int, message: str) -> Response:
    status, content_type, body = soap.fault(version, message)
    return Response(body, status_code=status, media_type=content_type)


def _json_error(status: int, message: str) -> Response:
    return JSONResponse({"error": message}, status_code=status)


def _swagger_dir() -> Path | None:
    try:
        from swagger_ui_bundle import swagger_ui_path
    except ImportError:  # pragma: no cover - a declared dependency
        return None
    return Path(swagger_ui_path)


_DOCS_PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>openrev v20 JSON API</title>
<link rel="stylesheet" href="/docs/static/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="/docs/static/swagger-ui-bundle.js"></script>
<script>window.ui = SwaggerUIBundle({url: "/openapi.json", dom_id: "#swagger-ui"});</script>
</body></html>"""
