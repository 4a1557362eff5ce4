"""NewCustomers_Quote: charges and telecom taxes of the demo packages in a ZIP code, over JSON,
SOAP 1.1 and SOAP 1.2; the table tax engine (openrev.domain.tax); ``openrev tax load/show``.

The amounts are those of the shipped SAMPLE tax table (src/openrev/store/tax_sample.toml):
32502 Pensacola FL (federal, Florida, Escambia County, Pensacola lines), 10001 New York NY
(federal, New York State, New York County, New York City lines), 97201 Portland OR (a state
the sample leaves out: federal lines only).
"""

from __future__ import annotations

from decimal import Decimal as D
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from helpers import DEMO, OTHER, error, ok
from openrev.cli import main
from openrev.domain import tax
from openrev.domain.tax import (
    Jurisdiction, TableTaxEngine, TaxTableError, exempted, parse_table,
)
from openrev.store.tax import sample_text

OP = "NewCustomers_Quote"

USF = "Federal Universal Service Fund (sample rate)"
FET = "Federal Excise Tax (sample rate)"
COST = "Federal Regulatory Cost Recovery Fee (sample amount)"
FL_CST = "Florida Communications Services Tax (sample rate)"
FL_SALES = "Florida Sales Tax (sample rate)"
FL_E911 = "Florida E911 Fee (sample amount)"
ESCAMBIA = "Escambia County Discretionary Sales Surtax (sample rate)"
PENSACOLA = "Pensacola Local Communications Services Tax (sample rate)"
NY_EXCISE = "New York Telecommunications Excise Tax (sample rate)"
NY_SALES = "New York State Sales Tax (sample rate)"
NY_E911 = "New York Wireless E911 Surcharge (sample amount)"
MCTD = "New York County MCTD Surcharge (sample rate)"
NYC_SALES = "New York City Sales Tax (sample rate)"

M, O = "Monthly", "OneTime"

CHARGES = {
    1001: [("Unlimited Talk & Text", "25.00", M), ("5GB Data", "15.00", M),
           ("Activation Fee", "35.00", O)],
    1002: [("Unlimited Talk & Text", "25.00", M), ("Lifeline Discount", "-9.25", M)],
    1003: [("Business Voice Line", "29.95", M)],
}

# (package, ZIP) -> the tax lines (in table order, OneTime before Monthly of one tax)
TAXES = {
    (1001, "32502"): [(USF, "1.40", M), (COST, "0.20", M), (FL_CST, "2.98", M),
                      (FL_SALES, "2.10", O), (FL_E911, "0.40", M), (ESCAMBIA, "0.53", O),
                      (PENSACOLA, "2.09", M)],
    # the Lifeline credit reduces the base of the percentage taxes: 25.00 - 9.25 = 15.75
    (1002, "32502"): [(USF, "0.55", M), (COST, "0.10", M), (FL_CST, "1.17", M),
                      (FL_E911, "0.40", M), (PENSACOLA, "0.82", M)],
    (1003, "32502"): [(USF, "1.05", M), (FET, "0.90", M), (COST, "0.10", M),
                      (FL_CST, "2.23", M), (FL_E911, "0.40", M), (PENSACOLA, "1.56", M)],
    (1001, "10001"): [(USF, "1.40", M), (COST, "0.20", M), (NY_EXCISE, "1.00", M),
                      (NY_SALES, "1.40", O), (NY_E911, "1.20", M), (MCTD, "0.13", O),
                      (NYC_SALES, "1.58", O)],
    (1002, "10001"): [(USF, "0.55", M), (COST, "0.10", M), (NY_EXCISE, "0.39", M),
                      (NY_E911, "1.20", M)],
    (1003, "10001"): [(USF, "1.05", M), (FET, "0.90", M), (COST, "0.10", M),
                      (NY_EXCISE, "0.75", M)],
    (1001, "97201"): [(USF, "1.40", M), (COST, "0.20", M)],
    (1002, "97201"): [(USF, "0.55", M), (COST, "0.10", M)],
    (1003, "97201"): [(USF, "1.05", M), (FET, "0.90", M), (COST, "0.10", M)],
}

