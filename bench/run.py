"""mockproxy's benchmark: throughput and latency as ratios to yardsticks measured in the same run.

    python bench/run.py [--duration 5] [--rounds 3] [--connections 50] [--threads 1]
                        [--log-level info] [--out DIR]

Needs wrk (Debian: apt-get install wrk). Starts, on free loopback ports: a bare aiohttp handler
answering a small fixed JSON body (yardstick for the mock), a bare aiohttp upstream (yardstick
for forwarding), and mockproxy with one worker on the bundled config, its fax API forwarding
un-prefixed traffic to that upstream, at the log level users run by default (info: one
``request.completed`` line per request, to a null device). Writes results.json and results.md.

The mock's ratios are to the bare handler answering GET /; each is also reported against the
bare handler answering the scenario's own request (path, headers, body), which isolates what
mockproxy adds from what aiohttp spends on a bigger request. Within a round each scenario is
measured between two runs of its yardstick, and its ratio is to their mean.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Final, NamedTuple

import yaml

ROOT = Path(__file__).resolve().parent.parent
SHARED_LARGE: Final = ROOT.parent / "shared" / "specs" / "twilio" / "twilio_api_v2010.json"
BENCH = Path(__file__).resolve().parent
AUTH = "Basic dXNlcjpwYXNz"
REPORT = "/_mock/fax/fax4a-api/9991/fax/reports/FJKQQUVF1J0IADYARQEXKC"
TARGETS = {"a": 0.60, "b": 0.50, "c": 0.60, "d": 0.35}  # at the default log level, info
LINE_SCENARIO: Final = "line-a"
"""The bare handler writing mockproxy's request line (``yardstick.py --request-line``)."""
DOCUMENT_100K: Final = base64.b64encode(bytes(range(256)) * 300).decode()  # 100 KB, fixed


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def live_environment(upstream_port: int) -> dict[str, str]:
    """The environment that points the bundled config's fax API, in live mode, at a bare
    upstream on ``upstream_port``: how every tool here sets up (d)."""
    return {
        "FAX_UPSTREAM": f"http://127.0.0.1:{upstream_port}/fax/v1",
        "MOCKPROXY_MODE_FAX": "live",
    }


def wait_healthy(url: str, timeout: float = 30) -> float:
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        with contextlib.suppress(OSError):
            with urllib.request.urlopen(url, timeout=1) as response:
                if response.status == 200:
                    return time.perf_counter() - started
        time.sleep(0.02)
    raise RuntimeError(f"{url} did not come up within {timeout} s")


@contextlib.contextmanager
def process(
    args: list[str], env: dict[str, str] | None = None
) -> Iterator[subprocess.Popen[bytes]]:
    child = subprocess.Popen(
        args,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        yield child
    finally:
        child.send_signal(signal.SIGTERM)
        try:
            child.wait(timeout=15)
        except subprocess.TimeoutExpired:
            child.kill()


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def cpu_seconds(pid: int) -> float:
    """User and system CPU time a process and its running children (mockproxy's validation
    worker) have used (Linux /proc)."""
    total = 0.0
    for one in (pid, *_children(pid)):
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{one}/stat").read_text().rpartition(")")[2].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(OSError):
            found.extend(int(child) for child in (task / "children").read_text().split())
    return found


def lua_script(method: str, headers: dict[str, str], body: str | None, expect: int) -> str:
    """A wrk script: request shape, and a count of answers that are not the expected status.

    Each wrk thread runs its own Lua state and ``done`` runs in yet another, so the count is a
    global of each thread, gathered through the thread objects ``setup`` is given.
    """
    lines = [f'wrk.method = "{method}"']
    for name, value in headers.items():
        lines.append(f'wrk.headers["{name}"] = "{value}"')
    if body is not None:
        lines.append(f"wrk.body = {json.dumps(body)}")
    lines += [
        "local threads = {}",
        "setup = function(thread) table.insert(threads, thread) end",
        "unexpected = 0",
        "response = function(status, headers, body)",
        f"  if status ~= {expect} then unexpected = unexpected + 1 end",
        "end",
        "done = function(summary, latency, requests)",
        "  local total = 0",
        '  for _, thread in ipairs(threads) do total = total + thread:get("unexpected") end',
        '  io.write(string.format("UNEXPECTED %d\\n", total))',
        "end",
    ]
    return "\n".join(lines) + "\n"


