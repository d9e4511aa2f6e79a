"""Big JSON bodies read and judged in a worker process, so the event loop keeps answering.

orjson and jsonschema-rs hold the GIL while they work (a 5 MB body takes them a few hundred
ms), so a thread would stop the event loop just the same; a process does not. Each server
process starts one worker, on the first big body, with the ``spawn`` method (no copy of the
running server; as with any ``multiprocessing`` use, a script that starts mockproxy itself
does so under ``if __name__ == "__main__":``). The worker learns an engine's documents once
(``SchemaEngine.documents``, sent with the first body judged against it) and keeps the last
``memo.SCHEMA_ENGINES`` engines. Without a worker (it cannot start), the body is judged on the
event loop, as before. The worker runs at a lower priority (nice 10), so that on a busy
machine the server's own requests come first.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import multiprocessing
import os
from collections.abc import Mapping
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Final

import structlog

from proxy.memo import SCHEMA_ENGINES, remember
from proxy.validation.bodies import BodyError, read_json
from proxy.validation.schemas import Direction, FieldError, SchemaEngine

__all__ = ["BodyJudgement", "judge_json", "shutdown"]

log = structlog.get_logger(__name__)

BodyJudgement = tuple[int, tuple[FieldError, ...], int, bool]
"""(status 200, 400 or 422; the errors listed; how many more were found; whether all were
looked for, ``ErrorList.all_counted``)."""

_UNKNOWN_ENGINE: Final = "unknown-engine"
_Raw = tuple[int, tuple[tuple[str, str], ...], int, bool]

_worker_engines: dict[int, SchemaEngine] = {}
"""In the worker: the engines it was taught, by serial."""


def _judge_in_worker(
    serial: int, documents: Mapping[str, Any] | None, uri: str, body: bytes
) -> _Raw | str:
    """Runs in the worker: the body read as JSON and checked against the schema at ``uri``."""
    engine = _worker_engines.get(serial)
    if engine is None:
        if documents is None:
            return _UNKNOWN_ENGINE
        engine = remember(_worker_engines, serial, SchemaEngine(documents, serial), SCHEMA_ENGINES)
    check = engine.check(uri, Direction.REQUEST)
    gc.disable()  # a big value and its errors are many objects: the collector would pass often
    try:
        value = read_json(body)
        if check.passes(value):
            return 200, (), 0, True
        listed, more, all_counted = check.errors(value, "/body")
    except BodyError as error:
        return 400, ((error.pointer, error.detail),), 0, True
    finally:
        gc.enable()
    return 422, tuple((error.pointer, error.detail) for error in listed), more, all_counted


def _yield_to_the_server() -> None:
    """Runs as the worker starts: bulk work gives way to the server's requests on a busy CPU."""
    with contextlib.suppress(OSError):
        os.nice(10)


class _Worker:
    """This process's one worker process, started on first use."""

    def __init__(self) -> None:
        self._pool: ProcessPoolExecutor | None = None
        self._taught: set[int] = set()

    def _executor(self) -> ProcessPoolExecutor:
        if self._pool is None:
            context = multiprocessing.get_context("spawn")
            self._pool = ProcessPoolExecutor(
                max_workers=1, mp_context=context, initializer=_yield_to_the_server
            )
            self._taught = set()
        return self._pool

    async def judge(self, engine: SchemaEngine, uri: str, body: bytes) -> _Raw | None:
        loop = asyncio.get_running_loop()
        for _attempt in range(2):
            documents = None if engine.serial in self._taught else engine.documents
            self._taught.add(engine.serial)
            try:
                found = await loop.run_in_executor(
                    self._executor(), _judge_in_worker, engine.serial, documents, uri, body
                )
            except BrokenProcessPool:
                log.warning("validation.worker_lost")
                self.shutdown()
                continue
            except (RuntimeError, OSError) as error:  # e.g. a main module without a guard
                reason = str(error).strip().partition("\n")[0]
                log.warning("validation.worker_unavailable", reason=reason)
                self.shutdown()
                return None
            except Exception:  # a fault in the worker: logged, and the body judged here
                log.exception("validation.worker_failed")
                return None
            if found == _UNKNOWN_ENGINE:
                self._taught.discard(engine.serial)
                continue
            assert not isinstance(found, str)
            return found
        return None

    def shutdown(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None


_WORKER: Final = _Worker()


async def judge_json(engine: SchemaEngine, uri: str, body: bytes) -> BodyJudgement | None:
    """A JSON request body judged in the worker process against the schema at ``uri``;
    None when the worker could not be reached (then the caller judges it itself)."""
    found = await _WORKER.judge(engine, uri, body)
    if found is None:
        return None
    status, listed, more, all_counted = found
    return (
        status,
        tuple(FieldError(pointer, detail) for pointer, detail in listed),
        more,
        all_counted,
    )


def shutdown() -> None:
    """Stop this process's worker (a new one starts with the next big body)."""
    _WORKER.shutdown()
