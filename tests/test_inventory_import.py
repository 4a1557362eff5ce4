"""Device intake (``openrev inventory import``): the check-digit rules, every CSV rule with its
exact problem line and nothing written, and the whole flow through the real command, then
over SOAP (NewCustomers_Create with an imported device, Customers_Query by Inventory).

The database is shared by the suite: every test makes its own identifiers (random, with
valid check digits) and MDNs.
"""

from __future__ import annotations

import secrets
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from helpers import DEMO, OTHER, child_text, creds_xml, post_soap, result_of
from openrev.cli import main
from openrev.domain.devices import (
    esn_problem, iccid_problem, identifier_problem, imei_problem, luhn_digit, meid_decimal,
    meid_problem,
)
from openrev.progress import ProgressLine
from openrev.store.inventory_import import MAX_PROBLEMS, import_inventory
from openrev.store.tables import (
    Client, InventoryBatch, InventoryItem, InventoryItemField, InventoryType,
)

# ------------------------------------------------------------------ check digits (no database)

VALID_IMEIS = ["356938035643809", "356938035643106", "356938035643114", "356938035643122",
               "356938035643130", "356938035643148"]
VALID_ICCIDS = ["89014103211118510720", "89014103211118510738", "89014103211118510746"]


@pytest.mark.parametrize("imei", VALID_IMEIS)
def test_the_demo_imeis_with_valid_check_digits_are_valid(imei):
    assert imei_problem(imei) is None
    assert luhn_digit(imei[:14]) == imei[14]


@pytest.mark.parametrize("iccid", VALID_ICCIDS)
def test_the_demo_iccids_with_valid_check_digits_are_valid(iccid):
    assert iccid_problem(iccid) is None


@pytest.mark.parametrize("imei, problem", [
    ("356938035643801", "IMEI check digit is wrong (expected 9)"),
    ("356938035643100", "IMEI check digit is wrong (expected 6)"),
    ("35693803564380", "an IMEI must be 15 digits"),
    ("3569380356438090", "an IMEI must be 15 digits"),
    ("35693803564380A", "an IMEI must be 15 digits"),
    ("３５６９３８０３５６４３８０９", "an IMEI must be 15 digits"),  # full-width digits
])
def test_bad_imeis(imei, problem):
    assert imei_problem(imei) == problem


@pytest.mark.parametrize("iccid, problem", [
    ("89014103211118510721", "ICCID check digit is wrong (expected 0)"),
    ("8901410321111851073", "ICCID check digit is wrong (expected 2)"),  # 19 digits
    ("79014103211118510720", "an ICCID must start with 89"),
    ("890141032111185107", "an ICCID must be 19 or 20 digits"),
    ("890141032111185107201", "an ICCID must be 19 or 20 digits"),
])
def test_bad_iccids(iccid, problem):
    assert iccid_problem(iccid) == problem


def test_a_19_digit_iccid_with_its_check_digit_is_valid():
    body = "890141032111185107"
    assert iccid_problem(body + luhn_digit(body)) is None


def test_esn_and_meid_forms():
    assert esn_problem("8A3C21F0") is None
    assert esn_problem("13812345678") is None  # decimal: manufacturer 138
    assert esn_problem("99912345678") is not None  # manufacturer code 999 > 255
    assert esn_problem("8A3C21") is not None
    assert meid_problem("A0000012345678") is None
    assert meid_problem(meid_decimal("A0000012345678")) is None
    assert meid_problem("356938035643809") is not None  # an IMEI is not an MEID
    assert meid_problem("XYZ") is not None


def test_the_label_chooses_the_rule():
    assert identifier_problem("IMEI", "356938035643801") == \
        "IMEI check digit is wrong (expected 9)"
    assert identifier_problem("imei", "356938035643809") is None
    assert identifier_problem("ESN/MEID", "8A3C21F0") is None
    assert identifier_problem("ESN/MEID", "A0000012345678") is None
    assert identifier_problem("ESN/MEID", "12") == (
        "an ESN must be 8 hex digits or 11 decimal digits (manufacturer code < 256); an MEID "
        "must be 14 hex digits or 18 decimal digits (manufacturer code < 2**32)")
    assert identifier_problem("Serial Number", "anything at all") is None


