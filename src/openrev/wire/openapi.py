"""The OpenAPI 3.1 description of the JSON binding, derived from the contract."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from .. import __version__
from ..contract import schema as S
from ..contract.errors import ERROR_CODES
from ..contract.operations import OPERATIONS, all_types


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
        if f.doc:
            doc = f.doc + (f" (also accepted: {', '.join(f.aliases)})" if f.aliases else "")
            prop = {**prop, "description": doc} if "$ref" not in prop else {
                "allOf": [prop], "description": doc}
        props[f.name] = prop
    out: dict[str, Any] = {"type": "object", "properties": props}
    if t.__doc__ and t.__doc__.strip():
        out["description"] = t.__doc__.strip().splitlines()[0]
    return out


@lru_cache(maxsize=1)
def openapi() -> dict[str, Any]:
    schemas = {name: _component(t) for name, t in all_types().items()}
    paths: dict[str, Any] = {}
    for op in OPERATIONS.values():
        paths[f"/v20/json/{op.name}"] = {"post": {
            "operationId": op.name,
            "summary": op.doc,
            "requestBody": {"required": True, "content": {
                "application/json": {"schema": _ref(op.request.type_name)}}},
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
        "openapi": "3.1.0",
        "info": {
            "title": "openrev v20 API (JSON binding)",
            "version": __version__,
            "description": (
                "The v20 API over JSON: POST the operation's Request object, receive its "
                "Result object. Every request carries Credentials or Session. Absent or null "
                "keys leave fields as they are; \"\" writes the empty value.\n\nError codes: "
                + ", ".join(f"{c} ({d})" for c, d in ERROR_CODES.items())
            ),
        },
        "paths": paths,
        "components": {"schemas": schemas},
    }
