"""Catalog files (``openrev catalog export/import``, openrev.store.catalog_file): the round trip,
idempotence, every validation rule (each with its exact problem line, nothing changed), bounded
reading, dry runs, the command's exit codes, and the acceptance test: a new client's catalog
imported, then a sign-up against it over SOAP 1.2 bytes and a quote.

Every test works on clients it creates (ids from a range of its own), on the suite's database
(SQLite, and PostgreSQL when OPENREV_TEST_POSTGRES_URL is set).
"""

from __future__ import annotations

import copy
import io
import itertools
import sys
from decimal import Decimal
from typing import Any

import pytest
import yaml
from sqlalchemy import select

from helpers import DEMO, binding_call, error, ok
from openrev.cli import main
from openrev.store.catalog_file import export_catalog, import_catalog
from openrev.store.catalog_format import MAX_BYTES, MAX_PROBLEMS, SECTIONS
from openrev.store.db import make_engine, make_sessionmaker
from openrev.store.tables import Base, Client, Package, PackageProduct, Product, Provider

_bases = itertools.count(1)
_CATALOG_TABLES = [s.table for s in SECTIONS] + ["package_products", "clients"]


@pytest.fixture(scope="module")
def db_factory(database_url: str):
    engine = make_engine(database_url)
    yield make_sessionmaker(engine)
    engine.dispose()


def new_client(db_factory, tax_engine: str = "SURETAX") -> tuple[int, str, int]:
    """A new client: (client id, code, a base for ids of its own)."""
    n = next(_bases)
    code = f"CAT{n}"
    with db_factory.begin() as db:
        c = Client(code=code, name=f"Catalog test {n}", tax_engine=tax_engine,
                   lifeline_form_status="NEEDS_REVIEW")
        db.add(c)
        db.flush()
        return c.id, code, 100000 + 1000 * n


def template(b: int) -> dict[str, Any]:
    """A whole catalog with ids above ``b``."""
    return {
        "Settings": {"TaxEngine": "SURETAX", "LifelineFormStatus": "APPROVED"},
        "Providers": [
            {"ID": b + 1, "Description": "New Wireless", "Code": "NEWWIRELESS",
             "Wireless": True, "AutoCompleteSeconds": 3, "Adapter": "DEMOWIRELESS"},
            {"ID": b + 2, "Description": "New Manual", "Code": "NEWMANUAL", "Adapter": "MANUAL"},
        ],
        "ProviderAccounts": [{"ID": b + 1, "ProviderID": b + 1, "AccountNumber": "ACC-1",
                              "Description": "Main account"}],
        "ServiceTypes": [{"ID": b + 1, "Description": "Wireless"}],
        "Processes": [{"ID": b + 1, "Description": "Activation"}],
        "Products": [
            {"ID": b + 1, "Description": "Talk", "Rate": Decimal("20.00"), "Charge": "Monthly",
             "ProviderID": b + 1, "Code1": "NTALK", "TaxCategory": "wireless_service"},
            {"ID": b + 2, "Description": "Data", "Rate": Decimal("10.00"), "Charge": "Monthly"},
            {"ID": b + 3, "Description": "Setup", "Rate": Decimal("5.00"), "Charge": "OneTime",
             "TaxCategory": "activation"},
        ],
        "Packages": [
            {"ID": b + 1, "Description": "New Unlimited", "ProviderID": b + 1,
             "ServiceTypeID": b + 1, "Products": [
                 {"ID": b + 1, "ProductID": b + 1, "ProductGroupID": 7, "LeadProduct": True},
                 {"ID": b + 2, "ProductID": b + 2, "ProductGroupID": 7},
                 {"ID": b + 3, "ProductID": b + 3}]},
            {"ID": b + 2, "Description": "New Lifeline", "ProviderID": b + 1,
             "Lifeline": True, "Products": [{"ID": b + 4, "ProductID": b + 1}]},
        ],
        "LifelineTypes": [{"ID": b + 1, "Description": "New Federal Lifeline"}],
        "LifelineProofTypes": [{"ID": b + 1, "Description": "SNAP"}],
        "CustomFields": [{"ID": b + 1, "Label": "Referral Source"}],
        "NladProfiles": [{"ID": b + 1, "State": "FL"}],
        "BillProfiles": [{"ID": b + 1, "Description": "New Standard", "BillMethod": "EMAIL_ONLY",
                          "PaymentTerms": 20}],
        "Agents": [{"ID": b + 1, "AgentNumber": 7001, "Name": "New Agent"}],
        "InventoryTypes": [{"ID": b + 1, "Description": "Phone", "Kind": "Mobile_Device",
                            "IdentifierLabel": "IMEI"}],
    }


