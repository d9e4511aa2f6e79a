"""A routed request against its operation's compiled validator: what mock and verify share."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

from aiohttp import hdrs, web

from proxy.control import strip_control_parameters
from proxy.routing import RouteDecision
from proxy.settings import ValidationMode
from proxy.validation import RequestParts, ValidationResult

__all__ = ["validate_request"]

_NO_COOKIES: Final[Mapping[str, str]] = MappingProxyType({})


async def validate_request(
    request: web.Request, decision: RouteDecision, body: bytes, raw_query: str
) -> ValidationResult | None:
    """The request's validation result; None when its API's validation is off or the
    request matched no documented operation. A big JSON body is judged in the validation
    worker process while the event loop goes on (``validate_off_loop``)."""
    prepared = decision.prepared
    if prepared is None or decision.api.settings.validation is ValidationMode.OFF:
        return None
    validator = prepared.validator
    headers = request.headers
    parts = RequestParts(
        path_params=decision.params,
        query_string=strip_control_parameters(raw_query),
        headers=headers,
        cookies=request.cookies if validator.reads_cookies else _NO_COOKIES,
        content_type=headers.get(hdrs.CONTENT_TYPE),
        body=body,
    )
    return await validator.validate_off_loop(parts)
