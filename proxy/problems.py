"""RFC 9457 problem details: the one exception type and the one response builder.

Every error the proxy itself emits goes through ``problem_response``; upstream responses
are never rewritten. Handlers raise ``ProblemError``; the request context in app.py turns
it (and any unexpected exception) into ``application/problem+json``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from http import HTTPStatus
from typing import Any, Final

from aiohttp import web

__all__ = [
    "PROBLEM_CONTENT_TYPE",
    "ProblemError",
    "method_not_allowed",
    "problem_body",
    "problem_response",
]

PROBLEM_CONTENT_TYPE: Final = "application/problem+json"
_TYPE_BASE: Final = "https://mockproxy.dev/problems/"
_BODY_HEADERS: Final = frozenset({"content-type", "content-length", "content-encoding"})


class ProblemError(Exception):
    """An error to answer as problem+json.

    ``kind`` is a short slug that becomes the problem ``type`` URI
    (``https://mockproxy.dev/problems/<kind>``); ``extensions`` are snake_case members
    such as ``errors`` or ``documented_codes``.
    """

    def __init__(
        self,
        status: int,
        kind: str,
        detail: str,
        *,
        title: str | None = None,
        headers: Mapping[str, str] | None = None,
        **extensions: Any,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.kind = kind
        self.detail = detail
        self.title = title or HTTPStatus(status).phrase
        self.headers: dict[str, str] = dict(headers or {})
        self.extensions = extensions


def method_not_allowed(detail: str, allowed: Sequence[str]) -> ProblemError:
    """A 405 with the ``Allow`` header and an ``allowed_methods`` member listing ``allowed``."""
    return ProblemError(
        405,
        "method-not-allowed",
        detail,
        headers={"Allow": ", ".join(allowed)},
        allowed_methods=list(allowed),
    )


def problem_body(error: ProblemError, instance: str | None = None) -> dict[str, Any]:
    """The problem document for ``error`` as a plain dict."""
    body: dict[str, Any] = {
        "type": _TYPE_BASE + error.kind,
        "title": error.title,
        "status": error.status,
        "detail": error.detail,
    }
    if instance is not None:
        body["instance"] = instance
    body.update(error.extensions)
    return body


def problem_response(
    error: ProblemError,
    instance: str | None = None,
    extra_headers: Mapping[str, str] | None = None,
) -> web.Response:
    """An ``application/problem+json`` response for ``error``."""
    headers = {
        name: value
        for name, value in {**error.headers, **(extra_headers or {})}.items()
        if name.lower() not in _BODY_HEADERS
    }
    return web.Response(
        status=error.status,
        body=json.dumps(problem_body(error, instance), ensure_ascii=False).encode(),
        content_type=PROBLEM_CONTENT_TYPE,
        headers=headers,
    )
