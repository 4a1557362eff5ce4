"""OpenAPI, /docs, /health, the WSDL over plain GET."""

from __future__ import annotations

from lxml import etree

from openrev.settings import Settings
from openrev.wire.app import create_app
from starlette.testclient import TestClient


def test_openapi_is_derived_from_the_contract(client):
    doc = client.get("/openapi.json").json()
    assert doc["openapi"].startswith("3.")
    assert "/v20/json/NewCustomers_Create" in doc["paths"]
    schemas = doc["components"]["schemas"]
    addr = schemas["Address"]["properties"]
    assert {"FirstName", "Zip", "Zip4", "Country"} <= set(addr)
    assert schemas["Enum_Order_Status"]["enum"] == ["NEW", "SENT", "CONFIRMED", "COMPLETE",
                                                    "CANCELED", "ERROR", "FLOW_ERROR", "HOLD",
                                                    "PAYMENT_HOLD", "LIFELINE_HOLD", "JEOPARDY",
                                                    "PROVISIONED"]
    assert "S2010" in doc["info"]["description"]


def test_openapi_is_a_valid_document(client):
    from openapi_spec_validator import validate

    validate(client.get("/openapi.json").json())


def test_docs_page_and_its_assets(client):
    r = client.get("/docs")
    assert r.status_code == 200 and "swagger-ui" in r.text
    assert client.get("/docs/static/swagger-ui-bundle.js").status_code == 200


def test_health_ok(client):
    r = client.get("/health")
    assert r.status_code == 200 and r.json() == {"status": "ok"}


def test_health_503_without_database(tmp_path):
    url = f"sqlite:///{tmp_path}/missing-dir/nope.db"
    with TestClient(create_app(Settings(database_url=url))) as c:
        r = c.get("/health")
    assert r.status_code == 503


def test_wsdl_is_served_for_both_spellings(client):
    for q in ("WSDL", "wsdl"):
        r = client.get(f"/v20/default.asmx?{q}")
        assert r.status_code == 200
        root = etree.fromstring(r.content)
        assert root.tag == "{http://schemas.xmlsoap.org/wsdl/}definitions"
        addresses = root.xpath("//*[local-name()='address']/@location")
        assert addresses == ["http://testserver/v20/default.asmx"] * 2


def test_wsdl_declares_every_element_optional_and_nillable(client):
    root = etree.fromstring(client.get("/v20/default.asmx?WSDL").content)
    XS = "http://www.w3.org/2001/XMLSchema"
    elements = root.findall(f".//{{{XS}}}complexType//{{{XS}}}element")
    assert len(elements) > 200
    for el in elements:
        assert el.get("minOccurs") == "0", el.get("name")
        assert el.get("nillable") == "true", el.get("name")