def test_the_progress_bar_counts_what_it_is_told():
    class Out:
        def __init__(self) -> None:
            self.text = ""

        def write(self, s: str) -> None:
            self.text += s

        def flush(self) -> None:
            pass

    out = Out()
    bar = ProgressLine(out, width=10, noun="rows checked")
    for done in (0, 5, 10):
        bar(done, 10)
    lines = out.text.splitlines()
    assert [line.split("]")[1].split("%")[0] for line in lines] == [
        " 0/10 rows checked   0.0", " 5/10 rows checked  50.0", " 10/10 rows checked 100.0"]
    assert lines[-1].startswith("[##########]")


# ------------------------------------------------------------------ helpers


def imei() -> str:
    body = "35" + "".join(str(secrets.randbelow(10)) for _ in range(12))
    return body + luhn_digit(body)


def iccid() -> str:
    body = "8901" + "".join(str(secrets.randbelow(10)) for _ in range(15))
    return body + luhn_digit(body)


def mdn() -> str:
    return "6" + "".join(str(secrets.randbelow(10)) for _ in range(9))


def client_id(engine: Any, code: str) -> int:
    with Session(engine) as s:
        return s.scalar(select(Client.id).where(Client.code == code))


def counts(engine: Any, cid: int) -> tuple[int, int, int]:
    with Session(engine) as s:
        return tuple(s.scalar(select(func.count()).select_from(m).where(m.client_id == cid))
                     for m in (InventoryItem, InventoryBatch, InventoryItemField))


def run(engine: Any, text: str | bytes, code: str = "DEMO", *, dry_run: bool = False,
        source: str = "devices.csv"):
    """Import ``text`` as the console would: commit when ok and not a dry run."""
    cid = client_id(engine, code)
    with Session(engine) as s:
        report = import_inventory(s, cid, text, source, dry_run=dry_run)
        if report.ok and not dry_run:
            s.commit()
        else:
            s.rollback()
    return report


def refused(engine: Any, text: str | bytes, code: str = "DEMO") -> list[str]:
    """The problems of a refused import, after checking that it wrote nothing."""
    cid = client_id(engine, code)
    before = counts(engine, cid)
    report = run(engine, text, code)
    assert report.ok is False
    assert report.created == 0
    assert counts(engine, cid) == before
    return report.problems


def item(engine: Any, identifier: str, cid: int = 1) -> InventoryItem:
    with Session(engine) as s:
        return s.scalars(select(InventoryItem).where(InventoryItem.client_id == cid,
                                                     InventoryItem.identifier == identifier)
                         ).one()


def handset_type(engine: Any, cid: int) -> int:
    """The id of the client's "Handset" type (IMEI), made when missing (OTHER has none)."""
    with Session(engine) as s:
        found = s.scalar(select(InventoryType.id).where(InventoryType.client_id == cid,
                                                        InventoryType.description == "Handset"))
    return found if found is not None else new_type(engine, cid, "Handset", "Mobile_Device",
                                                    "IMEI")


def new_type(engine: Any, cid: int, description: str, kind: str, label: str) -> int:
    with Session(engine) as s, s.begin():
        t = InventoryType(client_id=cid, description=description, kind=kind,
                          identifier_label=label)
        s.add(t)
        s.flush()
        return t.id


@pytest.fixture
def engine(app):
    return app.state.engine


H = "Identifier,InventoryType,Status\n"


# ------------------------------------------------------------------ each rule, nothing written


def test_a_good_file_is_imported_with_its_types_statuses_and_note(engine):
    a, b, c = imei(), imei(), iccid()
    report = run(engine, f"identifier,INVENTORYTYPE,status,Note\n{a},Mobile Device,,first\n"
                         f"{b},mobile_device,unavailable,\n{c},2,AVAILABLE,\n")
    assert report.ok, report.problems
    assert report.created == 3
    assert report.summary == ["devices.csv: 3 devices added, 0 already stored unchanged",
                              "  1 Mobile Device AVAILABLE", "  1 Mobile Device UNAVAILABLE",
                              "  1 SIM Card AVAILABLE"]
    got = [item(engine, x) for x in (a, b, c)]
    assert [(i.inventory_type_id, i.status, i.note) for i in got] == [
        (1, "AVAILABLE", "first"), (1, "UNAVAILABLE", None), (2, "AVAILABLE", None)]
    assert got[0].identifier_hex == a[:14]


