"""Cyclic garbage collection paused while start-up or an error listing builds many objects.

Loading a large description creates millions of containers, and each thousand of them
triggers a collection that walks the young objects again: for a 3 MB YAML description that
was more than half of the load. Nothing built at load is garbage until it is done, so the
collector waits for the end of the load (``gc.disable`` / ``gc.enable``, as the ``gc``
documentation describes for allocation-heavy phases) and then runs as usual. Listing the
errors of a big invalid body (thousands of error objects at once) halves its time so.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["collector_paused"]


@contextmanager
def collector_paused() -> Iterator[None]:
    """Run the block with the cyclic collector off; restore its state after."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
