"""Duplicate_Query end to end: customers created through NewCustomers_Create (or changed
through Customers_Update) are found by their stored, normalised keys, over JSON and raw SOAP
1.1 / 1.2 bytes (the ``call`` fixture), in both request shapes, through zeep.

The database is shared by the whole session (and every test runs once per binding), so each
test makes its own people and streets: a fresh made-up street name, names and SSN per call.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
from typing import Any, Callable

import pytest
from sqlalchemy import select

from helpers import DEMO, OTHER, call_json, child_text, error, ok, post_soap, result_of
from openrev.domain import matching as M
from openrev.store.tables import Address, Customer

OP = "Duplicate_Query"
Call = Callable[[str, dict[str, Any]], dict[str, Any]]
DEFAULTS = list(M.DEFAULT_PATTERN_TEXTS)
_RNG = random.Random()
_SYLLABLES = [c + v for c in "BDFGKLMNPRTVZ" for v in "AEIOU"]
_USED: set[str] = set()
_SSNS = itertools.count(_RNG.randrange(100_000, 800_000) * 1000)


def word() -> str:
    """A made-up name never used before in this run (letters only): ``Kalomira``."""
    while True:
        w = "".join(_RNG.choice(_SYLLABLES) for _ in range(4)).capitalize()
        if w not in _USED:
            _USED.add(w)
            return w


def new_ssn() -> str:
    n = next(_SSNS)
    return f"{n // 1_000_000 % 900 + 100:03d}{n // 10_000 % 100:02d}{n % 10_000:04d}"


def person(street1: str | None = None, street2: str | None = None, **extra: Any
           ) -> dict[str, Any]:
    """A NewCustomer with unique data (a unique street unless given)."""
    addr = {"FirstName": word(), "LastName": word(),
            "Address1": street1 or f"{_RNG.randrange(100, 9999)} {word()} St",
            "City": "Pensacola", "State": "FL", "Zip": "32502"}
    if street2:
        addr["Address2"] = street2
    addr.update(extra.pop("address", {}))
    return {"SSN": new_ssn(), "DOB": f"19{_RNG.randrange(40, 99)}-0{_RNG.randrange(1, 9)}-1"
            f"{_RNG.randrange(0, 9)}", "DL": f"D{_RNG.randrange(10**8, 10**9)}",
            "AcctNum": f"DQ-{word()}", "PhysicalAddress": addr,
            "MailingAddress": dict(addr), **extra}


def create(client, customer: dict[str, Any], creds=DEMO) -> int:
    out = call_json(client, "NewCustomers_Create", {"Credentials": creds, "Customer": customer})
    assert out["Header"]["Success"] is True, out["Header"]
    return out["Customer_ID"]


def where(c: dict[str, Any]) -> dict[str, Any]:
    """The location fields of a request for customer ``c``'s physical address."""
    a = c["PhysicalAddress"]
    return {"Street1": a["Address1"], "Street2": a.get("Address2", ""), "City": a["City"],
            "State": a["State"], "Zip": a["Zip"]}


def dq(call: Call, creds=DEMO, **fields: Any) -> dict[str, Any]:
    return call(OP, {"Credentials": creds, **fields})


def summary(out: dict[str, Any]) -> list[tuple[str, str, int]]:
    ok(out)
    return [(m["MatchPattern"], m["MatchType"], m["CustomerID"]) for m in out.get("Matches") or []]


def counts(out: dict[str, Any]) -> tuple[int, int, int]:
    return out["MatchTotalCount"], out["MatchPersonCount"], out["MatchLocationCount"]


def set_columns(sessions, customer_id: int, **values: Any) -> None:
    with sessions() as db, db.begin():
        c = db.get(Customer, customer_id)
        for k, v in values.items():
            setattr(c, k, v)


# ------------------------------------------------------------------ the answer


