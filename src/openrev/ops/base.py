"""What every operation handler gets: the authenticated Caller and a Context; the registry.

Handlers are plain functions ``handler(ctx, request) -> result`` that know nothing of XML
or JSON. They raise ``ApiError`` for documented errors; everything they wrote is rolled
back when they do.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Callable, TypeVar

from sqlalchemy.orm import Session as DbSession

from ..contract.errors import ApiError
from ..contract.schema import Struct
from ..store.tables import CustomerHistory


@dataclass(frozen=True, slots=True)
class Caller:
    """The authenticated principal: the user a request acts as, within one client."""

    client_id: int
    client_code: str
    user_id: int
    username: str
    permissions: frozenset[str]
    session_key: str
    impersonated: bool
    tax_engine: str  # "SURETAX" or "CCH"
    lifeline_form_status: str = "NEEDS_REVIEW"
    real_user_id: int | None = None  # who authenticated, when impersonating another user

    def require(self, permission: str, what: str = "") -> None:
        if permission not in self.permissions:
            raise ApiError(
                "S2017",
                f"{what + ': ' if what else ''}requires the permission {permission}",
            )

    def can(self, permission: str) -> bool:
        return permission in self.permissions

    @property
    def actor(self) -> str:
        """Who acts, as histories record it: ``user NAME``."""
        return f"user {self.username}"


@dataclass(slots=True)
class Context:
    caller: Caller
    db: DbSession
    now: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.timezone.utc))
    # What runs once the handler's transaction has committed (e.g. sending the orders of a
    # SendOrders sign-up): callables that may raise ApiError for the answer's Header.
    after_commit: list[Callable[[], None]] = field(default_factory=list)
    # Order flow-through (openrev.provision.worker.Provisioner), when the server has one.
    provisioning: Any = None

    @property
    def actor(self) -> str:
        return self.caller.actor

    @property
    def client_id(self) -> int:
        return self.caller.client_id

    @property
    def today(self) -> dt.date:
        return self.now.date()

    def history(self, customer_id: int, category: str, note: str) -> None:
        """Write an entry of the customer's History pane, by the calling user, now."""
        self.db.add(CustomerHistory(client_id=self.client_id, customer_id=customer_id,
                                    created_at=self.now, category=category, note=note,
                                    user_id=self.caller.user_id))


Handler = Callable[[Context, Struct], Struct]
H = TypeVar("H", bound=Handler)


@dataclass(frozen=True, slots=True)
class Registered:
    handler: Handler
    permission: str | None  # checked before input validation (CONTRACT.md order of checks)
    # False: the handler only reads. Its transaction then never takes SQLite's write lock
    # (and cannot write: see openrev.store.uow). True: it may write; writers run one at a
    # time on SQLite.
    writes: bool = True


HANDLERS: dict[str, Registered] = {}


def handler(operation: str, permission: str | None = None, *, writes: bool = True
            ) -> Callable[[H], H]:
    """Register ``fn`` as the handler of ``operation``.

    ``writes=False`` declares a read-only operation (a query): it runs in a read-only
    transaction that never waits for a writer. Leave it True for anything that may write.
    """

    def register(fn: H) -> H:
        if operation in HANDLERS:
            raise RuntimeError(f"two handlers for {operation}")
        HANDLERS[operation] = Registered(fn, permission, writes)
        return fn

    return register
