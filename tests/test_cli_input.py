"""Bad input on the command line, as a new user types it: one clear line, a non-zero exit, no
traceback, and nothing served."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from proxy.cli import main
from proxy.errors import ConfigError
from tests.processes import FAX_SPEC, ROOT

USAGE_ERROR = 2


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--port", "99999"], "argument --port: expected an integer from 0 to 65535, got 99999"),
        (["--port", "-1"], "argument --port: expected an integer from 0 to 65535, got -1"),
        (["mock", "x.yaml", "--port", "65536"], "expected an integer from 0 to 65535, got 65536"),
        (["--workers", "0"], "argument --workers: expected an integer from 1 to 1024, got 0"),
        (["--workers", "two"], "argument --workers: expected an integer, got 'two'"),
    ],
    ids=["port-too-big", "port-negative", "mock-port-too-big", "no-workers", "workers-word"],
)
def test_out_of_range_numbers_on_the_command_line_are_refused(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """A port outside 0-65535 or a worker count below 1 is a usage error naming the flag."""
    with pytest.raises(SystemExit) as raised:
        main(argv, environ={})
    assert raised.value.code == USAGE_ERROR
    assert capsys.readouterr().err.splitlines()[-1].endswith(message)


def test_a_negative_port_variable_names_the_range(capsys: pytest.CaptureFixture[str]) -> None:
    """MOCKPROXY_PORT=-1 says which ports are allowed, as 99999 does."""
    assert main(["check"], environ={"MOCKPROXY_PORT": "-1"}) == USAGE_ERROR
    assert capsys.readouterr().err == (
        "MOCKPROXY_PORT: expected an integer from 0 to 65535, got -1\n"
    )


@pytest.mark.parametrize("command", ["serve", "check"])
def test_debug_before_the_command_shows_the_traceback(command: str, tmp_path: Path) -> None:
    """`mockproxy --debug COMMAND`, as --help lists it, raises the start-up error itself."""
    with pytest.raises(ConfigError):
        main(["--debug", command, "-c", str(tmp_path / "nope.yaml")], environ={})


@pytest.mark.parametrize("workers", ["1", "2"], ids=["one-process", "two-workers"])
def test_a_port_in_use_is_one_line_before_the_banner(workers: str) -> None:
    """Serving on a port another program listens on exits 1 with one line naming the address
    and what to do, before any API is announced as ready and without a traceback."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        inherited = {k: v for k, v in os.environ.items() if not k.startswith("MOCKPROXY_")}
        finished = subprocess.run(
            [sys.executable, "-m", "proxy", "--port", str(port), "--workers", workers],
            cwd=ROOT,
            env={**inherited, "PYTHONPATH": str(ROOT)},
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert (finished.returncode, finished.stderr) == (
        1,
        f"mockproxy: cannot listen on 127.0.0.1:{port}: Address already in use; "
        "choose another port with --port or MOCKPROXY_PORT (0 picks a free one)\n",
    )


def test_check_refuses_a_config_and_descriptions_together(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`check -c CONFIG SPEC` is a usage error, not a pass that never read the config."""
    config = tmp_path / "mockproxy.yaml"
    config.write_text("apis:\n  fax:\n    spec: missing.yaml\n")
    with pytest.raises(SystemExit) as raised:
        main(["check", "-c", str(config), str(FAX_SPEC)], environ={})
    assert raised.value.code == USAGE_ERROR
    assert capsys.readouterr().err.splitlines()[-1] == (
        "mockproxy check: error: give a config (-c) or description files, not both: "
        "`check -c CONFIG` checks the config and its descriptions"
    )


def test_mock_refuses_a_bad_variable_before_serving(capsys: pytest.CaptureFixture[str]) -> None:
    """`mockproxy mock` reads MOCKPROXY_PORT too: a bad value is exit 2 naming the variable,
    before any address is bound."""
    code = main(["mock", str(FAX_SPEC), "--host", "999.1.1.1"], environ={"MOCKPROXY_PORT": "x"})
    assert (code, capsys.readouterr().err) == (
        USAGE_ERROR,
        "MOCKPROXY_PORT: expected an integer, got 'x'\n",
    )


def test_log_flags_take_any_case_as_their_variables_do(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`--log-level WARNING --log-format JSON` are accepted, as MOCKPROXY_LOG_LEVEL=WARNING is:
    the run goes on to the next mistake (here the missing spec)."""
    missing = tmp_path / "none.yaml"
    argv = ["mock", str(missing), "--log-level", "WARNING", "--log-format", "JSON"]
    assert main(argv, environ={}) == USAGE_ERROR
    assert capsys.readouterr().err == f"{missing}: no such spec file\n"
