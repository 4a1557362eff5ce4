"""Duplicate_Query's pure matching rules (openrev.domain.matching): normalisers, keys,
patterns, options, and the match/count builder. No database."""

from __future__ import annotations

import datetime as dt
import doctest

import pytest

from openrev.contract.errors import ApiError
from openrev.contract.operations import Duplicate_QueryRequest, DuplicateOptions
from openrev.domain import matching as M
from openrev.store import crypto

# --------------------------------------------------------------------------- names


@pytest.mark.parametrize("a, b", [
    ("Smith", "SMITH"),
    ("  smith ", "Smith"),
    ("José", "JOSE"),
    ("Zoë", "Zoe"),
    ("Ñúñez", "Nunez"),
    ("O'Brien", "OBrien"),
    ("O’Brien", "O Brien"),
    ("Smith-Jones", "Smith Jones"),
    ("Smith-Jones", "SmithJones"),
    ("Smith  -  Jones", "smith jones"),
    ("García López", "Garcia-Lopez"),
    ("De La Cruz", "DeLaCruz"),
    ("St. John", "St John"),
])
def test_names_that_match(a, b):
    assert M.person_name(a) == M.person_name(b) != ""


@pytest.mark.parametrize("a, b", [
    ("Smith", "Smyth"),
    ("Garcia", "Garcia Lopez"),
    ("Jon", "John"),
    ("Ann", "Anne"),
])
def test_names_that_do_not_match(a, b):
    assert M.person_name(a) != M.person_name(b)


def test_second_last_name_given_apart_is_concatenated():
    assert M.person_name("García", "López") == M.person_name("Garcia Lopez") == "GARCIALOPEZ"
    assert M.person_name(None) == M.person_name("  ") == M.person_name("'-.") == ""


def test_suffixes():
    assert M.suffix_key("Jr.") == M.suffix_key("junior") == M.suffix_key("JR") == "JR"
    assert M.suffix_key("Sr") == M.suffix_key("Senior") == "SR"
    assert M.suffix_key("3rd") == M.suffix_key("III") == "III"
    assert M.suffix_key("Jr") != M.suffix_key("Sr")


# --------------------------------------------------------------------------- personal values


def test_ssn_digits():
    assert M.ssn_digits("123-45-6789") == "123456789"
    assert M.ssn_digits(" 123 45 6789 ") == "123456789"
    assert M.ssn_digits("123456789") == "123456789"
    assert M.ssn_digits("12-3456789") == "123456789"  # an EIN's dash
    assert M.ssn_digits("12345678") is None
    assert M.ssn_digits("1234567890") is None
    assert M.ssn_digits("") is None and M.ssn_digits(None) is None


def test_ssn_last4():
    assert M.ssn_last4("123-45-6789") == "6789"
    assert M.ssn_last4("6789") == "6789"
    assert M.ssn_last4("x-6789") == "6789"
    assert M.ssn_last4("789") is None
    assert M.ssn_last4("56789") is None


@pytest.mark.parametrize("a, b", [
    ("D123-456-789", "d123456789"),
    ("D 123 456 789", "D123456789"),
    ("d.123.456.789", "D123456789"),
])
def test_licence_spellings_match(a, b):
    assert M.license_key(a) == M.license_key(b) == "D123456789"


def test_licence_different_and_empty():
    assert M.license_key("D123456789") != M.license_key("D123456788")
    assert M.license_key(" - ") is None and M.license_key(None) is None


@pytest.mark.parametrize("value", ["D123-456 78", "ab-12 cd", "Ä-12", "x"])
def test_licence_key_is_what_the_store_hashes(value):
    assert M.license_key(value) == crypto.normalize_dl(value)


