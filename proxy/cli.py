"""The command line: argv -> Settings -> catalog -> server.serve. The only code that exits.

    mockproxy serve [-c CONFIG] [--host H] [--port N] [--dynamic] [--no-cors] [--workers N]
    mockproxy mock SPEC [--host H] [--port N] [--dynamic] [--no-cors]
    mockproxy check [-c CONFIG | SPEC...] [--format text|json]
    mockproxy --version

Start-up errors (config, specs) print one ``file:line:col: key: message`` line each and exit 2
before any port is bound; a traceback only with ``--debug``.
"""

from __future__ import annotations

import argparse
import dataclasses
import errno
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Final

import structlog

from proxy import __version__
from proxy.banner import log_banner
from proxy.catalog import build_catalog
from proxy.check import CheckReport, check_config, check_files
from proxy.config import load_settings, settings_for_spec
from proxy.config_reader import integer
from proxy.environment import choose_config_path
from proxy.errors import MockproxyError
from proxy.observability import configure_logging
from proxy.server import reserved_port, serve
from proxy.settings import LogFormat, Settings
from proxy.snapshot import Reloader, Snapshot

__all__ = ["main"]

log = structlog.get_logger(__name__)

LOOPBACK_HOSTS: Final = frozenset({"127.0.0.1", "localhost", "::1"})
EXIT_USAGE: Final = 2
_OWN_OPTIONS: Final = frozenset({"-h", "--help", "--version", "--debug"})
"""The options of ``mockproxy`` itself; any other option before a command belongs to serve."""
_COMMANDS: Final = ("serve", "mock", "check")
MAX_WORKERS: Final = 1024
_PORT_IN_USE_HINT: Final = (
    "; choose another port with --port or MOCKPROXY_PORT (0 picks a free one)"
)


