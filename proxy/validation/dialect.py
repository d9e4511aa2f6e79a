"""OpenAPI's additions to JSON Schema, said in jsonschema-rs's own terms.

- A ``oneOf``/``anyOf`` with a ``discriminator`` checks only the branch the discriminating
  property names (by ``mapping``, else by a branch ``$ref``'s last segment); a value naming
  no branch is an error at that property. ``openapi_documents`` rewrites such choices, in a
  copy of the description's documents, into plain ``if``/``then`` that say exactly that.
- ``format: int32``/``int64`` bound integers; the copy adds the ``minimum``/``maximum``.
- A member of ``properties`` (or another map of schemas) that is not a schema, like
  ``properties: {$ref: other.yml}``, constrains nothing in jsonschema's reading but makes
  jsonschema-rs refuse the whole schema; the copy leaves it out.
- ``additionalProperties: false`` alone gets an empty ``properties``, so that jsonschema-rs
  names every unexpected property instead of reporting the first value it meets.
- ``readOnly`` properties are refused in requests, ``writeOnly`` ones in responses: custom
  keywords (``REQUEST_KEYWORDS``, ``RESPONSE_KEYWORDS``) that fail wherever they are reached.
- Formats JSON Schema does not name (``int32``, ``int64``, ``float``, ``double``, ``byte``)
  are checked on strings by ``FORMATS``; ``binary``, ``password`` and other unknown names
  accept any string, as OpenAPI leaves them to the tool.

``nullable`` and ``x-nullable`` were turned into type lists when the description loaded.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any, Final

from proxy.openapi.keywords import SCHEMA_MAP_KEYWORDS

__all__ = [
    "FORMATS",
    "REQUEST_KEYWORDS",
    "RESPONSE_KEYWORDS",
    "openapi_documents",
]

_INTEGER_TEXT: Final = re.compile(r"-?(0|[1-9][0-9]*)")
_NUMBER_TEXT: Final = re.compile(r"-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?")
_BOUNDS: Final = {"int32": 31, "int64": 63}


def _integer_text(bits: int) -> Callable[[str], bool]:
    low, high = -(1 << bits), (1 << bits) - 1

    def check(text: str) -> bool:
        return bool(_INTEGER_TEXT.fullmatch(text)) and low <= int(text) <= high

    return check


def _number_text(text: str) -> bool:
    return bool(_NUMBER_TEXT.fullmatch(text))


_BASE64_ALPHABET: Final = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"


def _base64_text(text: str) -> bool:
    """Base64 (RFC 4648, padded): checked by deleting the alphabet in C, about six times
    faster than decoding, which a 100 KB document would otherwise pay on every request."""
    if not text.isascii() or len(text) % 4:
        return False
    data = text.encode("ascii")
    unpadded = data.rstrip(b"=")
    return len(data) - len(unpadded) <= 2 and not unpadded.translate(None, _BASE64_ALPHABET)


FORMATS: Final[Mapping[str, Callable[[str], bool]]] = {
    "int32": _integer_text(31),
    "int64": _integer_text(63),
    "float": _number_text,
    "double": _number_text,
    "byte": _base64_text,
}
"""Format hooks for strings (jsonschema-rs applies formats to strings only)."""


class _Refused:
    """A keyword that fails wherever it is ``true`` and a value reaches it."""

    message = ""

    def __init__(self, _parent: dict[str, Any], value: Any, _path: list[str | int]) -> None:
        self._refused = value is True

    def validate(self, _instance: Any) -> None:
        if self._refused:
            raise ValueError(self.message)


class _ReadOnly(_Refused):
    message = "is readOnly: it must not be sent in a request"


class _WriteOnly(_Refused):
    message = "is writeOnly: it must not be sent in a response"


REQUEST_KEYWORDS: Final[Mapping[str, type[_Refused]]] = {"readOnly": _ReadOnly}
RESPONSE_KEYWORDS: Final[Mapping[str, type[_Refused]]] = {"writeOnly": _WriteOnly}


def _targets(node: Mapping[str, Any], branches: list[Any]) -> dict[str, str]:
    """Discriminator value -> the ``$ref`` it selects: ``mapping`` first, then branch names."""
    mapping = node["discriminator"].get("mapping") or {}
    targets: dict[str, str] = {}
    if isinstance(mapping, dict):
        for value, target in mapping.items():
            text = str(target)
            local = "/" in text or "#" in text
            targets[str(value)] = text if local else f"#/components/schemas/{text}"
    for branch in branches:
        ref = branch.get("$ref") if isinstance(branch, dict) else None
        if isinstance(ref, str):
            targets.setdefault(ref.rsplit("/", 1)[-1], ref)
    return targets


def _discriminated(node: dict[str, Any], key: str, name: str) -> dict[str, Any]:
    """``node`` with its ``key`` choice decided by the property ``name`` when it is present."""
    branches = node[key]
    targets = _targets(node, branches)
    if not targets:
        return node
    chosen = {
        "properties": {name: {"enum": list(targets)}},
        "allOf": [
            {"if": {"properties": {name: {"const": value}}}, "then": {"$ref": ref}}
            for value, ref in targets.items()
        ],
    }
    choice = {"if": {"type": "object", "required": [name]}, "then": chosen, "else": {key: branches}}
    rewritten = {k: v for k, v in node.items() if k != key}
    rewritten["allOf"] = [*node.get("allOf", []), choice]
    return rewritten


def _bounded(node: dict[str, Any], bits: int) -> dict[str, Any]:
    bounds = {"minimum": -(1 << bits), "maximum": (1 << bits) - 1}
    return {**node, "allOf": [*node.get("allOf", []), bounds]}


def _schema(value: Any) -> bool:
    return isinstance(value, dict | bool)


def _rewrite(value: Any) -> Any:
    if isinstance(value, list):
        return [_rewrite(item) for item in value]
    if not isinstance(value, dict):
        return value
    node = {key: _rewrite(item) for key, item in value.items()}
    for key in SCHEMA_MAP_KEYWORDS:
        members = node.get(key)
        if isinstance(members, dict) and not all(_schema(m) for m in members.values()):
            node[key] = {name: member for name, member in members.items() if _schema(member)}
    discriminator = node.get("discriminator")
    name = discriminator.get("propertyName") if isinstance(discriminator, dict) else None
    if isinstance(name, str):
        for key in ("oneOf", "anyOf"):
            if isinstance(node.get(key), list):
                node = _discriminated(node, key, name)
                break
    if node.get("additionalProperties") is False and not (
        "properties" in node or "patternProperties" in node
    ):
        node["properties"] = {}  # else jsonschema-rs reports the first extra value, unnamed
    bits = _BOUNDS.get(node["format"]) if isinstance(node.get("format"), str) else None
    if bits is not None and isinstance(node.get("allOf", []), list):
        node = _bounded(node, bits)
    return node


def openapi_documents(documents: Mapping[str, Any]) -> list[tuple[str, Any]]:
    """The description's documents (URI -> contents) as jsonschema-rs resources: copies with
    discriminators and integer formats rewritten; the originals are left as they are."""
    return [(uri, _rewrite(contents)) for uri, contents in documents.items()]
