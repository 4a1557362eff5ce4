"""A client's tax table: stored as loaded (``tax_tables``), parsed once, cached in memory.

A quote reads one indexed row (the client's digest and text); the parsed
:class:`openrev.domain.tax.TaxTable` is cached by digest, so a table loaded by
``openrev tax load`` is used by every server process on its next quote.
"""

from __future__ import annotations

import hashlib
import threading
from importlib.resources import files

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session as DbSession

from ..domain.tax import EMPTY_TABLE, TaxTable, parse_table
from .tables import TaxTable as TaxTableRow, utcnow

SAMPLE_FILE = "tax_sample.toml"

_cache: dict[str, TaxTable] = {}
_lock = threading.Lock()


def sample_text() -> str:
    """The shipped sample table (SAMPLE RATES, NOT TAX ADVICE)."""
    return files("openrev.store").joinpath(SAMPLE_FILE).read_text(encoding="utf-8")


def digest_of(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _parsed(digest: str, text: str) -> TaxTable:
    table = _cache.get(digest)
    if table is None:
        table = parse_table(text)
        with _lock:
            if len(_cache) > 256:
                _cache.clear()
            _cache[digest] = table
    return table


_DIGEST = select(TaxTableRow.digest).where(TaxTableRow.client_id == bindparam("client_id"))
_SOURCE = _DIGEST.with_only_columns(TaxTableRow.source)


def table_of(db: DbSession, client_id: int) -> TaxTable:
    """The client's tax table; the empty table (no taxes) when it has none loaded."""
    run = db.connection().execute  # statements built once; plain rows
    key = {"client_id": client_id}
    digest = run(_DIGEST, key).scalar()
    if digest is None:
        return EMPTY_TABLE
    table = _cache.get(digest)
    if table is not None:
        return table
    text = run(_SOURCE, key).scalar()
    return _parsed(digest, text or "")


def store_table(db: DbSession, client_id: int, text: str, source: str = "<tax table>"
                ) -> TaxTable:
    """Parse ``text`` (raises ``TaxTableError`` listing every problem, nothing written) and
    make it the client's table."""
    table = parse_table(text, source)
    digest = digest_of(text)
    row = db.scalar(select(TaxTableRow).where(TaxTableRow.client_id == client_id))
    if row is None:
        row = TaxTableRow(client_id=client_id, name=table.name, source=text, digest=digest)
        db.add(row)
    else:
        row.name, row.source, row.digest = table.name, text, digest
        row.loaded_at = utcnow()
    db.flush()
    with _lock:
        _cache[digest] = table
    return table
