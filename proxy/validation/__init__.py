"""Request validation against the operation: compiled once per operation, all errors at once.

``compile_validator(operation, spec)`` prepares, at load, a jsonschema-rs check per schema
(``schemas.py``) and a reading shape per parameter; ``OperationValidator.validate(parts)``
then parses and asks the check whether the value passes, and lists the errors (at most
``MAX_LISTED``, the rest counted) only when it does not. A JSON body over
``OFF_LOOP_BYTES`` is read and judged in a worker process (``validate_off_loop``,
``offload.py``) so the event loop keeps answering. Errors carry a JSON pointer into the
request (``/path/jobId``, ``/query/limit``, ``/header/X-Id``, ``/cookie/session``,
``/body/recipients/0/number``) and a detail.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, NamedTuple

from proxy.media_types import covers, media_base
from proxy.memo import PARAMETER_VERDICTS, remember
from proxy.openapi.model import ApiSpec, MediaType, Operation, Parameter, ParameterLocation, Schema
from proxy.validation import offload
from proxy.validation.bodies import NOT_READ, UNREAD, BodyError, Parser, parser_for
from proxy.validation.forms import FormRules, empty_query_verdict
from proxy.validation.params import MISSING, Shape, deserialize, query_pairs, shape_of
from proxy.validation.prefix import COUNTED_VALUES
from proxy.validation.schemas import (
    MAX_LISTED,
    Direction,
    FieldError,
    SchemaCheck,
    SchemaEngine,
    engine_for,
    json_text,
)

__all__ = [
    "COUNTED_VALUES",
    "MAX_LISTED",
    "OFF_LOOP_BYTES",
    "FieldError",
    "OperationValidator",
    "RequestParts",
    "ValidationResult",
    "compile_validator",
]

_SCALARS: Final = (str, int, float, bool)
OFF_LOOP_BYTES: Final = 256 * 1024
"""JSON bodies longer than this are read and judged in the worker process: orjson and
jsonschema-rs hold the GIL while they work, about 1 ms per 20 KB here, so a thread would
not free the event loop."""


@dataclass(slots=True)  # made once per request: a frozen __init__ costs more than it guards
class RequestParts:
    """A request as plain values (header and cookie names as sent; headers case-insensitive)."""

    path_params: Mapping[str, str]
    query_string: str
    headers: Mapping[str, str]
    cookies: Mapping[str, str]
    content_type: str | None
    body: bytes


class ValidationResult(NamedTuple):
    """``status`` 200 when valid; else 400 (unreadable), 415 (media type), 422 (invalid).

    ``errors`` lists at most ``MAX_LISTED`` errors per value; ``unlisted`` counts the rest
    (when ``all_counted`` is False, only those in the body's first ``COUNTED_VALUES`` values,
    so there may be more). A tuple, cheaper to build than a frozen dataclass. ``json_body``
    is a valid JSON body as read, for callbacks (``NOT_READ`` otherwise)."""

    errors: tuple[FieldError, ...]
    status: int
    unlisted: int = 0
    all_counted: bool = True
    json_body: Any = NOT_READ

    @property
    def valid(self) -> bool:
        return not self.errors


class _BodyVerdict(NamedTuple):
    status: int
    errors: Sequence[FieldError]
    unlisted: int = 0
    all_counted: bool = True
    json_body: Any = NOT_READ


VALID: Final = ValidationResult((), 200)  # every valid request without a JSON body
_BODY_READ: Final = _BodyVerdict(200, ())


@dataclass(frozen=True, slots=True)
class _CompiledParameter:
    parameter: Parameter
    shape: Shape
    check: SchemaCheck | None
    pointer: str
    path_name: str | None
    """The name of a path parameter (whose errors are memoised by its raw text); else None."""
    empty_allowed: bool | None
    """A query parameter's ``allowEmptyValue`` where the description wrote it; else None."""


