"""The command line: check, start-up errors, serve and mock as real processes, reload, workers."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from proxy import __version__
from proxy.cli import main
from tests.processes import AUTH, FAX_SPEC, ROOT, free_port, wait_for_health

CONFIG = ROOT / "config" / "mockproxy.yaml"


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    """--version prints the package version."""
    with pytest.raises(SystemExit) as raised:
        main(["--version"], environ={})
    assert raised.value.code == 0
    assert capsys.readouterr().out.strip() == f"mockproxy {__version__}"


def test_check_lists_operations_and_modes(capsys: pytest.CaptureFixture[str]) -> None:
    """`check` loads the bundled config and prints each operation with its mode."""
    assert main(["check", "-c", str(CONFIG)], environ={}) == 0
    out = capsys.readouterr().out
    assert "fax: Cloud Fax API (sample) 1.0.0 (OpenAPI 3.0), 4 operations" in out
    assert "sendFaxJob" in out
    assert "(config apis.fax.mode)" in out


def test_options_written_before_the_command_belong_to_it(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """``mockproxy -c CONFIG check`` checks that config, as ``check -c CONFIG`` does."""
    assert main(["-c", str(CONFIG), "check"], environ={}) == 0
    assert "sendFaxJob" in capsys.readouterr().out


def test_check_json_shows_env_precedence(capsys: pytest.CaptureFixture[str]) -> None:
    """MOCKPROXY_MODE_FAX beats the API's mode, and check says which setting decided."""
    code = main(
        ["check", "-c", str(CONFIG), "--format", "json"], environ={"MOCKPROXY_MODE_FAX": "live"}
    )
    assert code == 0
    routes = json.loads(capsys.readouterr().out)["routes"]
    assert {(r["operation"], r["mode"], r["mode_source"]) for r in routes} == {
        (key, "live", "env MOCKPROXY_MODE_FAX")
        for key in ("sendFaxJob", "listFaxReports", "getFaxStatus", "deleteFaxReport")
    }


def test_config_error_exits_2_with_file_line_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A config mistake is one file:line:col line naming the key, exit 2, nothing served."""
    config = tmp_path / "bad.yaml"
    config.write_text(f"apis:\n  fax:\n    spec: {FAX_SPEC}\n    mode: mokc\n")
    assert main(["check", "-c", str(config)], environ={}) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"{config}:4:")
    assert "apis.fax.mode" in err
    assert "mokc" in err


def test_spec_error_exits_2_naming_file_and_pointer(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A $ref into a file that does not parse fails start-up naming the file and the ref."""
    (tmp_path / "part.yaml").write_text("Thing: [broken\n")
    spec = tmp_path / "broken.yaml"
    spec.write_text(
        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /x:\n    get:\n"
        "      responses:\n        '200':\n          description: ok\n          content:\n"
        "            application/json:\n              schema: {$ref: 'part.yaml#/Thing'}\n"
    )
    assert main(["mock", str(spec)], environ={}) == 2
    err = capsys.readouterr().err
    assert "broken.yaml#/paths/~1x/get" in err
    assert "part.yaml:2:1: invalid YAML" in err


def test_check_lists_a_dangling_ref_as_a_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A dangling $ref loads; `check` names its pointer among the warnings and exits 0."""
    spec = tmp_path / "dangling.yaml"
    spec.write_text(
        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /x:\n    get:\n"
        "      responses:\n        '200':\n          description: ok\n          content:\n"
        "            application/json:\n              schema: {$ref: '#/components/schemas/Nope'}\n"
    )
    config = tmp_path / "mockproxy.yaml"
    config.write_text(f"apis:\n  d:\n    spec: {spec}\n    mount: /d\n")
    assert main(["check", "-c", str(config)], environ={}) == 0
    out = capsys.readouterr().out
    assert (
        f"{spec}:11:15: warning: #/paths/~1x/get/responses/200/content/application~1json/schema: "
        "$ref '#/components/schemas/Nope' does not resolve (no such pointer); "
        "treated as an unconstrained schema\n"
    ) in out


def test_missing_config_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A config file that does not exist is named in the error."""
    assert main(["serve", "-c", str(tmp_path / "nope.yaml")], environ={}) == 2
    assert "nope.yaml" in capsys.readouterr().err