def text_of(doc: dict[str, Any]) -> str:
    dumper = type("D", (yaml.SafeDumper,), {})
    dumper.add_representer(Decimal, lambda d, v: d.represent_scalar(
        "tag:yaml.org,2002:float", str(v)))
    return yaml.dump(doc, Dumper=dumper, sort_keys=False)


def snapshot(db_factory) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every catalog table (and the clients), all columns."""
    with db_factory() as db:
        return {t: [tuple(r) for r in db.execute(
            select(Base.metadata.tables[t]).order_by(Base.metadata.tables[t].c.id))]
            for t in _CATALOG_TABLES}


def run_import(db_factory, client_id: int, text: str, **kw: Any):
    with db_factory() as db:
        report = import_catalog(db, client_id, text, "cat.yaml", **kw)
        if report.ok and not kw.get("dry_run"):
            db.commit()
        else:
            db.rollback()
    return report


def export(db_factory, client_id: int) -> str:
    with db_factory() as db:
        return export_catalog(db, client_id)


def shift_ids(doc: Any, offset: int) -> Any:
    """``doc`` with every ID and reference (keys ending in ID, but ProductGroupID) moved."""
    if isinstance(doc, list):
        return [shift_ids(x, offset) for x in doc]
    if isinstance(doc, dict):
        return {k: (v + offset if k.endswith("ID") and k != "ProductGroupID"
                    and isinstance(v, int) else shift_ids(v, offset)) for k, v in doc.items()}
    return doc


# --------------------------------------------------------------------------- round trips


def test_import_creates_everything_then_a_second_import_changes_nothing(db_factory):
    cid, code, b = new_client(db_factory)
    text = text_of(template(b))
    first = run_import(db_factory, cid, text)
    assert first.ok and first.changed
    assert "Providers: 2 created, 0 updated, 0 unchanged" in first.summary
    assert "Packages.Products: 4 created, 0 updated, 0 unchanged" in first.summary
    assert first.summary[0] == "Settings: updated (LifelineFormStatus)"
    before = snapshot(db_factory)
    second = run_import(db_factory, cid, text)
    assert second.ok and not second.changed
    assert second.summary[-1] == "nothing changed"
    assert "Providers: 0 created, 0 updated, 2 unchanged" in second.summary
    assert "Packages.Products: 0 created, 0 updated, 4 unchanged" in second.summary
    assert all(" 0 updated" in line for line in second.summary if "created" in line)
    assert snapshot(db_factory) == before
    with db_factory() as db:
        pp = db.get(PackageProduct, b + 1)
        assert (pp.package_id, pp.product_id, pp.product_group_id, pp.lead_product,
                pp.quantity, pp.sort_order) == (b + 1, b + 1, 7, True, 1, 1)
        p = db.get(Product, b + 3)
        assert (p.client_id, p.rate, p.recurring, p.tax_category) == (
            cid, Decimal("5.00"), False, "activation")
        assert db.get(Client, cid).lifeline_form_status == "APPROVED"


def test_export_then_import_into_the_same_client_is_a_no_op(db_factory):
    before = snapshot(db_factory)
    with db_factory() as db:
        demo_id = db.scalar(select(Client.id).where(Client.code == "DEMO"))
    report = run_import(db_factory, demo_id, export(db_factory, demo_id))
    assert report.ok and not report.changed, report
    assert snapshot(db_factory) == before


def test_export_import_into_a_fresh_client_with_free_ids(db_factory):
    cid, _, b = new_client(db_factory)
    assert run_import(db_factory, cid, text_of(template(b))).ok
    exported = export(db_factory, cid)
    other, _, b2 = new_client(db_factory)
    moved = shift_ids(yaml.safe_load(exported), b2 - b)
    report = run_import(db_factory, other, yaml.safe_dump(moved, sort_keys=False))
    assert report.ok, report.problems
    again = shift_ids(yaml.safe_load(export(db_factory, other)), b - b2)
    assert again == yaml.safe_load(exported)


def test_the_demo_file_is_what_openrev_demo_loads(db_factory):
    from importlib.resources import files

    with db_factory() as db:
        demo_id = db.scalar(select(Client.id).where(Client.code == "DEMO"))
    text = files("openrev.store").joinpath("catalogs/DEMO.yaml").read_text(encoding="utf-8")
    report = run_import(db_factory, demo_id, text, dry_run=True)
    assert report.ok and not report.changed, report
    assert "Providers: 0 created, 0 updated, 2 unchanged" in report.summary


def test_importing_another_clients_export_names_the_ids_that_collide(db_factory):
    cid, code, _ = new_client(db_factory)
    with db_factory() as db:
        demo_id = db.scalar(select(Client.id).where(Client.code == "DEMO"))
    before = snapshot(db_factory)
    report = run_import(db_factory, cid, export(db_factory, demo_id))
    assert not report.ok
    assert report.problems[0] == ("cat.yaml: Providers[1].ID: provider 10 belongs to another "
                                  "client (ids are unique across clients: choose a free one)")
    assert "cat.yaml: Packages[1].Products[1].ID: package product 1 belongs to another client " \
           "(ids are unique across clients: choose a free one)" in report.problems
    assert snapshot(db_factory) == before


def test_changed_values_are_updated_and_unlisted_rows_left_alone(db_factory):
    cid, code, b = new_client(db_factory)
    doc = template(b)
    assert run_import(db_factory, cid, text_of(doc)).ok
    doc["Products"][0]["Rate"] = Decimal("21.50")
    doc["Providers"][0]["FaultDown"] = True
    doc["Providers"][0]["FaultDownMessage"] = "maintenance"
    doc["Packages"][0]["Products"].pop(2)   # Setup leaves the package
    del doc["Agents"]                       # a section left out: not touched
    doc["CustomFields"] = []                # a section listed empty: rows left as is
    report = run_import(db_factory, cid, text_of(doc))
    assert report.ok and report.changed
    assert "Products: 0 created, 1 updated, 2 unchanged" in report.summary
    assert "Providers: 0 created, 1 updated, 1 unchanged" in report.summary
    assert ("Packages.Products: 0 created, 0 updated, 3 unchanged, 1 removed (not in the "
            "file's package)") in report.summary
    assert "Agents: not in the file; 1 left as is" in report.summary
    assert ("CustomFields: 0 created, 0 updated, 0 unchanged; 1 not in the file, left as is"
            in report.summary)
    with db_factory() as db:
        assert db.get(Product, b + 1).rate == Decimal("21.50")
        p = db.get(Provider, b + 1)
        assert (p.fault_down, p.fault_down_message) == (True, "maintenance")
        assert db.get(PackageProduct, b + 3) is None
        assert db.get(Product, b + 3) is not None  # the product itself stays
        assert [pp.product_id for pp in db.get(Package, b + 1).products] == [b + 1, b + 2]


def test_dry_run_writes_nothing(db_factory):
    cid, _, b = new_client(db_factory)
    before = snapshot(db_factory)
    report = run_import(db_factory, cid, text_of(template(b)), dry_run=True)
    assert report.ok and report.changed
    assert "Providers: 2 created, 0 updated, 0 unchanged" in report.summary
    assert report.summary[-1] == "dry run: nothing written"
    assert snapshot(db_factory) == before


# --------------------------------------------------------------------------- every rule


def _set(path: str, value: Any):
    """A change of the template: ``path`` like ``Providers.0.Code`` set to ``value``
    (``...`` deletes it)."""
    def change(doc: dict[str, Any], b: int) -> None:
        *parents, last = path.split(".")
        node: Any = doc
        for p in parents:
            node = node[int(p)] if isinstance(node, list) else node[p]
        key: Any = int(last) if isinstance(node, list) else last
        if value is ...:
            del node[key]
        else:
            node[key] = value(b) if callable(value) else value
    return change


def _extra(section: str, row: Any):
    def change(doc: dict[str, Any], b: int) -> None:
        doc[section].append(row(b))
    return change


RULES = [
    ("unknown section", _set("Carriers", []),
     "Carriers: unknown section (known: Settings, Providers, ProviderAccounts, ServiceTypes, "
     "Processes, Products, Packages, LifelineTypes, LifelineProofTypes, CustomFields, "
     "NladProfiles, BillProfiles, Agents, InventoryTypes)"),
    ("unknown field", _set("Providers.0.Colour", "red"),
     "Providers[1].Colour: unknown field (known: ID, Description, Code, Wireless, "
     "AutoCompleteSeconds, Adapter, FaultDown, FaultDownMessage, FaultRejectNext, "
     "FaultRejectMessage, FaultLatencyMs)"),
    ("section not a list", _set("Processes", {"ID": 1}),
     "Processes: must be a list of processs"),
    ("row not a mapping", _set("ProviderAccounts.0", "ACC-1"),
     "ProviderAccounts[1]: must be a mapping (a provider account with ID, ProviderID, "
     "AccountNumber, Description)"),
    ("ID missing", _set("Agents.0.ID", ...), "Agents[1].ID: required"),
    ("ID not a number", _set("Agents.0.ID", "one"), "Agents[1].ID: must be a whole number, "
                                                    "not 'one'"),
    ("ID zero", _set("Agents.0.ID", 0), "Agents[1].ID: must be between 1 and 2147483647"),
    ("ID given twice", _extra("ServiceTypes", lambda b: {"ID": b + 1, "Description": "Voice"}),
     "ServiceTypes[2].ID: {b1} is given twice (also ServiceTypes[1])"),
    ("package product ID twice", _set("Packages.1.Products.0.ID", lambda b: b + 1),
     "Packages[2].Products[1].ID: {b1} is given twice (also Packages[1].Products[1])"),
    ("required field", _set("Providers.1.Code", ...), "Providers[2].Code: required"),
    ("null required", _set("Providers.1.Code", None),
     "Providers[2].Code: required (it may not be null)"),
    ("too long", _set("Processes.0.Description", "x" * 201),
     "Processes[1].Description: at most 200 characters (201 given)"),
    ("empty text", _set("Processes.0.Description", "  "),
     "Processes[1].Description: must not be empty"),
    ("padded text", _set("Processes.0.Description", " Activation"),
     "Processes[1].Description: must not start or end with spaces"),
    ("not text", _set("Providers.0.Code", 123),
     "Providers[1].Code: must be text, not 123 (quote it)"),
    ("enum", _set("Providers.0.Adapter", "SOAPY"),
     "Providers[1].Adapter: 'SOAPY' is not one of DEMOWIRELESS, MANUAL"),
    ("bool", _set("Providers.0.Wireless", "maybe"),
     "Providers[1].Wireless: must be true or false, not 'maybe'"),
    ("negative", _set("BillProfiles.0.PaymentTerms", -1),
     "BillProfiles[1].PaymentTerms: must be between 0 and 2147483647"),
    ("money decimals", _set("Products.0.Rate", Decimal("1.005")),
     "Products[1].Rate: 1.005 has more than 2 decimal places"),
    ("money text", _set("Products.0.Rate", "cheap"),
     "Products[1].Rate: must be an amount such as 25.00, not 'cheap'"),
    ("money huge", _set("Products.0.Rate", Decimal("12345678901.00")),
     "Products[1].Rate: must be at most 9999999999.99 (and at least -9999999999.99)"),
    ("rate required", _set("Products.0.Rate", ...), "Products[1].Rate: required"),
    ("charge", _set("Products.1.Charge", "Weekly"),
     "Products[2].Charge: must be one of Monthly, OneTime, not 'Weekly'"),
    ("tax category", _set("Products.1.TaxCategory", "food"),
     "Products[2].TaxCategory: 'food' is not one of wireless_service, voice_service, "
     "data_service, equipment, activation, shipping, general"),
    ("bill method", _set("BillProfiles.0.BillMethod", "FAX"),
     "BillProfiles[1].BillMethod: 'FAX' is not one of PRINT_ONLY, EMAIL_ONLY, BOTH, NONE"),
    ("inventory kind", _set("InventoryTypes.0.Kind", "Phone"),
     "InventoryTypes[1].Kind: 'Phone' is not one of General, Telephone_Number, IP_Address, "
     "Mobile_Device, SIM_Card"),
    ("state", _set("NladProfiles.0.State", "fl"),
     "NladProfiles[1].State: must be two capital letters (a state code), not 'fl'"),
    ("settings", _set("Settings.TaxEngine", "AVALARA"),
     "Settings.TaxEngine: 'AVALARA' is not one of SURETAX, CCH"),
    ("settings key", _set("Settings.Name", "x"),
     "Settings.Name: unknown field (known: TaxEngine, LifelineFormStatus)"),
    ("missing reference", _set("Packages.0.ProviderID", 99999999),
     "Packages[1].ProviderID: provider 99999999 does not exist (not in the file's Providers, "
     "nor of client {code})"),
    ("missing product", _set("Packages.0.Products.2.ProductID", 99999999),
     "Packages[1].Products[3].ProductID: product 99999999 does not exist (not in the file's "
     "Products, nor of client {code})"),
    ("another client's reference", _set("Packages.0.ServiceTypeID", 1),
     "Packages[1].ServiceTypeID: service type 1 belongs to another client"),
    ("another client's id", _set("LifelineTypes.0.ID", 1),
     "LifelineTypes[1].ID: Lifeline type 1 belongs to another client (ids are unique across "
     "clients: choose a free one)"),
    ("unique in the file", _set("Providers.1.Code", "newWireless"),
     "Providers[2].Code: 'newWireless' is given twice (also Providers[1].Code; Code is "
     "unique)"),
    ("unique agent number", _extra("Agents", lambda b: {"ID": b + 2, "AgentNumber": 7001,
                                                        "Name": "Twin"}),
     "Agents[2].AgentNumber: 7001 is given twice (also Agents[1].AgentNumber; AgentNumber "
     "is unique)"),
    ("lead without group", _set("Packages.0.Products.2.LeadProduct", True),
     "Packages[1].Products[3].LeadProduct: a lead product needs a ProductGroupID (it leads "
     "a group)"),
    ("group without lead", _set("Packages.0.Products.0.LeadProduct", False),
     "Packages[1].Products: product group 7 has no lead product (LeadProduct: true on one)"),
    ("two leads", _set("Packages.0.Products.1.LeadProduct", True),
     "Packages[1].Products[2].LeadProduct: product group 7 already has a lead product "
     "(Packages[1].Products[1])"),
    ("quantity", _set("Packages.0.Products.1.Quantity", 0),
     "Packages[1].Products[2].Quantity: must be between 1 and 2147483647"),
]


@pytest.mark.parametrize("change, expected", [(c, e) for _, c, e in RULES],
                         ids=[name for name, _, _ in RULES])
def test_each_rule_is_one_exact_problem_and_nothing_changes(db_factory, change, expected):
    cid, code, b = new_client(db_factory)
    doc = copy.deepcopy(template(b))
    change(doc, b)
    before = snapshot(db_factory)
    report = run_import(db_factory, cid, text_of(doc))
    assert not report.ok
    assert report.problems == ["cat.yaml: " + expected.format(b1=b + 1, code=code)]
    assert report.summary == []
    assert snapshot(db_factory) == before


def test_a_unique_value_held_by_an_unlisted_row_is_a_problem(db_factory):
    cid, code, b = new_client(db_factory)
    assert run_import(db_factory, cid, text_of(template(b))).ok
    doc = {"Providers": [{"ID": b + 9, "Description": "Copy", "Code": "newmanual"}]}
    before = snapshot(db_factory)
    report = run_import(db_factory, cid, text_of(doc))
    assert report.problems == [
        f"cat.yaml: Providers[1].Code: 'newmanual' is the Code of provider {b + 2} of client "
        f"{code}, which the file does not list (Code is unique)"]
    assert snapshot(db_factory) == before


def test_references_to_rows_the_client_already_has_are_accepted(db_factory):
    cid, code, b = new_client(db_factory)
    assert run_import(db_factory, cid, text_of(template(b))).ok
    doc = {"Packages": [{"ID": b + 5, "Description": "Later", "ProviderID": b + 2,
                         "Products": [{"ID": b + 9, "ProductID": b + 2}]}]}
    report = run_import(db_factory, cid, text_of(doc))
    assert report.ok, report.problems
    assert "Packages: 1 created, 0 updated, 0 unchanged; 2 not in the file, left as is" \
        in report.summary


def test_every_problem_is_listed_but_boundedly(db_factory):
    cid, _, b = new_client(db_factory)
    doc = {"Processes": [{"ID": b + i, "Description": ""} for i in range(1, 151)]}
    report = run_import(db_factory, cid, text_of(doc))
    assert len(report.problems) == MAX_PROBLEMS + 1
    assert report.problems[0] == "cat.yaml: Processes[1].Description: must not be empty"
    assert report.problems[-1] == "cat.yaml: ... and 50 more problems"


@pytest.mark.parametrize("text, expected", [
    ("a: &x [1, 2]\nb: *x\n",
     "line 1, column 4: anchors (&x) are not accepted in a catalog file"),
    ("Processes:\n- ID: 1\n  Description: *undefined\n",
     "line 3, column 16: aliases (*undefined) are not accepted in a catalog file"),
    ("a: [[[[[[[[[[1]]]]]]]]]]\n", "line 1, column 11: nested deeper than 8 levels"),
    ("Processes: [\n", "line 2, column 1: not valid YAML: expected the node content, but "
                       "found '<stream end>'"),
    ("- 1\n- 2\n", "the file must be a mapping of sections (Settings, Providers, "
                   "ProviderAccounts, ServiceTypes, Processes, Products, Packages, "
                   "LifelineTypes, LifelineProofTypes, CustomFields, NladProfiles, "
                   "BillProfiles, Agents, InventoryTypes)"),
], ids=["anchor", "alias", "depth", "syntax", "not a mapping"])
def test_unsafe_or_broken_yaml_is_refused(db_factory, text, expected):
    cid, _, _ = new_client(db_factory)
    before = snapshot(db_factory)
    report = run_import(db_factory, cid, text)
    assert report.problems == [f"cat.yaml: {expected}"]
    assert snapshot(db_factory) == before


def test_an_alias_bomb_is_refused_before_anything_is_expanded(db_factory):
    cid, _, _ = new_client(db_factory)
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 9):
        prev, cur = chr(ord("a") + i - 1), chr(ord("a") + i)
        lines.append(f"{cur}: &{cur} [{','.join(['*' + prev] * 9)}]")
    report = run_import(db_factory, cid, "\n".join(lines) + "\n")
    assert report.problems == ["cat.yaml: line 1, column 4: anchors (&a) are not accepted in "
                               "a catalog file"]


def test_an_oversized_file_is_refused(db_factory):
    cid, _, _ = new_client(db_factory)
    text = "# " + "x" * MAX_BYTES + "\n"
    report = run_import(db_factory, cid, text)
    assert report.problems == ["cat.yaml: larger than 2 MiB"]


# --------------------------------------------------------------------------- the command


def test_the_command(database_url, db_factory, tmp_path, capsys):
    cid, code, b = new_client(db_factory)
    good = tmp_path / "good.yaml"
    good.write_text(text_of(template(b)), encoding="utf-8")
    bad_doc = template(b)
    bad_doc["Providers"][0]["Adapter"] = "SOAPY"
    bad = tmp_path / "bad.yaml"
    bad.write_text(text_of(bad_doc), encoding="utf-8")
    db = ["--database", database_url]

    before = snapshot(db_factory)
    assert main(["catalog", "import", str(good), "--client", code, "--dry-run", *db]) == 0
    out = capsys.readouterr().out
    assert f"catalog {good} checked for client {code}:" in out
    assert "  dry run: nothing written" in out
    assert snapshot(db_factory) == before

    assert main(["catalog", "import", str(bad), "--client", code, *db]) == 1
    err = capsys.readouterr().err
    assert err == (f"openrev: error: {bad}: not imported, nothing changed:\n"
                   f"{bad}: Providers[1].Adapter: 'SOAPY' is not one of DEMOWIRELESS, MANUAL\n")
    assert snapshot(db_factory) == before

    assert main(["catalog", "import", str(good), "--client", "NOPE", *db]) == 2
    assert capsys.readouterr().err == ("openrev: error: client 'NOPE' does not exist (create "
                                       "it with: openrev client add)\n")
    assert main(["catalog", "export", "--client", "NOPE", *db]) == 2
    capsys.readouterr()
    assert main(["catalog", "import", str(tmp_path / "missing.yaml"), "--client", code,
                 *db]) == 1
    assert "missing.yaml: cannot read" in capsys.readouterr().err

    assert main(["catalog", "import", str(good), "--client", code, *db]) == 0
    out = capsys.readouterr().out
    assert "  Providers: 2 created, 0 updated, 0 unchanged" in out
    assert main(["catalog", "import", str(good), "--client", code, *db]) == 0
    assert "  nothing changed" in capsys.readouterr().out

    exported = tmp_path / "out.yaml"
    assert main(["catalog", "export", "--client", code, "-o", str(exported), *db]) == 0
    capsys.readouterr()
    assert main(["catalog", "export", "--client", code, *db]) == 0
    assert capsys.readouterr().out == exported.read_text(encoding="utf-8")
    assert yaml.safe_load(exported.read_text())["Providers"][1] == {
        "ID": b + 2, "Description": "New Manual", "Code": "NEWMANUAL", "Wireless": False,
        "Adapter": "MANUAL", "FaultDown": False, "FaultRejectNext": 0, "FaultLatencyMs": 0}


# --------------------------------------------------------------------------- acceptance

NEWCO_YAML = """\
# NEWCO's catalog: its own ids (70001...), a wireless and a MANUAL provider
Settings:
  TaxEngine: SURETAX
  LifelineFormStatus: NEEDS_REVIEW
