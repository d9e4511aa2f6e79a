"""The header fields mockproxy itself adds to answers, each named once."""

from __future__ import annotations

from typing import Final

__all__ = [
    "OPERATION_HEADER",
    "RECORDING_HEADER",
    "REQUEST_ID_HEADER",
    "SOURCE_HEADER",
    "VIOLATIONS_HEADER",
    "WORKER_HEADER",
]

REQUEST_ID_HEADER: Final = "X-Request-Id"
"""The request's id: the client's own, else a new one (``context.py``)."""
SOURCE_HEADER: Final = "X-Mockproxy-Source"
"""Who answered: mock, live or fallback."""
OPERATION_HEADER: Final = "X-Mockproxy-Operation"
"""The operation a mock answer is for."""
RECORDING_HEADER: Final = "X-Mockproxy-Recording"
"""The recording a mock answer replays (``recording/replay.py``)."""
VIOLATIONS_HEADER: Final = "X-Mockproxy-Violations"
"""Validation findings as one JSON list (``violations.py``)."""
WORKER_HEADER: Final = "X-Mockproxy-Worker"
"""The worker process that answered a health check."""
