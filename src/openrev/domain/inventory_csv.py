"""Reading a device CSV (``openrev inventory import``): the file's bytes to a header and rows,
every hostile input a problem line, never an exception.

Rows are numbered as a spreadsheet shows them: the header is row 1, the first device row 2
(a record whose quoted field holds a line break is still one row). The header's names are
the documents' Inventory field names, matched case-insensitively; any other name is the
Label of a custom field of the items, unless it is close to a field name (a typing error,
e.g. ``Staus``) or names a field of the Inventory object that is not imported.
"""

from __future__ import annotations

import csv
import difflib
import io
import re
from dataclasses import dataclass, field

# The columns, as the documents spell them ("Inventory", v20-standards).
FIELDS = ("Identifier", "InventoryType", "Status", "IdentifierLabel", "Note", "MSID", "MSL",
          "MDN", "Batch")
REQUIRED = ("Identifier", "InventoryType")
# Fields of the Inventory object that an import does not set (they come from the type, or
# from the customer the item is later assigned to).
NOT_IMPORTED = ("ID", "CustomerID", "InventoryTypeID", "InventoryDescription", "AssignedDate",
                "UnavailableReasonID", "UnavailableReasonDescription", "Fields", "Field",
                "FieldID", "Label", "Value", "Wireless")
# Values in which a line break or a tab is text (anything else: no control characters).
MULTILINE = ("Note",)

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_CONTROL_BUT_SPACE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_BY_LOWER = {name.lower(): name for name in FIELDS + NOT_IMPORTED}


class CsvRefused(Exception):
    """The file cannot be read as a device CSV: ``problems`` are the lines to report."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__(problems[0] if problems else "refused")
        self.problems = problems


@dataclass
class Table:
    """A CSV read: its header and its non-blank rows (row number, stripped values)."""

    header: list[str]
    rows: list[tuple[int, list[str]]]


@dataclass
class Columns:
    """The header understood: the index of each document field given, and the custom fields
    (their Label as written, and index)."""

    fields: dict[str, int] = field(default_factory=dict)
    custom: list[tuple[str, int]] = field(default_factory=list)


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


MAX_ROW_CHARS = 4 * 1024 * 1024  # one row (its lines): what the csv module reads at once


class _Lines:
    """The lines of ``text`` for the csv module, refusing a row longer than MAX_ROW_CHARS
    before the csv module has built it (a line of a million commas is a million values)."""

    def __init__(self, text: str, source: str) -> None:
        self.lines = iter(io.StringIO(text, newline=""))
        self.source = source
        self.chars = 0
        self.row = 1

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        line = next(self.lines)
        self.chars += len(line)
        if self.chars > MAX_ROW_CHARS:
            raise CsvRefused([f"{self.source}: row {self.row}: longer than {MAX_ROW_CHARS:,} "
                              "characters"])
        return line

    def row_done(self, next_row: int) -> None:
        self.chars, self.row = 0, next_row


def read_table(data: bytes | str, source: str, *, max_bytes: int, max_rows: int,
               max_columns: int) -> Table:
    """The header and rows of a CSV (UTF-8, a BOM allowed, comma-separated, ``"`` quoting).

    Refused (:class:`CsvRefused`) when larger than ``max_bytes``, with more than
    ``max_rows`` rows or ``max_columns`` columns, not UTF-8, holding a NUL byte, or not
    parseable as CSV."""
    raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else bytes(data)
    if len(raw) > max_bytes:
        raise CsvRefused([f"{source}: the file is {len(raw):,} bytes; at most {max_bytes:,} "
                          "are accepted (split it)"])
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise CsvRefused([f"{source}: the file is UTF-16 text; save it as UTF-8"])
    nul = raw.find(b"\x00")
    if nul >= 0:
        raise CsvRefused([f"{source}: line {_line_of(raw, nul)}: a NUL byte (a device CSV is "
                          "text)"])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CsvRefused([f"{source}: line {_line_of(raw, exc.start)}: not UTF-8 text (byte "
                          f"0x{raw[exc.start]:02X}); save the file as UTF-8"]) from None
    if not text.strip():
        raise CsvRefused([f"{source}: the file is empty (a header row is expected: "
                          f"{','.join(REQUIRED)},...)"])
    lines = _Lines(text, source)
    reader = csv.reader(lines, strict=True)
    header: list[str] | None = None
    rows: list[tuple[int, list[str]]] = []
    number = 0
    try:
        for number, record in enumerate(reader, 1):
            lines.row_done(number + 1)
            if len(record) > max_columns:
                raise CsvRefused([f"{source}: row {number}: {len(record)} values; at most "
                                  f"{max_columns} columns are accepted"])
            if header is None:
                header = [h.strip() for h in record]
                continue
            if not any(v.strip() for v in record):
                continue  # a blank line
            if len(rows) >= max_rows:
                raise CsvRefused([f"{source}: more than {max_rows:,} rows; at most "
                                  f"{max_rows:,} are accepted in one file (split it)"])
            rows.append((number, [v.strip() for v in record]))
    except csv.Error as exc:
        raise CsvRefused([f"{source}: row {number + 1}: not valid CSV ({exc})"]) from None
    assert header is not None
    return Table(header, rows)


def read_header(header: list[str], source: str, known_labels: set[str] | None = None
                ) -> tuple[Columns, list[str]]:
    """The columns of ``header`` and the problems with it (empty when it is usable).

    ``known_labels`` (lower case) are custom field labels the client already uses: they are
    taken as they are, even when close to a field name."""
    known = known_labels or set()
    columns = Columns()
    problems: list[str] = []
    seen: dict[str, int] = {}
    for i, name in enumerate(header):
        where = f"{source}: row 1, column {i + 1}"
        if not name:
            problems.append(f"{where}: the column has no name")
            continue
        if _CONTROL.search(name):
            problems.append(f"{where}: the column name holds a control character")
            continue
        low = name.lower()
        if low in seen:
            problems.append(f"{where}: column {name!r} is also column {seen[low] + 1}")
            continue
        seen[low] = i
        canonical = _BY_LOWER.get(low)
        if canonical in FIELDS:
            columns.fields[canonical] = i
        elif canonical is not None:
            problems.append(f"{where}: {canonical} is not imported (it comes from the "
                            "inventory type or the customer); remove the column")
        elif low in known:
            columns.custom.append((name, i))
        else:
            close = difflib.get_close_matches(low, list(_BY_LOWER), n=1, cutoff=0.85)
            if close:
                problems.append(f"{where}: unknown column {name!r} (did you mean "
                                f"{_BY_LOWER[close[0]]}?)")
            else:
                columns.custom.append((name, i))
    for name in REQUIRED:
        if name not in columns.fields:
            problems.append(f"{source}: row 1: the column {name} is missing")
    return columns, problems


def value_problem(column: str, value: str, max_chars: int) -> str | None:
    """Why ``value`` of ``column`` cannot be stored (too long, control characters), or None."""
    if len(value) > max_chars:
        return f"{column} is {len(value):,} characters; at most {max_chars:,} are accepted"
    if value.isprintable():
        return None  # the common case, without a regular expression
    pattern = _CONTROL_BUT_SPACE if column in MULTILINE else _CONTROL
    if pattern.search(value):
        return f"{column} holds a control character"
    return None
