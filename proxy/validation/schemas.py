"""Schemas compiled once by jsonschema-rs; each error located at the value it is about.

``SchemaEngine(documents)`` holds one jsonschema-rs ``Registry`` of a description's documents
(in OpenAPI's dialect, ``dialect.py``); nothing outside them resolves, so no network is ever
used. ``engine.check(uri, direction)`` compiles the schema at ``uri`` once per direction
(request bodies refuse ``readOnly``, responses ``writeOnly``, parameters neither) into a
``SchemaCheck``: ``passes`` is
jsonschema-rs's ``is_valid``, for the hot path; ``errors`` lists at most ``MAX_LISTED``
errors, each a ``FieldError`` whose pointer is the value it is about (a missing required
property and an unexpected one point at that property) and whose detail speaks JSON, and
counts the rest, looking at no more than a big value's first ``COUNTED_VALUES`` values.

``engine_for(spec)`` is the engine of a loaded description, made once per description.
"""

from __future__ import annotations

import enum
import itertools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final, NamedTuple

import jsonschema_rs
import orjson
import structlog

from proxy.gc_pause import collector_paused
from proxy.memo import SCHEMA_ENGINES, Memo
from proxy.openapi.documents import escape_pointer
from proxy.openapi.model import ApiSpec
from proxy.validation.dialect import (
    FORMATS,
    REQUEST_KEYWORDS,
    RESPONSE_KEYWORDS,
    openapi_documents,
)
from proxy.validation.prefix import COUNTED_VALUES, Prefix, prefix_of

__all__ = [
    "MAX_LISTED",
    "Direction",
    "ErrorList",
    "FieldError",
    "SchemaCheck",
    "SchemaEngine",
    "engine_for",
    "json_text",
]

log = structlog.get_logger(__name__)

MAX_LISTED: Final = 100
"""The most errors listed for one value; the rest are counted."""

_LONGEST_DETAIL: Final = 300
_UNEXPECTED: Final = frozenset({"additionalProperties", "unevaluatedProperties"})
_REFUSED: Final = frozenset({"readOnly", "writeOnly"})


class Direction(enum.StrEnum):
    """Which values a check judges: a request body refuses ``readOnly`` properties, a
    response body ``writeOnly`` ones; a parameter refuses neither (they speak of properties,
    and a parameter's schema often reuses a resource's readOnly ``id``)."""

    REQUEST = "request"
    RESPONSE = "response"
    PARAMETER = "parameter"


_REFUSING: Final[Mapping[Direction, Mapping[str, Any]]] = {
    Direction.REQUEST: REQUEST_KEYWORDS,
    Direction.RESPONSE: RESPONSE_KEYWORDS,
    Direction.PARAMETER: {},
}


@dataclass(frozen=True, slots=True)
class FieldError:
    """One thing wrong with a request or response: where (a JSON pointer), and what."""

    pointer: str
    detail: str

    def as_json(self) -> dict[str, str]:
        return {"pointer": self.pointer, "detail": self.detail}


def json_text(value: Any) -> str:
    """A value as JSON text, for error details (``"A4"``, ``null``, ``true``)."""
    return orjson.dumps(value).decode()


def _shortened(detail: str) -> str:
    """A detail quoting a big value keeps its start and its end (the reason)."""
    if len(detail) <= _LONGEST_DETAIL:
        return detail
    return f"{detail[:150]} … {detail[-120:]}"


def _field_errors(error: jsonschema_rs.ValidationError, prefix: str) -> list[FieldError]:
    """One jsonschema-rs error as field errors: one per unexpected property."""
    at = prefix + "".join("/" + escape_pointer(str(part)) for part in error.instance_path)
    kind = error.kind.name
    if kind == "required":
        name = error.kind.as_dict()["property"]
        return [
            FieldError(f"{at}/{escape_pointer(name)}", f"{json_text(name)} is a required property")
        ]
    if kind in _UNEXPECTED:
        names = error.kind.as_dict()["unexpected"]
        return [
            FieldError(
                f"{at}/{escape_pointer(name)}",
                f"{json_text(name)} is not allowed here ({kind} false)",
            )
            for name in names
        ]
    if kind in _REFUSED:
        name = json_text(error.instance_path[-1]) if error.instance_path else "the value"
        return [FieldError(at, f"{name} {error.message}")]
    return [FieldError(at, _shortened(error.message))]


class ErrorList(NamedTuple):
    """The errors listed for one value, how many more were found, and whether all were
    looked for (False: only in the value's first ``COUNTED_VALUES`` values)."""

    listed: tuple[FieldError, ...]
    unlisted: int
    all_counted: bool = True


