"""A mock answer with its simulation carried out: delay, fault, injected error, callbacks.

``answer_mock`` is what ``dispatch`` calls for a mock answer (mock mode and the mock side of
fallback): an operation with nothing set, asked nothing by the client, goes straight to the
mock's handler. Otherwise a disruption is drawn when the config sets one or the client asks
for one, noted on the exchange (for the log line, metrics and journal) and carried out on the
connection (``disrupt.py``); the operation's callbacks are scheduled once a 2xx answer is
made. A callback whose URL names a request-body value the body lacks (a fax job without a
status push URL) is skipped before anything of it is expanded.
"""

from __future__ import annotations

import random
from typing import Any, Final, Protocol

import structlog
from aiohttp import web

from proxy.callbacks.delivery import Courier
from proxy.callbacks.expressions import MissingValue
from proxy.callbacks.plans import CallbackPlan
from proxy.control import strip_control_parameters
from proxy.exchange import Exchange
from proxy.fields import REQUEST_ID_HEADER, SOURCE_HEADER
from proxy.mock.answers import MockAnswers
from proxy.mock.disrupt import disrupted
from proxy.mock.faults import NO_DISRUPTIONS, Disruption, FaultKind, decide
from proxy.mock.handler import mock
from proxy.mock.prefer import PREFER
from proxy.mock.simulate import (
    NOTHING_ASKED,
    AnsweredRequest,
    Asked,
    Simulation,
    asked_of,
    body_json,
)
from proxy.observability import request_log
from proxy.routing import RouteDecision
from proxy.validation.bodies import NOT_READ

__all__ = ["INJECTED_ERROR", "Noted", "answer_mock", "fire_callbacks"]

log = structlog.get_logger(__name__)

INJECTED_ERROR: Final = "error"
"""The ``fault`` noted for an answer replaced by an injected documented error."""
_ANSWER_LOST: Final = frozenset({FaultKind.RESET, FaultKind.EMPTY, FaultKind.TIMEOUT})
_UNSEEDED: Final = random.Random()
"""Draws for a request that asks for a delay range where the config sets nothing."""


class Noted(Protocol):
    """Where the request's disruption is noted (the request's exchange)."""

    fault: str | None
    delay_ms: float | None


async def answer_mock(
    request: web.Request,
    decision: RouteDecision,
    exchange: Exchange,
    answers: MockAnswers,
    courier: Courier,
) -> web.StreamResponse:
    """The mock's answer, through its simulation when the operation has one set or the
    client asks for a delay, a fault or no callbacks; labelled with the exchange's source
    (``fallback`` on the mock side of fallback mode). Callbacks are due for a 2xx answer the
    client is meant to get, unless it asked for none."""
    prepared = decision.prepared
    raw_query = exchange.raw_query
    prefer = request.headers.getall(PREFER, None)
    asked = NOTHING_ASKED
    if prefer is not None or "__" in raw_query:
        asked = asked_of(tuple(prefer or ()), raw_query)
    simulation = prepared.simulation if prepared is not None else None
    if prepared is None or (simulation is None and asked is NOTHING_ASKED):
        return _labelled(await mock(request, decision, exchange, answers), exchange.source)
    plans = simulation.callbacks if simulation is not None and asked.callbacks is not False else ()
    disruption = _drawn(simulation, asked, exchange)
    if disruption is None:
        response = _labelled(await mock(request, decision, exchange, answers), exchange.source)
        if plans and 200 <= response.status < 300:
            fire_callbacks(courier, plans, request, decision, exchange, response)
        return response

    async def answer() -> web.StreamResponse:
        response = await mock(request, decision, exchange, answers, disruption.error_code)
        _labelled(response, exchange.source)
        # a trickled answer is sent before the request context could add the id
        response.headers.setdefault(REQUEST_ID_HEADER, exchange.request_id)
        lost = disruption.fault in _ANSWER_LOST
        if plans and not lost and 200 <= response.status < 300:
            fire_callbacks(courier, plans, request, decision, exchange, response)
        return response

    return await disrupted(request, disruption, answer)


def _drawn(simulation: Simulation | None, asked: Asked, noted: Noted) -> Disruption | None:
    """This request's disruption, noted; None when there is none to carry out. Nothing is
    drawn when the config sets nothing and the client asks for nothing (a draw would take
    nothing from the API's seeded sequence then either)."""
    configured = simulation is not None and simulation.configured
    if not configured and asked.delay is None and asked.fault is None:
        return None
    disruptions = simulation.disruptions if simulation is not None else NO_DISRUPTIONS
    rng = simulation.rng if simulation is not None else _UNSEEDED
    disruption = decide(disruptions, asked.delay, asked.fault, rng)
    if disruption.delay_ms:
        noted.delay_ms = round(disruption.delay_ms, 1)
    if disruption.fault is not None:
        noted.fault = disruption.fault.value
    elif disruption.error_code is not None:
        noted.fault = INJECTED_ERROR
    return disruption if disruption else None


def fire_callbacks(
    courier: Courier,
    plans: tuple[CallbackPlan, ...],
    request: web.Request,
    decision: RouteDecision,
    exchange: Exchange,
    response: web.StreamResponse,
) -> int:
    """Schedule each callback of the answered request; returns how many were scheduled.

    A callback whose URL or body names a value the request lacks (no ``callbackUrl`` in
    its body) is skipped with a ``callback.skipped`` line at debug: for most requests that is
    the usual case (a fax job without a status push), not news.
    """
    request_body = exchange.body_json  # as validation read it, if it did
    exchanged: AnsweredRequest | None = None
    scheduled = 0
    for plan in plans:
        if plan.url_reads:
            if request_body is NOT_READ:
                request_body = body_json(exchange.body)
            reason = plan.unmet(request_body)
            if reason is not None:  # the usual case: logged through the per-request logger
                request_log().debug("callback.skipped", callback=plan.name, reason=reason)
                continue
        if exchanged is None:
            exchanged = _exchanged(request, decision, exchange, response, request_body)
        try:
            delivery = plan.delivery(
                exchanged, decision.api.name, exchange.operation or "", exchange.request_id
            )
        except MissingValue as missing:
            log.debug("callback.skipped", callback=plan.name, reason=str(missing))
            continue
        courier.send(delivery)
        scheduled += 1
    return scheduled


def _labelled(response: web.StreamResponse, source: str | None) -> web.StreamResponse:
    """The answer named by the side that gave it before any of it is sent (a ``slow`` fault
    sends the head at once); the mock's own answers say ``mock`` already."""
    if source is not None and source != "mock":
        response.headers[SOURCE_HEADER] = source
    return response


def _exchanged(
    request: web.Request,
    decision: RouteDecision,
    exchange: Exchange,
    response: web.StreamResponse,
    request_body: Any,
) -> AnsweredRequest:
    """The answered request for runtime expressions; ``request_body`` is the body already
    read as JSON (``NOT_READ``: read it when an expression first names it)."""
    body = response.body if isinstance(response, web.Response) else None
    return AnsweredRequest(
        url=lambda: str(request.url),
        method=request.method,
        status=response.status,
        request_headers=request.headers,
        query_string=strip_control_parameters(exchange.raw_query),
        path_params=decision.params,
        request_body=exchange.body,
        request_json=request_body,
        response_headers=response.headers,
        response_body=body if isinstance(body, bytes) else None,
    )
