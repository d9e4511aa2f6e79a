"""The mock's handler: credentials -> Prefer -> validation -> the documented answer.

Static answers come from the loaded configuration's mock-answer cache (``answers.py``);
a repeated request whose answer only its request line decides is one lookup there.
"""

from __future__ import annotations

import structlog
from aiohttp import hdrs, web

from proxy.body import read_body
from proxy.catalog import PreparedOperation
from proxy.exchange import Exchange
from proxy.fields import OPERATION_HEADER, SOURCE_HEADER
from proxy.mock.answers import MockAnswer, MockAnswers, reply_key, request_line_key
from proxy.mock.cors import ANY_ORIGIN, NO_HEADERS, cors_headers, preflight
from proxy.mock.prefer import PREFER, Preferences, parse_preferences
from proxy.mock.responder import (
    MockReply,
    credentials_of,
    invalid_reply,
    is_static,
    mock_reply,
    reply_to_response,
    unauthorized_reply,
)
from proxy.problems import ProblemError, method_not_allowed, problem_response
from proxy.recording.replay import replay
from proxy.routing import RouteDecision
from proxy.settings import Settings, ValidationMode
from proxy.validate import validate_request
from proxy.validation import ValidationResult
from proxy.validation.bodies import NOT_READ
from proxy.violations import (
    VIOLATIONS_HEADER,
    request_violations,
    violations_header,
    violations_json,
)

__all__ = ["mock"]

log = structlog.get_logger(__name__)

_FROM_SCRIPT = ("X-Requested-With", "XMLHttpRequest")


async def mock(
    request: web.Request,
    decision: RouteDecision,
    exchange: Exchange,
    answers: MockAnswers,
    error_code: str | None = None,
) -> web.StreamResponse:
    """The mock's answer to a routed request (static answers kept in ``answers``);
    ``error_code`` answers that documented error instead, as ``Prefer: code=`` would. Its
    problem answers (405, 406, an undocumented ``Prefer``) carry the CORS headers too, as
    Prism's do, and say who answered for which operation, as its other answers do."""
    try:
        replayed = _replayed(request, decision, exchange, error_code)
        if replayed is not None:
            return replayed
        return await _mock(request, decision, exchange, answers, error_code)
    except ProblemError as error:
        for name, value in _problem_headers(request, decision.prepared, exchange).items():
            error.headers.setdefault(name, value)
        raise


def _problem_headers(
    request: web.Request, prepared: PreparedOperation | None, exchange: Exchange
) -> dict[str, str]:
    """The fields a problem from the mock carries: CORS for the caller, the source (``mock``,
    or ``fallback`` for an upstream's stand-in) and the operation, once one matched."""
    headers = cors_headers(request, exchange.settings)
    headers[SOURCE_HEADER] = exchange.source or "mock"
    if prepared is not None:
        headers[OPERATION_HEADER] = prepared.operation.key
    return headers


async def _mock(
    request: web.Request,
    decision: RouteDecision,
    exchange: Exchange,
    answers: MockAnswers,
    error_code: str | None,
) -> web.StreamResponse:
    settings = exchange.settings
    prepared = decision.prepared
    if prepared is None:
        if request.method == hdrs.METH_OPTIONS and settings.cors:
            return preflight(request, settings, decision.allowed)
        raise _method_not_allowed(decision, request.method)
    headers = request.headers
    authorized = prepared.security.satisfied_by(
        headers.get(hdrs.AUTHORIZATION), credentials_of, request
    )
    line_key = None
    if prepared.answers_by_request_line and hdrs.ORIGIN not in headers and error_code is None:
        line_key = request_line_key(request, authorized)
        known = answers.get(line_key)
        if known is not None and await _body_still_fits(request, exchange, prepared, line_key):
            return known.response()
    body = await read_body(request, exchange)
    preferences = parse_preferences(headers.getall(PREFER, ()), exchange.raw_query)
    if error_code is not None:
        preferences = preferences._replace(code=error_code)
    result = None
    if preferences.validate is not False:
        result = await validate_request(request, decision, body, exchange.raw_query)
        exchange.body_json = result.json_body if result is not None else NOT_READ
    invalid = result is not None and not result.valid
    if not authorized:
        from_script = headers.get(_FROM_SCRIPT[0]) == _FROM_SCRIPT[1]
        reply = unauthorized_reply(prepared, headers.get(hdrs.ACCEPT), from_script)
    elif result is not None and invalid and _enforced(decision):
        return _invalid_answer(request, exchange, prepared, result, preferences.example)
    elif is_static(preferences, settings.dynamic):
        answer = _static_answer(request, decision, settings, answers, prepared, preferences)
        if not invalid and hdrs.ORIGIN not in headers:
            if line_key is not None:
                answers.remember(line_key, answer)
            return answer.response()
        reply = answer.reply
    else:
        locale = decision.api.settings.locale
        accept = headers.get(hdrs.ACCEPT)
        reply = mock_reply(prepared, preferences, accept, settings.dynamic, locale)
    extra = _extra_headers(request, exchange, result)
    return reply_to_response(reply, prepared.operation.key, extra)