STOPPED: Final = "STOPPED"


def stop_after(script: str, answers: int) -> str:
    """``script`` with each wrk thread stopping after ``answers`` answers and saying so: a fixed
    amount of work however slow the host, for measures that count per request."""
    return script + "\n".join(
        [
            "local answered, on_answer = 0, response",
            "response = function(status, headers, body)",
            "  on_answer(status, headers, body)",
            "  answered = answered + 1",
            f"  if answered == {answers} then",
            "    wrk.thread:stop()",
            f'    io.write("{STOPPED}\\n")',
            "    io.flush()",
            "  end",
            "end",
            "",
        ]
    )


def _ms(text: str) -> float:
    number, unit = re.match(r"([\d.]+)(us|ms|s)", text).groups()  # type: ignore[union-attr]
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def run_wrk(
    url: str,
    script: str,
    duration: float,
    connections: int,
    threads: int,
    server_pid: int | None = None,
    answers: int | None = None,
) -> dict[str, Any]:
    """One wrk run of ``duration`` seconds, or with ``answers`` until each thread has had that
    many (``duration`` is then the most it may take); with ``server_pid``, also the CPU that
    server spent per request."""
    if answers is not None:
        script = stop_after(script, answers)
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script)
    cpu_before = None if server_pid is None else cpu_seconds(server_pid)
    try:
        output = _wrk(
            [
                "wrk",
                f"-t{threads}",
                f"-c{connections}",
                f"-d{max(1, round(duration))}s",
                "--latency",
                "-s",
                handle.name,
                url,
            ],
            timeout=duration + 60,
        )
    finally:
        os.unlink(handle.name)
    cpu = None if server_pid is None or cpu_before is None else cpu_seconds(server_pid) - cpu_before
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    p50 = _ms(re.search(r"50%\s+([\d.]+\w+)", output).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"99%\s+([\d.]+\w+)", output).group(1))  # type: ignore[union-attr]
    unexpected = int(re.search(r"UNEXPECTED (\d+)", output).group(1))  # type: ignore[union-attr]
    requests = int(re.search(r"(\d+) requests in", output).group(1))  # type: ignore[union-attr]
    return {
        "rps": rps,
        "p50_ms": p50,
        "p99_ms": p99,
        "requests": requests,
        "unexpected_status": unexpected,
        "server_cpu_us": None if cpu is None or not requests else cpu * 1e6 / requests,
    }


def _wrk(args: list[str], timeout: float) -> str:
    """wrk's report. A thread that had its answers ends the run: wrk itself would wait out
    its duration, and stops early on SIGINT."""
    with subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as child:
        timer = threading.Timer(timeout, child.kill)
        timer.start()
        try:
            assert child.stdout is not None and child.stderr is not None
            lines = []
            for line in child.stdout:
                if line.strip() == STOPPED:
                    child.send_signal(signal.SIGINT)
                else:
                    lines.append(line)
            errors = child.stderr.read()
        finally:
            timer.cancel()
    if child.returncode != 0:
        raise subprocess.CalledProcessError(child.returncode, args, "".join(lines), errors)
    return "".join(lines)


class Request(NamedTuple):
    method: str
    path: str
    headers: dict[str, str]
    body: str | None = None


