"""Instructions per request, counted by callgrind: a measure the host's noise cannot move.

    python bench/instructions.py [--requests 2000] [--connections 10] [--log-level info] [scenario ...]

Needs valgrind and wrk (Debian: apt-get install valgrind wrk). Runs the bare handler (the
yardstick of a, b, c and, answering the upstream's path, of d) and mockproxy with one worker
on the bundled config under callgrind, each driven by wrk with the requests of bench/run.py.
Counting is switched on only for a fixed number of a scenario's requests (after a warm-up),
however slow the host, so start-up and spec loading are not in it; the forwarding target of (d) is a second bare handler
outside valgrind. Prints, per scenario, the user-space instructions per request and their
ratio to the yardstick's, and with --out writes them as JSON.

wrk on this machine's loopback varies by 10 % and more between identical runs; these counts
repeat to about 0.1 %, so a change of a few hundred instructions per request shows. They leave
out what the kernel does for the sockets and what cache misses cost, so they judge a change
to mockproxy's own code, not the targets, which bench/run.py measures under wrk.

Beside the judged scenarios, rows that show what a handler cannot avoid: ``same-a`` and
``same-b`` send the bare handler the request of (a) and (b), and ``line-a`` sends (a)'s
request to a bare handler that also writes mockproxy's ``request.completed`` line (the
yardstick's ``--request-line``): the ratio no handler logging every request at the default
level can pass.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Final

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.run import (  # noqa: E402
    LINE_SCENARIO,
    free_port,
    live_environment,
    process,
    run_wrk,
    scenarios,
    wait_healthy,
)

SCENARIOS: Final = ("bare", "upstream", "same-a", LINE_SCENARIO, "a", "same-b", "b", "c", "d")
YARDSTICK_OF: Final = {
    "same-a": "bare",
    LINE_SCENARIO: "bare",
    "a": "bare",
    "same-b": "bare",
    "b": "bare",
    "c": "bare",
    "d": "upstream",
}
LONGEST_RUN_S: Final = 600  # a counted run's ceiling: under valgrind a busy host is slow


@contextlib.contextmanager
def counted(args: list[str], out_file: Path, env: dict[str, str] | None = None) -> Iterator[int]:
    """A process under callgrind with counting off until ``counting`` switches it on."""
    valgrind = [
        "valgrind",
        "--tool=callgrind",
        "--instr-atstart=no",
        f"--callgrind-out-file={out_file}",
    ]
    with process([*valgrind, *args], env) as child:
        yield child.pid


def callgrind_control(option: str, pid: int) -> None:
    subprocess.run(
        ["callgrind_control", option, str(pid)], check=True, capture_output=True, timeout=60
    )


def instructions_since_last_dump(pid: int, out_file: Path) -> int:
    """Dump the counts gathered since the last dump and read their total."""
    before = set(out_file.parent.glob(out_file.name + ".*"))
    callgrind_control("--dump", pid)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        new = set(out_file.parent.glob(out_file.name + ".*")) - before
        for dump in new:
            found = re.search(r"^totals: (\d+)$", dump.read_text(), re.MULTILINE)
            if found is not None:  # the dump's last line: written whole
                return int(found.group(1))
        time.sleep(0.1)
    raise RuntimeError(f"callgrind wrote no dump for process {pid}")


def measure(
    pid: int, out_file: Path, url: str, script: str, requests: int, connections: int
) -> dict[str, float]:
    """One scenario: a warm-up, then a counted run of ``requests`` answers; instructions per
    request."""
    warm_up = max(50, requests // 4)  # memos filled, code paths taken
    run_wrk(url, script, LONGEST_RUN_S, connections, 1, answers=warm_up)
    instructions_since_last_dump(pid, out_file)  # discard whatever came before
    callgrind_control("--instr=on", pid)
    measured = run_wrk(url, script, LONGEST_RUN_S, connections, 1, answers=requests)
    callgrind_control("--instr=off", pid)
    total = instructions_since_last_dump(pid, out_file)
    if measured["unexpected_status"] or measured["requests"] < requests:
        raise RuntimeError(
            f"{url}: {measured['requests']} answers of {requests},"
            f" {measured['unexpected_status']} with an unexpected status"
        )
    return {"requests": measured["requests"], "instructions": total / measured["requests"]}


def run(
    chosen: list[str], requests: int, connections: int, log_level: str = "info"
) -> dict[str, dict[str, float]]:
    for tool in ("valgrind", "callgrind_control", "wrk"):
        if shutil.which(tool) is None:
            raise SystemExit(f"{tool} is not installed: apt-get install valgrind wrk")
    ports = {name: free_port() for name in ("bare", "upstream", "proxy", "line")}
    yardstick = [sys.executable, "-m", "bench.yardstick"]
    env = {
        **live_environment(ports["upstream"]),
        "MOCKPROXY_LOG_LEVEL": log_level,
        "PYTHONHASHSEED": "0",  # the same hashes, so the same dict probes, on every run
    }
    commands = {
        "bare": [*yardstick, str(ports["bare"])],
        "proxy": [sys.executable, "-m", "proxy", "serve", "--port", str(ports["proxy"])],
        "line": [*yardstick, str(ports["line"]), "--request-line"],
    }
    wanted = ["bare", "proxy", *(["line"] if LINE_SCENARIO in chosen else [])]
    results: dict[str, dict[str, float]] = {}
    with (
        tempfile.TemporaryDirectory() as directory,
        process([*yardstick, str(ports["upstream"])]),
        contextlib.ExitStack() as stack,
    ):
        pids = {
            name: stack.enter_context(counted(commands[name], Path(directory) / f"{name}.out", env))
            for name in wanted
        }
        for name in ("upstream", *wanted):
            url = f"http://127.0.0.1:{ports[name]}/_mockproxy/health"
            wait_healthy(url, timeout=LONGEST_RUN_S)
        proxy, bare = f"http://127.0.0.1:{ports['proxy']}", f"http://127.0.0.1:{ports['bare']}"
        # bench/run.py's scenarios; the counted bare handler also answers the upstream's path
        line = f"http://127.0.0.1:{ports['line']}"
        plan = scenarios(proxy, bare, bare, line)
        urls = {key: (url, script) for key, _, url, script in plan}
        for key in chosen:
            name = _process_of(key)
            out_file = Path(directory) / f"{name}.out"
            results[key] = measure(pids[name], out_file, *urls[key], requests, connections)
    for key, yardstick_key in YARDSTICK_OF.items():
        if key in results and yardstick_key in results:
            own, other = results[key]["instructions"], results[yardstick_key]["instructions"]
            results[key]["ratio"] = other / own
    return results


def _process_of(key: str) -> str:
    """Which counted process answers a scenario."""
    if key == LINE_SCENARIO:
        return "line"
    return "bare" if key in ("bare", "upstream") or key.startswith("same-") else "proxy"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("scenarios", nargs="*", help=f"some of {', '.join(SCENARIOS)} (all)")
    parser.add_argument("--requests", type=int, default=2000, help="requests counted per scenario")
    parser.add_argument("--connections", type=int, default=10)
    parser.add_argument("--log-level", default="info", help="mockproxy's (info, its default)")
    parser.add_argument("--out", type=Path, help="write the results here as JSON")
    options = parser.parse_args()
    unknown = set(options.scenarios) - set(SCENARIOS)
    if unknown:
        parser.error(f"unknown scenarios {sorted(unknown)}: choose from {', '.join(SCENARIOS)}")
    chosen = [key for key in SCENARIOS if key in (options.scenarios or SCENARIOS)]
    results = run(chosen, options.requests, options.connections, options.log_level)
    print("| scenario | requests counted | instructions per request | ratio to yardstick |")
    print("|---|---:|---:|---:|")
    for key, data in results.items():
        ratio = f"{data['ratio']:.2f}" if "ratio" in data else ""
        print(f"| {key} | {data['requests']:.0f} | {data['instructions']:,.0f} | {ratio} |")
    if options.out is not None:
        options.out.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
