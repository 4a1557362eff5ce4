"""In-process benchmarks of the wire codec (``make bench``).

What is measured, on one realistic answer (a Customers_Query result: a customer with both
addresses, billing, lifeline, custom fields, tax exemptions and three services with their
products and inventory) and one realistic request (a NewCustomers_Create):

* encode/openrev   - the SOAP codec writes the whole answer envelope to bytes;
* encode/lxml      - lxml builds the same answer tree by hand (SubElement per element) and
                     serialises it: the yardstick (the codec must reach at least half of it);
* encode/json      - the JSON binding writes the same answer;
* decode/openrev   - the SOAP codec reads the request envelope into the contract's Structs
                     (three states kept, values parsed);
* decode/lxml      - lxml merely parses the same bytes into a tree (no values parsed).

Each figure is the median of several repeats, all in this one run; ratios are of medians.
"""

from __future__ import annotations

import argparse
import datetime as dt
import platform
import statistics
import sys
import timeit
from decimal import Decimal
from pathlib import Path

from common import cpu, write_section  # bench/common.py

from lxml import etree

from openrev.contract.envelope import Header
from openrev.contract.operations import OPERATIONS, CustomerInfo
from openrev.contract.types import (
    Address, Billing, Field, Inventory, Lifeline, Service, ServiceItem, ServiceProduct, Wireless,
)
from openrev.wire import jsoncodec, soap

NS = "http://api.myh2o.com/v20"
SOAP11 = soap.SOAP11_NS


def sample_customer() -> dict:
    """The answer's data as plain Python, shared by both encoders."""
    def address(kind: str) -> dict:
        return {"ID": 10 if kind == "P" else 11, "FirstName": "Jane", "LastName": "Sample",
                "MiddleName": "Q", "Address1": "101 N Palafox St", "Address2": "Apt 2 & 3",
                "City": "Pensacola", "State": "FL", "Zip": "32502", "Zip4": "5836",
                "Country": "USA"}

    services = []
    for s in range(3):
        products = [{"ID": 100 + s * 10 + p, "ProductID": 2001 + p, "CarrierID": 10,
                     "CarrierDescription": "Demo Wireless", "Status": "ACTIVE",
                     "Description": f"Product <{p}>", "Rate": Decimal("25.00") - p,
                     "Code1": "UTT", "Code2": "", "ActivatedDate": dt.date(2026, 1, 1 + p),
                     "BilledThroughDate": dt.date(2026, 11, 30), "Quantity": 1}
                    for p in range(5)]
        inventory = [{"ID": 500 + s * 2 + i, "CustomerID": 1,
                      "Identifier": f"35693803564{s}{i}01", "IdentifierLabel": "ESN",
                      "InventoryTypeID": 1, "InventoryType": "Mobile_Device",
                      "InventoryDescription": "Mobile Device", "Status": "ASSIGNED",
                      "AssignedDate": dt.date(2026, 1, 1), "Note": "",
                      "Wireless": {"MSID": "8505550100", "MSL": "123456",
                                   "MDN": f"850555010{s}"}}
                     for i in range(2)]
        services.append({"Service": {"ID": 1 + s, "Type": "Wireless", "TN": f"850555010{s}",
                                     "CarrierID": 10, "CarrierDescription": "Demo Wireless",
                                     "PackageID": 1001, "PackageDescription": "Wireless Unlimited",
                                     "ProgramID": 0, "ProgramDescription": ""},
                         "Products": products, "Inventory": inventory})
    return {
        "ID": 1, "AcctNum": "A-0001", "Status": "OPEN", "AgentID": 1, "AgentNumber": 5001,
        "BIllProfileID": 1, "CustomerClass": "Residential", "BillMethod": "EMAIL_ONLY",
        "IsParentAccount": False, "ContractStart": dt.date(2026, 1, 1),
        "ContractEnd": dt.date(2027, 1, 1), "SecurityPIN": "1234", "Language": "English",
        "PhysicalAddress": address("P"), "MailingAddress": address("M"),
        "Billing": {"Balance": Decimal("12.34"), "Due": Decimal("45.00"),
                    "Overdue": Decimal("0.00"), "UnbilledUsage": Decimal("1.99"),
                    "EnabledBalanceLimit": True, "UsageBalanceLimit": Decimal("100.00"),
                    "PaymentTerms": 30, "PaymentTermsOverride": False},
        "DOB": dt.date(1980, 2, 3), "DL": "S123-456-78-901", "SSN": "123-45-6789",
        "Email": "jane@example.com", "IsAutoDebit": False, "AutoDebitDay": 0,
        "LifeLine": {"LifelineTypeID": 1, "Status": "APPROVED", "TemporaryAddress": False,
                     "SeparateEconomicUnit": False, "Tribal": False,
                     "CertificationDate": dt.date(2026, 1, 1), "HouseholdCount": 3,
                     "AnnualIncome": Decimal("18000.00"), "TPIVStatus": "APPROVED"},
        "TaxExemptions": ["State", "Local"],
        "Fields": [{"FieldID": 1, "Label": "Referral Source", "Value": "Radio"},
                   {"FieldID": 2, "Label": "Preferred Contact Time", "Value": "Evenings"}],
        "Services": services,
    }


