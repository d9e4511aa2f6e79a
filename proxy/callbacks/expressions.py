"""OpenAPI runtime expressions over one answered request: ``{$request.body#/url}`` and kin.

The grammar of OpenAPI 3 (``$url``, ``$method``, ``$statusCode``, ``$request.`` and
``$response.`` followed by ``header.NAME``, ``query.NAME``, ``path.NAME`` or
``body[#/json/pointer]``), embedded in braces in a template: the callback's URL
(``{$request.body#/callbackUrl}``, ``https://x.test/{$request.query.id}``), header values,
and string values of a config-declared body. Pure functions over ``Exchanged``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

__all__ = [
    "Exchanged",
    "ExpressionError",
    "MissingValue",
    "evaluate",
    "expand",
    "substitute",
    "template_errors",
]


class ExpressionError(ValueError):
    """A runtime expression that does not follow the grammar (found when loading)."""


class MissingValue(LookupError):
    """An expression that names something this request or answer does not hold."""


@dataclass(frozen=True, slots=True)
class Exchanged:
    """The answered request as the expressions see it; bodies are parsed JSON (or None)."""

    url: str
    method: str
    status: int
    request_headers: Mapping[str, str] = field(default_factory=dict)
    """Case-insensitive (a CIMultiDict): expressions name headers in any case."""
    query: Mapping[str, str] = field(default_factory=dict)
    path: Mapping[str, str] = field(default_factory=dict)
    request_body: Any = None
    response_headers: Mapping[str, str] = field(default_factory=dict)
    response_body: Any = None


_EMBEDDED: Final = re.compile(r"\{(\$[^{}]*)\}")
_SOURCE: Final = re.compile(r"^\$(request|response)\.(header|query|path)\.(.+)$")
_BODY: Final = re.compile(r"^\$(request|response)\.body(?:#(.*))?$")


def _check(expression: str) -> None:
    if expression in ("$url", "$method", "$statusCode"):
        return
    source = _SOURCE.match(expression)
    if source is not None:
        if source.group(1) == "response" and source.group(2) != "header":
            raise ExpressionError(
                f"{expression}: an answer has only header and body, not {source.group(2)}"
            )
        return
    body = _BODY.match(expression)
    if body is None:
        raise ExpressionError(
            f"{expression}: expected $url, $method, $statusCode, or $request./$response. "
            "followed by header.NAME, query.NAME, path.NAME or body#/pointer"
        )
    pointer = body.group(2)
    if pointer and not pointer.startswith("/"):
        raise ExpressionError(f"{expression}: a JSON pointer starts with '/'")


def template_errors(template: str) -> list[str]:
    """Every malformed expression embedded in ``template`` (for start-up errors)."""
    errors = []
    for match in _EMBEDDED.finditer(template):
        try:
            _check(match.group(1))
        except ExpressionError as error:
            errors.append(str(error))
    return errors


def _pointer(document: Any, pointer: str, expression: str) -> Any:
    """RFC 6901 resolution: ``~1`` is '/', ``~0`` is '~', arrays by index."""
    value = document
    for raw in pointer.split("/")[1:]:
        token = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(value, dict) and token in value:
            value = value[token]
        elif isinstance(value, list) and token.isdigit() and int(token) < len(value):
            value = value[int(token)]
        else:
            raise MissingValue(f"{expression}: the body has nothing at {pointer}")
    return value


def evaluate(expression: str, exchanged: Exchanged) -> Any:
    """The value an expression names (typed: a body pointer may give a number or an object)."""
    _check(expression)
    if expression == "$url":
        return exchanged.url
    if expression == "$method":
        return exchanged.method
    if expression == "$statusCode":
        return exchanged.status
    body = _BODY.match(expression)
    if body is not None:
        document = exchanged.request_body if body.group(1) == "request" else exchanged.response_body
        if document is None:
            raise MissingValue(f"{expression}: the {body.group(1)} has no JSON body")
        return _pointer(document, body.group(2) or "", expression)
    source = _SOURCE.match(expression)
    assert source is not None  # _check accepted it
    side, kind, name = source.groups()
    table: Mapping[str, str] = {
        ("request", "header"): exchanged.request_headers,
        ("request", "query"): exchanged.query,
        ("request", "path"): exchanged.path,
        ("response", "header"): exchanged.response_headers,
    }[(side, kind)]
    if name not in table:
        raise MissingValue(f"{expression}: the {side} has no {kind} {name!r}")
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
