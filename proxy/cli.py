"""The command line: argv -> Settings -> catalog -> server.serve. The only code that exits.

    mockproxy serve [-c CONFIG] [--host H] [--port N] [--dynamic] [--no-cors]
    mockproxy mock SPEC [--host H] [--port N] [--dynamic] [--no-cors]
    mockproxy check [-c CONFIG] [--json]
    mockproxy --version

Start-up errors (config, specs) print one ``file:line:col: key: message`` line each and exit 2
before any port is bound; a traceback only with ``--debug``.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Final, TextIO

import structlog

from proxy import __version__
from proxy.catalog import Catalog, build_catalog
from proxy.config import Settings, load_settings, settings_for_spec
from proxy.errors import MockproxyError
from proxy.observability import configure_logging
from proxy.recording.store import Recording
from proxy.server import serve
from proxy.snapshot import Reloader, Snapshot
from proxy.validation.examples import check_examples

__all__ = ["main"]

log = structlog.get_logger(__name__)

DEFAULT_CONFIG: Final = Path("config/mockproxy.yaml")
LOOPBACK_HOSTS: Final = frozenset({"127.0.0.1", "localhost", "::1"})
EXIT_USAGE: Final = 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mockproxy", description="OpenAPI mock server and reverse proxy."
    )
    parser.add_argument("--version", action="version", version=f"mockproxy {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    commands = parser.add_subparsers(dest="command")

    def common(sub: argparse.ArgumentParser) -> None:
        sub.add_argument("--host", help="address to listen on")
        sub.add_argument("--port", type=int, help="port to listen on")
        sub.add_argument("--dynamic", action="store_true", help="generate fresh data per request")
        sub.add_argument("--no-cors", action="store_true", help="send no CORS headers")
        sub.add_argument("--log-format", choices=["auto", "json", "console"])
        sub.add_argument("--log-level", choices=["debug", "info", "warning", "error"])
        sub.add_argument("--debug", action="store_true", help=argparse.SUPPRESS)
        sub.add_argument(
            "--workers", type=int, default=1, help="processes sharing the port (SO_REUSEPORT)"
        )

    serve = commands.add_parser("serve", help="serve the APIs of a config file")
    serve.add_argument("-c", "--config", type=Path, help="config file")
    common(serve)
    mock = commands.add_parser("mock", help="mock one spec at the root path, no config needed")
    mock.add_argument("spec", type=Path, help="OpenAPI or Swagger description (YAML or JSON)")
    common(mock)
    check = commands.add_parser("check", help="load everything, list operations and modes")
    check.add_argument("-c", "--config", type=Path, help="config file")
    check.add_argument("--json", action="store_true", help="print the routes as JSON")
    check.add_argument("--debug", action="store_true", help=argparse.SUPPRESS)
    return parser


def _config_path(arguments: argparse.Namespace, environ: Mapping[str, str]) -> Path:
    given = getattr(arguments, "config", None)
    if given is not None:
        return Path(given)
    return Path(environ.get("MOCKPROXY_CONFIG") or DEFAULT_CONFIG)


def _settings(arguments: argparse.Namespace, environ: Mapping[str, str]) -> Settings:
    if arguments.command == "mock":
        settings = settings_for_spec(arguments.spec)
    else:
        settings = load_settings(_config_path(arguments, environ), environ)
    changes: dict[str, object] = {}
    if getattr(arguments, "host", None):
        changes["host"] = arguments.host
    if getattr(arguments, "port", None) is not None:
        changes["port"] = arguments.port
    if getattr(arguments, "dynamic", False):
        changes["dynamic"] = True
    if getattr(arguments, "no_cors", False):
        changes["cors"] = False
    if getattr(arguments, "log_format", None):
        changes["log_format"] = arguments.log_format
    if getattr(arguments, "log_level", None):
        changes["log_level"] = arguments.log_level
    return dataclasses.replace(settings, **changes)  # type: ignore[arg-type]  # keys checked above


def _print_check(settings: Settings, catalog: Catalog, as_json: bool, out: TextIO) -> None:
    if as_json:
        routes = [
            {
                "api": api.name,
                "operation": p.operation.key,
                "method": p.operation.method,
                "path": p.operation.path,
                "mode": p.mode.value,
                "mode_source": p.mode_source,
                "recordings": [r.summary() for r in api.recordings.get(p.operation.key, ())],
            }
            for api in catalog.apis
            for p in api.operations.values()
        ]
        json.dump({"routes": routes}, out, indent=2)
        out.write("\n")
        return
    for api in catalog.apis:
        spec = api.spec
        out.write(
            f"{api.name}: {spec.title} {spec.api_version} (OpenAPI {spec.version.value}), "
            f"{len(api.operations)} operations, mounted at {api.settings.mount or '/'}, "
            f"upstream {api.settings.upstream or '(none)'}\n"
        )
        for prepared in api.operations.values():
            operation = prepared.operation
            out.write(
                f"  {operation.method:7} {operation.path:40} {operation.key:28} "
                f"{prepared.mode.value:8} ({prepared.mode_source})\n"
            )
            _print_recordings(api.recordings.get(operation.key, ()), out)
        for warning in (*spec.warnings, *check_examples(spec)):
            out.write(f"  warning: {warning}\n")


def _print_recordings(recordings: Sequence[Recording], out: TextIO) -> None:
    """One line per recording under its operation; one more per finding where the spec
    no longer describes it."""
    for recording in recordings:
        flag = "" if not recording.violations else "  DOES NOT CONFORM"
        out.write(
            f"    recorded {recording.name} {recording.status} "
            f"{recording.media_type or '(no body)'} {recording.recorded_at}{flag}\n"
        )
        for violation in recording.violations:
            out.write(f"      {violation}\n")


def _load(arguments: argparse.Namespace, environ: Mapping[str, str]) -> Snapshot:
    settings = _settings(arguments, environ)
    return Snapshot(settings, build_catalog(settings))


def _serve(snapshot: Snapshot, arguments: argparse.Namespace, environ: Mapping[str, str]) -> int:
    settings = snapshot.settings
    reloader = Reloader(load=lambda: _load(arguments, environ))
    log.info(
        "server.starting",
        host=settings.host,
        port=settings.port,
        apis=[api.name for api in snapshot.catalog.apis],
        workers=arguments.workers,
    )
    if settings.host not in LOOPBACK_HOSTS and not settings.admin_token:
        log.warning(
            "admin.unprotected",
            detail="listening beyond loopback without admin.token: /_mockproxy/ is open",
        )
    try:
        return serve(snapshot, reloader, arguments.workers)
    except OSError as error:
        print(
            f"mockproxy: cannot listen on {settings.host}:{settings.port}: {error.strerror}",
            file=sys.stderr,
        )
        return 1


def main(argv: Sequence[str] | None = None, environ: Mapping[str, str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    environment = os.environ if environ is None else environ
    configure_logging("auto", "warning")  # until the settings say otherwise; never stdout
    arguments = _parser().parse_args(argv)
    if arguments.command is None:
        arguments = _parser().parse_args(["serve", *(argv or sys.argv[1:])])
    try:
        snapshot = _load(arguments, environment)
    except MockproxyError as error:
        if arguments.debug:
            raise
        for message in error.messages:
            print(message, file=sys.stderr)
        return EXIT_USAGE
    settings = snapshot.settings
    if arguments.command == "check":
        _print_check(settings, snapshot.catalog, arguments.json, sys.stdout)
        return 0
    configure_logging(settings.log_format.value, settings.log_level)
    return _serve(snapshot, arguments, environment)
