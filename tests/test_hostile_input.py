"""Hostile input: every request the decoder cannot take is answered at once with a SOAP Fault,
an HTTP 400 or S2010 naming the field (the limits of ``openrev.contract.limits``), never a plain
500, a stall or an answer much larger than the request; an unexpected exception on any
endpoint is a Fault / JSON error with a reference id that is logged, never its message.

Over the in-process client on JSON, SOAP 1.1 and SOAP 1.2, and the requests that used to
freeze the server or amplify also against a real server (``live_url``), timed (the bound is a
hang guard, not a performance claim), with /health answering 200 afterwards.
"""

from __future__ import annotations

import json
import logging
import re
import time
import xml.etree.ElementTree as ET
from typing import Any

import httpx
import pytest

from helpers import SOAP11, SOAP12, TNS, child_text, envelope, headers_for, new_session, result_of
from openrev.contract.errors import problems_message
from openrev.wire import jsoncodec, soap
from openrev.wire import app as app_module
from openrev.contract.limits import (
    MAX_DECIMAL_CHARS, MAX_ELEMENTS, MAX_EXPONENT, MAX_IGNORED_LISTED, MAX_LIST_ITEMS,
    MAX_STRING_CHARS,
)

BINDINGS = ["json", "soap11", "soap12"]
HANG_GUARD_S = 5.0
INT_MAX, INT_MIN = "must be at most 2147483647", "must be at least -2147483648"


@pytest.fixture(scope="module")
def key(client) -> str:
    return new_session(client)


def _xml_value(v: Any) -> str:
    if isinstance(v, dict):
        return "".join(f"<r:{k}>{_xml_value(x)}</r:{k}>" for k, x in v.items())
    if isinstance(v, list):
        return "".join(f"<r:item>{_xml_value(x)}</r:item>" for x in v)
    return str(v)


def send(http: Any, binding: str, op: str, key: str | None, fields: dict[str, Any],
         *, raw_json: bytes | None = None) -> httpx.Response:
    """POST ``fields`` (with the Session) to ``op`` through ``binding``. ``raw_json`` is
    spliced in as the rest of the JSON object, for literals Python's json cannot write."""
    session = {"Session": {"SessionKey": key}} if key else {}
    if binding == "json":
        body = json.dumps({**session, **fields}).encode()
        if raw_json is not None:
            body = body[:-1] + (b", " if len(body) > 2 else b"") + raw_json + b"}"
        return http.post(f"/v20/json/{op}", content=body,
                         headers={"Content-Type": "application/json"})
    version = 12 if binding == "soap12" else 11
    return http.post("/v20/default.asmx",
                     content=envelope(op, _xml_value({**session, **fields}), version=version),
                     headers=headers_for(version, op))


def header(r: httpx.Response, binding: str, op: str) -> dict[str, Any]:
    assert r.status_code == 200, r.text[:2000]
    if binding == "json":
        return r.json()["Header"]
    res = result_of(r.content, op)
    return {"Success": child_text(res, "Header/Success") == "true",
            "Error_Code": child_text(res, "Header/Error_Code"),
            "Message": child_text(res, "Header/Message")}


def s2010(r: httpx.Response, binding: str, op: str) -> str:
    h = header(r, binding, op)
    assert (h["Success"], h["Error_Code"]) == (False, "S2010"), h
    return h["Message"]


def fault_text(r: httpx.Response, version: int) -> str:
    """The message of a SOAP Fault (checking status, content type and code)."""
    root = ET.fromstring(r.content)
    if version == 12:
        assert r.status_code == 400
        assert r.headers["content-type"].startswith("application/soap+xml")
        assert root.find(f".//{{{SOAP12}}}Value").text == "soap:Sender"
        return root.find(f".//{{{SOAP12}}}Text").text
    assert r.status_code == 500
    assert r.headers["content-type"].startswith("text/xml")
    assert root.find(".//faultcode").text == "soap:Client"
    return root.find(".//faultstring").text


