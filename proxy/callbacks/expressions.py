"""OpenAPI runtime expressions over one answered request: ``{$request.body#/url}`` and kin.

The grammar of OpenAPI 3 (``$url``, ``$method``, ``$statusCode``, ``$request.`` and
``$response.`` followed by ``header.NAME``, ``query.NAME``, ``path.NAME`` or
``body[#/json/pointer]``), embedded in braces in a template: the callback's URL
(``{$request.body#/callbackUrl}``, ``https://x.test/{$request.query.id}``), header values,
and string values of a config-declared body. Pure functions over ``Exchanged``.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final, NamedTuple, Protocol

from proxy.memo import EXPRESSIONS
from proxy.openapi.documents import pointer_tokens

__all__ = [
    "BodyPointer",
    "Exchanged",
    "ExchangedValues",
    "ExpressionError",
    "MissingValue",
    "evaluate",
    "expand",
    "request_body_pointers",
    "substitute",
    "template_errors",
]


class ExpressionError(ValueError):
    """A runtime expression that does not follow the grammar (found when loading)."""


class MissingValue(LookupError):
    """An expression that names something this request or answer does not hold."""


class Exchanged(Protocol):
    """The answered request as the expressions read it; bodies are parsed JSON (or None).

    Headers are case-insensitive mappings (a CIMultiDict): expressions name them in any case.
    """

    @property
    def url(self) -> str: ...
    @property
    def method(self) -> str: ...
    @property
    def status(self) -> int: ...
    @property
    def request_headers(self) -> Mapping[str, str]: ...
    @property
    def query(self) -> Mapping[str, str]: ...
    @property
    def path(self) -> Mapping[str, str]: ...
    @property
    def request_body(self) -> Any: ...
    @property
    def response_headers(self) -> Mapping[str, str]: ...
    @property
    def response_body(self) -> Any: ...


@dataclass(frozen=True, slots=True)
class ExchangedValues:
    """An ``Exchanged`` given as values (mock answers give a lazy one: ``mock/simulate.py``)."""

    url: str
    method: str
    status: int
    request_headers: Mapping[str, str] = field(default_factory=dict)
    query: Mapping[str, str] = field(default_factory=dict)
    path: Mapping[str, str] = field(default_factory=dict)
    request_body: Any = None
    response_headers: Mapping[str, str] = field(default_factory=dict)
    response_body: Any = None


_EMBEDDED: Final = re.compile(r"\{(\$[^{}]*)\}")
_SOURCE: Final = re.compile(r"^\$(request|response)\.(header|query|path)\.(.+)$")
_BODY: Final = re.compile(r"^\$(request|response)\.body(?:#(.*))?$")


class _Expression(NamedTuple):
    """A checked expression: what it reads (``$url``, ``$method``, ``$statusCode``,
    ``header``, ``query``, ``path`` or ``body``), from which side, the name, and a body
    pointer's unescaped tokens."""

    reads: str
    side: str = ""
    name: str = ""
    tokens: tuple[str, ...] = ()


@functools.lru_cache(maxsize=EXPRESSIONS)
def _parsed(expression: str) -> _Expression:
    """The expression checked and split once: the same few come with every request."""
    if expression in ("$url", "$method", "$statusCode"):
        return _Expression(expression)
    source = _SOURCE.match(expression)
    if source is not None:
        side, reads, name = source.groups()
        if side == "response" and reads != "header":
            raise ExpressionError(f"{expression}: an answer has only header and body, not {reads}")
        return _Expression(reads, side, name)
    body = _BODY.match(expression)
    if body is None:
        raise ExpressionError(
            f"{expression}: expected $url, $method, $statusCode, or $request./$response. "
            "followed by header.NAME, query.NAME, path.NAME or body#/pointer"
        )
    pointer = body.group(2) or ""
    if pointer and not pointer.startswith("/"):
        raise ExpressionError(f"{expression}: a JSON pointer starts with '/'")
    return _Expression("body", body.group(1), pointer, tuple(pointer_tokens(pointer)))


