"""Real processes on loopback for the tests of many workers and replicas: a ``redis-server``
(Debian's package) in a temporary directory, and ``mockproxy serve`` processes."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
FAX_SPEC = ROOT / "config" / "specs" / "fax.yaml"
AUTH = {"Authorization": "Basic dXNlcjpwYXNz"}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class RedisServer:
    """A redis-server of the test's own, on a free loopback port, stopped and started at will."""

    directory: Path
    port: int
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        binary = shutil.which("redis-server")
        assert binary, "redis-server is missing: scripts/test installs Debian's redis-server"
        with (self.directory / "redis.log").open("ab") as log:
            self.process = subprocess.Popen(
                [
                    *(binary, "--bind", "127.0.0.1", "--port", str(self.port)),
                    *("--save", "", "--appendonly", "no", "--dir", str(self.directory)),
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 10
        while not self._answers():
            assert self.process.poll() is None, (self.directory / "redis.log").read_text()
            assert time.monotonic() < deadline, "redis-server did not start in 10 s"
            time.sleep(0.05)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.process = None

    def _answers(self) -> bool:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port)) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
        return False


@contextlib.contextmanager
def redis_server(directory: Path) -> Iterator[RedisServer]:
    server = RedisServer(directory, free_port())
    server.start()
    try:
        yield server
    finally:
        server.stop()


@contextlib.asynccontextmanager
async def mockproxies(config: Path, count: int, *args: str) -> AsyncIterator[list[str]]:
    """``count`` processes of ``mockproxy serve -c CONFIG ARGS``, each on a free port, started
    together; their base URLs once each answers health. Stopped with SIGTERM afterwards; their
    logs are kept beside the config."""
    processes: list[asyncio.subprocess.Process] = []
    bases: list[str] = []
    try:
        for _ in range(count):
            port = free_port()
            with (config.parent / f"mockproxy-{port}.log").open("wb") as log:
                processes.append(
                    await asyncio.create_subprocess_exec(
                        sys.executable,
                        *("-m", "proxy", "serve", "-c", str(config), "--port", str(port), *args),
                        cwd=ROOT,
                        env={**os.environ, "MOCKPROXY_LOG_FORMAT": "json"},
                        stderr=log,
                    )
                )
            bases.append(f"http://127.0.0.1:{port}")
        async with aiohttp.ClientSession() as session:
            await asyncio.gather(*(wait_for_health(session, base) for base in bases))
        yield bases
    finally:
        for process in processes:
            if process.returncode is None:
                process.send_signal(signal.SIGTERM)
        for process in processes:
            await asyncio.wait_for(process.wait(), timeout=20)


async def wait_for_health(session: aiohttp.ClientSession, base: str) -> None:
    """Poll /_mockproxy/health until the server answers (15 s at most)."""
    for _ in range(150):
        with contextlib.suppress(aiohttp.ClientError):
            async with session.get(base + "/_mockproxy/health") as response:
                if response.status == 200:
                    return
        await asyncio.sleep(0.1)
    raise AssertionError(f"mockproxy at {base} did not answer health in 15 s")