def test_unknown_type(engine):
    a = imei()
    assert refused(engine, f"{H}{imei()},Mobile Device,\n{a},Router,\n") == [
        f"devices.csv: row 3 (Identifier {a}): InventoryType 'Router' is not an inventory "
        "type of the client (types: 1 Mobile Device (Mobile_Device), 2 SIM Card (SIM_Card))"]
    assert refused(engine, f"{H}{a},99,\n") == [
        f"devices.csv: row 2 (Identifier {a}): InventoryType 99 is not an inventory type id "
        "of the client (types: 1 Mobile Device (Mobile_Device), 2 SIM Card (SIM_Card))"]


def test_type_names_label_and_batched_kinds(engine):
    names = [f"Router {secrets.token_hex(2)}" for _ in range(2)]
    ids = [new_type(engine, 1, name, "General", "Serial") for name in names]
    a = imei()
    # two General types (at least) now: the kind no longer names one
    with Session(engine) as s:
        general = list(s.scalars(select(InventoryType.id).where(
            InventoryType.client_id == 1, InventoryType.kind == "General")
            .order_by(InventoryType.id)))
    assert refused(engine, f"{H}{a},general,\n") == [
        f"devices.csv: row 2 (Identifier {a}): InventoryType 'general' names {len(general)} "
        f"types ({', '.join(map(str, general))}); give its id"]
    hl = "Identifier,InventoryType,IdentifierLabel,Status,MDN,Batch\n"
    assert refused(engine, f"{hl}{a},Mobile Device,ICCID,,,\n") == [
        f"devices.csv: row 2 (Identifier {a}): IdentifierLabel ICCID is not the label of type "
        "Mobile Device (IMEI)"]
    assert refused(engine, f"{hl}SN-1,{ids[0]},serial,BATCHED,{mdn()},1\n") == [
        "devices.csv: row 2 (Identifier SN-1): a BATCHED (pre-activated) device must be of a "
        "Mobile_Device or SIM_Card type, not General"]
    report = run(engine, f"{hl}SN-{secrets.token_hex(4)},{names[1].upper()},Serial,,,\n")
    assert report.ok and report.summary[1] == f"  1 {names[1]} AVAILABLE"


def test_bad_imei_check_digit_refuses_the_whole_file(engine):
    good = [imei() for _ in range(5)]
    bad = good[2][:14] + str((int(good[2][14]) + 1) % 10)
    rows = [*good[:2], bad, *good[3:]]
    text = H + "".join(f"{x},Mobile Device,\n" for x in rows)
    assert refused(engine, text) == [
        f"devices.csv: row 4 (Identifier {bad}): IMEI check digit is wrong "
        f"(expected {good[2][14]})"]


def test_bad_iccid(engine):
    c = iccid()
    bad = c[:-1] + str((int(c[-1]) + 5) % 10)
    assert refused(engine, f"{H}{bad},SIM Card,\n1234,SIM Card,\n") == [
        f"devices.csv: row 2 (Identifier {bad}): ICCID check digit is wrong "
        f"(expected {c[-1]})",
        "devices.csv: row 3 (Identifier 1234): an ICCID must be 19 or 20 digits"]


def test_duplicate_in_the_file_also_in_another_form(engine):
    a, b = imei(), imei()
    text = (f"{H}{a},Mobile Device,\n{b},Mobile Device,\n{a},Mobile Device,\n"
            f"{meid_decimal(b[:14])},Mobile Device,\n")
    # the MEID decimal row is also refused as not an IMEI: both problems are told
    assert refused(engine, text) == [
        f"devices.csv: row 4 (Identifier {a}): the same Identifier as row 2",
        f"devices.csv: row 5 (Identifier {meid_decimal(b[:14])}): an IMEI must be 15 digits"]


