"""The ``openrev`` command (CONTRACT.md, "Commands").

::

    openrev init  [--database URL]        create or migrate the schema (safe to run twice)
    openrev demo  [--database URL] [--reset]  init, then load the demo data (safe to run
                                          twice); --reset puts it back as CONTRACT.md lists it
    openrev serve [--host H] [--port P] [--database URL] [--workers N] [--log-level LEVEL]
                  [--no-worker]
    openrev worker / orders list|resend / provider fault   (openrev.provision.commands)
    openrev client add CODE --name NAME [--tax-engine SURETAX|CCH]
    openrev user add CLIENT USERNAME [--permission P ...] [--impersonation-key-stdin]
    openrev user grant CLIENT USERNAME PERMISSION...
    openrev user set-impersonation-key CLIENT USERNAME
    openrev user passwd CLIENT USERNAME   new password (stdin or asked); ends the user's sessions
    openrev user unlock CLIENT USERNAME   forget the user's failed logins (lifts the throttle)
    openrev session revoke CLIENT (USERNAME | --all)   end a user's / every session of a client
    openrev secrets rotate [--database URL] [--drop-old]   new key; re-encrypt personal data
    openrev secrets new-key               print a new random key (for OPENREV_SECRET_KEY)
    openrev customer history CLIENT CUSTOMER_ID   every change Customers_Update made
    openrev seed-customers N [--client CODE] [--seed S] [--database URL]   N synthetic customers
    openrev tax load FILE --client CODE   make a TOML tax table the client's (all checked first)
    openrev tax show ZIP [--client CODE]  the jurisdiction of ZIP and the taxes that apply there
                                          (without --client: the shipped sample table)
    openrev catalog export --client CODE [-o FILE]   the client's catalog as YAML (docs/CATALOG.md)
    openrev catalog import FILE --client CODE [--dry-run]   all checked first; idempotent
    openrev inventory import FILE --client CODE [--dry-run]   a device CSV (all checked first)
    openrev inventory list --client CODE [--status S]   the client's inventory items

Configuration comes from the environment (``OPENREV_DATABASE_URL``, ``OPENREV_HOST``,
``OPENREV_PORT``, ``OPENREV_LOG_LEVEL``, ``OPENREV_LOG_FORMAT``, see openrev.settings); flags
override it. The key of personal data at rest is ``OPENREV_SECRET_KEY`` or, for a SQLite
database, the key file beside it that ``init``/``demo`` create (openrev.store.crypto).
``serve`` refuses to start on a database whose schema is not at the newest revision (run
``openrev init``) or on a port already in use. Secrets (passwords, ImpersonationKeys) are
read from standard input when it is not a terminal (one per line: the password first, then the key),
otherwise asked for without echo. Errors are one line on stderr and a non-zero exit status:
1 for a failure, 2 for a usage error such as an unknown permission.
"""

from __future__ import annotations

import argparse
import errno
import getpass
import os
import socket
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TextIO

from alembic.util import CommandError
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from openrev import __version__
from openrev.contract.enums import PERMISSIONS
from openrev.domain.passwords import hash_impersonation_key, hash_password
from openrev.settings import LOG_LEVELS, Settings, SettingsError, check_database_url
from openrev.store.db import DEFAULT_DATABASE_URL, display_url, make_engine, make_sessionmaker
from openrev.store.tables import (
    INVENTORY_ITEM_STATUSES, TAX_ENGINES, Client, User, UserPermission,
)

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8020
APP_FACTORY = "openrev.wire.app:app_from_env"


class CliError(Exception):
    """A failure to report as one line on stderr, with an exit status."""

    def __init__(self, message: str, status: int = 1) -> None:
        super().__init__(message)
        self.status = status


# --------------------------------------------------------------------------- helpers


def _database_url(args: argparse.Namespace) -> str:
    """The database URL of ``--database``, else ``OPENREV_DATABASE_URL``, else the default;
    an unsupported one is a :class:`SettingsError` naming where it came from."""
    if args.database:
        return check_database_url(args.database, "--database")
    return check_database_url(
        os.environ.get("OPENREV_DATABASE_URL", "").strip() or DEFAULT_DATABASE_URL)


@contextmanager
def _session(url: str) -> Iterator[Session]:
    """A session in one transaction, committed when the block ends without error."""
    engine = make_engine(url)
    try:
        with make_sessionmaker(engine).begin() as session:
            yield session
    finally:
        engine.dispose()


def _client(session: Session, code: str) -> Client:
    client = session.scalar(select(Client).where(Client.code == code))
    if client is None:
        raise CliError(f"client {code!r} does not exist (create it with: openrev client add)")
    return client


def _usage_client(session: Session, code: str) -> Client:
    """The client ``code``; an unknown one is a usage error (exit status 2)."""
    try:
        return _client(session, code)
    except CliError as exc:
        raise CliError(str(exc), status=2) from None


