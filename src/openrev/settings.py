"""Configuration from the environment (CONTRACT.md: Names)."""

from __future__ import annotations

import os
from dataclasses import dataclass

DEFAULT_DATABASE_URL = "sqlite:///openrev.db"


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    host: str = "127.0.0.1"
    port: int = 8020
    # Sessions expire after this long unused (ASMX's default session timeout is 20 minutes).
    session_idle_minutes: int = 20
    # Largest request body accepted (a SelfCertificationPDF travels base64-encoded inside).
    max_body_bytes: int = 16 * 1024 * 1024

    @classmethod
    def from_env(cls, **overrides: object) -> "Settings":
        env = os.environ
        values: dict[str, object] = {
            "database_url": env.get("OPENREV_DATABASE_URL", DEFAULT_DATABASE_URL),
            "host": env.get("OPENREV_HOST", "127.0.0.1"),
            "port": int(env.get("OPENREV_PORT", "8020")),
            "session_idle_minutes": int(env.get("OPENREV_SESSION_IDLE_MINUTES", "20")),
            "max_body_bytes": int(env.get("OPENREV_MAX_BODY_BYTES", str(16 * 1024 * 1024))),
        }
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)  # type: ignore[arg-type]