def test_duplicate_in_another_form_under_a_meid_type(engine):
    """A type labelled ESN/MEID takes hex and decimal forms: two forms of one device clash."""
    type_id = new_type(engine, 1, "Legacy CDMA", "Mobile_Device", "ESN/MEID")
    hex14 = "A1" + "".join(secrets.choice("0123456789ABCDEF") for _ in range(12))
    text = f"{H}{hex14},{type_id},\n{meid_decimal(hex14)},Legacy CDMA,\n"
    assert refused(engine, text) == [
        f"devices.csv: row 3 (Identifier {meid_decimal(hex14)}): the same device as row 2 "
        f"({hex14})"]
    assert run(engine, f"{H}{hex14.lower()},{type_id},\n").ok
    assert refused(engine, f"{H}{meid_decimal(hex14)},{type_id},\n") == [
        f"devices.csv: row 2 (Identifier {meid_decimal(hex14)}): already in inventory as "
        f"{hex14.lower()} (item {item(engine, hex14.lower()).id}, Legacy CDMA)"]


def test_duplicate_of_a_stored_device(engine):
    stored = "356938035643809"  # demo item 4 (UNAVAILABLE)
    assert refused(engine, f"{H}{imei()},Mobile Device,\n{stored},Mobile Device,\n") == [
        f"devices.csv: row 3 (Identifier {stored}): already stored (item 4) with other "
        "values: Status is UNAVAILABLE, not AVAILABLE (a stored item is never changed)"]
    # as a SIM card type it is another item for the same identifier
    assert refused(engine, f"{H}{stored},SIM Card,\n") == [
        f"devices.csv: row 2 (Identifier {stored}): an ICCID must be 19 or 20 digits"]
    type_id = new_type(engine, 1, "Any Device", "General", "Serial")
    assert refused(engine, f"{H}{stored},{type_id},\n") == [
        f"devices.csv: row 2 (Identifier {stored}): already in inventory as {stored} (item 4, "
        "Mobile Device)"]


def test_reimport_of_the_same_rows_is_unchanged(engine):
    a, b = imei(), imei()
    text = f"{H}{a},Mobile Device,\n{b},Mobile Device,UNAVAILABLE\n"
    assert run(engine, text).created == 2
    before = counts(engine, 1)
    again = run(engine, text + f"{(c := imei())},Mobile Device,\n")
    assert again.ok and (again.created, again.unchanged) == (1, 2)
    assert counts(engine, 1) == (before[0] + 1, *before[1:])
    assert item(engine, c).status == "AVAILABLE"
    assert refused(engine, f"{H}{b},Mobile Device,AVAILABLE\n") == [
        f"devices.csv: row 2 (Identifier {b}): already stored (item {item(engine, b).id}) with "
        "other values: Status is UNAVAILABLE, not AVAILABLE (a stored item is never changed)"]


def test_bad_status(engine):
    a, b = imei(), imei()
    assert refused(engine, f"{H}{a},Mobile Device,SOLD\n{b},Mobile Device,ASSIGNED\n") == [
        f"devices.csv: row 2 (Identifier {a}): Status 'SOLD' is not one of AVAILABLE, "
        "UNAVAILABLE, BATCHED",
        f"devices.csv: row 3 (Identifier {b}): Status ASSIGNED cannot be imported "
        "(NewCustomers_Create assigns an item to a customer)"]