def _user(session: Session, client_code: str, username: str) -> User:
    client = _client(session, client_code)
    user = session.scalar(
        select(User).where(User.client_id == client.id, User.username == username)
    )
    if user is None:
        raise CliError(f"user {username!r} does not exist in client {client_code!r}")
    return user


def _check_permissions(names: Sequence[str]) -> list[str]:
    unknown = [n for n in names if n not in PERMISSIONS]
    if unknown:
        raise CliError(
            f"unknown permission {', '.join(unknown)} (valid: {', '.join(PERMISSIONS)})",
            status=2,
        )
    return list(dict.fromkeys(names))


class _SecretReader:
    """Reads secrets: lines of stdin when it is not a terminal, else a no-echo prompt."""

    def __init__(self, stdin: TextIO) -> None:
        self.stdin = stdin

    def read(self, what: str, *, confirm: bool = False) -> str:
        if self.stdin.isatty():
            value = getpass.getpass(f"{what}: ")
            if confirm and getpass.getpass(f"{what} (again): ") != value:
                raise CliError(f"the two {what.lower()}s differ")
        else:
            line = self.stdin.readline()
            if not line:
                raise CliError(f"{what.lower()} expected on standard input")
            value = line.rstrip("\r\n")
        if not value:
            raise CliError(f"{what.lower()} must not be empty")
        return value


def _grant(user: User, permissions: Sequence[str]) -> list[str]:
    added = [p for p in permissions if p not in user.permission_names]
    for permission in added:
        user.permissions.append(
            UserPermission(client_id=user.client_id, user_id=user.id, permission=permission)
        )
    return added


# --------------------------------------------------------------------------- commands


def _keyring(url: str, *, create: bool = False) -> None:
    """Load the secret key of ``url`` (``OPENREV_SECRET_KEY`` or the key file) for this
    process; ``create``: create a SQLite database's key file when missing (and say so)."""
    from openrev.store.crypto import ensure_key_file, use_keyring

    created = ensure_key_file(url) if create else None
    if created is not None:
        print(f"created the key file {created} (mode 0600): it encrypts the personal data; "
              "back it up with the database")
    use_keyring(url)


def cmd_init(args: argparse.Namespace) -> int:
    from openrev.store.migrate import current_revision, upgrade

    url = _database_url(args)
    _keyring(url, create=True)
    upgrade(url)
    print(f"database {display_url(url)} is at revision {current_revision(url)}")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from openrev.store.demo import credentials_text, load_demo, reset_demo
    from openrev.store.migrate import upgrade
    from openrev.store.stats import refresh_statistics

    url = _database_url(args)
    _keyring(url, create=True)
    upgrade(url)
    with _session(url) as session:
        if args.reset:
            removed: int | None = reset_demo(session)
        else:
            removed = None
            load_demo(session)
    engine = make_engine(url)
    try:
        refresh_statistics(engine)  # of what was just loaded
    finally:
        engine.dispose()
    if removed is not None:
        print(f"demo data reset in {display_url(url)} ({removed} sign-up customer(s) removed)")
    else:
        print(f"demo data loaded into {display_url(url)}")
    print(credentials_text())
    return 0


def _check_schema(url: str) -> None:
    """Refuse to serve a database whose schema is not at the newest revision."""
    from openrev.store.migrate import current_revision, head_revision

    current, head = current_revision(url), head_revision()
    if current != head:
        state = "was never initialised" if current is None else f"is at revision {current}"
        raise CliError(f"the database {display_url(url)} {state}, this openrev needs revision "
                       f"{head}: run `openrev init` (with the same --database) first")


