"""HTTP benchmark of ``openrev serve`` with ``wrk`` (``make bench``, issue 13).

For each backend (SQLite file, PostgreSQL) and size (10,000 and 1,000,000 synthetic
customers, ``bench/seeded.py`` caches the databases), it starts ``openrev serve --no-worker``
on a free loopback port, takes session keys, and runs ``wrk`` (one thread, a separate
process) against each operation over SOAP 1.1 and JSON (SOAP 1.2 with ``--bindings``), at
concurrency 1 and 16, with ``GET /health`` (framework + ``SELECT 1``, cached) and the
authenticated no-work operation (LifelineTypes_Query with a session) as baselines. Each wrk
script is generated: a table of request bodies rotating over customers, TNs and device
identifiers that exist in the seeded data; writes (Customers_Update, NewCustomers_Create)
put a per-request counter into their inputs; every answer is checked (HTTP 200 and
``Success`` true), and a run with failed answers is reported as such.

On PostgreSQL it then compares ``serve --workers 2`` with one worker at several
concurrencies. The table, and the ratios against the issue's targets marked met/missed,
are printed and written into docs/PERFORMANCE.md (``--write``) between the markers
``bench:http``. Servers are always stopped (``finally``), even on Ctrl-C.

    .venv/bin/python bench/wrkbench.py --write docs/PERFORMANCE.md           # everything
    .venv/bin/python bench/wrkbench.py --quick                                # a few minutes
    .venv/bin/python bench/wrkbench.py --backends sqlite --sizes 10000 --ops health,noop,cq_id
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from helpers import TNS, envelope, headers_for, to_xml  # noqa: E402  (tests/helpers.py)

from common import cpu, write_section  # noqa: E402  (bench/common.py)
from seeded import DEFAULT_PG, OPENREV, bench_dir, seeded  # noqa: E402  (bench/seeded.py)

DEMO = {"Username": "demo", "Password": "demo", "Client": "DEMO"}
CLERK = {"Username": "clerk", "Password": "clerk", "Client": "DEMO"}  # Sessions_Create's
BODIES = 500          # request bodies per script (rotated through)
UNIQUE = "~N~"        # replaced by a per-request counter in writes


# --------------------------------------------------------------------------- the data


@dataclass
class Sample:
    """Customers of the seeded database the requests rotate through (OPEN ones)."""

    ids: list[int]
    tns: list[str]
    imeis: list[str]
    people: list[dict[str, str]]  # first/last name and physical address


def sample(url: str, env: dict, count: int = BODIES) -> Sample:
    """``count`` OPEN customers of DEMO spread over the whole id range, with a TN, a device
    and a physical address each."""
    from sqlalchemy import create_engine, func, select

    from openrev.store.db import normalize_url
    from openrev.store.tables import Address, Client, Customer, InventoryItem, Service

    engine = create_engine(normalize_url(url))
    rng = random.Random(13)
    try:
        with engine.connect() as conn:
            client = conn.scalar(select(Client.id).where(Client.code == "DEMO"))
            low, high = conn.execute(select(func.min(Customer.id), func.max(Customer.id))
                                     .where(Customer.client_id == client)).one()
            picks = sorted({rng.randint(low, high) for _ in range(count * 3)})
            rows = conn.execute(
                select(Customer.id, Service.tn, InventoryItem.identifier, Address.first_name,
                       Address.last_name, Address.address1, Address.city, Address.state,
                       Address.zip)
                .join(Service, Service.customer_id == Customer.id)
                .join(InventoryItem, InventoryItem.customer_id == Customer.id)
                .join(Address, Address.id == Customer.physical_address_id)
                .where(Customer.client_id == client, Customer.status == "OPEN",
                       Customer.id.in_(picks), Service.tn.is_not(None),
                       Address.first_name.is_not(None))).all()
    finally:
        engine.dispose()
    seen: dict[int, Any] = {}
    for r in rows:
        seen.setdefault(r[0], r)
    chosen = list(seen.values())
    rng.shuffle(chosen)
    chosen = chosen[:count]
    if not chosen:
        raise RuntimeError(f"no OPEN customers with a service and a device in {url}")
    return Sample(
        ids=[r[0] for r in chosen], tns=[r[1] for r in chosen], imeis=[r[2] for r in chosen],
        people=[{"FirstName": r[3], "LastName": r[4], "Street1": r[5], "City": r[6],
                 "State": r[7], "Zip": r[8]} for r in chosen])


# --------------------------------------------------------------------------- the operations


def _address(n: int) -> dict[str, str]:
    return {"FirstName": "Bench", "LastName": "Signup", "Address1": f"{100 + n % 900} Main St",
            "City": "Pensacola", "State": "FL", "Zip": "32502"}


@dataclass(frozen=True)
class Op:
    key: str
    op: str                 # the operation ("" for GET /health)
    kind: str               # baseline, read, create, write, login
    label: str
    bodies: Callable[[Sample], list[dict[str, Any]]]  # without the Session
    session: bool = True
    unique: bool = False


OPS = [
    Op("health", "", "baseline", "GET /health", lambda s: []),
    Op("noop", "LifelineTypes_Query", "baseline", "LifelineTypes_Query (no-work)",
       lambda s: [{}]),
    Op("cq_id", "Customers_Query", "read", "Customers_Query by ID",
       lambda s: [{"CustomerID": i} for i in s.ids]),
    Op("cq_tn", "Customers_Query", "read", "Customers_Query by TN",
       lambda s: [{"TN": t} for t in s.tns]),
    Op("cq_inv", "Customers_Query", "read", "Customers_Query by Inventory",
       lambda s: [{"Inventory": {"Identifier": m}} for m in s.imeis]),
    Op("dq", "Duplicate_Query", "read", "Duplicate_Query",
       lambda s: [dict(p) for p in s.people]),
    Op("quote", "NewCustomers_Quote", "read", "NewCustomers_Quote",
       lambda s: [{"ZIP": z, "PackageID": 1001} for z in ("32502", "10001", "97201")]),
    Op("orders", "Orders_Search", "read", "Orders_Search by CustomerID",
       lambda s: [{"CustomerID": i, "PageSize": 10} for i in s.ids]),
    Op("cu", "Customers_Update", "write", "Customers_Update",
       lambda s: [{"Customer": {"ID": i, "Email": f"bench-{UNIQUE}@example.com"}}
                  for i in s.ids], unique=True),
    Op("nc", "NewCustomers_Create", "create", "NewCustomers_Create",
       lambda s: [{"Customer": {"PhysicalAddress": _address(n), "MailingAddress": _address(n),
                                "Email": f"new-{UNIQUE}@example.com"}} for n in range(50)],
       unique=True),
    Op("nc_order", "NewCustomers_Create", "create", "NewCustomers_Create with an order",
       lambda s: [{"Customer": {"PhysicalAddress": _address(n), "MailingAddress": _address(n),
                                "Email": f"ord-{UNIQUE}@example.com"},
                   "Order": {"PackageID": 1001}} for n in range(50)], unique=True),
    Op("login", "Sessions_Create", "login", "Sessions_Create (same Credentials)",
       lambda s: [{"Credentials": CLERK}], session=False),
]
OP_BY_KEY = {o.key: o for o in OPS}
QUERIES = ("cq_id", "cq_tn", "cq_inv", "dq", "orders")  # held to flat latency 10k -> 1M
BINDINGS = ("soap11", "soap12", "json")
COMPARED = ("noop", "cq_id")  # --workers 2 against 1 (JSON, at --workers-concurrency)


def request_of(op: Op, binding: str, body: dict[str, Any]) -> tuple[str, dict[str, str], str]:
    """(path, headers, body text) of one call."""
    from openrev.contract.operations import OPERATIONS

    if binding == "json":
        return f"/v20/json/{op.op}", {"Content-Type": "application/json"}, json.dumps(body)
    version = 12 if binding == "soap12" else 11
    xml = envelope(op.op, to_xml(body, OPERATIONS[op.op].request), version=version)
    return "/v20/default.asmx", headers_for(version, op.op), xml.decode()


def success_marker(binding: str) -> str:
    return '"Success":true' if binding == "json" else "<Success>true</Success>"


# --------------------------------------------------------------------------- wrk


LUA = r"""
local bodies = {%(bodies)s}
local path = %(path)s
local headers = {%(headers)s}
local marker = %(marker)s
local unique = %(unique)s
local run = %(run)s
local threads = {}
function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end
function init(args)
  n = 0
  failures = 0
  first_failure = ""