def _bounded(minimum: int, maximum: int) -> Callable[[str], int]:
    """An argparse type: the integer, or a usage error saying the range, as the config says it
    (``--port 99999`` must not wrap around to another port)."""
    convert = integer(minimum, maximum)

    def parse(text: str) -> int:
        try:
            return convert(text)
        except ValueError as error:
            raise argparse.ArgumentTypeError(str(error)) from None

    return parse


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mockproxy", description="OpenAPI mock server and reverse proxy."
    )
    parser.add_argument("--version", action="version", version=f"mockproxy {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    commands = parser.add_subparsers(dest="command")

    def common(sub: argparse.ArgumentParser) -> None:
        sub.add_argument("--host", help="address to listen on")
        sub.add_argument("--port", type=_bounded(0, 65535), help="port to listen on (0: any free)")
        sub.add_argument("--dynamic", action="store_true", help="generate fresh data per request")
        sub.add_argument("--no-cors", action="store_true", help="send no CORS headers")
        # any case, as the config and the log variables take them
        sub.add_argument("--log-format", type=str.lower, choices=["auto", "json", "console"])
        sub.add_argument(
            "--log-level", type=str.lower, choices=["debug", "info", "warning", "error"]
        )
        _debug_after_the_command(sub)
        sub.add_argument(
            "--workers",
            type=_bounded(1, MAX_WORKERS),
            default=1,
            help="processes sharing the port (SO_REUSEPORT)",
        )

    serve = commands.add_parser("serve", help="serve the APIs of a config file")
    serve.add_argument("-c", "--config", type=Path, help="config file")
    common(serve)
    mock = commands.add_parser("mock", help="mock one spec at the root path, no config needed")
    mock.add_argument(
        "spec", type=Path, help="OpenAPI or Swagger description (YAML or JSON), Postman collection"
    )
    common(mock)
    check = commands.add_parser(
        "check", help="lint descriptions; with a config, also list operations and modes"
    )
    check.add_argument("specs", nargs="*", type=Path, metavar="SPEC", help="files to lint")
    check.add_argument("-c", "--config", type=Path, help="config file")
    check.add_argument("--format", choices=["text", "json"], default="text")
    _debug_after_the_command(check)
    check.set_defaults(usage_error=check.error)  # "mockproxy check: error: ...", exit 2
    return parser


def _debug_after_the_command(sub: argparse.ArgumentParser) -> None:
    """``serve --debug`` works as ``--debug serve`` does; with no default of its own, the
    subcommand leaves the top-level flag's value alone when it is not given again."""
    sub.add_argument(
        "--debug", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS
    )


def _settings(arguments: argparse.Namespace, environ: Mapping[str, str]) -> Settings:
    if arguments.command == "mock":
        settings = settings_for_spec(arguments.spec, environ=environ)
    else:
        settings = load_settings(
            choose_config_path(getattr(arguments, "config", None), environ, Path.cwd()), environ
        )
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
        changes["log_format"] = LogFormat(arguments.log_format)
    if getattr(arguments, "log_level", None):
        changes["log_level"] = arguments.log_level
    return dataclasses.replace(settings, **changes)  # type: ignore[arg-type]  # keys checked above


def _serve_by_default(argv: Sequence[str]) -> list[str]:
    """``mockproxy --port 0`` means ``mockproxy serve --port 0``, as ``mockproxy`` means serve;
    options written before a command belong to it (``mockproxy -c my.yaml check``)."""
    first = next((arg for arg in argv if arg != "--debug"), None)
    if first is None or (first.startswith("-") and first not in _OWN_OPTIONS):
        command = next((arg for arg in argv if arg in _COMMANDS), None)
        if command is None:
            return ["serve", *argv]
        rest = list(argv)
        rest.remove(command)
        return [command, *rest]
    return list(argv)


def _print_report(report: CheckReport, output_format: str) -> int:
    """Print to stdout; a reader that stops early (``| head``) ends the output quietly."""
    try:
        sys.stdout.write(report.render(output_format))
        sys.stdout.flush()
    except BrokenPipeError:
        # Python's advice: point stdout at devnull so the flush at exit cannot fail again
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return report.exit_code


def _load(arguments: argparse.Namespace, environ: Mapping[str, str]) -> Snapshot:
    settings = _settings(arguments, environ)
    return Snapshot(settings, build_catalog(settings))


def _serve(snapshot: Snapshot, arguments: argparse.Namespace, environ: Mapping[str, str]) -> int:
    settings = snapshot.settings
    reloader = Reloader(load=lambda: _load(arguments, environ))
    for warning in settings.warnings:
        log.warning("config.warning", detail=warning)
    try:
        with reserved_port(settings.host, settings.port, arguments.workers) as port:
            log.info(
                "server.starting",
                config=str(settings.config_path) if settings.config_path else None,
                host=settings.host,
                port=port,
                workers=arguments.workers,
                dynamic=settings.dynamic,
                cors=settings.cors,
                admin_token=settings.admin_token is not None,
            )
            log_banner(settings, snapshot.catalog, port)
            if settings.host not in LOOPBACK_HOSTS and not settings.admin_token:
                log.warning(
                    "admin.unprotected",
                    detail="listening beyond loopback without admin.token: /_mockproxy/ is open",
                )
            return serve(snapshot, reloader, arguments.workers, port)
    except OSError as error:
        hint = _PORT_IN_USE_HINT if error.errno == errno.EADDRINUSE else ""
        print(
            f"mockproxy: cannot listen on {settings.host}:{settings.port}: {error.strerror}{hint}",
            file=sys.stderr,
        )
        return 1


def main(argv: Sequence[str] | None = None, environ: Mapping[str, str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    environment = os.environ if environ is None else environ
    configure_logging("auto", "warning")  # until the settings say otherwise; never stdout
    arguments = _parser().parse_args(_serve_by_default(sys.argv[1:] if argv is None else argv))
    if arguments.command == "check" and arguments.specs:
        if arguments.config is not None:
            arguments.usage_error(
                "give a config (-c) or description files, not both: "
                "`check -c CONFIG` checks the config and its descriptions"
            )
        return _print_report(check_files(arguments.specs), arguments.format)
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
        return _print_report(check_config(settings, snapshot.catalog), arguments.format)
    configure_logging(settings.log_format.value, settings.log_level)
    return _serve(snapshot, arguments, environment)