def test_batched_rules(engine):
    a, n = imei(), mdn()
    hb = "Identifier,InventoryType,Status,MDN,Batch,MSID\n"
    assert refused(engine, f"{hb}{a},Mobile Device,AVAILABLE,{n},,\n") == [
        f"devices.csv: row 2 (Identifier {a}): MDN is only for a BATCHED (pre-activated) "
        "device; this one is AVAILABLE"]
    assert refused(engine, f"{hb}{a},Mobile Device,,,Demo Pre-activated Batch,123\n") == [
        f"devices.csv: row 2 (Identifier {a}): MSID is only for a BATCHED (pre-activated) "
        "device; this one is AVAILABLE",
        f"devices.csv: row 2 (Identifier {a}): Batch is only for a BATCHED (pre-activated) "
        "device; this one is AVAILABLE"]
    assert refused(engine, f"{hb}{a},Mobile Device,BATCHED,,,\n") == [
        f"devices.csv: row 2 (Identifier {a}): MDN is missing: a BATCHED (pre-activated) "
        "device carries its MDN",
        f"devices.csv: row 2 (Identifier {a}): Batch is missing: a BATCHED device is on a "
        "batch (its id or description; a new description creates the batch)"]
    assert refused(engine, f"{hb}{a},Mobile Device,BATCHED,85055,77,\n") == [
        f"devices.csv: row 2 (Identifier {a}): MDN: must be 10 digits",
        f"devices.csv: row 2 (Identifier {a}): Batch 77 is not an inventory batch id of the "
        "client"]
    b = imei()
    assert refused(engine, f"{hb}{a},Mobile Device,BATCHED,{n},1,\n"
                           f"{b},Mobile Device,BATCHED,{n},1,\n") == [
        f"devices.csv: row 3 (Identifier {b}): MDN {n} is also the MDN of row 2 ({a})"]
    assert refused(engine, f"{hb}{a},Mobile Device,BATCHED,8505550103,1,\n"
                           f"{b},Mobile Device,BATCHED,8505550100,1,\n") == [
        f"devices.csv: row 2 (Identifier {a}): MDN 8505550103 is already the MDN of BATCHED "
        "device 356938035643803 (item 3)",
        f"devices.csv: row 3 (Identifier {b}): MDN 8505550100 is in use on service 1"]


def test_unknown_column_and_field_columns_that_are_not_imported(engine):
    assert refused(engine, f"Identifier,InventoryType,Staus\n{imei()},Mobile Device,\n") == [
        "devices.csv: row 1, column 3: unknown column 'Staus' (did you mean Status?)"]
    assert refused(engine, f"Identifier,InventoryType,CustomerID,identifier\n1,2,3,4\n") == [
        "devices.csv: row 1, column 3: CustomerID is not imported (it comes from the inventory "
        "type or the customer); remove the column",
        "devices.csv: row 1, column 4: column 'identifier' is also column 1"]
    assert refused(engine, f"Identifier,Status\n{imei()},\n") == [
        "devices.csv: row 1: the column InventoryType is missing"]
    assert refused(engine, f"Identifier,InventoryType,\n{imei()},Mobile Device,x\n") == [
        "devices.csv: row 1, column 3: the column has no name"]


def test_custom_field_columns_become_item_fields(engine):
    a, b = imei(), imei()
    label = f"Color {secrets.token_hex(3)}"
    report = run(engine, f"Identifier,InventoryType,{label},Warehouse\n{a},Mobile Device,red,"
                         f"W1\n{b},Mobile Device,,W2\n")
    assert report.ok, report.problems
    assert report.summary[1] == f"custom field labels that were new: {label}, Warehouse"
    got = {(f.label, f.value) for f in item(engine, a).fields}
    fid = {f.label: f.field_id for f in item(engine, a).fields}
    assert got == {(label, "red"), ("Warehouse", "W1")}
    assert {(f.label, f.value) for f in item(engine, b).fields} == {("Warehouse", "W2")}
    assert len(set(fid.values())) == 2
    # the same label (any case) later is the same FieldID
    c = imei()
    assert run(engine, f"Identifier,InventoryType,{label.upper()}\n{c},Mobile Device,blue\n").ok
    [f] = item(engine, c).fields
    assert (f.field_id, f.label, f.value) == (fid[label], label, "blue")


def test_too_long_fields(engine):
    a = imei()
    long_id = "9" * 101
    assert refused(engine, f"{H}{long_id},Mobile Device,\n") == [
        "devices.csv: row 2: Identifier is 101 characters; at most 100 are accepted"]
    hb = "Identifier,InventoryType,Status,MDN,Batch\n"
    assert refused(engine, f"{hb}{a},Mobile Device,BATCHED,{mdn()},{'B' * 201}\n") == [
        f"devices.csv: row 2 (Identifier {a}): Batch is 201 characters; at most 200 are "
        "accepted"]
    note = "n" * 65_537
    assert refused(engine, f"Identifier,InventoryType,Note\n{a},Mobile Device,{note}\n") == [
        "devices.csv: row 2: not valid CSV (field larger than field limit (131072))"
        if len(note) > 131072 else
        f"devices.csv: row 2 (Identifier {a}): Note is 65,537 characters; at most 65,536 are "
        "accepted"]