def test_one_customer_by_person_and_location_is_two_matches_with_its_display(client, call):
    c = person(street2="Apt 4", address={"MiddleName": "Q", "Suffix": "Jr"})
    cid = create(client, c)
    a = c["PhysicalAddress"]
    out = dq(call, SSNTaxId=c["SSN"], DateOfBirth=c["DOB"], **where(c))
    assert summary(out) == [("SSNTaxId", "PERSON", cid),
                            ("Street1,Street2,City,State,Zip", "LOCATION", cid)]
    assert counts(out) == (2, 1, 1)
    assert out["Options"] == {"IgnoreClosed": True, "LifelinePrograms": [],
                              "MatchPatterns": DEFAULTS, "BillProfileIDs": []}
    m = out["Matches"][0]
    created = m.pop("Created_Date")
    assert m == {"MatchPattern": "SSNTaxId", "MatchType": "PERSON", "CustomerID": cid,
                 "AcctNum": c["AcctNum"],
                 "Name": f"{a['FirstName']} Q {a['LastName']} Jr",
                 "Street1": a["Address1"], "Street2": "Apt 4",
                 "CityStateZip": "Pensacola, FL 32502", "Status": "PROSPECT"}
    when = dt.datetime.fromisoformat(created.replace("Z", "+00:00"))
    assert abs(dt.datetime.now(dt.timezone.utc) - when) < dt.timedelta(minutes=10)


def test_no_match_is_all_zero_with_the_defaults_echoed(call):
    out = dq(call, SSNTaxId=new_ssn(), Street1=f"1 {word()} Rd", City="Pensacola", State="FL",
             Zip="32502")
    assert summary(out) == [] and counts(out) == (0, 0, 0)
    assert out["Options"]["MatchPatterns"] == DEFAULTS


_PATTERN_FIELDS = {
    "SSNTaxId": lambda c: {"SSNTaxId": c["SSN"][:3] + "-" + c["SSN"][3:5] + "-" + c["SSN"][5:]},
    "DriversLicenseNumber": lambda c: {"DriversLicenseNumber": c["DL"].lower()[:4] + "-"
                                       + c["DL"][4:]},
    "SSNTaxIdLast4,DateOfBirth": lambda c: {"SSNTaxIdLast4": c["SSN"][-4:],
                                            "DateOfBirth": c["DOB"] + "T00:00:00"},
    "FirstName,LastName,SSNTaxIdLast4": lambda c: {
        "FirstName": c["PhysicalAddress"]["FirstName"].upper(),
        "LastName": c["PhysicalAddress"]["LastName"].lower(), "SSNTaxIdLast4": c["SSN"][-4:]},
    "Street1,Street2,City,State,Zip": lambda c: where(c),
    "Street1,Street2,City,State": lambda c: {k: v for k, v in where(c).items() if k != "Zip"},
    "Street1,Street2,Zip": lambda c: {k: v for k, v in where(c).items()
                                      if k not in ("City", "State")},
}


@pytest.mark.parametrize("pattern", DEFAULTS)
def test_each_default_pattern_on_its_own(client, call, pattern):
    """Only the fields of one pattern are given: that pattern (the first of those it implies)
    finds the customer; a customer differing in those fields is not found."""
    create(client, person())  # another customer (other SSN, DL, DOB, name, street)
    target = person()
    cid = create(client, target)
    out = dq(call, **_PATTERN_FIELDS[pattern](target))
    kind = "LOCATION" if pattern.startswith("Street1") else "PERSON"
    assert summary(out) == [(pattern, kind, cid)]
    assert counts(out) == ((1, 1, 0) if kind == "PERSON" else (1, 0, 1))
    # the same pattern named explicitly, in another spelling: the same single match
    out = dq(call, Options={"MatchPatterns": [pattern.upper().replace(",", " , ")]},
             **_PATTERN_FIELDS[pattern](target))
    assert summary(out) == [(pattern, kind, cid)] and out["Options"]["MatchPatterns"] == [pattern]


# ------------------------------------------------------------------ spellings

LOCATION_SAME = [
    # (stored Address1, stored Address2, query Street1, query Street2)
    ("123 North {w} Street", "Apartment 4", "123 N {W} ST", "APT 4"),
    ("123 North {w} Street Apartment 4", "", "123 n. {w} st", "#4"),
    ("77 {w} Avenue", "Unit 04", "77 {w} Ave.", "Apt 4"),
    ("5 South {w} Boulevard", "", "5 s {w} blvd", ""),
    ("9 {w} Road", "Suite 4-B", "9 {w} rd", "ste 4b"),
    ("2200 West {w} Drive", "Bldg 2 Apt 3", "2200 W {w} Dr", "Apt 3 Building 2"),
]
LOCATION_DIFFERENT = [
    ("123 North {w} Street", "Apt 4", "124 North {w} Street", "Apt 4"),  # house number
    ("123 North {w} Street", "Apt 4", "123 South {w} Street", "Apt 4"),  # directional
    ("123 North {w} Street", "Apt 4", "123 {w} Street North", "Apt 4"),  # directional place
    ("123 North {w} Street", "Apt 4", "123 North {w} Street", "Apt 5"),  # unit
    ("123 North {w} Street", "Apt 4", "123 North {w} Street", ""),  # unit vs none
    ("123 North {w} Street", "Bldg 2", "123 North {w} Street", "Apt 2"),  # building vs apt
    ("123 North {w} Street", "", "123 North {w} Avenue", ""),  # street type
]


