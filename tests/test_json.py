"""The JSON binding gives the same answers as SOAP."""

from __future__ import annotations

from helpers import DEMO, OTHER, call_json, child_text, creds_xml, new_session, post_soap, result_of


def test_sessions_create(client):
    out = call_json(client, "Sessions_Create", {"Credentials": DEMO})
    assert out["Header"]["Success"] is True
    assert out["Header"]["Impersonated"] is False
    assert len(out["Header"]["SessionKey"]) >= 32


def test_wrong_password_and_made_up_session(client):
    out = call_json(client, "Sessions_Create", {"Credentials": dict(DEMO, Password="x")})
    assert out["Header"] == {
        "Success": False, "Message": "Credentials: unknown Username, Password or Client",
        "Error_Code": "S2005",
        "Error_Description": "Authorization failure: unknown/invalid Username/Password/Client."}
    out = call_json(client, "LifelineTypes_Query", {"Session": {"SessionKey": "made-up"}})
    assert out["Header"]["Error_Code"] == "S2004"


def test_lifeline_types_same_as_soap(client):
    key = new_session(client)
    out = call_json(client, "LifelineTypes_Query", {"Session": {"SessionKey": key}})
    assert out["LifelineTypes"] == [{"ID": 1, "Description": "Federal Lifeline"},
                                    {"ID": 2, "Description": "State Lifeline"}]
    soap = result_of(post_soap(client, "LifelineTypes_Query",
                               f"<r:Session><r:SessionKey>{key}</r:SessionKey></r:Session>").content,
                     "LifelineTypes_Query")
    soap_types = [(int(t.xpath("string(*[1])")), t.xpath("string(*[2])"))
                  for t in soap.xpath("//*[local-name()='LifelineType']")]
    assert soap_types == [(t["ID"], t["Description"]) for t in out["LifelineTypes"]]


def test_other_client_sees_none_of_demos_types(client):
    out = call_json(client, "LifelineTypes_Query", {"Credentials": OTHER})
    assert out["Header"]["Success"] is True
    assert [(t["ID"], t["Description"]) for t in out["LifelineTypes"]] == [(3, "Other Lifeline")]


def test_keys_match_case_insensitively_and_debug_masks(client):
    out = call_json(client, "lifelinetypes_query",
                    {"credentials": {"username": "demo", "password": "demo", "client": "DEMO"},
                     "debug": True, "Unheard": 1})
    assert out["Header"]["Success"] is True
    assert out["Debug"]["Request"]["Credentials"]["Password"] == "********"
    assert out["Debug"]["Ignored"] == ["Unheard"]


def test_invalid_value_is_s2010(client):
    out = call_json(client, "LifelineTypes_Query", {"Credentials": DEMO, "LifelineTypeID": "x"})
    assert out["Header"]["Error_Code"] == "S2010"
    assert out["Header"]["Message"] == "LifelineTypeID: must be a whole number"
    out = call_json(client, "LifelineTypes_Query", {"Credentials": DEMO, "LifelineTypeID": 1.5})
    assert out["Header"]["Message"] == "LifelineTypeID: must be a whole number"


def test_malformed_json_is_http_400(client):
    r = client.post("/v20/json/Sessions_Create", content=b"{not json",
                    headers={"content-type": "application/json"})
    assert r.status_code == 400
    assert "not valid JSON" in r.json()["error"]
    r = client.post("/v20/json/Sessions_Create", json=[1, 2])
    assert r.status_code == 400
    assert "JSON object" in r.json()["error"]


def test_unknown_operation_is_404(client):
    r = client.post("/v20/json/Customers_Destroy", json={})
    assert r.status_code == 404
    assert "unknown operation" in r.json()["error"]


def test_soap_and_json_errors_agree(client):
    bad = dict(DEMO, Password="x")
    soap = result_of(post_soap(client, "Sessions_Create", creds_xml(bad)).content, "Sessions_Create")
    out = call_json(client, "Sessions_Create", {"Credentials": bad})
    for k in ("Error_Code", "Error_Description", "Message"):
        assert child_text(soap, f"Header/{k}") == out["Header"][k]
