"""Seeded benchmark databases, cached outside the repository (``bench/wrkbench.py``).

One database per backend and size, with the schema at the newest revision, the demo data
(``openrev demo``) and N synthetic customers (``openrev seed-customers N``):

* SQLite: ``$OPENREV_BENCH_DIR/sqlite-<N>-r<REV>.db`` (and its key file beside it);
* PostgreSQL: the database ``openrev_bench_<N>_r<REV>`` on the server of ``--pg``; the key of
  personal data at rest is ``$OPENREV_BENCH_DIR/postgresql.key`` (created once).

``$OPENREV_BENCH_DIR`` defaults to ``~/.cache/openrev-bench``. A database is built under a
``_building`` name and renamed when the seeding has finished, so an interrupted build is
rebuilt on the next run and never used half-seeded; a cached one is reused as it is (the
benchmark's writes add a few thousand customers and orders to it each run; delete it, or
drop the PostgreSQL database, to start over). A new schema revision gets new databases.

``python bench/seeded.py --backends sqlite,postgresql --sizes 10000,1000000`` builds them
ahead of a run (that is what takes long: about 10-15 minutes for 1,000,000 customers).
"""

from __future__ import annotations

import argparse
import fcntl
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/postgres"
OPENREV = [sys.executable, "-m", "openrev.cli"]


def bench_dir() -> Path:
    path = Path(os.environ.get("OPENREV_BENCH_DIR", "").strip()
                or Path.home() / ".cache" / "openrev-bench")
    path.mkdir(parents=True, exist_ok=True)
    return path


def head_revision() -> str:
    from openrev.store.migrate import head_revision as head

    return head()


@dataclass(frozen=True)
class Seeded:
    backend: str       # "sqlite" or "postgresql"
    size: int          # synthetic customers
    url: str           # the database URL openrev is given
    env: dict          # environment for openrev processes on it (the secret key)
    cached: bool       # True: reused from an earlier run


def _pg_url(server: str, database: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(server).set(database=database).render_as_string(hide_password=False)


def _pg_admin(server: str, sql: str) -> list[tuple]:
    import psycopg

    with psycopg.connect(server, autocommit=True) as conn:
        cur = conn.execute(sql)
        return cur.fetchall() if cur.description else []


def _pg_exists(server: str, name: str) -> bool:
    return bool(_pg_admin(server, f"SELECT 1 FROM pg_database WHERE datname = '{name}'"))


def _pg_key_env() -> dict:
    key = bench_dir() / "postgresql.key"
    if not key.exists():
        from openrev.keyring import new_key
        from openrev.store.crypto import write_key_file

        write_key_file(key, [new_key()], exclusive=True)
    return {**os.environ, "OPENREV_SECRET_KEY_FILE": str(key)}


def _run(argv: list[str], env: dict, log: Path) -> None:
    with log.open("a") as out:
        out.write(f"$ openrev {' '.join(argv)}\n")
        out.flush()
        done = subprocess.run([*OPENREV, *argv], env=env, stdout=out, stderr=subprocess.STDOUT)
    if done.returncode != 0:
        raise RuntimeError(f"`openrev {' '.join(argv)}` failed (status {done.returncode}): "
                           f"see {log}")


def _build(url: str, size: int, env: dict, log: Path) -> None:
    _run(["init", "--database", url], env, log)
    _run(["demo", "--database", url], env, log)
    if size:
        _run(["seed-customers", str(size), "--database", url], env, log)


def seeded(backend: str, size: int, *, pg_server: str = DEFAULT_PG,
           say=print) -> Seeded:
    """The cached database of ``backend`` and ``size``, built first when missing (one build
    at a time: a second run waits for the first one's build instead of starting over)."""
    directory = bench_dir()
    with (directory / f"{backend}-{size}.lock").open("w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            say(f"waiting for another run's build of the {backend} database of {size:,} "
                "customers ...")
            fcntl.flock(lock, fcntl.LOCK_EX)
        return _seeded(backend, size, pg_server, say)


def _seeded(backend: str, size: int, pg_server: str, say) -> Seeded:
    rev = head_revision()
    directory = bench_dir()
    log = directory / f"build-{backend}-{size}.log"
    started = time.monotonic()
    if backend == "sqlite":
        env = {k: v for k, v in os.environ.items()
               if k not in ("OPENREV_SECRET_KEY", "OPENREV_SECRET_KEY_FILE")}
        final = directory / f"sqlite-{size}-r{rev}.db"
        url = f"sqlite:///{final}"
        if final.exists():
            return Seeded(backend, size, url, env, True)
        building = directory / f"sqlite-{size}-r{rev}_building.db"
        while building.exists() and time.time() - building.stat().st_mtime < 300 \
                and not final.exists():  # being written by a process without the lock
            say(f"waiting for the build of {final.name} in progress ...")
            time.sleep(30)
        if final.exists():
            return Seeded(backend, size, url, env, True)
        for stale in directory.glob(building.name + "*"):
            stale.unlink()
        say(f"building {final} ({size:,} customers; log {log}) ...")
        _build(f"sqlite:///{building}", size, env, log)
        for suffix in ("-wal", "-shm"):  # checkpointed by the last close; nothing left
            Path(str(building) + suffix).unlink(missing_ok=True)
        Path(str(building) + ".key").rename(str(final) + ".key")
        building.rename(final)
    elif backend == "postgresql":
        env = _pg_key_env()
        name = f"openrev_bench_{size}_r{rev}"
        url = _pg_url(pg_server, name)
        if _pg_exists(pg_server, name):
            return Seeded(backend, size, url, env, True)
        building = name + "_building"
        _pg_admin(pg_server, f'DROP DATABASE IF EXISTS "{building}"')
        _pg_admin(pg_server, f'CREATE DATABASE "{building}"')
        say(f"building the PostgreSQL database {name} ({size:,} customers; log {log}) ...")
        _build(_pg_url(pg_server, building), size, env, log)
        _pg_admin(pg_server, f'ALTER DATABASE "{building}" RENAME TO "{name}"')
    else:
        raise ValueError(f"unknown backend {backend!r}")
    say(f"  built in {time.monotonic() - started:.0f} s")
    return Seeded(backend, size, url, env, False)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--backends", default="sqlite,postgresql")
    ap.add_argument("--sizes", default="10000,1000000")
    ap.add_argument("--pg", default=os.environ.get("OPENREV_BENCH_PG", DEFAULT_PG),
                    help=f"PostgreSQL server (default: $OPENREV_BENCH_PG or {DEFAULT_PG})")
    args = ap.parse_args()
    for backend in args.backends.split(","):
        for size in (int(s) for s in args.sizes.split(",")):
            found = seeded(backend, size, pg_server=args.pg)
            print(f"{backend} {size:,}: {'cached' if found.cached else 'built'} {found.url}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
