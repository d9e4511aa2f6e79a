"""The spec-based responder: turns a matched request into the documented response's bytes.

Order of checks, as a real API would: credentials (401), the client's preferences (400 for an
undocumented code or example), request validation (the validator, when the operation has one),
then the response itself, as plain values (``MockReply``). Static replies are kept, finished,
in the loaded configuration's mock-answer cache (``answers.py``).
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Container, Mapping
from dataclasses import dataclass
from typing import Any, Final

from aiohttp import hdrs, web
from multidict import CIMultiDict

from proxy.catalog import PreparedOperation
from proxy.fields import OPERATION_HEADER, SOURCE_HEADER
from proxy.media_types import written_as_json
from proxy.mock.choose import (
    Choice,
    checked_example,
    choose_media_type,
    choose_response,
    example_named,
    parse_accept,
)
from proxy.mock.generate import Direction, generate
from proxy.mock.prefer import Preferences
from proxy.mock.realistic import DEFAULT_LOCALE, realistic_random
from proxy.mock.render import render_body
from proxy.openapi.model import (
    NO_EXAMPLE,
    Header,
    MediaType,
    Operation,
    Response,
    find_response,
)
from proxy.problems import ProblemError
from proxy.security import Credentials
from proxy.validation import COUNTED_VALUES, ValidationResult

__all__ = [
    "MockReply",
    "credentials_of",
    "invalid_reply",
    "is_static",
    "mock_reply",
    "reply_to_response",
    "response_headers",
    "unauthorized_reply",
]

_NO_BODY_STATUSES: Final = frozenset({204, 205, 304})
# X-Request-Id is the request's own id, which the request context adds to every answer
_SKIPPED_HEADERS: Final = frozenset(
    {"content-type", "content-length", "transfer-encoding", "x-request-id"}
)
_PROMPTING_SCHEMES: Final = frozenset({"basic", "digest"})


@dataclass(frozen=True, slots=True)
class MockReply:
    """A finished mock response as plain values."""

    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes
    content_type: str | None


class _NamesOnDemand(Container[str]):
    """Names read from the request only when a security scheme asks for them."""

    __slots__ = ("_load", "_names")

    def __init__(self, load: Callable[[], Container[str]]) -> None:
        self._load = load
        self._names: Container[str] | None = None

    def __contains__(self, name: object) -> bool:
        if self._names is None:
            self._names = self._load()
        return name in self._names


def credentials_of(request: web.Request) -> Credentials:
    """The request's credential-shaped parts; query and cookies are parsed only if asked."""
    return Credentials(
        authorization=request.headers.get(hdrs.AUTHORIZATION),
        header_names=request.headers,
        query_names=_NamesOnDemand(lambda: request.rel_url.query),
        cookie_names=_NamesOnDemand(lambda: request.cookies),
    )


def _header_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ",".join(_header_text(item) for item in value)
    if isinstance(value, dict):
        return ",".join(f"{k},{_header_text(v)}" for k, v in value.items())
    if value is None:
        return ""
    return str(value)


def _header_value(header: Header, rng: random.Random | None) -> str | None:
    if header.example is not NO_EXAMPLE and rng is None:
        return _header_text(header.example)
    if header.schema is None:
        return None
    return _header_text(generate(header.schema, rng=rng, direction=Direction.RESPONSE))


def _documented_headers(
    response: Response, rng: random.Random | None
) -> tuple[tuple[str, str], ...]:
    pairs = []
    for header in response.headers:
        if header.name.lower() in _SKIPPED_HEADERS:
            continue
        value = _header_value(header, rng)
        if value is not None:
            pairs.append((header.name, value))
    return tuple(pairs)


def _body_value(
    media: MediaType, example_name: str | None, rng: random.Random | None
) -> tuple[Any, bool]:
    """The value to send and whether it is a documented example (else generated)."""
    named = example_named(media, example_name)
    if named is not None:
        return named.value, True
    if rng is None:
        if media.example is not NO_EXAMPLE:
            return media.example, True
        if media.examples:
            return media.examples[0].value, True
    if media.schema is None:
        return NO_EXAMPLE, False
    return generate(media.schema, rng=rng, direction=Direction.RESPONSE), False