MOCK_SCENARIOS: Final = {
    "a": (
        "mock GET, static named example",
        Request("GET", REPORT, {"Authorization": AUTH, "Prefer": "example=unknownJob"}),
        404,
    ),
    "b": (
        "mock POST, valid JSON body, validation on",
        Request(
            "POST",
            "/_mock/fax/fax4a-api/9991/fax",
            {"Authorization": AUTH, "Content-Type": "application/json"},
            json.dumps({"recipients": [{"number": "+498900000000"}]}),
        ),
        201,
    ),
    "c": ("mock GET, generated body", Request("GET", REPORT, {"Authorization": AUTH}), 200),
    "b-100k": (
        "mock POST, 100 KB valid JSON document, validation on",
        Request(
            "POST",
            "/_mock/fax/fax4a-api/9991/fax",
            {"Authorization": AUTH, "Content-Type": "application/json"},
            json.dumps(
                {
                    "recipients": [{"number": "+498900000000"}],
                    "documents": [{"name": "invoice.pdf", "data": DOCUMENT_100K}],
                }
            ),
        ),
        201,
    ),
    "b-1m-invalid": (
        "mock POST, 1 MB JSON document with one invalid recipient (judged in the worker)",
        Request(
            "POST",
            "/_mock/fax/fax4a-api/9991/fax",
            {"Authorization": AUTH, "Content-Type": "application/json"},
            json.dumps(
                {
                    "recipients": [{"number": "+498900000000"}, {"number": "call me"}],
                    "documents": [{"name": "invoice.pdf", "data": DOCUMENT_100K * 10}],
                }
            ),
        ),
        # the bundled fax API answers as Retarus' mock does (validation: warn): the body is
        # judged in full, its violations listed, and the documented 201 sent
        201,
    ),
}
"""Mock scenarios. a, b and c are judged against targets; b-100k and b-1m-invalid show what
validation costs as bodies grow (a body over 256 KiB is read and judged in mockproxy's
validation worker process, whose CPU is counted with mockproxy's)."""


def scenarios(
    proxy: str, bare: str, upstream: str, line: str | None = None
) -> list[tuple[str, str, str, str]]:
    """(key, description, url, wrk script), yardsticks first: the report's order
    (``round_order`` is the order of measurement).

    ``same-a``..``same-c`` send the bare handler exactly the request of a..c: the cost of a
    bigger request to aiohttp itself (path, headers, body) is then in the yardstick too.
    With ``line`` (the yardstick run with ``--request-line``), ``line-a`` sends it the request
    of a: the ratio no handler writing the request line can pass.
    """
    plan = [
        ("bare", "bare aiohttp handler, fixed JSON", bare + "/", lua_script("GET", {}, None, 200)),
        (
            "upstream",
            "bare upstream alone",
            upstream + "/fax/v1/9991/fax/reports",
            lua_script("GET", {}, None, 200),
        ),
    ]
    for key, (_description, request, _status) in MOCK_SCENARIOS.items():
        plan.append(
            (
                f"same-{key}",
                f"bare handler, the request of {key}",
                bare + request.path,
                lua_script(request.method, request.headers, request.body, 200),
            )
        )
    if line is not None:
        request = MOCK_SCENARIOS["a"][1]
        plan.append(
            (
                LINE_SCENARIO,
                "bare handler writing mockproxy's request line, the request of a",
                line + request.path,
                lua_script(request.method, request.headers, request.body, 200),
            )
        )
    for key, (description, request, status) in MOCK_SCENARIOS.items():
        plan.append(
            (
                key,
                description,
                proxy + request.path,
                lua_script(request.method, request.headers, request.body, status),
            )
        )
    plan.append(
        (
            "d",
            "live GET forwarded to the bare upstream",
            proxy + "/fax/fax4a-api/9991/fax/reports",
            lua_script("GET", {"Authorization": AUTH}, None, 200),
        )
    )
    return plan


