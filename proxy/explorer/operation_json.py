"""One operation's reference as plain data: parameters, request body, responses, callbacks, and
the named schemas they refer to. Built when the page opens the operation."""

from __future__ import annotations

from typing import Any

from proxy.catalog import MountedApi, PreparedOperation
from proxy.explorer.document_json import callbacks
from proxy.explorer.schema_json import SchemaTable, first_value
from proxy.mock.generate import Direction, generate
from proxy.openapi.model import NO_EXAMPLE, Example, Header, MediaType, Parameter, Response

__all__ = ["operation_view"]


def _examples(examples: tuple[Example, ...]) -> list[dict[str, Any]]:
    return [
        {"name": e.name, "summary": e.summary, "description": e.description, "value": e.value}
        for e in examples
    ]


def _parameter(parameter: Parameter, table: SchemaTable) -> dict[str, Any]:
    """A parameter, with the value its form field starts with: example, examples, the schema's
    example, default, first enum value (in that order)."""
    if parameter.example is not NO_EXAMPLE:
        start = parameter.example
    elif parameter.examples:
        start = parameter.examples[0].value
    else:
        start = first_value(parameter.schema)
    return {
        "name": parameter.name,
        "in": parameter.location.value,
        "required": parameter.required,
        "deprecated": parameter.deprecated,
        "description": parameter.description,
        "style": parameter.style,
        "explode": parameter.explode,
        "schema": table.convert(parameter.schema),
        "example": None if parameter.example is NO_EXAMPLE else parameter.example,
        "examples": _examples(parameter.examples),
        "start": start,
    }


def _media(media: MediaType, table: SchemaTable, direction: Direction) -> dict[str, Any]:
    examples = _examples(media.examples)
    if media.example is not NO_EXAMPLE:
        start: Any = media.example
    elif examples:
        start = examples[0]["value"]
    elif media.schema is not None and direction is Direction.REQUEST:
        start = generate(media.schema, direction=direction)
    else:
        start = None
    return {
        "media_type": media.media_type,
        "schema": table.convert(media.schema),
        "example": None if media.example is NO_EXAMPLE else media.example,
        "examples": examples,
        "start": start,
    }


def _header(header: Header, table: SchemaTable) -> dict[str, Any]:
    return {
        "name": header.name,
        "required": header.required,
        "description": header.description,
        "schema": table.convert(header.schema),
        "example": None if header.example is NO_EXAMPLE else header.example,
    }


def _response(response: Response, table: SchemaTable) -> dict[str, Any]:
    return {
        "status": response.status,
        "description": response.description,
        "headers": [_header(h, table) for h in response.headers],
        "content": [_media(m, table, Direction.RESPONSE) for m in response.content],
    }


def operation_view(api: MountedApi, prepared: PreparedOperation) -> dict[str, Any]:
    """Everything the reference and the console show for one operation."""
    operation = prepared.operation
    table = SchemaTable()
    body = operation.request_body
    return {
        "api": api.name,
        "key": operation.key,
        "operation_id": operation.operation_id,
        "method": operation.method,
        "path": operation.path,
        "summary": operation.summary,
        "description": operation.description,
        "tags": list(operation.tags) or ["default"],
        "deprecated": operation.deprecated,
        "mode": prepared.mode.value,
        "mode_source": prepared.mode_source,
        "security": [list(alternative) for alternative in operation.security],
        "parameters": [_parameter(p, table) for p in operation.parameters],
        "body": None
        if body is None
        else {
            "required": body.required,
            "description": body.description,
            "media_types": [_media(m, table, Direction.REQUEST) for m in body.content],
        },
        "responses": [_response(r, table) for r in operation.responses],
        "callbacks": callbacks(api.spec, operation, table),
        "recordings": [r.summary() for r in api.recordings.get(operation.key, ())],
        "schemas": table.schemas,
    }
