"""The last line of defence: no request is ever answered with a plain-text 500.

``CatchAll`` wraps every endpoint (an ASGI middleware, inside Starlette's own error
middleware). An exception that escapes an endpoint is answered, if the answer has not begun,
with a SOAP Fault on the SOAP endpoint (1.1 ``soap:Server``, 1.2 ``soap:Receiver``, HTTP 500)
or a JSON body ``{"error": "internal error; reference <id>", "reference": "<id>"}`` (HTTP
500) anywhere else. The reference id is in the server log beside the traceback; the log line
names the exception type and the code it went through, never the request body nor the
exception's message (which can carry request values).
"""

from __future__ import annotations

import logging
import traceback
import uuid
from typing import Any

import orjson
from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from . import soap

log = logging.getLogger("openrev.wire")

SOAP_PATH = "/v20/default.asmx"


class CatchAll:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watch(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, watch)
        except ClientDisconnect:  # the client went away while sending: nobody to answer
            log.info("client disconnected before its request was read: %s %s",
                     scope.get("method"), scope.get("path"))
        except Exception as exc:  # noqa: BLE001 - the one place nothing escapes
            ref = uuid.uuid4().hex[:12]
            log_internal_error(ref, f"{scope.get('method')} {scope.get('path')}", exc)
            if started:  # too late for an answer: the connection is closed by the server
                return
            status, content_type, body = answer(scope, ref)
            await send({"type": "http.response.start", "status": status,
                        "headers": [(b"content-type", content_type.encode("latin-1")),
                                    (b"content-length", str(len(body)).encode("latin-1"))]})
            await send({"type": "http.response.body", "body": body})


def log_internal_error(ref: str, where: str, exc: BaseException) -> None:
    frames = "".join(traceback.format_tb(exc.__traceback__))
    log.error("internal error, reference %s, in %s: %s (message withheld)\n%s", ref, where,
              type(exc).__qualname__, frames.rstrip())


def answer(scope: Scope, ref: str) -> tuple[int, str, bytes]:
    """(status, content type, body) of the answer to an internal error."""
    message = f"internal error; reference {ref}"
    if str(scope.get("path", "")).lower().startswith(SOAP_PATH.lower()):
        content_type = _header(scope, b"content-type")
        return soap.fault(soap.version_from_content_type(content_type), message, server=True)
    if str(scope.get("path", "")).startswith("/console"):  # the operator console: a page
        return 500, "text/html; charset=utf-8", (
            "<!doctype html><html lang=en><meta charset=utf-8><title>Internal error</title>"
            f"<h1>Internal error</h1><p>Reference {ref} (in the server log).</p>"
            "<p><a href=/console/customers>Back to the console</a></p></html>").encode()
    return 500, "application/json", orjson.dumps({"error": message, "reference": ref})


def _header(scope: Scope, name: bytes) -> str:
    headers: Any = scope.get("headers") or []
    for k, v in headers:
        if k.lower() == name:
            return v.decode("latin-1")
    return ""