Providers:
  - ID: 70001
    Description: Newco Wireless
    Code: NEWCOWIRELESS
    Wireless: true
    AutoCompleteSeconds: 3
    Adapter: DEMOWIRELESS
  - ID: 70002
    Description: Newco Manual
    Code: NEWCOMANUAL
    Adapter: MANUAL
ServiceTypes:
  - {ID: 70001, Description: Newco Wireless Line}
Processes:
  - {ID: 70001, Description: Newco Activation}
Products:
  - {ID: 70001, Description: Newco Talk, Rate: 22.00, Charge: Monthly, ProviderID: 70001,
     Code1: NTALK, TaxCategory: wireless_service}
  - {ID: 70002, Description: Newco Data, Rate: 8.50, Charge: Monthly, ProviderID: 70001}
  - {ID: 70003, Description: Newco Setup, Rate: 12.00, Charge: OneTime, TaxCategory: activation}
  - {ID: 70004, Description: Newco Lifeline Credit, Rate: -9.25, Charge: Monthly}
  - {ID: 70005, Description: Newco Desk Line, Rate: 31.00, Charge: Monthly, ProviderID: 70002}
Packages:
  - ID: 70001
    Description: Newco Unlimited
    ProviderID: 70001
    ServiceTypeID: 70001
    Products:
      - {ID: 70001, ProductID: 70001, ProductGroupID: 5, LeadProduct: true}
      - {ID: 70002, ProductID: 70002, ProductGroupID: 5}
      - {ID: 70003, ProductID: 70003}
  - ID: 70002
    Description: Newco Lifeline
    ProviderID: 70001
    ServiceTypeID: 70001
    Lifeline: true
    Products:
      - {ID: 70004, ProductID: 70001}
      - {ID: 70005, ProductID: 70004}
  - ID: 70003
    Description: Newco Desk
    ProviderID: 70002
    Products:
      - {ID: 70006, ProductID: 70005}