def test_personal_keys_give_the_stored_hashes(tmp_path):
    """Hashing the normalised query values gives the hashes the store keeps for a customer
    written with another spelling (crypto.fill_customer_hmacs hashes the raw values)."""
    ring = crypto.Keyring.from_texts([crypto.new_key()], "test")
    keys = M.customer_keys(ssn="123-45-6789", dob_value=dt.date(1980, 5, 15),
                           dl="d123-456")
    query = M.query_keys(Duplicate_QueryRequest(
        SSNTaxId="123 45 6789", DateOfBirth=dt.datetime(1980, 5, 15, 0, 0),
        DriversLicenseNumber="D 123 456"))
    assert crypto.ssn_hmac(query.ssn, ring) == crypto.ssn_hmac("123456789", ring)
    assert crypto.ssn_last4_hmac(query.ssn_last4, ring) == crypto.ssn_last4_hmac(
        "123-45-6789", ring)
    assert crypto.dl_hmac(query.dl, ring) == crypto.dl_hmac("d123-456", ring)
    assert crypto.dob_hmac(query.dob, ring) == crypto.dob_hmac(dt.date(1980, 5, 15), ring)
    assert (keys.ssn, keys.ssn_last4, keys.dl, keys.dob) == (
        query.ssn, query.ssn_last4, query.dl, query.dob)


def test_dob():
    assert M.dob(dt.date(1980, 5, 15)) == dt.date(1980, 5, 15)
    assert M.dob(dt.datetime(1980, 5, 15, 23, 30)) == dt.date(1980, 5, 15)
    tz = dt.timezone(dt.timedelta(hours=2))
    assert M.dob(dt.datetime(1980, 5, 15, 0, 0, tzinfo=tz)) == dt.date(1980, 5, 15)
    assert M.dob("1980-05-15") == dt.date(1980, 5, 15)
    assert M.dob("1980-05-15T00:00:00") == dt.date(1980, 5, 15)
    assert M.dob(None) is None and M.dob("") is None and M.dob("soon") is None


def test_zip5():
    assert M.zip5("32502") == M.zip5("32502-1234") == M.zip5("325021234") == "32502"
    assert M.zip5(" 32502 ") == "32502"
    assert M.zip5("3250") is None and M.zip5(None) is None
    assert M.zip5("32502") != M.zip5("32503")


def test_city_and_state():
    assert M.city_key("Pensacola") == M.city_key(" PENSACOLA ") == "PENSACOLA"
    assert M.city_key("St. Petersburg") == M.city_key("Saint Petersburg")
    assert M.city_key("Ft Lauderdale") == M.city_key("Fort Lauderdale")
    assert M.city_key("N Las Vegas") == M.city_key("North Las Vegas")
    assert M.city_key("Cañon City") == M.city_key("Canon City")
    assert M.city_key("Pensacola") != M.city_key("Pensacola Beach")
    assert M.state_key("fl") == M.state_key(" FL ") == M.state_key("Florida") == "FL"
    assert M.state_key("New York") == "NY"
    assert M.state_key("") == ""
    assert M.state_key("FL") != M.state_key("AL")


# --------------------------------------------------------------------------- streets