@dataclass(frozen=True, slots=True)
class _CompiledMedia:
    media: MediaType
    base: str
    shape: Shape | None
    check: SchemaCheck | None
    schema_uri: str | None
    """Where the schema is, for the worker process to compile it again."""
    rules: FormRules | None
    """What a form's fields refuse outside the schema (``forms.py``); None for most."""


class OperationValidator:
    """Everything needed to validate requests of one operation."""

    def __init__(
        self,
        parameters: tuple[_CompiledParameter, ...],
        media: tuple[_CompiledMedia, ...],
        body_required: bool,
        engine: SchemaEngine,
    ) -> None:
        self._parameters = parameters
        self._media = media
        self._body_required = body_required
        self._engine = engine
        self._has_body = bool(media)
        self._memo: dict[tuple[str, type, Any], tuple[FieldError, ...]] = {}
        self._path_memo: dict[tuple[str, str], tuple[FieldError, ...]] = {}
        self._media_memo: dict[str, tuple[_CompiledMedia | None, Parser]] = {}
        self.reads_cookies = any(
            c.parameter.location is ParameterLocation.COOKIE for c in parameters
        )
        """Whether any parameter is a cookie: if not, callers need not parse the Cookie header."""
        self.reads_headers = any(
            c.parameter.location is ParameterLocation.HEADER for c in parameters
        )
        """Whether any parameter is a header (then header values, too, decide validity)."""

    def validate(self, parts: RequestParts) -> ValidationResult:
        """Every error of the request at once; ``VALID`` when there is none.

        Here, on the caller's thread, whatever the body's size: ``validate_off_loop`` is the
        one an event loop awaits."""
        errors = self._parameter_errors(parts)
        if not self._has_body:
            if parts.body:
                return _joined(errors, _undocumented_body(parts))
            return ValidationResult(tuple(errors), 422) if errors else VALID
        return _joined(errors, self._body(parts))

    async def validate_off_loop(self, parts: RequestParts) -> ValidationResult:
        """``validate``, with a JSON body over ``OFF_LOOP_BYTES`` read and judged in the
        worker process while the event loop goes on."""
        if len(parts.body) <= OFF_LOOP_BYTES or not parts.content_type:
            return self.validate(parts)
        compiled, read = self._media_for(parts.content_type)
        if compiled is None or compiled.schema_uri is None or read is not _JSON_READER:
            return self.validate(parts)
        errors = self._parameter_errors(parts)
        verdict = await offload.judge_json(self._engine, compiled.schema_uri, parts.body)
        if verdict is None:  # the worker could not be reached: judged here after all
            return self.validate(parts)
        return _joined(errors, _BodyVerdict(*verdict))

    def _parameter_errors(self, parts: RequestParts) -> list[FieldError]:
        """A valid request takes few calls: memoised path parameters are looked up here, and
        only a text not seen before is judged (``_judge_path``)."""
        errors: list[FieldError] = []
        pairs: Sequence[tuple[str, str]] | None = None
        known: Sequence[FieldError] | None
        for compiled in self._parameters:
            name = compiled.path_name
            if name is not None:
                raw = parts.path_params.get(name)
                if raw is None:
                    known = self._one_parameter_errors(compiled, parts, ())
                else:
                    known = self._path_memo.get((compiled.pointer, raw))
                    if known is None:
                        known = self._judge_path(compiled, parts, raw)
            else:
                if pairs is None:
                    pairs = query_pairs(parts.query_string) if parts.query_string else ()
                known = self._one_parameter_errors(compiled, parts, pairs)
            if known:
                errors.extend(known)
        return errors

    def _judge_path(
        self, compiled: _CompiledParameter, parts: RequestParts, raw: str
    ) -> tuple[FieldError, ...]:
        """A path parameter's errors depend on its raw text alone: judged once per text."""
        found = tuple(self._one_parameter_errors(compiled, parts, ()))
        return remember(self._path_memo, (compiled.pointer, raw), found, PARAMETER_VERDICTS)

    def _one_parameter_errors(
        self, compiled: _CompiledParameter, parts: RequestParts, pairs: Sequence[tuple[str, str]]
    ) -> Sequence[FieldError]:
        parameter = compiled.parameter
        if compiled.empty_allowed is not None and pairs:
            verdict = empty_query_verdict(
                parameter.name, compiled.pointer, compiled.empty_allowed, pairs
            )
            if verdict is not None:
                return verdict
        try:
            value = deserialize(
                parameter, compiled.shape, parts.path_params, pairs, parts.headers, parts.cookies
            )
        except ValueError as error:
            return (FieldError(compiled.pointer, f"cannot be read: {error}"),)
        if value is MISSING:
            if parameter.required:
                return (
                    FieldError(
                        compiled.pointer,
                        f"required {parameter.location.value} parameter "
                        f"{json_text(parameter.name)} is missing",
                    ),
                )
            return ()
        if compiled.check is not None:
            return self._scalar_errors(compiled, compiled.check, value)
        return ()

    def _scalar_errors(
        self, compiled: _CompiledParameter, check: SchemaCheck, value: Any
    ) -> tuple[FieldError, ...]:
        """Parameter errors; for scalars memoised, as the same value always gives the same."""
        key = (compiled.pointer, type(value), value) if isinstance(value, _SCALARS) else None
        if key is not None:
            known = self._memo.get(key)
            if known is not None:
                return known
        found = () if check.passes(value) else check.errors(value, compiled.pointer).listed
        if key is not None:
            remember(self._memo, key, found, PARAMETER_VERDICTS)
        return found

    def _body(self, parts: RequestParts) -> _BodyVerdict:
        if not parts.body:
            if self._body_required:
                return _BodyVerdict(400, (FieldError("/body", "a request body is required"),))
            return _BODY_READ
        if not parts.content_type:
            return _BodyVerdict(
                415, (FieldError("/header/Content-Type", "Content-Type is missing"),)
            )
        compiled, read = self._media_for(parts.content_type)
        if compiled is None:
            documented = ", ".join(m.media.media_type for m in self._media)
            detail = (
                f"{parts.content_type} is not a documented media type; documented: {documented}"
            )
            return _BodyVerdict(415, (FieldError("/header/Content-Type", detail),))
        try:
            value = read(parts.body, parts.content_type, compiled.media, compiled.shape)
        except BodyError as error:
            return _BodyVerdict(400, (FieldError(error.pointer, error.detail),))
        rules = compiled.rules
        broken = rules.errors(parts.body, parts.content_type) if rules is not None else ()
        if _value_passes(compiled, value):
            if broken:
                return _BodyVerdict(422, broken)
            return _BodyVerdict(200, (), json_body=value) if read is _JSON_READER else _BODY_READ
        assert compiled.check is not None  # without one every value passes
        if value is UNREAD:  # a structured type (_value_passes) this module cannot read
            detail = f"not supported: validating {compiled.base} request bodies against a schema"
            return _BodyVerdict(501, (FieldError("/body", detail),))
        listed, unlisted, all_counted = compiled.check.errors(value, "/body")
        errors = (*broken, *listed)
        return _BodyVerdict(422 if errors else 200, errors, unlisted, all_counted)

    def body_passes(self, content_type: str, body: bytes) -> ValidationResult | None:
        """A valid result when a non-empty ``body`` of a ``content_type`` that ``validate``
        has met before reads as its media type and meets its schema, for a request whose
        other parts are known to be valid. None is no error list: ``validate`` then gives it;
        a body over ``OFF_LOOP_BYTES`` is always left to it.
        """
        found = self._media_memo.get(content_type)
        if found is None or not body or len(body) > OFF_LOOP_BYTES:
            return None
        compiled, read = found
        if compiled is None:
            return None
        try:
            value = read(body, content_type, compiled.media, compiled.shape)
        except BodyError:
            return None
        if compiled.rules is not None and compiled.rules.errors(body, content_type):
            return None
        if not _value_passes(compiled, value):
            return None
        return ValidationResult((), 200, json_body=value) if read is _JSON_READER else VALID

    def _media_for(self, content_type: str) -> tuple[_CompiledMedia | None, Parser]:
        """The documented media type a Content-Type matches, and its reader: found once per
        Content-Type."""
        found = self._media_memo.get(content_type)
        if found is not None:
            return found
        base = media_base(content_type)
        found = (self._match(base), parser_for(base))
        return remember(self._media_memo, content_type, found, PARAMETER_VERDICTS)

    def _match(self, base: str) -> _CompiledMedia | None:
        return next((compiled for compiled in self._media if covers(compiled.base, base)), None)


