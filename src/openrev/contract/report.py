"""What decoding a request noticed, whatever the binding: values that do not fit their type
(answered S2010 naming each path) and elements that were not understood (``Debug/Ignored``).

The wire codecs fill it; the service layer (``ops.api``) reads it. It lives in the contract so
that neither depends on the other.
"""

from __future__ import annotations

from .limits import MAX_IGNORED_LISTED, MAX_PROBLEM_CHARS


class DecodeReport:
    """What decoding noticed: values that do not fit (S2010) and unknown elements."""

    __slots__ = ("invalid", "unknown")

    def __init__(self) -> None:
        self.invalid: list[tuple[str, str]] = []
        self.unknown: list[str] = []

    def ignore(self, path: str) -> None:
        """Note an element that was not understood (Debug/Ignored lists a bounded few)."""
        if len(self.unknown) < MAX_IGNORED_LISTED:
            self.unknown.append(path[:MAX_PROBLEM_CHARS])