@pytest.mark.parametrize("a, b", [
    (("123 North Main Street Apartment 4", None), ("123 N MAIN ST", "APT 4")),
    (("123 North Main Street Apartment 4", ""), ("123 N Main St", "#4")),
    (("123 N. Main St.", "Apt. 4"), ("123 N MAIN ST", "APT 4")),
    (("123 n main st #4", None), ("123 N MAIN ST", "Unit 4")),
    (("123 N Main St", "Apartment 4"), ("123 N Main St", "4")),
    (("123 N Main St Apt 4", "Apt 4"), ("123 N Main St", "APT 4")),
    (("123 N Main St", "Apt 04"), ("123 N Main St", "Apt 4")),
    (("123 N Main St", "Apt 4-B"), ("123 N Main St", "Apt 4B")),
    (("123 N Main St", "Apt4B"), ("123 N Main St", "# 4b")),
    (("123 N Main St", "Bldg 2 Apt 4"), ("123 N Main St Building 2", "Apartment 4")),
    (("123 N Main St", "2nd Floor"), ("123 N Main St", "Fl 2")),
    (("123 N Main St", "Suite 300"), ("123 N Main St", "STE 300")),
    (("123 Northwest Main Street", None), ("123 NW Main St", None)),
    (("123 Main Avenue", None), ("123 MAIN AVE", None)),
    (("4567 Martin Luther King Jr Boulevard", None), ("4567 Martin Luther King Jr Blvd", None)),
    (("123 First Street", None), ("123 1st St", None)),
    (("123 Saint James Place", None), ("123 St. James Pl", None)),
    (("123 Calle Mañana", None), ("123 CALLE MANANA", None)),
    (("P.O. Box 12", None), ("PO Box 12", None)),
    (("Rural Route 2 Box 5", None), ("RR 2 Box 5", None)),
    (("  123   Main   St ", None), ("123 MAIN ST", None)),
    (("123 Main St", "c/o John Smith"), ("123 Main St", None)),
])
def test_addresses_that_match(a, b):
    ka, kb = M.location_keys(*a), M.location_keys(*b)
    assert ka == kb
    assert ka[0] != ""


@pytest.mark.parametrize("a, b", [
    (("123 N Main St", None), ("124 N Main St", None)),       # house number
    (("123 N Main St", None), ("123 S Main St", None)),       # directional
    (("123 N Main St", None), ("123 Main St", None)),         # directional missing
    (("123 N Main St", None), ("123 Main St N", None)),       # pre- vs post-directional
    (("123 Main St", None), ("123 Main Ave", None)),          # street type
    (("123 Main St", "Apt 4"), ("123 Main St", "Apt 5")),     # unit
    (("123 Main St", "Apt 4"), ("123 Main St", None)),        # unit vs none
    (("123 Main St", "Apt 4"), ("123 Main St", "Apt 4B")),
    (("123 Main St", "Apt 2"), ("123 Main St", "Bldg 2")),    # a building is not a unit
    (("123 Main St", "Apt 2"), ("123 Main St", "Fl 2")),
    (("123 Main St", "Bldg 1 Apt 4"), ("123 Main St", "Bldg 2 Apt 4")),
    (("PO Box 12", None), ("PO Box 21", None)),
])
def test_addresses_that_do_not_match(a, b):
    assert M.location_keys(*a) != M.location_keys(*b)


def test_street_and_unit_keys():
    assert M.street_key("123 North Main Street Apartment 4") == "123 N MAIN ST"
    assert M.unit_key("Apartment 4") == M.unit_key("APT 4") == M.unit_key("Apt. 4") \
        == M.unit_key("#4") == M.unit_key("Unit 4") == "4"
    assert M.unit_key("Bldg 2 Apt 4B") == M.unit_key("Apt 4B Bldg 2") == "4B BLDG2"
    assert M.unit_key("Rear") == M.unit_key("REAR") == "REAR"
    assert M.unit_key(None) == M.unit_key("") == M.unit_key("Apt") == ""
    assert M.location_keys(None, None) == ("", "")


@pytest.mark.parametrize("street1", [
    "PO Box 12", "xyz", "123 Main St Apt", "123 Elm St Apt 4 Apt 4", "!!!", "#", "-",
    "1 " * 200, "123 Main St (rear)", "((((", "123 Main St, Pensacola, FL 32502",
    "Ω≈ç√∫", "\u0000", "123 ½ Main St",
])
def test_street_never_raises_and_is_deterministic(street1):
    first = M.location_keys(street1, "Apt 4")
    M._parse_street.cache_clear()
    assert M.location_keys(street1, "Apt 4") == first
    assert isinstance(first[0], str) and "4" in first[1].split()


def test_unparseable_street_gets_a_fallback_key():
    assert M.street_key("Post Office Box 12") == "PO BOX 12"
    assert M.location_keys("123 Elm Street Apt 4 Apt 4", None) == ("123 ELM ST", "4")


# --------------------------------------------------------------------------- customer keys