def template_errors(template: str) -> list[str]:
    """Every malformed expression embedded in ``template`` (for start-up errors)."""
    errors = []
    for match in _EMBEDDED.finditer(template):
        try:
            _parsed(match.group(1))
        except ExpressionError as error:
            errors.append(str(error))
    return errors


_ABSENT: Final[Any] = object()


def _resolved(document: Any, tokens: tuple[str, ...]) -> Any:
    """RFC 6901 resolution of unescaped tokens, arrays by index; ``_ABSENT`` where the
    document has nothing."""
    value = document
    for token in tokens:
        if isinstance(value, dict) and token in value:
            value = value[token]
        elif isinstance(value, list) and token.isdigit() and int(token) < len(value):
            value = value[int(token)]
        else:
            return _ABSENT
    return value


def _body_value(document: Any, text: str, parsed: _Expression) -> tuple[Any, str | None]:
    """The value a body expression names in ``document`` (a body read as JSON, None if it is
    not), or ``_ABSENT`` and why: one wording for ``evaluate`` and ``BodyPointer``."""
    if document is None:
        return _ABSENT, f"{text}: the {parsed.side} has no JSON body"
    value = _resolved(document, parsed.tokens)
    if value is _ABSENT:
        return _ABSENT, f"{text}: the body has nothing at {parsed.name}"
    return value, None


class BodyPointer(NamedTuple):
    """A value a template reads from the request body, checked without an answered request."""

    expression: str
    parsed: _Expression

    def missing_from(self, document: Any) -> str | None:
        """Why ``document`` (the request body read as JSON, None if it is not) lacks the
        value, as ``evaluate`` would say; None when it holds it."""
        return _body_value(document, self.expression, self.parsed)[1]


def request_body_pointers(template: str) -> tuple[BodyPointer, ...]:
    """The request-body values ``template`` names (``{$request.body#/callbackUrl}``): known
    at load, so a request lacking one is told apart before anything is expanded."""
    pointers = []
    for match in _EMBEDDED.finditer(template):
        try:
            parsed = _parsed(match.group(1))
        except ExpressionError:
            continue  # reported at load by template_errors
        if parsed.reads == "body" and parsed.side == "request":
            pointers.append(BodyPointer(match.group(1), parsed))
    return tuple(pointers)


def evaluate(expression: str, exchanged: Exchanged) -> Any:
    """The value an expression names (typed: a body pointer may give a number or an object)."""
    parsed = _parsed(expression)
    reads, side, name = parsed.reads, parsed.side, parsed.name
    if reads == "$url":
        return exchanged.url
    if reads == "$method":
        return exchanged.method
    if reads == "$statusCode":
        return exchanged.status
    if reads == "body":
        document = exchanged.request_body if side == "request" else exchanged.response_body
        value, missing = _body_value(document, expression, parsed)
        if missing is not None:
            raise MissingValue(missing)
        return value
    table: Mapping[str, str] = {
        ("request", "header"): exchanged.request_headers,
        ("request", "query"): exchanged.query,
        ("request", "path"): exchanged.path,
        ("response", "header"): exchanged.response_headers,
    }[(side, reads)]
    if name not in table:
        raise MissingValue(f"{expression}: the {side} has no {reads} {name!r}")
    return table[name]


def _text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))


def expand(template: str, exchanged: Exchanged) -> str:
    """The template with every ``{expression}`` replaced by its value as text."""
    return _EMBEDDED.sub(lambda match: _text(evaluate(match.group(1), exchanged)), template)


def substitute(value: Any, exchanged: Exchanged) -> Any:
    """A JSON value with its strings expanded; a string that is one whole ``{expression}``
    takes the value's own type (``"{$response.body#/pages}"`` -> ``3``)."""
    if isinstance(value, str):
        whole = _EMBEDDED.fullmatch(value)
        if whole is not None:
            return evaluate(whole.group(1), exchanged)
        return expand(value, exchanged)
    if isinstance(value, dict):
        return {key: substitute(item, exchanged) for key, item in value.items()}
    if isinstance(value, list):
        return [substitute(item, exchanged) for item in value]
    return value
