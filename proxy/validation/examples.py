"""The spec's own examples checked against their schemas: warnings for spec authors."""

from __future__ import annotations

from typing import Any

from jsonschema import Draft202012Validator

from proxy.openapi.documents import escape_pointer
from proxy.openapi.model import NO_EXAMPLE, ApiSpec, MediaType

__all__ = ["check_examples"]


def _media_findings(spec: ApiSpec, media: MediaType, where: str) -> list[str]:
    if media.schema is None or not (
        media.media_type.endswith("json") or "+json" in media.media_type
    ):
        return []
    validator = Draft202012Validator(
        {"$ref": media.schema.uri},
        registry=spec.registry,
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )
    named: list[tuple[str, Any]] = []
    if media.example is not NO_EXAMPLE:
        named.append((f"{where}/example", media.example))
    named.extend((f"{where}/examples/{escape_pointer(e.name)}", e.value) for e in media.examples)
    findings = []
    for pointer, value in named:
        for error in validator.iter_errors(value):
            at = "".join(f"/{part}" for part in error.absolute_path) or "/"
            findings.append(f"{spec.source}#{pointer}: {error.message} at {at}")
    return findings


def check_examples(spec: ApiSpec) -> list[str]:
    """Every JSON example of every request body and response that violates its schema."""
    findings: list[str] = []
    for operation in spec.operations:
        base = operation.pointer
        if operation.request_body is not None:
            for media in operation.request_body.content:
                where = f"{base}/requestBody/content/{escape_pointer(media.media_type)}"
                findings.extend(_media_findings(spec, media, where))
        for response in operation.responses:
            for media in response.content:
                where = (
                    f"{base}/responses/{response.status}/content/{escape_pointer(media.media_type)}"
                )
                findings.extend(_media_findings(spec, media, where))
    return findings