def test_customer_keys():
    keys = M.customer_keys("José", "García López", "M.", "Jr.", "123-45-6789",
                           dt.datetime(1980, 5, 15, 10, 0), "d-123", "123 North Main Street",
                           "Apartment 4", "Pensacola", "fl", "32502-1234")
    assert keys == M.CustomerKeys(
        first_name="JOSE", last_name="GARCIALOPEZ", middle_name="M", suffix="JR",
        ssn="123456789", ssn_last4="6789", dl="D123", dob=dt.date(1980, 5, 15),
        street="123 N MAIN ST", unit="4", city="PENSACOLA", state="FL", zip5="32502")
    assert keys.name_key == "JOSE|GARCIALOPEZ"
    assert "123456789" not in repr(keys) and "6789" not in repr(keys)
    assert M.customer_keys() == M.CustomerKeys()


def test_query_keys_validates_given_values():
    with pytest.raises(ApiError) as e:
        M.query_keys(Duplicate_QueryRequest(SSNTaxId="12-345", SSNTaxIdLast4="12",
                                            Zip="325", State="Floridaa",
                                            DriversLicenseNumber="--"))
    assert e.value.code == "S2010"
    assert e.value.message == (
        "SSNTaxId: must be 9 digits (dashes and spaces are ignored); "
        "SSNTaxIdLast4: must be 4 digits; "
        "DriversLicenseNumber: must contain letters or digits; "
        "Zip: must be 5 digits (ZIP+4 accepted); "
        "State: must be a 2-letter USPS state abbreviation")
    with pytest.raises(ApiError) as e:
        M.query_keys(Duplicate_QueryRequest(SSNTaxId="123-45-6789", SSNTaxIdLast4="1234"))
    assert e.value.message == "SSNTaxIdLast4: is not the last 4 digits of SSNTaxId"
    assert "6789" not in e.value.message


def test_query_keys_last4_from_ssn_and_blank_values():
    q = M.query_keys(Duplicate_QueryRequest(SSNTaxId="123-45-6789", FirstName=" ",
                                            Zip=""))
    assert (q.ssn, q.ssn_last4, q.first_name, q.zip5) == ("123456789", "6789", "", None)
    q = M.query_keys(Duplicate_QueryRequest(SSNTaxIdLast4="6789"))
    assert (q.ssn, q.ssn_last4) == (None, "6789")


# --------------------------------------------------------------------------- patterns


def test_the_seven_default_patterns_in_order():
    assert [p.name for p in M.DEFAULT_PATTERNS] == [
        "SSNTaxId", "DriversLicenseNumber", "SSNTaxIdLast4,DateOfBirth",
        "FirstName,LastName,SSNTaxIdLast4", "Street1,Street2,City,State,Zip",
        "Street1,Street2,City,State", "Street1,Street2,Zip"]
    assert [p.match_type for p in M.DEFAULT_PATTERNS] == [
        "PERSON", "PERSON", "PERSON", "PERSON", "LOCATION", "LOCATION", "LOCATION"]


@pytest.mark.parametrize("text, name", [
    ("SSNTaxId", "SSNTaxId"),
    ("SSNTaxID", "SSNTaxId"),
    ("ssntaxid", "SSNTaxId"),
    (" SSNTaxIDLast4 , DateOfBirth ", "SSNTaxIdLast4,DateOfBirth"),
    ("driverslicensenumber", "DriversLicenseNumber"),
    ("FirstName,LastName,SSNTaxIdLast4", "FirstName,LastName,SSNTaxIdLast4"),
    ("Street1,Street2,City,State,ZIP", "Street1,Street2,City,State,Zip"),
    ("street1, street2, zip", "Street1,Street2,Zip"),
    ("LastName,LastName,MiddleName,Suffix", "LastName,MiddleName,Suffix"),
])
def test_parse_pattern(text, name):
    assert M.parse_pattern(text).name == name