def _check_port_free(host: str, port: int) -> None:
    """Fail with one line when ``host:port`` cannot be listened on (e.g. already in use)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise CliError(f"cannot listen on host {host!r} ({exc.strerror}): "
                       "fix --host or OPENREV_HOST") from None
    family, type_, proto, _, address = infos[0]
    with socket.socket(family, type_, proto) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(address)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise CliError(f"port {port} on {host} is already in use: stop the program "
                               "listening there or choose another port with --port or "
                               "OPENREV_PORT") from None
            raise CliError(f"cannot listen on {host}:{port} ({exc.strerror}): fix --host/"
                           "--port or OPENREV_HOST/OPENREV_PORT") from None


def serve_banner(host: str, port: int, url: str) -> str:
    """What ``openrev serve`` prints before it starts: the URLs a new user needs."""
    shown = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
    base = f"http://{f'[{shown}]' if ':' in shown else shown}:{port}"
    return "\n".join([
        f"openrev serving {display_url(url)}",
        f"  start page     {base}/",
        f"  SOAP endpoint  {base}/v20/default.asmx",
        f"  WSDL           {base}/v20/default.asmx?WSDL",
        f"  JSON API docs  {base}/docs",
        f"  health         {base}/health",
        f"  console        {base}/console/",
        "  demo credentials (after `openrev demo`): Client DEMO, Username demo, Password demo",
    ])


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from openrev.logs import log_config

    url = _database_url(args)
    port = args.port
    if port is not None and not 1 <= port <= 65535:
        raise CliError(f"--port {port}: must be an integer from 1 to 65535", status=2)
    settings = Settings.from_env(database_url=url, host=args.host, port=port,
                                 log_level=args.log_level)
    workers = args.workers
    if workers < 1:
        raise CliError(f"--workers {workers}: must be at least 1", status=2)
    if workers > 1:
        from openrev.wire.serve import can_reuse_port

        if not can_reuse_port():
            raise CliError("--workers above 1 needs SO_REUSEPORT, which this platform lacks",
                           status=2)
    _keyring(url)  # refuse here, in one line, rather than in every worker
    _check_schema(url)
    _check_port_free(settings.host, settings.port)
    os.environ["OPENREV_DATABASE_URL"] = url
    print(serve_banner(settings.host, settings.port, url), flush=True)
    if workers > 1:
        print(f"  HTTP workers   {workers} processes, one SO_REUSEPORT socket each", flush=True)
    flow_worker = None
    if not args.no_worker:  # one order flow-through worker, in this (the main) process
        from openrev.provision.commands import start_serve_worker

        flow_worker = start_serve_worker(url, settings)
        print("  order worker   running in this process (--no-worker: run `openrev worker` "
              "elsewhere)", flush=True)
    server = dict(factory=True, log_config=log_config(settings.log_level, settings.log_format),
                  log_level=settings.log_level.lower())
    try:
        if workers > 1:  # one SO_REUSEPORT socket per process (openrev.wire.serve)
            from openrev.wire.serve import serve_workers

            return serve_workers(workers, settings.host, settings.port,
                                 {"app": APP_FACTORY, **server})
        uvicorn.run(APP_FACTORY, host=settings.host, port=settings.port, **server)
    except SystemExit as exc:  # uvicorn has already logged why
        return exc.code if isinstance(exc.code, int) else 1
    finally:
        if flow_worker is not None:
            stop, engine = flow_worker
            stop.set()
            engine.dispose()
    return 0


def cmd_client_add(args: argparse.Namespace) -> int:
    with _session(_database_url(args)) as session:
        if session.scalar(select(Client).where(Client.code == args.code)) is not None:
            raise CliError(f"client {args.code!r} already exists")
        client = Client(code=args.code, name=args.name, tax_engine=args.tax_engine,
                        lifeline_form_status=args.lifeline_form_status)
        session.add(client)
        session.flush()
        client_id = client.id
    print(f"client {args.code} created (id {client_id}, tax engine {args.tax_engine})")
    return 0


def cmd_user_add(args: argparse.Namespace) -> int:
    permissions = _check_permissions(args.permission or [])
    url = _database_url(args)

    def check_new(session: Session) -> Client:
        client = _client(session, args.client)
        exists = session.scalar(
            select(User).where(User.client_id == client.id, User.username == args.username)
        )
        if exists is not None:
            raise CliError(f"user {args.username!r} already exists in client {args.client!r}")
        return client

    with _session(url) as session:  # fail before asking for secrets, and ask outside a transaction
        check_new(session)
    reader = _SecretReader(sys.stdin)
    password = reader.read("Password", confirm=True)
    key = reader.read("Impersonation key") if args.impersonation_key_stdin else None
    if key:
        _keyring(url)
    with _session(url) as session:
        client = check_new(session)
        user = User(client_id=client.id, username=args.username,
                    password_hash=hash_password(password),
                    impersonation_key_hash=hash_impersonation_key(key) if key else None,
                    active=True)
        session.add(user)
        session.flush()
        _grant(user, permissions)
        user_id = user.id
    granted = ", ".join(permissions) or "no permissions"
    print(f"user {args.username} created in client {args.client} (id {user_id}; {granted})")
    return 0


def cmd_user_grant(args: argparse.Namespace) -> int:
    permissions = _check_permissions(args.permissions)
    with _session(_database_url(args)) as session:
        added = _grant(_user(session, args.client, args.username), permissions)
    if added:
        print(f"granted {', '.join(added)} to {args.username} in client {args.client}")
    else:
        print(f"{args.username} in client {args.client} already holds {', '.join(permissions)}")
    return 0


def cmd_user_set_impersonation_key(args: argparse.Namespace) -> int:
    url = _database_url(args)
    with _session(url) as session:
        _user(session, args.client, args.username)
    key = _SecretReader(sys.stdin).read("Impersonation key", confirm=True)
    _keyring(url)
    with _session(url) as session:
        _user(session, args.client, args.username).impersonation_key_hash = \
            hash_impersonation_key(key)
    print(f"impersonation key set for {args.username} in client {args.client}")
    return 0


def cmd_user_passwd(args: argparse.Namespace) -> int:
    from openrev.store import authrepo
    from openrev.store.tables import utcnow

    url = _database_url(args)
    with _session(url) as session:  # fail before asking for the password
        _user(session, args.client, args.username)
    password_hash = hash_password(_SecretReader(sys.stdin).read("Password", confirm=True))
    with _session(url) as session:
        user = _user(session, args.client, args.username)
        ended = authrepo.change_password(session, user, args.client, password_hash, utcnow())
    print(f"password changed for {args.username} in client {args.client}; "
          f"{ended} session(s) ended")
    return 0


def cmd_user_unlock(args: argparse.Namespace) -> int:
    from openrev.store import authrepo

    with _session(_database_url(args)) as session:
        user = _user(session, args.client, args.username)
        cleared = authrepo.clear_login_failures(session, args.client.strip().upper(),
                                                user.username)
    print(f"{args.username} in client {args.client} unlocked ({cleared} failed login(s) "
          "forgotten)")
    return 0


def cmd_session_revoke(args: argparse.Namespace) -> int:
    from openrev.store import authrepo

    if (args.username is None) == (not args.all):
        raise CliError("give either USERNAME or --all (every session of the client)", status=2)
    with _session(_database_url(args)) as session:
        if args.all:
            ended = authrepo.end_sessions_of_client(session, _client(session, args.client).id)
            whose = f"client {args.client}"
        else:
            ended = authrepo.end_sessions_of_user(
                session, _user(session, args.client, args.username).id)
            whose = f"{args.username} in client {args.client}"
    print(f"{ended} session(s) of {whose} ended")
    return 0


def cmd_secrets_rotate(args: argparse.Namespace) -> int:
    from openrev.keyring import ENV_KEY, ENV_OLD_KEYS
    from openrev.store.crypto import rotate

    url = _database_url(args)
    _keyring(url)
    _check_schema(url)
    done = rotate(url, drop_old=args.drop_old)
    print(f"new key {done.new_key_id}: {done.rows} row(s) re-encrypted and their keyed hashes "
          f"recomputed in {display_url(url)}")
    if done.key_file is not None:
        kept = (f"{len(done.old_keys)} older key(s) kept for decryption" if done.old_keys
                else "older keys dropped")
        print(f"key file {done.key_file} rewritten (new key first, {kept}); restart the "
              "server to use it")
        return 0
    print(f"the key comes from {ENV_KEY}: set these, then restart the server")
    print(f"{ENV_KEY}={done.new_key}")
    if done.old_keys:
        print(f"{ENV_OLD_KEYS}={','.join(done.old_keys)}")
    else:
        print(f"(unset {ENV_OLD_KEYS})")
    return 0


def cmd_secrets_new_key(args: argparse.Namespace) -> int:
    from openrev.keyring import new_key

    print(new_key())
    return 0


def cmd_customer_history(args: argparse.Namespace) -> int:
    """Every change Customers_Update made to a customer, oldest first: when, who (and who
    impersonated them), the field path, old -> new (secrets masked)."""
    from openrev.store import customers as repo
    from openrev.store.tables import Customer

    with _session(_database_url(args)) as session:
        client = _client(session, args.client)
        # only the id: reading the row would decrypt its personal data (no key needed here)
        customer_id = session.scalar(select(Customer.id).where(
            Customer.id == args.customer_id, Customer.client_id == client.id))
        if customer_id is None:
            raise CliError(f"customer {args.customer_id} does not exist in client "
                           f"{args.client!r}")
        changes = repo.changes_of(session, client.id, customer_id)
        names = {u.id: u.username for u in session.scalars(
            select(User).where(User.client_id == client.id))}
        if not changes:
            print(f"customer {customer_id}: no changes recorded")
        for ch in changes:
            who = names.get(ch.user_id, "?") if ch.user_id is not None else "-"
            if ch.real_user_id is not None:
                who += f" (impersonated by {names.get(ch.real_user_id, '?')})"
            old = "(none)" if ch.old_value is None else repr(ch.old_value)
            new = "(none)" if ch.new_value is None else repr(ch.new_value)
            print(f"{ch.created_at.isoformat(timespec='seconds')}  {who}  {ch.field}: "
                  f"{old} -> {new}")
    return 0


def cmd_seed_customers(args: argparse.Namespace) -> int:
    """Load N synthetic customers in bulk (openrev.store.seed), with a progress bar."""
    from openrev.progress import ProgressLine
    from openrev.store.seed import SeedError, seed_customers

    if args.n < 0:
        raise CliError("N must be a positive number of customers", status=2)
    url = _database_url(args)
    _keyring(url)
    _check_schema(url)
    engine = make_engine(url)
    try:
        done = seed_customers(engine, args.n, client_code=args.client, seed=args.seed,
                              batch_size=args.batch_size, jobs=args.jobs,
                              progress=ProgressLine())
    except SeedError as exc:
        raise CliError(str(exc)) from None
    finally:
        engine.dispose()
    rate = done.customers / done.seconds if done.seconds else 0.0
    print(f"{done.customers:,} customers (ids {done.first_customer_id}-"
          f"{done.last_customer_id}, {done.rows:,} rows) of client {args.client} loaded into "
          f"{display_url(url)} in {done.seconds:.1f} s ({rate:,.0f} customers/s)")
    return 0


def cmd_tax_load(args: argparse.Namespace) -> int:
    """Check a tax table file completely, then make it the client's (one transaction)."""
    from openrev.domain.tax import TaxTableError, parse_table
    from openrev.store.tax import store_table

    try:
        with open(args.file, encoding="utf-8") as f:
            text = f.read()
    except (OSError, UnicodeDecodeError) as exc:
        raise CliError(f"{args.file}: cannot read: {exc}") from None
    try:
        table = parse_table(text, args.file)
    except TaxTableError as exc:
        raise CliError(f"{args.file}: not loaded, nothing changed:\n{exc}") from None
    with _session(_database_url(args)) as session:
        client = _client(session, args.client)
        store_table(session, client.id, text, args.file)
    print(f"tax table {table.name!r} ({len(table.definitions)} taxes) loaded for client "
          f"{args.client}")
    return 0


