"""Schemas of OpenAPI 3.0 and Swagger 2.0 rewritten, in place, as JSON Schema 2020-12.

Only schema positions are touched (a property that happens to be called ``nullable`` is a
name, not a keyword). Each schema object is visited once; ``$ref``s are followed into other
documents so schemas are normalised wherever they live. 3.1 schemas are 2020-12 already.

- ``nullable: true`` (3.0) / ``x-nullable: true`` (2.0): ``null`` joins ``type`` and ``enum``;
  without a ``type`` the schema becomes ``anyOf: [<schema>, {type: null}]``.
- boolean ``exclusiveMinimum``/``exclusiveMaximum`` (3.0, 2.0) become the numeric form.
- ``$ref`` siblings are dropped (3.0 and 2.0 ignore them), except ``nullable``, honoured.
- 2.0: ``type: file`` -> binary string; ``discriminator: name`` -> ``{propertyName: name}``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final
from urllib.parse import urljoin

from proxy.openapi.keywords import SCHEMA_LIST_KEYWORDS, SCHEMA_MAP_KEYWORDS, SCHEMA_VALUE_KEYWORDS
from proxy.openapi.model import SpecVersion

__all__ = ["SchemaNormalizer"]

_KEPT_BESIDE_REF: Final = frozenset({"$ref", "description", "summary"})

Resolve = Callable[[str], tuple[str, Any]]


class SchemaNormalizer:
    """Normalises schemas of one description; ``resolve(uri)`` returns (document URI, value)."""

    def __init__(self, version: SpecVersion, resolve: Resolve) -> None:
        self.version = version
        self.resolve = resolve
        self._visited: set[int] = set()

    def normalize(self, schema: Any, document_uri: str) -> None:
        """Normalise ``schema`` (found in ``document_uri``) and everything it references."""
        if self.version is SpecVersion.OPENAPI_3_1:
            return
        stack: list[tuple[Any, str]] = [(schema, document_uri)]
        while stack:
            node, uri = stack.pop()
            if not isinstance(node, dict) or id(node) in self._visited:
                continue
            self._visited.add(id(node))
            ref = node.get("$ref")
            if isinstance(ref, str):
                self._normalize_ref(node)
                target_uri, target = self.resolve(urljoin(uri, ref))
                stack.append((target, target_uri))
                if "anyOf" in node:
                    stack.extend((child, uri) for child in node["anyOf"])
                continue
            self._rewrite(node)
            stack.extend((child, uri) for child in _subschemas(node))

    def _normalize_ref(self, node: dict[str, Any]) -> None:
        nullable = node.get("nullable") is True or node.get("x-nullable") is True
        for key in [k for k in node if k not in _KEPT_BESIDE_REF]:
            del node[key]
        if nullable:
            ref = node.pop("$ref")
            node["anyOf"] = [{"$ref": ref}, {"type": "null"}]

    def _rewrite(self, node: dict[str, Any]) -> None:
        if self.version is SpecVersion.SWAGGER_2:
            if node.get("type") == "file":
                node["type"] = "string"
                node["format"] = "binary"
            if isinstance(node.get("discriminator"), str):
                node["discriminator"] = {"propertyName": node["discriminator"]}
            if "x-nullable" in node:
                node["nullable"] = node.pop("x-nullable")
        for bound, limit in (("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")):
            flag = node.get(bound)
            if flag is True and limit in node:
                node[bound] = node.pop(limit)
            elif isinstance(flag, bool):
                del node[bound]
        nullable = node.pop("nullable", None)
        if nullable is True:
            _make_nullable(node)


def _make_nullable(node: dict[str, Any]) -> None:
    kind = node.get("type")
    if isinstance(kind, str):
        node["type"] = [kind, "null"]
        if isinstance(node.get("enum"), list) and None not in node["enum"]:
            node["enum"] = [*node["enum"], None]
    elif isinstance(kind, list):
        if "null" not in kind:
            node["type"] = [*kind, "null"]
    else:
        inner = {k: v for k, v in node.items() if k not in ("description", "title", "example")}
        for key in inner:
            del node[key]
        node["anyOf"] = [inner, {"type": "null"}]


def _subschemas(node: dict[str, Any]) -> list[Any]:
    children: list[Any] = []
    for key in SCHEMA_MAP_KEYWORDS:
        value = node.get(key)
        if isinstance(value, dict):
            children.extend(value.values())
    for key in SCHEMA_LIST_KEYWORDS:
        value = node.get(key)
        if isinstance(value, list):
            children.extend(value)
    for key in SCHEMA_VALUE_KEYWORDS:
        value = node.get(key)
        if isinstance(value, dict):
            children.append(value)
    items = node.get("items")
    if isinstance(items, list):  # Swagger 2.0's list of schemas, one per position
        children.extend(items)
    return children
