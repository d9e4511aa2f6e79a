"""The API Explorer's view of the loaded APIs, as JSON-ready plain data (built once per load)."""

from __future__ import annotations

from typing import Any, Final

from proxy.catalog import Catalog, MountedApi, PreparedOperation
from proxy.mock.generate import Direction, generate
from proxy.openapi.model import NO_EXAMPLE, MediaType, Parameter, Schema

__all__ = ["explorer_catalog"]

_INLINE_DEPTH: Final = 6
_SHALLOW_KEYS: Final = (
    "type",
    "format",
    "enum",
    "default",
    "example",
    "minimum",
    "maximum",
    "pattern",
)


def _inline(node: Any, resolver: Any, depth: int = 0) -> Any:
    """The schema with $refs replaced by their targets, cut after a number of $ref hops."""
    if depth > _INLINE_DEPTH:
        return {}
    if isinstance(node, dict):
        if "$ref" in node:
            try:
                resolved = resolver.lookup(node["$ref"])
            except Exception:  # an unresolvable ref in an annotation only costs the hint
                return {}
            return _inline(resolved.contents, resolved.resolver, depth + 1)
        return {key: _inline(value, resolver, depth) for key, value in node.items()}
    if isinstance(node, list):
        return [_inline(item, resolver, depth) for item in node]
    return node


def _schema(schema: Schema | None) -> Any:
    return None if schema is None else _inline(schema.contents, schema.resolver)


def _shallow(schema: Schema | None) -> dict[str, Any]:
    inlined = _schema(schema)
    if not isinstance(inlined, dict):
        return {}
    return {key: inlined[key] for key in _SHALLOW_KEYS if key in inlined}


def _parameter(parameter: Parameter) -> dict[str, Any]:
    example = parameter.example
    if example is NO_EXAMPLE and parameter.examples:
        example = parameter.examples[0].value
    return {
        "name": parameter.name,
        "in": parameter.location.value,
        "required": parameter.required,
        "description": parameter.description,
        "schema": _shallow(parameter.schema),
        "example": None if example is NO_EXAMPLE else example,
    }


def _media(media: MediaType) -> dict[str, Any]:
    examples = [{"name": e.name, "summary": e.summary, "value": e.value} for e in media.examples]
    if media.example is not NO_EXAMPLE:
        default: Any = media.example
    elif examples:
        default = examples[0]["value"]
    elif media.schema is not None:
        default = generate(media.schema, direction=Direction.REQUEST)
    else:
        default = None
    return {
        "media_type": media.media_type,
        "examples": examples,
        "default": default,
        "schema": _schema(media.schema),
    }


def _operation(prepared: PreparedOperation) -> dict[str, Any]:
    operation = prepared.operation
    body = operation.request_body
    return {
        "key": operation.key,
        "method": operation.method,
        "path": operation.path,
        "summary": operation.summary,
        "description": operation.description,
        "tags": list(operation.tags) or ["default"],
        "deprecated": operation.deprecated,
        "mode": prepared.mode.value,
        "parameters": [_parameter(p) for p in operation.parameters],
        "body": None
        if body is None
        else {"required": body.required, "media_types": [_media(m) for m in body.content]},
        "security": [list(alternative) for alternative in operation.security],
        "responses": [
            {
                "status": r.status,
                "description": r.description,
                "examples": [e.name for m in r.content for e in m.examples],
            }
            for r in operation.responses
        ],
    }


def _api(api: MountedApi) -> dict[str, Any]:
    return {
        "name": api.name,
        "title": api.spec.title,
        "version": api.spec.api_version,
        "mount": api.settings.mount,
        "has_upstream": api.settings.upstream is not None,
        "mode": api.mode.value,
        "security_schemes": {
            name: {
                "kind": scheme.kind.value,
                "scheme": scheme.scheme,
                "parameter_name": scheme.parameter_name,
                "location": scheme.location.value if scheme.location else None,
                "description": scheme.description,
            }
            for name, scheme in api.spec.security_schemes.items()
        },
        "operations": [_operation(p) for p in api.operations.values()],
    }


def explorer_catalog(catalog: Catalog, mock_prefix: str) -> dict[str, Any]:
    """Everything the page needs to list, fill and send requests."""
    return {
        "mock_prefix": mock_prefix,
        "apis": [_api(api) for api in sorted(catalog.apis, key=lambda a: a.name)],
    }
