"""The order flow-through commands of ``openrev``:

    openrev worker [--database URL] [--once]
    openrev orders list [--client CODE] [--status S ...] [--stuck] [--limit N]
    openrev orders resend ORDER_ID [--client CODE] [--force]
    openrev provider fault PROVIDER --client CODE [--down [MESSAGE] | --up]
                           [--reject-next N [--reject-message M]] [--latency SECONDS] [--clear]

``openrev serve`` runs one worker in-process unless given ``--no-worker``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import signal
import threading
from typing import Any

from sqlalchemy.orm import Session

from ..domain import flow, orders as order_rules
from ..settings import Settings
from ..store import orders as orders_repo, outbox as store
from ..store.db import make_engine, make_sessionmaker
from ..store.tables import ORDER_STATUSES
from ..store.uow import TransactionRunner
from .worker import FlowSettings, Provisioner, default_owner

log = logging.getLogger("openrev.worker")

STUCK_AFTER = dt.timedelta(hours=24)
"""SENT or CONFIRMED (or NEW flow-through) with no status change this long: stuck."""
OVERDUE_AFTER = dt.timedelta(minutes=5)
"""An outbox row due (or a lease expired) this long ago: no worker is taking it."""
CLI_ACTOR = "openrev orders resend"


def _cli() -> Any:
    from .. import cli  # the shared helpers (database URL, errors); imported late: cli imports us

    return cli


def cmd_worker(args: argparse.Namespace) -> int:
    cli = _cli()
    from ..logs import configure

    url = cli._database_url(args)
    settings = Settings.from_env(database_url=url)
    cli._keyring(url)
    cli._check_schema(url)
    configure(settings.log_level, settings.log_format)  # after alembic's schema check
    engine = make_engine(url)
    try:
        worker = Provisioner(TransactionRunner(make_sessionmaker(engine)),
                             FlowSettings.from_settings(settings), owner=default_owner())
        if args.once:
            handled = 0
            while (n := worker.run_once()):
                handled += n
            print(f"handled {handled} outbox entries")
            return 0
        stop = threading.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
        print(f"openrev worker {worker.owner} on {cli.display_url(url)}: Ctrl-C stops it",
              flush=True)
        worker.run(stop)
        return 0
    finally:
        engine.dispose()


def start_serve_worker(url: str, settings: Settings) -> tuple[threading.Event, Any]:
    """``openrev serve``'s in-process worker: a daemon thread with its own engine; returns
    (the event that stops it, the engine to dispose of)."""
    engine = make_engine(url)
    worker = Provisioner(TransactionRunner(make_sessionmaker(engine)),
                         FlowSettings.from_settings(settings), owner=default_owner())
    stop = threading.Event()
    threading.Thread(target=worker.run, args=(stop,), name="openrev-worker",
                     daemon=True).start()
    return stop, engine


def _client_id(session: Session, code: str | None) -> int | None:
    return None if code is None else _cli()._client(session, code).id


def _when(value: dt.datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S") if value is not None else "-"


def cmd_orders_list(args: argparse.Namespace) -> int:
    cli = _cli()
    now = dt.datetime.now(dt.timezone.utc)
    statuses = tuple(s.upper() for s in args.status or ()) or None
    for s in statuses or ():
        if s not in ORDER_STATUSES:
            raise cli.CliError(f"--status {s}: not an order status ({', '.join(ORDER_STATUSES)})",
                               status=2)
    with cli._session(cli._database_url(args)) as session:
        rows = store.list_orders(
            session, client_id=_client_id(session, args.client), statuses=statuses,
            stuck_before=now - STUCK_AFTER if args.stuck else None,
            overdue_before=now - OVERDUE_AFTER if args.stuck else None, limit=args.limit)
        if not rows:
            print("no stuck orders" if args.stuck else "no orders")
            return 0
        print(f"{'ORDER':>7}  {'CLIENT':<8} {'CUSTOMER':>8}  {'PROVIDER':<14} {'STATUS':<10} "
              f"{'TRIES':>5}  {'STATUS SINCE':<19}  {'NEXT':<19}  LAST ERROR")
        for r in rows:
            o = r.order
            nxt = "-"
            if r.outbox is not None:
                nxt = _when(r.outbox.due_at)
                if r.outbox.lease_until is not None:
                    nxt = f"leased {r.outbox.lease_owner}"[:19]
            print(f"{o.id:>7}  {r.client_code:<8} {o.customer_id:>8}  {r.provider_code:<14} "
                  f"{o.status:<10} {o.attempts:>5}  "
                  f"{_when(o.status_changed_at or o.created_at):<19}  {nxt:<19}  "
                  f"{(o.last_error or '')[:80]}")
    return 0


def cmd_orders_resend(args: argparse.Namespace) -> int:
    cli = _cli()
    now = dt.datetime.now(dt.timezone.utc)
    with cli._session(cli._database_url(args)) as session:
        client_id = _client_id(session, args.client)
        try:
            message = resend(session, args.order_id, now, client_id=client_id,
                             force=args.force, actor=CLI_ACTOR, user_id=None)
        except ResendRefused as exc:
            raise cli.CliError(str(exc)) from None
        print(message)
    return 0


class ResendRefused(Exception):
    """The order cannot be resent now (the message says why)."""


class OrderMissing(ResendRefused):
    """The order does not exist (in this client)."""


def resend(session: Session, order_id: int, now: dt.datetime, *, client_id: int | None,
           force: bool, actor: str, user_id: int | None) -> str:
    """Queue order ``order_id`` (of ``client_id``; None: any client) to be sent to its
    provider again, with its order and customer history written; returns what was done.
    ``openrev orders resend`` and the console's Resend button."""
    order = store.order_for_update(session, order_id)
    if order is None or (client_id is not None and order.client_id != client_id):
        raise OrderMissing(f"order {order_id} does not exist")
    refused = flow.resend_refused(order.status, force=force)
    if refused is not None:
        raise ResendRefused(f"order {order.id} {refused}")
    old = order.status
    store.enqueue(session, order, now)
    if order.status != "NEW":
        order_rules.set_status(order, "NEW", now)
    orders_repo.record_history(
        session, order, status=order.status, user_id=user_id, now=now, actor=actor,
        note=f"Queued to be sent again (was {old})")
    orders_repo.customer_history(session, order, "ORDER",
                                 f"Order {order.id} queued to be sent again (was {old})", now,
                                 user_id)
    return f"order {order.id} queued to be sent (was {old}); a worker sends it shortly"