def test_mixed_pattern_is_person():
    assert M.parse_pattern("LastName,Zip").match_type == "PERSON"
    assert M.parse_pattern("City,State").match_type == "LOCATION"


@pytest.mark.parametrize("text, message", [
    ("SSNTaxId,Phone", "Options/MatchPatterns: unknown field name 'Phone' in the pattern "
                       "'SSNTaxId,Phone' (known: SSNTaxId, SSNTaxIdLast4, DateOfBirth, "
                       "DriversLicenseNumber, FirstName, LastName, MiddleName, Suffix, "
                       "Street1, Street2, City, State, Zip)"),
    ("SSNTaxId,,Zip", "Options/MatchPatterns: an empty field name in the pattern "
                      "'SSNTaxId,,Zip'"),
    ("  ", "Options/MatchPatterns: a match pattern is empty (field names separated by "
           "commas)"),
])
def test_bad_pattern_is_s2010(text, message):
    with pytest.raises(ApiError) as e:
        M.parse_pattern(text)
    assert (e.value.code, e.value.message) == ("S2010", message)


def _keys(**kw):
    return M.customer_keys(**kw)


PERSON_A = dict(first="Mary", last="Smith-Jones", ssn="123-45-6789",
                dob_value=dt.date(1980, 5, 15), dl="D123-456",
                street1="123 North Main Street Apartment 4", city="Pensacola", state="FL",
                zip_code="32502")


@pytest.mark.parametrize("pattern, query", [
    ("SSNTaxId", dict(ssn="123456789", first="Marie")),
    ("DriversLicenseNumber", dict(dl="d 123 456")),
    ("SSNTaxIdLast4,DateOfBirth", dict(ssn="999-99-6789", dob_value="1980-05-15")),
    ("FirstName,LastName,SSNTaxIdLast4", dict(first="MARY", last="smith jones",
                                               ssn="999996789")),
    ("Street1,Street2,City,State,Zip", dict(street1="123 N Main St", street2="#4",
                                            city="PENSACOLA", state="Florida",
                                            zip_code="32502-0001", last="Smith")),
    ("Street1,Street2,City,State", dict(street1="123 N Main St", street2="Apt 4",
                                        city="Pensacola", state="FL", zip_code="99999")),
    ("Street1,Street2,Zip", dict(street1="123 N. Main St. Apt 4", city="Elsewhere",
                                 zip_code="32502")),
])
def test_each_default_pattern_on_its_own(pattern, query):
    """The query matches by its pattern (a full address also by the two shorter address
    patterns it implies) and by no other default pattern."""
    customer, q = _keys(**PERSON_A), _keys(**query)
    matched = [p.name for p in M.DEFAULT_PATTERNS if M.keys_match(p, q, customer)]
    implied = {"Street1,Street2,City,State,Zip": ["Street1,Street2,City,State",
                                                  "Street1,Street2,Zip"]}
    assert matched == [pattern, *implied.get(pattern, [])]


def test_patterns_are_skipped_when_a_field_is_not_given():
    q = _keys(ssn="123456789")
    names = [p.name for p in M.DEFAULT_PATTERNS if M.pattern_values(p, q) is not None]
    assert names == ["SSNTaxId"]  # last4 derived, but no DOB / name given
    q = M.query_keys(Duplicate_QueryRequest(SSNTaxId="123456789", DateOfBirth=dt.datetime(
        1980, 5, 15)))
    assert [p.name for p in M.DEFAULT_PATTERNS if M.pattern_values(p, q) is not None] == [
        "SSNTaxId", "SSNTaxIdLast4,DateOfBirth"]