@contextlib.asynccontextmanager
async def launched(
    *args: str, env: dict[str, str] | None = None, stderr: Any = asyncio.subprocess.PIPE
) -> AsyncIterator[tuple[asyncio.subprocess.Process, str]]:
    """Run `python -m proxy ARGS` until it answers health; stop it with SIGTERM afterwards."""
    port = free_port()
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "proxy",
        *args,
        "--port",
        str(port),
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        stderr=stderr,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        async with aiohttp.ClientSession() as session:
            await wait_for_health(session, base)
        yield process, base
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(process.wait(), timeout=20)


@contextlib.asynccontextmanager
async def running(
    *args: str, env: dict[str, str] | None = None, stderr: Any = asyncio.subprocess.PIPE
) -> AsyncIterator[str]:
    """The base URL of `python -m proxy ARGS`, served until the block ends."""
    async with launched(*args, env=env, stderr=stderr) as (_, base):
        yield base


async def test_serve_answers_the_quickstart_request() -> None:
    """`mockproxy serve` with the bundled config answers the README's curl request."""
    async with (
        running("serve") as base,
        aiohttp.ClientSession() as session,
        session.post(
            base + "/_mock/fax/fax4a-api/9991/fax",
            json={"recipients": [{"number": "+498900000000"}]},
            headers=AUTH,
        ) as response,
    ):
        assert response.status == 201
        assert await response.json() == {"jobId": "FJKQQUVF1J0IADYARQEXKC"}


async def test_serve_logs_as_the_command_line_says(tmp_path: Path) -> None:
    """`--log-format json --log-level info` give one request.completed JSON line a request."""
    log = tmp_path / "stderr.log"
    with log.open("wb") as stderr:
        async with (
            running("serve", "--log-format", "json", "--log-level", "info", stderr=stderr) as base,
            aiohttp.ClientSession() as session,
            session.get(base + "/_mockproxy/health", headers={"X-Request-Id": "r-cli"}),
        ):
            pass
    lines = [json.loads(line) for line in log.read_text().splitlines()]
    [line] = [line for line in lines if line.get("request_id") == "r-cli"]
    assert (line["event"], line["level"], line["status"]) == ("request.completed", "info", 200)


async def test_mock_serves_one_spec_at_the_root() -> None:
    """`mockproxy mock SPEC` needs no config and serves the spec's paths at /."""
    async with running("mock", str(FAX_SPEC)) as base, aiohttp.ClientSession() as session:
        async with session.get(base + "/9991/fax/reports", headers=AUTH) as response:
            assert response.status == 200
            assert response.headers["X-Mockproxy-Operation"] == "listFaxReports"


async def test_sigterm_stops_an_idle_server_at_once(tmp_path: Path) -> None:
    """SIGTERM with no request in flight ends the process with exit code 0, without waiting
    out server.shutdown_timeout (60 s here)."""
    config = tmp_path / "mockproxy.yaml"
    config.write_text(f"server: {{shutdown_timeout: 60}}\napis:\n  fax:\n    spec: {FAX_SPEC}\n")
    async with launched("serve", "-c", str(config)) as (process, base):
        assert base.startswith("http://127.0.0.1:")
        process.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(process.wait(), timeout=20) == 0


