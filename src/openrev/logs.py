"""Logging for ``openrev serve``: stdlib logging, every line with time, level and logger name.

``text`` (default)::

    2024-01-02T15:00:00.123+00:00 INFO openrev.wire: message

``json`` (``OPENREV_LOG_FORMAT=json``): one object per line with ``time``, ``level``,
``logger``, ``message`` and, when an exception is logged, ``exception`` (its traceback text).

:func:`log_config` is a :func:`logging.config.dictConfig` dictionary; it is handed to
``uvicorn.run(log_config=...)`` so that uvicorn's own loggers (``uvicorn``, ``uvicorn.error``,
``uvicorn.access``) and openrev's write the same lines, in every worker process.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import logging.config
from typing import Any

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def _iso_time(record: logging.LogRecord) -> str:
    return dt.datetime.fromtimestamp(record.created, dt.timezone.utc).isoformat(
        timespec="milliseconds")


class TextFormatter(logging.Formatter):
    """``TIME LEVEL LOGGER: message`` with an ISO 8601 UTC time."""

    def __init__(self) -> None:
        super().__init__(TEXT_FORMAT)

    def formatTime(  # noqa: N802 - the stdlib's name
        self, record: logging.LogRecord, datefmt: str | None = None
    ) -> str:
        return _iso_time(record)


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message (and exception)."""

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "time": _iso_time(record),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            out["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            out["exception"] = record.exc_text
        if record.stack_info:
            out["stack"] = self.formatStack(record.stack_info)
        return json.dumps(out, ensure_ascii=False, default=str)


def log_config(level: str = "INFO", fmt: str = "text") -> dict[str, Any]:
    """The dictConfig of openrev and uvicorn: one stderr handler on the root logger."""
    formatter = "openrev.logs.JsonFormatter" if fmt == "json" else "openrev.logs.TextFormatter"
    level = level.upper()
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"openrev": {"()": formatter}},
        "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "openrev",
                                "stream": "ext://sys.stderr"}},
        "root": {"level": level, "handlers": ["stderr"]},
        "loggers": {
            # uvicorn's defaults give them their own handlers; here they propagate to root.
            name: {"level": level, "handlers": [], "propagate": True}
            for name in ("uvicorn", "uvicorn.error", "uvicorn.access")
        },
    }


def configure(level: str = "INFO", fmt: str = "text") -> None:
    """Apply :func:`log_config` to this process."""
    logging.config.dictConfig(log_config(level, fmt))