def _body_bytes(media: MediaType, example_name: str | None, rng: random.Random | None) -> bytes:
    value, documented = _body_value(media, example_name, rng)
    if value is NO_EXAMPLE:
        return b""
    if documented and isinstance(value, str) and not written_as_json(media.media_type):
        return value.encode()  # an XML, HTML or text example is the body as written
    return render_body(value, media.media_type, media.schema)


def is_static(preferences: Preferences, dynamic_default: bool) -> bool:
    """Whether the same request always gets the same reply (no dynamic data, no seed)."""
    if preferences.seed is not None:
        return False
    return not (preferences.dynamic if preferences.dynamic is not None else dynamic_default)


def _rng_for(preferences: Preferences, dynamic_default: bool, locale: str) -> random.Random | None:
    """None for a static answer; else the answer's random source, carrying its Faker locale."""
    dynamic = preferences.dynamic if preferences.dynamic is not None else dynamic_default
    if preferences.seed is not None:
        return realistic_random(preferences.seed, locale)
    return realistic_random(None, locale) if dynamic else None


def render_choice(
    operation: Operation, choice: Choice, accept: str | None, rng: random.Random | None
) -> MockReply:
    """Body and headers for a chosen response: its examples, or data made with ``rng``."""
    response = choice.response
    media: MediaType | None = None
    if response.content and choice.status not in _NO_BODY_STATUSES:
        media = choose_media_type(response.content, parse_accept(accept), choice.example_name)
        if media is None:
            raise _not_acceptable(accept, [m.media_type for m in response.content])
    elif operation.produces and choice.status not in _NO_BODY_STATUSES:
        # Swagger 2.0: a response without a schema still answers only what `produces` lists
        declared = tuple(MediaType(media_type, None) for media_type in operation.produces)
        if choose_media_type(declared, parse_accept(accept)) is None:
            raise _not_acceptable(accept, list(operation.produces))
    body = _body_bytes(media, choice.example_name, rng) if media else b""
    headers = _documented_headers(response, rng)
    return MockReply(
        status=choice.status,
        headers=headers,
        body=body,
        content_type=media.media_type if media else None,
    )


def _not_acceptable(accept: str | None, available: list[str]) -> ProblemError:
    return ProblemError(
        406,
        "not-acceptable",
        f"none of the documented media types fits Accept: {accept}; "
        f"documented: {', '.join(available)}",
        available_media_types=available,
    )


def unauthorized_reply(
    prepared: PreparedOperation, accept: str | None, from_script: bool = False
) -> MockReply:
    """The documented 401 (its example, else a body made from its schema), else, where the
    spec documents no 401, the conventional JSON message.

    ``from_script`` (``X-Requested-With: XMLHttpRequest``) leaves out the Basic and Digest
    challenges, which would make a browser pop up its own login dialog over the page's fetch
    (the convention Spring Security and others follow); every other caller gets them all.
    """
    challenges = tuple(
        (hdrs.WWW_AUTHENTICATE, c)
        for c in prepared.security.challenges
        if not (from_script and c.split(" ", 1)[0].lower() in _PROMPTING_SCHEMES)
    )
    documented = find_response(prepared.operation, 401)
    if documented is not None and documented.status == "401":
        media = choose_media_type(documented.content, parse_accept(accept))
        if media is not None or not documented.content:
            reply = render_choice(prepared.operation, Choice(401, documented), accept, None)
            return MockReply(401, reply.headers + challenges, reply.body, reply.content_type)
    body = json.dumps({"code": 401, "message": prepared.security.message()}).encode()
    return MockReply(401, challenges, body, "application/json")


