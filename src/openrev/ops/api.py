"""The service layer: one call of one operation, whatever binding it came through.

Order of checks (CONTRACT.md): authentication (S2004, S2005), permission (S2017), input
(S2010, S2015), then existence and state. Each handler runs in one transaction
(:class:`openrev.store.uow.TransactionRunner`: read-only for a handler registered with
``writes=False``): a failure of any kind rolls back everything it wrote. Authentication runs
before it, in transactions of its own (:mod:`openrev.ops.auth`). A client never sees a
stack trace: an
unexpected failure is answered with Success=false, CN2001 and a reference id that is also
in the server log.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
import logging
import uuid
from typing import Callable

from sqlalchemy.orm import Session as DbSession, sessionmaker

from ..contract.envelope import Header
from ..contract.errors import INTERNAL_ERROR, ApiError, problems_message
from ..contract.operations import Operation
from ..contract.schema import Struct
from ..settings import Settings
from ..provision.worker import FlowSettings, Provisioner
from ..store.uow import DatabaseBusy, TransactionRunner
from ..contract.report import DecodeReport
from . import auth
from .base import HANDLERS, Caller, Context
from .debug import masked

log = logging.getLogger("openrev.api")


@dataclass(frozen=True, slots=True)
class Answer:
    """An operation's Result, and the seconds to hold it back before sending it."""

    result: Struct
    delay: float = 0.0


class Api:
    def __init__(self, sessions: sessionmaker[DbSession], settings: Settings,
                 clock: Callable[[], dt.datetime] | None = None):
        self.sessions = sessions
        self.settings = settings
        self.idle = dt.timedelta(minutes=settings.session_idle_minutes)
        self.clock = clock or (lambda: dt.datetime.now(dt.timezone.utc))
        self.runner = TransactionRunner(sessions)
        # SendOrders sends after the sign-up committed, through the workers' own code
        self.provisioning = Provisioner(self.runner, FlowSettings.from_settings(settings),
                                        clock=self.clock)
        self.auth = auth.Authenticator(self.runner, settings)

    def call(self, op: Operation, request: Struct, report: DecodeReport,
             peer: str | None = None) -> Struct:
        """Run ``op`` for ``request``; always returns the operation's Result (never raises).

        ``peer``: the address the request came from (the login throttle counts failures per
        address; None: not known)."""
        return self.answer(op, request, report, peer).result

    def answer(self, op: Operation, request: Struct, report: DecodeReport,
               peer: str | None = None) -> Answer:
        """``call``, plus how long the wire layer should hold the answer back: a refused
        (throttled) login is answered after ``auth.REFUSED_LOGIN_DELAY`` seconds, waited
        asynchronously so that it costs the server nothing while it slows a guesser down."""
        delay = 0.0
        result = op.result()
        header = Header(Success=False)
        result.Header = header
        caller: Caller | None = None
        try:
            caller = self.auth.authenticate(request, self.clock(), peer)
            header.SessionKey = caller.session_key
            header.Impersonated = caller.impersonated
            self._run(op, caller, request, report, result)
            header.Success = True
        except ApiError as err:
            delay = getattr(err, "answer_delay", 0.0)
            header.Error_Code = err.code
            header.Error_Description = err.description
            if err.message:
                header.Message = err.message
        except DatabaseBusy as exc:  # another process kept the SQLite database locked
            log.warning("%s answered busy: %s", op.name, exc)
            err = ApiError(INTERNAL_ERROR, "the server is busy; try again in a few seconds")
            header.Error_Code, header.Error_Description = err.code, err.description
            header.Message = err.message
        except Exception:  # noqa: BLE001 - the one place that turns failures into answers
            ref = uuid.uuid4().hex[:12]
            log.exception("internal error in %s, reference %s (request %r)", op.name, ref,
                          request)
            err = ApiError(INTERNAL_ERROR, f"internal error; reference {ref}")
            header.Error_Code, header.Error_Description = err.code, err.description
            header.Message = err.message
            result.Debug = op.debug_type(Request=masked(request))
            return Answer(result, delay)
        if request.Debug:
            debug = op.debug_type(Request=masked(request))
            if report.unknown:
                debug.Ignored = list(report.unknown)
            result.Debug = debug
        return Answer(result, delay)

    def _run(self, op: Operation, caller: Caller, request: Struct, report: DecodeReport,
             result: Struct) -> None:
        registered = HANDLERS.get(op.name)
        if registered is None:
            raise ApiError(INTERNAL_ERROR, f"{op.name} is not implemented by this server yet")
        if registered.permission:
            caller.require(registered.permission, op.name)
        if report.invalid:
            problems = [f"{p}: {why}" for p, why in report.invalid]
            raise ApiError("S2010", problems_message(problems))
        after_commit: list[Callable[[], None]] = []

        def work(db: DbSession) -> Struct:
            after_commit.clear()  # a transaction run again starts afresh
            return registered.handler(Context(caller, db, self.clock(), after_commit,
                                              self.provisioning), request)

        answer = self.runner.run(registered.writes, work)
        for f, value in answer.written():
            if f.name != "Header":
                result._values[f.name] = value
                result._states[f.name] = answer.state(f.name)
        for step in after_commit:  # committed: what they raise goes to the Header only
            step()
