"""SOAP 1.1 and 1.2, document/literal wrapped, on one endpoint.

In:  ``Envelope/Body/<Op><Request>…</Request></Op>``: the operation is found by the body
     element's local name (case-insensitively, whatever its namespace).
Out: ``<OpResponse xmlns="{the request's namespace}"><OpResult><Header>…``.
A body that is not well-formed XML, not a SOAP envelope, or names no known operation is
answered with a SOAP Fault (1.1: ``soap:Client``, HTTP 500; 1.2: ``soap:Sender``, HTTP 400).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..contract.operations import OPERATIONS, OPERATIONS_BY_LOWER, Operation
from ..contract.schema import Struct
from .xmlcodec import DecodeReport, decode, encode_element, escape, escape_attr
from .xmltree import Node, XmlError, parse

SOAP11_NS = "http://schemas.xmlsoap.org/soap/envelope/"
SOAP12_NS = "http://www.w3.org/2003/05/soap-envelope"
CONTENT_TYPE = {11: "text/xml; charset=utf-8", 12: "application/soap+xml; charset=utf-8"}
_VERSION_OF_NS = {SOAP11_NS: 11, SOAP12_NS: 12}

_XML_DECL = '<?xml version="1.0" encoding="utf-8"?>'


class SoapFault(Exception):
    """A request the server cannot read as a call: answered with a SOAP Fault."""

    def __init__(self, version: int, message: str):
        super().__init__(message)
        self.version = version
        self.message = message


@dataclass(slots=True)
class SoapCall:
    version: int
    op: Operation
    namespace: str  # the namespace of the request's operation element, mirrored back
    request: Struct
    report: DecodeReport


def version_from_content_type(content_type: str) -> int:
    return 12 if "application/soap+xml" in content_type.lower() else 11


def read_call(body: bytes, content_type: str) -> SoapCall:
    """Parse a SOAP request. Raises SoapFault with a message a person can act on."""
    version = version_from_content_type(content_type)
    if not body.strip():
        raise SoapFault(version, "the request body is empty; expected a SOAP envelope")
    try:
        root = parse(body)
    except XmlError as exc:
        raise SoapFault(version, str(exc)) from None
    version = _VERSION_OF_NS.get(root.ns, 0)
    if root.local != "Envelope" or not version:
        raise SoapFault(
            version_from_content_type(content_type),
            f"the document element is {{{root.ns}}}{root.local}, not a SOAP 1.1 or 1.2 Envelope",
        )
    body_node = next((c for c in root.children if c.local == "Body" and c.ns == root.ns), None)
    if body_node is None or not body_node.children:
        raise SoapFault(version, "the SOAP Envelope has no Body, or the Body is empty")
    op_node = body_node.children[0]
    op = OPERATIONS_BY_LOWER.get(op_node.local.lower())
    if op is None:
        raise SoapFault(
            version,
            f"unknown operation {op_node.local!r}; known operations: {', '.join(OPERATIONS)}",
        )
    report = DecodeReport()
    request = decode(_request_node(op_node), op.request, "", report)
    return SoapCall(version, op, op_node.ns, request, report)


def _request_node(op_node: Node) -> Node:
    """The ``<Request>`` child; a client that omits the wrapper sends the fields directly."""
    req = op_node.child("request")
    return req if req is not None else op_node


def write_response(call: SoapCall, result: Struct) -> bytes:
    env = SOAP12_NS if call.version == 12 else SOAP11_NS
    out = [
        _XML_DECL,
        f'<soap:Envelope xmlns:soap="{env}" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        'xmlns:xsd="http://www.w3.org/2001/XMLSchema"><soap:Body>',
    ]
    out.append(f'<{call.op.response_element} xmlns="{escape_attr(call.namespace)}">')
    encode_element(call.op.result_element, result, out)
    out.append(f"</{call.op.response_element}></soap:Body></soap:Envelope>")
    return "".join(out).encode("utf-8")


def fault(version: int, message: str, *, server: bool = False) -> tuple[int, str, bytes]:
    """(HTTP status, content type, body) of a Fault for a request the server cannot read
    (``server=True``: for a failure of the server's own, ``soap:Server``/``soap:Receiver``)."""
    msg = escape(message)
    if version == 12:
        code = "soap:Receiver" if server else "soap:Sender"
        body = (
            f'{_XML_DECL}<soap:Envelope xmlns:soap="{SOAP12_NS}"><soap:Body><soap:Fault>'
            f"<soap:Code><soap:Value>{code}</soap:Value></soap:Code>"
            f'<soap:Reason><soap:Text xml:lang="en">{msg}</soap:Text></soap:Reason>'
            "</soap:Fault></soap:Body></soap:Envelope>"
        )
        return (500 if server else 400), CONTENT_TYPE[12], body.encode("utf-8")
    code = "soap:Server" if server else "soap:Client"
    body = (
        f'{_XML_DECL}<soap:Envelope xmlns:soap="{SOAP11_NS}"><soap:Body><soap:Fault>'
        f"<faultcode>{code}</faultcode><faultstring>{msg}</faultstring>"
        "</soap:Fault></soap:Body></soap:Envelope>"
    )
    return 500, CONTENT_TYPE[11], body.encode("utf-8")