def invalid_reply(
    prepared: PreparedOperation,
    result: ValidationResult,
    accept: str | None,
    example: str | None = None,
) -> MockReply:
    """The answer to an invalid request: what the spec documents for it, else a problem.

    For a request that fails validation the documented 422, else 400, else ``default`` is
    sent with its example (the one named by ``example``, when asked for: a name it does not
    have is a 404 problem, as in Prism), so the body is what the real API would send; 415 and
    501 are answered only as documented. Without a documented answer: a problem listing the
    errors.
    """
    operation = prepared.operation
    candidates = ("422", "400", "default") if result.status in (400, 422) else (str(result.status),)
    by_status = {r.status.lower(): r for r in operation.responses}
    for status in candidates:
        response = by_status.get(status)
        if response is not None:
            code = result.status if status == "default" else int(status)
            named = checked_example(operation, response, example)
            return render_choice(operation, Choice(code, response, named), accept, None)
    kinds = {400: "malformed-request", 415: "unsupported-media-type", 501: "not-supported"}
    count, extensions = _error_listing(result)
    raise ProblemError(
        result.status,
        kinds.get(result.status, "invalid-request"),
        f"the request does not match {operation.key}: {count}",
        operation_id=operation.key,
        **extensions,
    )


def _error_listing(result: ValidationResult) -> tuple[str, dict[str, Any]]:
    """How many errors an invalid request has, in words, and the problem's members for them:
    ``errors``, ``errors_not_listed`` and, where the body was looked at in part only,
    ``errors_counted_in_first_values``."""
    found = len(result.errors) + result.unlisted
    extensions: dict[str, Any] = {"errors": [error.as_json() for error in result.errors]}
    if result.all_counted:
        count = f"{found:,} error(s)"
    else:
        count = f"at least {found:,} error(s) in the body's first {COUNTED_VALUES:,} values"
        extensions["errors_counted_in_first_values"] = COUNTED_VALUES
    if result.unlisted:
        extensions["errors_not_listed"] = result.unlisted
        count += f", the first {len(result.errors)} listed"
    return count, extensions


def mock_reply(
    prepared: PreparedOperation,
    preferences: Preferences,
    accept: str | None,
    dynamic: bool,
    locale: str = DEFAULT_LOCALE,
) -> MockReply:
    """The mock's answer to a request already matched to ``prepared``, whose credentials
    were checked (and which was validated); ``dynamic`` is the configured default, ``locale``
    the API's for realistic dynamic values.

    A 401 asked for without a named example is the one missing credentials get (the
    documented example, else the conventional message), never data generated for it; an
    operation whose security the mock enforces answers it even where no 401 is documented.
    """
    if preferences.code == "401" and preferences.example is None and prepared.security.required:
        return unauthorized_reply(prepared, accept)
    choice = choose_response(prepared.operation, preferences)
    if choice.status == 401 and choice.example_name is None:
        return unauthorized_reply(prepared, accept)
    rng = _rng_for(preferences, dynamic, locale)
    return render_choice(prepared.operation, choice, accept, rng)


def response_headers(
    reply: MockReply, operation_key: str, extra_headers: Mapping[str, str]
) -> CIMultiDict[str]:
    headers: CIMultiDict[str] = CIMultiDict(reply.headers)
    headers[SOURCE_HEADER] = "mock"
    headers[OPERATION_HEADER] = operation_key
    headers.update(extra_headers)
    if reply.content_type and reply.status not in _NO_BODY_STATUSES:
        headers[hdrs.CONTENT_TYPE] = reply.content_type
    return headers


def body_to_send(reply: MockReply) -> bytes | None:
    # aiohttp sends no body for HEAD itself, keeping Content-Length
    return None if reply.status in _NO_BODY_STATUSES else reply.body


def reply_to_response(
    reply: MockReply, operation_key: str, extra_headers: Mapping[str, str]
) -> web.Response:
    """An aiohttp response for a reply (no body for HEAD, 204, 205 and 304)."""
    headers = response_headers(reply, operation_key, extra_headers)
    return web.Response(status=reply.status, body=body_to_send(reply), headers=headers)