def _location_case(client, call, stored1, stored2, query1, query2):
    w = word()
    c = person(stored1.format(w=w, W=w.upper()), stored2 or None)
    cid = create(client, c)
    out = dq(call, Street1=query1.format(w=w, W=w.upper()), Street2=query2,
             City="pensacola", State="fl", Zip="32502-1234")
    return cid, out


@pytest.mark.parametrize("stored1,stored2,query1,query2", LOCATION_SAME)
def test_location_spellings_that_match(client, call, stored1, stored2, query1, query2):
    cid, out = _location_case(client, call, stored1, stored2, query1, query2)
    assert summary(out) == [("Street1,Street2,City,State,Zip", "LOCATION", cid)]
    assert counts(out) == (1, 0, 1)


@pytest.mark.parametrize("stored1,stored2,query1,query2", LOCATION_DIFFERENT)
def test_location_spellings_that_must_not_match(client, call, stored1, stored2, query1,
                                                query2):
    _cid, out = _location_case(client, call, stored1, stored2, query1, query2)
    assert summary(out) == [] and counts(out) == (0, 0, 0)


NAMES_SAME = [
    # (stored first, stored last, query first, query last); {w}: a unique word
    ("José{w}", "García López", "jose{w}", "Garcia-Lopez"),
    ("{w}", "O'Brien-{w}", "{W}", "obrien {w}"),
    ("Zoë {w}", "Smith-Jones", "ZOE{w}", "  smith   jones "),
    ("{w}", "De la Cruz", "{w}.", "DELACRUZ"),
]
NAMES_DIFFERENT = [
    ("{w}", "Garcia López", "{w}", "Garcia"),  # no partial last name
    ("{w}", "Smith", "{w}a", "Smith"),
]


@pytest.mark.parametrize("sf,sl,qf,ql", NAMES_SAME)
def test_name_spellings_that_match(client, call, sf, sl, qf, ql):
    w = word()
    c = person(address={"FirstName": sf.format(w=w), "LastName": sl.format(w=w)})
    cid = create(client, c)
    out = dq(call, FirstName=qf.format(w=w, W=w.upper()), LastName=ql.format(w=w),
             SSNTaxIdLast4=c["SSN"][-4:])
    assert summary(out) == [("FirstName,LastName,SSNTaxIdLast4", "PERSON", cid)]


@pytest.mark.parametrize("sf,sl,qf,ql", NAMES_DIFFERENT)
def test_name_spellings_that_must_not_match(client, call, sf, sl, qf, ql):
    w = word()
    c = person(address={"FirstName": sf.format(w=w), "LastName": sl.format(w=w)})
    create(client, c)
    out = dq(call, FirstName=qf.format(w=w), LastName=ql.format(w=w),
             SSNTaxIdLast4=c["SSN"][-4:])
    assert summary(out) == [] and counts(out) == (0, 0, 0)


def test_ssn_and_licence_spellings(client, call):
    c = person(DL="fl-123 456 " + str(_RNG.randrange(10**5, 10**6)))
    cid = create(client, c)
    ssn = c["SSN"]
    for given in (f"{ssn[:3]}-{ssn[3:5]}-{ssn[5:]}", f" {ssn[:3]} {ssn[3:5]} {ssn[5:]} ", ssn):
        assert summary(dq(call, SSNTaxId=given)) == [("SSNTaxId", "PERSON", cid)], given
    dl = "".join(ch for ch in c["DL"].upper() if ch.isalnum())
    assert summary(dq(call, DriversLicenseNumber=dl)) == [("DriversLicenseNumber", "PERSON",
                                                           cid)]
    other = f"{int(ssn[0]) % 8 + 1}{ssn[1:]}"  # one digit different
    assert summary(dq(call, SSNTaxId=other)) == []


# ------------------------------------------------------------------ options


