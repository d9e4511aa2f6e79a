"""Request bodies parsed by media type: JSON, form-urlencoded, multipart/form-data, text.

Each parser returns the body as a plain value ready for JSON Schema validation, or raises
``BodyError`` with a pointer and a detail saying where parsing failed.
"""

from __future__ import annotations

import codecs
import json
import math
from collections.abc import Callable
from email.message import Message
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any, Final

import orjson

from proxy.media_types import is_json, media_base
from proxy.openapi.model import MediaType
from proxy.validation.params import Shape, coerce, query_pairs

__all__ = [
    "MAX_DEPTH",
    "MAX_DIGITS",
    "NOT_READ",
    "UNREAD",
    "BodyError",
    "Parser",
    "multipart_parts",
    "parse_body",
    "parser_for",
    "part_bytes",
    "read_json",
]


class BodyError(ValueError):
    """The body cannot be read as its media type."""

    def __init__(self, pointer: str, detail: str) -> None:
        super().__init__(detail)
        self.pointer = pointer
        self.detail = detail


Parser = Callable[[bytes, str, MediaType, Shape | None], Any]
"""A body reader: (body, Content-Type, documented media type, its shape) -> value."""

_DIGITS_AS_ZEROS: Final = bytes(0x30 if 0x30 <= byte <= 0x39 else 0x20 for byte in range(256))
_LONG_DIGIT_RUN: Final = b"0" * 19
MAX_DEPTH: Final = 254
"""The deepest nesting of arrays and objects read: the deepest value orjson writes, and
jsonschema-rs can hand back in an error (255 levels)."""
MAX_DIGITS: Final = 4300
"""The longest integer read, in digits (Python's limit on converting text to int)."""


def _malformed(error: json.JSONDecodeError) -> BodyError:
    if "depth limit" in error.msg or "recursion" in error.msg.lower():
        return _too_deep()
    if "infinity" in error.msg:
        return _too_large()
    return BodyError(
        "/body", f"malformed JSON at line {error.lineno} column {error.colno}: {error.msg}"
    )


def _too_deep() -> BodyError:
    return BodyError(
        "/body", f"nested too deeply: at most {MAX_DEPTH} levels of arrays and objects"
    )


def _too_large() -> BodyError:
    return BodyError("/body", "a number too large for a double (more than 1.8e308)")


def _finite(text: str) -> float:
    number = float(text)
    if math.isinf(number):
        raise _too_large()
    return number


def _no_constant(text: str) -> Any:
    raise BodyError("/body", f"{text} is not a JSON value")


def read_json(body: bytes) -> Any:
    """A JSON body as a value, or ``BodyError``: malformed, not UTF-8, nested deeper than
    ``MAX_DEPTH``, an integer longer than ``MAX_DIGITS`` digits, a number beyond a double.

    The nesting is measured only in a body with more brackets than ``MAX_DEPTH``.
    """
    value = _parsed(body)
    if body.count(b"[") + body.count(b"{") > MAX_DEPTH and _too_deep_to_write(value):
        raise _too_deep()
    return value


def _too_deep_to_write(value: Any) -> bool:
    """Whether ``value`` nests deeper than ``MAX_DEPTH``: orjson refuses to write it. Writing
    takes about a tenth of the reading; measuring level by level in Python took one and a half
    times reading and validating, so only a value orjson cannot write for another reason (an
    integer past 64 bits) is measured so."""
    try:
        orjson.dumps(value)
    except orjson.JSONEncodeError as error:
        if "Recursion" in str(error):
            return True
        return _deeper_than(value, MAX_DEPTH)
    return False


def _deeper_than(value: Any, levels: int) -> bool:
    """Whether arrays and objects nest more than ``levels`` deep in ``value`` (measured level
    by level: a recursive walk would stop at Python's recursion limit)."""
    level = [value] if isinstance(value, dict | list) else []
    for _ in range(levels):
        if not level:
            return False
        level = [
            member
            for container in level
            for member in (container.values() if isinstance(container, dict) else container)
            if isinstance(member, dict | list)
        ]
    return bool(level)


_BYTE_ORDER_MARK: Final = (
    "a byte order mark (U+FEFF) before the JSON text: RFC 8259 forbids sending one; remove it"
)


def _parsed(body: bytes) -> Any:
    """orjson reads the common case faster than json.loads, but cannot read integers past 64
    bits: bodies with a run of 19 digits (found by a table translation and a substring
    search, both in C: a regex search took 10 µs per kilobyte, this about 1) go to json.
    """
    if body.startswith(codecs.BOM_UTF8):
        raise BodyError("/body", _BYTE_ORDER_MARK)
    if _LONG_DIGIT_RUN not in body.translate(_DIGITS_AS_ZEROS):
        try:
            return orjson.loads(body)
        except orjson.JSONDecodeError as error:
            if "UTF-8" not in error.msg:
                raise _malformed(error) from None
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise BodyError("/body", f"not UTF-8 at byte {error.start}") from None
    try:
        return json.loads(text, parse_float=_finite, parse_constant=_no_constant)
    except json.JSONDecodeError as error:
        raise _malformed(error) from None
    except RecursionError:
        raise _too_deep() from None
    except ValueError as error:  # int(): more digits than Python converts
        if isinstance(error, BodyError):
            raise
        raise BodyError("/body", f"an integer of more than {MAX_DIGITS} digits") from None


