"""Bounded memos: every table that remembers computed values, each named with its bound here.

Memos keyed by text a client sent (paths, Prefer values, Content-Types, patterns) have a
limit below; when it is reached the memo is emptied and refills with what is asked now.
Lookups stay plain ``dict.get`` on the hot path (``Memo.get``); only a miss calls
``remember``. Tables keyed by the configuration alone are bounded by it and need no limit:
per API (``LiveApis``: upstreams and contract checkers; the upstream pool's endpoints), per
schema of a spec (``ContractChecker``'s validators), per metric label set
(``observability.Metrics``), the explorer's catalog JSON (the current generation only), one
Faker per configured locale (``mock/realistic.py``).
"""

from __future__ import annotations

from typing import Final, Generic, TypeVar

__all__ = [
    "DECISIONS",
    "EXPRESSIONS",
    "MOCK_ANSWERS",
    "PARAMETER_VERDICTS",
    "PATTERNS",
    "SCHEMA_ENGINES",
    "UPSTREAM_BASES",
    "Memo",
    "remember",
]

K = TypeVar("K")
V = TypeVar("V")

DECISIONS: Final = 4096
"""Routing decisions per loaded configuration, by (mock prefix, method, raw path)."""
EXPRESSIONS: Final = 1024
"""Runtime expressions of callbacks, checked and split (``callbacks/expressions.py``)."""
MOCK_ANSWERS: Final = 10_000
"""Finished static mock answers per loaded configuration (``mock/answers.py``)."""
PARAMETER_VERDICTS: Final = 4096
"""Per validator: path parameters, query strings and Content-Types already judged."""
PATTERNS: Final = 2048
"""Parsed and compiled ``pattern`` regexes the generator met (``mock/patterns.py``)."""
UPSTREAM_BASES: Final = 256
"""Parsed upstream base URLs (``live/target.py``)."""
SECRET_NAMES: Final = 4096
"""Header, query and field names already judged secret or not (``redact.py``)."""
SCHEMA_ENGINES: Final = 16
"""Compiled schema engines, one per loaded description (``validation/schemas.py``; the
validation worker process keeps as many)."""


def remember(memo: dict[K, V], key: K, value: V, limit: int) -> V:
    """Store ``value`` under ``key`` (emptying ``memo`` first if it holds ``limit``
    entries) and return it."""
    if len(memo) >= limit:
        memo.clear()
    memo[key] = value
    return value


class Memo(dict[K, V], Generic[K, V]):
    """A named dict that never holds more than ``limit`` entries: ``get`` as usual, and
    ``remember`` to store (emptying it first when full)."""

    __slots__ = ("limit", "name")

    def __init__(self, name: str, limit: int) -> None:
        super().__init__()
        self.name = name
        self.limit = limit

    def remember(self, key: K, value: V) -> V:
        """Store and return ``value``."""
        return remember(self, key, value, self.limit)