# ------------------------------------------------------------------------------ numbers


@pytest.mark.parametrize("literal, rule", [
    (b"1e1000000", INT_MAX), (b"-1e1000000", INT_MIN), (b"1e5000", INT_MAX),
    (b"1E+99999999999999999999", INT_MAX), (b"2147483648.0", INT_MAX),
    (b"1e-5000", "must be a whole number"), (b"12.5", "must be a whole number"),
])
def test_json_number_with_a_huge_exponent_is_out_of_range_at_once(client, key, literal, rule):
    t0 = time.monotonic()
    r = send(client, "json", "Customers_Query", key, {}, raw_json=b'"CustomerID": ' + literal)
    assert time.monotonic() - t0 < HANG_GUARD_S
    assert s2010(r, "json", "Customers_Query") == f"CustomerID: {rule}"


def test_json_integral_numbers_in_exponent_form_are_still_understood(client, key):
    r = send(client, "json", "Customers_Query", key, {}, raw_json=b'"CustomerID": 9.9e8')
    assert header(r, "json", "Customers_Query")["Error_Code"] == "C2002"


def test_unauthenticated_huge_number_is_answered_at_once(client):
    t0 = time.monotonic()
    r = client.post("/v20/json/Customers_Query", content=b'{"CustomerID": 1e1000000}')
    assert time.monotonic() - t0 < HANG_GUARD_S
    assert header(r, "json", "Customers_Query")["Error_Code"] == "S2005"


