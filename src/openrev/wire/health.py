"""``GET /health``: 200 when the database is reachable and its schema is at the newest
migration, 503 with a JSON reason otherwise. Each call asks the database (one statement,
``SELECT version_num FROM alembic_version``, in a read-only transaction): the answer is
true now, and it costs about what a ``SELECT 1`` does (the issue 13 benchmark's baseline,
"the framework and SELECT 1")."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import Engine, inspect, text
from sqlalchemy.exc import DBAPIError

from ..store.db import read_only_engine
from ..store.migrate import head_revision

log = logging.getLogger("openrev.health")

_REVISION = text("SELECT version_num FROM alembic_version")


class HealthCheck:
    """The database's state as ``/health`` reports it, asked afresh on every call."""

    def __init__(self, engine: Engine) -> None:
        self.engine = read_only_engine(engine)  # never waits for a writer on SQLite
        self.head = head_revision()

    def answer(self) -> tuple[int, dict[str, Any]]:
        """(HTTP status, JSON body)."""
        try:
            with self.engine.connect() as conn:  # what alembic reads, without its INFO lines
                try:
                    current = conn.execute(_REVISION).scalar()
                except DBAPIError:
                    conn.rollback()
                    if inspect(conn).has_table("alembic_version"):
                        raise
                    current = None  # never migrated
        except Exception:  # noqa: BLE001 - any failure means unreachable
            log.warning("health: database unreachable", exc_info=True)
            return 503, {"status": "database unreachable"}
        if current != self.head:
            reason = (f"database schema is at revision {current or 'none (never migrated)'}, "
                      f"this server needs {self.head}: run openrev init")
            log.warning("health: %s", reason)
            return 503, {"status": "schema not current", "reason": reason,
                         "revision": current, "required": self.head}
        return 200, {"status": "ok"}
