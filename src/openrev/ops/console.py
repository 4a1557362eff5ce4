"""The operator console's actions that are not API operations: the Users page (add,
deactivate and reactivate users, grant and revoke permissions, set passwords) and Resend.

Each is a plain function of the logged-in :class:`Caller` and a database session inside one
transaction: it checks everything first and raises :class:`ConsoleError` (a message naming
the field) before it writes anything. Completing an order is not here: the console runs it
through Orders_Update itself.

Rules of the Users page (ADMINISTER_USERS):

* only users of the caller's own client are seen or changed (another client's user "does
  not exist");
* an administrator never grants a permission they do not hold themselves, and never
  revokes their own ADMINISTER_USERS nor deactivates themselves (no client is left without
  the administrator who did it by mistake);
* setting a password ends every session of the user and forgets its failed logins, as
  ``openrev user passwd`` does (:func:`openrev.store.authrepo.change_password`);
  deactivating a user ends its sessions too.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy.orm import Session as DbSession

from ..contract.enums import PERMISSIONS
from ..contract.limits import INT_RANGE
from ..domain import flow, orders as order_rules
from ..domain.matching import person_name
from ..provision import commands as flow_commands
from ..store import authrepo, console as repo, outbox as outbox_repo
from ..store.outbox import QueuedOrder
from ..store.tables import ORDER_STATUSES, User, UserPermission
from .base import Caller

ADMIN = "ADMINISTER_USERS"
USERNAME_MAX = User.__table__.c.username.type.length
PASSWORD_MIN, PASSWORD_MAX = 8, 256
"""Lengths of a password set in the console (characters)."""


class ConsoleError(Exception):
    """A refused action: the message says which field and why."""


class NotFound(ConsoleError):
    """The user or order does not exist in the caller's client."""


def check_password(password: str) -> str:
    if not PASSWORD_MIN <= len(password) <= PASSWORD_MAX:
        raise ConsoleError(f"Password: must be {PASSWORD_MIN} to {PASSWORD_MAX} characters")
    return password


def check_username(username: str) -> str:
    name = username.strip()
    if not name:
        raise ConsoleError("Username: required")
    if len(name) > USERNAME_MAX:
        raise ConsoleError(f"Username: at most {USERNAME_MAX} characters")
    if any(ch.isspace() or not ch.isprintable() for ch in name):
        raise ConsoleError("Username: no spaces or control characters")
    return name


def check_grantable(caller: Caller, permissions: Iterable[str]) -> list[str]:
    """``permissions`` (known ones, each held by the caller), without repeats."""
    wanted = list(dict.fromkeys(permissions))
    unknown = [p for p in wanted if p not in PERMISSIONS]
    if unknown:
        raise ConsoleError(f"Permissions: unknown {', '.join(unknown)}")
    not_held = [p for p in wanted if not caller.can(p)]
    if not_held:
        raise ConsoleError(f"Permissions: you cannot grant {', '.join(not_held)}, which you "
                           "do not hold yourself")
    return wanted


def _target(db: DbSession, caller: Caller, user_id: int) -> User:
    caller.require(ADMIN)
    user = repo.user_of(db, caller.client_id, user_id)
    if user is None:
        raise NotFound(f"user {user_id} does not exist")
    return user


def add_user(db: DbSession, caller: Caller, username: str, password_hash: str,
             permissions: list[str], now: dt.datetime) -> User:
    """A new active user of the caller's client (``password_hash``: checked and hashed by
    the caller of this function, outside the transaction)."""
    caller.require(ADMIN)
    name = check_username(username)
    granted = check_grantable(caller, permissions)
    if repo.user_named(db, caller.client_id, name) is not None:
        raise ConsoleError(f"Username: {name} already exists")
    user = User(client_id=caller.client_id, username=name, password_hash=password_hash,
                active=True, created_at=now)
    db.add(user)
    db.flush()
    for p in granted:
        user.permissions.append(UserPermission(client_id=caller.client_id, user_id=user.id,
                                               permission=p))
    db.flush()
    return user


