"""One loaded configuration (settings, catalog) and the caches whose lifetime it shares.

A reload builds a new snapshot and swaps it in (``Runtime.swap``); a request keeps the
snapshot it started with until it finishes, and the caches go with the snapshot they serve.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from proxy import memo
from proxy.catalog import Catalog
from proxy.live.handler import LiveApis
from proxy.memo import Memo
from proxy.mock.answers import MockAnswers, mock_answers
from proxy.routing import RouteDecision
from proxy.settings import Settings

__all__ = ["DecisionKey", "Reloader", "Runtime", "Snapshot"]

DecisionKey = tuple[str, str, str]
"""(mock prefix, method, raw path)."""


def _decisions() -> Memo[DecisionKey, RouteDecision]:
    return Memo("decisions", memo.DECISIONS)


@dataclass(frozen=True, slots=True)
class Snapshot:
    """Settings, specs and what requests learned about them while this configuration serves.

    ``decisions`` remembers ``routing.route`` per request line (a client polling a job asks
    for the same URL again and again); ``mock_answers`` holds finished static mock answers
    (``mock/answers.py``); ``live`` each API's upstream and contract checker.
    """

    settings: Settings
    catalog: Catalog
    decisions: Memo[DecisionKey, RouteDecision] = field(default_factory=_decisions)
    mock_answers: MockAnswers = field(default_factory=mock_answers)
    live: LiveApis = field(default_factory=LiveApis)


@dataclass(slots=True)
class Runtime:
    """The app's current snapshot (swapped by hot reload)."""

    current: Snapshot
    generation: int = 1

    def swap(self, snapshot: Snapshot) -> None:
        self.current = snapshot
        self.generation += 1


@dataclass(frozen=True, slots=True)
class Reloader:
    """How to load a fresh snapshot (runs in a worker thread) and how often to poll files."""

    load: Callable[[], Snapshot]
    interval: float = 1.0
