"""A mock answer with its simulation carried out: delay, fault, injected error, callbacks.

The mock handler passes the answer as a callable (given the injected error code, if any);
this module draws the disruption, notes it for the log line, metrics and journal, carries it
out on the connection (``disrupt.py``) and schedules the operation's callbacks once a 2xx
answer is made.
"""

from __future__ import annotations

import random
from collections.abc import Awaitable, Callable
from typing import Final, Protocol

import structlog
from aiohttp import web

from proxy.callbacks.delivery import Courier
from proxy.callbacks.expressions import Exchanged, MissingValue
from proxy.mock.disrupt import disrupted
from proxy.mock.faults import NO_DISRUPTIONS, FaultKind, decide
from proxy.mock.simulate import Asked, Simulation

__all__ = ["INJECTED_ERROR", "Noted", "fire_callbacks", "simulated"]

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
    its body) is skipped with a ``callback.skipped`` line.
    """
    scheduled = 0
    for plan in simulation.callbacks:
        try:
            delivery = plan.delivery(exchanged, api, operation, request_id)
        except MissingValue as missing:
            log.info("callback.skipped", callback=plan.name, reason=str(missing))
            continue
        courier.send(delivery)
        scheduled += 1
    return scheduled
