"""Frozen Settings and load_settings(path, environ): the config file, checked key by key.

Every mistake is collected and reported as one ``file:line:col: dotted.key: message`` line;
unknown keys get a did-you-mean. ``${VAR}`` and ``${VAR:-default}`` are interpolated in string
values from ``environ`` (never ``os.environ`` directly); ``$$`` is a literal dollar.
"""

from __future__ import annotations

import contextlib
import dataclasses
import difflib
import enum
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, Final
from urllib.parse import urlsplit

from proxy.errors import ConfigError
from proxy.yamlio import YamlDocument, YamlSyntaxError, load_yaml_document

__all__ = [
    "API_KEYS",
    "TOP_LEVEL_KEYS",
    "ApiSettings",
    "LogFormat",
    "Mode",
    "Settings",
    "Timeouts",
    "ValidationMode",
    "env_mode_variable",
    "lies_under",
    "load_settings",
    "settings_for_spec",
]


class Mode(enum.StrEnum):
    MOCK = "mock"
    LIVE = "live"
    VERIFY = "verify"
    FALLBACK = "fallback"


class ValidationMode(enum.StrEnum):
    ENFORCE = "enforce"
    WARN = "warn"
    OFF = "off"


class LogFormat(enum.StrEnum):
    AUTO = "auto"
    JSON = "json"
    CONSOLE = "console"


@dataclass(frozen=True, slots=True)
class Timeouts:
    connect: float = 5.0
    read: float = 30.0
    total: float = 60.0


@dataclass(frozen=True, slots=True)
class ApiSettings:
    name: str
    spec_path: Path
    mount: str
    upstream: str | None = None
    mode: Mode | None = None
    env_mode: Mode | None = None
    operations: Mapping[str, Mode] = field(default_factory=lambda: MappingProxyType({}))
    validation: ValidationMode = ValidationMode.ENFORCE
    timeouts: Timeouts = Timeouts()
    tls_verify: bool = True
    ca_bundle: Path | None = None


@dataclass(frozen=True, slots=True)
class Settings:
    apis: Mapping[str, ApiSettings]
    config_path: Path | None = None
    host: str = "127.0.0.1"
    port: int = 8080
    mock_prefix: str = "/_mock"
    mode: Mode = Mode.LIVE
    env_mode: Mode | None = None
    dynamic: bool = False
    cors: bool = True
    max_body_bytes: int = 10 * 1024 * 1024
    admin_token: str | None = None
    log_format: LogFormat = LogFormat.AUTO
    log_level: str = "info"
    journal_size: int = 200
    journal_max_body_bytes: int = 4096
    positions: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))


RESERVED_PREFIX: Final = "/_mockproxy"
_API_NAME = re.compile(r"^[A-Za-z0-9_.-]+$")
_INTERPOLATION = re.compile(r"\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([KMG]i?B|[kKMG]B|B)?\s*$")
_SIZE_UNITS: Final = {
    None: 1,
    "B": 1,
    "kB": 1000,
    "KB": 1000,
    "MB": 1000**2,
    "GB": 1000**3,
    "KiB": 1024,
    "MiB": 1024**2,
    "GiB": 1024**3,
}
_LOG_LEVELS: Final = ("debug", "info", "warning", "error")


