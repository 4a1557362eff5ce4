"""Small helpers for wire tests: SOAP envelopes as bytes, JSON calls, header reading."""

from __future__ import annotations

import datetime as dt
from typing import Any

from lxml import etree

SOAP11 = "http://schemas.xmlsoap.org/soap/envelope/"
SOAP12 = "http://www.w3.org/2003/05/soap-envelope"
TNS = "http://api.myh2o.com/v20"

DEMO = {"Username": "demo", "Password": "demo", "Client": "DEMO"}
CLERK = {"Username": "clerk", "Password": "clerk", "Client": "DEMO"}
OTHER = {"Username": "other", "Password": "other", "Client": "OTHER"}


def envelope(op: str, request_xml: str, *, version: int = 11, ns: str = TNS,
             prefix: str = "r") -> bytes:
    """A SOAP envelope calling ``op`` with ``<Request>{request_xml}</Request>``, as bytes.

    ``request_xml`` uses the prefix ``prefix`` for the operation namespace ``ns``.
    """
    env = SOAP12 if version == 12 else SOAP11
    return (
        f'<?xml version="1.0" encoding="utf-8"?>'
        f'<soap:Envelope xmlns:soap="{env}" xmlns:{prefix}="{ns}" '
        f'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"<soap:Body><{prefix}:{op}><{prefix}:Request>{request_xml}</{prefix}:Request>"
        f"</{prefix}:{op}></soap:Body></soap:Envelope>"
    ).encode("utf-8")


def creds_xml(c: dict[str, str], prefix: str = "r") -> str:
    inner = "".join(f"<{prefix}:{k}>{v}</{prefix}:{k}>" for k, v in c.items())
    return f"<{prefix}:Credentials>{inner}</{prefix}:Credentials>"


def session_xml(key: str, prefix: str = "r") -> str:
    return f"<{prefix}:Session><{prefix}:SessionKey>{key}</{prefix}:SessionKey></{prefix}:Session>"


def headers_for(version: int, op: str) -> dict[str, str]:
    if version == 12:
        return {"Content-Type": f'application/soap+xml; charset=utf-8; action="{TNS}/{op}"'}
    return {"Content-Type": "text/xml; charset=utf-8", "SOAPAction": f'"{TNS}/{op}"'}


def post_soap(client: Any, op: str, request_xml: str, *, version: int = 11, ns: str = TNS):
    return client.post("/v20/default.asmx", content=envelope(op, request_xml, version=version,
                                                             ns=ns),
                       headers=headers_for(version, op))


def parse(body: bytes) -> etree._Element:
    return etree.fromstring(body)


def result_of(body: bytes, op: str) -> etree._Element:
    """The ``<OpResult>`` element of a SOAP answer (whatever its namespace)."""
    root = parse(body)
    found = root.xpath(f"//*[local-name()='{op}Result']")
    assert found, body.decode()[:2000]
    return found[0]


def child_text(el: etree._Element, path: str) -> str | None:
    """Text at a slash path of local names below ``el`` (None when absent)."""
    node = el
    for part in path.split("/"):
        nxt = [c for c in node if etree.QName(c).localname == part]
        if not nxt:
            return None
        node = nxt[0]
    return node.text


def call_json(client: Any, op: str, body: dict[str, Any]) -> dict[str, Any]:
    r = client.post(f"/v20/json/{op}", json=body)
    assert r.status_code == 200, r.text
    return r.json()


def new_session(client: Any, creds: dict[str, str] = DEMO) -> str:
    out = call_json(client, "Sessions_Create", {"Credentials": creds})
    assert out["Header"]["Success"] is True, out
    return out["Header"]["SessionKey"]


# ---------------------------------------------------------------- JSON-shaped bodies as SOAP