def test_street2_empty_means_no_unit():
    house = _keys(street1="55 Oak Ave", city="Pensacola", state="FL", zip_code="32502")
    flat = _keys(street1="55 Oak Ave", street2="Apt 1", city="Pensacola", state="FL",
                 zip_code="32502")
    q = _keys(street1="55 Oak Avenue", city="Pensacola", state="FL", zip_code="32502")
    pattern = M.DEFAULT_PATTERNS[4]
    assert M.pattern_values(pattern, q) == {"Street1": "55 OAK AVE", "Street2": "",
                                            "City": "PENSACOLA", "State": "FL",
                                            "Zip": "32502"}
    assert M.keys_match(pattern, q, house)
    assert not M.keys_match(pattern, q, flat)
    # Street1 without Street2 in a client pattern: any unit of the building
    building = M.parse_pattern("Street1,Zip")
    assert M.keys_match(building, q, house) and M.keys_match(building, q, flat)
    # no street at all: the location patterns are skipped
    assert M.pattern_values(pattern, _keys(city="Pensacola", state="FL",
                                           zip_code="32502")) is None


def test_a_pattern_of_street2_alone_needs_a_unit_or_a_street():
    only_unit = M.parse_pattern("Street2,Zip")
    assert M.pattern_values(only_unit, _keys(zip_code="32502")) is None
    assert M.pattern_values(only_unit, _keys(street2="Apt 4", zip_code="32502")) == {
        "Street2": "4", "Zip": "32502"}


# --------------------------------------------------------------------------- options


def test_default_options():
    opts = M.resolve_options(Duplicate_QueryRequest())
    assert opts == M.ResolvedOptions(ignore_closed=True, lifeline_programs=(),
                                     bill_profile_ids=(), patterns=M.DEFAULT_PATTERNS)
    assert opts.echo() == DuplicateOptions(
        IgnoreClosed=True, LifelinePrograms=[], BillProfileIDs=[],
        MatchPatterns=list(M.DEFAULT_PATTERN_TEXTS))


def test_flat_options():
    opts = M.resolve_options(Duplicate_QueryRequest(
        OptionIgnoreClosed=False, OptionMatchPatterns=["ssntaxid", "Street1,ZIP"],
        OptionBillProfileIDs=[3, 1, 3], OptionLifelinePrograms=["etc_lifeline"]))
    assert opts.echo() == DuplicateOptions(
        IgnoreClosed=False, LifelinePrograms=["ETC_LIFELINE"], BillProfileIDs=[3, 1],
        MatchPatterns=["SSNTaxId", "Street1,Zip"])


def test_nested_options():
    opts = M.resolve_options(Duplicate_QueryRequest(Options=DuplicateOptions(
        IgnoreClosed=False, MatchPatterns=["DateOfBirth,SSNTaxIdLast4",
                                           "SSNTaxIdLast4,DateOfBirth"],
        LifelinePrograms=["NON_LIFELINE", "NON_ETC_LIFELINE"], BillProfileIDs=[7])))
    assert opts.echo() == DuplicateOptions(
        IgnoreClosed=False, LifelinePrograms=["NON_LIFELINE", "NON_ETC_LIFELINE"],
        BillProfileIDs=[7], MatchPatterns=["DateOfBirth,SSNTaxIdLast4"])


def test_flat_options_win_per_field_over_nested():
    opts = M.resolve_options(Duplicate_QueryRequest(
        OptionIgnoreClosed=True, OptionMatchPatterns=[],
        OptionBillProfileIDs=[1],
        Options=DuplicateOptions(IgnoreClosed=False, MatchPatterns=["Zip"],
                                 BillProfileIDs=[2], LifelinePrograms=["ETC_LIFELINE"])))
    assert opts.echo() == DuplicateOptions(
        IgnoreClosed=True, LifelinePrograms=["ETC_LIFELINE"], BillProfileIDs=[1],
        MatchPatterns=["Zip"])