_JSON_READER: Final = parser_for("application/json")


def _undocumented_body(parts: RequestParts) -> _BodyVerdict:
    """415 for a body sent to an operation that documents none (an empty one is no body)."""
    typed = f"of type {parts.content_type}" if parts.content_type else "without a Content-Type"
    detail = (
        f"a body {typed} ({len(parts.body)} bytes) was sent, "
        "but the operation documents no request body"
    )
    return _BodyVerdict(415, (FieldError("/header/Content-Type", detail),))


def _joined(errors: list[FieldError], body: _BodyVerdict) -> ValidationResult:
    """The parameters' errors and the body's verdict as one result."""
    if body.errors:
        errors.extend(body.errors)
        status = body.status if body.status in (400, 415, 501) else 422
        return ValidationResult(tuple(errors), status, body.unlisted, body.all_counted)
    if errors:
        return ValidationResult(tuple(errors), 422)
    json_body = body.json_body
    return VALID if json_body is NOT_READ else ValidationResult((), 200, json_body=json_body)


def _value_passes(compiled: _CompiledMedia, value: Any) -> bool:
    """A read body meets its media type's schema (if it has one); a body of a structured
    type this module cannot read (``UNREAD``) does not."""
    if compiled.check is None:
        return True
    if value is UNREAD:
        return not _structured(compiled.base)
    return compiled.check.passes(value)