@pytest.mark.parametrize("data, problem", [
    (b"Identifier,InventoryType\n356938035643809\x00,Mobile Device\n",
     "devices.csv: line 2: a NUL byte (a device CSV is text)"),
    (b"Identifier,InventoryType\nIMEI \xe9t\xe9,Mobile Device\n",
     "devices.csv: line 2: not UTF-8 text (byte 0xE9); save the file as UTF-8"),
    ("Identifier,InventoryType\n1,2\n".encode("utf-16"),
     "devices.csv: the file is UTF-16 text; save it as UTF-8"),
    (b"", "devices.csv: the file is empty (a header row is expected: Identifier,"
          "InventoryType,...)"),
    (b"Identifier,InventoryType\n", "devices.csv: no devices (only a header)"),
    (b"Identifier,InventoryType\n\"356938035643809,Mobile Device\n",
     "devices.csv: row 2: not valid CSV (unexpected end of data)"),
    (b"Identifier,InventoryType\n" + b"x" * 200_000 + b",Mobile Device\n",
     "devices.csv: row 2: not valid CSV (field larger than field limit (131072))"),
    (b"Identifier,InventoryType\n35693\x0103564,Mobile Device\n",
     "devices.csv: row 2: Identifier holds a control character"),
    (b"Identifier,InventoryType\n1,2,3\n",
     "devices.csv: row 2: 3 values; the header has 2 columns"),
    (b",".join(b"c%d" % i for i in range(65)) + b"\n",
     "devices.csv: row 1: 65 values; at most 64 columns are accepted"),
    (b"Identifier,InventoryType\n1,2\n" + b"," * 100 + b"\n",
     "devices.csv: row 3: 101 values; at most 64 columns are accepted"),
    (b"Identifier,InventoryType\n1,2\n" + b"," * 5_000_000 + b"\n",
     "devices.csv: row 3: longer than 4,194,304 characters"),
    (b"Identifier,InventoryType\n1,2\n" + b'"a\n",' * 1_000_000 + b"\n",
     "devices.csv: row 3: longer than 4,194,304 characters"),
])
def test_hostile_bytes(engine, data, problem):
    assert refused(engine, data) == [problem]


def test_a_bom_and_crlf_are_fine(engine):
    a = imei()
    assert run(engine, f"\ufeff{H}{a},Mobile Device,\r\n".encode()).ok
    assert item(engine, a).status == "AVAILABLE"


def test_file_and_row_caps(engine, monkeypatch):
    import openrev.store.inventory_import as m
    monkeypatch.setattr(m, "MAX_ROWS", 3)
    monkeypatch.setattr(m, "MAX_BYTES", 200)
    text = H + "".join(f"{imei()},Mobile Device,\n" for _ in range(4))
    assert refused(engine, text) == [
        "devices.csv: more than 3 rows; at most 3 are accepted in one file (split it)"]
    assert refused(engine, text + "x" * 200) == [
        f"devices.csv: the file is {len(text) + 200:,} bytes; at most 200 are accepted "
        "(split it)"]


def test_problems_are_bounded_and_in_row_order(engine):
    bad = [f"{imei()[:14]}x" for _ in range(MAX_PROBLEMS + 7)]
    problems = refused(engine, H + "".join(f"{x},Mobile Device,\n" for x in bad))
    assert problems == [
        f"devices.csv: row {i + 2} (Identifier {x}): an IMEI must be 15 digits"
        for i, x in enumerate(bad[:MAX_PROBLEMS])] + ["devices.csv: and 7 more problems"]