def set_permissions(db: DbSession, caller: Caller, user_id: int, wanted: list[str]) -> str:
    """Give the user exactly ``wanted``: grants only what the caller holds; a permission the
    caller does not hold is left as it is (they can neither grant nor revoke it)."""
    user = _target(db, caller, user_id)
    held = user.permission_names
    wanted_set = set(check_grantable(caller, [p for p in wanted if p not in held]))
    wanted_set |= {p for p in wanted if p in held and p in PERMISSIONS}
    revoke = {p for p in held if p not in wanted_set and caller.can(p)}
    if user.id == caller.user_id and ADMIN in revoke:
        raise ConsoleError(f"Permissions: you cannot revoke your own {ADMIN}")
    grant = sorted(wanted_set - held)
    for p in list(user.permissions):
        if p.permission in revoke:
            user.permissions.remove(p)
    for p in grant:
        user.permissions.append(UserPermission(client_id=caller.client_id, user_id=user.id,
                                               permission=p))
    db.flush()
    parts = ([f"granted {', '.join(grant)}"] if grant else []) + \
        ([f"revoked {', '.join(sorted(revoke))}"] if revoke else [])
    return f"{user.username}: {'; '.join(parts) or 'no change'}"


def set_active(db: DbSession, caller: Caller, user_id: int, active: bool) -> str:
    user = _target(db, caller, user_id)
    if not active and user.id == caller.user_id:
        raise ConsoleError("you cannot deactivate yourself")
    user.active = active
    db.flush()
    if active:
        return f"{user.username} reactivated"
    ended = authrepo.end_sessions_of_user(db, user.id)
    return f"{user.username} deactivated; {ended} session(s) ended"


def set_password(db: DbSession, caller: Caller, user_id: int, password_hash: str,
                 now: dt.datetime) -> str:
    user = _target(db, caller, user_id)
    ended = authrepo.change_password(db, user, caller.client_code, password_hash, now)
    return f"password changed for {user.username}; {ended} session(s) ended"


def resend(db: DbSession, caller: Caller, order_id: int, now: dt.datetime) -> str:
    """``openrev orders resend ORDER_ID`` for an order of the caller's client, by the
    caller."""
    try:
        return flow_commands.resend(db, order_id, now, client_id=caller.client_id,
                                    force=False, actor=caller.actor,
                                    user_id=caller.user_id)
    except flow_commands.OrderMissing as exc:
        raise NotFound(str(exc)) from None
    except flow_commands.ResendRefused as exc:
        raise ConsoleError(str(exc)) from None


# ------------------------------------------------------------------------ customer search

SEARCH_BY = {
    "any": "Anything",
    "tn": "Telephone number",
    "name": "Name (last, or first and last)",
    "account": "Account number",
    "device": "Device (IMEI, ESN, MEID, ICCID)",
    "id": "Customer ID",
}
"""The console's "Search by" choices."""

QUERY_MAX = 100
"""Characters of a search (longer: refused)."""


def _name_keys(q: str) -> tuple[str, str] | None:
    """(last-name key prefix, first-name key prefix) of "Last", "Last, First" or "First
    Last"; None when ``q`` holds no letter or digit."""
    if "," in q:
        last, _, first = q.partition(",")
    else:
        words = q.split()
        first, last = (" ".join(words[:-1]), words[-1]) if len(words) > 1 else ("", q)
    last_key, first_key = person_name(last), person_name(first)
    return (last_key, first_key) if last_key else None


