"""CORS for mock answers: the headers for a caller's Origin, and preflight answers."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

from aiohttp import hdrs, web

from proxy.settings import Settings

__all__ = ["ANY_ORIGIN", "NO_HEADERS", "cors_headers", "preflight"]

NO_HEADERS: Final[Mapping[str, str]] = MappingProxyType({})
ANY_ORIGIN: Final[Mapping[str, str]] = MappingProxyType(
    {
        hdrs.ACCESS_CONTROL_ALLOW_ORIGIN: "*",
        hdrs.ACCESS_CONTROL_ALLOW_HEADERS: "*",
        hdrs.ACCESS_CONTROL_EXPOSE_HEADERS: "*",
    }
)
"""What a request without Origin gets when CORS is on (the same for every such request)."""
PREFLIGHT_MAX_AGE: Final = "600"


def cors_headers(request: web.Request, settings: Settings) -> dict[str, str]:
    """The CORS headers of an answer to ``request`` (none when CORS is off): on every answer,
    as Prism sends them, with the caller's Origin and the headers it asked to send."""
    if not settings.cors:
        return {}
    origin = request.headers.get(hdrs.ORIGIN)
    headers: dict[str, str] = {
        hdrs.ACCESS_CONTROL_ALLOW_ORIGIN: origin or "*",
        hdrs.ACCESS_CONTROL_ALLOW_HEADERS: request.headers.get(
            hdrs.ACCESS_CONTROL_REQUEST_HEADERS, "*"
        ),
        hdrs.ACCESS_CONTROL_EXPOSE_HEADERS: "*",
    }
    if origin:
        headers[hdrs.VARY] = "Origin"
        headers[hdrs.ACCESS_CONTROL_ALLOW_CREDENTIALS] = "true"
    return headers


def preflight(request: web.Request, settings: Settings, allowed: tuple[str, ...]) -> web.Response:
    """The answer to an OPTIONS preflight for a path documented with ``allowed`` methods."""
    headers = {
        **cors_headers(request, settings),
        hdrs.ACCESS_CONTROL_ALLOW_METHODS: ", ".join((*allowed, "OPTIONS")),
        hdrs.ACCESS_CONTROL_MAX_AGE: PREFLIGHT_MAX_AGE,
    }
    return web.Response(status=204, headers=headers)