class _Reader:
    """Walks the YAML with positions, collecting one message per problem."""

    def __init__(self, document: YamlDocument, source: str, environ: Mapping[str, str]) -> None:
        self.document = document
        self.source = source
        self.environ = environ
        self.errors: list[str] = []
        self.positions: dict[str, str] = {}

    def where(self, parent: object, key: str | None) -> str:
        position = self.document.position(parent, key) if key is not None else None
        if position is None:
            return self.source
        return f"{self.source}:{position[0]}:{position[1]}"

    def error(self, parent: object, key: str | None, dotted: str, message: str) -> None:
        self.errors.append(f"{self.where(parent, key)}: {dotted}: {message}")

    def mapping(self, value: Any, parent: object, key: str | None, dotted: str) -> dict[str, Any]:
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.error(parent, key, dotted, f"expected a mapping, got {_describe(value)}")
            return {}
        return value

    def known_keys(self, mapping: dict[str, Any], allowed: tuple[str, ...], prefix: str) -> None:
        for key in mapping:
            dotted = f"{prefix}{key}"
            self.positions[dotted] = self.where(mapping, key)
            if key not in allowed:
                close = difflib.get_close_matches(key, allowed, n=1)
                hint = f" (did you mean '{close[0]}'?)" if close else ""
                known = ", ".join(allowed)
                self.error(mapping, key, dotted, f"unknown key{hint}; known keys: {known}")

    def interpolate(self, value: Any, parent: object, key: str, dotted: str) -> Any:
        if not isinstance(value, str) or "$" not in value:
            return value

        def replace(match: re.Match[str]) -> str:
            if match.group(0) == "$$":
                return "$"
            name, default = match.group(1), match.group(2)
            if name in self.environ and (default is None or self.environ[name] != ""):
                return self.environ[name]
            if default is not None:
                return default
            self.error(parent, key, dotted, f"environment variable {name} is not set")
            return ""

        return _INTERPOLATION.sub(replace, value)

    def get(
        self,
        mapping: dict[str, Any],
        key: str,
        dotted: str,
        convert: Callable[[Any], Any],
        default: Any,
    ) -> Any:
        if key not in mapping:
            return default
        raw = self.interpolate(mapping[key], mapping, key, dotted)
        try:
            return convert(raw)
        except ValueError as error:
            self.error(mapping, key, dotted, str(error))
            return default


def _describe(value: Any) -> str:
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing"
    return f"{type(value).__name__} {value!r}"


def _string(value: Any) -> str:
    if isinstance(value, str):
        return value
    raise ValueError(f"expected a string, got {_describe(value)}")


def _optional_string(value: Any) -> str | None:
    return None if value is None else _string(value)


def _integer(minimum: int, maximum: int) -> Callable[[Any], int]:
    def convert(value: Any) -> int:
        if isinstance(value, str) and value.strip().isdigit():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"expected an integer, got {_describe(value)}")
        if not minimum <= value <= maximum:
            raise ValueError(f"expected an integer from {minimum} to {maximum}, got {value}")
        return value

    return convert


def _positive_float(value: Any) -> float:
    if isinstance(value, str):
        with contextlib.suppress(ValueError):
            value = float(value)
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise ValueError(f"expected a number of seconds > 0, got {_describe(value)}")
    return float(value)


def _boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise ValueError(f"expected true or false, got {_describe(value)}")


def _choice(kind: type[enum.StrEnum]) -> Callable[[Any], Any]:
    def convert(value: Any) -> Any:
        try:
            return kind(value)
        except ValueError:
            names = ", ".join(member.value for member in kind)
            raise ValueError(f"expected one of {names}, got {_describe(value)}") from None

    return convert


def _log_level(value: Any) -> str:
    if isinstance(value, str) and value.lower() in _LOG_LEVELS:
        return value.lower()
    raise ValueError(f"expected one of {', '.join(_LOG_LEVELS)}, got {_describe(value)}")


def _size(value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    match = _SIZE.match(value) if isinstance(value, str) else None
    if match is None or match.group(2) not in _SIZE_UNITS:
        raise ValueError(f"expected a size such as 10MiB or 1048576, got {_describe(value)}")
    return int(float(match.group(1)) * _SIZE_UNITS[match.group(2)])


def _url(value: Any) -> str | None:
    if value is None:
        return None
    parts = urlsplit(value) if isinstance(value, str) else None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"expected an http(s) URL, got {_describe(value)}")
    if parts.username is not None or parts.password is not None:
        raise ValueError(
            "expected no credentials in the URL (they would not be sent: the client's own "
            "Authorization header is forwarded), got "
            + _describe(parts._replace(netloc=parts.netloc.rpartition("@")[2]).geturl())
            + " with user info"
        )
    if parts.query or parts.fragment:
        raise ValueError(f"expected a base URL without query or fragment, got {_describe(value)}")
    return str(value).rstrip("/")


