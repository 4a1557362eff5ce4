"""Small helpers for wire tests: SOAP envelopes as bytes, JSON calls, header reading."""

from __future__ import annotations

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