def test_ignore_closed(client, call, sessions):
    c = person()
    cid = create(client, c)
    set_columns(sessions, cid, status="CLOSED")
    assert summary(dq(call, SSNTaxId=c["SSN"])) == []
    out = dq(call, SSNTaxId=c["SSN"], Options={"IgnoreClosed": False})
    assert summary(out) == [("SSNTaxId", "PERSON", cid)]
    assert out["Matches"][0]["Status"] == "CLOSED" and out["Options"]["IgnoreClosed"] is False
    out = dq(call, SSNTaxId=c["SSN"], OptionIgnoreClosed=False)
    assert summary(out) == [("SSNTaxId", "PERSON", cid)]


def test_lifeline_programs(client, call, sessions):
    street = f"{_RNG.randrange(100, 999)} {word()} Ln"
    etc = create(client, person(street))
    non = create(client, person(street))
    set_columns(sessions, etc, lifeline_program="ETC_LIFELINE")
    loc = {"Street1": street, "City": "Pensacola", "State": "FL", "Zip": "32502"}
    pattern = "Street1,Street2,City,State,Zip"
    assert summary(dq(call, **loc)) == [(pattern, "LOCATION", etc), (pattern, "LOCATION", non)]
    out = dq(call, Options={"LifelinePrograms": ["etc_lifeline"]}, **loc)
    assert summary(out) == [(pattern, "LOCATION", etc)]
    assert out["Options"]["LifelinePrograms"] == ["ETC_LIFELINE"]
    out = dq(call, OptionLifelinePrograms=["NON_LIFELINE", "NON_ETC_LIFELINE"], **loc)
    assert summary(out) == [(pattern, "LOCATION", non)] and counts(out) == (1, 0, 1)
    error(dq(call, OptionLifelinePrograms=["LIFELINE"], **loc), "S2010",
          "OptionLifelinePrograms: 'LIFELINE' is not a lifeline program (one of "
          "NON_LIFELINE, ETC_LIFELINE, NON_ETC_LIFELINE)")


def test_bill_profile_ids(client, call):
    street = f"{_RNG.randrange(100, 999)} {word()} Ct"
    one = create(client, person(street, BIllProfileID=1))
    two = create(client, person(street, BIllProfileID=2))
    loc = {"Street1": street, "Street2": "", "Zip": "32502"}
    p = "Street1,Street2,Zip"
    assert summary(dq(call, **loc)) == [(p, "LOCATION", one), (p, "LOCATION", two)]
    out = dq(call, Options={"BillProfileIDs": [2]}, **loc)
    assert summary(out) == [(p, "LOCATION", two)] and out["Options"]["BillProfileIDs"] == [2]
    assert summary(dq(call, OptionBillProfileIDs=[1, 1], **loc)) == [(p, "LOCATION", one)]
    assert summary(dq(call, OptionBillProfileIDs=[99], **loc)) == []


def test_both_shapes_mixed_the_flat_option_wins_per_field(client, call, sessions):
    c = person()
    cid = create(client, c)
    set_columns(sessions, cid, status="CLOSED")
    out = dq(call, SSNTaxId=c["SSN"], DriversLicenseNumber=c["DL"],
             OptionMatchPatterns=["DriversLicenseNumber"],
             Options={"MatchPatterns": ["SSNTaxId"], "IgnoreClosed": False})
    assert summary(out) == [("DriversLicenseNumber", "PERSON", cid)]
    assert out["Options"] == {"IgnoreClosed": False, "LifelinePrograms": [],
                              "MatchPatterns": ["DriversLicenseNumber"], "BillProfileIDs": []}
    out = dq(call, SSNTaxId=c["SSN"], OptionIgnoreClosed=True,
             Options={"IgnoreClosed": False})
    assert summary(out) == [] and out["Options"]["IgnoreClosed"] is True


def test_a_pattern_whose_field_is_not_given_is_skipped(client, call):
    c = person()
    cid = create(client, c)
    out = dq(call, SSNTaxId=c["SSN"], Options={"MatchPatterns": ["DriversLicenseNumber",
                                                                 "SSNTaxId"]})
    assert summary(out) == [("SSNTaxId", "PERSON", cid)]
    out = dq(call, SSNTaxId=c["SSN"], Options={"MatchPatterns": ["DateOfBirth"]})
    assert summary(out) == [] and out["Options"]["MatchPatterns"] == ["DateOfBirth"]