def _read_json(body: bytes, _content_type: str, _media: MediaType, _shape: Shape | None) -> Any:
    return read_json(body)


def _property(shape: Shape | None, name: str) -> Shape | None:
    if shape is None:
        return None
    if shape.properties and name in shape.properties:
        return shape.properties[name]
    return shape.additional


def _read_form(
    body: bytes, _content_type: str, _media: MediaType, shape: Shape | None
) -> dict[str, Any]:
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise BodyError("/body", f"form data is not UTF-8 at byte {error.start}") from None
    grouped: dict[str, list[str]] = {}
    for name, value in query_pairs(text):
        grouped.setdefault(name, []).append(value)
    result: dict[str, Any] = {}
    for name, values in grouped.items():
        item_shape = _property(shape, name)
        if item_shape is not None and item_shape.kind == "array":
            parts = values if len(values) > 1 else values[0].split(",") if values[0] else []
            result[name] = [coerce(v, item_shape.items or Shape(("string",))) for v in parts]
        else:
            result[name] = coerce(values[-1], item_shape) if item_shape else values[-1]
    return result


def multipart_parts(body: bytes, content_type: str) -> list[tuple[str, Message]]:
    """The parts of a multipart/form-data body with their names, in order; ``BodyError``
    when it has no boundary, cannot be split or has a part without a name."""
    if "boundary=" not in content_type:
        raise BodyError("/body", "multipart/form-data without a boundary parameter")
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode()
    message = BytesParser(policy=HTTP).parsebytes(head + body)
    if not message.is_multipart():
        raise BodyError("/body", "the multipart body could not be split into parts")
    named: list[tuple[str, Message]] = []
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            raise BodyError("/body", "a multipart part has no name in Content-Disposition")
        named.append((name, part))
    return named


def part_bytes(part: Message) -> bytes:
    """A part's content, its transfer encoding undone."""
    payload = part.get_payload(decode=True)
    return payload if isinstance(payload, bytes) else b""


def _read_multipart(
    body: bytes, content_type: str, media: MediaType, shape: Shape | None
) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for name, part in multipart_parts(body, content_type):
        result.setdefault(name, [])
        result[name].append(_part_value(part, name, media, _property(shape, name)))
    return {
        name: values
        if (_property(shape, name) or Shape(("string",))).kind == "array"
        else values[0]
        for name, values in result.items()
    }


def _part_value(part: Message, name: str, media: MediaType, shape: Shape | None) -> Any:
    raw = part_bytes(part)
    declared = (media.encoding.get(name) or {}).get("contentType")
    part_type = media_base(str(declared or part.get_content_type()))
    if is_json(part_type):
        try:
            return json.loads(raw)
        except ValueError as error:
            raise BodyError(f"/body/{name}", f"malformed JSON in part {name!r}: {error}") from None
    if part.get_filename() is not None or part_type == "application/octet-stream":
        return raw.decode("latin-1")
    text = raw.decode("utf-8", errors="replace")
    if shape is not None and shape.kind == "array" and shape.items is not None:
        return coerce(text, shape.items)
    return coerce(text, shape) if shape is not None else text


def _read_text(body: bytes, _content_type: str, _media: MediaType, _shape: Shape | None) -> str:
    return body.decode("utf-8", errors="replace")


NOT_READ: Final[Any] = object()
"""A body not read as JSON (so far): JSON's null reads as None."""
UNREAD: Final = object()
"""What a media type without a structure read here (XML, YAML, binary) reads as; JSON's null
reads as None, and is validated like any other value."""


def _read_nothing(
    _body: bytes, _content_type: str, _media: MediaType, _shape: Shape | None
) -> object:
    return UNREAD


def parser_for(base: str) -> Parser:
    """The reader for a media type (``media_base`` of a Content-Type); chosen once per type.

    Media types without a structure read here (XML, YAML, binary) read as ``UNREAD``.
    """
    if is_json(base):
        return _read_json
    if base == "application/x-www-form-urlencoded":
        return _read_form
    if base == "multipart/form-data":
        return _read_multipart
    if base.startswith("text/"):
        return _read_text
    return _read_nothing


def parse_body(body: bytes, content_type: str, media: MediaType, shape: Shape | None) -> Any:
    """The body as a value for schema validation (``UNREAD`` where the type has no structure)."""
    return parser_for(media_base(content_type))(body, content_type, media, shape)
