"""A progress bar on stderr, for the commands that load many rows (``seed-customers``,
``inventory import``)."""

from __future__ import annotations

import sys
import time
from typing import Any


class ProgressLine:
    """A progress bar on stderr: redrawn in place on a terminal, a line every 10% otherwise.

    Called as ``progress(done, total)`` (the time is measured from the bar's creation) or
    ``progress(done, total, seconds)``; ``noun`` names what is counted."""

    def __init__(self, stream: Any = None, width: int = 30, noun: str = "customers") -> None:
        self.stream = stream or sys.stderr
        self.width = width
        self.noun = noun
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.shown = -1
        self.started = time.monotonic()

    def __call__(self, done: int, total: int, seconds: float | None = None) -> None:
        if seconds is None:
            seconds = time.monotonic() - self.started
        frac = done / total if total else 1.0
        rate = done / seconds if seconds > 0 else 0.0
        eta = (total - done) / rate if rate > 0 else 0.0
        bar = "#" * int(frac * self.width)
        line = (f"[{bar:<{self.width}}] {done:,}/{total:,} {self.noun} {frac:6.1%} "
                f"{rate:,.0f}/s elapsed {_hms(seconds)} eta {_hms(eta)}")
        if self.tty:
            self.stream.write("\r" + line + ("\n" if done >= total else ""))
            self.stream.flush()
            return
        step = int(frac * 10)
        if step > self.shown or done >= total:
            self.shown = step
            self.stream.write(line + "\n")
            self.stream.flush()


def _hms(seconds: float) -> str:
    s = int(seconds)
    return f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}" if s >= 3600 else \
        f"{s // 60}:{s % 60:02d}"