def cmd_tax_show(args: argparse.Namespace) -> int:
    """The jurisdiction of a ZIP and the client's (or the sample's) taxes that apply there."""
    from openrev.domain.tax import exemption_rows, jurisdiction_of, parse_table
    from openrev.store.tax import sample_text, table_of

    zip5 = args.zip.strip()
    j = jurisdiction_of(zip5) if len(zip5) == 5 and zip5.isdigit() else None
    if j is None:
        raise CliError(f"{args.zip}: not a known US zip code")
    engine = "SURETAX"
    if args.client:
        with _session(_database_url(args)) as session:
            client = _client(session, args.client)
            table, engine = table_of(session, client.id), client.tax_engine
        whose = f"client {args.client}"
    else:
        table, whose = parse_table(sample_text(), "tax_sample.toml"), "the shipped sample"
    print(f"ZIP {j.zip}: state {j.state}, county {j.county}, city {j.city}")
    print(f"tax table of {whose}: {table.name}" + (f" ({table.note})" if table.note else ""))
    found = table.applicable(j)
    for d in found:
        how = f"{d.rate}%" if d.kind == "percent" else f"{d.amount} {d.kind.replace('_', ' ')}"
        print(f"  {d.level:<8} {d.id:<24} {how:<16} {d.type:<14} "
              f"on {','.join(sorted(d.categories))}  [{d.where()}]  {d.description}")
    if not found:
        print("  (no taxes apply)")
    if args.exemptions:
        print(f"exemptions ({engine}):")
        for value, removes in exemption_rows(engine):
            print(f"  {value:<28} removes {removes}")
    return 0


