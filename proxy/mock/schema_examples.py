"""Property examples that break their own schema: listed by ``check``, passed over by the mock.

A whole documented example of a response is sent as written; an ``example`` written on a
property schema is only a hint for generated bodies, and the generator skips one that does
not meet the property's ``type``, ``const``, ``enum`` or the types its ``oneOf``/``anyOf``
branches allow (``example_fits``, here). This
finds the same ones so that spec authors see them at load.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Final

from proxy.openapi.documents import escape_pointer
from proxy.openapi.keywords import DATA_KEYWORDS
from proxy.openapi.model import ApiSpec

__all__ = ["example_fits", "unfit_property_examples"]

_PYTHON_TYPES: Final[dict[str, Any]] = {
    "string": str,
    "boolean": bool,
    "array": list,
    "object": dict,
    "null": type(None),
}


def _has_type(value: Any, kind: Any) -> bool:
    is_number = isinstance(value, int | float) and not isinstance(value, bool)
    if kind == "integer":
        return is_number and float(value).is_integer()
    if kind == "number":
        return is_number
    python_type = _PYTHON_TYPES.get(kind)
    return python_type is None or isinstance(value, python_type)


def example_fits(node: dict[str, Any], value: Any) -> bool:
    """Whether ``value`` meets the schema's own ``type``, ``const`` and ``enum``, and the type
    of a branch of its inline ``oneOf``/``anyOf`` (a quick check for examples and defaults
    written beside a schema: ``'false'`` for a boolean, ``null`` beside a string-or-array)."""
    if not _fits_type(node.get("type"), value):
        return False
    if "const" in node and value != node["const"]:
        return False
    enum_values = node.get("enum")
    if isinstance(enum_values, list) and value not in enum_values:
        return False
    return all(_fits_a_branch(node.get(keyword), value) for keyword in ("oneOf", "anyOf"))


def _fits_type(declared: Any, value: Any) -> bool:
    kinds = declared if isinstance(declared, list) else [declared] if declared else []
    return not kinds or any(_has_type(value, kind) for kind in kinds)


def _fits_a_branch(branches: Any, value: Any) -> bool:
    """Whether ``value`` has the type of some branch; a choice with a branch this quick check
    cannot read (a ``$ref``, no ``type``) may take anything."""
    if not isinstance(branches, list) or not branches:
        return True
    kinds = [branch.get("type") if isinstance(branch, dict) else None for branch in branches]
    if not all(kinds) or any(isinstance(b, dict) and "$ref" in b for b in branches):
        return True
    return any(_fits_type(kind, value) for kind in kinds)


def unfit_property_examples(spec: ApiSpec) -> list[str]:
    """``<file>#<pointer>: ...`` for each property or item example that breaks its schema."""
    findings = []
    for uri in spec.registry:
        document = spec.registry[uri].contents
        for pointer, value in sorted(_property_examples(document, ""), key=lambda f: f[0]):
            findings.append(
                f"{uri.removeprefix('file://')}#{pointer}/example: {value!r} does not meet "
                f"the property's own schema; generated bodies use a valid value instead"
            )
    return findings


def _property_examples(node: Any, pointer: str) -> Iterator[tuple[str, Any]]:
    """(pointer, example) for each unfit example of a schema under ``properties``/``items``."""
    stack = [(node, pointer, False)]
    while stack:
        value, where, is_member = stack.pop()
        if isinstance(value, dict):
            if is_member and "example" in value and not example_fits(value, value["example"]):
                yield where, value["example"]
            for key, child in value.items():
                if key in DATA_KEYWORDS:
                    continue
                child_where = f"{where}/{escape_pointer(str(key))}"
                if key == "properties" and isinstance(child, dict):
                    for name, member in child.items():
                        stack.append((member, f"{child_where}/{escape_pointer(name)}", True))
                else:
                    stack.append((child, child_where, key == "items"))
        elif isinstance(value, list):
            stack.extend((child, f"{where}/{index}", False) for index, child in enumerate(value))