def test_unknown_pattern_field_and_bad_values_are_s2010(call):
    known = ", ".join(M.FIELD_KEYS)
    error(dq(call, OptionMatchPatterns=["SSNTaxId", "SSN,Zip"]), "S2010",
          f"OptionMatchPatterns: unknown field name 'SSN' in the pattern 'SSN,Zip' "
          f"(known: {known})")
    error(dq(call, Options={"MatchPatterns": ["Street1,County"]}), "S2010",
          f"Options/MatchPatterns: unknown field name 'County' in the pattern "
          f"'Street1,County' (known: {known})")
    error(dq(call, SSNTaxId="123-45-678", Zip="3250"), "S2010",
          "SSNTaxId: must be 9 digits (dashes and spaces are ignored); "
          "Zip: must be 5 digits (ZIP+4 accepted)")


# ------------------------------------------------------------------ tenancy and writes


def test_another_clients_customer_is_never_found(client, call):
    c = person()
    other_c = dict(c, AcctNum=f"DQ-{word()}")
    mine = create(client, c)
    theirs = create(client, other_c, creds=OTHER)
    query = {"SSNTaxId": c["SSN"], "DriversLicenseNumber": c["DL"], **where(c)}
    out = dq(call, **query)
    assert summary(out) == [("SSNTaxId", "PERSON", mine),
                            ("Street1,Street2,City,State,Zip", "LOCATION", mine)]
    assert counts(out) == (2, 1, 1)
    out = dq(call, creds=OTHER, **query)
    assert summary(out) == [("SSNTaxId", "PERSON", theirs),
                            ("Street1,Street2,City,State,Zip", "LOCATION", theirs)]


def test_customers_update_of_the_physical_address_and_name_moves_the_keys(client, call):
    c = person(street2="Apt 7")
    cid = create(client, c)
    old = where(c)
    new_street = f"{_RNG.randrange(100, 999)} East {word()} Parkway"
    ok(call_json(client, "Customers_Update", {"Credentials": DEMO, "Customer": {
        "ID": cid, "PhysicalAddress": {"Address1": new_street, "Address2": "Unit 8"}}}))
    assert summary(dq(call, **old)) == []
    out = dq(call, Street1=new_street.replace("East", "E").replace("Parkway", "PKWY"),
             Street2="#8", City="Pensacola", State="FL")
    assert summary(out) == [("Street1,Street2,City,State", "LOCATION", cid)]
    # the mailing address is not the location
    ok(call_json(client, "Customers_Update", {"Credentials": DEMO, "Customer": {
        "ID": cid, "MailingAddress": {"Address1": old["Street1"], "Address2": "Apt 7"}}}))
    assert summary(dq(call, **old)) == []
    # a name changed alone
    last4 = c["SSN"][-4:]
    first = c["PhysicalAddress"]["FirstName"]
    new_last = word()
    ok(call_json(client, "Customers_Update", {"Credentials": DEMO, "Customer": {
        "ID": cid, "PhysicalAddress": {"LastName": new_last}}}))
    q = {"FirstName": first, "SSNTaxIdLast4": last4}
    assert summary(dq(call, LastName=c["PhysicalAddress"]["LastName"], **q)) == []
    assert summary(dq(call, LastName=new_last, **q)) == [
        ("FirstName,LastName,SSNTaxIdLast4", "PERSON", cid)]


def test_keys_are_stored_hashed_and_normalised(client, sessions):
    c = person(street1="123 North Main Street Apartment 4",
               address={"City": "St. Petersburg", "Zip": "33701"})
    cid = create(client, c)
    with sessions() as db:
        row = db.execute(select(Customer.street_key, Customer.unit_key, Customer.city_key,
                                Customer.state_key, Customer.zip5, Customer.match_keys_version,
                                Customer.ssn_hmac).where(Customer.id == cid)).one()
    assert tuple(row[:6]) == ("123 N MAIN ST", "4", "SAINTPETERSBURG", "FL", "33701",
                              M.KEYS_VERSION)
    assert len(row.ssn_hmac) == 64 and c["SSN"] not in row.ssn_hmac


