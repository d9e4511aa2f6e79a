"""Bounded memos: remember a computed value by key, never growing past a limit.

Many memos here are keyed by text a client sent (paths, Prefer values, Content-Types), so
each has a limit; when it is reached the memo is emptied and refills with what is asked
now. Lookups stay plain ``dict.get`` on the hot path; only a miss calls ``remember``.
"""

from __future__ import annotations

from typing import TypeVar

__all__ = ["remember"]

K = TypeVar("K")
V = TypeVar("V")


def remember(memo: dict[K, V], key: K, value: V, limit: int) -> V:
    """Store ``value`` under ``key`` (emptying ``memo`` first if it holds ``limit``
    entries) and return it."""
    if len(memo) >= limit:
        memo.clear()
    memo[key] = value
    return value