# (package, ZIP) -> OneTime revenue, taxes, subtotal; Monthly revenue, taxes, subtotal; Total
SUBTOTALS = {
    (1001, "32502"): ("35.00", "2.63", "37.63", "40.00", "7.07", "47.07", "84.70"),
    (1002, "32502"): ("0.00", "0.00", "0.00", "15.75", "3.04", "18.79", "18.79"),
    (1003, "32502"): ("0.00", "0.00", "0.00", "29.95", "6.24", "36.19", "36.19"),
    (1001, "10001"): ("35.00", "3.11", "38.11", "40.00", "3.80", "43.80", "81.91"),
    (1002, "10001"): ("0.00", "0.00", "0.00", "15.75", "2.24", "17.99", "17.99"),
    (1003, "10001"): ("0.00", "0.00", "0.00", "29.95", "2.80", "32.75", "32.75"),
    (1001, "97201"): ("35.00", "0.00", "35.00", "40.00", "1.60", "41.60", "76.60"),
    (1002, "97201"): ("0.00", "0.00", "0.00", "15.75", "0.65", "16.40", "16.40"),
    (1003, "97201"): ("0.00", "0.00", "0.00", "29.95", "2.05", "32.00", "32.00"),
}

SUBTOTAL_FIELDS = ("Subtotal_OneTime_Revenue", "Subtotal_OneTime_Taxes", "Subtotal_OneTime",
                   "Subtotal_Monthly_Revenue", "Subtotal_Monthly_Taxes", "Subtotal_Monthly",
                   "Total")


def details(rows: list[tuple[str, str, str]]) -> list[dict]:
    return [{"Description": d, "Amount": D(a), "Category": c} for d, a, c in rows]


def subtotals(out: dict) -> tuple[str, ...]:
    return tuple(str(D(out[f]).quantize(D("0.01"))) for f in SUBTOTAL_FIELDS)


def listed(out: dict, name: str) -> list[dict]:
    return [{k: (D(v) if k == "Amount" else v) for k, v in item.items()}
            for item in out.get(name) or []]


def assert_sums(out: dict) -> None:
    """Every subtotal is exactly the sum of its details; Total the sum of the subtotals."""
    for cat in (O, M):
        revenue = sum((d["Amount"] for d in listed(out, "Details_Charges")
                       if d["Category"] == cat), D(0))
        taxes = sum((d["Amount"] for d in listed(out, "Details_Taxes") if d["Category"] == cat),
                    D(0))
        assert D(out[f"Subtotal_{cat}_Revenue"]) == revenue
        assert D(out[f"Subtotal_{cat}_Taxes"]) == taxes
        assert D(out[f"Subtotal_{cat}"]) == revenue + taxes
    assert D(out["Total"]) == D(out["Subtotal_OneTime"]) + D(out["Subtotal_Monthly"])


# --------------------------------------------------------------------------- over the wire


@pytest.mark.parametrize("zip5", ["32502", "10001", "97201"])
@pytest.mark.parametrize("package", [1001, 1002, 1003])
def test_quote_of_each_demo_package(call, package, zip5):
    out = ok(call(OP, {"Credentials": DEMO, "ZIP": zip5, "PackageID": package}))
    assert listed(out, "Details_Charges") == details(CHARGES[package])
    assert listed(out, "Details_Taxes") == details(TAXES[package, zip5])
    assert subtotals(out) == SUBTOTALS[package, zip5]
    assert_sums(out)


def test_the_zip_of_the_address_is_quoted(call):
    address = {"Address1": "100 Main St", "City": "Pensacola", "State": "FL", "Zip": "32502"}
    out = ok(call(OP, {"Credentials": DEMO, "PackageID": 1001, "Address": address}))
    assert subtotals(out) == SUBTOTALS[1001, "32502"]
    # ZIP and Address/Zip may both be given when they agree
    out = ok(call(OP, {"Credentials": DEMO, "PackageID": 1001, "ZIP": "32502",
                       "Address": dict(address, Zip4="1234", FirstName="Ann")}))
    assert subtotals(out) == SUBTOTALS[1001, "32502"]


