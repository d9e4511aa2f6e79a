"""Contract checks of live responses against the spec (verify mode): status, type, body, headers.

Each finding is a short human sentence; the response itself is never changed. Validators are
compiled once per schema and reused.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Final

from jsonschema import Draft202012Validator
from jsonschema.protocols import Validator
from multidict import CIMultiDictProxy

from proxy.media_types import covers, media_base, written_as_json
from proxy.openapi.model import ApiSpec, MediaType, Operation, Response, find_response

__all__ = ["ContractChecker"]

MAX_FINDINGS: Final = 20


def _documented_media(response: Response, content_type: str) -> MediaType | None:
    wanted = media_base(content_type)
    return next((m for m in response.content if covers(media_base(m.media_type), wanted)), None)


class ContractChecker:
    """Checks responses of one API; holds its compiled body validators."""

    def __init__(self, spec: ApiSpec) -> None:
        self._spec = spec
        self._validators: dict[str, Validator] = {}

    def _validator(self, uri: str) -> Validator:
        validator = self._validators.get(uri)
        if validator is None:
            validator = Draft202012Validator(
                {"$ref": uri},
                registry=self._spec.registry,
                format_checker=Draft202012Validator.FORMAT_CHECKER,
            )
            self._validators[uri] = validator
        return validator

    def check(
        self,
        operation: Operation | None,
        status: int,
        headers: CIMultiDictProxy[str] | Mapping[str, str],
        body: bytes | None,
        what: str = "",
    ) -> list[str]:
        """Violations of the documented contract; ``body`` None means it was too large to read."""
        if operation is None:
            return [f"{what or 'this request'} matches no documented operation"]
        response = find_response(operation, status)
        if response is None:
            codes = ", ".join(r.status for r in operation.responses)
            return [f"status {status} is not documented for {operation.key} (documented: {codes})"]
        findings = [
            f"required header {header.name} is missing"
            for header in response.headers
            if header.required and header.name not in headers
        ]
        findings.extend(self._body_findings(response, headers, body))
        return findings[:MAX_FINDINGS]

    def _body_findings(
        self, response: Response, headers: Mapping[str, str], body: bytes | None
    ) -> list[str]:
        content_type = headers.get("Content-Type")
        if not response.content:
            return ["a body was sent where none is documented"] if body else []
        if body == b"" and not content_type:
            return []
        if content_type is None:
            return ["Content-Type is missing"]
        media = _documented_media(response, content_type)
        if media is None:
            documented = ", ".join(m.media_type for m in response.content)
            return [f"Content-Type {content_type} is not documented (documented: {documented})"]
        if body is None:
            return ["the body was too large to check"]
        if media.schema is None or not written_as_json(media.media_type):
            return []
        try:
            value: Any = json.loads(body)
        except ValueError as error:
            return [f"/body: not valid JSON: {error}"]
        return [
            f"/body{''.join('/' + str(p) for p in error.absolute_path)}: {error.message}"
            for error in self._validator(media.schema.uri).iter_errors(value)
        ]