def to_structs(d: dict):
    """The same data as the contract's Structs (what a handler returns)."""
    c = dict(d)
    c["PhysicalAddress"] = Address(**d["PhysicalAddress"])
    c["MailingAddress"] = Address(**d["MailingAddress"])
    c["Billing"] = Billing(**d["Billing"])
    c["LifeLine"] = Lifeline(**d["LifeLine"])
    c["Fields"] = [Field(**f) for f in d["Fields"]]
    c["Services"] = [
        ServiceItem(
            Service=Service(**s["Service"]),
            Products=[ServiceProduct(**p) for p in s["Products"]],
            Inventory=[Inventory(**{**i, "Wireless": Wireless(**i["Wireless"])})
                       for i in s["Inventory"]],
        )
        for s in d["Services"]
    ]
    op = OPERATIONS["Customers_Query"]
    return op.result(Header=Header(Success=True, SessionKey="k" * 43, Impersonated=False),
                     Customer=CustomerInfo(**c))


def _text(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (dt.date, dt.datetime)):
        return v.isoformat()
    return str(v)


def lxml_by_hand(d: dict, session_key: str) -> bytes:
    """lxml building and serialising the same answer, element by element."""
    q = "{%s}" % NS
    sub = etree.SubElement

    def leaf(parent, tag, value):
        if value is not None:
            sub(parent, q + tag).text = _text(value)

    def addr(parent, tag, a):
        el = sub(parent, q + tag)
        for k in ("ID", "FirstName", "LastName", "MiddleName", "Suffix", "CompanyName",
                  "Address1", "Address2", "City", "State", "Zip", "Zip4", "Country"):
            leaf(el, k, a.get(k))

    env = etree.Element("{%s}Envelope" % SOAP11, nsmap={"soap": SOAP11})
    body = sub(env, "{%s}Body" % SOAP11)
    resp = sub(body, q + "Customers_QueryResponse", nsmap={None: NS})
    res = sub(resp, q + "Customers_QueryResult")
    h = sub(res, q + "Header")
    leaf(h, "Success", True)
    leaf(h, "SessionKey", session_key)
    leaf(h, "Impersonated", False)
    c = sub(res, q + "Customer")
    for k in ("ID", "AcctNum", "Status", "AgentID", "AgentNumber", "BIllProfileID",
              "CustomerClass", "BillMethod", "IsParentAccount", "ParentAccountID",
              "ContractStart", "ContractEnd", "SecurityPIN", "Language"):
        leaf(c, k, d.get(k))
    addr(c, "PhysicalAddress", d["PhysicalAddress"])
    addr(c, "MailingAddress", d["MailingAddress"])
    b = sub(c, q + "Billing")
    for k in ("Balance", "Due", "Overdue", "UnbilledUsage", "EnabledBalanceLimit",
              "UsageBalanceLimit", "PaymentTerms", "PaymentTermsOverride"):
        leaf(b, k, d["Billing"].get(k))
    for k in ("DOB", "DL", "SSN", "Email", "Source", "IsAutoDebit", "AutoPaymentAccountID",
              "AutoDebitDay"):
        leaf(c, k, d.get(k))
    ll = sub(c, q + "LifeLine")
    for k in ("LifelineTypeID", "Status", "TemporaryAddress", "SeparateEconomicUnit", "Tribal",
              "CertificationDate", "HouseholdCount", "AnnualIncome", "TPIVStatus"):
        leaf(ll, k, d["LifeLine"].get(k))
    te = sub(c, q + "TaxExemptions")
    for v in d["TaxExemptions"]:
        leaf(te, "string", v)
    fs = sub(c, q + "Fields")
    for f in d["Fields"]:
        fe = sub(fs, q + "Field")
        for k in ("FieldID", "Label", "Value"):
            leaf(fe, k, f[k])
    ss = sub(c, q + "Services")
    for s in d["Services"]:
        si = sub(ss, q + "ServiceItem")
        se = sub(si, q + "Service")
        for k in ("ID", "Type", "TN", "CarrierID", "CarrierDescription", "PackageID",
                  "PackageDescription", "ProgramID", "ProgramDescription"):
            leaf(se, k, s["Service"][k])
        ps = sub(si, q + "Products")
        for p in s["Products"]:
            pe = sub(ps, q + "Product")
            for k in ("ID", "ProductID", "CarrierID", "CarrierDescription", "Status",
                      "Description", "Rate", "Code1", "Code2", "ActivatedDate",
                      "BilledThroughDate", "Quantity"):
                leaf(pe, k, p[k])
        inv = sub(si, q + "Inventory")
        for i in s["Inventory"]:
            ie = sub(inv, q + "Inventory")
            for k in ("ID", "CustomerID", "Identifier", "IdentifierLabel", "InventoryTypeID",
                      "InventoryType", "InventoryDescription", "Status", "AssignedDate", "Note"):
                leaf(ie, k, i[k])
            w = sub(ie, q + "Wireless")
            for k in ("MSID", "MSL", "MDN"):
                leaf(w, k, i["Wireless"][k])
    return etree.tostring(env, xml_declaration=True, encoding="utf-8")