def test_dry_run_checks_and_writes_nothing(engine):
    a = imei()
    before = counts(engine, 1)
    report = run(engine, f"{H}{a},Mobile Device,\n", dry_run=True)
    assert report.ok and report.created == 0
    assert report.summary == [
        "devices.csv: checked 1 rows: 1 devices would be added, 0 are already stored "
        "unchanged (dry run: nothing written)", "  1 Mobile Device AVAILABLE"]
    assert counts(engine, 1) == before


def test_another_clients_device_with_the_same_identifier_is_allowed(engine):
    a = imei()
    assert run(engine, f"{H}{a},Mobile Device,\n").ok
    other = client_id(engine, "OTHER")
    handset = handset_type(engine, other)
    assert run(engine, f"{H}{a},Handset,\n", "OTHER").created == 1
    assert item(engine, a, other).client_id == other
    # and DEMO's types are not OTHER's
    b = imei()
    [problem] = refused(engine, f"{H}{b},SIM Card,\n", "OTHER")
    assert problem.startswith(f"devices.csv: row 2 (Identifier {b}): InventoryType 'SIM Card' "
                              "is not an inventory type of the client (types: ")
    assert f"{handset} Handset (Mobile_Device)" in problem


# ------------------------------------------------------------------ the real command, then SOAP


def soap_create(client: Any, esn: str, creds: dict[str, str] = DEMO, package: int = 1001
                ) -> Any:
    address = ("<r:FirstName>Ina</r:FirstName><r:LastName>Take</r:LastName>"
               "<r:Address1>1 Main St</r:Address1><r:City>Pensacola</r:City>"
               "<r:State>FL</r:State><r:Zip>32502</r:Zip>")
    body = (creds_xml(creds) + f"<r:Customer><r:MailingAddress>{address}</r:MailingAddress>"
            f"<r:PhysicalAddress>{address}</r:PhysicalAddress></r:Customer>"
            f"<r:Order><r:PackageID>{package}</r:PackageID><r:WirelessESN>{esn}</r:WirelessESN>"
            "</r:Order>")
    r = post_soap(client, "NewCustomers_Create", body)
    assert r.status_code == 200
    return result_of(r.content, "NewCustomers_Create")


def soap_query_inventory(client: Any, identifier: str, creds: dict[str, str] = DEMO) -> Any:
    r = post_soap(client, "Customers_Query", creds_xml(creds) + "<r:Inventory><r:Identifier>"
                  f"{identifier}</r:Identifier></r:Inventory>")
    assert r.status_code == 200
    return result_of(r.content, "Customers_Query")