@pytest.mark.parametrize("name", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_are_not_json_numbers(client, key, name):
    r = send(client, "json", "Customers_Query", key, {},
             raw_json=b'"CustomerID": ' + name.encode())
    assert r.status_code == 400
    assert r.json() == {"error": f"the request body is not valid JSON: {name} "
                                 "is not a JSON number"}


@pytest.mark.parametrize("binding", BINDINGS)
@pytest.mark.parametrize("digits, rule", [("9" * 5000, INT_MAX), ("-" + "9" * 5000, INT_MIN),
                                          ("1" + "0" * 10, INT_MAX)])
def test_int_of_thousands_of_digits_is_s2010(client, key, binding, digits, rule):
    """Text (SOAP, or a JSON string) beyond int()'s 4,300 digits: S2010, never a 500."""
    t0 = time.monotonic()
    r = send(client, binding, "Customers_Query", key, {"CustomerID": digits})
    assert time.monotonic() - t0 < HANG_GUARD_S
    assert s2010(r, binding, "Customers_Query") == f"CustomerID: {rule}"


def test_int_of_thousands_of_digits_as_a_json_number_is_s2010(client, key):
    r = send(client, "json", "Customers_Query", key, {},
             raw_json=b'"CustomerID": ' + b"9" * 5000)
    assert s2010(r, "json", "Customers_Query") == f"CustomerID: {INT_MAX}"


def test_leading_zeros_do_not_count_as_digits(client, key):
    r = send(client, "soap11", "Customers_Query", key, {"CustomerID": "0" * 5000 + "987654321"})
    assert header(r, "soap11", "Customers_Query")["Error_Code"] == "C2002"


@pytest.mark.parametrize("binding", BINDINGS)
@pytest.mark.parametrize("text, rule", [
    ("1" * (MAX_DECIMAL_CHARS + 1),
     f"must be a decimal number of at most {MAX_DECIMAL_CHARS} characters"),
    ("0." + "0" * MAX_DECIMAL_CHARS,
     f"must be a decimal number of at most {MAX_DECIMAL_CHARS} characters"),
    ("1e1000000", "must be less than 10000000000 in absolute value"),
    ("-1e65", "must be less than 10000000000 in absolute value"),
    ("1e-1000000",
     f"must be a decimal number with an exponent between -{MAX_EXPONENT} and {MAX_EXPONENT}"),
])
def test_decimal_text_is_bounded(client, key, binding, text, rule):
    r = send(client, binding, "NewCustomers_Create", key,
             {"Customer": {"Billing": {"Balance": text}}})
    assert s2010(r, binding, "NewCustomers_Create") == f"Customer/Billing/Balance: {rule}"


@pytest.mark.parametrize("literal", [b"1e1000000", b"-1" + b"0" * 5000])
def test_json_decimal_number_literal_is_bounded(client, key, literal):
    r = send(client, "json", "NewCustomers_Create", key, {},
             raw_json=b'"Customer": {"Billing": {"Balance": ' + literal + b"}}")
    assert s2010(r, "json", "NewCustomers_Create") == (
        "Customer/Billing/Balance: must be less than 10000000000 in absolute value"
        if literal == b"1e1000000"
        else f"Customer/Billing/Balance: must be a decimal number of at most "
             f"{MAX_DECIMAL_CHARS} characters")


# ------------------------------------------------------------------------ strings, lists


@pytest.mark.parametrize("binding", BINDINGS)
def test_a_string_over_the_limit_is_s2010(client, key, binding):
    r = send(client, binding, "NewCustomers_Create", key,
             {"Customer": {"Email": "a" * (MAX_STRING_CHARS + 1)}})
    message = s2010(r, binding, "NewCustomers_Create")
    assert message == f"Customer/Email: must be at most {MAX_STRING_CHARS} characters"
    assert len(r.content) < 10_000  # the value is not echoed


@pytest.mark.parametrize("binding", BINDINGS)
def test_a_list_over_the_limit_is_s2010_naming_the_list(client, key, binding):
    items = ["State"] * (MAX_LIST_ITEMS + 1)
    r = send(client, binding, "NewCustomers_Create", key,
             {"Customer": {"TaxExemptions": items}, "Debug": "true"})
    assert s2010(r, binding, "NewCustomers_Create") == (
        f"Customer/TaxExemptions: must have at most {MAX_LIST_ITEMS} items")
    assert len(r.content) < 10_000  # Debug/Request does not echo the refused list


@pytest.mark.parametrize("binding", BINDINGS)
def test_a_list_at_the_limit_is_decoded(client, key, binding):
    items = [{"FieldID": "x"}] * MAX_LIST_ITEMS
    r = send(client, binding, "NewCustomers_Create", key, {"Customer": {"Fields": items}})
    message = s2010(r, binding, "NewCustomers_Create")
    assert message.endswith(f"; and {MAX_LIST_ITEMS - 10} more")  # every item was read


@pytest.mark.parametrize("binding", BINDINGS)
def test_problem_messages_are_bounded(client, key, binding):
    r = send(client, binding, "NewCustomers_Create", key,
             {"Customer": {"Fields": [{"FieldID": "x"}] * 25}})
    assert s2010(r, binding, "NewCustomers_Create") == "; ".join(
        f"Customer/Fields/Field[{i}]/FieldID: must be a whole number" for i in range(1, 11)
    ) + "; and 15 more"


def test_problems_message():
    assert problems_message([]) == ""
    assert problems_message(["a: x"]) == "a: x"
    ten = [f"p{i}: bad" for i in range(10)]
    assert problems_message(ten) == "; ".join(ten)
    assert problems_message(ten + ["p10: bad"]) == "; ".join(ten) + "; and 1 more"
    assert problems_message(["x" * 5000]) == "x" * 1000 + "…"


def test_debug_ignored_is_bounded(client, key):
    unknown = {f"Unknown{i}": 1 for i in range(MAX_IGNORED_LISTED * 3)}
    r = send(client, "json", "Customers_Query", key, {"Debug": True, "CustomerID": 1, **unknown})
    ignored = r.json()["Debug"]["Ignored"]
    assert ignored == [f"Unknown{i}" for i in range(MAX_IGNORED_LISTED)]


# ------------------------------------------------------------ structure: depth, elements


def million_items_json(key: str) -> bytes:
    return (b'{"Session": {"SessionKey": "' + key.encode() + b'"}, "Debug": true, '
            b'"Customer": {"TaxExemptions": [' + b",".join([b'""'] * 1_000_000) + b"]}}")


def million_items_xml(key: str, version: int) -> bytes:
    return envelope("NewCustomers_Create",
                    f"<r:Session><r:SessionKey>{key}</r:SessionKey></r:Session>"
                    "<r:Debug>true</r:Debug><r:Customer><r:TaxExemptions>"
                    + "<a/>" * 1_000_000 + "</r:TaxExemptions></r:Customer>", version=version)


TOO_MANY_VALUES = f"the request has too many JSON values (more than {MAX_ELEMENTS})"
TOO_MANY_ELEMENTS = f"too many elements (more than {MAX_ELEMENTS})"
TOO_DEEP = "the request body nests arrays/objects deeper than 64 levels"


def test_a_million_json_items_are_refused_small(client, key):
    body = million_items_json(key)
    assert len(body) > 3_000_000
    r = client.post("/v20/json/NewCustomers_Create", content=body)
    assert (r.status_code, r.json()) == (400, {"error": TOO_MANY_VALUES})
    assert len(r.content) < 100_000


@pytest.mark.parametrize("version", [11, 12])
def test_a_million_xml_items_are_refused_small(client, key, version):
    body = million_items_xml(key, version)
    assert len(body) > 4_000_000
    r = client.post("/v20/default.asmx", content=body,
                    headers=headers_for(version, "NewCustomers_Create"))
    assert fault_text(r, version) == TOO_MANY_ELEMENTS
    assert len(r.content) < 100_000


def test_json_nested_100000_deep_is_400(client):
    for body in (b"[" * 100_000 + b"]" * 100_000,
                 b'{"a":' * 100_000 + b"1" + b"}" * 100_000):
        r = client.post("/v20/json/Customers_Query", content=body)
        assert (r.status_code, r.json()) == (400, {"error": TOO_MANY_VALUES})
    # within the value count, json's own recursion limit is reached: still a 400
    for body in (b"[" * 40_000 + b"]" * 40_000, b'{"a":' * 40_000 + b"1" + b"}" * 40_000):
        r = client.post("/v20/json/Customers_Query", content=body)
        assert (r.status_code, r.json()) == (400, {"error": TOO_DEEP})


def test_json_depth_limit_is_64(client, key):
    def nested(levels: int) -> bytes:  # the whole body is ``levels`` objects deep
        return (b'{"Session": {"SessionKey": "' + key.encode() + b'"}, "X": '
                + b'{"x": ' * (levels - 1) + b"1" + b"}" * (levels - 1) + b"}")

    r = client.post("/v20/json/Customers_Query", content=nested(65))
    assert (r.status_code, r.json()) == (400, {"error": TOO_DEEP})
    r = client.post("/v20/json/Customers_Query", content=nested(64))
    assert header(r, "json", "Customers_Query")["Error_Code"] == "S2010"  # read: no CustomerID


# --------------------------------------------------------------------------- XML specifics


@pytest.mark.parametrize("version", [11, 12])
@pytest.mark.parametrize("encoding", ["utf-7", "x-bogus", "utf-32", "rot13"])
def test_an_encoding_expat_cannot_use_is_a_fault(client, version, encoding):
    body = envelope("Customers_Query", "<r:CustomerID>1</r:CustomerID>", version=version)
    body = body.replace(b'encoding="utf-8"', f'encoding="{encoding}"'.encode(), 1)
    r = client.post("/v20/default.asmx", content=body,
                    headers=headers_for(version, "Customers_Query"))
    assert fault_text(r, version) == (f"the XML declaration names the encoding {encoding!r}, "
                                      "which this server cannot read; send UTF-8 (or UTF-16)")


@pytest.mark.parametrize("version", [11, 12])
def test_a_namespace_with_a_quote_is_escaped_in_the_answer(client, version):
    ns = 'urn:a"b<&'
    body = envelope("Customers_Query", "<r:CustomerID>1</r:CustomerID>", version=version,
                    ns="NS").replace(b'xmlns:r="NS"', b"xmlns:r='urn:a\"b&lt;&amp;'")
    r = client.post("/v20/default.asmx", content=body,
                    headers=headers_for(version, "Customers_Query"))
    assert r.status_code == 200
    root = ET.fromstring(r.content)  # well-formed
    env = SOAP12 if version == 12 else SOAP11
    response = root.find(f"{{{env}}}Body")[0]
    assert response.tag == f"{{{ns}}}Customers_QueryResponse"
    assert b'xmlns="urn:a&quot;b&lt;&amp;"' in r.content


# ------------------------------------------------------------------------------ catch-all


SECRET = "s3cr3t-in-the-exception-message"


def _boom(*_args: Any, **_kwargs: Any) -> Any:
    raise RuntimeError(SECRET)


def _reference(message: str) -> str:
    m = re.fullmatch(r"internal error; reference ([0-9a-f]{12})", message)
    assert m, message
    return m.group(1)


def _logged(caplog: pytest.LogCaptureFixture, ref: str) -> None:
    lines = [r.getMessage() for r in caplog.records if r.name == "openrev.wire"]
    assert any(f"reference {ref}" in line and "RuntimeError" in line for line in lines), lines
    assert SECRET not in caplog.text


@pytest.mark.parametrize("version", [11, 12])
def test_an_unexpected_exception_on_the_soap_endpoint_is_a_fault(client, monkeypatch, caplog,
                                                                  version):
    monkeypatch.setattr(soap, "read_call", _boom)
    caplog.set_level(logging.ERROR, logger="openrev.wire")
    r = client.post("/v20/default.asmx",
                    content=envelope("Customers_Query", "", version=version),
                    headers=headers_for(version, "Customers_Query"))
    assert r.status_code == 500
    root = ET.fromstring(r.content)
    if version == 12:
        assert r.headers["content-type"].startswith("application/soap+xml")
        assert root.find(f".//{{{SOAP12}}}Value").text == "soap:Receiver"
        message = root.find(f".//{{{SOAP12}}}Text").text
    else:
        assert r.headers["content-type"].startswith("text/xml")
        assert root.find(".//faultcode").text == "soap:Server"
        message = root.find(".//faultstring").text
    _logged(caplog, _reference(message))


def test_an_unexpected_exception_on_the_wsdl_is_a_fault(client, monkeypatch, caplog):
    monkeypatch.setattr(app_module, "wsdl", _boom)
    caplog.set_level(logging.ERROR, logger="openrev.wire")
    r = client.get("/v20/default.asmx?WSDL")
    assert r.status_code == 500
    _logged(caplog, _reference(ET.fromstring(r.content).find(".//faultstring").text))


def test_an_unexpected_exception_on_the_json_endpoint_is_a_json_error(client, monkeypatch,
                                                                       caplog):
    monkeypatch.setattr(jsoncodec, "loads", _boom)
    caplog.set_level(logging.ERROR, logger="openrev.wire")
    r = client.post("/v20/json/Customers_Query", content=b"{}")
    assert r.status_code == 500
    body = r.json()
    assert body == {"error": f"internal error; reference {body['reference']}",
                    "reference": body["reference"]}
    _logged(caplog, _reference(body["error"]))


def test_an_unexpected_exception_elsewhere_is_a_json_error(client, monkeypatch, caplog):
    monkeypatch.setattr(app_module, "openapi", _boom)
    caplog.set_level(logging.ERROR, logger="openrev.wire")
    r = client.get("/openapi.json")
    assert r.status_code == 500
    _logged(caplog, _reference(r.json()["error"]))


# ------------------------------------------------------------------- against a live server


def _live_cases(key: str) -> list[tuple[str, str, bytes, dict[str, str], Any]]:
    """(name, path, body, headers, check(response))."""

    def is_s2010(binding: str, op: str, message: str):
        return lambda r: s2010(r, binding, op) == message

    def is_json_400(error: str):
        return lambda r: (r.status_code, r.json()) == (400, {"error": error})

    def is_fault(version: int, message: str):
        return lambda r: fault_text(r, version) == message

    session = f"<r:Session><r:SessionKey>{key}</r:SessionKey></r:Session>"
    cases = [
        ("json 1e1000000 unauthenticated", "/v20/json/Customers_Query",
         b'{"CustomerID": 1e1000000}', {"Content-Type": "application/json"},
         lambda r: header(r, "json", "Customers_Query")["Error_Code"] == "S2005"),
        ("json 1e1000000", "/v20/json/Customers_Query",
         b'{"Session": {"SessionKey": "' + key.encode() + b'"}, "CustomerID": 1e1000000}',
         {"Content-Type": "application/json"},
         is_s2010("json", "Customers_Query", f"CustomerID: {INT_MAX}")),
        ("json string of 5000 digits", "/v20/json/Customers_Query",
         b'{"Session": {"SessionKey": "' + key.encode() + b'"}, "CustomerID": "'
         + b"9" * 5000 + b'"}', {"Content-Type": "application/json"},
         is_s2010("json", "Customers_Query", f"CustomerID: {INT_MAX}")),
        ("json nested 100000 deep", "/v20/json/Customers_Query",
         b"[" * 100_000 + b"]" * 100_000, {"Content-Type": "application/json"},
         is_json_400(TOO_MANY_VALUES)),
        ("json nested 40000 deep", "/v20/json/Customers_Query",
         b"[" * 40_000 + b"]" * 40_000, {"Content-Type": "application/json"},
         is_json_400(TOO_DEEP)),
        ("json NaN", "/v20/json/Customers_Query", b'{"CustomerID": NaN}',
         {"Content-Type": "application/json"},
         is_json_400("the request body is not valid JSON: NaN is not a JSON number")),
        ("json a million items", "/v20/json/NewCustomers_Create", million_items_json(key),
         {"Content-Type": "application/json"}, is_json_400(TOO_MANY_VALUES)),
    ]
    for version in (11, 12):
        cases += [
            (f"soap{version} 5000 digits", "/v20/default.asmx",
             envelope("Customers_Query", session + "<r:CustomerID>" + "9" * 5000
                      + "</r:CustomerID>", version=version),
             headers_for(version, "Customers_Query"),
             is_s2010(f"soap{version}", "Customers_Query", f"CustomerID: {INT_MAX}")),
            (f"soap{version} utf-7", "/v20/default.asmx",
             envelope("Customers_Query", session, version=version).replace(
                 b'encoding="utf-8"', b'encoding="utf-7"', 1),
             headers_for(version, "Customers_Query"),
             is_fault(version, "the XML declaration names the encoding 'utf-7', which this "
                               "server cannot read; send UTF-8 (or UTF-16)")),
            (f"soap{version} a million items", "/v20/default.asmx",
             million_items_xml(key, version), headers_for(version, "NewCustomers_Create"),
             is_fault(version, TOO_MANY_ELEMENTS)),
        ]
    return cases


def test_live_server_answers_hostile_requests_at_once_and_stays_up(client, key, live_url):
    with httpx.Client(base_url=live_url, timeout=60) as http:
        for name, path, body, headers, check in _live_cases(key):
            t0 = time.monotonic()
            r = http.post(path, content=body, headers=headers)
            elapsed = time.monotonic() - t0
            assert elapsed < HANG_GUARD_S, (name, elapsed)
            assert check(r), (name, r.status_code, r.content[:500])
            assert len(r.content) < 100_000, name
            t0 = time.monotonic()
            health = http.get("/health")
            assert health.status_code == 200, (name, health.text)
            assert time.monotonic() - t0 < HANG_GUARD_S, name
