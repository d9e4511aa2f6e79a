"""Every documented flag and MOCKPROXY_* variable, tried as a user would: real processes."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import subprocess
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import pytest

from proxy.environment import BUNDLED_CONFIG
from proxy.errors import ConfigError
from tests.processes import AUTH, FAX_SPEC, ROOT, free_port, wait_for_health
from tests.test_cli import CONFIG, main

REPORT = "/_mock/fax/fax4a-api/9991/fax/reports/FJKQQUVF1J0IADYARQEXKC"


@dataclass
class Served:
    """A running `mockproxy` process: its URL, and its stderr lines once it has stopped."""

    base: str
    lines: list[str] = field(default_factory=list)

    def events(self) -> dict[str, dict[str, object]]:
        """The JSON log lines by event name (the last of each)."""
        parsed = [json.loads(line) for line in self.lines if line.startswith("{")]
        return {entry["event"]: entry for entry in parsed}


@contextlib.asynccontextmanager
async def serving(
    *args: str, env: dict[str, str] | None = None, cwd: Path = ROOT, port: int | None = None
) -> AsyncIterator[Served]:
    """Run `python -m proxy ARGS` without inherited MOCKPROXY_* variables until it answers
    health; after SIGTERM, its stderr is in ``lines``. ``--port`` is added unless ``port``
    says where the arguments or variables put it."""
    inherited = {k: v for k, v in os.environ.items() if not k.startswith("MOCKPROXY_")}
    inherited["PYTHONPATH"] = str(ROOT)  # this checkout's code, from any working directory
    if port is None:
        port = free_port()
        args = (*args, "--port", str(port))
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "proxy",
        *args,
        cwd=cwd,
        env={**inherited, **(env or {})},
        stderr=asyncio.subprocess.PIPE,
    )
    served = Served(f"http://127.0.0.1:{port}")
    try:
        async with aiohttp.ClientSession() as session:
            await wait_for_health(session, served.base)
        yield served
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
        _, err = await asyncio.wait_for(process.communicate(), timeout=20)
        served.lines = err.decode().splitlines()


async def starting_line(*args: str, env: dict[str, str] | None = None) -> dict[str, object]:
    """The server.starting line of `serve ARGS` (JSON logs: stderr is a pipe)."""
    env = env or {}
    if "--port" in args:
        port = int(args[args.index("--port") + 1])
    elif "MOCKPROXY_PORT" in env:
        port = int(env["MOCKPROXY_PORT"])
    else:
        port = free_port()
        args = (*args, "--port", str(port))
    async with serving("serve", *args, env=env, port=port) as served:
        pass
    return served.events()["server.starting"]


async def test_flags_reach_the_server() -> None:
    """-c, --host, --port, --dynamic, --no-cors and --workers set what the server runs with."""
    port = free_port()
    args = ("-c", str(CONFIG), "--host", "localhost", "--port", str(port), "--dynamic")
    line = await starting_line(*args, "--no-cors", "--workers", "2")
    assert {key: line[key] for key in ("config", "host", "port", "dynamic", "cors", "workers")} == {
        "config": str(CONFIG),
        "host": "localhost",
        "port": port,
        "dynamic": True,
        "cors": False,
        "workers": 2,
    }


async def test_variables_reach_the_server(tmp_path: Path) -> None:
    """MOCKPROXY_CONFIG, _HOST, _PORT, _DYNAMIC and _ADMIN_TOKEN set what the server runs with
    (the admin token is only said to be set)."""
    port = free_port()
    env = {
        "MOCKPROXY_CONFIG": str(CONFIG),
        "MOCKPROXY_HOST": "localhost",
        "MOCKPROXY_PORT": str(port),
        "MOCKPROXY_DYNAMIC": "true",
        "MOCKPROXY_ADMIN_TOKEN": "s3cret",
    }
    line = await starting_line(env=env)
    assert {key: line[key] for key in ("config", "host", "port", "dynamic", "admin_token")} == {
        "config": str(CONFIG),
        "host": "localhost",
        "port": port,
        "dynamic": True,
        "admin_token": True,
    }


async def test_flag_beats_variable() -> None:
    """--port wins over MOCKPROXY_PORT."""
    flag, variable = free_port(), free_port()
    line = await starting_line("--port", str(flag), env={"MOCKPROXY_PORT": str(variable)})
    assert line["port"] == flag


async def test_log_format_json_flag_writes_json_lines_with_the_banner() -> None:
    """--log-format json: every line is a JSON object; the banner gives the bound URLs."""
    async with serving("serve", "--log-format", "json") as served:
        pass
    events = [json.loads(line) for line in served.lines]
    assert [event["event"] for event in events[:3]] == [
        "server.starting",
        "api.ready",
        "explorer.ready",
    ]
    assert events[1]["mock_url"] == served.base + "/_mock/fax/fax4a-api/"
    assert events[2]["url"] == served.base + "/_mockproxy/explorer/"


@pytest.mark.parametrize(
    ("args", "env"),
    [(("--log-format", "console"), {}), ((), {"MOCKPROXY_LOG_FORMAT": "console"})],
    ids=["--log-format", "MOCKPROXY_LOG_FORMAT"],
)
async def test_log_format_console(args: tuple[str, ...], env: dict[str, str]) -> None:
    """Console logs are text lines, even when stderr is not a terminal."""
    async with serving("serve", *args, env=env) as served:
        pass
    assert not served.lines[0].startswith("{")
    assert "api.ready" in served.lines[1]


@pytest.mark.parametrize(
    ("args", "env"),
    [(("--log-level", "warning"), {}), ((), {"MOCKPROXY_LOG_LEVEL": "warning"})],
    ids=["--log-level", "MOCKPROXY_LOG_LEVEL"],
)
async def test_log_level_warning_leaves_out_info(
    args: tuple[str, ...], env: dict[str, str]
) -> None:
    """At level warning neither the banner nor request lines are written."""
    async with serving("serve", *args, env=env) as served, aiohttp.ClientSession() as session:
        async with session.get(served.base + REPORT, headers=AUTH) as response:
            assert response.status == 200
    assert served.lines == []


async def test_serve_works_from_any_directory(tmp_path: Path) -> None:
    """Outside the repository, serve uses the bundled config, says so, and answers."""
    async with serving("serve", cwd=tmp_path) as served, aiohttp.ClientSession() as session:
        async with session.get(served.base + REPORT, headers=AUTH) as response:
            assert response.status == 200
    assert served.events()["server.starting"]["config"] == str(BUNDLED_CONFIG)


async def test_local_config_wins_over_the_bundled_one(tmp_path: Path) -> None:
    """A ./config/mockproxy.yaml in the working directory is the one served."""
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "mockproxy.yaml").write_text(
        f"apis:\n  billing:\n    spec: {FAX_SPEC}\n    mode: mock\n"
    )
    async with serving("serve", cwd=tmp_path) as served:
        pass
    events = served.events()
    assert events["server.starting"]["config"] == "config/mockproxy.yaml"
    assert events["api.ready"]["api"] == "billing"


async def test_mode_variable_naming_no_api_is_warned_about() -> None:
    """A typo in MOCKPROXY_MODE_<API> is a warning at start with a did-you-mean."""
    async with serving("serve", env={"MOCKPROXY_MODE_FXA": "live"}) as served:
        pass
    detail = served.events()["config.warning"]["detail"]
    assert isinstance(detail, str) and "did you mean MOCKPROXY_MODE_FAX?" in detail


def test_mode_variable_sets_every_api(capsys: pytest.CaptureFixture[str]) -> None:
    """MOCKPROXY_MODE decides the mode where no per-API setting does."""
    code = main(
        ["check", "-c", str(CONFIG), "--format", "json"], environ={"MOCKPROXY_MODE": "live"}
    )
    routes = json.loads(capsys.readouterr().out)["routes"]
    assert code == 0
    assert {(r["mode"], r["mode_source"]) for r in routes} == {("live", "env MOCKPROXY_MODE")}


def test_check_reports_a_mode_variable_naming_no_api(capsys: pytest.CaptureFixture[str]) -> None:
    """check lists the stray variable as a warning, and a warning alone exits 0."""
    code = main(["check", "-c", str(CONFIG)], environ={"MOCKPROXY_MODE_FXA": "live"})
    out = capsys.readouterr().out
    assert code == 0
    assert f"{CONFIG}: warning: MOCKPROXY_MODE_FXA names no API" in out
    assert out.endswith("1 description: 0 error(s), 1 warning(s)\n")


def test_debug_shows_the_error_itself(tmp_path: Path) -> None:
    """--debug raises the start-up error (a traceback) instead of printing one line."""
    with pytest.raises(ConfigError):
        main(["serve", "--debug", "-c", str(tmp_path / "nope.yaml")], environ={})


def test_check_specs_exit_code_follows_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """check SPEC...: exit 1 with an error among the findings, 0 with warnings only."""
    warned = tmp_path / "warned.yaml"
    warned.write_text(
        "openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths:\n  /x:\n    get: {}\n"
    )
    broken = tmp_path / "broken.yaml"
    broken.write_text("openapi: 3.0.3\ninfo: {title: t}\npaths: {}\n")
    assert main(["check", str(warned)], environ={}) == 0
    assert main(["check", str(warned), str(broken)], environ={}) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[-1] == "2 descriptions: 1 error(s), 1 warning(s)"


def test_check_specs_as_json(capsys: pytest.CaptureFixture[str]) -> None:
    """--format json: the findings and their counts as one JSON document."""
    assert main(["check", str(FAX_SPEC), "--format", "json"], environ={}) == 0
    assert json.loads(capsys.readouterr().out) == {"findings": [], "errors": 0, "warnings": 0}


def test_check_is_quiet_on_a_closed_pipe(tmp_path: Path) -> None:
    """`check ... | head -0`: a reader gone before the output comes leaves stderr empty."""
    spec = tmp_path / "api.yaml"
    spec.write_text("openapi: 3.0.3\ninfo: {title: t}\npaths: {}\n")
    with subprocess.Popen(
        [sys.executable, "-m", "proxy", "check", str(spec)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    ) as process:
        assert process.stdout is not None and process.stderr is not None
        process.stdout.close()  # as `head -0` does
        err = process.stderr.read()
        assert (process.wait(timeout=60), err) == (1, b"")


async def banner_of(process: asyncio.subprocess.Process) -> dict[str, dict[str, object]]:
    """The JSON log lines up to the banner's last (explorer.ready), by event name."""
    assert process.stderr is not None
    events: dict[str, dict[str, object]] = {}
    while "explorer.ready" not in events:
        line = await asyncio.wait_for(process.stderr.readline(), timeout=20)
        assert line, "the process ended before its banner"
        entry = json.loads(line)
        events[entry["event"]] = entry
    return events


