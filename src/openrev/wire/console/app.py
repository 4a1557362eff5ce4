"""The operator console: server-rendered pages (Jinja2) for the users of a client.

| path                                   | what                                              |
| GET  /console/login, POST /console/login | the login form (Client, Username, Password)     |
| POST /console/logout                   | ends the session                                  |
| GET  /console/customers                | search: TN, name, account number, device, id      |
| GET  /console/customers/{id}           | a customer: addresses, services, products,        |
|                                        | devices, lifeline, orders, the History pane       |
| GET  /console/orders                   | the order queue: stuck and failed first; status   |
| POST /console/orders/{id}/complete     | Orders_Update Status=COMPLETE                     |
| POST /console/orders/{id}/resend       | ``openrev orders resend``                         |
| GET  /console/catalog, /inventory      | the catalog; inventory items by status and type   |
| GET  /console/users, POST ...          | users and permissions (ADMINISTER_USERS)          |
| GET  /console/static/...               | the CSS and htmx (vendored: no CDN, works offline)|

Authentication is the API's own: the login runs the Credentials path of
:class:`openrev.ops.auth.Authenticator` (throttle, failed-login counting, argon2 slots) and
the console's session *is* an API session, its key in an HttpOnly, SameSite=Strict cookie
(Secure when the request came over https, or through a proxy saying ``X-Forwarded-Proto:
https``); so its idle and maximum lifetimes, ``openrev session revoke`` and ``openrev user
passwd`` apply to it, and logging out deletes it. Every POST must carry the session's CSRF
token (an HMAC of the session key: a form field, or the ``X-CSRF-Token`` header htmx sends)
and come from this site (its ``Origin``, or else its ``Referer``, must be the server's own).

Everything is read and written through the layers below, as the caller: a customer page is
Customers_Query and Orders_Search, completing an order is Orders_Update (history, actor,
PENDING -> OPEN, the outbox exactly as over the API), Resend is ``openrev orders resend``'s
code. A customer, order or user of another client does not exist (404).

Pages work without JavaScript (plain links and forms); htmx boosts them (no full reloads)
and makes the customer search live.
"""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import hashlib
import hmac
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy.engine import Engine
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from ...contract.enums import PERMISSIONS, InventoryItemStatus, OrderStatus
from ...contract.envelope import Credentials, Session
from ...contract.errors import ApiError
from ...contract.limits import INT_RANGE
from ...contract.operations import OPERATIONS
from ...contract.report import DecodeReport
from ...contract.schema import Struct
from ...domain.passwords import hash_key, hash_password
from ...ops import console as actions
from ...ops.api import Api
from ...ops.auth import LoginRefused
from ...ops.base import Caller
from ...store import authrepo, console as reads
from ...store.catalog_file import import_catalog
from ...store.catalog_format import MAX_BYTES as CATALOG_MAX_BYTES
from ...store.inventory_import import MAX_BYTES as INVENTORY_MAX_BYTES, import_inventory, \
    refresh_statistics
from ...store.uow import DatabaseBusy

log = logging.getLogger("openrev.console")

HERE = Path(__file__).parent
PREFIX = "/console"
COOKIE = "openrev_console"
FLASH_COOKIE = "openrev_console_flash"
CSRF_FIELD = "csrf"
CSRF_HEADER = "x-csrf-token"
PAGE_SIZE = 25
FORM_MAX_BYTES = 64 * 1024
"""A console form (not an upload) larger than this is refused (413)."""
KEY_MAX = 200
"""A session cookie longer than this is not looked up."""
LOGIN_FIELDS = {"client": 50, "username": 100, "password": 1024}
"""The login form's fields and the most characters each may have."""
IMPORTS = "MANAGE_CATALOG"
"""The permission of the catalog and inventory imports."""
INVENTORY_UPLOAD_MAX_BYTES = min(INVENTORY_MAX_BYTES, 16 * 1024 * 1024)
"""A device CSV uploaded in the console (larger ones: ``openrev inventory import``)."""
NOTE_MAX = 1000
"""Characters of the optional note of Complete (Orders_Update's StatusNote)."""

PAGE_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self'; "
                               "img-src 'self' data:; form-action 'self'; "
                               "frame-ancestors 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}
"""Headers of every console page: nothing but the console's own files, no framing, nothing
cached (pages hold customer data)."""