def cmd_catalog_export(args: argparse.Namespace) -> int:
    """Write the client's whole catalog as a catalog file (stdout, or -o FILE)."""
    from openrev.store.catalog_file import export_catalog

    with _session(_database_url(args)) as session:
        text = export_catalog(session, _usage_client(session, args.client).id)
    if args.output:
        with open(args.output, "w", encoding="utf-8") as f:
            f.write(text)
        print(f"catalog of client {args.client} written to {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


def cmd_catalog_import(args: argparse.Namespace) -> int:
    """Check a catalog file completely against the client, then apply it (one transaction)."""
    from openrev.store.catalog_file import import_catalog
    from openrev.store.catalog_format import MAX_BYTES

    try:
        with open(args.file, "rb") as f:
            data = f.read(MAX_BYTES + 1)
        if len(data) > MAX_BYTES:
            raise CliError(f"{args.file}: not imported, nothing changed:\n{args.file}: larger "
                           f"than {MAX_BYTES // (1024 * 1024)} MiB")
        text = data.decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CliError(f"{args.file}: cannot read: {exc}") from None
    with _session(_database_url(args)) as session:
        client = _usage_client(session, args.client)
        report = import_catalog(session, client.id, text, args.file, dry_run=args.dry_run)
        if not report.ok:
            raise CliError(f"{args.file}: not imported, nothing changed:\n"
                           + "\n".join(report.problems))
    print(f"catalog {args.file} {'checked' if args.dry_run else 'imported'} for client "
          f"{args.client}:")
    for line in report.summary:
        print(f"  {line}")
    return 0


def cmd_inventory_import(args: argparse.Namespace) -> int:
    """Check a device CSV completely, then add its devices to the client's inventory."""
    from openrev.progress import ProgressLine
    from openrev.store.inventory_import import MAX_BYTES, import_inventory, refresh_statistics

    try:
        with open(args.file, "rb") as f:
            data = f.read(MAX_BYTES + 1)  # more is refused by the import, unread
    except OSError as exc:
        raise CliError(f"{args.file}: cannot read: {exc.strerror or exc}") from None
    url = _database_url(args)
    _check_schema(url)
    bars: list[tuple[ProgressLine, list[int]]] = []  # a bar and the last count it showed

    def progress(done: int, total: int) -> None:  # checking, then writing: one bar each
        if not bars or done < bars[-1][1][0]:
            bars.append((ProgressLine(noun="rows written" if bars else "rows checked"), [0]))
        bar, last = bars[-1]
        last[0] = done
        bar(done, total)

    engine = make_engine(url)
    try:
        with make_sessionmaker(engine).begin() as session:
            client = _usage_client(session, args.client)
            report = import_inventory(session, client.id, data, args.file,
                                      dry_run=args.dry_run, progress=progress)
            if not report.ok or args.dry_run:
                session.rollback()
        if report.created:
            refresh_statistics(engine)
    finally:
        engine.dispose()
    if not report.ok:
        for line in report.problems:
            print(line, file=sys.stderr)
        raise CliError(f"{args.file}: not imported, nothing changed")
    for line in report.summary:
        print(line)
    return 0


def cmd_inventory_list(args: argparse.Namespace) -> int:
    """The client's inventory items, one a line (id, type, identifier, status, MDN, customer)."""
    from openrev.store.tables import InventoryItem, InventoryType

    with _session(_database_url(args)) as session:
        client = _usage_client(session, args.client)
        stmt = (select(InventoryItem.id, InventoryType.description, InventoryItem.identifier,
                       InventoryItem.status, InventoryItem.mdn, InventoryItem.customer_id)
                .join(InventoryType, InventoryType.id == InventoryItem.inventory_type_id)
                .where(InventoryItem.client_id == client.id).order_by(InventoryItem.id))
        if args.status:
            stmt = stmt.where(InventoryItem.status == args.status)
        for row in session.execute(stmt):
            item_id, kind, identifier, status, mdn, customer = row
            print(f"{item_id}\t{kind}\t{identifier}\t{status}\t{mdn or ''}\t"
                  f"{customer or ''}")
    return 0


# --------------------------------------------------------------------------- parser


def _client_and_user(p: argparse.ArgumentParser) -> None:
    """The CLIENT USERNAME arguments of the commands that act on one user."""
    p.add_argument("client", metavar="CLIENT")
    p.add_argument("username", metavar="USERNAME")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``openrev``."""
    database = argparse.ArgumentParser(add_help=False)
    database.add_argument(
        "--database", metavar="URL",
        help=f"database URL (default: $OPENREV_DATABASE_URL or {DEFAULT_DATABASE_URL})",
    )

    parser = argparse.ArgumentParser(
        prog="openrev", description="A self-hostable, wire-compatible v20 API server."
    )
    parser.add_argument("--version", action="version", version=f"openrev {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = commands.add_parser("init", parents=[database],
                            help="create or migrate the schema (safe to run twice)")
    p.set_defaults(func=cmd_init)

    p = commands.add_parser("demo", parents=[database],
                            help="load the demo data (safe to run twice)")
    p.add_argument("--reset", action="store_true",
                   help="put the demo data back as listed: remove the demo clients' other "
                        "customers, make the demo devices AVAILABLE again")
    p.set_defaults(func=cmd_demo)

    p = commands.add_parser("serve", parents=[database], help="serve the API")
    p.add_argument("--host",
                   help=f"address to listen on (default: $OPENREV_HOST or {DEFAULT_HOST})")
    p.add_argument("--port", type=int, help=f"port (default: $OPENREV_PORT or {DEFAULT_PORT})")
    p.add_argument("--workers", type=int, default=1,
                   help="HTTP server processes, each with its own SO_REUSEPORT socket "
                        "(default: 1)")
    p.add_argument("--no-worker", action="store_true",
                   help="do not run the order flow-through worker in this process (run "
                        "`openrev worker` elsewhere)")
    p.add_argument("--log-level", type=str.upper, choices=LOG_LEVELS, metavar="LEVEL",
                   help=f"{', '.join(LOG_LEVELS)} (default: $OPENREV_LOG_LEVEL or INFO); "
                        "$OPENREV_LOG_FORMAT=json logs one JSON object per line")
    p.set_defaults(func=cmd_serve)

    client = commands.add_parser("client", help="manage clients (tenants)")
    client_commands = client.add_subparsers(dest="client_command", metavar="COMMAND")
    p = client_commands.add_parser("add", parents=[database], help="create a client")
    p.add_argument("code", metavar="CODE", help="the Client code of the Credentials")
    p.add_argument("--name", required=True, help="the client's name")
    p.add_argument("--tax-engine", choices=TAX_ENGINES, default="SURETAX",
                   help="SURETAX (SureTaxTaxExemptionEnum) or CCH (CCHTaxExemption)")
    p.add_argument("--lifeline-form-status", choices=("NEEDS_REVIEW", "APPROVED"),
                   default="NEEDS_REVIEW",
                   help="Lifeline status of a customer created with a SelfCertificationPDF")
    p.set_defaults(func=cmd_client_add)
    client.set_defaults(func=None, subparser=client)

    user = commands.add_parser("user", help="manage users")
    user_commands = user.add_subparsers(dest="user_command", metavar="COMMAND")
    p = user_commands.add_parser(
        "add", parents=[database],
        help="create a user; the password is read from stdin (first line) or asked for",
    )
    _client_and_user(p)
    p.add_argument("--permission", action="append", metavar="P",
                   help=f"grant a permission (repeatable): {', '.join(PERMISSIONS)}")
    p.add_argument("--impersonation-key-stdin", action="store_true",
                   help="also read an ImpersonationKey (stdin: the line after the password)")
    p.set_defaults(func=cmd_user_add)
    p = user_commands.add_parser("grant", parents=[database], help="grant permissions")
    _client_and_user(p)
    p.add_argument("permissions", metavar="PERMISSION", nargs="+")
    p.set_defaults(func=cmd_user_grant)
    p = user_commands.add_parser(
        "set-impersonation-key", parents=[database],
        help="set the user's ImpersonationKey (read from stdin or asked for)",
    )
    _client_and_user(p)
    p.set_defaults(func=cmd_user_set_impersonation_key)
    p = user_commands.add_parser(
        "passwd", parents=[database],
        help="set the user's password (read from stdin or asked for); ends its sessions",
    )
    _client_and_user(p)
    p.set_defaults(func=cmd_user_passwd)
    p = user_commands.add_parser(
        "unlock", parents=[database],
        help="forget the user's failed logins, so that a throttled user can log in again",
    )
    _client_and_user(p)
    p.set_defaults(func=cmd_user_unlock)
    user.set_defaults(func=None, subparser=user)

    sessions = commands.add_parser("session", help="manage API sessions")
    session_commands = sessions.add_subparsers(dest="session_command", metavar="COMMAND")
    p = session_commands.add_parser(
        "revoke", parents=[database],
        help="end every session of a user (or, with --all, of the whole client)",
    )
    p.add_argument("client", metavar="CLIENT")
    p.add_argument("username", metavar="USERNAME", nargs="?")
    p.add_argument("--all", action="store_true", help="every session of the client")
    p.set_defaults(func=cmd_session_revoke)
    sessions.set_defaults(func=None, subparser=sessions)

    secrets_parser = commands.add_parser(
        "secrets", help="the secret key of personal data at rest (OPENREV_SECRET_KEY or the "
                        "key file beside a SQLite database)")
    secrets_commands = secrets_parser.add_subparsers(dest="secrets_command", metavar="COMMAND")
    p = secrets_commands.add_parser(
        "rotate", parents=[database],
        help="make a new key current and re-encrypt every personal value with it (one "
             "transaction); stop the server first, restart it after")
    p.add_argument("--drop-old", action="store_true",
                   help="keep only the new key (ImpersonationKeys hashed under an older key "
                        "must then be set again)")
    p.set_defaults(func=cmd_secrets_rotate)
    p = secrets_commands.add_parser(
        "new-key", help="print a new random key (a value for OPENREV_SECRET_KEY)")
    p.set_defaults(func=cmd_secrets_new_key)
    secrets_parser.set_defaults(func=None, subparser=secrets_parser)

    customer_parser = commands.add_parser("customer", help="customers")
    customer_commands = customer_parser.add_subparsers(dest="customer_command",
                                                       metavar="COMMAND")
    p = customer_commands.add_parser(
        "history", parents=[database],
        help="every change Customers_Update made to a customer (secrets masked)")
    p.add_argument("client", metavar="CLIENT")
    p.add_argument("customer_id", metavar="CUSTOMER_ID", type=int)
    p.set_defaults(func=cmd_customer_history)
    customer_parser.set_defaults(func=None, subparser=customer_parser)

    p = commands.add_parser(
        "seed-customers", parents=[database],
        help="load N synthetic customers in bulk (each with addresses, a service with a "
             "unique TN, products and a device), for load tests and benchmarks")
    p.add_argument("n", metavar="N", type=int, help="how many customers to add")
    p.add_argument("--client", default="DEMO", metavar="CODE",
                   help="the client whose catalog they use (default: DEMO)")
    p.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    p.add_argument("--batch-size", type=int, default=5000, metavar="B",
                   help="customers per transaction (default: 5000)")
    p.add_argument("--jobs", type=int, default=None, metavar="J",
                   help="processes generating rows (default: the number of CPUs)")
    p.set_defaults(func=cmd_seed_customers)

    tax_parser = commands.add_parser("tax", help="tax tables (NewCustomers_Quote)")
    tax_commands = tax_parser.add_subparsers(dest="tax_command", metavar="COMMAND")
    p = tax_commands.add_parser(
        "load", parents=[database],
        help="check a TOML tax table file completely, then make it the client's table")
    p.add_argument("file", metavar="FILE")
    p.add_argument("--client", required=True, metavar="CODE")
    p.set_defaults(func=cmd_tax_load)
    p = tax_commands.add_parser(
        "show", parents=[database],
        help="the jurisdiction of a ZIP code and the taxes that apply there")
    p.add_argument("zip", metavar="ZIP")
    p.add_argument("--client", metavar="CODE",
                   help="the client's table (default: the shipped sample table)")
    p.add_argument("--exemptions", action="store_true",
                   help="also list what each exemption value removes")
    p.set_defaults(func=cmd_tax_show)
    tax_parser.set_defaults(func=None, subparser=tax_parser)

    catalog_parser = commands.add_parser(
        "catalog", help="the client's catalog as a YAML file (docs/CATALOG.md)")
    catalog_commands = catalog_parser.add_subparsers(dest="catalog_command", metavar="COMMAND")
    p = catalog_commands.add_parser("export", parents=[database],
                                    help="write the client's whole catalog as a catalog file")
    p.add_argument("--client", required=True, metavar="CODE")
    p.add_argument("-o", "--output", metavar="FILE", help="write to FILE (default: stdout)")
    p.set_defaults(func=cmd_catalog_export)
    p = catalog_commands.add_parser(
        "import", parents=[database],
        help="check a catalog file completely, then apply it to the client (idempotent)")
    p.add_argument("file", metavar="FILE")
    p.add_argument("--client", required=True, metavar="CODE")
    p.add_argument("--dry-run", action="store_true",
                   help="check and print what would change; write nothing")
    p.set_defaults(func=cmd_catalog_import)
    catalog_parser.set_defaults(func=None, subparser=catalog_parser)

    inventory_parser = commands.add_parser("inventory", help="devices (inventory items)")
    inventory_commands = inventory_parser.add_subparsers(dest="inventory_command",
                                                         metavar="COMMAND")
    p = inventory_commands.add_parser(
        "import", parents=[database],
        help="check a device CSV completely, then add its devices to the client's inventory "
             "(all or nothing)")
    p.add_argument("file", metavar="FILE")
    p.add_argument("--client", required=True, metavar="CODE")
    p.add_argument("--dry-run", action="store_true", help="check only; write nothing")
    p.set_defaults(func=cmd_inventory_import)
    p = inventory_commands.add_parser("list", parents=[database],
                                      help="the client's inventory items, one a line")
    p.add_argument("--client", required=True, metavar="CODE")
    p.add_argument("--status", choices=INVENTORY_ITEM_STATUSES)
    p.set_defaults(func=cmd_inventory_list)
    inventory_parser.set_defaults(func=None, subparser=inventory_parser)

    from openrev.provision.commands import add_parsers as add_flow_parsers

    add_flow_parsers(commands, database)
    parser.set_defaults(func=None, subparser=parser)
    return parser


def _first_line(exc: BaseException) -> str:
    text = str(getattr(exc, "orig", None) or exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``openrev`` with ``argv`` (default: the process arguments); return the exit status."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version, usage errors
        return exc.code if isinstance(exc.code, int) else 2
    if args.func is None:
        args.subparser.print_help(sys.stderr)
        return 2
    try:
        return int(args.func(args))
    except CliError as exc:
        print(f"openrev: error: {exc}", file=sys.stderr)
        return exc.status
    except SettingsError as exc:  # a bad OPENREV_* value or flag: a usage error
        print(f"openrev: error: {exc}", file=sys.stderr)
        return 2
    except SQLAlchemyError as exc:
        print(f"openrev: database error: {_first_line(exc)}", file=sys.stderr)
        return 1
    except (CommandError, OSError, RuntimeError, ValueError) as exc:
        print(f"openrev: error: {_first_line(exc)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("openrev: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # never a traceback: one line, and a non-zero status
        print(f"openrev: unexpected error: {type(exc).__name__}: {_first_line(exc)}",
              file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
