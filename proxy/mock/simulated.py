"""A mock answer with its simulation carried out: delay, fault, injected error, callbacks.

``answer_mock`` is what ``dispatch`` calls for a mock answer (mock mode and the mock side of
fallback): an operation with nothing set, asked nothing by the client, goes straight to the
mock's handler. Otherwise the disruption is drawn and noted on the exchange (for the log
line, metrics and journal), carried out on the connection (``disrupt.py``), and the
operation's callbacks are scheduled once a 2xx answer is made.
"""

from __future__ import annotations

import random
from collections.abc import Awaitable, Callable
from typing import Final, Protocol

import structlog
from aiohttp import web

from proxy.callbacks.delivery import Courier
from proxy.callbacks.expressions import Exchanged, MissingValue
from proxy.control import strip_control_parameters
from proxy.exchange import Exchange
from proxy.fields import REQUEST_ID_HEADER, SOURCE_HEADER
from proxy.mock.answers import MockAnswers
from proxy.mock.disrupt import disrupted
from proxy.mock.faults import NO_DISRUPTIONS, FaultKind, decide
from proxy.mock.handler import mock
from proxy.mock.prefer import PREFER
from proxy.mock.simulate import NOTHING_ASKED, AnsweredRequest, Asked, Simulation, asked_of
from proxy.routing import RouteDecision

__all__ = ["INJECTED_ERROR", "Noted", "answer_mock", "fire_callbacks", "simulated"]

log = structlog.get_logger(__name__)

INJECTED_ERROR: Final = "error"
"""The ``fault`` noted for an answer replaced by an injected documented error."""
_ANSWER_LOST: Final = frozenset({FaultKind.RESET, FaultKind.EMPTY, FaultKind.TIMEOUT})
_UNSEEDED: Final = random.Random()
"""Draws for a request that asks for a delay range where the config sets nothing."""

Answer = Callable[[str | None], Awaitable[web.StreamResponse]]
"""The mock's answer, given the error code to answer with instead (None: as usual)."""


class Noted(Protocol):
    """Where the request's disruption is noted (the request's exchange)."""

    fault: str | None
    delay_ms: float | None

    @property
    def request_id(self) -> str: ...


async def simulated(
    request: web.Request,
    simulation: Simulation | None,
    asked: Asked,
    answer: Answer,
    noted: Noted,
    answered: Callable[[web.StreamResponse], None],
) -> web.StreamResponse:
    """The answer, delayed, disrupted or replaced as drawn; ``answered`` is called with a
    2xx answer the client is meant to get (then callbacks are due)."""
    configured = simulation.disruptions if simulation is not None else NO_DISRUPTIONS
    rng = simulation.rng if simulation is not None else _UNSEEDED
    disruption = decide(configured, asked.delay, asked.fault, rng)
    if disruption.delay_ms:
        noted.delay_ms = round(disruption.delay_ms, 1)
    if disruption.fault is not None:
        noted.fault = disruption.fault.value
    elif disruption.error_code is not None:
        noted.fault = INJECTED_ERROR

    async def answer_and_notify() -> web.StreamResponse:
        response = await answer(disruption.error_code)
        # a trickled answer is sent before the request context could add the id
        response.headers.setdefault(REQUEST_ID_HEADER, noted.request_id)
        if 200 <= response.status < 300 and disruption.fault not in _ANSWER_LOST:
            answered(response)
        return response

    if not disruption:
        return await answer_and_notify()
    return await disrupted(request, disruption, answer_and_notify)


def fire_callbacks(
    courier: Courier,
    simulation: Simulation,
    exchanged: Exchanged,
    api: str,
    operation: str,
    request_id: str,
) -> int:
    """Schedule each callback of the answered request; returns how many were scheduled.

    A callback whose URL or body names a value the request lacks (no ``callbackUrl`` in
    its body) is skipped with a ``callback.skipped`` line at debug: for most requests that is
    the usual case (a fax job without a status push), not news.
    """
    scheduled = 0
    for plan in simulation.callbacks:
        try:
            delivery = plan.delivery(exchanged, api, operation, request_id)
        except MissingValue as missing:
            log.debug("callback.skipped", callback=plan.name, reason=str(missing))
            continue
        courier.send(delivery)
        scheduled += 1
    return scheduled


async def answer_mock(
    request: web.Request,
    decision: RouteDecision,
    exchange: Exchange,
    answers: MockAnswers,
    courier: Courier,
) -> web.StreamResponse:
    """The mock's answer, through its simulation when the operation has one set or the
    client asks for a delay, a fault or no callbacks; labelled with the exchange's source
    (``fallback`` on the mock side of fallback mode)."""
    prepared = decision.prepared
    raw_query = exchange.raw_query
    prefer = request.headers.getall(PREFER, None)
    asked = NOTHING_ASKED
    if prefer is not None or "__" in raw_query:
        asked = asked_of(tuple(prefer or ()), raw_query)
    simulation = prepared.simulation if prepared is not None else None
    if prepared is None or (simulation is None and asked is NOTHING_ASKED):
        return _labelled(await mock(request, decision, exchange, answers), exchange.source)

    async def answer(error_code: str | None) -> web.StreamResponse:
        response = await mock(request, decision, exchange, answers, error_code)
        return _labelled(response, exchange.source)

    def answered(response: web.StreamResponse) -> None:
        if simulation is None or not simulation.callbacks or asked.callbacks is False:
            return
        exchanged = _exchanged(request, decision, exchange, response)
        operation = exchange.operation or ""
        api = decision.api.name
        fire_callbacks(courier, simulation, exchanged, api, operation, exchange.request_id)

    return await simulated(request, simulation, asked, answer, exchange, answered)


def _labelled(response: web.StreamResponse, source: str | None) -> web.StreamResponse:
    """The answer named by the side that gave it before any of it is sent (a ``slow`` fault
    sends the head at once); the mock's own answers say ``mock`` already."""
    if source is not None and source != "mock":
        response.headers[SOURCE_HEADER] = source
    return response


def _exchanged(
    request: web.Request, decision: RouteDecision, exchange: Exchange, response: web.StreamResponse
) -> Exchanged:
    body = response.body if isinstance(response, web.Response) else None
    return AnsweredRequest(
        url=lambda: str(request.url),
        method=request.method,
        status=response.status,
        request_headers=request.headers,
        query_string=strip_control_parameters(exchange.raw_query),
        path_params=decision.params,
        request_body=exchange.body,
        response_headers=response.headers,
        response_body=body if isinstance(body, bytes) else None,
    )