@pytest.mark.parametrize("workers", ["1", "2"], ids=["one-process", "two-workers"])
async def test_port_0_is_shown_in_the_banner_as_the_port_bound(workers: str) -> None:
    """`mockproxy --port 0` names the port the system picked in every banner URL and in its
    server.starting line, and the server answers there."""
    inherited = {k: v for k, v in os.environ.items() if not k.startswith("MOCKPROXY_")}
    process = await asyncio.create_subprocess_exec(
        *(sys.executable, "-m", "proxy", "--port", "0", "--workers", workers),
        cwd=ROOT,
        env={**inherited, "PYTHONPATH": str(ROOT)},
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        banner = await banner_of(process)
        explorer = str(banner["explorer.ready"]["url"])
        base = explorer.removesuffix("/_mockproxy/explorer/")
        assert base.startswith("http://127.0.0.1:") and not base.endswith(":0")
        assert str(banner["api.ready"]["mock_url"]).startswith(base + "/_mock/")
        assert base.endswith(f":{banner['server.starting']['port']}")
        async with aiohttp.ClientSession() as session:
            await wait_for_health(session, base)
            async with session.get(base + REPORT, headers=AUTH) as response:
                assert response.status == 200
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(process.communicate(), timeout=20)
    assert process.returncode == 0