def _path_prefix(what: str) -> Callable[[Any], str]:
    def convert(value: Any) -> str:
        text = _string(value).strip()
        if not text.startswith("/"):
            raise ValueError(f"expected {what} starting with '/', got {_describe(value)}")
        return text.rstrip("/")

    return convert


def _env_mode(environ: Mapping[str, str], name: str, errors: list[str]) -> Mode | None:
    value = environ.get(name)
    if not value:
        return None
    try:
        return Mode(value.strip().lower())
    except ValueError:
        names = ", ".join(mode.value for mode in Mode)
        errors.append(f"{name}: expected one of {names}, got {value!r}")
        return None


def env_mode_variable(api_name: str) -> str:
    """``fax-v2`` -> ``MOCKPROXY_MODE_FAX_V2``."""
    mangled = "".join(c if c.isascii() and c.isalnum() else "_" for c in api_name.upper())
    return f"MOCKPROXY_MODE_{mangled}"


TOP_LEVEL_KEYS: Final = (  # what the reader accepts (the README lists each)
    "listen",
    "mock_prefix",
    "mode",
    "dynamic",
    "cors",
    "max_body_size",
    "admin",
    "log",
    "journal",
    "apis",
)
API_KEYS: Final = (  # what the reader accepts below apis.<name>
    "spec",
    "mount",
    "upstream",
    "mode",
    "operations",
    "validation",
    "timeouts",
    "tls",
)


def _read_api(
    reader: _Reader, name: str, raw: Any, parent: dict[str, Any], base: Path
) -> ApiSettings | None:
    prefix = f"apis.{name}"
    if not _API_NAME.match(name):
        reader.error(parent, name, prefix, "API names may hold only letters, digits, '_', '.', '-'")
    api = reader.mapping(raw, parent, name, prefix)
    reader.known_keys(api, API_KEYS, prefix + ".")
    if "spec" not in api:
        reader.error(
            parent, name, prefix + ".spec", "required: the path of the API's OpenAPI description"
        )
        return None
    spec = reader.get(api, "spec", prefix + ".spec", _string, "")
    spec_path = (base / spec).resolve() if spec else base
    if spec and not spec_path.is_file():
        reader.error(api, "spec", prefix + ".spec", f"no such file: {spec_path}")
    operations: dict[str, Mode] = {}
    ops = reader.mapping(api.get("operations"), api, "operations", prefix + ".operations")
    for key in ops:
        dotted = f"{prefix}.operations.{key}"
        reader.positions[dotted] = reader.where(ops, key)
        mode = reader.get(ops, key, dotted, _choice(Mode), None)
        if mode is not None:
            operations[key] = mode
    timeouts = reader.mapping(api.get("timeouts"), api, "timeouts", prefix + ".timeouts")
    reader.known_keys(timeouts, ("connect", "read", "total"), prefix + ".timeouts.")
    tls = reader.mapping(api.get("tls"), api, "tls", prefix + ".tls")
    reader.known_keys(tls, ("verify", "ca_bundle"), prefix + ".tls.")
    ca_bundle = reader.get(tls, "ca_bundle", prefix + ".tls.ca_bundle", _optional_string, None)
    ca_path = (base / ca_bundle).resolve() if ca_bundle else None
    if ca_path is not None and not ca_path.is_file():
        reader.error(tls, "ca_bundle", prefix + ".tls.ca_bundle", f"no such file: {ca_path}")
    t = Timeouts()
    return ApiSettings(
        name=name,
        spec_path=spec_path,
        mount=reader.get(api, "mount", prefix + ".mount", _path_prefix("a mount path"), "/" + name),
        upstream=reader.get(api, "upstream", prefix + ".upstream", _url, None),
        mode=reader.get(api, "mode", prefix + ".mode", _choice(Mode), None),
        operations=MappingProxyType(operations),
        validation=reader.get(
            api,
            "validation",
            prefix + ".validation",
            _choice(ValidationMode),
            ValidationMode.ENFORCE,
        ),
        timeouts=Timeouts(
            connect=reader.get(
                timeouts, "connect", prefix + ".timeouts.connect", _positive_float, t.connect
            ),
            read=reader.get(timeouts, "read", prefix + ".timeouts.read", _positive_float, t.read),
            total=reader.get(
                timeouts, "total", prefix + ".timeouts.total", _positive_float, t.total
            ),
        ),
        tls_verify=reader.get(tls, "verify", prefix + ".tls.verify", _boolean, True),
        ca_bundle=ca_path,
    )


