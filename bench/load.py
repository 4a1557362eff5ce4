"""Two load checks of a running server (issue 7), from outside, over HTTP:

* ``credentials``: N clients creating customers with Credentials on every call (as simple PHP
  integrations do) for S seconds; counts the answers by Error_Code (no CN2001 expected);
* ``guessers``: 40 clients guessing a password for S seconds beside one client with a session
  that queries a customer; its median latency unloaded and loaded.

Usage (against `openrev serve` on loopback, demo data loaded; the guessers lock user clerk:
`openrev user unlock DEMO clerk` afterwards)::

    .venv/bin/python bench/load.py credentials --url http://127.0.0.1:8020 --clients 16 --seconds 60
    .venv/bin/python bench/load.py guessers --url http://127.0.0.1:8020 --seconds 20
"""

from __future__ import annotations

import argparse
import collections
import statistics
import threading
import time

import httpx

DEMO = {"Username": "demo", "Password": "demo", "Client": "DEMO"}
ADDRESS = {"FirstName": "L", "LastName": "Oad", "Address1": "1 Main St", "City": "Pensacola",
           "State": "FL", "Zip": "32502"}


def credentials(url: str, clients: int, seconds: float) -> None:
    codes: collections.Counter[str] = collections.Counter()
    latencies: list[float] = []
    end = time.monotonic() + seconds

    def client() -> None:
        with httpx.Client(timeout=30) as c:
            while time.monotonic() < end:
                started = time.monotonic()
                out = c.post(f"{url}/v20/json/NewCustomers_Create", json={
                    "Credentials": DEMO,
                    "Customer": {"PhysicalAddress": ADDRESS, "MailingAddress": ADDRESS}}).json()
                latencies.append(time.monotonic() - started)
                codes[out["Header"].get("Error_Code", "OK")] += 1

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    latencies.sort()
    print(f"{clients} clients x {seconds:g} s: answers {dict(codes)}; median "
          f"{statistics.median(latencies) * 1000:.0f} ms, p95 "
          f"{latencies[int(len(latencies) * 0.95)] * 1000:.0f} ms")


def guessers(url: str, seconds: float, count: int = 40) -> None:
    def query(c: httpx.Client, key: str) -> float:
        started = time.monotonic()
        out = c.post(f"{url}/v20/json/Customers_Query",
                     json={"Session": {"SessionKey": key}, "CustomerID": 1}).json()
        assert out["Header"]["Success"] is True, out
        return time.monotonic() - started

    with httpx.Client(timeout=30) as c:
        key = c.post(f"{url}/v20/json/Sessions_Create",
                     json={"Credentials": DEMO}).json()["SessionKey"]
        unloaded = [query(c, key) for _ in range(50)]
    end = time.monotonic() + seconds
    guesses = [0]

    def guesser(i: int) -> None:
        with httpx.Client(timeout=30) as c:
            while time.monotonic() < end:
                c.post(f"{url}/v20/json/Sessions_Create", json={"Credentials": {
                    "Username": "clerk", "Password": f"guess-{i}-{time.monotonic()}",
                    "Client": "DEMO"}})
                guesses[0] += 1

    threads = [threading.Thread(target=guesser, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    loaded = []
    with httpx.Client(timeout=30) as c:
        while time.monotonic() < end:
            loaded.append(query(c, key))
    for t in threads:
        t.join()
    before, during = statistics.median(unloaded), statistics.median(loaded)
    print(f"session client's Customers_Query median: {before * 1000:.1f} ms unloaded, "
          f"{during * 1000:.1f} ms beside {count} guessers ({during / before:.1f}x); "
          f"{guesses[0]} guesses answered")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("check", choices=("credentials", "guessers"))
    ap.add_argument("--url", default="http://127.0.0.1:8020")
    ap.add_argument("--clients", type=int, default=16)
    ap.add_argument("--seconds", type=float, default=60)
    args = ap.parse_args()
    if args.check == "credentials":
        credentials(args.url, args.clients, args.seconds)
    else:
        guessers(args.url, args.seconds)


if __name__ == "__main__":
    main()