LifelineTypes:
  - {ID: 70001, Description: Newco Federal Lifeline}
LifelineProofTypes:
  - {ID: 70001, Description: SNAP}
CustomFields:
  - {ID: 70001, Label: Store}
  - {ID: 70002, Label: Referral Code}
NladProfiles:
  - {ID: 70001, State: FL}
BillProfiles:
  - {ID: 70001, Description: Newco Paperless, BillMethod: EMAIL_ONLY, PaymentTerms: 21}
Agents:
  - {ID: 70001, AgentNumber: 9001, Name: Newco Agent}
InventoryTypes:
  - {ID: 70001, Description: Newco Phone, Kind: Mobile_Device, IdentifierLabel: IMEI}
"""
NEWCO = {"Username": "boss", "Password": "newco-pass", "Client": "NEWCO"}
ADDRESS = {"FirstName": "Nia", "LastName": "Newco", "Address1": "101 N Palafox St",
           "City": "Pensacola", "State": "FL", "Zip": "32502"}


@pytest.fixture(scope="module")
def newco(database_url, tmp_path_factory):
    """NEWCO made as an operator would: client add, user add, catalog import."""
    path = tmp_path_factory.mktemp("newco") / "newco.yaml"
    path.write_text(NEWCO_YAML, encoding="utf-8")
    db = ["--database", database_url]
    assert main(["client", "add", "NEWCO", "--name", "Newco Telecom", *db]) == 0
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(sys, "stdin", io.StringIO(NEWCO["Password"] + "\n"))
        assert main(["user", "add", "NEWCO", NEWCO["Username"], *db]) == 0
    assert main(["catalog", "import", str(path), "--client", "NEWCO", *db]) == 0
    return path


def test_a_new_clients_catalog_takes_a_sign_up_over_soap12(newco, client, db_factory):
    soap12 = binding_call(client, "soap12")
    out = ok(soap12("NewCustomers_Create", {
        "Credentials": NEWCO,
        "Customer": {"PhysicalAddress": ADDRESS, "MailingAddress": ADDRESS,
                     "BIllProfileID": 70001, "AgentID": 70001,
                     "Fields": [{"Label": "store", "Value": "Main St"}]},
        "Order": {"PackageID": 70001, "ProcessID": 70001}}))
    assert out["Status"] == "PENDING"
    assert out["Products"] == [
        {"ProductID": 70001, "ProductGroupID": 5, "LeadProductFlag": True},
        {"ProductID": 70002, "ProductGroupID": 5, "LeadProductFlag": False},
        {"ProductID": 70003, "ProductGroupID": 0, "LeadProductFlag": False},
    ]
    got = ok(soap12("Customers_Query", {"Credentials": NEWCO,
                                        "CustomerID": out["Customer_ID"]}))["Customer"]
    assert got["BIllProfileID"] == 70001 and got["Billing"]["PaymentTerms"] == 21
    assert got["Fields"] == [{"FieldID": 70001, "Label": "Store", "Value": "Main St"}]
    [svc] = got["Services"]
    assert (svc["Service"]["PackageID"], svc["Service"]["PackageDescription"],
            svc["Service"]["CarrierID"], svc["Service"]["CarrierDescription"],
            svc["Service"]["Type"]) == (70001, "Newco Unlimited", 70001, "Newco Wireless",
                                        "Newco Wireless Line")
    assert [(p["ProductID"], p["Rate"]) for p in svc["Products"]] == [
        (70001, Decimal("22.00")), (70002, Decimal("8.50")), (70003, Decimal("12.00"))]

    quote = ok(soap12("NewCustomers_Quote", {"Credentials": NEWCO, "ZIP": "32502",
                                             "PackageID": 70001}))
    assert Decimal(quote["Subtotal_Monthly_Revenue"]) == Decimal("30.50")
    assert Decimal(quote["Subtotal_OneTime_Revenue"]) == Decimal("12.00")


def test_a_new_clients_lifeline_and_manual_packages(newco, call):
    out = ok(call("NewCustomers_Create", {
        "Credentials": NEWCO,
        "Customer": {"PhysicalAddress": ADDRESS, "MailingAddress": ADDRESS,
                     "Lifeline": {"LifelineTypeID": 70001, "TemporaryAddress": False,
                                  "SeparateEconomicUnit": True}},
        "Order": {"PackageID": 70002}}))
    got = ok(call("Customers_Query", {"Credentials": NEWCO,
                                      "CustomerID": out["Customer_ID"]}))["Customer"]
    assert got["LifeLine"]["LifelineTypeID"] == 70001
    assert [p["ProductID"] for p in got["Services"][0]["Products"]] == [70001, 70004]
    out = ok(call("NewCustomers_Create", {
        "Credentials": NEWCO, "Customer": {"PhysicalAddress": ADDRESS, "MailingAddress": ADDRESS},
        "Order": {"PackageID": 70003}}))
    assert out["Products"] == [{"ProductID": 70005, "ProductGroupID": 0,
                                "LeadProductFlag": False}]
    types = ok(call("LifelineTypes_Query", {"Credentials": NEWCO}))
    assert types["LifelineTypes"] == [{"ID": 70001, "Description": "Newco Federal Lifeline"}]


@pytest.mark.parametrize("creds", [DEMO, {"Username": "other", "Password": "other",
                                          "Client": "OTHER"}], ids=["DEMO", "OTHER"])
def test_other_clients_cannot_see_the_new_clients_package(newco, call, creds):
    body = {"PhysicalAddress": ADDRESS, "MailingAddress": ADDRESS}
    error(call("NewCustomers_Create", {"Credentials": creds, "Customer": body,
                                       "Order": {"PackageID": 70001}}),
          "PK2013", "Order/PackageID: 70001 does not exist")
    error(call("NewCustomers_Quote", {"Credentials": creds, "ZIP": "32502",
                                      "PackageID": 70001}),
          "PK2013", "PackageID: 70001 does not exist")
    error(call("NewCustomers_Quote", {"Credentials": NEWCO, "ZIP": "32502",
                                      "PackageID": 1001}),
          "PK2013", "PackageID: 1001 does not exist")


def test_the_documented_example_is_a_valid_catalog(db_factory):
    from pathlib import Path

    doc = (Path(__file__).parent.parent / "docs" / "CATALOG.md").read_text(encoding="utf-8")
    example = doc.split("```yaml\n", 1)[1].split("```", 1)[0]
    cid, _, b = new_client(db_factory)
    moved = shift_ids(yaml.safe_load(example), b - 70000)
    report = run_import(db_factory, cid, text_of(moved), dry_run=True)
    assert report.ok, report.problems
    assert "Packages.Products: 5 created, 0 updated, 0 unchanged" in report.summary


def test_what_the_database_still_refuses_is_one_problem_and_nothing_changes(db_factory):
    cid, _, b = new_client(db_factory)
    doc = template(b)
    assert run_import(db_factory, cid, text_of(doc)).ok
    doc["Providers"][0]["Code"], doc["Providers"][1]["Code"] = "NEWMANUAL", "NEWWIRELESS"
    before = snapshot(db_factory)
    report = run_import(db_factory, cid, text_of(doc))
    assert not report.ok and len(report.problems) == 1
    assert report.problems[0].startswith(
        "cat.yaml: the database refused the catalog, nothing changed: ")
    assert snapshot(db_factory) == before


def test_rows_created_later_get_ids_past_the_imported_ones(db_factory):
    from openrev.store.tables import Process

    cid, _, b = new_client(db_factory)
    assert run_import(db_factory, cid, text_of(template(b))).ok
    with db_factory.begin() as db:
        later = Process(client_id=cid, description="made later")
        db.add(later)
        db.flush()
        assert later.id > b + 1
