"""Form fields and query values against what OpenAPI says of them outside their schema:
empty values and reserved characters, judged on the text as sent (the schema judges the
value read from it).

- ``allowEmptyValue: false`` on a query parameter, or on a Swagger 2.0 ``formData`` one (kept
  in its media type's ``encoding`` by the loader), refuses the value sent empty (``id=``, or
  ``id`` alone); ``true`` on a query parameter accepts it whatever the schema
  (``empty_query_verdict``). Unsaid, the schema alone judges, as in Prism.
- ``allowReserved`` in an ``encoding`` entry: in ``application/x-www-form-urlencoded``, a
  field with an OpenAPI 3 encoding entry that does not say ``allowReserved: true`` refuses
  RFC 3986's reserved characters left unencoded in its value, as Prism does (``+`` is form
  encoding's space, so it counts as encoded); in ``multipart/form-data``, where values are
  never percent-encoded, only a text part (not a file) whose entry says
  ``allowReserved: false`` does, as OpenAPI 3.1.1 applies the keyword there only when it is
  written. Query values are not held to ``allowReserved``: Prism accepts them unencoded.

``FormRules.of`` is made once per media type at load, and is None for almost every one, so
only an operation that has such fields pays for reading its body's raw texts.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import unquote_plus

from proxy.openapi.documents import escape_pointer
from proxy.openapi.model import MediaType
from proxy.validation.bodies import BodyError, multipart_parts, part_bytes
from proxy.validation.schemas import FieldError, json_text

__all__ = ["FormRules", "empty_query_verdict"]

_URLENCODED: Final = "application/x-www-form-urlencoded"
_MULTIPART: Final = "multipart/form-data"
_RESERVED_CHARACTERS: Final = ":/?#[]@!$&'()*+,;="
"""RFC 3986's reserved characters (gen-delims and sub-delims)."""
_RESERVED: Final = re.compile(f"[{re.escape(_RESERVED_CHARACTERS)}]")
_RESERVED_BUT_SPACE: Final = re.compile(f"[{re.escape(_RESERVED_CHARACTERS.replace('+', ''))}]")
"""Reserved characters that can stand unencoded in a urlencoded value (``+`` is a space)."""


@dataclass(frozen=True, slots=True)
class FormRules:
    """The fields of one form media type that refuse an empty value or unencoded reserved
    characters."""

    empty_refused: frozenset[str]
    reserved_refused: frozenset[str]
    multipart: bool

    @classmethod
    def of(cls, media: MediaType, base: str) -> FormRules | None:
        """The rules of a documented media type (``base`` is its ``media_base``); None where
        it has none."""
        if base not in (_URLENCODED, _MULTIPART):
            return None
        entries = {
            name: entry for name, entry in media.encoding.items() if isinstance(entry, Mapping)
        }
        multipart = base == _MULTIPART
        empty = frozenset(n for n, e in entries.items() if e.get("allowEmptyValue") is False)
        reserved = frozenset(
            name
            for name, entry in entries.items()
            if (entry.get("allowReserved") is False if multipart else not _allows(entry))
        )
        return cls(empty, reserved, multipart) if empty or reserved else None

    def errors(self, body: bytes, content_type: str) -> list[FieldError]:
        """What the body's fields break of these rules, in the order they were sent."""
        found = []
        texts = _part_texts(body, content_type) if self.multipart else _urlencoded_texts(body)
        reserved = _RESERVED if self.multipart else _RESERVED_BUT_SPACE
        for name, text in texts:
            if not text and name in self.empty_refused:
                found.append(FieldError(_pointer(name), f"{json_text(name)} is empty; {_NO_EMPTY}"))
            elif name in self.reserved_refused and reserved.search(text):
                unencoded = " ".join(sorted(set(reserved.findall(text))))
                detail = f"{json_text(name)} has reserved characters not percent-encoded"
                found.append(FieldError(_pointer(name), f"{detail} ({unencoded}); {_NO_RESERVED}"))
        return found


_NO_EMPTY: Final = "allowEmptyValue is false"
_NO_RESERVED: Final = "allowReserved is false"


def empty_query_verdict(
    name: str, pointer: str, allowed: bool, pairs: Sequence[tuple[str, str]]
) -> tuple[FieldError, ...] | None:
    """A query parameter sent empty, by its ``allowEmptyValue``: false refuses it, true
    accepts it whatever its schema; None where it was not sent empty (its schema judges)."""
    sent = [value for key, value in pairs if key == name]
    if "" not in sent:
        return None
    if not allowed:
        return (FieldError(pointer, f"{json_text(name)} is empty; {_NO_EMPTY}"),)
    return None if any(sent) else ()


def _allows(entry: Mapping[str, Any]) -> bool:
    """Whether a urlencoded field's entry lets reserved characters through: it says so, or
    it is no OpenAPI 3 encoding object (a 2.0 field's ``allowEmptyValue`` alone)."""
    return entry.get("allowReserved") is True or not _ENCODING_KEYWORDS.intersection(entry)


_ENCODING_KEYWORDS: Final = frozenset(
    {"contentType", "headers", "style", "explode", "allowReserved"}
)


def _urlencoded_texts(body: bytes) -> Iterator[tuple[str, str]]:
    """Each field's name (decoded) and value as sent (still percent-encoded)."""
    for pair in body.decode("utf-8", errors="replace").split("&"):
        if pair:
            name, _, value = pair.partition("=")
            yield unquote_plus(name), value


def _part_texts(body: bytes, content_type: str) -> Iterator[tuple[str, str]]:
    """Each text part's name and content; files are data, not text, and are left out."""
    try:
        parts = multipart_parts(body, content_type)
    except BodyError:  # the body reader has already answered it
        return
    for name, part in parts:
        if part.get_filename() is None:
            yield name, part_bytes(part).decode("utf-8", errors="replace")


def _pointer(name: str) -> str:
    return f"/body/{escape_pointer(name)}"
