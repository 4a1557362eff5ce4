"""NewCustomers_Quote latency (issue 10, "Fast").

Two figures, each the median and p95 of ``--number`` calls after ``--warmup``:

* engine - the table tax engine alone (``openrev.domain.tax.quote``) on package 1001 plus a
           shipping charge in Pensacola FL 32502, with the client's table already parsed;
* call   - one NewCustomers_Quote of client DEMO as the JSON endpoint runs it, in process
           (decode, session check, one read-only transaction: the package and its products,
           the client's tax table digest - the parsed table is cached -, encode); no HTTP.
           The ZIP cycles through 32502, 10001 and 97201.

``--database URL`` (default: a new SQLite file in a temporary directory) is migrated and
loaded with the demo data first when it has none.

    .venv/bin/python bench/quote.py [--database URL] [--number 500]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from typing import Any


from common import demo_database  # bench/common.py
from openrev.contract.operations import OPERATIONS
from openrev.domain import tax
from openrev.ops.api import Api
from openrev.settings import Settings
from openrev.store.crypto import use_keyring
from openrev.store.db import make_engine, make_sessionmaker
from openrev.store.tax import sample_text
from openrev.wire import jsoncodec
from openrev.wire.xmlcodec import DecodeReport

ZIPS = ("32502", "10001", "97201")


def prepare(url: str) -> None:
    demo_database(url).dispose()


def stats(times: list[float]) -> tuple[float, float]:
    times = sorted(times)
    return statistics.median(times), times[min(len(times) - 1, int(0.95 * len(times)))]


def bench_engine(number: int, warmup: int) -> list[float]:
    engine = tax.TableTaxEngine(tax.parse_table(sample_text()))
    where = tax.jurisdiction_of("32502")
    assert where is not None
    charges = [tax.charge("Unlimited Talk & Text", Decimal("25.00"), 1, True, "wireless_service"),
               tax.charge("5GB Data", Decimal("15.00"), 1, True, "wireless_service"),
               tax.charge("Activation Fee", Decimal("35.00"), 1, False, "activation"),
               tax.charge("Shipping", Decimal("9.99"), 1, False, "shipping")]
    times = []
    for i in range(warmup + number):
        started = time.perf_counter()
        tax.quote(charges, engine, where)
        if i >= warmup:
            times.append((time.perf_counter() - started) * 1e6)
    return times


def _call(api: Api, op_name: str, body: dict[str, Any]) -> dict[str, Any]:
    import orjson

    op = OPERATIONS[op_name]
    report = DecodeReport()
    request = jsoncodec.decode(jsoncodec.loads(orjson.dumps(body)), op.request, "", report)
    return jsoncodec.loads(jsoncodec.dumps(api.answer(op, request, report).result))


def bench_call(url: str, number: int, warmup: int) -> list[float]:
    use_keyring(url)
    engine = make_engine(url)
    api = Api(make_sessionmaker(engine), Settings(database_url=url))
    try:
        login = _call(api, "Sessions_Create", {"Credentials": {
            "Client": "DEMO", "Username": "demo", "Password": "demo"}})
        key = login["Header"]["SessionKey"]
        times = []
        for i in range(warmup + number):
            body = {"Session": {"SessionKey": key}, "ZIP": ZIPS[i % 3], "PackageID": 1001,
                    "AdditionalProducts": [{"ProductID": 2004}]}
            started = time.perf_counter()
            answer = _call(api, "NewCustomers_Quote", body)
            took = time.perf_counter() - started
            if not answer["Header"]["Success"]:
                raise SystemExit(f"NewCustomers_Quote failed: {answer['Header']}")
            if i >= warmup:
                times.append(took * 1e3)
        return times
    finally:
        engine.dispose()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--database", metavar="URL", help="default: a new temporary SQLite file")
    ap.add_argument("--number", type=int, default=500)
    ap.add_argument("--warmup", type=int, default=50)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database or f"sqlite:///{tmp}/quote.db"
        prepare(url)
        e50, e95 = stats(bench_engine(args.number, args.warmup))
        c50, c95 = stats(bench_call(url, args.number, args.warmup))
    print("| benchmark | p50 | p95 | calls |")
    print("| --- | ---: | ---: | ---: |")
    print(f"| quote/engine | {e50:.1f} µs | {e95:.1f} µs | {args.number} |")
    print(f"| quote/call ({url.split(':', 1)[0]}) | {c50:.2f} ms | {c95:.2f} ms | {args.number} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
