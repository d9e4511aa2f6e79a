"""The mock's control parameters: ``__`` query parameters belong to mockproxy, not the API."""

from __future__ import annotations

from typing import Final

__all__ = ["CONTROL_PREFIX", "strip_control_parameters"]

CONTROL_PREFIX: Final = "__"


def strip_control_parameters(query_string: str) -> str:
    """The raw query string without the mock's ``__`` parameters (byte for byte otherwise)."""
    if CONTROL_PREFIX not in query_string:
        return query_string
    kept = [part for part in query_string.split("&") if not part.startswith(CONTROL_PREFIX)]
    return "&".join(kept)
