"""Where a schema can hold other schemas, and which members hold data: one table for every walker.

Loading (``normalize.py``), linting, the explorer's schema table, the validator's dialect and
the example checks all walk schemas; they agree on what is a subschema because they read it
here. The tuples keep an order, so a walk visits (and reports) members in the same order.
"""

from __future__ import annotations

from typing import Final

__all__ = [
    "DATA_KEYWORDS",
    "SCHEMA_LIST_KEYWORDS",
    "SCHEMA_MAP_KEYWORDS",
    "SCHEMA_VALUE_KEYWORDS",
]

SCHEMA_VALUE_KEYWORDS: Final = (
    "items",
    "additionalProperties",
    "additionalItems",
    "contains",
    "propertyNames",
    "not",
    "if",
    "then",
    "else",
    "unevaluatedItems",
    "unevaluatedProperties",
)
"""Members whose value is one schema (Swagger 2.0 also allows a list of schemas as ``items``)."""

SCHEMA_LIST_KEYWORDS: Final = ("allOf", "anyOf", "oneOf", "prefixItems")
"""Members whose value is a list of schemas."""

SCHEMA_MAP_KEYWORDS: Final = (
    "properties",
    "patternProperties",
    "$defs",
    "definitions",
    "dependentSchemas",
)
"""Members that map names to schemas: a property called ``default`` is still a schema."""

DATA_KEYWORDS: Final = frozenset({"example", "examples", "default", "enum", "const"})
"""Members whose value is data, never a schema, even where it holds ``$ref`` keys."""
