"""What the reference shows that the API model leaves out, read from the loaded document itself:
the API's description, its tags' descriptions and an operation's callbacks."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Final

from proxy.explorer.schema_json import SchemaTable
from proxy.openapi.model import ApiSpec, Operation

__all__ = ["api_description", "callbacks", "tag_descriptions"]

_METHODS: Final = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_REF_HOPS: Final = 8


def _root(spec: ApiSpec) -> tuple[Any, Any]:
    """The root document (normalised, as loaded) and a resolver at its base; ({}, None) if the
    registry does not hold it."""
    uri = Path(spec.source).resolve().as_uri()
    try:
        return spec.registry.contents(uri), spec.registry.resolver(base_uri=uri)
    except Exception:  # the reference then lacks these extras, the rest still works
        return {}, None


def _deref(node: Any, resolver: Any) -> tuple[Any, Any]:
    """Follow `$ref`s at the top of a node (path items, request bodies, callbacks)."""
    for _ in range(_REF_HOPS):
        if resolver is None or not isinstance(node, dict) or not isinstance(node.get("$ref"), str):
            break
        try:
            resolved = resolver.lookup(node["$ref"])
        except Exception:  # shown as an empty entry rather than failing the page
            return {}, resolver
        node, resolver = resolved.contents, resolved.resolver
    return node, resolver


def api_description(spec: ApiSpec) -> str | None:
    """`info.description` (CommonMark)."""
    document, _ = _root(spec)
    info = document.get("info") if isinstance(document, dict) else None
    text = info.get("description") if isinstance(info, dict) else None
    return text if isinstance(text, str) else None


def tag_descriptions(spec: ApiSpec) -> dict[str, str | None]:
    """The documented tags, in document order, with their descriptions."""
    document, _ = _root(spec)
    tags = document.get("tags") if isinstance(document, dict) else None
    described: dict[str, str | None] = {}
    for tag in tags if isinstance(tags, list) else ():
        if isinstance(tag, dict) and isinstance(tag.get("name"), str):
            text = tag.get("description")
            described[tag["name"]] = text if isinstance(text, str) else None
    return described


def _operation_node(spec: ApiSpec, operation: Operation) -> tuple[Any, Any]:
    _, resolver = _root(spec)
    if resolver is None or not operation.pointer:
        return {}, None
    try:
        resolved = resolver.lookup("#" + operation.pointer)
    except Exception:  # an operation read from another file: no callbacks shown
        return {}, None
    return resolved.contents, resolved.resolver


def _callback_operation(method: str, node: Any, resolver: Any, table: SchemaTable) -> Any:
    body, body_resolver = _deref(node.get("requestBody"), resolver)
    content = body.get("content") if isinstance(body, dict) else None
    responses = node.get("responses") if isinstance(node.get("responses"), dict) else {}
    return {
        "method": method.upper(),
        "summary": node.get("summary"),
        "description": node.get("description"),
        "body": [
            {
                "media_type": media_type,
                "schema": table.convert_raw(media.get("schema"), body_resolver),
            }
            for media_type, media in (content.items() if isinstance(content, dict) else ())
            if isinstance(media, dict)
        ],
        "responses": [
            {"status": str(status), "description": _deref(answer, resolver)[0].get("description")}
            for status, answer in responses.items()
            if isinstance(_deref(answer, resolver)[0], dict)
        ],
    }


def callbacks(spec: ApiSpec, operation: Operation, table: SchemaTable) -> list[dict[str, Any]]:
    """The operation's callbacks: name, URL expression and the requests the API will send."""
    node, resolver = _operation_node(spec, operation)
    found = node.get("callbacks") if isinstance(node, dict) else None
    result: list[dict[str, Any]] = []
    for name, callback in found.items() if isinstance(found, dict) else ():
        callback, at = _deref(callback, resolver)
        for expression, path_item in callback.items() if isinstance(callback, dict) else ():
            item, item_at = _deref(path_item, at)
            operations = [
                _callback_operation(method, item[method], item_at, table)
                for method in _METHODS
                if isinstance(item, dict) and isinstance(item.get(method), dict)
            ]
            result.append(
                {"name": str(name), "expression": str(expression), "operations": operations}
            )
    return result