async def test_reload_picks_up_a_changed_spec_and_survives_a_broken_one(tmp_path: Path) -> None:
    """A spec edit is served without restart; a broken edit keeps the previous spec serving."""
    spec = tmp_path / "fax.yaml"
    spec.write_text(FAX_SPEC.read_text())
    config = tmp_path / "mockproxy.yaml"
    config.write_text(f"apis:\n  fax:\n    spec: {spec}\n    mode: mock\n")
    url_path = "/_mock/fax/9991/fax"
    job = {"recipients": [{"number": "+498900000000"}]}
    async with running("serve", "-c", str(config)) as base, aiohttp.ClientSession() as session:
        spec.write_text(
            FAX_SPEC.read_text().replace("FJKQQUVF1J0IADYARQEXKC", "FJRELOADED0000000000XX")
        )
        for _ in range(50):
            async with session.post(base + url_path, json=job, headers=AUTH) as response:
                if (await response.json()).get("jobId") == "FJRELOADED0000000000XX":
                    break
            await asyncio.sleep(0.2)
        else:
            raise AssertionError("the changed spec was not loaded")
        spec.write_text("openapi: 3.0.3\npaths: [broken")
        await asyncio.sleep(2.5)
        async with session.post(base + url_path, json=job, headers=AUTH) as response:
            assert (await response.json()) == {"jobId": "FJRELOADED0000000000XX"}


async def test_two_workers_answer_on_one_port() -> None:
    """--workers 2 runs two processes that both accept on the same port."""
    async with running("serve", "--workers", "2") as base:
        pids = set()
        for _ in range(40):
            async with aiohttp.ClientSession() as session:  # a new connection each time
                async with session.get(base + "/_mockproxy/health") as response:
                    pids.add(response.headers.get("X-Mockproxy-Worker"))
            if len(pids) == 2:
                break
        assert len(pids) == 2


async def test_sigterm_lets_a_request_in_flight_finish(tmp_path: Path, aiohttp_server: Any) -> None:
    """SIGTERM while a slow live request is in flight: it completes, then the server exits."""
    from aiohttp import web

    async def slow(request: web.Request) -> web.Response:
        await asyncio.sleep(1.0)
        return web.json_response({"reports": []})

    upstream_app = web.Application()
    upstream_app.router.add_get("/{tail:.*}", slow)
    upstream = await aiohttp_server(upstream_app)
    config = tmp_path / "mockproxy.yaml"
    config.write_text(
        f"apis:\n  fax:\n    spec: {FAX_SPEC}\n    mode: live\n"
        f"    upstream: {upstream.make_url('/fax/v1')}\n"
    )
    port = free_port()
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "proxy",
        "serve",
        "-c",
        str(config),
        "--port",
        str(port),
        cwd=ROOT,
        stderr=asyncio.subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    async with aiohttp.ClientSession() as session:
        await wait_for_health(session, base)
        in_flight = asyncio.create_task(session.get(base + "/fax/9991/fax/reports", headers=AUTH))
        await asyncio.sleep(0.3)
        process.send_signal(signal.SIGTERM)
        response = await in_flight
        assert response.status == 200
        assert await response.json() == {"reports": []}
    assert await asyncio.wait_for(process.wait(), timeout=15) == 0


async def test_ctrl_c_to_every_worker_lets_a_request_in_flight_finish() -> None:
    """Ctrl-C in a terminal (SIGINT to the parent and each worker, which the parent then
    passes on again): a request in flight is answered, and the group exits 0 without a
    traceback."""
    port = free_port()
    process = await asyncio.create_subprocess_exec(
        *(sys.executable, "-m", "proxy", "--port", str(port), "--workers", "2"),
        cwd=ROOT,
        env={k: v for k, v in os.environ.items() if not k.startswith("MOCKPROXY_")},
        stderr=asyncio.subprocess.PIPE,
        start_new_session=True,  # its own process group, as a shell gives a job
    )
    base = f"http://127.0.0.1:{port}"
    async with aiohttp.ClientSession() as session:
        await wait_for_health(session, base)
        slow = {**AUTH, "Prefer": "delay=1500"}
        in_flight = asyncio.create_task(
            session.get(base + "/_mock/fax/fax4a-api/9991/fax/reports", headers=slow)
        )
        await asyncio.sleep(0.5)
        os.killpg(process.pid, signal.SIGINT)
        response = await in_flight
        assert response.status == 200
    _, err = await asyncio.wait_for(process.communicate(), timeout=20)
    assert (process.returncode, "Traceback" in err.decode()) == (0, False), err.decode()
