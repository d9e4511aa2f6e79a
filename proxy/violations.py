"""The ``X-Mockproxy-Violations`` header: findings as one JSON list, capped to fit a header."""

from __future__ import annotations

import json
from typing import Any, Final

from proxy.fields import VIOLATIONS_HEADER

__all__ = ["VIOLATIONS_HEADER", "violations_header"]

MAX_HEADER_CHARACTERS: Final = 4096


def violations_header(findings: list[Any]) -> str:
    """The findings as a JSON list (ASCII), as many as fit, then a note of how many were left out.

    Clients refuse header lines over 8-64 KB; the full list is always in the log.
    """
    shown: list[Any] = []
    for finding in findings:
        if len(json.dumps([*shown, finding])) > MAX_HEADER_CHARACTERS - 100:
            break
        shown.append(finding)
    left_out = len(findings) - len(shown)
    if left_out:
        note = f"... {left_out} more in the log"
        shown.append({"pointer": "", "detail": note} if isinstance(findings[0], dict) else note)
    return json.dumps(shown)