def large_spec(directory: Path, operations: int = 2000, as_yaml: bool = False) -> Path:
    """A description with `operations` operations, deep $ref chains and allOf, as JSON or
    as block-style YAML (the form large public descriptions are often published in)."""
    schemas: dict[str, Any] = {
        "Base": {
            "type": "object",
            "required": ["id"],
            "properties": {"id": {"type": "string", "format": "uuid"}},
        }
    }
    for depth in range(1, 9):
        schemas[f"Level{depth}"] = {
            "allOf": [
                {"$ref": f"#/components/schemas/{'Base' if depth == 1 else f'Level{depth - 1}'}"},
                {
                    "type": "object",
                    "properties": {f"field{depth}": {"type": "integer", "minimum": depth}},
                },
            ]
        }
    paths: dict[str, Any] = {}
    for index in range(operations // 2):
        model = f"Model{index}"
        schemas[model] = {
            "allOf": [
                {"$ref": f"#/components/schemas/Level{index % 8 + 1}"},
                {
                    "type": "object",
                    "properties": {
                        "name": {"type": "string"},
                        "tags": {"type": "array", "items": {"type": "string"}},
                    },
                },
            ]
        }
        ref = {"$ref": f"#/components/schemas/{model}"}
        paths[f"/resources{index}/{{id}}"] = {
            "parameters": [
                {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
            ],
            "get": {
                "operationId": f"get{index}",
                "responses": {
                    "200": {"description": "ok", "content": {"application/json": {"schema": ref}}}
                },
            },
            "put": {
                "operationId": f"put{index}",
                "requestBody": {"content": {"application/json": {"schema": ref}}},
                "responses": {
                    "200": {"description": "ok", "content": {"application/json": {"schema": ref}}}
                },
            },
        }
    spec = {
        "openapi": "3.0.3",
        "info": {"title": "large", "version": "1"},
        "paths": paths,
        "components": {"schemas": schemas},
    }
    if as_yaml:
        path = directory / "large.yaml"
        path.write_text(yaml.safe_dump(spec, sort_keys=False))
        return path
    path = directory / "large.json"
    path.write_text(json.dumps(spec))
    return path


def measure_start(args: list[str], port: int) -> tuple[float, float]:
    with process([sys.executable, "-m", "proxy", *args, "--port", str(port)]) as child:
        seconds = wait_healthy(f"http://127.0.0.1:{port}/_mockproxy/health", timeout=60)
        time.sleep(0.3)
        return seconds, rss_mb(child.pid)


YARDSTICK_OF: Final = {
    "a": "bare",
    "b": "bare",
    "c": "bare",
    LINE_SCENARIO: "bare",
    "d": "upstream",
}
Run = tuple[str, dict[str, Any]]
"""One wrk run in a round: the scenario's key and what wrk measured."""


def round_order() -> list[str]:
    """One round, in order: each judged scenario between two runs of its yardstick, and each
    mock scenario's same-request yardstick right after it.

    A ratio then compares runs seconds apart: on a shared machine a neighbour that starts or
    stops mid-round moves a scenario and its yardstick together, instead of one of them.
    """
    order = ["bare"]
    for key in MOCK_SCENARIOS:
        order += [key, f"same-{key}", "bare"]
    return [*order, LINE_SCENARIO, "bare", "upstream", "d", "upstream"]


def ratio_to_neighbours(one_round: list[Run], key: str, yardstick: str) -> float:
    """``key``'s req/s over the mean req/s of the ``yardstick`` runs nearest before and after it."""
    index = next(i for i, (name, _) in enumerate(one_round) if name == key)
    before = [m for name, m in reversed(one_round[:index]) if name == yardstick][:1]
    after = [m for name, m in one_round[index + 1 :] if name == yardstick][:1]
    nearest = before + after
    return float(one_round[index][1]["rps"]) / statistics.fmean(m["rps"] for m in nearest)


def _median_run(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The run with the median req/s (its p50 and p99 come with it)."""
    ordered = sorted(runs, key=lambda m: float(m["rps"]))
    return dict(ordered[(len(ordered) - 1) // 2])


def run(
    duration: float,
    connections: int,
    threads: int,
    out: Path,
    rounds: int = 3,
    log_level: str = "info",
) -> dict[str, Any]:
    if shutil.which("wrk") is None:
        raise SystemExit(
            "wrk is not installed: apt-get install wrk (Debian/Ubuntu) or brew install wrk"
        )
    bare_port, upstream_port, proxy_port, line_port = (free_port() for _ in range(4))
    yardstick = [sys.executable, "-m", "bench.yardstick"]
    env = {**live_environment(upstream_port), "MOCKPROXY_LOG_LEVEL": log_level}
    results: dict[str, Any] = {
        "log_level": log_level,
        "duration_s": duration,
        "connections": connections,
        "threads": threads,
        "rounds": rounds,
        "scenarios": {},
    }
    with (
        process([*yardstick, str(bare_port)]) as bare_server,
        process([*yardstick, str(upstream_port)]) as upstream_server,
        process([*yardstick, str(line_port), "--request-line"], env=env) as line_server,
        process(
            [sys.executable, "-m", "proxy", "serve", "--port", str(proxy_port)], env=env
        ) as proxy_server,
    ):
        for port in (bare_port, upstream_port, line_port, proxy_port):
            wait_healthy(f"http://127.0.0.1:{port}/_mockproxy/health")
        base = "http://127.0.0.1:{}"
        plan = scenarios(
            base.format(proxy_port),
            base.format(bare_port),
            base.format(upstream_port),
            base.format(line_port),
        )
        for _key, _description, url, script in plan:
            run_wrk(url, script, min(1.0, duration), connections, threads)  # warm-up
        target = {key: (url, script) for key, _description, url, script in plan}
        pid = {key: proxy_server.pid for key in target}  # whose CPU a run measures
        pid["upstream"], pid[LINE_SCENARIO] = upstream_server.pid, line_server.pid
        for key in ("bare", *(f"same-{mock}" for mock in MOCK_SCENARIOS)):
            pid[key] = bare_server.pid
        rounds_measured: list[list[Run]] = [
            [
                (key, run_wrk(*target[key], duration, connections, threads, pid[key]))
                for key in round_order()
            ]
            for _round in range(rounds)
        ]
        for key, description, _url, _script in plan:
            runs = [measured for one in rounds_measured for name, measured in one if name == key]
            results["scenarios"][key] = {"description": description, **_median_run(runs)}
        # Added latency is the proxy's own cost, so it is measured without queueing: one
        # connection, one request at a time. (Under 50 connections a saturated server's p50
        # is connections / throughput by Little's law: it restates the throughput ratio.)
        latency_runs = {
            key: run_wrk(url, script, min(duration, 3.0), 1, 1)
            for key, _description, url, script in plan
            if key in ("upstream", "d")
        }
    scenario = results["scenarios"]
    for key, yardstick_key in YARDSTICK_OF.items():
        # the ratio of each round (to the yardstick runs just before and after), then the
        # median over rounds: a noisy neighbour spoils one round, not the verdict
        per_round = [ratio_to_neighbours(one, key, yardstick_key) for one in rounds_measured]
        scenario[key]["ratio"] = statistics.median(per_round)
        scenario[key]["ratio_per_round"] = per_round
    for key in MOCK_SCENARIOS:  # informational: the verdict is against the bare GET /
        same = [ratio_to_neighbours(one, key, f"same-{key}") for one in rounds_measured]
        scenario[key]["ratio_same_request"] = statistics.median(same)
    scenario["d"]["added_p50_ms_saturated"] = (
        scenario["d"]["p50_ms"] - scenario["upstream"]["p50_ms"]
    )
    results["latency_one_connection"] = latency_runs
    scenario["d"]["added_p50_ms"] = latency_runs["d"]["p50_ms"] - latency_runs["upstream"]["p50_ms"]
    start_bundled, rss_bundled = measure_start(["serve"], free_port())
    results["startup"] = {"bundled": {"seconds": start_bundled, "rss_mb": rss_bundled}}
    with tempfile.TemporaryDirectory() as directory:
        for name, as_yaml in (
            ("large_2000_operations", False),
            ("large_2000_operations_yaml", True),
        ):
            spec = large_spec(Path(directory), as_yaml=as_yaml)
            seconds, rss = measure_start(["mock", str(spec)], free_port())
            results["startup"][name] = {"seconds": seconds, "rss_mb": rss}
    if SHARED_LARGE.is_file():  # a real large description, when the shared corpus is beside us
        seconds, rss = measure_start(["mock", str(SHARED_LARGE)], free_port())
        results["startup"]["twilio_api_v2010"] = {"seconds": seconds, "rss_mb": rss}
    out.mkdir(parents=True, exist_ok=True)
    (out / "results.json").write_text(json.dumps(results, indent=2))
    (out / "results.md").write_text(markdown(results))
    return results


def markdown(results: dict[str, Any]) -> str:
    rows = [
        "| scenario | req/s | p50 ms | p99 ms | server CPU µs/req | ratio | target | | rounds' ratios | ratio, same request |",
        "|---|---:|---:|---:|---:|---:|---:|---|---|---:|",
    ]
    for key, data in results["scenarios"].items():
        target = TARGETS.get(key)
        ratio = data.get("ratio")
        verdict = "" if target is None else ("PASS" if ratio >= target else "MISS")
        same = data.get("ratio_same_request")
        spread = " ".join(f"{r:.2f}" for r in data.get("ratio_per_round", ()))
        cpu = data.get("server_cpu_us")
        rows.append(
            f"| {key}: {data['description']} | {data['rps']:.0f} | {data['p50_ms']:.2f} | {data['p99_ms']:.2f} | "
            f"{'' if cpu is None else f'{cpu:.1f}'} | "
            f"{'' if ratio is None else f'{ratio:.2f}'} | {'' if target is None else f'>= {target}'} | {verdict} | "
            f"{spread} | {'' if same is None else f'{same:.2f}'} |"
        )
    d = results["scenarios"]["d"]
    one = results["latency_one_connection"]
    rows.append(
        f"\n(d) added p50 latency, one connection: {d['added_p50_ms']:.3f} ms "
        f"(upstream alone {one['upstream']['p50_ms']:.3f} ms, through mockproxy {one['d']['p50_ms']:.3f} ms; "
        f"target <= 1.5: {'PASS' if d['added_p50_ms'] <= 1.5 else 'MISS'}). "
        f"At {results['connections']} connections the p50s differ by {d['added_p50_ms_saturated']:.2f} ms, which is queueing."
    )
    for name, data in results["startup"].items():
        rows.append(
            f"\nstart-up {name}: {data['seconds']:.2f} s, RSS {data['rss_mb']:.0f} MB "
            f"(targets: < 3 s {'PASS' if data['seconds'] < 3 else 'MISS'}, < 150 MB {'PASS' if data['rss_mb'] < 150 else 'MISS'})"
        )
    rows.append(
        f"\n{results['connections']} connections, {results['threads']} wrk thread(s), {results['duration_s']} s per scenario and round, "
        f"{results['rounds']} round(s), mockproxy logging at {results['log_level']}, each scenario between two runs of its yardstick: req/s and latencies from the median run, "
        "each ratio the median of the rounds' ratios (a round's ratio is to the mean of the yardstick runs just before and after); one mockproxy worker. "
        "Ratios of a, b and c are to the bare handler answering GET / (the verdict), as is line-a's, the bare handler writing mockproxy's request line: "
        "the most any handler logging each request at this level can reach; "
        "'same request' ratios are to the bare handler answering the scenario's own request (same-a, same-b, same-c). "
        "Server CPU is the user and system time the serving process (yardstick or mockproxy, with its validation worker) spent per request during that run; "
        "for d it is mockproxy's alone. b-100k and b-1m-invalid have no target: they show what validation costs as bodies grow."
    )
    return "\n".join(rows) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--duration", type=float, default=5, help="seconds per scenario and round")
    parser.add_argument("--rounds", type=int, default=3, help="each scenario once per round")
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--log-level", default="info", help="mockproxy's (info, its default)")
    parser.add_argument("--out", type=Path, default=BENCH / "results")
    options = parser.parse_args()
    results = run(
        options.duration,
        options.connections,
        options.threads,
        options.out,
        options.rounds,
        options.log_level,
    )
    print(markdown(results))


if __name__ == "__main__":
    main()
