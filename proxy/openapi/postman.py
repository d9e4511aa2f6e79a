"""Postman Collection v2.0/v2.1 -> an OpenAPI 3.0 document, so a collection loads as a description.

Many partner APIs ship only a collection. The conversion keeps what a mock needs: folders
become tags, each request an operation (``:id`` and unresolved ``{{var}}`` path segments as
templates, collection variables resolved), query entries and headers become optional
parameters, each saved example response a named example for its status (with its headers
and body), and collection/folder/request ``auth`` (basic, bearer, apikey) a security scheme,
inherited the way Postman inherits it. Scripts, cookies and environments are not read.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from proxy.errors import SpecError
from proxy.openapi.postman_parts import (
    Variables,
    auth_scheme,
    description_text,
    request_body,
    request_parameters,
    split_url,
)

__all__ = ["collection_to_openapi", "collection_version"]

_SCHEMA_URL: Final = re.compile(r"(?:getpostman|postman)\.com/json/collection/v(\d+\.\d+)")
_SKIPPED_RESPONSE_HEADERS: Final = frozenset(
    {
        "content-type",
        "content-length",
        "content-encoding",
        "transfer-encoding",
        "connection",
        "keep-alive",
        "date",
    }
)
_PREVIEW_TYPES: Final = {
    "json": "application/json",
    "xml": "application/xml",
    "html": "text/html",
    "text": "text/plain",
    "javascript": "application/javascript",
}


def collection_version(document: Any, source: Path) -> str | None:
    """``"2.1"`` or ``"2.0"`` for a Postman collection, None for anything else; a collection of
    another version is a SpecError naming ``source``."""
    if not isinstance(document, dict) or not isinstance(document.get("info"), dict):
        return None
    schema = document["info"].get("schema")
    found = _SCHEMA_URL.search(schema) if isinstance(schema, str) else None
    if found is None:
        return None
    if not found.group(1).startswith("2."):
        raise SpecError(
            f"{source}: Postman Collection v{found.group(1)} is not supported; export it as v2.1"
        )
    return found.group(1)


@dataclass(frozen=True, slots=True)
class _Request:
    """One request item with what it inherits from its folders."""

    item: dict[str, Any]
    tag: str | None
    auth: Any


def _walk(items: Any, tag: str | None, auth: Any) -> Iterator[_Request]:
    for item in items if isinstance(items, list) else ():
        if not isinstance(item, dict):
            continue
        own_auth = item.get("auth")
        inherited = auth if own_auth is None or _auth_type(own_auth) == "inherit" else own_auth
        if isinstance(item.get("item"), list):
            yield from _walk(item["item"], str(item.get("name") or tag or ""), inherited)
        elif "request" in item:
            yield _Request(item, tag, inherited)


def _auth_type(auth: Any) -> str | None:
    return str(auth.get("type")) if isinstance(auth, dict) else None


def collection_to_openapi(
    collection: dict[str, Any], warnings: list[str], source: Path
) -> dict[str, Any]:
    """The OpenAPI 3.0 document for ``collection``; non-fatal findings go to ``warnings``.
    A collection without its list of items is a SpecError naming ``source``."""
    if not isinstance(collection.get("item"), list):
        raise SpecError(
            f"{source}: not a Postman collection: 'item' must be the list of its requests "
            "and folders"
        )
    variables = Variables.of(collection.get("variable"))
    info = collection["info"]
    document: dict[str, Any] = {
        "openapi": "3.0.3",
        "info": {
            "title": str(info.get("name") or "Postman collection"),
            "version": str(info.get("version") or "")
            if not isinstance(info.get("version"), dict)
            else ".".join(str(info["version"].get(k, 0)) for k in ("major", "minor", "patch")),
            "description": description_text(info.get("description")),
        },
        "paths": {},
        "components": {"securitySchemes": {}},
    }
    servers: list[str] = []
    tags: dict[str, str] = {}
    for folder in _folders(collection.get("item")):
        tags.setdefault(str(folder.get("name") or ""), description_text(folder.get("description")))
    for request in _walk(collection.get("item"), None, collection.get("auth")):
        _add_operation(document, request, variables, servers, warnings)
    document["tags"] = [{"name": name, "description": text} for name, text in tags.items() if name]
    if servers:
        document["servers"] = [{"url": url} for url in dict.fromkeys(servers)]
    return document


def _folders(items: Any) -> Iterator[dict[str, Any]]:
    for item in items if isinstance(items, list) else ():
        if isinstance(item, dict) and isinstance(item.get("item"), list):
            yield item
            yield from _folders(item["item"])


def _add_operation(
    document: dict[str, Any],
    request: _Request,
    variables: Variables,
    servers: list[str],
    warnings: list[str],
) -> None:
    raw = request.item["request"]
    spec = raw if isinstance(raw, dict) else {"url": raw, "method": "GET"}
    method = str(spec.get("method") or "GET").lower()
    name = str(request.item.get("name") or "")
    url = split_url(spec.get("url"), variables)
    if url.server:
        servers.append(url.server)
    operations = document["paths"].setdefault(url.template, {})
    responses = _responses(request.item.get("response"), name)
    if method in operations:
        warnings.append(
            f"{name!r}: {method.upper()} {url.template} is already defined by "
            f"{operations[method].get('summary')!r}; its saved examples are added there"
        )
        _merge_responses(operations[method]["responses"], responses)
        return
    operation: dict[str, Any] = {
        "summary": name,
        "description": description_text(spec.get("description")),
        "parameters": request_parameters(url, spec.get("header"), variables),
        "responses": responses or {"200": {"description": "OK"}},
    }
    if request.tag:
        operation["tags"] = [request.tag]
    body = request_body(spec.get("body"), spec.get("header"))
    if body is not None:
        operation["requestBody"] = body
    auth = spec.get("auth") if spec.get("auth") is not None else request.auth
    if _auth_type(auth) == "inherit":
        auth = request.auth
    operation["security"] = _security(document, auth, name, warnings)
    operations[method] = operation


def _security(
    document: dict[str, Any], auth: Any, name: str, warnings: list[str]
) -> list[dict[str, list[str]]]:
    if auth is None or _auth_type(auth) in ("noauth", None):
        return []
    scheme = auth_scheme(auth)
    if scheme is None:
        warnings.append(f"{name!r}: auth type {_auth_type(auth)!r} is not simulated")
        return []
    scheme_name, definition = scheme
    document["components"]["securitySchemes"][scheme_name] = definition
    return [{scheme_name: []}]


def _responses(saved: Any, request_name: str) -> dict[str, Any]:
    """Saved example responses grouped by status: one named example each."""
    responses: dict[str, Any] = {}
    for example in saved if isinstance(saved, list) else ():
        if not isinstance(example, dict):
            continue
        code = example.get("code")
        status = str(code) if isinstance(code, int) and 100 <= code <= 599 else "200"
        response = responses.setdefault(
            status,
            {
                "description": str(example.get("status") or example.get("name") or status),
                "headers": _response_headers(example.get("header")),
            },
        )
        _add_example(response, example, request_name)
    return responses


def _response_headers(headers: Any) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for header in headers if isinstance(headers, list) else ():
        if not isinstance(header, dict) or not header.get("key"):
            continue
        key = str(header["key"])
        if key.lower() in _SKIPPED_RESPONSE_HEADERS or key.lower() in (k.lower() for k in found):
            continue
        found[key] = {"schema": {"type": "string"}, "example": str(header.get("value") or "")}
    return found


def _content_type(example: dict[str, Any]) -> str:
    headers = example.get("header")
    for header in headers if isinstance(headers, list) else []:
        if isinstance(header, dict) and str(header.get("key", "")).lower() == "content-type":
            return str(header.get("value") or "").split(";", 1)[0].strip() or "text/plain"
    preview = example.get("_postman_previewlanguage")
    if preview in _PREVIEW_TYPES:
        return _PREVIEW_TYPES[preview]
    return "application/json" if _json_or_none(example.get("body")) is not None else "text/plain"


def _json_or_none(body: Any) -> Any:
    if not isinstance(body, str) or not body.strip():
        return None
    try:
        return json.loads(body)
    except ValueError:
        return None


def _add_example(response: dict[str, Any], example: dict[str, Any], request_name: str) -> None:
    body = example.get("body")
    if not isinstance(body, str) or body == "":
        return
    media_type = _content_type(example)
    parsed = _json_or_none(body) if "json" in media_type else None
    value = parsed if parsed is not None else body
    media = response.setdefault("content", {}).setdefault(media_type, {"examples": {}})
    name = str(example.get("name") or request_name or "example")
    unique, number = name, 2
    while unique in media["examples"]:
        unique, number = f"{name} ({number})", number + 1
    media["examples"][unique] = {"summary": name, "value": value}


def _merge_responses(into: dict[str, Any], more: dict[str, Any]) -> None:
    for status, response in more.items():
        if status not in into or "content" not in into[status]:
            into[status] = response
            continue
        for media_type, media in response.get("content", {}).items():
            target = into[status]["content"].setdefault(media_type, {"examples": {}})
            for name, example in media["examples"].items():
                unique, number = name, 2
                while unique in target["examples"]:
                    unique, number = f"{name} ({number})", number + 1
                target["examples"][unique] = example