def cmd_provider_fault(args: argparse.Namespace) -> int:
    cli = _cli()
    with cli._session(cli._database_url(args)) as session:
        client = cli._client(session, args.client)
        p = store.provider_by_code(session, client.id, args.provider)
        if p is None:
            raise cli.CliError(f"provider {args.provider!r} does not exist in client "
                               f"{client.code}")
        if args.clear:
            p.fault_down, p.fault_down_message = False, None
            p.fault_reject_next, p.fault_reject_message, p.fault_latency_ms = 0, None, 0
        if args.down is not None:
            p.fault_down, p.fault_down_message = True, (args.down or None)
        if args.up:
            p.fault_down, p.fault_down_message = False, None
        if args.reject_next is not None:
            if args.reject_next < 0:
                raise cli.CliError("--reject-next: must be 0 or more", status=2)
            p.fault_reject_next = args.reject_next
            p.fault_reject_message = args.reject_message or None
        elif args.reject_message is not None:
            raise cli.CliError("--reject-message goes with --reject-next N", status=2)
        if args.latency is not None:
            if not 0 <= args.latency <= 3600:
                raise cli.CliError("--latency: seconds from 0 to 3600", status=2)
            p.fault_latency_ms = int(round(args.latency * 1000))
        print(describe_faults(p))
    return 0


def describe_faults(p: Any) -> str:
    """One line: the provider and its faults."""
    down = "up"
    if p.fault_down:
        down = "DOWN" + (f" ({p.fault_down_message})" if p.fault_down_message else "")
    reject = f"rejects the next {p.fault_reject_next}" + (
        f" ({p.fault_reject_message})" if p.fault_reject_message else "")
    return (f"provider {p.id} {p.code} ({p.adapter}): {down}; {reject}; "
            f"latency {p.fault_latency_ms / 1000:g} s")


def add_parsers(commands: Any, database: argparse.ArgumentParser) -> None:
    """The ``worker``, ``orders`` and ``provider`` commands."""
    p = commands.add_parser("worker", parents=[database],
                            help="run an order flow-through worker (serve runs one too)")
    p.add_argument("--once", action="store_true",
                   help="handle what is due now, then exit")
    p.set_defaults(func=cmd_worker)

    orders = commands.add_parser("orders", help="the order queue")
    sub = orders.add_subparsers(dest="orders_command", metavar="COMMAND")
    p = sub.add_parser("list", parents=[database],
                       help="orders, failed and stuck first, with attempts and last error")
    p.add_argument("--client", metavar="CODE")
    p.add_argument("--status", action="append", metavar="STATUS",
                   help="only this status (repeatable)")
    p.add_argument("--stuck", action="store_true",
                   help="only stuck orders: ERROR or FLOW_ERROR, waiting for a worker for "
                        "over 5 minutes, or SENT/CONFIRMED for over 24 hours")
    p.add_argument("--limit", type=int, default=100)
    p.set_defaults(func=cmd_orders_list)
    p = sub.add_parser("resend", parents=[database],
                       help="queue an order to be sent to its provider again")
    p.add_argument("order_id", type=int, metavar="ORDER_ID")
    p.add_argument("--client", metavar="CODE")
    p.add_argument("--force", action="store_true",
                   help="also resend a SENT or CONFIRMED order (as a new request)")
    p.set_defaults(func=cmd_orders_resend)
    orders.set_defaults(func=None, subparser=orders)

    provider = commands.add_parser("provider", help="providers")
    sub = provider.add_subparsers(dest="provider_command", metavar="COMMAND")
    p = sub.add_parser("fault", parents=[database],
                       help="inject faults into a provider at run time (no option: show them)")
    p.add_argument("provider", metavar="PROVIDER", help="the provider's code or id")
    p.add_argument("--client", required=True, metavar="CODE")
    p.add_argument("--down", nargs="?", const="", metavar="MESSAGE",
                   help="connectivity is down (sends fail: CA2020, FLOW_ERROR)")
    p.add_argument("--up", action="store_true", help="connectivity is back")
    p.add_argument("--reject-next", type=int, metavar="N",
                   help="the provider rejects the next N orders (ERROR)")
    p.add_argument("--reject-message", metavar="MESSAGE", help="with --reject-next")
    p.add_argument("--latency", type=float, metavar="SECONDS",
                   help="every answer takes this long (beyond the provider timeout: a time-out)")
    p.add_argument("--clear", action="store_true", help="no faults")
    p.set_defaults(func=cmd_provider_fault)
    provider.set_defaults(func=None, subparser=provider)
