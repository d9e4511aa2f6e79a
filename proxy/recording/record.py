"""Record mode's hook into the live path: what to keep of each answer, handed to the app's
``Recorder``; answers to HEAD, of undocumented operations, or whose body could not be read
whole (too large, or in a content coding that cannot be undone) are not recorded."""

from __future__ import annotations

from collections.abc import Iterable

import structlog

from proxy.codings import Unread
from proxy.exchange import Exchange
from proxy.recording.capture import Capture, canonical_query, recording_of
from proxy.recording.recorder import Recorder
from proxy.routing import RouteDecision

__all__ = ["capture_for"]

log = structlog.get_logger(__name__)


def capture_for(
    method: str, decision: RouteDecision, exchange: Exchange, body: bytes, recorder: Recorder
) -> Capture:
    """What record mode does with the upstream's answer to this request."""
    settings = decision.api.settings.recording
    query = canonical_query(exchange.raw_query, exchange.redactor)
    request = (method, decision.path_below_mount, decision.params, query, body)

    def keep(status: int, fields: Iterable[tuple[str, str]], answer: bytes | Unread) -> None:
        prepared = decision.prepared
        if prepared is None or method == "HEAD":
            reason = "undocumented operation" if prepared is None else "a HEAD answer has no body"
            log.info("recording.skipped", reason=reason)
            return
        if isinstance(answer, Unread):
            log.warning("recording.skipped", reason=f"the answer's body is {answer.why}")
            return
        recording = recording_of(
            prepared.operation, request, (status, fields, answer), settings, exchange.redactor
        )
        recorder.save(settings, recording)

    return keep
