"""Record mode's part of a live answer: the request's identity and the answer, redacted,
as a ``Recording`` handed to the app's ``Recorder``."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from types import MappingProxyType
from urllib.parse import parse_qsl, urlencode

import structlog

from proxy.codings import Unread
from proxy.openapi.model import Operation, find_response
from proxy.recording.redact import kept_headers, redact_body
from proxy.recording.settings import RecordSettings
from proxy.recording.store import Recording
from proxy.redact import Redactor

__all__ = ["Capture", "canonical_query", "recording_name", "recording_of"]

log = structlog.get_logger(__name__)

Capture = Callable[[int, Iterable[tuple[str, str]], bytes | Unread], None]
"""Called with the upstream's status, header fields and whole content (its codings undone;
``Unread`` when it could not be read whole)."""


def canonical_query(raw_query: str, redactor: Redactor) -> str:
    """The query as recorded and matched: API keys blanked, control parameters (``__*``)
    left out, pairs in order, so that ``b=2&a=1`` and ``a=1&b=2`` are the same request."""
    pairs = parse_qsl(redactor.query(raw_query), keep_blank_values=True)
    return urlencode(sorted((n, v) for n, v in pairs if not n.startswith("__")))


def recording_name(method: str, path: str, query: str, request_body: bytes) -> str:
    """A name that is the same for the same request, so that recording it again replaces it."""
    digest = hashlib.sha256(b"\0".join((method.encode(), path.encode(), query.encode())))
    digest.update(hashlib.sha256(request_body).digest())
    return f"rec-{digest.hexdigest()[:10]}"


def recording_of(
    operation: Operation,
    request: tuple[str, str, Mapping[str, str], str, bytes],
    answer: tuple[int, Iterable[tuple[str, str]], bytes],
    settings: RecordSettings,
    redactor: Redactor,
) -> Recording:
    """The redacted recording of ``answer`` (status, fields, body) to ``request`` (method,
    path below the mount, path parameters, canonical query, body)."""
    method, path, params, query, request_body = request
    status, fields, body = answer
    fields = list(fields)
    content_type = next((v for n, v in fields if n.lower() == "content-type"), None)
    response = find_response(operation, status)
    documented = [header.name for header in response.headers] if response else []
    return Recording(
        name=recording_name(method, path, query, request_body),
        operation=operation.key,
        method=method,
        path=path,
        params=MappingProxyType(dict(params)),
        query=query,
        status=status,
        media_type=content_type,
        headers=MappingProxyType(kept_headers(fields, documented, redactor)),
        body=redact_body(body, content_type, settings.redact, redactor),
        recorded_at=datetime.now(UTC).isoformat(timespec="seconds"),
    )
