"""Schemas as the explorer shows them: each `$ref` target named once in a table, never inlined.

Inlining would repeat shared schemas and never end on recursive ones; with a table the page
expands a named schema when the reader opens it and can say "recursive" when it meets a name
already open above it.
"""

from __future__ import annotations

from typing import Any

from proxy.openapi.keywords import DATA_KEYWORDS, SCHEMA_MAP_KEYWORDS
from proxy.openapi.model import Schema

__all__ = ["SchemaTable", "first_value"]


class SchemaTable:
    """The named schemas one operation's view refers to, filled as its schemas are converted."""

    def __init__(self) -> None:
        self.schemas: dict[str, Any] = {}
        self._names: dict[int, str] = {}
        self._targets: list[Any] = []  # keeps each target alive, so its id() stays its own

    def convert(self, schema: Schema | None) -> Any:
        """The schema with every `$ref` replaced by `{"$ref": <name in the table>}`."""
        if schema is None:
            return None
        return self._node(schema.contents, schema.resolver)

    def convert_raw(self, node: Any, resolver: Any) -> Any:
        """A schema read straight from the document (callbacks), converted the same way."""
        return None if node is None else self._node(node, resolver)

    def _node(self, node: Any, resolver: Any) -> Any:
        if isinstance(node, list):
            return [self._node(item, resolver) for item in node]
        if not isinstance(node, dict):
            return node
        converted: dict[str, Any] = {}
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                converted[key] = self._named(value, resolver)
            elif key in DATA_KEYWORDS:  # copied as it is, even if it holds "$ref" keys
                converted[key] = value
            elif key in SCHEMA_MAP_KEYWORDS and isinstance(value, dict):
                converted[key] = {name: self._node(sub, resolver) for name, sub in value.items()}
            else:
                converted[key] = self._node(value, resolver)
        return converted

    def _named(self, ref: str, resolver: Any) -> str:
        """The table's name for the ref's target, converting the target the first time."""
        try:
            resolved = resolver.lookup(ref)
        except Exception:  # an unresolvable ref is shown by its text rather than failing the page
            return ref
        target = resolved.contents
        known = self._names.get(id(target))
        if known is not None:
            return known
        base = ref.rstrip("/").rsplit("/", 1)[-1] or ref
        name, number = base, 1
        while name in self.schemas:
            number += 1
            name = f"{base} ({number})"
        self._names[id(target)] = name
        self._targets.append(target)
        self.schemas[name] = {}  # reserved first: a recursive target refers to itself by name
        self.schemas[name] = self._node(target, resolved.resolver)
        return name


def first_value(schema: Schema | None) -> Any:
    """The value a form field starts with from its schema: example, examples[0], default, enum[0].

    Follows a chain of top-level `$ref`s; returns None when the schema offers nothing.
    """
    if schema is None:
        return None
    node: Any = schema.contents
    resolver: Any = schema.resolver
    for _ in range(8):
        if not isinstance(node, dict) or not isinstance(node.get("$ref"), str):
            break
        try:
            resolved = resolver.lookup(node["$ref"])
        except Exception:  # no hint is better than no page
            return None
        node, resolver = resolved.contents, resolved.resolver
    if not isinstance(node, dict):
        return None
    if "example" in node:
        return node["example"]
    examples = node.get("examples")
    if isinstance(examples, list) and examples:
        return examples[0]
    if "default" in node:
        return node["default"]
    enum = node.get("enum")
    if isinstance(enum, list) and enum:
        return enum[0]
    return None