def lies_under(path: str, prefix: str) -> bool:
    """Whether ``path`` is ``prefix`` or below it, segment-wise: ``/ab`` is not under ``/a``."""
    return path == prefix or path.startswith(prefix + "/")


def _check_mounts(reader: _Reader, apis: dict[str, ApiSettings], mock_prefix: str) -> None:
    seen: dict[str, str] = {}
    for api in apis.values():
        dotted = f"apis.{api.name}.mount"
        where = reader.positions.get(dotted) or reader.positions.get(
            f"apis.{api.name}", reader.source
        )
        if api.mount in seen:
            reader.errors.append(
                f"{where}: {dotted}: '{api.mount or '/'}' is already the mount of {seen[api.mount]}"
            )
        seen[api.mount] = api.name
        for reserved in (mock_prefix, RESERVED_PREFIX):
            if lies_under(api.mount, reserved):
                reader.errors.append(
                    f"{where}: {dotted}: '{api.mount}' lies under the reserved prefix {reserved}"
                )


def _read_settings(reader: _Reader, root: dict[str, Any], path: Path) -> Settings:
    reader.known_keys(root, TOP_LEVEL_KEYS, "")
    listen = reader.mapping(root.get("listen"), root, "listen", "listen")
    reader.known_keys(listen, ("host", "port"), "listen.")
    admin = reader.mapping(root.get("admin"), root, "admin", "admin")
    reader.known_keys(admin, ("token",), "admin.")
    log = reader.mapping(root.get("log"), root, "log", "log")
    reader.known_keys(log, ("format", "level"), "log.")
    journal = reader.mapping(root.get("journal"), root, "journal", "journal")
    reader.known_keys(journal, ("size", "max_body_bytes"), "journal.")
    mock_prefix = reader.get(root, "mock_prefix", "mock_prefix", _path_prefix("a path"), "/_mock")
    if mock_prefix in ("", RESERVED_PREFIX):
        reader.error(
            root, "mock_prefix", "mock_prefix", f"'{mock_prefix or '/'}' cannot be the mock prefix"
        )
    raw_apis = reader.mapping(root.get("apis"), root, "apis", "apis")
    if not raw_apis and not isinstance(root.get("apis"), list):
        reader.error(root, "apis" if "apis" in root else None, "apis", "expected at least one API")
    apis: dict[str, ApiSettings] = {}
    for name, raw in raw_apis.items():
        reader.positions[f"apis.{name}"] = reader.where(raw_apis, name)
        api = _read_api(reader, name, raw, raw_apis, path.parent)
        if api is not None:
            apis[name] = api
    _check_mounts(reader, apis, mock_prefix)
    return Settings(
        apis=MappingProxyType(apis),
        config_path=path,
        host=reader.get(listen, "host", "listen.host", _string, "127.0.0.1"),
        port=reader.get(listen, "port", "listen.port", _integer(0, 65535), 8080),
        mock_prefix=mock_prefix,
        mode=reader.get(root, "mode", "mode", _choice(Mode), Mode.LIVE),
        dynamic=reader.get(root, "dynamic", "dynamic", _boolean, False),
        cors=reader.get(root, "cors", "cors", _boolean, True),
        max_body_bytes=reader.get(root, "max_body_size", "max_body_size", _size, 10 * 1024 * 1024),
        admin_token=reader.get(admin, "token", "admin.token", _optional_string, None),
        log_format=reader.get(log, "format", "log.format", _choice(LogFormat), LogFormat.AUTO),
        log_level=reader.get(log, "level", "log.level", _log_level, "info"),
        journal_size=reader.get(journal, "size", "journal.size", _integer(0, 1_000_000), 200),
        journal_max_body_bytes=reader.get(
            journal, "max_body_bytes", "journal.max_body_bytes", _integer(0, 1 << 30), 4096
        ),
    )


