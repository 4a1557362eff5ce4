"""``openrev serve --workers N`` (N > 1): N server processes, each with its own listening
socket on the same address (``SO_REUSEPORT``), so that the kernel spreads new connections
across them and every accepted connection gets ``TCP_NODELAY`` from the event loop, as with
one process.

uvicorn's own ``--workers`` shares one listening socket among its children instead: the
accepted connections lost ``TCP_NODELAY`` (p50 48-60 ms against 3-14 ms at low concurrency
on this project's benchmark) and keep-alive connections often all landed on one worker.

The process that runs :func:`serve_workers` only supervises: it starts the workers, restarts
one that dies (unless it dies within :data:`CRASH_SECONDS` of starting: then it stops them
all and fails, since a worker that cannot start will not start the next time either), and on
SIGINT/SIGTERM asks each worker to stop (SIGTERM: uvicorn finishes the requests in flight)
and waits for them, killing a worker still there after :data:`STOP_SECONDS`. The order
flow-through worker thread, if any, stays in the supervisor (``openrev serve``): one per
server, however many HTTP workers.
"""

from __future__ import annotations

import logging
import logging.config
import multiprocessing
import os
import signal
import socket
import sys
import time
from typing import Any

log = logging.getLogger("openrev.serve")

CRASH_SECONDS = 5.0
STOP_SECONDS = 15.0


def can_reuse_port() -> bool:
    """Whether this platform has ``SO_REUSEPORT`` (Linux, the BSDs, macOS)."""
    return hasattr(socket, "SO_REUSEPORT")


def listening_socket(host: str, port: int) -> socket.socket:
    """A socket listening on ``host:port`` with ``SO_REUSEPORT``: one per worker."""
    family, type_, proto, _, address = socket.getaddrinfo(
        host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)[0]
    sock = socket.socket(family, type_, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        if family == socket.AF_INET6:
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        sock.bind(address)
        sock.listen(2048)
        sock.set_inheritable(False)
    except BaseException:
        sock.close()
        raise
    return sock


def _worker_main(host: str, port: int, uvicorn_kwargs: dict[str, Any]) -> None:
    """One worker process: its own socket, one uvicorn server on it (SIGINT/SIGTERM stop it
    gracefully: uvicorn's own handlers)."""
    import uvicorn

    sock = listening_socket(host, port)
    config = uvicorn.Config(host=host, port=port, **uvicorn_kwargs)
    uvicorn.Server(config).run(sockets=[sock])


class _Stop(Exception):
    pass


def serve_workers(workers: int, host: str, port: int, uvicorn_kwargs: dict[str, Any]) -> int:
    """Run ``workers`` server processes until SIGINT/SIGTERM; the exit status."""
    logging.config.dictConfig(uvicorn_kwargs["log_config"])  # as the workers log
    ctx = multiprocessing.get_context("spawn")  # a fresh interpreter: no engine or thread shared

    def start() -> Any:
        p = ctx.Process(target=_worker_main, args=(host, port, uvicorn_kwargs),
                        name="openrev-http", daemon=False)
        p.start()
        started[p.pid] = time.monotonic()
        return p

    def stop_signal(signum: int, frame: Any) -> None:
        raise _Stop(signal.Signals(signum).name)

    started: dict[int | None, float] = {}
    previous = {s: signal.signal(s, stop_signal) for s in (signal.SIGINT, signal.SIGTERM)}
    procs: list[Any] = []
    status = 0
    try:
        procs = [start() for _ in range(workers)]
        log.info("%d worker processes (pids %s), one SO_REUSEPORT socket each", workers,
                 ", ".join(str(p.pid) for p in procs))
        while True:
            for i, p in enumerate(procs):
                p.join(timeout=0.5 / len(procs))
                if p.exitcode is None:
                    continue
                if time.monotonic() - started[p.pid] < CRASH_SECONDS:
                    log.error("worker %s exited (status %s) right after it started: stopping",
                              p.pid, p.exitcode)
                    status = 1
                    raise _Stop("crash")
                log.warning("worker %s exited (status %s): starting another", p.pid,
                            p.exitcode)
                procs[i] = start()
    except (_Stop, KeyboardInterrupt):
        pass
    finally:
        for s, handler in previous.items():
            signal.signal(s, signal.SIG_IGN)  # a second Ctrl-C must not break the clean-up
        _stop_all(procs)
        for s, handler in previous.items():
            signal.signal(s, handler)
    return status


def _stop_all(procs: list[Any]) -> None:
    for p in procs:
        if p.exitcode is None and p.pid is not None:
            try:
                os.kill(p.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
    deadline = time.monotonic() + STOP_SECONDS
    for p in procs:
        p.join(timeout=max(0.0, deadline - time.monotonic()))
        if p.exitcode is None:
            log.warning("worker %s did not stop within %.0f s: killed", p.pid, STOP_SECONDS)
            p.kill()
            p.join()
    sys.stdout.flush()
