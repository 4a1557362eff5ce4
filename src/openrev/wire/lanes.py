"""How many operations a server process runs at once, and in which lane.

The operation handlers are synchronous (SQLAlchemy, argon2) and run in worker threads while
the event loop goes on reading and writing sockets. Python runs one thread at a time (the
GIL): threads beyond the few that overlap a database round trip only contend, and under 16
connections Starlette's default of 40 threads made every call wait for the GIL and the
connection pool in turn (throughput fell as connections rose, p99 reached 30x p50; see
docs/PERFORMANCE.md). So an operation runs in one of ``OPENREV_CALL_THREADS`` slots (2 by
default: on the benchmark's two cores, 2 answered more calls at 16 connections than 1, 4 or
8 on SQLite, and as many as 4 or 8 on PostgreSQL, whose round trips the second thread
overlaps); the rest wait their turn on the event loop, which costs no thread.

Calls that carry ``Credentials`` get a lane of their own of the same size: a password check
(argon2, tens of milliseconds) holds its slot for that long, and a burst of logins or a
password guesser must not take the slots of the calls that come with a session. Which lane a
request goes to is decided before it is decoded, by a search of its bytes for the element
name; a request the search puts in the wrong lane is answered exactly the same, only
scheduled with the other lane (how many password checks run at once is bounded by
``OPENREV_LOGIN_CONCURRENCY`` in any case: :mod:`openrev.ops.auth`).
"""

from __future__ import annotations

from typing import Callable, TypeVar

import anyio
import anyio.to_thread

T = TypeVar("T")

_CREDENTIALS = (b"Credentials", b"credentials")


def carries_credentials(body: bytes) -> bool:
    """True when ``body`` (a SOAP or JSON request) names a Credentials element or key."""
    return any(name in body for name in _CREDENTIALS)


class Lanes:
    """Two bounded lanes of worker threads: calls with a session, and calls that log in."""

    def __init__(self, threads: int) -> None:
        self.calls = anyio.CapacityLimiter(threads)
        self.logins = anyio.CapacityLimiter(threads)

    async def run(self, body: bytes, fn: Callable[..., T], *args: object) -> T:
        """``fn(*args)`` in a worker thread of the lane ``body`` belongs to."""
        lane = self.logins if carries_credentials(body) else self.calls
        return await anyio.to_thread.run_sync(fn, *args, limiter=lane)