def to_xml(body: dict[str, Any], cls: Any = None, prefix: str = "r") -> str:
    """A JSON request body as XML children (prefix ``prefix``), the way a SOAP client writes
    it: nested objects as elements, lists as a wrapper with one element per item, named as
    the contract names them when ``cls`` (the Struct of ``body``) is given (else ``item``),
    ``True``/``False`` as ``true``/``false``, ``None`` as ``xsi:nil="true"``."""
    from xml.sax.saxutils import escape

    from openrev.contract.schema import ListOf, Struct

    def field_type(owner: Any, key: str) -> Any:
        if isinstance(owner, type) and issubclass(owner, Struct):
            f = owner.__lookup__.get(key.lower())
            return f.type if f is not None else None
        return None

    def value_xml(value: Any, t: Any) -> str:
        if isinstance(value, dict):
            return to_xml(value, t, prefix)
        if isinstance(value, bool):
            return "true" if value else "false"
        return escape(str(value))

    out = []
    for key, value in body.items():
        t = field_type(cls, key)
        if value is None:
            out.append(f'<{prefix}:{key} xsi:nil="true"/>')
        elif isinstance(value, list):
            item = t.item if isinstance(t, ListOf) else "item"
            of = t.of if isinstance(t, ListOf) else None
            inner = "".join(f"<{prefix}:{item}>{value_xml(v, of)}</{prefix}:{item}>"
                            for v in value)
            out.append(f"<{prefix}:{key}>{inner}</{prefix}:{key}>")
        else:
            out.append(f"<{prefix}:{key}>{value_xml(value, t)}</{prefix}:{key}>")
    return "".join(out)


def from_xml(el: etree._Element, t: Any = None) -> Any:
    """A SOAP answer element as the JSON binding gives it (parsed with Decimal for numbers
    with a fraction, see ``json_body``), by the contract type ``t`` of ``el``; an
    ``<OpResult>`` element finds its type itself."""
    from decimal import Decimal

    from openrev.contract import schema as S
    from openrev.contract.operations import OPERATIONS

    name = etree.QName(el).localname
    if t is None and name.endswith("Result") and name[:-6] in OPERATIONS:
        t = OPERATIONS[name[:-6]].result
    children = list(el)
    if isinstance(t, S.ListOf):
        return [from_xml(c, t.of) for c in children]
    if isinstance(t, type) and issubclass(t, S.Struct):
        out = {}
        for c in children:
            f = t.__lookup__.get(etree.QName(c).localname.lower())
            out[etree.QName(c).localname] = from_xml(c, f.type if f is not None else None)
        return out
    if children:  # no contract type known
        return {etree.QName(c).localname: from_xml(c) for c in children}
    text = el.text or ""
    if t in (S.Int, S.Long):
        return int(text)
    if t is S.Bool:
        return text == "true"
    if t is S.Money:
        return Decimal(text)
    return text


def json_body(response: Any) -> dict[str, Any]:
    """A JSON answer with numbers that have a fraction as Decimal (money stays exact)."""
    import json
    from decimal import Decimal

    return json.loads(response.content, parse_float=Decimal)


def binding_call(client: Any, binding: str) -> Any:
    """``run(op, body)``: call an operation with a JSON-shaped body through the JSON binding
    (``json``) or as raw SOAP 1.1 / 1.2 bytes (``soap11``/``soap12``), and give the answer as
    the JSON binding would."""

    def run(op: str, body: dict[str, Any]) -> dict[str, Any]:
        from openrev.contract.operations import OPERATIONS

        if binding == "json":
            r = client.post(f"/v20/json/{op}", json=body)
            assert r.status_code == 200, r.text
            return json_body(r)
        version = 12 if binding == "soap12" else 11
        r = post_soap(client, op, to_xml(body, OPERATIONS[op].request), version=version)
        assert r.status_code == 200, r.text
        return from_xml(result_of(r.content, op))

    return run


def ok(out: dict[str, Any]) -> dict[str, Any]:
    assert out["Header"]["Success"] is True, out["Header"]
    return out


def error(out: dict[str, Any], code: str, message: str) -> None:
    h = out["Header"]
    assert h["Success"] is False, out
    assert (h["Error_Code"], h["Message"]) == (code, message), h


class Clock:
    """A clock a test sets: ``now`` is what it answers (by default the real time when made:
    sessions other tests made for the same user are then older, so the per-user session cap
    never evicts the ones a test just made)."""

    def __init__(self, now: dt.datetime | None = None) -> None:
        self.now = now or dt.datetime.now(dt.timezone.utc)

    def __call__(self) -> dt.datetime:
        return self.now
