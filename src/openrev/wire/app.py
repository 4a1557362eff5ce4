"""The ASGI application: the endpoints of CONTRACT.md over the one service layer.

| path                              | what                                              |
| POST /v20/default.asmx            | SOAP 1.1 and 1.2                                  |
| GET  /v20/default.asmx?WSDL       | the WSDL (address = the host the request came to) |
| POST /v20/json/{Operation}        | JSON binding                                      |
| GET  /openapi.json, /docs         | OpenAPI description and its browsable page        |
| GET  /health                      | 200 with the database reachable and its schema    |
|                                   | current, 503 with a JSON reason otherwise         |
| GET  /, GET /v20/default.asmx     | the start page (links, operations, curl example)  |
| /console/...                      | the operator console (openrev.wire.console)       |
"""

from __future__ import annotations

import asyncio
import os

import logging
from pathlib import Path

import orjson
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from .. import ops  # noqa: F401  (registers the handlers)
from ..contract.operations import OPERATIONS, OPERATIONS_BY_LOWER
from ..ops.api import Api
from ..ops.base import HANDLERS
from ..settings import Settings
from ..store.crypto import use_keyring
from ..store.db import make_engine, make_sessionmaker
from . import jsoncodec, soap
from .catchall import CatchAll
from .console import console_routes
from .health import HealthCheck
from .lanes import Lanes
from .openapi import openapi
from .pages import DOCS_PAGE, home_page
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
    use_keyring(settings.database_url)  # personal data at rest; refuses without a key
    engine = make_engine(settings.database_url, sqlite_synchronous=settings.sqlite_synchronous)
    api = Api(make_sessionmaker(engine), settings)
    limit = settings.max_body_bytes
    lanes = Lanes(settings.call_threads)

    def soap_call(body: bytes, content_type: str, peer: str | None = None
                  ) -> tuple[Response, float]:
        """(the response, seconds to hold it back: see ``Api.answer``)."""
        try:
            call = soap.read_call(body, content_type)
        except soap.SoapFault as f:
            return _fault(f.version, f.message), 0.0
        answer = api.answer(call.op, call.request, call.report, peer)
        return Response(soap.write_response(call, answer.result),
                        media_type=soap.CONTENT_TYPE[call.version]), answer.delay

    async def soap_endpoint(request: Request) -> Response:
        content_type = request.headers.get("content-type", "")
        try:
            body = await read_body(request, limit)
        except BodyTooLarge as exc:
            resp = _fault(soap.version_from_content_type(content_type), str(exc))
            resp.headers["connection"] = "close"
            return resp
        return await _hold(*await lanes.run(body, soap_call, body, content_type,
                                            _peer(request)))

    async def soap_get(request: Request) -> Response:
        if any(k.lower() == "wsdl" for k in request.query_params.keys()):
            address = str(request.url.replace(query="", fragment=""))
            return Response(wsdl(address), media_type="text/xml; charset=utf-8")
        return await home(request)

    async def home(request: Request) -> Response:
        return HTMLResponse(home_page(str(request.base_url), frozenset(HANDLERS)))

    def json_call(op_name: str, body: bytes, peer: str | None = None
                  ) -> tuple[Response, float]:
        """(the response, seconds to hold it back: see ``Api.answer``)."""
        op = OPERATIONS_BY_LOWER.get(op_name.lower())
        if op is None:
            return _json_error(404, f"unknown operation {op_name!r}; known operations: "
                                    f"{', '.join(OPERATIONS)}"), 0.0
        try:
            data = jsoncodec.loads(body)
        except jsoncodec.JsonError as exc:
            return _json_error(400, str(exc)), 0.0
        report = DecodeReport()
        request = jsoncodec.decode(data, op.request, "", report)
        answer = api.answer(op, request, report, peer)
        return Response(jsoncodec.dumps(answer.result),
                        media_type="application/json"), answer.delay

    async def json_endpoint(request: Request) -> Response:
        try:
            body = await read_body(request, limit)
        except BodyTooLarge as exc:
            return _json_error(413, str(exc))
        return await _hold(*await lanes.run(
            body, json_call, request.path_params["operation"], body, _peer(request)))

    async def openapi_endpoint(request: Request) -> Response:
        return Response(orjson.dumps(openapi(frozenset(HANDLERS))),
                        media_type="application/json")

    async def docs(request: Request) -> Response:
        return HTMLResponse(DOCS_PAGE)

    health_check = HealthCheck(engine)
    worker = {"X-Openrev-Worker": str(os.getpid())}  # which server process answered

    async def health(request: Request) -> Response:
        status, body = await lanes.run(b"", health_check.answer)  # a slot like any call
        return JSONResponse(body, status_code=status, headers=worker)

    routes = [
        Route(SOAP_PATH, soap_endpoint, methods=["POST"]),
        Route(SOAP_PATH, soap_get, methods=["GET"]),
        Route("/v20/json/{operation}", json_endpoint, methods=["POST"]),
        Route("/openapi.json", openapi_endpoint, methods=["GET"]),
        Route("/docs", docs, methods=["GET"]),
        Route("/health", health, methods=["GET"]),
        Route("/", home, methods=["GET"]),
        Mount("/console", routes=console_routes(api, engine)),
    ]
    static = _swagger_dir()
    if static is not None:
        routes.append(Mount("/docs/static", app=StaticFiles(directory=static), name="swagger"))
    # CatchAll: an unexpected exception is a Fault / JSON error with a logged reference id.
    app = Starlette(routes=routes, middleware=[Middleware(CatchAll)])
    app.state.api = api
    app.state.engine = engine
    app.state.lanes = lanes
    return app


def app_from_env() -> Starlette:
    """The factory ``openrev serve`` hands to uvicorn (settings from the environment)."""
    try:
        loop = type(asyncio.get_running_loop()).__module__.split(".")[0]
    except RuntimeError:  # not called from a running loop
        loop = "none"
    log.debug("process %d: event loop from %s (uvloop is the fast one)", os.getpid(), loop)
    return create_app(Settings.from_env())


def _peer(request: Request) -> str | None:
    """The client's address (the login throttle counts failures per address)."""
    return request.client.host if request.client else None


_sleep = asyncio.sleep  # tests record the holds instead of waiting them out


async def _hold(response: Response, delay: float) -> Response:
    """``response``, after waiting ``delay`` seconds without a thread (a refused login)."""
    if delay > 0:
        await _sleep(delay)
    return response


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