async def _body_still_fits(
    request: web.Request, exchange: Exchange, prepared: PreparedOperation, key: tuple[object, ...]
) -> bool:
    """Whether a remembered answer holds for this request: it has no body, or its body
    (of the Content-Type in ``key``) meets the operation's schema."""
    if not request.body_exists:
        return True
    content_type = key[-1]
    body = await read_body(request, exchange)
    if not isinstance(content_type, str):
        return False
    passed = prepared.validator.body_passes(content_type, body)
    if passed is not None:
        exchange.body_json = passed.json_body
    return passed is not None


def _static_answer(
    request: web.Request,
    decision: RouteDecision,
    settings: Settings,
    answers: MockAnswers,
    prepared: PreparedOperation,
    preferences: Preferences,
) -> MockAnswer:
    """The static answer for these preferences and Accept, made once per configuration."""
    accept = request.headers.get(hdrs.ACCEPT)
    operation = prepared.operation.key
    key = reply_key(decision.api.name, operation, preferences, accept)
    answer = answers.get(key)
    if answer is None:
        reply = mock_reply(prepared, preferences, accept, settings.dynamic)
        fixed = ANY_ORIGIN if settings.cors else NO_HEADERS
        answer = answers.remember(key, MockAnswer.of(reply, operation, fixed))
    return answer


def _invalid_answer(
    request: web.Request,
    exchange: Exchange,
    prepared: PreparedOperation,
    result: ValidationResult,
    example: str | None,
) -> web.Response:
    """What the spec documents for an invalid request (with the example asked for by name),
    else a problem listing the errors."""
    extra = _extra_headers(request, exchange, result)
    try:
        accept = request.headers.get(hdrs.ACCEPT)
        reply: MockReply = invalid_reply(prepared, result, accept, example)
    except ProblemError as error:
        error.extensions.setdefault("request_id", exchange.request_id)
        return problem_response(
            error, request.path, {**_problem_headers(request, prepared, exchange), **extra}
        )
    return reply_to_response(reply, prepared.operation.key, extra)


def _extra_headers(
    request: web.Request, exchange: Exchange, result: ValidationResult | None
) -> dict[str, str]:
    """Per-request headers of a mock answer: CORS for the caller's Origin, violations (in
    the log with the details of secret fields redacted)."""
    extra = cors_headers(request, exchange.settings)
    if result is not None and not result.valid:
        violations = request_violations(result.errors)
        exchange.violations = tuple(violations)
        extra[VIOLATIONS_HEADER] = violations_header(violations)
        log.info(
            "request.invalid", violations=exchange.redactor.findings(violations_json(violations))
        )
    return extra


def _enforced(decision: RouteDecision) -> bool:
    return decision.api.settings.validation is ValidationMode.ENFORCE


def _replayed(
    request: web.Request, decision: RouteDecision, exchange: Exchange, error_code: str | None
) -> web.Response | None:
    """The recorded answer to an authorized request, if any; an injected error
    (``error_code``) replaces it too."""
    prepared = decision.prepared
    if error_code is not None or prepared is None:
        return None
    if not decision.api.recordings.get(prepared.operation.key):
        return None
    authorized = prepared.security.satisfied_by(
        request.headers.get(hdrs.AUTHORIZATION), credentials_of, request
    )
    return replay(request, decision, exchange) if authorized else None


def _method_not_allowed(decision: RouteDecision, method: str) -> ProblemError:
    allowed = ", ".join(decision.allowed)
    detail = f"{method} is not documented for {decision.template}; allowed: {allowed}"
    return method_not_allowed(detail, decision.allowed)