def test_overrides_of_rate_quantity_and_description(call):
    extras = [{"ProductID": 2004, "Rate": "5.00", "Quantity": 2,
               "Description": "Express shipping"},
              {"ProductID": 2001, "Quantity": 3}]
    out = ok(call(OP, {"Credentials": DEMO, "ZIP": "10001", "PackageID": 1003,
                       "AdditionalProducts": extras}))
    assert listed(out, "Details_Charges") == details([
        ("Business Voice Line", "29.95", M), ("Express shipping", "10.00", O),
        ("Unlimited Talk & Text", "75.00", M)])
    # monthly base 104.95 (voice 29.95 + wireless 75.00), 4 units; shipping 10.00 one-time
    assert listed(out, "Details_Taxes") == details([
        (USF, "3.67", M), (FET, "0.90", M), (COST, "0.40", M), (NY_EXCISE, "2.62", M),
        (NY_SALES, "0.40", O), (NY_E911, "1.20", M), (MCTD, "0.04", O), (NYC_SALES, "0.45", O)])
    assert subtotals(out) == ("10.00", "0.89", "10.89", "104.95", "8.79", "113.74", "124.63")
    assert_sums(out)


def test_a_credit_larger_than_the_charges_gives_no_percentage_tax(call):
    extras = [{"ProductID": 2005, "Rate": "-30.00"}]
    out = ok(call(OP, {"Credentials": DEMO, "ZIP": "97201", "PackageID": 1002,
                       "AdditionalProducts": extras}))
    # monthly net 25.00 - 9.25 - 30.00 = -14.25: no USF; the one positive unit pays its fee
    assert listed(out, "Details_Taxes") == details([(COST, "0.10", M)])
    assert subtotals(out) == ("0.00", "0.00", "0.00", "-14.25", "0.10", "-14.15", "-14.15")


@pytest.mark.parametrize("body, code, message", [
    ({"ZIP": "00000", "PackageID": 1001}, "S2015", "ZIP: 00000 is not a known US zip code"),
    ({"PackageID": 1001, "Address": {"Address1": "1 A St", "City": "X", "State": "FL",
                                     "Zip": "00000"}},
     "S2015", "Address/Zip: 00000 is not a known US zip code"),
    ({"ZIP": "32502", "PackageID": 999}, "PK2013", "PackageID: 999 does not exist"),
    ({"ZIP": "32502", "PackageID": 1101}, "PK2013", "PackageID: 1101 does not exist"),
    ({"ZIP": "32502", "PackageID": 1001, "AdditionalProducts": [{"ProductID": 2004},
                                                                {"ProductID": 2101}]},
     "PR2023", "AdditionalProducts/Product[2]/ProductID: 2101 does not exist"),
    ({"PackageID": 1001}, "S2010", "ZIP: required (or Address/Zip)"),
    ({"ZIP": "3250", "PackageID": 1001}, "S2010", "ZIP: must be 5 digits"),
    ({"ZIP": "32502"}, "S2010", "PackageID: required"),
    ({"ZIP": "32502", "PackageID": 1001, "AdditionalProducts": [{"Quantity": 0}]},
     "S2010", "AdditionalProducts/Product[1]/ProductID: required; "
              "AdditionalProducts/Product[1]/Quantity: must be 1 or greater"),
    ({"ZIP": "10001", "PackageID": 1001,
      "Address": {"ID": 5, "Address1": "1 A St", "City": "Pensacola", "State": "FL",
                  "Zip": "32502"}},
     "S2010", "Address/ID: prohibited; Address/Zip: 32502 differs from ZIP 10001"),
    ({"PackageID": 1001, "Address": {"Zip": "32502", "Zip4": "12"}},
     "S2010", "Address/Address1: required; Address/City: required; Address/State: required; "
              "Address/Zip4: must be 4 digits"),
    # input (S2010) before S2015 before existence
    ({"ZIP": "00000"}, "S2010", "PackageID: required"),
    ({"ZIP": "00000", "PackageID": 999}, "S2015", "ZIP: 00000 is not a known US zip code"),
])
def test_errors(call, body, code, message):
    error(call(OP, {"Credentials": DEMO, **body}), code, message)


def test_authentication_comes_first(call):
    out = call(OP, {"Session": {"SessionKey": "made-up"}, "ZIP": "00000"})
    assert out["Header"]["Error_Code"] == "S2004"


def test_another_client_quotes_its_own_catalog(call):
    out = ok(call(OP, {"Credentials": OTHER, "ZIP": "97201", "PackageID": 1101}))
    assert listed(out, "Details_Charges") == details([("Other Unlimited", "30.00", M)])
    assert listed(out, "Details_Taxes") == details([(USF, "1.05", M), (COST, "0.10", M)])
    error(call(OP, {"Credentials": OTHER, "ZIP": "97201", "PackageID": 1001}),
          "PK2013", "PackageID: 1001 does not exist")


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(zip5=st.sampled_from(["32502", "10001", "97201"]),
       package=st.sampled_from([1001, 1002, 1003]),
       extras=st.lists(st.fixed_dictionaries(
           {"ProductID": st.sampled_from([2001, 2002, 2003, 2004, 2005, 2006])},
           optional={"Rate": st.decimals("-50", "200", places=2).map(str),
                     "Quantity": st.integers(1, 9)}), max_size=4))
