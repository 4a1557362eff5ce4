"""A real client library (zeep) reads the WSDL over HTTP and calls the server."""

from __future__ import annotations

import zeep

from helpers import DEMO, OTHER


def test_wsdl_address_is_the_host_the_request_came_to(live_url):
    client = zeep.Client(f"{live_url}/v20/default.asmx?wsdl")
    for port in client.wsdl.services["RevAPI"].ports.values():
        assert port.binding_options["address"] == f"{live_url}/v20/default.asmx"


def test_wsdl_has_every_operation_on_both_bindings(live_url):
    client = zeep.Client(f"{live_url}/v20/default.asmx?WSDL")
    ports = client.wsdl.services["RevAPI"].ports
    assert set(ports) == {"RevAPISoap", "RevAPISoap12"}
    expected = {"Sessions_Create", "Customers_Query", "Customers_Update", "Duplicate_Query",
                "NewCustomers_Create", "NewCustomers_Quote", "Orders_Query", "Orders_Search",
                "Orders_Update", "Lines_Update", "LifelineTypes_Query"}
    for port in ports.values():
        assert set(port.binding._operations) == expected
    assert type(ports["RevAPISoap12"].binding).__name__ == "Soap12Binding"


def test_sessions_create_success(service):
    res = service.Sessions_Create(Request={"Credentials": DEMO})
    assert res.Header.Success is True
    assert res.Header.SessionKey


def test_sessions_create_wrong_password(service):
    res = service.Sessions_Create(Request={"Credentials": dict(DEMO, Password="wrong")})
    assert res.Header.Success is False
    assert res.Header.Error_Code == "S2005"


def test_made_up_session_key(service):
    res = service.LifelineTypes_Query(Request={"Session": {"SessionKey": "made-up"}})
    assert res.Header.Success is False
    assert res.Header.Error_Code == "S2004"


def test_lifeline_types_with_the_session(service):
    key = service.Sessions_Create(Request={"Credentials": DEMO}).Header.SessionKey
    res = service.LifelineTypes_Query(Request={"Session": {"SessionKey": key}})
    assert res.Header.Success is True
    assert res.Header.SessionKey == key
    assert [(t.ID, t.Description) for t in res.LifelineTypes.LifelineType] == [
        (1, "Federal Lifeline"), (2, "State Lifeline")]


def test_other_client_sees_none_of_demos_types(service):
    res = service.LifelineTypes_Query(Request={"Credentials": OTHER})
    assert res.Header.Success is True
    got = [(t.ID, t.Description) for t in res.LifelineTypes.LifelineType]
    assert got == [(3, "Other Lifeline")]  # OTHER's own type, only


def test_debug_through_zeep_masks_the_password(service):
    res = service.LifelineTypes_Query(Request={"Credentials": DEMO, "Debug": True})
    assert res.Debug.Request.Credentials.Password == "********"
    assert res.Debug.Request.Credentials.Username == "demo"
