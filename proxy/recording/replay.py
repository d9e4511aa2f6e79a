"""The mock's replay of recordings: by name (``Prefer: example=<name>``, ``__example=``), and
with ``record.match: request`` by the request's operation, path parameters and query.

A replayed answer carries the recorded status, documented headers, Content-Type and the body's
bytes as recorded; a recording the spec no longer describes says so in the violations header.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from aiohttp import web

from proxy.exchange import Exchange
from proxy.fields import OPERATION_HEADER, RECORDING_HEADER, SOURCE_HEADER
from proxy.mock.cors import cors_headers
from proxy.mock.prefer import PREFER, parse_preferences
from proxy.recording.capture import canonical_query
from proxy.recording.settings import RecordMatch
from proxy.recording.store import Recording
from proxy.routing import RouteDecision
from proxy.violations import VIOLATIONS_HEADER, violations_header

__all__ = ["find_recording", "replay"]

_NO_BODY_STATUSES = frozenset({204, 205, 304})


def find_recording(
    recordings: Sequence[Recording],
    name: str | None,
    by_request: bool,
    params: Mapping[str, str],
    query: str,
) -> Recording | None:
    """The recording called ``name``; without a name and ``by_request``, the newest one of the
    same path parameters and query."""
    if name is not None:
        return next((r for r in recordings if r.name == name), None)
    if not by_request:
        return None
    wanted = dict(params)
    return next((r for r in recordings if r.query == query and dict(r.params) == wanted), None)


def replay(
    request: web.Request, decision: RouteDecision, exchange: Exchange
) -> web.Response | None:
    """The recorded answer for this request, or None to let the spec answer."""
    prepared = decision.prepared
    recordings = decision.api.recordings.get(prepared.operation.key) if prepared else None
    if not recordings or prepared is None:
        return None
    preferences = parse_preferences(request.headers.getall(PREFER, ()), exchange.raw_query)
    by_request = decision.api.settings.recording.match is RecordMatch.REQUEST
    query = canonical_query(exchange.raw_query, exchange.redactor) if by_request else ""
    found = find_recording(recordings, preferences.example, by_request, decision.params, query)
    if found is None:
        return None
    return _response(request, exchange, found)


def _response(request: web.Request, exchange: Exchange, recording: Recording) -> web.Response:
    response = web.Response(
        status=recording.status,
        body=None if recording.status in _NO_BODY_STATUSES else recording.body,
    )
    headers = response.headers
    headers.extend(recording.headers)
    if recording.media_type is not None and recording.status not in _NO_BODY_STATUSES:
        headers["Content-Type"] = recording.media_type
    headers[SOURCE_HEADER] = "mock"
    headers[OPERATION_HEADER] = recording.operation
    headers[RECORDING_HEADER] = recording.name
    headers.update(cors_headers(request, exchange.settings))
    if recording.violations:
        exchange.violations = recording.violations
        headers[VIOLATIONS_HEADER] = violations_header(recording.violations)
    return response