REQUEST = (
    '<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="%s" xmlns:r="%s">'
    "<soap:Body><r:NewCustomers_Create><r:Request><r:Session><r:SessionKey>%s</r:SessionKey>"
    "</r:Session><r:Customer><r:AgentID>1</r:AgentID><r:BIllProfileID>1</r:BIllProfileID>"
    "<r:SecurityPIN>1234</r:SecurityPIN><r:DOB>1980-02-03</r:DOB><r:SSN>123456789</r:SSN>"
    "<r:Email>jane@example.com</r:Email><r:CustomerClass>Residential</r:CustomerClass>"
    "<r:Lifeline><r:LifelineTypeID>1</r:LifelineTypeID><r:TemporaryAddress>false"
    "</r:TemporaryAddress><r:SeparateEconomicUnit>false</r:SeparateEconomicUnit></r:Lifeline>"
    "<r:Fields><r:Field><r:FieldID>1</r:FieldID><r:Value>Radio</r:Value></r:Field></r:Fields>"
    "<r:MailingAddress><r:FirstName>Jane</r:FirstName><r:LastName>Sample</r:LastName>"
    "<r:Address1>101 N Palafox St</r:Address1><r:City>Pensacola</r:City><r:State>FL</r:State>"
    "<r:Zip>32502</r:Zip></r:MailingAddress><r:PhysicalAddress><r:FirstName>Jane</r:FirstName>"
    "<r:LastName>Sample</r:LastName><r:Address1>101 N Palafox St</r:Address1>"
    "<r:City>Pensacola</r:City><r:State>FL</r:State><r:Zip>32502</r:Zip></r:PhysicalAddress>"
    "</r:Customer><r:Order><r:PackageID>1002</r:PackageID><r:WirelessESN>356938035643801"
    "</r:WirelessESN><r:AdditionalProducts><r:Product><r:ProductID>2004</r:ProductID>"
    "<r:Rate>9.99</r:Rate></r:Product></r:AdditionalProducts></r:Order>"
    "<r:SendOrders>true</r:SendOrders></r:Request></r:NewCustomers_Create></soap:Body>"
    "</soap:Envelope>"
) % (SOAP11, NS, "k" * 43)


