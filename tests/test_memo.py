"""Bounded memos: a memo never holds more than its limit."""

from __future__ import annotations

from proxy.memo import Memo


def test_full_memo_is_emptied_before_it_takes_a_new_entry() -> None:
    """At its limit a memo starts over with the new entry, so client text cannot grow it."""
    memo: Memo[str, int] = Memo("example", limit=2)
    memo.remember("a", 1)
    memo.remember("b", 2)
    assert memo.remember("c", 3) == 3
    assert dict(memo) == {"c": 3}
    assert (memo.name, memo.limit) == ("example", 2)