end
function request()
  n = n + 1
  local b = bodies[(n + tid * 7919) %% #bodies + 1]
  if unique then
    b = b:gsub("~N~", run .. "-" .. tid .. "-" .. n)
  end
  return wrk.format(%(method)s, path, headers, b)
end
function response(status, hdrs, body)
  if status ~= 200 or (marker ~= "" and not string.find(body, marker, 1, true)) then
    failures = failures + 1
    if first_failure == "" then first_failure = string.sub(body, 1, 300) end
  end
end
function done(summary, latency, requests)
  local f, first = 0, ""
  for _, t in ipairs(threads) do
    f = f + t:get("failures")
    if first == "" then first = t:get("first_failure") end
  end
  local e = summary.errors
  io.write(string.format(
    '\nBENCH-JSON {"requests":%%d,"duration_us":%%d,"p50_us":%%d,"p99_us":%%d,' ..
    '"socket_errors":%%d,"failures":%%d,"first_failure":%%q}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.connect + e.read + e.write + e.timeout, f, first))
end
"""


def _lua_str(text: str) -> str:
    level = "=" * 3
    while f"]{level}]" in text:
        level += "="
    return f"[{level}[{text}]{level}]"


def wrk_script(op: Op, binding: str, bodies: list[dict[str, Any]]) -> str:
    if op.key == "health":
        path, headers, texts, method, marker = "/health", {}, [""], "GET", '"status":"ok"'
    else:
        texts = []
        for body in bodies[:BODIES] or [{}]:
            path, headers, text = request_of(op, binding, body)
            texts.append(text)
        method, marker = "POST", success_marker(binding)
    return LUA % {
        "bodies": ",\n".join(_lua_str(t) for t in texts),
        "path": _lua_str(path),
        "headers": ", ".join(f"[ {_lua_str(k)} ] = {_lua_str(v)}" for k, v in headers.items()),
        "marker": _lua_str(marker), "unique": "true" if op.unique else "false",
        "run": _lua_str(f"{int(time.time()) % 100000000}{os.getpid() % 1000}"),
        "method": _lua_str(method),
    }


@dataclass
class Result:
    backend: str
    size: int
    workers: int
    op: str
    binding: str
    conc: int
    rps: float = 0.0
    p50: float = 0.0        # ms
    p99: float = 0.0        # ms
    requests: int = 0
    bad: int = 0            # failed answers + socket errors
    note: str = ""
    runs: int = 0           # wrk runs the medians are of
    low: float = 0.0        # the lowest and highest req/s of those runs
    high: float = 0.0

    @property
    def ok(self) -> bool:
        return self.requests > 0 and self.bad == 0


def run_wrk(base: str, script: str, conc: int, duration: int) -> dict[str, Any]:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(script)
        path = f.name
    try:
        out = subprocess.run(
            ["wrk", "-t1", f"-c{conc}", f"-d{duration:g}s", "--timeout", "30s", "-s", path,
             base], capture_output=True, text=True, timeout=duration + 120)
    finally:
        os.unlink(path)
    for line in out.stdout.splitlines():
        if line.startswith("BENCH-JSON "):
            return json.loads(line[len("BENCH-JSON "):])
    raise RuntimeError(f"wrk gave no result (status {out.returncode}): "
                       f"{(out.stderr or out.stdout).strip()[:500]}")


# --------------------------------------------------------------------------- the server


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """``openrev serve --no-worker`` on a free loopback port; always stopped by ``stop``."""

    def __init__(self, url: str, env: dict, workers: int, log: Path) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = log
        self.out = log.open("a")
        self.proc = subprocess.Popen(
            [*OPENREV, "serve", "--database", url, "--port", str(self.port), "--no-worker",
             "--workers", str(workers), "--log-level", "WARNING"],
            env=env, stdout=self.out, stderr=subprocess.STDOUT, start_new_session=True)

    def wait_ready(self, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"openrev serve exited ({self.proc.returncode}): see "
                                   f"{self.log}")
            try:
                if httpx.get(f"{self.base}/health", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"openrev serve not ready after {timeout:.0f} s: see {self.log}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)  # its own process group
                self.proc.wait()
        self.out.close()


def session_key(base: str) -> str:
    out = httpx.post(f"{base}/v20/json/Sessions_Create", json={"Credentials": DEMO},
                     timeout=30).json()
    if not out["Header"]["Success"]:
        raise RuntimeError(f"Sessions_Create failed: {out['Header']}")
    return out["Header"]["SessionKey"]


def check_once(base: str, op: Op, binding: str, body: dict[str, Any]) -> str | None:
    """None when one call of ``body`` succeeds, else why not (a short text)."""
    if op.key == "health":
        return None
    path, headers, text = request_of(op, binding, json.loads(
        json.dumps(body).replace(UNIQUE, f"check{time.time_ns()}")))
    r = httpx.post(base + path, content=text.encode(), headers=headers, timeout=60)
    if r.status_code == 200 and success_marker(binding) in r.text:
        return None
    return f"HTTP {r.status_code}: {r.text[:300]}"


def bench_server(server: Server, backend: str, size: int, workers: int, ops: list[Op],
                 bindings: list[str], concs: list[int], duration: int, data: Sample,
                 say: Callable[[str], None], repeat: int = 1, warmup: int = 0
                 ) -> list[Result]:
    """Each (operation, binding, concurrency) ``repeat`` times, ``duration`` seconds each:
    the medians of the runs. First, ``warmup`` seconds of every operation at 4 connections,
    not counted (the database's caches hold the sample's customers, as in the runs after)."""
    results = []
    key = session_key(server.base)

    def bodies_of(op: Op) -> list[dict[str, Any]]:
        return [({"Session": {"SessionKey": key}} if op.session else {}) | b
                for b in (op.bodies(data) or [{}])]

    if warmup > 0:
        for op in ops:
            binding = "-" if op.key == "health" else bindings[0]
            if check_once(server.base, op, binding, bodies_of(op)[0]) is None:
                run_wrk(server.base, wrk_script(op, binding, bodies_of(op)), 4, warmup)
    for op in ops:
        bodies = bodies_of(op)
        for binding in (["-"] if op.key == "health" else bindings):
            for conc in concs:
                r = Result(backend, size, workers, op.key, binding, conc)
                why = check_once(server.base, op, binding, bodies[0])
                if why is not None:
                    r.note = f"refused: {why}"
                else:
                    # a new script per run: the writes' unique inputs carry the time
                    runs = [run_wrk(server.base, wrk_script(op, binding, bodies), conc,
                                    duration) for _ in range(repeat)]
                    rates = [g["requests"] / (g["duration_us"] / 1e6) for g in runs]
                    r.runs = len(runs)
                    r.rps = statistics.median(rates)
                    r.low, r.high = min(rates), max(rates)
                    r.p50 = statistics.median(g["p50_us"] for g in runs) / 1000
                    r.p99 = statistics.median(g["p99_us"] for g in runs) / 1000
                    r.requests = sum(g["requests"] for g in runs)
                    r.bad = sum(g["failures"] + g["socket_errors"] for g in runs)
                    failure = next((g["first_failure"] for g in runs if g["first_failure"]),
                                   None)
                    if failure:
                        r.note = f"first failure: {failure[:200]}"
                    elif not r.requests:
                        r.note = "no answer within the run (raise --duration)"
                results.append(r)
                say(f"  {backend:10} {size:>9,} w{workers} {op.key:9} {binding:6} c={conc:<3} "
                    f"{r.rps:9,.1f} req/s  p50 {r.p50:8.2f} ms  p99 {r.p99:8.2f} ms"
                    + (f"  (runs {r.low:,.0f}-{r.high:,.0f})" if r.runs > 1 else "")
                    + (f"  BAD {r.bad}/{r.requests}" if r.bad else "")
                    + (f"  {r.note[:160]}" if r.note and not r.ok else ""))
    return results


# --------------------------------------------------------------------------- the report


def fmt(v: float) -> str:
    return f"{v:,.0f}" if v >= 100 else f"{v:,.1f}" if v >= 10 else f"{v:,.2f}"


def tables(results: list[Result], concs: list[int]) -> list[str]:
    lines = []
    groups = sorted({(r.backend, r.size) for r in results if r.workers == 1},
                    key=lambda g: (g[0] != "sqlite", g[1]))
    for backend, size in groups:
        lines += ["", f"### {backend}, {size:,} customers (one worker)", "",
                  "| operation | binding | " + " | ".join(
                      f"c={c} req/s | c={c} p50 ms | c={c} p99 ms" for c in concs) + " |",
                  "| --- | --- | " + " | ".join("---: | ---: | ---:" for _ in concs) + " |"]
        rows = [r for r in results if (r.backend, r.size, r.workers) == (backend, size, 1)]
        for op in OPS:
            for binding in ["-", *BINDINGS]:
                cells = {r.conc: r for r in rows if r.op == op.key and r.binding == binding}
                if not cells:
                    continue
                out = []
                for c in concs:
                    r = cells.get(c)
                    if r is None:
                        out.append("| |")
                    elif not r.ok:
                        out.append(f"failed ({r.bad}/{r.requests} bad) | |")
                    else:
                        out.append(f"{fmt(r.rps)} | {fmt(r.p50)} | {fmt(r.p99)}")
                lines.append(f"| {op.label} | {binding} | " + " | ".join(out) + " |")
    return lines


def _find(results, **kw) -> Result | None:
    for r in results:
        if all(getattr(r, k) == v for k, v in kw.items()) and r.ok:
            return r
    return None


def targets(results: list[Result]) -> list[tuple[str, str, str, bool | None]]:
    """(target, backend, worst value and where, met) rows, one per target and backend."""
    rows: list[tuple[str, str, str, bool | None]] = []
    one = [r for r in results if r.workers == 1]
    for backend in sorted({r.backend for r in results}, key=lambda b: b != "sqlite"):
        mine = [r for r in one if r.backend == backend]

        def worst(name: str, pairs: list[tuple[float, str]], bar: float, low_is_bad=True):
            if not pairs:
                rows.append((name, backend, "not measured", None))
                return
            value, where = min(pairs) if low_is_bad else max(pairs)
            met = value >= bar if low_is_bad else value <= bar
            misses = sum(1 for v, _ in pairs if (v < bar if low_is_bad else v > bar))
            rows.append((name, backend, f"{value:.2f}x ({where}); {misses} of {len(pairs)} "
                                        "missed", met))

        noop_vs_health, reads, creates, p99s, flat = [], [], [], [], []
        for r in mine:
            where = f"{r.size:,}, {r.binding}, c={r.conc}"
            if r.op == "noop":
                h = _find(mine, op="health", size=r.size, conc=r.conc)
                if h:
                    noop_vs_health.append((r.rps / h.rps, where))
            if OP_BY_KEY[r.op].kind in ("read", "create"):
                base = _find(mine, op="noop", size=r.size, conc=r.conc, binding=r.binding)
                if base:
                    (reads if OP_BY_KEY[r.op].kind == "read" else creates).append(
                        (r.rps / base.rps, f"{r.op}, {where}"))
            if r.conc >= 16 and r.p50 > 0:
                p99s.append((r.p99 / r.p50, f"{r.op}, {where}"))
            if r.op in QUERIES and r.size >= 1_000_000 and r.conc == 1:
                small = _find(mine, op=r.op, size=10_000, conc=1, binding=r.binding)
                if small:
                    flat.append((r.p50 / small.p50, f"{r.op}, {r.binding}"))
        worst("no-work op >= 0.5x /health (throughput)", noop_vs_health, 0.5)
        worst("every read >= 0.5x the no-work op", reads, 0.5)
        worst("NewCustomers_Create >= 0.25x the no-work op", creates, 0.25)
        worst("query p50 at 1M <= 1.5x at 10k (c=1)", flat, 1.5, low_is_bad=False)
        worst("p99 <= 10x p50 at c=16", p99s, 10.0, low_is_bad=False)
        multi = [r for r in results if r.backend == backend and r.workers == 2 and r.ok]
        pairs = []
        for r in multi:
            single = _find(results, backend=backend, workers=1, op=r.op, size=r.size,
                           conc=r.conc, binding=r.binding)
            if single:
                pairs.append((r.rps / single.rps, f"{r.op}, {r.binding}, c={r.conc}"))
        if backend == "postgresql":  # one connection cannot use a second worker: c >= 4
            worst("--workers 2 >= 1.7x one worker (c >= 4)",
                  [(v, w) for v, w in pairs if not w.endswith("c=1")], 1.7)
            beats = [v for v, _ in pairs]
            rows.append(("--workers 2 beats one worker at every concurrency", backend,
                         f"{sum(v > 1 for v in beats)} of {len(beats)}" if beats
                         else "not measured",
                         (all(v > 1 for v in beats)) if beats else None))
    return rows


def workers_table(results: list[Result]) -> list[str]:
    multi = [r for r in results if r.workers == 2]
    if not multi:
        return []
    lines = ["", "### `--workers 2` against one worker (PostgreSQL)", "",
             "| operation | binding | size | c | 1 worker req/s | p50 ms | 2 workers req/s | "
             "p50 ms | ratio |", "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for r in multi:
        s = _find(results, backend=r.backend, workers=1, op=r.op, size=r.size, conc=r.conc,
                  binding=r.binding)
        if s is None or not r.ok:
            continue
        lines.append(f"| {OP_BY_KEY[r.op].label} | {r.binding} | {r.size:,} | {r.conc} | "
                     f"{fmt(s.rps)} | {fmt(s.p50)} | {fmt(r.rps)} | {fmt(r.p50)} | "
                     f"{r.rps / s.rps:.2f}x |")
    return lines


def report(results: list[Result], args: argparse.Namespace, concs: list[int],
           notes: list[str]) -> list[str]:
    import uvicorn

    try:
        import httptools  # noqa: F401
        import uvloop  # noqa: F401
        stack = f"uvicorn {uvicorn.__version__} with uvloop and httptools"
    except ImportError:
        stack = f"uvicorn {uvicorn.__version__} (asyncio, h11: uvloop/httptools missing)"
    wrk_version = subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout
    from openrev.settings import Settings

    served = Settings.from_env()  # what the servers it started ran with
    lines = [
        "## HTTP, measured from outside with wrk (`bench/wrkbench.py`)", "",
        f"Command: `{' '.join(['bench/wrkbench.py', *sys.argv[1:]])}` (part of `make bench`)  ",
        f"Run on {dt.date.today().isoformat()}, {cpu()}, {os.cpu_count()} CPUs, Python "
        f"{platform.python_version()}, {stack}, {wrk_version.split(' [')[0].strip() or 'wrk'}"
        f"; load average at the start {args.load_at_start:.1f} (a shared machine).  ",
        f"Each figure: the median of {args.repeat} wrk run{'s' if args.repeat > 1 else ''} "
        f"of {args.duration:g} s (one wrk thread, `-c` connections with keep-alive; req/s, "
        "p50 and p99 each the median of the runs), after "
        f"{args.warmup:g} s of every operation at 4 connections per server (not counted), "
        "all in this one run; the server: `openrev serve --no-worker "
        "--log-level WARNING` (no access log), a fresh process per backend and size, with "
        f"`OPENREV_CALL_THREADS={served.call_threads}` and `OPENREV_SQLITE_SYNCHRONOUS="
        f"{served.sqlite_synchronous}` (this environment's). Session "
        "operations use one session key of user demo; Sessions_Create logs in user clerk. "
        "Bodies rotate over "
        f"{BODIES} OPEN customers picked at random over the whole id range (their ID, TN, "
        "device IMEI, name and address); writes put a counter into their e-mail.", "",
        *[f"* {n}" for n in notes],
    ]
    bad = [r for r in results if not r.ok]
    if bad:
        lines += ["", "Runs with failed answers (excluded from the ratios):", ""]
        lines += [f"* {r.backend} {r.size:,} w{r.workers} {r.op} {r.binding} c={r.conc}: "
                  f"{r.bad} of {r.requests} bad; {r.note[:200]}" for r in bad]
    lines += ["", "### Targets (issue 13), ratios within this run", "",
              "| target | backend | worst case (where) | |", "| --- | --- | --- | --- |"]
    for name, backend, value, met in targets(results):
        mark = "not measured" if met is None else "**met**" if met else "**missed**"
        lines.append(f"| {name} | {backend} | {value} | {mark} |")
    lines += tables(results, concs)
    lines += workers_table(results)
    return lines


# --------------------------------------------------------------------------- main


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--backends", default="sqlite,postgresql")
    ap.add_argument("--sizes", default="10000,1000000")
    ap.add_argument("--ops", default=",".join(o.key for o in OPS),
                    help=f"comma-separated, of: {', '.join(o.key for o in OPS)}")
    ap.add_argument("--bindings", default="soap11,json", help="of soap11, soap12, json")
    ap.add_argument("--concurrency", default="1,16")
    ap.add_argument("--workers-concurrency", default="1,4,16",
                    help="PostgreSQL, --workers 2 against 1 (empty: skip)")
    ap.add_argument("--duration", type=int, default=2, help="seconds per wrk run")
    ap.add_argument("--repeat", type=int, default=3,
                    help="wrk runs per figure (the figure is their median)")
    ap.add_argument("--warmup", type=int, default=1,
                    help="seconds of each operation before a server's runs (not counted; "
                         "0: none)")
    ap.add_argument("--quick", action="store_true",
                    help="10,000 customers, JSON, 2 s runs: a few minutes")
    ap.add_argument("--pg", default=os.environ.get("OPENREV_BENCH_PG", DEFAULT_PG),
                    help=f"PostgreSQL server (default: $OPENREV_BENCH_PG or {DEFAULT_PG})")
    ap.add_argument("--write", metavar="FILE", help="write the report into FILE (markers)")
    args = ap.parse_args()
    if args.quick:
        args.sizes, args.bindings, args.duration, args.repeat = "10000", "json", 2, 1
    if shutil.which("wrk") is None:
        print("bench/wrkbench.py: wrk is not installed: install it (Debian/Ubuntu: "
              "apt-get install wrk), then run make bench again", file=sys.stderr)
        return 2
    backends = [b for b in args.backends.split(",") if b]
    sizes = [int(s) for s in args.sizes.split(",") if s]
    unknown = [k for k in args.ops.split(",") if k not in OP_BY_KEY]
    bindings = [b for b in args.bindings.split(",") if b]
    if unknown or any(b not in BINDINGS for b in bindings) \
            or any(b not in ("sqlite", "postgresql") for b in backends):
        ap.error("unknown --ops, --bindings or --backends value")
    ops = [o for o in OPS if o.key in args.ops.split(",")]
    concs = [int(c) for c in args.concurrency.split(",") if c]
    wconcs = [int(c) for c in args.workers_concurrency.split(",") if c]

    def say(text: str) -> None:
        print(text, flush=True)

    args.load_at_start = os.getloadavg()[0]
    notes: list[str] = []
    results: list[Result] = []
    started = time.monotonic()
    for backend in backends:
        for size in sizes:
            db = seeded(backend, size, pg_server=args.pg, say=say)
            notes.append(f"{backend}, {size:,} customers: "
                         + ("the cached database (`bench/seeded.py`, in "
                            f"{bench_dir()})" if db.cached else "seeded in this run")
                         + ", holding the writes of earlier runs too")
            data = sample(db.url, db.env)
            log = bench_dir() / f"server-{backend}-{size}.log"
            # (workers, [(ops, bindings, concurrencies), ...]) per server started
            plans = [(1, [(ops, bindings, concs)])]
            compare = [o for o in ops if o.key in COMPARED]
            if backend == "postgresql" and wconcs and compare and size == sizes[0]:
                extra = [c for c in wconcs if c not in concs]
                if extra:  # one worker at the comparison's other concurrencies
                    plans[0][1].append((compare, ["json"], extra))
                plans.append((2, [(compare, ["json"], wconcs)]))
            for workers, runs in plans:
                say(f"{backend} {size:,} customers, --workers {workers}:")
                server = Server(db.url, db.env, workers, log)
                try:
                    server.wait_ready()
                    for plan_ops, plan_bindings, plan_concs in runs:
                        results += bench_server(server, backend, size, workers, plan_ops,
                                                plan_bindings, plan_concs, args.duration,
                                                data, say, args.repeat, args.warmup)
                finally:
                    server.stop()
    notes.append(f"the whole run took {(time.monotonic() - started) / 60:.0f} min; load "
                 f"average at the end {os.getloadavg()[0]:.1f}")
    lines = report(results, args, concs, notes)
    print("\n".join(lines))
    if args.write:
        write_section(Path(args.write), "http", lines)
        print(f"written to {args.write}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