def search_customers(db: DbSession, caller: Caller, by: str, q: str, after: str | None,
                     limit: int) -> tuple[list[repo.CustomerHit], str | None]:
    """(one page of the customers of the caller's client matching ``q``, the cursor of the
    next page or None). ``by`` is a key of :data:`SEARCH_BY`; "any" looks ``q`` up as each
    of them. Only a name search has further pages (the others match a few customers)."""
    q = q.strip()
    if by not in SEARCH_BY:
        raise ConsoleError(f"Search by: must be one of {', '.join(SEARCH_BY)}")
    if len(q) > QUERY_MAX:
        raise ConsoleError(f"Search: at most {QUERY_MAX} characters")
    if not q:
        return [], None
    client = caller.client_id
    digits = "".join(ch for ch in q if ch in "0123456789")
    phone_like = bool(digits) and all(ch in "0123456789 -().+" for ch in q)
    ids: list[int] = []
    hits: list[repo.CustomerHit] = []
    if by in ("any", "id") and q.isascii() and q.isdigit() and int(q) <= INT_RANGE[1]:
        ids.append(int(q))
    if by == "tn" or (by == "any" and phone_like and len(digits) == 10):
        ids += repo.customer_ids_by_tn(db, client, digits if phone_like else q)
    if by in ("any", "device"):
        ids += repo.customer_ids_by_device(db, client, q)
    found = {h.id: h for h in repo.customers_by_ids(db, client, list(dict.fromkeys(ids)),
                                                    limit)}
    hits += [found[i] for i in dict.fromkeys(ids) if i in found]
    if by in ("any", "account"):
        hits += repo.customers_by_account(db, client, q, limit)
    keys = _name_keys(q) if by in ("any", "name") and not phone_like else None
    cursor = None
    if keys is not None:
        named = repo.customers_by_name(db, client, keys[0], keys[1],
                                       after=_read_cursor(after), limit=limit + 1)
        if len(named) > limit:
            named = named[:limit]
            cursor = _write_cursor(named[-1].sort_key)
        if after is not None:
            hits = []
        hits += named
    unique = list({h.id: h for h in hits}.values())
    return unique[:limit], cursor


def _write_cursor(key: tuple[str, str, int]) -> str:
    return f"{key[0]}.{key[1]}.{key[2]}"


def _read_cursor(value: str | None) -> tuple[str, str, int] | None:
    if not value:
        return None
    parts = value.split(".")
    if len(parts) != 3 or not parts[2].isdigit() or len(value) > 2 * QUERY_MAX + 20:
        raise ConsoleError("after: not a page of this search")
    return parts[0], parts[1], int(parts[2])


# ------------------------------------------------------------------------ the order queue

FINAL_STATUSES = order_rules.FINAL


def can_resend(status: str) -> bool:
    """The Resend button is offered (``openrev orders resend`` without --force would do)."""
    return flow.resend_refused(status, force=False) is None


@dataclass(frozen=True, slots=True)
class Queue:
    stuck: list[QueuedOrder]
    """Failed and stuck orders (``openrev orders list --stuck``): on the first page only."""
    orders: list[QueuedOrder]
    tns: dict[int, str | None]
    next_after: str | None


def order_queue(db: DbSession, caller: Caller, status: str | None, after: str | None,
                now: dt.datetime, limit: int) -> Queue:
    if status is not None and status not in ORDER_STATUSES:
        raise ConsoleError(f"Status: must be one of {', '.join(ORDER_STATUSES)}")
    cursor = None
    if after:
        when, _, order_id = after.rpartition("_")
        try:
            cursor = (dt.datetime.fromisoformat(when), int(order_id))
        except ValueError:
            raise ConsoleError("after: not a page of this queue") from None
    stuck = [] if cursor is not None else outbox_repo.list_orders(
        db, client_id=caller.client_id, statuses=(status,) if status else None,
        stuck_before=now - flow_commands.STUCK_AFTER,
        overdue_before=now - flow_commands.OVERDUE_AFTER, limit=limit)
    page = repo.orders_page(db, caller.client_id, status, cursor, limit + 1)
    next_after = None
    if len(page) > limit:
        page = page[:limit]
        last = page[-1].order
        next_after = f"{last.created_at.isoformat()}_{last.id}"
    tns = repo.tns_of_orders(db, caller.client_id, [q.order for q in stuck + page])
    return Queue(stuck, page, tns, next_after)