def test_sums_hold_over_the_wire_for_random_mixes(client, zip5, package, extras):
    from helpers import binding_call

    out = ok(binding_call(client, "json")(OP, {"Credentials": DEMO, "ZIP": zip5,
                                                "PackageID": package,
                                                "AdditionalProducts": extras}))
    assert_sums(out)


# --------------------------------------------------------------------------- the domain

SAMPLE = parse_table(sample_text())
WHERE = {z: tax.jurisdiction_of(z) for z in ("32502", "10001", "97201")}

charges_st = st.lists(st.builds(
    tax.charge,
    description=st.just("x"),
    rate=st.one_of(st.decimals("-100", "500", places=2), st.decimals("-100", "500", places=4)),
    quantity=st.integers(1, 20),
    recurring=st.booleans(),
    tax_category=st.sampled_from(tax.CATEGORIES + (None,)),
), max_size=12)


@settings(max_examples=400, deadline=None)
@given(charges=charges_st, zip5=st.sampled_from(sorted(WHERE)),
       exemptions=st.lists(st.sampled_from(sorted(tax.SURETAX_EXEMPTIONS)), max_size=2))
def test_sums_hold_to_the_cent_for_random_mixes(charges, zip5, exemptions):
    q = tax.quote(charges, TableTaxEngine(SAMPLE), WHERE[zip5], exemptions)
    cent = D("0.01")
    for cat in tax.CHARGE_CATEGORIES:
        assert q.revenue[cat] == sum((c.amount for c in charges if c.category == cat), D(0))
        assert q.tax_totals[cat] == sum((t.amount for t in q.taxes if t.category == cat), D(0))
        assert q.subtotals[cat] == q.revenue[cat] + q.tax_totals[cat]
    assert q.total == q.subtotals["OneTime"] + q.subtotals["Monthly"]
    for t in q.taxes:
        assert t.amount == t.amount.quantize(cent) and t.amount > 0
    assert q.total == q.total.quantize(cent)


def test_each_tax_line_is_rounded_half_up_on_its_own():
    table = parse_table("""
[table]
name = "t"
[[tax]]
id = "a"
description = "A"
level = "federal"
kind = "percent"
type = "other"
rate = "1.5"
categories = ["general"]
[[tax]]
id = "b"
description = "B"
level = "federal"
kind = "percent"
type = "other"
rate = "1.5"
categories = ["general"]
""")
    q = tax.quote([tax.charge("x", D("35.00"), 1, False, None)], TableTaxEngine(table),
                  WHERE["97201"])
    # 0.525 each: 0.53 + 0.53 = 1.06 (not round(1.05) = 1.05)
    assert [t.amount for t in q.taxes] == [D("0.53"), D("0.53")]
    assert q.tax_totals["OneTime"] == D("1.06")


def test_jurisdiction_of_a_zip():
    assert tax.jurisdiction_of("32502") == Jurisdiction("32502", "FL", "Escambia County",
                                                        "Pensacola")
    assert tax.jurisdiction_of("00000") is None


def _defn(level: str, type_: str, kind: str = "percent") -> tax.TaxDefinition:
    return tax.TaxDefinition("t", "T", level, kind, type_, frozenset({"general"}))


