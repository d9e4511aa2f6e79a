"""Violations of the description, one shape everywhere: header, log lines and journal.

Each is ``{"in": "request" | "response", "pointer": ..., "detail": ...}``, whether the mock
found it in a request (any validation mode) or verify mode found it in a forwarded request or
a live response. The ``X-Mockproxy-Violations`` header carries them as one JSON list, capped
to fit a header line.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Final, Literal, NamedTuple, Protocol

from proxy.fields import VIOLATIONS_HEADER

__all__ = [
    "VIOLATIONS_HEADER",
    "Violation",
    "request_violations",
    "response_violations",
    "violations_header",
    "violations_json",
]

MAX_HEADER_CHARACTERS: Final = 4096

Side = Literal["request", "response"]


class FieldFinding(Protocol):
    """What request validation reports per error."""

    @property
    def pointer(self) -> str: ...
    @property
    def detail(self) -> str: ...


class Violation(NamedTuple):
    """One way a request or response differs from its description."""

    side: Side
    pointer: str
    detail: str

    def as_json(self) -> dict[str, str]:
        return {"in": self.side, "pointer": self.pointer, "detail": self.detail}


def request_violations(errors: Iterable[FieldFinding]) -> list[Violation]:
    """Request validation's errors (``/body/recipients/0/number``: what is wrong)."""
    return [Violation("request", error.pointer, error.detail) for error in errors]


def response_violations(findings: Iterable[str]) -> list[Violation]:
    """The contract check's findings: ``/body/x: detail`` keeps its pointer; a finding about
    the whole response (an undocumented status, a missing header) has the empty pointer."""
    violations = []
    for finding in findings:
        pointer, separator, detail = finding.partition(": ")
        if finding.startswith("/") and separator:
            violations.append(Violation("response", pointer, detail))
        else:
            violations.append(Violation("response", "", finding))
    return violations


def violations_json(violations: Iterable[Violation]) -> list[dict[str, str]]:
    """As logged and journaled."""
    return [violation.as_json() for violation in violations]


def violations_header(violations: Sequence[Violation]) -> str:
    """The violations as a JSON list (ASCII), as many as fit, then one noting how many were
    left out. Clients refuse header lines over 8-64 KB; the full list is always in the log."""
    shown: list[dict[str, str]] = []
    size = 2  # the brackets
    for violation in violations:
        item = violation.as_json()
        size += len(json.dumps(item)) + 2
        if size > MAX_HEADER_CHARACTERS - 100:
            break
        shown.append(item)
    left_out = len(violations) - len(shown)
    if left_out:
        side = violations[len(shown)].side
        shown.append(Violation(side, "", f"... {left_out} more in the log").as_json())
    return json.dumps(shown)