def test_counts_are_exact_beyond_the_listed_hundred(client, sessions):
    """105 customers at one address (written through the ORM, which computes their keys):
    100 listed, counts exact."""
    street = f"{_RNG.randrange(100, 999)} {word()} Way"
    with sessions() as db, db.begin():
        ids = []
        for _ in range(105):
            cust = Customer(client_id=1, status="OPEN")
            cust.physical_address = Address(client_id=1, first_name=word(), last_name="X",
                                            address1=street, city="Pensacola", state="FL",
                                            zip="32502")
            db.add(cust)
            ids.append(cust)
        db.flush()
        ids = sorted(x.id for x in ids)
    out = call_json(client, OP, {"Credentials": DEMO, "Street1": street, "Zip": "32502",
                                 "City": "Pensacola", "State": "FL"})
    assert counts(out) == (105, 0, 105)
    assert summary(out) == [("Street1,Street2,City,State,Zip", "LOCATION", i)
                            for i in ids[:100]]


# ------------------------------------------------------------------ the original's wire


def test_the_originals_flat_request_as_raw_soap11_bytes(client):
    c = person(street2="Apt 3", BIllProfileID=2)
    cid = create(client, c)
    a = c["PhysicalAddress"]
    body = (
        "<r:Credentials><r:Username>demo</r:Username><r:Password>demo</r:Password>"
        "<r:Client>DEMO</r:Client></r:Credentials>"
        f"<r:FirstName>{a['FirstName']}</r:FirstName><r:LastName>{a['LastName']}</r:LastName>"
        f"<r:SSNTaxId>{c['SSN'][:3]}-{c['SSN'][3:5]}-{c['SSN'][5:]}</r:SSNTaxId>"
        f"<r:SSNTaxIdLast4>{c['SSN'][-4:]}</r:SSNTaxIdLast4>"
        f"<r:DateOfBirth>{c['DOB']}T00:00:00</r:DateOfBirth>"
        f"<r:Street1>{a['Address1']}</r:Street1><r:Street2>APT 3</r:Street2>"
        "<r:City>Pensacola</r:City><r:State>FL</r:State><r:Zip>32502</r:Zip>"
        "<r:OptionIgnoreClosed>true</r:OptionIgnoreClosed>"
        "<r:OptionMatchPatterns><r:string>SSNTaxIdLast4,DateOfBirth</r:string>"
        "<r:string>Street1,Street2,Zip</r:string></r:OptionMatchPatterns>"
        "<r:OptionBillProfileIDs><r:int>2</r:int></r:OptionBillProfileIDs>"
        "<r:OptionLifelinePrograms><r:string>NON_LIFELINE</r:string></r:OptionLifelinePrograms>")
    r = post_soap(client, OP, body, version=11)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/xml")
    res = result_of(r.content, OP)
    ns = "{http://api.myh2o.com/v20}"
    assert res.tag == f"{ns}{OP}Result"
    assert child_text(res, "Header/Success") == "true"
    assert [child_text(res, k) for k in ("MatchTotalCount", "MatchPersonCount",
                                         "MatchLocationCount")] == ["2", "1", "1"]
    matches = res.find(f"{ns}Matches").findall(f"{ns}Match")
    assert [(child_text(m, "MatchPattern"), child_text(m, "MatchType"),
             child_text(m, "CustomerID")) for m in matches] == [
        ("SSNTaxIdLast4,DateOfBirth", "PERSON", str(cid)),
        ("Street1,Street2,Zip", "LOCATION", str(cid))]
    assert child_text(matches[0], "CityStateZip") == "Pensacola, FL 32502"
    assert child_text(matches[0], "Street2") == "Apt 3"
    opts = res.find(f"{ns}Options")
    assert [e.text for e in opts.find(f"{ns}MatchPatterns")] == [
        "SSNTaxIdLast4,DateOfBirth", "Street1,Street2,Zip"]
    assert [(e.tag, e.text) for e in opts.find(f"{ns}BillProfileIDs")] == [(f"{ns}int", "2")]
    assert [(e.tag, e.text) for e in opts.find(f"{ns}LifelinePrograms")] == [
        (f"{ns}string", "NON_LIFELINE")]
    assert child_text(opts, "IgnoreClosed") == "true"


@pytest.mark.parametrize("version", [11, 12])
def test_the_documents_nested_options_as_raw_soap_bytes(client, version):
    c = person()
    cid = create(client, c)
    body = (
        "<r:Credentials><r:Username>demo</r:Username><r:Password>demo</r:Password>"
        "<r:Client>DEMO</r:Client></r:Credentials>"
        f"<r:DriversLicenseNumber>{c['DL']}</r:DriversLicenseNumber>"
        "<r:Options><r:IgnoreClosed>false</r:IgnoreClosed>"
        "<r:MatchPatterns><r:string>DriversLicenseNumber</r:string></r:MatchPatterns>"
        "</r:Options>")
    res = result_of(post_soap(client, OP, body, version=version).content, OP)
    assert child_text(res, "Header/Success") == "true"
    assert child_text(res, "MatchTotalCount") == "1"
    assert child_text(res, "Matches/Match/CustomerID") == str(cid)
    assert child_text(res, "Options/IgnoreClosed") == "false"


