"""The limits every request is held to, in one place (documented in docs/API.md, "Limits").

Every number, string and list of a request is checked against these before it is converted,
so that no request can make the server do more than a small, linear amount of work per byte
it sent, or answer with much more than it received. The body itself is bounded by
``Settings.max_body_bytes`` (``OPENREV_MAX_BODY_BYTES``, 16 MiB).
"""

from __future__ import annotations

# Structure of one request (XML elements; JSON arrays, objects and values).
MAX_DEPTH = 64  # nesting levels
MAX_ELEMENTS = 50_000  # XML elements, or JSON values, in one request
MAX_LIST_ITEMS = 1_000  # items in one list (TaxExemptions, Fields, AdditionalProducts, ...)

# Values. An Int/Long is checked on its significant digits before int() (more than 10 or 19
# cannot be in range, whatever the digits); base64 (Bytes, the PDFs) is bounded by the body.
MAX_STRING_CHARS = 65_536  # the text of one value of any other type (64 Ki characters)
MAX_DECIMAL_CHARS = 64  # the text of one decimal (xs:decimal, or any JSON number literal)
MAX_EXPONENT = 64  # |exponent| of a number written with e/E (1e5 is fine, 1e1000000 is not)
INT_RANGE = (-(2 ** 31), 2 ** 31 - 1)  # an Int (xs:int; every id); a Long is 64-bit

# Answers: an S2010 Message names at most this many problems, then "and N more"; each
# problem at most MAX_PROBLEM_CHARS; Debug/Ignored lists at most MAX_IGNORED_LISTED names.
MAX_PROBLEMS_LISTED = 10
MAX_PROBLEM_CHARS = 1_000
MAX_IGNORED_LISTED = 100
