"""A small, safe XML reader that keeps what SOAP requests need and most parsers lose.

* It never reads a DTD: a ``<!DOCTYPE`` is refused, so no entity (internal or external) is
  ever declared or expanded, and nothing is fetched from the network.
* It bounds nesting depth and element count (body size is bounded by the caller).
* For each element without content it records whether it was written ``<X/>`` (self-closing)
  or ``<X></X>``: Customers_Update gives the two different meanings (CONTRACT.md).

It is built on the standard library's expat (a C parser); the tree it builds is tiny:
``Node(local, ns, children, text, nil, self_closing)``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from xml.parsers import expat

from ..contract.limits import MAX_DEPTH, MAX_ELEMENTS

XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"

# The encoding named by an XML declaration, for a message when expat cannot use it.
_DECLARED_ENCODING = re.compile(rb"""\s*<\?xml[^>]*?encoding\s*=\s*["']([^"']{0,40})""")

# A start tag that ends with "/>" (group 1 = "/"), attributes quoted either way.
_START_TAG = re.compile(rb"""<[^\s/>]+(?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*\s*(/?)>""")


class XmlError(Exception):
    """The body is not acceptable XML; the message is for a person to act on."""


@dataclass(slots=True)
class Node:
    local: str
    ns: str
    children: list["Node"] = field(default_factory=list)
    text: str | None = None  # None when the element had no character data at all
    nil: bool = False  # xsi:nil="true"
    self_closing: bool = False  # written <X/> (only meaningful without content)

    @property
    def is_empty_tag(self) -> bool:
        """``<X/>`` or ``xsi:nil="true"``: the "leave as it is" state."""
        return self.nil or (self.self_closing and not self.children and not self.text)

    def child(self, local_lower: str) -> "Node | None":
        for c in self.children:
            if c.local.lower() == local_lower:
                return c
        return None

    def __repr__(self) -> str:  # pragma: no cover - debugging aid
        return f"Node({self.local}, {len(self.children)} children)"


def parse(data: bytes) -> Node:
    """Parse ``data`` into a Node tree (the document element). Raises XmlError."""
    # Every element has one start tag: a cheap upper bound (a "<" in a CDATA section counts
    # too), so a body of a million tiny elements is refused before expat reads it. (UTF-16
    # bodies are left to the exact count below.)
    if b"\x00" not in data[:4]:
        tags = data.count(b"<") - data.count(b"</") - data.count(b"<?") - data.count(b"<!")
        if tags > MAX_ELEMENTS:
            raise XmlError(f"too many elements (more than {MAX_ELEMENTS})")
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    try:  # expat >= 2.4 bounds entity amplification; no DTD is accepted anyway
        parser.SetReparseDeferralEnabled(False)  # type: ignore[attr-defined]
    except AttributeError:
        pass
    stack: list[Node] = []
    starts: list[int] = []
    texts: list[list[str] | None] = []
    root: list[Node] = []
    count = 0

    def start(name: str, attrs: dict[str, str]) -> None:
        nonlocal count
        count += 1
        if count > MAX_ELEMENTS:
            raise XmlError(f"too many elements (more than {MAX_ELEMENTS})")
        if len(stack) >= MAX_DEPTH:
            raise XmlError(f"elements nested deeper than {MAX_DEPTH} levels")
        ns, _, local = name.rpartition(" ")
        node = Node(local, ns)
        if attrs:
            nil = attrs.get(XSI_NS + " nil")
            if nil is not None and nil.strip().lower() in ("true", "1"):
                node.nil = True
        if stack:
            stack[-1].children.append(node)
        else:
            root.append(node)
        stack.append(node)
        starts.append(parser.CurrentByteIndex)
        texts.append(None)

    def end(name: str) -> None:
        node = stack.pop()
        begin = starts.pop()
        parts = texts.pop()
        if parts is not None:
            node.text = "".join(parts)
        elif not node.children:
            m = _START_TAG.match(data, begin)
            node.self_closing = bool(m and m.group(1))

    def chars(text: str) -> None:
        parts = texts[-1]
        if parts is None:
            texts[-1] = [text]
        else:
            parts.append(text)

    def refuse_dtd(*_args: object) -> None:
        raise XmlError("a DOCTYPE/DTD is not allowed in a request")

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = chars
    parser.StartDoctypeDeclHandler = refuse_dtd
    parser.EntityDeclHandler = refuse_dtd
    parser.ExternalEntityRefHandler = lambda *a: 0
    try:
        parser.Parse(data, True)
    except expat.ExpatError as exc:
        raise XmlError(f"the request is not well-formed XML: {exc}") from None
    except (LookupError, ValueError) as exc:  # an encoding expat cannot use (utf-7, utf-32...)
        m = _DECLARED_ENCODING.match(data)
        name = m.group(1).decode("ascii", "replace") if m else "?"
        raise XmlError(f"the XML declaration names the encoding {name!r}, which this server "
                       "cannot read; send UTF-8 (or UTF-16)") from None
    except RecursionError:  # pragma: no cover - depth is bounded above
        raise XmlError("elements nested too deeply") from None
    if not root:
        raise XmlError("the request has no XML document element")
    return root[0]
