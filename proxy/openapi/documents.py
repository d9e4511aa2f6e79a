"""The documents a description spans: read, parsed, every ``$ref`` crawled and checked.

Files are read once each (YAML through ``proxy.yamlio``, JSON through ``json``), keyed by
absolute ``file://`` URI. ``crawl`` follows every ``$ref`` (relative files resolved against
the file that holds the ref). A ``$ref`` to a missing file or pointer, or to an http(s) URL
(never fetched, nor read as a local path), does not refuse the
description: it becomes a warning naming where it stands, and the object that held it loses
the ``$ref`` (an unconstrained schema), so every operation is still served. A referenced
file that does not parse is still an error. Data positions (``example``, ``default``,
``enum``, ``const`` and example ``value``s) are not crawled: a ``$ref`` key there is data.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Final
from urllib.parse import quote, unquote, urldefrag, urljoin, urlsplit

from proxy.errors import SpecError
from proxy.yamlio import YamlSyntaxError, load_yaml

__all__ = ["DocumentStore", "escape_pointer", "pointer_uri"]

_DATA_KEYS: Final = frozenset({"example", "default", "enum", "const", "x-examples"})
_POINTER_SAFE: Final = "/~:@!$&'()*+,;="


def escape_pointer(segment: str) -> str:
    """One JSON pointer segment (RFC 6901: ``~`` -> ``~0``, ``/`` -> ``~1``)."""
    return segment.replace("~", "~0").replace("/", "~1")


def pointer_tokens(pointer: str) -> list[str]:
    """A JSON pointer's reference tokens, unescaped (RFC 6901: ``~1`` -> ``/``, ``~0`` ->
    ``~``): ``/a~1b/0`` -> ``["a/b", "0"]``, ``""`` -> ``[]``."""
    return [token.replace("~1", "/").replace("~0", "~") for token in pointer.split("/")[1:]]


def pointer_uri(document_uri: str, pointer: str) -> str:
    """``file:///x.yaml`` + ``/a/b`` -> ``file:///x.yaml#/a/b`` with the fragment %-encoded."""
    return f"{document_uri}#{quote(pointer, safe=_POINTER_SAFE)}"


def _display(uri: str) -> str:
    parts = urlsplit(uri)
    return unquote(parts.path) if parts.scheme == "file" else uri


class _MissingFile(SpecError):
    """A referenced file that is not there: a dangling ``$ref``, not a broken description."""


class DocumentStore:
    """Parsed documents by URI, pointer resolution within them, and dangling-``$ref`` warnings."""

    def __init__(self) -> None:
        self.documents: dict[str, Any] = {}
        self.warnings: list[str] = []

    def load(self, uri: str) -> Any:
        """The parsed document at ``uri`` (a ``file://`` URI without fragment)."""
        if uri in self.documents:
            return self.documents[uri]
        parts = urlsplit(uri)
        if parts.scheme != "file":
            raise _MissingFile(
                f"{uri}: a remote document, which mockproxy does not fetch; save it beside the "
                "description and refer to it by a relative path"
            )
        path = Path(unquote(parts.path))
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            raise _MissingFile(f"{path}: file not found") from None
        except OSError as error:
            raise SpecError(f"{path}: cannot read: {error.strerror}") from None
        self.documents[uri] = _parse(raw, path)
        return self.documents[uri]

    def resolve(self, uri: str) -> tuple[str, str, Any]:
        """``file:///x.yaml#/a/b`` -> (document URI, pointer, value); KeyError if missing."""
        document_uri, fragment = urldefrag(uri)
        document = self.load(document_uri)
        pointer = unquote(fragment)
        return document_uri, pointer, walk_pointer(document, pointer)

    def crawl(self, root_uri: str) -> None:
        """Load every document reachable by ``$ref``; drop (with a warning) refs that dangle."""
        pending = [root_uri]
        errors: list[str] = []
        dangling: list[tuple[str, str]] = []
        seen = set()
        while pending:
            uri = pending.pop()
            if uri in seen:
                continue
            seen.add(uri)
            document = self.load(uri)
            for pointer, ref in _refs(document, ""):
                target = urljoin(uri, ref)
                try:
                    target_document = urldefrag(target)[0]
                    self.resolve(target)
                except _MissingFile as error:
                    reason = error.messages[0]
                except SpecError as error:
                    errors.append(
                        f"{_display(uri)}#{pointer}: $ref '{ref}' does not resolve: "
                        f"{error.messages[0]}"
                    )
                    continue
                except (KeyError, IndexError, TypeError, ValueError):
                    reason = "no such pointer"
                else:
                    if target_document not in seen:
                        pending.append(target_document)
                    continue
                self.warnings.append(
                    f"{_display(uri)}#{pointer}: $ref '{ref}' does not resolve ({reason}); "
                    "treated as an unconstrained schema"
                )
                dangling.append((uri, pointer))
        if errors:
            raise SpecError(
                errors[:50] + ([f"... and {len(errors) - 50} more"] if len(errors) > 50 else [])
            )
        for uri, pointer in dangling:
            holder = walk_pointer(self.documents[uri], pointer)
            holder.pop("$ref", None)


def walk_pointer(document: Any, pointer: str) -> Any:
    """Follow an (unescaped-URI) JSON pointer; KeyError/IndexError when it leads nowhere."""
    if pointer in ("", "/"):
        return document if pointer == "" else document[""]
    if not pointer.startswith("/"):
        raise KeyError(pointer)
    value = document
    for segment in pointer_tokens(pointer):
        if isinstance(value, list):
            value = value[int(segment)]
        elif isinstance(value, dict):
            value = value[segment]
        else:
            raise KeyError(segment)
    return value


def _refs(node: Any, pointer: str) -> Iterator[tuple[str, str]]:
    """Every ``$ref`` string in ``node`` with the pointer of the object holding it."""
    stack: list[tuple[Any, str, str]] = [(node, pointer, "")]
    while stack:
        value, where, held_by = stack.pop()
        if isinstance(value, dict):
            ref = value.get("$ref")
            if isinstance(ref, str):
                yield where, ref
            for key, child in value.items():
                if _is_data(key, held_by):
                    continue
                if isinstance(child, dict | list):
                    stack.append((child, f"{where}/{escape_pointer(key)}", key))
        elif isinstance(value, list):
            for index, child in enumerate(value):
                if isinstance(child, dict | list):
                    stack.append((child, f"{where}/{index}", ""))


def _is_data(key: str, held_by: str) -> bool:
    """Keys whose values are data, not description: ``default`` is a response under responses."""
    if key == "default":
        return held_by != "responses"
    if key == "value":
        return held_by not in ("properties",)
    return key in _DATA_KEYS


def _parse(raw: bytes, path: Path) -> Any:
    text_start = raw.lstrip()[:1]
    if text_start in (b"{", b"["):
        try:
            return json.loads(raw)
        except json.JSONDecodeError as error:
            if path.suffix.lower() == ".json":
                raise SpecError(
                    f"{path}:{error.lineno}:{error.colno}: invalid JSON: {error.msg}"
                ) from None
    try:
        return load_yaml(raw, str(path))
    except YamlSyntaxError as error:
        raise SpecError(f"{path}:{error.line}:{error.column}: invalid YAML: {error}") from None
