"""The ``openrev`` command (CONTRACT.md, "Commands").

::

    openrev init  [--database URL]        create or migrate the schema (safe to run twice)
    openrev demo  [--database URL]        init, then load the demo data (safe to run twice)
    openrev serve [--host H] [--port P] [--database URL] [--workers N]
    openrev client add CODE --name NAME [--tax-engine SURETAX|CCH]
    openrev user add CLIENT USERNAME [--permission P ...] [--impersonation-key-stdin]
    openrev user grant CLIENT USERNAME PERMISSION...
    openrev user set-impersonation-key CLIENT USERNAME

Configuration comes from the environment (``OPENREV_DATABASE_URL``, ``OPENREV_HOST``,
``OPENREV_PORT``); flags override it. Secrets (passwords, ImpersonationKeys) are read from
standard input when it is not a terminal (one per line: the password first, then the key),
otherwise asked for without echo. Errors are one line on stderr and a non-zero exit status:
1 for a failure, 2 for a usage error such as an unknown permission.
"""

from __future__ import annotations

import argparse
import getpass
import os
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
from openrev.domain.passwords import hash_key, hash_password
from openrev.store.db import DEFAULT_DATABASE_URL, display_url, make_engine, make_sessionmaker
from openrev.store.tables import TAX_ENGINES, Client, User, UserPermission

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
    return args.database or os.environ.get("OPENREV_DATABASE_URL") or DEFAULT_DATABASE_URL


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


def cmd_init(args: argparse.Namespace) -> int:
    from openrev.store.migrate import current_revision, upgrade

    url = _database_url(args)
    upgrade(url)
    print(f"database {display_url(url)} is at revision {current_revision(url)}")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from openrev.store.demo import credentials_text, load_demo
    from openrev.store.migrate import upgrade

    url = _database_url(args)
    upgrade(url)
    with _session(url) as session:
        load_demo(session)
    print(f"demo data loaded into {display_url(url)}")
    print(credentials_text())
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    url = _database_url(args)
    host = args.host or os.environ.get("OPENREV_HOST") or DEFAULT_HOST
    port_text = args.port if args.port is not None else os.environ.get("OPENREV_PORT")
    try:
        port = int(port_text) if port_text not in (None, "") else DEFAULT_PORT
    except ValueError:
        raise CliError(f"invalid port {port_text!r}", status=2) from None
    workers = args.workers or 1
    os.environ["OPENREV_DATABASE_URL"] = url
    shown_host = f"[{host}]" if ":" in host else host
    print(f"openrev serving {display_url(url)} on http://{shown_host}:{port}/v20/default.asmx",
          flush=True)
    try:
        uvicorn.run(APP_FACTORY, factory=True, host=host, port=port, workers=workers)
    except SystemExit as exc:  # uvicorn has already said why (e.g. the port is in use)
        return exc.code if isinstance(exc.code, int) else 1
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
    with _session(url) as session:
        client = check_new(session)
        user = User(client_id=client.id, username=args.username,
                    password_hash=hash_password(password),
                    impersonation_key_hash=hash_key(key) if key else None, active=True)
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
    with _session(url) as session:
        _user(session, args.client, args.username).impersonation_key_hash = hash_key(key)
    print(f"impersonation key set for {args.username} in client {args.client}")
    return 0


# --------------------------------------------------------------------------- parser


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
    p.set_defaults(func=cmd_demo)

    p = commands.add_parser("serve", parents=[database], help="serve the API")
    p.add_argument("--host",
                   help=f"address to listen on (default: $OPENREV_HOST or {DEFAULT_HOST})")
    p.add_argument("--port", type=int, help=f"port (default: $OPENREV_PORT or {DEFAULT_PORT})")
    p.add_argument("--workers", type=int, default=1, help="worker processes (default: 1)")
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
    p.add_argument("client", metavar="CLIENT")
    p.add_argument("username", metavar="USERNAME")
    p.add_argument("--permission", action="append", metavar="P",
                   help=f"grant a permission (repeatable): {', '.join(PERMISSIONS)}")
    p.add_argument("--impersonation-key-stdin", action="store_true",
                   help="also read an ImpersonationKey (stdin: the line after the password)")
    p.set_defaults(func=cmd_user_add)
    p = user_commands.add_parser("grant", parents=[database], help="grant permissions")
    p.add_argument("client", metavar="CLIENT")
    p.add_argument("username", metavar="USERNAME")
    p.add_argument("permissions", metavar="PERMISSION", nargs="+")
    p.set_defaults(func=cmd_user_grant)
    p = user_commands.add_parser(
        "set-impersonation-key", parents=[database],
        help="set the user's ImpersonationKey (read from stdin or asked for)",
    )
    p.add_argument("client", metavar="CLIENT")
    p.add_argument("username", metavar="USERNAME")
    p.set_defaults(func=cmd_user_set_impersonation_key)
    user.set_defaults(func=None, subparser=user)

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