BAD_LOGIN = "Wrong client, username or password."
THROTTLED = "Too many failed logins: try again in a few minutes."

Handler = Callable[[Request, Caller], Awaitable[Response]]


class Refused(Exception):
    """An answer other than the page: (status, message)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def csrf_token(session_key: str) -> str:
    """The CSRF token of a console session: an HMAC of its key (nobody without the key, which
    only the HttpOnly cookie holds, can compute it; it needs no server-side state)."""
    return hmac.new(session_key.encode(), b"openrev-console-csrf", hashlib.sha256).hexdigest()


def _is_https(request: Request) -> bool:
    forwarded = request.headers.get("x-forwarded-proto", "").split(",")[0].strip().lower()
    return request.url.scheme == "https" or forwarded == "https"


def _same_origin(request: Request) -> bool:
    """The POST comes from a page of this server: its Origin (or else Referer) names the
    host the request was sent to."""
    source = request.headers.get("origin")
    if not source or source == "null":
        source = request.headers.get("referer")
    if not source:
        return False
    parts = urlsplit(source)
    hosts = {request.headers.get("host", ""), request.headers.get("x-forwarded-host", "")}
    return parts.scheme in ("http", "https") and bool(parts.netloc) and parts.netloc in hosts


def _safe_next(value: str | None, default: str = f"{PREFIX}/customers") -> str:
    """A redirect target inside the console (never another site)."""
    if value and value.startswith(PREFIX + "/") and not value.startswith("//") \
            and "\\" not in value and len(value) < 2000:
        return value
    return default


async def read_form(request: Request, limit: int = FORM_MAX_BYTES, *, files: int = 0
                    ) -> FormData:
    """The form of a POST, refused (413) beyond ``limit`` bytes."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise Refused(413, f"the form is too large (at most {limit // 1024} KiB)")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise Refused(413, f"the form is too large (at most {limit // 1024} KiB)")
        chunks.append(chunk)
    body = b"".join(chunks)

    async def replay() -> dict[str, Any]:
        return {"type": "http.request", "body": body, "more_body": False}

    try:
        return await Request(request.scope, replay).form(max_files=files, max_fields=100)
    except Exception as exc:  # malformed multipart: a refusal, not an internal error
        raise Refused(400, f"the form could not be read: {type(exc).__name__}") from None


def _text(form: FormData, name: str, limit: int) -> str:
    value = form.get(name)
    if value is None or isinstance(value, UploadFile):
        return ""
    if len(value) > limit:
        raise Refused(400, f"{name}: at most {limit} characters")
    return value


def _an_id(value: str) -> bool:
    """``value`` is an id that can exist (decimal digits, within an Int)."""
    return value.isascii() and value.isdigit() and len(value) <= 10 \
        and int(value) <= INT_RANGE[1]


def _int(value: str | None, name: str) -> int | None:
    if value is None or value == "":
        return None
    if not _an_id(value):
        raise Refused(400, f"{name}: not a number")
    return int(value)


def _path_id(request: Request, name: str) -> int:
    """The id in the path (a customer, order or user); one that cannot exist is 404."""
    value = request.path_params[f"{name}_id"]
    if not _an_id(value):
        raise actions.NotFound(f"{name} {value[:20]} does not exist")
    return int(value)


class Console:
    """The console's pages over one :class:`Api` (its database, auth and clock)."""

    def __init__(self, api: Api, engine: Engine) -> None:
        self.api = api
        self.engine = engine  # the inventory import refreshes the planner's statistics
        self.env = Environment(loader=FileSystemLoader(HERE / "templates"),
                               autoescape=select_autoescape(["html"]), trim_blocks=True,
                               lstrip_blocks=True)
        self.env.globals.update(PREFIX=PREFIX, CSRF_FIELD=CSRF_FIELD)
        self.env.filters["when"] = _when

    # ------------------------------------------------------------------ plumbing

    def render(self, request: Request, name: str, caller: Caller | None = None,
               code: int = 200, **values: Any) -> HTMLResponse:
        flash = getattr(request.state, "flash", None)
        html = self.env.get_template(name).render(
            request=request, caller=caller, flash=flash,
            csrf=csrf_token(caller.session_key) if caller else "",
            is_admin=caller is not None and caller.can(actions.ADMIN), **values)
        response = HTMLResponse(html, status_code=code, headers=PAGE_HEADERS)
        if flash is not None:
            response.delete_cookie(FLASH_COOKIE, path=PREFIX)
        return response

    def redirect(self, request: Request, url: str, caller: Caller | None = None,
                 message: str | None = None, error: bool = False) -> Response:
        """303 to ``url``, with ``message`` shown on the page it leads to (a cookie signed
        with the session's CSRF key: no other site can plant a message)."""
        response = RedirectResponse(url, status_code=303)
        if message and caller is not None:
            text = ("!" if error else " ") + message[:500]
            raw = base64.urlsafe_b64encode(text.encode()).decode()
            sig = hmac.new(csrf_token(caller.session_key).encode(), raw.encode(),
                           hashlib.sha256).hexdigest()[:32]
            response.set_cookie(FLASH_COOKIE, f"{raw}.{sig}", path=PREFIX, httponly=True,
                                samesite="strict", secure=_is_https(request))
        return response

    def _read_flash(self, request: Request, caller: Caller) -> None:
        value = request.cookies.get(FLASH_COOKIE, "")
        raw, _, sig = value.partition(".")
        if not raw or len(value) > 2000:
            return
        want = hmac.new(csrf_token(caller.session_key).encode(), raw.encode(),
                        hashlib.sha256).hexdigest()[:32]
        if not hmac.compare_digest(want.encode(), sig.encode()):
            return
        try:
            text = base64.urlsafe_b64decode(raw.encode()).decode()
        except ValueError:
            return
        request.state.flash = {"error": text[:1] == "!", "text": text[1:]}

    async def caller_of(self, request: Request) -> Caller | None:
        key = request.cookies.get(COOKIE, "")
        if not key or len(key) > KEY_MAX:
            return None
        req = OPERATIONS["Sessions_Create"].request(Session=Session(SessionKey=key))
        try:
            return await run_in_threadpool(self.api.auth.authenticate, req, self.api.clock(),
                                           _peer(request))
        except ApiError:
            return None

    def page(self, handler: Handler, permission: str | None = None, upload: int = 0
             ) -> Callable[[Request], Awaitable[Response]]:
        """An endpoint that needs a logged-in caller (and ``permission``); a POST also needs
        this site's Origin and the session's CSRF token. ``upload``: the POST is a form with
        one file, of at most this many bytes."""

        async def endpoint(request: Request) -> Response:
            try:
                if request.method == "POST" and not _same_origin(request):
                    raise Refused(403, "This form did not come from the console "
                                       "(Origin/Referer check).")
                caller = await self.caller_of(request)
                if caller is None:
                    if handler == self.logout:  # ended already: just forget the cookie
                        return self._logged_out()
                    if request.method == "POST":
                        raise Refused(401, "Your session has ended: log in again.")
                    target = request.url.path + (f"?{request.url.query}"
                                                 if request.url.query else "")
                    return RedirectResponse(f"{PREFIX}/login?{urlencode({'next': target})}",
                                            status_code=303)
                request.state.caller = caller
                if permission is not None and not caller.can(permission):  # before any upload
                    raise Refused(403, f"This page needs the permission {permission}.")
                if request.method == "POST":
                    await self._check_csrf(request, caller, upload)
                self._read_flash(request, caller)
                return await handler(request, caller)
            except Refused as r:
                return self.render(request, "error.html", getattr(request.state, "caller",
                                                                  None),
                                   code=r.status, message=r.message)
            except actions.NotFound as exc:
                return self.render(request, "error.html", request.state.caller, code=404,
                                   message=f"Not found: {exc}.")
            except DatabaseBusy:
                return self.render(request, "error.html", None, code=503,
                                   message="The server is busy; try again in a few seconds.")

        return endpoint

    async def _check_csrf(self, request: Request, caller: Caller, upload: int) -> None:
        """The token of the header (htmx) or of the form; the form is read here, within its
        limits (:meth:`form` hands it to the endpoint)."""
        form = await (read_form(request, upload + FORM_MAX_BYTES, files=1) if upload
                      else read_form(request))
        request.state.form = form
        want = csrf_token(caller.session_key)
        sent = [t for t in (request.headers.get(CSRF_HEADER, ""), _text(form, CSRF_FIELD, 200))
                if t]
        if not any(hmac.compare_digest(t.encode(), want.encode()) for t in sent):
            raise Refused(403, "The form's security token is missing or wrong: reload the "
                               "page and try again.")

    async def form(self, request: Request) -> FormData:
        """The form of a POST (read by the CSRF check)."""
        return request.state.form

    async def read(self, fn: Callable[[Any], Any]) -> Any:
        return await run_in_threadpool(self.api.runner.run, False, fn)

    async def write(self, fn: Callable[[Any], Any]) -> Any:
        try:
            return await run_in_threadpool(self.api.runner.run, True, fn)
        except ApiError as exc:
            raise Refused(403, f"{exc.description}: {exc.message}") from None

    async def call(self, caller: Caller, op_name: str, **fields: Any) -> Struct:
        """Operation ``op_name`` as the caller (its session), through the API's own path;
        its Result, Success or not."""
        op = OPERATIONS[op_name]
        request = op.request(Session=Session(SessionKey=caller.session_key), **fields)
        answer = await run_in_threadpool(self.api.answer, op, request, DecodeReport())
        return answer.result

    # ------------------------------------------------------------------ login, logout

    async def login_form(self, request: Request) -> Response:
        return self.render(request, "login.html", next=_safe_next(
            request.query_params.get("next")), values={})

    async def login(self, request: Request) -> Response:
        values: dict[str, str] = {}
        try:
            if not _same_origin(request):
                raise Refused(403, "This form did not come from the console "
                                   "(Origin/Referer check).")
            form = await read_form(request)
            values = {name: _text(form, name, limit).strip() if name != "password"
                      else _text(form, name, limit) for name, limit in LOGIN_FIELDS.items()}
        except Refused as r:
            return self.render(request, "login.html", code=r.status, error=r.message,
                               next=f"{PREFIX}/customers", values={})
        next_url = _safe_next(_text(form, "next", 2000))
        req = OPERATIONS["Sessions_Create"].request(Credentials=Credentials(
            Client=values["client"], Username=values["username"],
            Password=values["password"]))
        shown = {"client": values["client"], "username": values["username"]}
        try:
            caller = await run_in_threadpool(self.api.auth.authenticate, req,
                                             self.api.clock(), _peer(request))
        except LoginRefused as exc:
            await asyncio.sleep(exc.answer_delay)
            return self.render(request, "login.html", code=429, error=THROTTLED,
                               next=next_url, values=shown)
        except ApiError:
            return self.render(request, "login.html", code=401, error=BAD_LOGIN,
                               next=next_url, values=shown)
        except DatabaseBusy:
            return self.render(request, "login.html", code=503, next=next_url,
                               error="The server is busy; try again in a few seconds.",
                               values=shown)
        response = RedirectResponse(next_url, status_code=303)
        response.set_cookie(COOKIE, caller.session_key, path=PREFIX, httponly=True,
                            samesite="strict", secure=_is_https(request))
        return response

    async def logout(self, request: Request, caller: Caller) -> Response:
        key_hash = hash_key(caller.session_key)

        def end(db: Any) -> None:
            row = authrepo.find_session(db, key_hash)
            if row is not None:
                authrepo.delete_session(db, row.id)

        await self.write(end)
        return self._logged_out()

    @staticmethod
    def _logged_out() -> Response:
        response = RedirectResponse(f"{PREFIX}/login", status_code=303)
        response.delete_cookie(COOKIE, path=PREFIX)
        return response

    # ------------------------------------------------------------------ customers

    async def home(self, request: Request) -> Response:
        return RedirectResponse(f"{PREFIX}/customers", status_code=303)

    async def customers(self, request: Request, caller: Caller) -> Response:
        p = request.query_params
        by, q, after = p.get("by", "any"), p.get("q", ""), p.get("after")
        try:
            hits, next_after = await self.read(lambda db: actions.search_customers(
                db, caller, by, q, after, PAGE_SIZE))
            error = None
        except actions.ConsoleError as exc:
            hits, next_after, error = [], None, str(exc)
        next_url = None
        if next_after:
            next_url = f"{PREFIX}/customers?{urlencode({'by': by, 'q': q, 'after': next_after})}"
        return self.render(request, "customers.html", caller, code=400 if error else 200,
                           by=by, q=q[:actions.QUERY_MAX], hits=hits, error=error,
                           choices=actions.SEARCH_BY, next_url=next_url, searched=bool(q))

    async def customer(self, request: Request, caller: Caller) -> Response:
        customer_id = _path_id(request, "customer")
        found = await self.call(caller, "Customers_Query", CustomerID=customer_id)
        if not found.Header.Success:
            if found.Header.Error_Code == "C2002":
                raise actions.NotFound(f"customer {customer_id} does not exist")
            raise Refused(403, f"{found.Header.Error_Description}: {found.Header.Message}")
        orders = await self.call(caller, "Orders_Search", CustomerID=customer_id,
                                 PageSize=100)
        history = await self.read(lambda db: reads.history(db, caller.client_id,
                                                           customer_id, 200))
        c = found.Customer
        return self.render(request, "customer.html", caller, c=c,
                           orders=orders.Orders or [], history=history,
                           ssn=_last4(c.SSN), dl=_last4(c.DL),
                           final=actions.FINAL_STATUSES, can_resend=actions.can_resend,
                           back=request.url.path)

    # ------------------------------------------------------------------ orders

    async def orders(self, request: Request, caller: Caller) -> Response:
        p = request.query_params
        status = p.get("status") or None
        try:
            queue = await self.read(lambda db: actions.order_queue(
                db, caller, status, p.get("after"), self.api.clock(), PAGE_SIZE))
        except actions.ConsoleError as exc:
            raise Refused(400, str(exc)) from None
        next_url = None
        if queue.next_after:
            next_url = f"{PREFIX}/orders?{urlencode({'status': status or '', 'after': queue.next_after})}"
        return self.render(request, "orders.html", caller, queue=queue, status=status,
                           statuses=list(OrderStatus.values), next_url=next_url,
                           final=actions.FINAL_STATUSES, can_resend=actions.can_resend,
                           back=request.url.path + (f"?{request.url.query}"
                                                    if request.url.query else ""))

    async def complete(self, request: Request, caller: Caller) -> Response:
        order_id = _path_id(request, "order")
        form = await self.form(request)
        note = _text(form, "note", NOTE_MAX).strip()
        back = _safe_next(_text(form, "back", 2000), f"{PREFIX}/orders")
        out = await self.call(caller, "Orders_Update", OrderID=order_id, Status="COMPLETE",
                              StatusNote=note or None)
        h = out.Header
        if not h.Success:
            if h.Error_Code == "O2002":
                raise actions.NotFound(f"order {order_id} does not exist")
            return self.redirect(request, back, caller, f"Order {order_id} was not completed: "
                                 f"{h.Error_Description}. {h.Message or ''}", error=True)
        return self.redirect(request, back, caller, f"Order {order_id} completed.")

    async def resend(self, request: Request, caller: Caller) -> Response:
        order_id = _path_id(request, "order")
        form = await self.form(request)
        back = _safe_next(_text(form, "back", 2000), f"{PREFIX}/orders")
        now = self.api.clock()
        try:
            message = await self.write(lambda db: actions.resend(db, caller, order_id, now))
        except actions.NotFound:
            raise
        except actions.ConsoleError as exc:
            return self.redirect(request, back, caller, f"Not resent: {exc}.", error=True)
        return self.redirect(request, back, caller, message[:1].upper() + message[1:] + ".")

    # ------------------------------------------------------------------ catalog, inventory

    async def catalog(self, request: Request, caller: Caller) -> Response:
        view = await self.read(lambda db: reads.catalog_view(db, caller.client_id))
        return self.render(request, "catalog.html", caller, view=view,
                           can_import=caller.can(IMPORTS),
                           max_mib=CATALOG_MAX_BYTES // (1024 * 1024))

    async def inventory(self, request: Request, caller: Caller, **extra: Any) -> Response:
        p = request.query_params
        status = p.get("status") or None
        if status is not None and status not in InventoryItemStatus.values:
            raise Refused(400, f"Status: must be one of {', '.join(InventoryItemStatus.values)}")
        type_id = _int(p.get("type"), "type")
        after = None
        if p.get("after"):
            identifier, _, last_id = p["after"].rpartition("|")
            if not _an_id(last_id) or len(identifier) > 200:
                raise Refused(400, "after: not a page of this list")
            after = (identifier, int(last_id))

        def load(db: Any) -> tuple[Any, Any]:
            return (reads.catalog_view(db, caller.client_id).inventory_types,
                    reads.inventory_page(db, caller.client_id, status=status,
                                         type_id=type_id, after=after, limit=PAGE_SIZE + 1))

        types, items = await self.read(load)
        next_url = None
        if len(items) > PAGE_SIZE:
            items = items[:PAGE_SIZE]
            next_url = f"{PREFIX}/inventory?" + urlencode(
                {"status": status or "", "type": type_id or "",
                 "after": f"{items[-1].identifier}|{items[-1].id}"})
        return self.render(request, "inventory.html", caller, items=items, types=types,
                           status=status, type_id=type_id,
                           statuses=list(InventoryItemStatus.values), next_url=next_url,
                           can_import=caller.can(IMPORTS),
                           max_mib=INVENTORY_UPLOAD_MAX_BYTES // (1024 * 1024), **extra)

    # ------------------------------------------------------------------ imports

    async def _upload(self, request: Request, limit: int) -> tuple[bytes, str, bool]:
        """(the uploaded file's bytes, its name, dry run?); a missing or oversized file is
        refused (400, 413)."""
        form = await self.form(request)
        upload = form.get("file")
        if not isinstance(upload, UploadFile) or not upload.filename:
            raise Refused(400, "File: choose a file to import")
        data = await upload.read(limit + 1)
        if len(data) > limit:
            raise Refused(413, f"File: larger than {limit // (1024 * 1024)} MiB")
        name = "".join(ch for ch in upload.filename if ch.isprintable())[-100:] or "upload"
        return data, name, _text(form, "dry_run", 10) == "1"

    async def _import(self, fn: Callable[[Any], Any]) -> Any:
        """Run an import in one transaction, committed only when its report is ok."""
        class Rollback(Exception):
            pass

        found: list[Any] = []

        def work(db: Any) -> Any:
            found.clear()
            report = fn(db)
            if not report.ok:
                found.append(report)
                raise Rollback
            return report

        try:
            return await self.write(work)
        except Rollback:
            return found[0]

    async def catalog_import(self, request: Request, caller: Caller) -> Response:
        data, name, dry_run = await self._upload(request, CATALOG_MAX_BYTES)
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            raise Refused(400, f"{name}: not UTF-8 text") from None
        report = await self._import(lambda db: import_catalog(
            db, caller.client_id, text, name, dry_run=dry_run))
        view = await self.read(lambda db: reads.catalog_view(db, caller.client_id))
        return self.render(request, "catalog.html", caller, code=200 if report.ok else 400,
                           view=view, report=report, dry_run=dry_run,
                           can_import=True, max_mib=CATALOG_MAX_BYTES // (1024 * 1024))

    async def inventory_import(self, request: Request, caller: Caller) -> Response:
        data, name, dry_run = await self._upload(request, INVENTORY_UPLOAD_MAX_BYTES)
        report = await self._import(lambda db: import_inventory(
            db, caller.client_id, data, name, dry_run=dry_run))
        if report.ok and report.created:
            await run_in_threadpool(refresh_statistics, self.engine)
        response = await self.inventory(request, caller, report=report, dry_run=dry_run)
        if not report.ok:
            response.status_code = 400
        return response

    # ------------------------------------------------------------------ users

    async def users(self, request: Request, caller: Caller) -> Response:
        users = await self.read(lambda db: [
            (u.id, u.username, u.active, u.permission_names)
            for u in reads.users_of(db, caller.client_id)])
        return self.render(request, "users.html", caller, users=users,
                           permissions=PERMISSIONS,
                           password_min=actions.PASSWORD_MIN,
                           password_max=actions.PASSWORD_MAX)

    async def _user_action(self, request: Request, caller: Caller,
                           fn: Callable[[Any], str]) -> Response:
        try:
            message = await self.write(fn)
        except actions.NotFound:
            raise
        except actions.ConsoleError as exc:
            return self.redirect(request, f"{PREFIX}/users", caller, str(exc), error=True)
        return self.redirect(request, f"{PREFIX}/users", caller, message)

    async def _password_hash(self, form: FormData) -> str:
        password = _text(form, "password", actions.PASSWORD_MAX + 1)
        actions.check_password(password)
        return await run_in_threadpool(hash_password, password)  # argon2: no transaction open

    async def add_user(self, request: Request, caller: Caller) -> Response:
        form = await self.form(request)
        username = _text(form, "username", 1000)
        perms = [p for p in form.getlist("permission") if isinstance(p, str)][:50]
        now = self.api.clock()
        try:
            actions.check_username(username)
            actions.check_grantable(caller, perms)
            password_hash = await self._password_hash(form)
        except actions.ConsoleError as exc:
            return self.redirect(request, f"{PREFIX}/users", caller, str(exc), error=True)
        return await self._user_action(request, caller, lambda db: (
            f"user {actions.add_user(db, caller, username, password_hash, perms, now).username}"
            " added"))

    async def user_permissions(self, request: Request, caller: Caller) -> Response:
        user_id = _path_id(request, "user")
        form = await self.form(request)
        perms = [p for p in form.getlist("permission") if isinstance(p, str)][:50]
        return await self._user_action(request, caller, lambda db: actions.set_permissions(
            db, caller, user_id, perms))

    async def user_active(self, request: Request, caller: Caller) -> Response:
        user_id = _path_id(request, "user")
        form = await self.form(request)
        active = _text(form, "active", 10) == "1"
        return await self._user_action(request, caller, lambda db: actions.set_active(
            db, caller, user_id, active))

    async def user_password(self, request: Request, caller: Caller) -> Response:
        user_id = _path_id(request, "user")
        form = await self.form(request)
        now = self.api.clock()
        # the user must exist in this client before the (slow) hash is computed
        if await self.read(lambda db: reads.user_of(db, caller.client_id, user_id)) is None:
            raise actions.NotFound(f"user {user_id} does not exist")
        try:
            password_hash = await self._password_hash(form)
        except actions.ConsoleError as exc:
            return self.redirect(request, f"{PREFIX}/users", caller, str(exc), error=True)
        return await self._user_action(request, caller, lambda db: actions.set_password(
            db, caller, user_id, password_hash, now))


def _peer(request: Request) -> str | None:
    return request.client.host if request.client else None


def _last4(value: Any) -> str | None:
    """A secret as the console shows it: its last four characters behind a mask."""
    if not value:
        return None
    text = str(value)
    return "•••• " + text[-4:] if len(text) > 4 else "••••"


def _when(value: dt.datetime | dt.date | None) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.timezone.utc)
        return value.strftime("%Y-%m-%d %H:%M UTC")
    return value.isoformat()


def console_routes(api: Api, engine: Engine) -> list[BaseRoute]:
    """The routes of the console, to mount at ``/console``."""
    c = Console(api, engine)
    admin = actions.ADMIN
    return [
        Route("/", c.home, methods=["GET"]),
        Route("/login", c.login_form, methods=["GET"]),
        Route("/login", c.login, methods=["POST"]),
        Route("/logout", c.page(c.logout), methods=["POST"]),
        Route("/customers", c.page(c.customers), methods=["GET"]),
        Route("/customers/{customer_id}", c.page(c.customer), methods=["GET"]),
        Route("/orders", c.page(c.orders), methods=["GET"]),
        Route("/orders/{order_id}/complete", c.page(c.complete), methods=["POST"]),
        Route("/orders/{order_id}/resend", c.page(c.resend), methods=["POST"]),
        Route("/catalog", c.page(c.catalog), methods=["GET"]),
        Route("/catalog/import", c.page(c.catalog_import, IMPORTS,
                                        upload=CATALOG_MAX_BYTES), methods=["POST"]),
        Route("/inventory", c.page(c.inventory), methods=["GET"]),
        Route("/inventory/import", c.page(c.inventory_import, IMPORTS,
                                          upload=INVENTORY_UPLOAD_MAX_BYTES), methods=["POST"]),
        Route("/users", c.page(c.users, admin), methods=["GET"]),
        Route("/users", c.page(c.add_user, admin), methods=["POST"]),
        Route("/users/{user_id}/permissions", c.page(c.user_permissions, admin),
              methods=["POST"]),
        Route("/users/{user_id}/active", c.page(c.user_active, admin), methods=["POST"]),
        Route("/users/{user_id}/password", c.page(c.user_password, admin), methods=["POST"]),
        Mount("/static", app=StaticFiles(directory=HERE / "static"), name="console-static"),
    ]