def _apply_environment(
    settings: Settings, environ: Mapping[str, str], errors: list[str]
) -> Settings:
    changes: dict[str, Any] = {"env_mode": _env_mode(environ, "MOCKPROXY_MODE", errors)}
    converters: dict[str, tuple[str, Callable[[Any], Any]]] = {
        "MOCKPROXY_HOST": ("host", _string),
        "MOCKPROXY_PORT": ("port", _integer(0, 65535)),
        "MOCKPROXY_DYNAMIC": ("dynamic", _boolean),
        "MOCKPROXY_LOG_FORMAT": ("log_format", _choice(LogFormat)),
        "MOCKPROXY_LOG_LEVEL": ("log_level", _log_level),
        "MOCKPROXY_ADMIN_TOKEN": ("admin_token", _string),
    }
    for variable, (attribute, convert) in converters.items():
        if environ.get(variable):
            try:
                changes[attribute] = convert(environ[variable])
            except ValueError as error:
                errors.append(f"{variable}: {error}")
    apis = {
        name: dataclasses.replace(api, env_mode=_env_mode(environ, env_mode_variable(name), errors))
        for name, api in settings.apis.items()
    }
    changes["apis"] = MappingProxyType(apis)
    return dataclasses.replace(settings, **changes)


def load_settings(path: Path, environ: Mapping[str, str]) -> Settings:
    """Read and check the config file; raise ConfigError with every problem found."""
    source = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{source}: config file not found") from None
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"{source}: cannot read the config file: {error}") from None
    try:
        document = load_yaml_document(text, source)
    except YamlSyntaxError as error:
        raise ConfigError(f"{source}:{error.line}:{error.column}: invalid YAML: {error}") from None
    reader = _Reader(document, source, environ)
    root = reader.mapping(document.data, None, None, "(top level)")
    settings = _read_settings(reader, root, Path(path).resolve())
    settings = _apply_environment(settings, environ, reader.errors)
    if reader.errors:
        raise ConfigError(reader.errors)
    return dataclasses.replace(
        settings, config_path=Path(path), positions=MappingProxyType(reader.positions)
    )


def settings_for_spec(
    spec_path: Path,
    *,
    host: str = "127.0.0.1",
    port: int = 4010,
    dynamic: bool = False,
    cors: bool = True,
) -> Settings:
    """`mockproxy mock SPEC`: one API named after the file, mounted at the root, mocked."""
    path = Path(spec_path)
    if not path.is_file():
        raise ConfigError(f"{path}: no such spec file")
    name = re.sub(r"[^A-Za-z0-9_.-]", "-", path.stem) or "api"
    api = ApiSettings(name=name, spec_path=path.resolve(), mount="", mode=Mode.MOCK)
    return Settings(
        apis=MappingProxyType({name: api}),
        host=host,
        port=port,
        mode=Mode.MOCK,
        dynamic=dynamic,
        cors=cors,
    )