class SchemaCheck:
    """One compiled schema: ``passes(value)`` on the hot path, ``errors`` when it says no."""

    __slots__ = ("_validator", "passes")

    def __init__(self, validator: jsonschema_rs.Validator) -> None:
        self._validator = validator
        self.passes = validator.is_valid

    def errors(self, value: Any, prefix: str) -> ErrorList:
        """At most ``MAX_LISTED`` errors of a ``value`` that does not pass (pointers under
        ``prefix``), and how many more there were: in a value of more than ``COUNTED_VALUES``
        values, among its first ones (``prefix.py``), so the work is bounded at any size."""
        with collector_paused():  # thousands of errors: the collector would pass often
            part = prefix_of(value)
            try:
                found = self._validator.iter_errors(part.value)
            except ValueError as error:  # jsonschema-rs hands back no value 256 levels deep
                reason = str(error).partition("\n")[0]
                return ErrorList((FieldError(prefix, f"its errors cannot be listed: {reason}"),), 0)
            listed, more = _counted(found, part, prefix)
        if part.cut and not listed:  # the errors lie past the values looked at
            listed = (FieldError(prefix, _PAST_COUNTED),)
        return ErrorList(listed, more, not part.cut)


def _counted(
    found: Iterable[jsonschema_rs.ValidationError], part: Prefix, prefix: str
) -> tuple[tuple[FieldError, ...], int]:
    """The first ``MAX_LISTED`` field errors of those ``found`` in ``part`` that the whole
    value has too, and how many more there are."""
    listed: list[FieldError] = []
    more = 0
    for error in found:
        if part.cut and not _holds(part, error):
            continue
        if len(listed) < MAX_LISTED:
            listed.extend(_field_errors(error, prefix))
        elif error.kind.name in _UNEXPECTED:  # one field error per unexpected property
            more += len(error.kind.as_dict()["unexpected"])
        else:
            more += 1
    if len(listed) > MAX_LISTED:  # the last error named several unexpected properties
        more += len(listed) - MAX_LISTED
        del listed[MAX_LISTED:]
    return tuple(listed), more


_PAST_COUNTED: Final = (
    "does not match its schema; its errors are not listed "
    f"(they were looked for in its first {COUNTED_VALUES:,} values only)"
)


def _holds(part: Prefix, error: jsonschema_rs.ValidationError) -> bool:
    """Whether an error of a value's prefix is one of the whole value."""
    kind = error.kind.name
    missing = error.kind.as_dict()["property"] if kind == "required" else None
    return part.holds(tuple(error.instance_path), kind, missing)


def _offline(uri: str) -> Any:
    raise ValueError(f"{uri} is not part of the description (mockproxy never fetches schemas)")


class SchemaEngine:
    """jsonschema-rs's registry of one description's documents, and its compiled checks."""

    _serials = itertools.count(1)

    def __init__(self, documents: Mapping[str, Any], serial: int | None = None) -> None:
        self.documents = documents
        """URI -> document, as loaded: what a worker process needs to make the same engine.
        The dialect's copy of them lives in jsonschema-rs only, not twice in memory."""
        self.serial = next(self._serials) if serial is None else serial
        """Tells engines apart across processes (a worker remembers engines by it)."""
        self._registry = jsonschema_rs.Registry(
            openapi_documents(documents), draft=jsonschema_rs.Draft202012, retriever=_offline
        )
        self._checks: dict[tuple[str, Direction], SchemaCheck] = {}

    def check(self, uri: str, direction: Direction) -> SchemaCheck:
        """The compiled check of the schema at ``uri`` (compiled on first use, then kept).

        A schema jsonschema-rs refuses (one that is not valid JSON Schema) is logged as
        ``validation.schema_skipped`` and accepts every value."""
        key = (uri, direction)
        known = self._checks.get(key)
        if known is not None:
            return known
        keywords = _REFUSING[direction]
        try:
            validator = jsonschema_rs.Draft202012Validator(
                {"$ref": uri},
                registry=self._registry,
                validate_formats=True,
                formats=dict(FORMATS),
                keywords=dict(keywords),
                offline=True,
            )
        except (jsonschema_rs.ReferencingError, ValueError) as error:
            reason = str(error).partition("\n")[0]
            log.warning("validation.schema_skipped", schema=uri, reason=reason)
            validator = jsonschema_rs.Draft202012Validator(True)
        self._checks[key] = compiled = SchemaCheck(validator)
        return compiled


_ENGINES: Final[Memo[int, tuple[ApiSpec, SchemaEngine]]] = Memo("schema engines", SCHEMA_ENGINES)


def _documents(spec: ApiSpec) -> Iterable[tuple[str, Any]]:
    registry = spec.registry
    return ((uri, registry[uri].contents) for uri in registry)


def engine_for(spec: ApiSpec) -> SchemaEngine:
    """The engine of a loaded description: made once, shared by request validation, verify
    mode's response checks and the example checks (``memo.SCHEMA_ENGINES`` are kept)."""
    known = _ENGINES.get(id(spec))
    if known is not None and known[0] is spec:
        return known[1]
    engine = SchemaEngine(dict(_documents(spec)))
    _ENGINES.remember(id(spec), (spec, engine))
    return engine
