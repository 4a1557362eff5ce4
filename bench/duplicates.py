"""Duplicate_Query latency at two database sizes (issue 9, "Scale").

For each database given, this measures p50 and p95 of one Duplicate_Query call of client DEMO
(all seven default match patterns run) for three requests, each a whole enrollment (name,
SSN, DOB, licence, address):

* person   - an existing customer's name, SSN, DOB and licence at an address nobody has:
             a PERSON match;
* location - a new person (an SSN no seeded customer has) at an existing customer's physical
             address (Street1, Street2, City, State, Zip as stored): a LOCATION match;
* miss     - a new person at a new address: no match.

Each kind cycles through ``--targets`` different customers (seeded ones, read back through
the ORM, so their SSNs are decrypted with the database's key). A call is what the JSON
endpoint does, in process: the request body is parsed and decoded by the JSON binding, run
by ``Api.answer`` (session check, handler, one read-only transaction) and the answer encoded
to JSON; no HTTP. The first ``--warmup`` calls of each kind are not counted.

``--seed-to N`` first creates what is missing: the schema (``openrev init``), the demo data,
and ``openrev seed-customers`` up to N customers of DEMO. ``--write FILE`` puts the table
(with the command) into FILE between ``<!-- bench:duplicates:start/end -->``.

Example (the command of docs/PERFORMANCE.md)::

    OPENREV_SECRET_KEY=... .venv/bin/python bench/duplicates.py \\
        --db sqlite-10k=sqlite:////tmp/openrev-bench/bench_10k.db --seed-to 10000 ...
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import shlex
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from common import cpu, demo_database, write_section  # bench/common.py
from openrev.contract.operations import OPERATIONS
from openrev.ops.api import Api
from openrev.settings import Settings
from openrev.store.crypto import use_keyring
from openrev.store.db import display_url, make_engine, make_sessionmaker
from openrev.store.tables import Address, Client, Customer
from openrev.wire import jsoncodec
from openrev.wire.xmlcodec import DecodeReport

KINDS = ("person", "location", "miss")
OP = OPERATIONS["Duplicate_Query"]


def prepare(url: str, size: int) -> None:
    """Schema, demo data and seeded customers up to ``size`` customers of DEMO."""
    from openrev.progress import ProgressLine
    from openrev.store.seed import seed_customers

    engine = demo_database(url)
    try:
        have = _count(engine)
        if have < size:
            print(f"seeding {size - have:,} customers into {display_url(url)}", file=sys.stderr)
            seed_customers(engine, size - have, progress=ProgressLine())
    finally:
        engine.dispose()


def _count(engine: Any) -> int:
    with engine.connect() as conn:
        return conn.scalar(select(func.count()).select_from(Customer).join(
            Client, Client.id == Customer.client_id).where(Client.code == "DEMO")) or 0


def targets(sessions: Any, n: int) -> list[dict[str, Any]]:
    """``n`` OPEN customers of DEMO spread over the id range, with their physical address."""
    with sessions() as db:
        cid = db.scalar(select(Client.id).where(Client.code == "DEMO"))
        lo, hi = db.execute(select(func.min(Customer.id), func.max(Customer.id))
                            .where(Customer.client_id == cid)).one()
        out = []
        step = max(1, (hi - lo) // (n + 1))
        probe = lo + step
        while len(out) < n and probe <= hi:
            c = db.scalar(select(Customer).where(
                Customer.client_id == cid, Customer.id >= probe, Customer.status == "OPEN",
                Customer.ssn.is_not(None), Customer.physical_address_id.is_not(None))
                .order_by(Customer.id).limit(1))
            if c is None:
                break
            a: Address = c.physical_address
            out.append({"id": c.id, "FirstName": a.first_name, "LastName": a.last_name,
                        "SSNTaxId": c.ssn, "DateOfBirth": f"{c.dob.isoformat()}T00:00:00",
                        "DriversLicenseNumber": c.dl, "Street1": a.address1,
                        "Street2": a.address2 or "", "City": a.city, "State": a.state,
                        "Zip": a.zip})
            probe = c.id + step
        return out


def requests(kind: str, t: dict[str, Any], i: int) -> dict[str, Any]:
    """The request body of one call of ``kind`` about target ``t`` (``i``: a counter)."""
    nobody = {"FirstName": "Quillon", "LastName": f"Vexmoor{i % 97}",
              "SSNTaxId": f"9{i % 100:02d}{(i * 7919) % 1000000:06d}",  # never seeded (9xx)
              "DateOfBirth": "1901-02-03T00:00:00", "DriversLicenseNumber": f"ZZ{i:09d}"}
    nowhere = {"Street1": f"{90000 + i % 9999} Nowhere Xing", "Street2": "",
               "City": "Pensacola", "State": "FL", "Zip": "32502"}
    person = {k: t[k] for k in ("FirstName", "LastName", "SSNTaxId", "DateOfBirth",
                                "DriversLicenseNumber")}
    place = {k: t[k] for k in ("Street1", "Street2", "City", "State", "Zip")}
    if kind == "person":
        body = {**person, **nowhere}
    elif kind == "location":
        body = {**nobody, **place}
    else:
        body = {**nobody, **nowhere}
    return {k: v for k, v in body.items() if v not in (None, "")}


def measure(url: str, number: int, warmup: int, n_targets: int) -> dict[str, Any]:
    use_keyring(url)
    engine = make_engine(url)
    sessions = make_sessionmaker(engine)
    api = Api(sessions, Settings(database_url=url))
    try:
        size = _count(engine)
        who = targets(sessions, n_targets)
        if not who:
            raise SystemExit(f"{display_url(url)}: no OPEN seeded customer to look for")
        login = _call(api, "Sessions_Create", {"Credentials": {
            "Client": "DEMO", "Username": "demo", "Password": "demo"}})
        key = login["Header"]["SessionKey"]
        out: dict[str, Any] = {"customers": size, "url": display_url(url)}
        for kind in KINDS:
            times, counts = [], set()
            for i in range(warmup + number):
                t = who[i % len(who)]
                body = {"Session": {"SessionKey": key}, **requests(kind, t, i)}
                started = time.perf_counter()
                answer = _call(api, "Duplicate_Query", body)
                took = time.perf_counter() - started
                if not answer["Header"]["Success"]:
                    raise SystemExit(f"Duplicate_Query failed: {answer['Header']}")
                found = {int(m["CustomerID"]) for m in answer.get("Matches") or []}
                ok = (t["id"] in found) if kind != "miss" else not found
                if not ok:
                    raise SystemExit(f"{kind}: unexpected answer for customer {t['id']}: "
                                     f"{answer.get('MatchTotalCount')} match(es) {found}")
                counts.add((answer["MatchPersonCount"], answer["MatchLocationCount"]))
                if i >= warmup:
                    times.append(took * 1000)
            times.sort()
            out[kind] = {"p50": statistics.median(times),
                         "p95": times[min(len(times) - 1, int(round(0.95 * len(times))) - 1)],
                         "calls": len(times)}
        return out
    finally:
        engine.dispose()


def _call(api: Api, op_name: str, body: dict[str, Any]) -> dict[str, Any]:
    """What the JSON endpoint does for one call, minus HTTP."""
    op = OPERATIONS[op_name]
    report = DecodeReport()
    request = jsoncodec.decode(jsoncodec.loads(jsoncodec_bytes(body)), op.request, "", report)
    return jsoncodec.loads(jsoncodec.dumps(api.answer(op, request, report).result))


def jsoncodec_bytes(body: dict[str, Any]) -> bytes:
    import orjson

    return orjson.dumps(body)


def table(results: list[tuple[str, dict[str, Any]]]) -> list[str]:
    lines = ["| database | customers | query | p50 ms | p95 ms | calls |",
             "| --- | ---: | --- | ---: | ---: | ---: |"]
    for label, r in results:
        for kind in KINDS:
            k = r[kind]
            lines.append(f"| {label} | {r['customers']:,} | {kind} | {k['p50']:.2f} | "
                         f"{k['p95']:.2f} | {k['calls']} |")
    by_backend: dict[str, list[dict[str, Any]]] = {}
    for label, r in results:
        by_backend.setdefault(r["url"].split(":", 1)[0].split("+")[0], []).append(r)
    ratios = []
    for backend, rs in by_backend.items():
        if len(rs) < 2:
            continue
        small, big = min(rs, key=lambda r: r["customers"]), max(rs, key=lambda r: r["customers"])
        for kind in KINDS:
            ratios.append(f"| {backend} | {kind} | {big[kind]['p50'] / small[kind]['p50']:.2f}x | "
                          f"{big[kind]['p95'] / small[kind]['p95']:.2f}x |")
    if ratios:
        lines += ["", "Largest / smallest database of each backend (target: at most 1.5x):", "",
                  "| backend | query | p50 ratio | p95 ratio |", "| --- | --- | ---: | ---: |",
                  *ratios]
    return lines


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", action="append", required=True, metavar="LABEL=URL",
                    help="a database to measure (repeatable), e.g. sqlite-10k=sqlite:///x.db")
    ap.add_argument("--seed-to", action="append", type=int, metavar="N",
                    help="per --db, in order: create/seed it up to N customers of DEMO first")
    ap.add_argument("--number", type=int, default=300, help="calls per kind (default 300)")
    ap.add_argument("--warmup", type=int, default=30, help="calls not counted (default 30)")
    ap.add_argument("--targets", type=int, default=50, help="customers cycled through")
    ap.add_argument("--write", metavar="FILE", help="also write the table into FILE")
    args = ap.parse_args()

    dbs = [d.split("=", 1) for d in args.db]
    if any(len(d) != 2 for d in dbs):
        ap.error("--db takes LABEL=URL")
    if args.seed_to:
        if len(args.seed_to) != len(dbs):
            ap.error("give one --seed-to per --db")
        for (_, url), size in zip(dbs, args.seed_to):
            prepare(url, size)
    results = []
    for label, url in dbs:
        print(f"measuring {label} ...", file=sys.stderr)
        results.append((label, measure(url, args.number, args.warmup, args.targets)))
    lines = table(results)
    print("\n".join(lines))
    if args.write:
        write_markdown(Path(args.write), lines, args)
    return 0


def write_markdown(path: Path, lines: list[str], args: argparse.Namespace) -> None:
    command = shlex.join(["bench/duplicates.py", *sys.argv[1:]])
    write_section(path, "duplicates", [
        "## Duplicate_Query at 10,000 and 1,000,000 customers",
        "",
        "Command (databases seeded with `openrev seed-customers`; for PostgreSQL "
        "`OPENREV_SECRET_KEY` is the key they were seeded with):",
        "",
        f"    .venv/bin/python {command}",
        "",
        f"Run on {dt.date.today().isoformat()}, Python {platform.python_version()}, "
        f"{platform.machine()}, {cpu()}, {os.cpu_count()} CPUs (shared); in process: JSON "
        "decode, `Api.answer` (session, handler, one read transaction), JSON encode; no "
        "HTTP. Each request is a whole enrollment (name, SSN, DOB, licence, address), so all "
        "seven default patterns run; the medians and ratios come from this one run.",
        "",
        *lines,
    ])


if __name__ == "__main__":
    sys.exit(main())