def _structured(media_base_type: str) -> bool:
    """Media types whose bodies carry structure a schema speaks about, but no parser here."""
    return media_base_type.endswith(("/xml", "+xml", "/yaml", "+yaml"))


def _check(schema: Schema | None, engine: SchemaEngine, direction: Direction) -> SchemaCheck | None:
    return None if schema is None else engine.check(schema.uri, direction)


def _compile_parameter(parameter: Parameter, engine: SchemaEngine) -> _CompiledParameter:
    schema = parameter.schema or (parameter.content[0].schema if parameter.content else None)
    shape = shape_of(schema.contents, schema.resolver) if schema else Shape(("string",))
    return _CompiledParameter(
        parameter,
        shape,
        _check(schema, engine, Direction.PARAMETER),
        f"/{parameter.location.value}/{parameter.name}",
        parameter.name if parameter.location is ParameterLocation.PATH else None,
        parameter.allow_empty_value if parameter.location is ParameterLocation.QUERY else None,
    )


def _compile_media(media: MediaType, engine: SchemaEngine) -> _CompiledMedia:
    schema = media.schema
    shape = shape_of(schema.contents, schema.resolver) if schema else None
    base = media_base(media.media_type)
    return _CompiledMedia(
        media,
        base,
        shape,
        _check(schema, engine, Direction.REQUEST),
        schema.uri if schema else None,
        FormRules.of(media, base),
    )


def compile_validator(operation: Operation, spec: ApiSpec) -> OperationValidator:
    """Prepare the operation's validation (at load, once)."""
    engine = engine_for(spec)
    body = operation.request_body
    return OperationValidator(
        tuple(_compile_parameter(p, engine) for p in operation.parameters),
        tuple(_compile_media(m, engine) for m in body.content) if body else (),
        bool(body and body.required),
        engine,
    )
