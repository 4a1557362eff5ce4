"""The OpenAPI 3.0.3 description of the JSON binding, derived from the contract.

3.0.3, not 3.1: the bundled Swagger UI (4.x) renders only 3.0 documents. So a ``$ref`` never
has siblings (a described or nullable reference is ``allOf: [$ref]``) and null is allowed by
``nullable: true`` (absent or null keys leave a field as it is).

Every operation carries its request example (:mod:`openrev.contract.examples`); operations
without a server handler are marked "not implemented" in their summary and description.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from .. import __version__
from ..contract import schema as S
from ..contract.errors import ERROR_CODES
from ..contract.examples import DEMO_CREDENTIALS, EXAMPLES, NOTES
from ..contract.operations import OPERATIONS, all_types

NOT_IMPLEMENTED = "(not implemented)"
"""Appended to the summary of an operation the server declares but does not implement yet."""


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _schema_of(t: Any) -> dict[str, Any]:
    if isinstance(t, S.ListOf):
        return {"type": "array", "items": _schema_of(t.of)}
    if isinstance(t, S.Enum):
        return _ref(t.name)
    if isinstance(t, type) and issubclass(t, S.Struct):
        return _ref(t.type_name)
    assert isinstance(t, S.Primitive)
    return dict(t.json_type)


def _component(t: Any) -> dict[str, Any]:
    if isinstance(t, S.Enum):
        return {"type": "string", "enum": list(t.values),
                "description": "; ".join(f"{k}: {v}" for k, v in t.values.items())}
    props: dict[str, Any] = {}
    for f in t.__fields__:
        prop = _schema_of(f.type)
        if "$ref" in prop:  # 3.0: siblings of $ref are ignored
            prop = {"allOf": [prop]}
        prop["nullable"] = True
        if f.doc:
            prop["description"] = f.doc + (
                f" (also accepted: {', '.join(f.aliases)})" if f.aliases else "")
        props[f.name] = prop
        for spelling in f.declared:  # the original's spelling, declared as in the WSDL
            props[spelling] = {**prop, "description": f"Same as {f.name} (the original "
                                                      "service's spelling)."}
    out: dict[str, Any] = {"type": "object", "properties": props}
    if t.__doc__ and t.__doc__.strip():
        out["description"] = t.__doc__.strip().splitlines()[0]
    return out


def _credentials_json() -> str:
    pairs = ", ".join(f'"{k}": "{v}"' for k, v in DEMO_CREDENTIALS.items())
    return f"`{{{pairs}}}`"


def _description(op_name: str, doc: str, implemented: bool) -> str:
    parts = [doc]
    if not implemented:
        parts.append("**Not implemented** by this server yet: it answers Header.Error_Code "
                     "CN2001 after authentication.")
    if op_name in NOTES:
        parts.append("Example: " + NOTES[op_name])
    return "\n\n".join(parts)


@lru_cache(maxsize=4)
def openapi(implemented: frozenset[str] | None = None) -> dict[str, Any]:
    """The OpenAPI document. ``implemented``: the operations the server has a handler for
    (the others are marked not implemented); None marks none."""
    schemas = {name: _component(t) for name, t in all_types().items()}
    paths: dict[str, Any] = {}
    for op in OPERATIONS.values():
        done = implemented is None or op.name in implemented
        paths[f"/v20/json/{op.name}"] = {"post": {
            "operationId": op.name,
            "summary": op.doc if done else f"{op.doc} {NOT_IMPLEMENTED}",
            "description": _description(op.name, op.doc, done),
            "requestBody": {"required": True, "content": {
                "application/json": {"schema": _ref(op.request.type_name),
                                     "example": EXAMPLES.get(op.name, {})}}},
            "responses": {
                "200": {"description": (
                    f"The {op.result_element}. Header.Success tells whether the request "
                    "was processed; when false, Header.Error_Code is one of the documented "
                    "codes and Header.Message names the field and the rule."),
                    "content": {"application/json": {"schema": _ref(op.result.type_name)}}},
                "400": {"description": "The body is not a JSON object.",
                        "content": {"application/json": {"schema": _ref("Fault")}}},
            },
        }}
    schemas["Fault"] = {"type": "object", "properties": {"error": {"type": "string"}}}
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "openrev v20 API (JSON binding)",
            "version": __version__,
            "description": (
                "The v20 API over JSON: POST the operation's Request object, receive its "
                "Result object. Every request carries Credentials or Session. Absent or null "
                "keys leave fields as they are; \"\" writes the empty value.\n\n"
                "**Demo credentials** (after `openrev demo`): "
                + _credentials_json()
                + " (also clerk/clerk and, in client OTHER, other/other). Every example "
                "below uses the demo data; `openrev demo --reset` puts it back.\n\nError codes: "
                + ", ".join(f"{c} ({d})" for c, d in ERROR_CODES.items())
            ),
        },
        "paths": paths,
        "components": {"schemas": schemas},
    }
