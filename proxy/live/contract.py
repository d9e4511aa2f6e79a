"""Contract checks of live responses against the spec (verify mode): status, type, body, headers.

Each finding is a short human sentence; the response itself is never changed. Bodies come
with their content codings undone (``proxy.codings``), are read as requests are
(``read_json``) and checked by the same engine (``engine_for``), with ``writeOnly``
properties refused; each schema is compiled once.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from multidict import CIMultiDictProxy

from proxy.codings import Unread
from proxy.media_types import covers, media_base, written_as_json
from proxy.openapi.model import ApiSpec, MediaType, Operation, Response, find_response
from proxy.validation.bodies import BodyError, read_json
from proxy.validation.prefix import COUNTED_VALUES
from proxy.validation.schemas import Direction, engine_for

__all__ = ["ContractChecker"]

MAX_FINDINGS: Final = 20


def _documented_media(response: Response, content_type: str) -> MediaType | None:
    wanted = media_base(content_type)
    return next((m for m in response.content if covers(media_base(m.media_type), wanted)), None)


class ContractChecker:
    """Checks responses of one API; holds its compiled body validators."""

    def __init__(self, spec: ApiSpec) -> None:
        self._engine = engine_for(spec)

    def check(
        self,
        operation: Operation | None,
        status: int,
        headers: CIMultiDictProxy[str] | Mapping[str, str],
        body: bytes | Unread,
        what: str = "",
        *,
        bodiless: bool = False,
    ) -> list[str]:
        """Violations of the documented contract; an ``Unread`` body is one that could not be
        read whole (too large, or in a coding that cannot be undone). A ``bodiless`` answer
        (to HEAD) has its GET's headers and no body, so only its headers are checked."""
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
        findings.extend(self._body_findings(response, headers, body, bodiless))
        return findings[:MAX_FINDINGS]

    def _body_findings(
        self,
        response: Response,
        headers: Mapping[str, str],
        body: bytes | Unread,
        bodiless: bool,
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
        if bodiless:
            return []
        if isinstance(body, Unread):
            return [f"/body: not checked: the body is {body.why}"]
        if media.schema is None or not written_as_json(media.media_type):
            return []
        try:
            value: Any = read_json(body)
        except BodyError as error:
            return [f"/body: not valid JSON: {error.detail}"]
        check = self._engine.check(media.schema.uri, Direction.RESPONSE)
        if check.passes(value):
            return []
        listed, more, all_counted = check.errors(value, "/body")
        findings = [f"{error.pointer}: {error.detail}" for error in listed]
        if not all_counted:
            findings.append(
                f"/body: {more} more errors in its first {COUNTED_VALUES:,} values "
                "(the rest were not looked at)"
            )
        elif more:
            findings.append(f"/body: {more} more errors")
        return findings
