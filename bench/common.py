"""What the benchmarks share: a database with the schema and the demo data, the machine's
CPU name, and writing a section of docs/PERFORMANCE.md in place between its markers."""

from __future__ import annotations

import platform
from pathlib import Path
from typing import Any

from sqlalchemy import select


def demo_database(url: str) -> Any:
    """An engine on ``url``, migrated to the newest revision, with the demo data loaded when
    it is missing and the key of personal data at rest in use (the caller disposes it)."""
    from openrev.store.crypto import use_keyring
    from openrev.store.db import make_engine, make_sessionmaker
    from openrev.store.demo import load_demo
    from openrev.store.migrate import upgrade
    from openrev.store.tables import Client

    use_keyring(url, create=True)
    upgrade(url)
    engine = make_engine(url)
    with make_sessionmaker(engine).begin() as db:
        if db.scalar(select(Client.id).where(Client.code == "DEMO")) is None:
            load_demo(db)
    return engine


def cpu() -> str:
    """The CPU's model name, for the "Run on" line."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def write_section(path: Path, name: str, lines: list[str]) -> None:
    """Put ``lines`` between the markers ``<!-- bench:NAME:start/end -->`` of ``path``
    (appended, with the markers, when they are not there yet)."""
    text = path.read_text() if path.exists() else "# Performance\n"
    start, end = f"<!-- bench:{name}:start -->", f"<!-- bench:{name}:end -->"
    block = "\n".join([start, *lines, end])
    if start in text and end in text:
        text = text[: text.index(start)] + block + text[text.index(end) + len(end):]
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    path.write_text(text)