def test_zeep(client, service):
    c = person()
    cid = create(client, c)
    res = service.Duplicate_Query(Request={
        "Credentials": DEMO, "SSNTaxId": c["SSN"],
        "DateOfBirth": dt.datetime.fromisoformat(c["DOB"]),
        "OptionMatchPatterns": {"string": ["SSNTaxIdLast4,DateOfBirth"]}})
    assert res.Header.Success is True
    assert (res.MatchTotalCount, res.MatchPersonCount, res.MatchLocationCount) == (1, 1, 0)
    m = res.Matches.Match[0]
    assert (m.MatchPattern, m.MatchType, m.CustomerID) == ("SSNTaxIdLast4,DateOfBirth",
                                                           "PERSON", cid)
    assert res.Options.MatchPatterns.string == ["SSNTaxIdLast4,DateOfBirth"]


# ------------------------------------------------------------------ migration 0006


def test_migration_0006_fills_the_keys_of_existing_customers(database_url):
    """Customers written before 0006 get their keys from their physical address."""
    import os

    from alembic import command
    from sqlalchemy import MetaData, Table

    from openrev.store.db import make_engine
    from openrev.store.migrate import alembic_config
    from openrev.store.testing import fresh_database

    server = "sqlite://" if database_url.startswith("sqlite") else os.environ[
        "OPENREV_TEST_POSTGRES_URL"]
    now = dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc)
    with fresh_database(server) as url:
        command.upgrade(alembic_config(url), "0005")
        engine = make_engine(url)
        try:
            with engine.begin() as conn:
                md = MetaData()
                t = {n: Table(n, md, autoload_with=conn)
                     for n in ("clients", "customers", "addresses")}
                conn.execute(t["clients"].insert(), {
                    "id": 1, "code": "M", "name": "M", "tax_engine": "SURETAX",
                    "lifeline_form_status": "NEEDS_REVIEW", "created_at": now})
                common = {"client_id": 1, "status": "OPEN", "customer_class": "Residential",
                          "is_parent_account": False, "created_at": now, "balance": 0,
                          "due": 0, "overdue": 0, "unbilled_usage": 0,
                          "enabled_balance_limit": False, "usage_balance_limit": 0,
                          "payment_terms": 0, "payment_terms_override": False,
                          "is_auto_debit": False, "auto_debit_day": 0,
                          "lifeline_program": "NON_LIFELINE"}
                conn.execute(t["customers"].insert(), [{**common, "id": 1}, {**common, "id": 2}])
                conn.execute(t["addresses"].insert(), [
                    {"id": 1, "client_id": 1, "customer_id": 1, "kind": "PHYSICAL",
                     "first_name": "José", "last_name": "García López",
                     "address1": "123 North Main Street", "address2": "Apartment 4",
                     "city": "St. Petersburg", "state": "FL", "zip": "33701",
                     "country": "USA"},
                    {"id": 2, "client_id": 1, "customer_id": 1, "kind": "MAILING",
                     "first_name": None, "last_name": None,
                     "address1": "PO Box 9", "address2": None, "city": "Tampa",
                     "state": "FL", "zip": "33601", "country": "USA"}])
                conn.execute(t["customers"].update().where(t["customers"].c.id == 1).values(
                    physical_address_id=1, mailing_address_id=2))
            command.upgrade(alembic_config(url), "0006")
            with engine.connect() as conn:
                rows = conn.execute(select(
                    Customer.id, Customer.first_name_key, Customer.last_name_key,
                    Customer.street_key, Customer.unit_key, Customer.city_key,
                    Customer.state_key, Customer.zip5, Customer.match_keys_version)
                    .order_by(Customer.id)).all()
        finally:
            engine.dispose()
    assert [tuple(r) for r in rows] == [
        (1, "JOSE", "GARCIALOPEZ", "123 N MAIN ST", "4", "SAINTPETERSBURG", "FL", "33701",
         M.KEYS_VERSION),
        (2, None, None, None, None, None, None, None, M.KEYS_VERSION)]
