"""The spec's own examples checked against their schemas: warnings for spec authors.

Request examples are judged as requests (no ``readOnly``), response examples as responses
(no ``writeOnly``), by the engine requests are validated with.
"""

from __future__ import annotations

from typing import Any

from proxy.openapi.documents import escape_pointer
from proxy.openapi.model import NO_EXAMPLE, ApiSpec, MediaType
from proxy.validation.schemas import Direction, engine_for

__all__ = ["check_examples"]


def _media_findings(spec: ApiSpec, media: MediaType, where: str, direction: Direction) -> list[str]:
    if media.schema is None or not (
        media.media_type.endswith("json") or "+json" in media.media_type
    ):
        return []
    check = engine_for(spec).check(media.schema.uri, direction)
    named: list[tuple[str, Any]] = []
    if media.example is not NO_EXAMPLE:
        named.append((f"{where}/example", media.example))
    named.extend((f"{where}/examples/{escape_pointer(e.name)}", e.value) for e in media.examples)
    findings = []
    for pointer, value in named:
        if check.passes(value):
            continue
        for error in check.errors(value, "").listed:
            findings.append(f"{spec.source}#{pointer}: {error.detail} at {error.pointer or '/'}")
    return findings


def check_examples(spec: ApiSpec) -> list[str]:
    """Every JSON example of every request body and response that violates its schema."""
    findings: list[str] = []
    for operation in spec.operations:
        base = operation.pointer
        if operation.request_body is not None:
            for media in operation.request_body.content:
                where = f"{base}/requestBody/content/{escape_pointer(media.media_type)}"
                findings.extend(_media_findings(spec, media, where, Direction.REQUEST))
        for response in operation.responses:
            for media in response.content:
                where = (
                    f"{base}/responses/{response.status}/content/{escape_pointer(media.media_type)}"
                )
                findings.extend(_media_findings(spec, media, where, Direction.RESPONSE))
    return findings