@pytest.mark.parametrize("request_, message", [
    (Duplicate_QueryRequest(OptionLifelinePrograms=["LIFELINE"]),
     "OptionLifelinePrograms: 'LIFELINE' is not a lifeline program (one of NON_LIFELINE, "
     "ETC_LIFELINE, NON_ETC_LIFELINE)"),
    (Duplicate_QueryRequest(Options=DuplicateOptions(LifelinePrograms=["x"])),
     "Options/LifelinePrograms: 'x' is not a lifeline program (one of NON_LIFELINE, "
     "ETC_LIFELINE, NON_ETC_LIFELINE)"),
    (Duplicate_QueryRequest(OptionMatchPatterns=["SSN"]),
     "OptionMatchPatterns: unknown field name 'SSN' in the pattern 'SSN' (known: "
     "SSNTaxId, SSNTaxIdLast4, DateOfBirth, DriversLicenseNumber, FirstName, LastName, "
     "MiddleName, Suffix, Street1, Street2, City, State, Zip)"),
])
def test_bad_options_are_s2010(request_, message):
    with pytest.raises(ApiError) as e:
        M.resolve_options(request_)
    assert (e.value.code, e.value.message) == ("S2010", message)


def test_customer_eligible():
    default = M.resolve_options(Duplicate_QueryRequest())
    assert M.customer_eligible(default, status="OPEN", bill_profile_id=1,
                               lifeline_program=None)
    assert not M.customer_eligible(default, status="CLOSED", bill_profile_id=1,
                                   lifeline_program=None)
    opts = M.resolve_options(Duplicate_QueryRequest(
        OptionIgnoreClosed=False, OptionBillProfileIDs=[2],
        OptionLifelinePrograms=["NON_LIFELINE"]))
    assert M.customer_eligible(opts, status="CLOSED", bill_profile_id=2,
                               lifeline_program=None)
    assert not M.customer_eligible(opts, status="OPEN", bill_profile_id=1,
                                   lifeline_program=None)
    assert not M.customer_eligible(opts, status="OPEN", bill_profile_id=2,
                                   lifeline_program="ETC_LIFELINE")


# --------------------------------------------------------------------------- matches

P = {p.name: p for p in M.DEFAULT_PATTERNS}


def test_build_matches_one_row_per_customer_and_type():
    out = M.build_matches([
        (P["SSNTaxId"], [7]),
        (P["SSNTaxIdLast4,DateOfBirth"], [9, 7]),
        (P["Street1,Street2,City,State,Zip"], [7, 3]),
        (P["Street1,Street2,City,State"], [3, 7, 5]),
        (P["Street1,Street2,Zip"], [3, 5, 7]),
    ])
    assert out.matches == (
        M.MatchRow("SSNTaxId", "PERSON", 7),
        M.MatchRow("SSNTaxIdLast4,DateOfBirth", "PERSON", 9),
        M.MatchRow("Street1,Street2,City,State,Zip", "LOCATION", 3),
        M.MatchRow("Street1,Street2,City,State,Zip", "LOCATION", 7),
        M.MatchRow("Street1,Street2,City,State", "LOCATION", 5),
    )
    assert (out.total, out.person, out.location, out.truncated) == (5, 2, 3, False)


def test_build_matches_none():
    out = M.build_matches([(P["SSNTaxId"], []), (P["Street1,Street2,Zip"], set())])
    assert (out.matches, out.total, out.person, out.location) == ((), 0, 0, 0)


def test_build_matches_cap_keeps_exact_counts():
    out = M.build_matches([(P["SSNTaxId"], range(1, 4)),
                           (P["Street1,Street2,Zip"], range(1, 301))], limit=100)
    assert len(out.matches) == 100
    assert out.matches[:4] == (M.MatchRow("SSNTaxId", "PERSON", 1),
                               M.MatchRow("SSNTaxId", "PERSON", 2),
                               M.MatchRow("SSNTaxId", "PERSON", 3),
                               M.MatchRow("Street1,Street2,Zip", "LOCATION", 1))
    assert out.matches[-1] == M.MatchRow("Street1,Street2,Zip", "LOCATION", 97)
    assert (out.total, out.person, out.location, out.truncated) == (303, 3, 300, True)
    assert M.MAX_MATCHES == 100


def test_docstring_examples():
    result = doctest.testmod(M)
    assert result.attempted >= 12 and result.failed == 0