def median_us(fn, number: int, repeat: int) -> float:
    times = timeit.repeat(fn, number=number, repeat=repeat)
    return statistics.median(times) / number * 1e6


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--number", type=int, default=300, help="calls per repeat")
    ap.add_argument("--repeat", type=int, default=9, help="repeats (the median is quoted)")
    ap.add_argument("--write", metavar="FILE", help="also write the results as Markdown")
    args = ap.parse_args()

    data = sample_customer()
    result = to_structs(data)
    call = soap.SoapCall(11, OPERATIONS["Customers_Query"], NS, None, None)  # type: ignore[arg-type]
    ours = soap.write_response(call, result)
    theirs = lxml_by_hand(data, "k" * 43)
    c14n = lambda b: etree.tostring(etree.fromstring(b), method="c14n")  # noqa: E731
    same = c14n(ours).replace(b' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"', b"") \
        .replace(b' xmlns:xsd="http://www.w3.org/2001/XMLSchema"', b"") == c14n(theirs)
    if not same:
        print("the two encoders do not produce the same tree", file=sys.stderr)
        return 1
    request = REQUEST.encode()

    n, r = args.number, args.repeat
    rows = [
        ("encode/openrev", median_us(lambda: soap.write_response(call, result), n, r)),
        ("encode/lxml", median_us(lambda: lxml_by_hand(data, "k" * 43), n, r)),
        ("encode/json", median_us(lambda: jsoncodec.dumps(result), n, r)),
        ("decode/openrev", median_us(lambda: soap.read_call(request, "text/xml"), n, r)),
        ("decode/lxml", median_us(lambda: etree.fromstring(request), n, r)),
    ]
    t = dict(rows)
    ratio = t["encode/lxml"] / t["encode/openrev"]
    lines = [
        f"answer: Customers_Query result, {len(ours)} bytes of SOAP; request: "
        f"NewCustomers_Create, {len(request)} bytes",
        "",
        "| benchmark | median µs per call | calls/s |",
        "| --- | ---: | ---: |",
        *[f"| {name} | {us:.1f} | {1e6 / us:,.0f} |" for name, us in rows],
        "",
        f"encode throughput, openrev / lxml-by-hand: **{ratio:.2f}x** (target: at least 0.5x)",
    ]
    print("\n".join(lines))
    if args.write:
        write_markdown(Path(args.write), lines, args)
    return 0 if ratio >= 0.5 else 2


def write_markdown(path: Path, lines: list[str], args: argparse.Namespace) -> None:
    write_section(path, "codec", [
        "## Wire codec (in-process)",
        "",
        f"Command: `make bench` (= `.venv/bin/python bench/run.py --number {args.number} "
        f"--repeat {args.repeat} --write docs/PERFORMANCE.md`)  ",
        f"Run on {dt.date.today().isoformat()}, Python {platform.python_version()}, "
        f"{platform.machine()}, {cpu()}; the medians and the ratio come from one run.",
        "",
        *lines,
    ])


if __name__ == "__main__":
    sys.exit(main())