@pytest.mark.parametrize("engine, value, removed, kept", [
    ("CCH", "Federal", [_defn("federal", "usf"), _defn("federal", "excise")],
     [_defn("state", "excise")]),
    ("CCH", "State", [_defn("state", "sales_use")], [_defn("county", "sales_use")]),
    ("CCH", "County", [_defn("county", "surcharge")], [_defn("city", "sales_use")]),
    ("CCH", "City", [_defn("city", "telecom")], [_defn("local", "telecom")]),
    ("CCH", "Local", [_defn("local", "telecom")], [_defn("city", "telecom")]),
    ("CCH", "Other", [], [_defn("federal", "usf")]),
    ("SURETAX", "FET", [_defn("federal", "excise")], [_defn("federal", "usf"),
                                                      _defn("state", "excise")]),
    ("SURETAX", "Local", [_defn("county", "x"), _defn("city", "x"), _defn("local", "x")],
     [_defn("state", "x")]),
    ("SURETAX", "FET_State_Local", [_defn("federal", "excise"), _defn("state", "usf"),
                                    _defn("city", "e911", "per_line")],
     [_defn("federal", "usf")]),
    ("SURETAX", "Unit_Based", [_defn("state", "e911", "per_line"),
                               _defn("federal", "other", "per_unit")],
     [_defn("state", "e911")]),
    ("SURETAX", "Unit_Based_E911", [_defn("state", "e911", "per_line")],
     [_defn("federal", "other", "per_unit")]),
    ("SURETAX", "Unit_Only", [_defn("state", "excise")], [_defn("state", "e911", "per_line")]),
    ("SURETAX", "USF", [_defn("federal", "usf"), _defn("state", "usf")],
     [_defn("federal", "excise")]),
    ("SURETAX", "FUSF", [_defn("federal", "usf")], [_defn("state", "usf")]),
    ("SURETAX", "FET_FUSF_State_Sales_Use",
     [_defn("federal", "excise"), _defn("federal", "usf"), _defn("state", "sales_use")],
     [_defn("city", "sales_use"), _defn("state", "excise")]),
    ("SURETAX", "State_Excise_Local_Telecom", [_defn("state", "excise"), _defn("city", "telecom")],
     [_defn("state", "telecom"), _defn("federal", "excise")]),
    ("SURETAX", "State_Local_Sales_Use", [_defn("state", "sales_use"), _defn("county", "sales_use")],
     [_defn("federal", "sales_use"), _defn("state", "excise")]),
    ("SURETAX", "All", [_defn("federal", "usf"), _defn("city", "e911", "per_unit")], []),
    ("SURETAX", "None", [], [_defn("federal", "usf")]),
])
def test_exemption_mapping(engine, value, removed, kept):
    for d in removed:
        assert exempted(d, [value], engine), (value, d)
    for d in kept:
        assert not exempted(d, [value], engine), (value, d)


def test_every_exemption_value_of_the_lists_is_mapped():
    from openrev.contract.enums import CCHTaxExemption, SureTaxTaxExemption

    assert set(tax.CCH_EXEMPTIONS) == set(CCHTaxExemption.values)
    assert set(tax.SURETAX_EXEMPTIONS) == set(SureTaxTaxExemption.values)


def test_exemptions_remove_taxes_from_a_quote():
    charges = [tax.charge("Voice", D("100.00"), 1, True, "voice_service")]
    fl = WHERE["32502"]
    everything = [t.tax_id for t in TableTaxEngine(SAMPLE).taxes(fl, charges)]
    assert everything == ["fed-usf", "fed-excise", "fed-cost-recovery", "fl-cst", "fl-e911",
                          "fl-pensacola-cst"]
    left = [t.tax_id for t in TableTaxEngine(SAMPLE).taxes(fl, charges, ["FET", "Local"])]
    assert left == ["fed-usf", "fed-cost-recovery", "fl-cst", "fl-e911"]
    left = [t.tax_id for t in TableTaxEngine(SAMPLE, "CCH").taxes(fl, charges, ["Federal"])]
    assert left == ["fl-cst", "fl-e911", "fl-pensacola-cst"]


def test_a_bad_table_lists_every_problem_by_path():
    with pytest.raises(TaxTableError) as exc:
        parse_table("""
[table]
name = "bad"
[[tax]]
id = "a"
description = "A"
level = "planet"
kind = "percent"
type = "usf"
rate = "-1"
categories = ["wireless_service", "spaceships"]
[[tax]]
id = "b"
description = "B"
level = "city"
kind = "per_line"
type = "e911"
categories = ["voice_service"]
state = "FL"
""", "my.toml")
    assert exc.value.problems == [
        "tax[1].level: 'planet' is not one of federal, state, county, city, local",
        "tax[1].categories: 'spaceships' is not one of wireless_service, voice_service, "
        "data_service, equipment, activation, shipping, general",
        "tax[1].rate: must be a number >= 0",
        "tax[2].amount: required, a decimal number (e.g. \"5.5\")",
        "tax[2].city: required for a city tax",
    ]
    assert str(exc.value).startswith("my.toml: tax[1].level:")
    with pytest.raises(TaxTableError) as exc:
        parse_table("[table\n", "x.toml")
    assert exc.value.problems[0].startswith("not valid TOML:")