def test_acceptance_refused_whole_then_fixed_then_used_over_soap(
        engine, database_url, client, tmp_path, capsys):
    devices = [imei() for _ in range(4)]
    batched, batch_mdn = imei(), mdn()
    batch = f"Intake {secrets.token_hex(3)}"
    bad = devices[2][:14] + str((int(devices[2][14]) + 3) % 10)
    lines = ["Identifier,InventoryType,Status,MDN,Batch"]
    lines += [f"{x},Mobile Device,AVAILABLE,," for x in (devices[0], devices[1], bad,
                                                         devices[3])]
    lines.append(f"{batched},Mobile Device,BATCHED,{batch_mdn},{batch}")
    path = tmp_path / "devices.csv"
    path.write_text("\n".join(lines) + "\n")
    cid = client_id(engine, "DEMO")
    before = counts(engine, cid)

    argv = ["inventory", "import", str(path), "--client", "DEMO", "--database", database_url]
    assert main(argv) == 1
    err = capsys.readouterr().err.splitlines()
    assert [line for line in err if not line.startswith("[")] == [
        f"{path}: row 4 (Identifier {bad}): IMEI check digit is wrong (expected "
        f"{devices[2][14]})",
        f"openrev: error: {path}: not imported, nothing changed"]
    assert counts(engine, cid) == before

    assert main([*argv, "--dry-run"]) == 1  # the dry run finds the same
    capsys.readouterr()
    path.write_text(path.read_text().replace(bad, devices[2]))
    assert main([*argv, "--dry-run"]) == 0
    assert capsys.readouterr().out.splitlines()[0] == (
        f"{path}: checked 5 rows: 5 devices would be added, 0 are already stored unchanged "
        "(dry run: nothing written)")
    assert counts(engine, cid) == before
    assert main(argv) == 0
    captured = capsys.readouterr()
    assert captured.out.splitlines() == [
        f"{path}: 5 devices added, 0 already stored unchanged",
        f"batches that were created: {batch}",
        "  4 Mobile Device AVAILABLE", "  1 Mobile Device BATCHED"]
    assert "100,000" not in captured.err and "5/5 rows written" in captured.err
    assert counts(engine, cid) == (before[0] + 5, before[1] + 1, before[2])
    assert main(["inventory", "list", "--client", "DEMO", "--status", "BATCHED",
                 "--database", database_url]) == 0
    assert f"\t{batched}\tBATCHED\t{batch_mdn}\t" in capsys.readouterr().out

    # an imported AVAILABLE device in NewCustomers_Create over SOAP, found by Inventory
    res = soap_create(client, devices[1])
    assert child_text(res, "Header/Success") == "true"
    customer = child_text(res, "Customer_ID")
    q = soap_query_inventory(client, devices[1])
    assert child_text(q, "Header/Success") == "true"
    assert child_text(q, "Customer/ID") == customer
    assert child_text(q, "Customer/Services/ServiceItem/Inventory/Inventory/Identifier") == \
        devices[1]
    assert child_text(q, "Customer/Services/ServiceItem/Inventory/Inventory/Status") == \
        "ASSIGNED"
    # found by its MEID (another form) as well
    assert child_text(soap_query_inventory(client, devices[1][:14]), "Customer/ID") == customer

    # the BATCHED one behaves like the demo's pre-activated device: its MDN is the service's
    res = soap_create(client, batched)
    assert child_text(res, "Header/Success") == "true"
    customer = child_text(res, "Customer_ID")
    q = soap_query_inventory(client, batched)
    assert child_text(q, "Customer/ID") == customer
    assert child_text(q, "Customer/Services/ServiceItem/Service/TN") == batch_mdn
    assert child_text(q, "Customer/Services/ServiceItem/Inventory/Inventory/Wireless/MDN") == \
        batch_mdn
    stored = item(engine, batched)
    assert (stored.status, str(stored.customer_id)) == ("ASSIGNED", customer)

    # the same file again: every row is stored, the assigned ones now differ
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert f"(Identifier {devices[1]}): already stored" in err
    assert f"Status is ASSIGNED, not AVAILABLE" in err


def test_a_device_imported_for_other_is_not_visible_to_demo(engine, database_url, client,
                                                           tmp_path, capsys):
    other = client_id(engine, "OTHER")
    handset = handset_type(engine, other)
    a = imei()
    path = tmp_path / "other.csv"
    path.write_text(f"{H}{a},{handset},\n")
    assert main(["inventory", "import", str(path), "--client", "OTHER",
                 "--database", database_url]) == 0
    capsys.readouterr()
    res = soap_create(client, a)  # DEMO
    assert child_text(res, "Header/Success") == "false"
    assert child_text(res, "Header/Error_Code") == "I2019"
    assert item(engine, a, other).status == "AVAILABLE"
    assert main(["inventory", "list", "--client", "DEMO", "--database", database_url]) == 0
    assert a not in capsys.readouterr().out
    # OTHER can use it
    res = soap_create(client, a, OTHER, package=1101)
    assert child_text(res, "Header/Success") == "true", child_text(res, "Header/Message")


def test_unknown_client_and_missing_file(database_url, tmp_path, capsys):
    path = tmp_path / "d.csv"
    path.write_text(f"{H}{imei()},Mobile Device,\n")
    assert main(["inventory", "import", str(path), "--client", "NOPE",
                 "--database", database_url]) == 2
    assert capsys.readouterr().err == ("openrev: error: client 'NOPE' does not exist (create "
                                       "it with: openrev client add)\n")
    assert main(["inventory", "import", str(tmp_path / "none.csv"), "--client", "DEMO",
                 "--database", database_url]) == 1
    assert capsys.readouterr().err == (f"openrev: error: {tmp_path / 'none.csv'}: cannot "
                                       "read: No such file or directory\n")