# --------------------------------------------------------------------------- the commands

OWN_TABLE = """
[table]
name = "Other Carrier taxes"
[[tax]]
id = "own"
description = "Own Telecom Tax"
level = "state"
kind = "percent"
type = "telecom"
rate = "10"
state = "OR"
categories = ["wireless_service"]
"""


def test_a_clients_own_table_changes_its_quotes(call, database_url, tmp_path, capsys):
    own = tmp_path / "own.toml"
    own.write_text(OWN_TABLE)
    sample = Path(tmp_path / "sample.toml")
    sample.write_text(sample_text())
    body = {"Credentials": OTHER, "ZIP": "97201", "PackageID": 1101}
    try:
        assert main(["tax", "load", str(own), "--client", "OTHER",
                     "--database", database_url]) == 0
        assert capsys.readouterr().out == ("tax table 'Other Carrier taxes' (1 taxes) loaded "
                                           "for client OTHER\n")
        out = ok(call(OP, body))
        assert listed(out, "Details_Taxes") == details([("Own Telecom Tax", "3.00", M)])
        assert subtotals(out) == ("0.00", "0.00", "0.00", "30.00", "3.00", "33.00", "33.00")
        # DEMO keeps its table
        out = ok(call(OP, {"Credentials": DEMO, "ZIP": "97201", "PackageID": 1003}))
        assert subtotals(out) == SUBTOTALS[1003, "97201"]
    finally:
        assert main(["tax", "load", str(sample), "--client", "OTHER",
                     "--database", database_url]) == 0
    out = ok(call(OP, body))
    assert listed(out, "Details_Taxes") == details([(USF, "1.05", M), (COST, "0.10", M)])


def test_tax_load_refuses_a_bad_file_and_changes_nothing(call, database_url, tmp_path, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_text(OWN_TABLE.replace('rate = "10"', 'rate = "ten"'))
    assert main(["tax", "load", str(bad), "--client", "OTHER", "--database", database_url]) == 1
    assert capsys.readouterr().err == (f"openrev: error: {bad}: not loaded, nothing changed:\n"
                                       f"{bad}: tax[1].rate: 'ten' is not a decimal number\n")
    out = ok(call(OP, {"Credentials": OTHER, "ZIP": "97201", "PackageID": 1101}))
    assert listed(out, "Details_Taxes") == details([(USF, "1.05", M), (COST, "0.10", M)])
    assert main(["tax", "load", str(tmp_path / "missing.toml"), "--client", "OTHER",
                 "--database", database_url]) == 1
    assert main(["tax", "load", str(bad.with_name("x")), "--client", "NOPE",
                 "--database", database_url]) == 1


def test_tax_show(database_url, capsys):
    assert main(["tax", "show", "10001", "--client", "DEMO", "--database", database_url]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "ZIP 10001: state NY, county New York County, city New York"
    assert lines[1] == ("tax table of client DEMO: openrev sample telecom taxes "
                        "(SAMPLE RATES - NOT TAX ADVICE)")
    assert [line.split()[1] for line in lines[2:]] == [
        "fed-usf", "fed-excise", "fed-cost-recovery", "ny-excise", "ny-sales", "ny-e911",
        "ny-mctd", "nyc-sales"]
    assert main(["tax", "show", "97201", "--exemptions"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[1] == ("tax table of the shipped sample: openrev sample telecom taxes "
                        "(SAMPLE RATES - NOT TAX ADVICE)")
    assert [line.split()[1] for line in lines[2:5]] == ["fed-usf", "fed-excise",
                                                       "fed-cost-recovery"]
    assert lines[5] == "exemptions (SURETAX):"
    assert "  FET                          removes federal: excise" in lines
    assert main(["tax", "show", "00000"]) == 1
    assert capsys.readouterr().err == "openrev: error: 00000: not a known US zip code\n"


def test_the_exemption_table_in_the_docs_is_the_codes():
    text = (Path(__file__).parent.parent / "docs" / "API.md").read_text(encoding="utf-8")
    for engine in ("CCH", "SURETAX"):
        for value, removes in tax.exemption_rows(engine):
            assert f"| `{value}` | {removes} |" in text, (engine, value)
