"""load_settings(path, environ): the config file, checked key by key, as ``Settings``.

Every mistake is collected and reported as one ``file:line:col: dotted.key: message`` line;
unknown keys get a did-you-mean. ``${VAR}`` and ``${VAR:-default}`` are interpolated in string
values from ``environ`` (never ``os.environ`` directly); ``$$`` is a literal dollar.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any, Final

from proxy.config_reader import (
    Reader,
    boolean,
    choice,
    connection_count,
    integer,
    journal_store,
    log_level,
    names,
    optional_string,
    path_prefix,
    positive_float,
    size,
    string,
    url,
)
from proxy.config_toolkit import (
    DISRUPTION_KEYS,
    read_delivery,
    read_disruptions,
    read_locale,
    read_operations,
    read_seed,
)
from proxy.environment import env_mode_variable, stray_mode_variables
from proxy.errors import ConfigError
from proxy.mock.faults import NO_DISRUPTIONS
from proxy.mock.realistic import DEFAULT_LOCALE
from proxy.recording.settings import read_record, recordings_path
from proxy.settings import (
    DEFAULT_MOCK_PREFIX,
    RESERVED_PREFIX,
    ApiSettings,
    LogFormat,
    Mode,
    ServerLimits,
    Settings,
    Timeouts,
    ValidationMode,
    lies_under,
)
from proxy.yamlio import YamlSyntaxError, load_yaml_document

__all__ = ["API_KEYS", "TOP_LEVEL_KEYS", "load_settings", "settings_for_spec"]


_API_NAME = re.compile(r"^[A-Za-z0-9_.-]+$")


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
    "server",
    "seed",
    "locale",
    "callbacks",
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
    "record",
    "locale",
    *DISRUPTION_KEYS,
)


def _read_api(
    reader: Reader, name: str, raw: Any, parent: dict[str, Any], base: Path, locale: str
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
    spec = reader.get(api, "spec", prefix + ".spec", string, "")
    spec_path = (base / spec).resolve() if spec else base
    if spec and not spec_path.is_file():
        reader.error(api, "spec", prefix + ".spec", _not_a_file(spec_path, "the description file"))
    disruptions = read_disruptions(reader, api, prefix + ".", NO_DISRUPTIONS)
    per_operation = read_operations(reader, api, prefix, disruptions, choice(Mode))
    timeouts = reader.mapping(api.get("timeouts"), api, "timeouts", prefix + ".timeouts")
    reader.known_keys(timeouts, ("connect", "read", "total"), prefix + ".timeouts.")
    tls = reader.mapping(api.get("tls"), api, "tls", prefix + ".tls")
    reader.known_keys(tls, ("verify", "ca_bundle"), prefix + ".tls.")
    ca_bundle = reader.get(tls, "ca_bundle", prefix + ".tls.ca_bundle", optional_string, None)
    ca_path = (base / ca_bundle).resolve() if ca_bundle else None
    if ca_path is not None and not ca_path.is_file():
        where = prefix + ".tls.ca_bundle"
        reader.error(tls, "ca_bundle", where, _not_a_file(ca_path, "the CA bundle file"))
    t = Timeouts()
    return ApiSettings(
        name=name,
        spec_path=spec_path,
        mount=reader.get(api, "mount", prefix + ".mount", path_prefix("a mount path"), "/" + name),
        upstream=reader.get(api, "upstream", prefix + ".upstream", url, None),
        mode=reader.get(api, "mode", prefix + ".mode", choice(Mode), None),
        **per_operation,
        validation=reader.get(
            api,
            "validation",
            prefix + ".validation",
            choice(ValidationMode),
            ValidationMode.ENFORCE,
        ),
        timeouts=Timeouts(
            connect=reader.get(
                timeouts, "connect", prefix + ".timeouts.connect", positive_float, t.connect
            ),
            read=reader.get(timeouts, "read", prefix + ".timeouts.read", positive_float, t.read),
            total=reader.get(
                timeouts, "total", prefix + ".timeouts.total", positive_float, t.total
            ),
        ),
        tls_verify=reader.get(tls, "verify", prefix + ".tls.verify", boolean, True),
        ca_bundle=ca_path,
        record=read_record(reader, api, prefix, recordings_path(base, name)),
        locale=read_locale(reader, api, prefix + ".locale", locale),
        disruptions=disruptions,
    )


def _check_mounts(reader: Reader, apis: dict[str, ApiSettings], mock_prefix: str) -> None:
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


def _read_settings(reader: Reader, root: dict[str, Any], path: Path) -> Settings:
    reader.known_keys(root, TOP_LEVEL_KEYS, "")
    listen = reader.mapping(root.get("listen"), root, "listen", "listen")
    reader.known_keys(listen, ("host", "port"), "listen.")
    admin = reader.mapping(root.get("admin"), root, "admin", "admin")
    reader.known_keys(admin, ("token",), "admin.")
    log = reader.mapping(root.get("log"), root, "log", "log")
    reader.known_keys(log, ("format", "level"), "log.")
    journal = reader.mapping(root.get("journal"), root, "journal", "journal")
    reader.known_keys(journal, ("size", "max_body_bytes", "redact", "store"), "journal.")
    mock_prefix = reader.get(
        root, "mock_prefix", "mock_prefix", path_prefix("a path"), DEFAULT_MOCK_PREFIX
    )
    if mock_prefix in ("", RESERVED_PREFIX):
        reader.error(
            root, "mock_prefix", "mock_prefix", f"'{mock_prefix or '/'}' cannot be the mock prefix"
        )
    raw_apis = reader.mapping(root.get("apis"), root, "apis", "apis")
    if not raw_apis and not isinstance(root.get("apis"), list):
        reader.error(root, "apis" if "apis" in root else None, "apis", "expected at least one API")
    apis: dict[str, ApiSettings] = {}
    locale = read_locale(reader, root, "locale", DEFAULT_LOCALE)
    for name, raw in raw_apis.items():
        reader.positions[f"apis.{name}"] = reader.where(raw_apis, name)
        api = _read_api(reader, name, raw, raw_apis, path.parent, locale)
        if api is not None:
            apis[name] = api
    _check_mounts(reader, apis, mock_prefix)
    return Settings(
        apis=MappingProxyType(apis),
        config_path=path,
        host=reader.get(listen, "host", "listen.host", string, "127.0.0.1"),
        port=reader.get(listen, "port", "listen.port", integer(0, 65535), 8080),
        mock_prefix=mock_prefix,
        mode=reader.get(root, "mode", "mode", choice(Mode), Mode.LIVE),
        dynamic=reader.get(root, "dynamic", "dynamic", boolean, False),
        cors=reader.get(root, "cors", "cors", boolean, True),
        max_body_bytes=reader.get(root, "max_body_size", "max_body_size", size, 10 * 1024 * 1024),
        admin_token=reader.get(admin, "token", "admin.token", optional_string, None),
        log_format=reader.get(log, "format", "log.format", choice(LogFormat), LogFormat.AUTO),
        log_level=reader.get(log, "level", "log.level", log_level, "info"),
        journal_size=reader.get(journal, "size", "journal.size", integer(0, 1_000_000), 200),
        journal_max_body_bytes=reader.get(
            journal, "max_body_bytes", "journal.max_body_bytes", integer(0, 1 << 30), 4096
        ),
        journal_redact=reader.get(journal, "redact", "journal.redact", names, ()),
        server=_read_server(reader, root),
        seed=read_seed(reader, root),
        callback_delivery=read_delivery(reader, root),
        journal_store=reader.get(journal, "store", "journal.store", journal_store, "memory"),
    )


def _not_a_file(path: Path, what: str) -> str:
    """Why ``path`` cannot be read as a file: absent, or a folder (name ``what`` in it)."""
    if path.is_dir():
        return f"{path} is a folder; name {what} in it"
    return f"no such file: {path}"


def _read_server(reader: Reader, root: dict[str, Any]) -> ServerLimits:
    server = reader.mapping(root.get("server"), root, "server", "server")
    keys = ("head_timeout", "keepalive_timeout", "max_connections", "shutdown_timeout")
    reader.known_keys(server, keys, "server.")
    default = ServerLimits()
    values = {
        key: reader.get(
            server,
            key,
            f"server.{key}",
            connection_count if key == "max_connections" else positive_float,
            getattr(default, key),
        )
        for key in keys
    }
    return ServerLimits(**values)


def _apply_environment(
    settings: Settings, environ: Mapping[str, str], errors: list[str]
) -> Settings:
    changes: dict[str, Any] = {"env_mode": _env_mode(environ, "MOCKPROXY_MODE", errors)}
    apis = {
        name: dataclasses.replace(api, env_mode=_env_mode(environ, env_mode_variable(name), errors))
        for name, api in settings.apis.items()
    }
    changes["apis"] = MappingProxyType(apis)
    changes["warnings"] = (*settings.warnings, *stray_mode_variables(environ, settings.apis))
    return _apply_overrides(dataclasses.replace(settings, **changes), environ, errors)


def _apply_overrides(settings: Settings, environ: Mapping[str, str], errors: list[str]) -> Settings:
    """The variables that set listen, data, log and admin settings: for a config and for
    ``mockproxy mock`` alike (the mode switches are the config's only)."""
    changes: dict[str, Any] = {}
    converters: dict[str, tuple[str, Callable[[Any], Any]]] = {
        "MOCKPROXY_HOST": ("host", string),
        "MOCKPROXY_PORT": ("port", integer(0, 65535)),
        "MOCKPROXY_DYNAMIC": ("dynamic", boolean),
        "MOCKPROXY_LOG_FORMAT": ("log_format", choice(LogFormat)),
        "MOCKPROXY_LOG_LEVEL": ("log_level", log_level),
        "MOCKPROXY_ADMIN_TOKEN": ("admin_token", string),
    }
    for variable, (attribute, convert) in converters.items():
        if environ.get(variable):
            try:
                changes[attribute] = convert(environ[variable])
            except ValueError as error:
                errors.append(f"{variable}: {error}")
    return dataclasses.replace(settings, **changes)


def _description_key(data: Any) -> str | None:
    """The key that shows ``data`` is an OpenAPI or Swagger description or a Postman
    collection (a config has none of them), for the user who gave one as the config."""
    if not isinstance(data, dict):
        return None
    if "openapi" in data or "swagger" in data:
        return "openapi" if "openapi" in data else "swagger"
    return "item" if "item" in data and isinstance(data.get("info"), dict) else None


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
    reader = Reader(document, source, environ)
    description_key = _description_key(document.data)
    if description_key is not None:
        raise ConfigError(
            f"{reader.where(document.data, description_key)}: {description_key}: this is an "
            f"API description, not a mockproxy config; serve it alone with `mockproxy mock "
            f"{source}`, or name it as apis.<name>.spec in a config"
        )
    for duplicate in document.duplicates:
        (line, column), (first_line, first_column) = duplicate.again, duplicate.first
        reader.errors.append(
            f"{source}:{line}:{column}: {'.'.join(duplicate.path)}: written twice "
            f"(first at line {first_line}, column {first_column}); keep one"
        )
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
    environ: Mapping[str, str] | None = None,
) -> Settings:
    """`mockproxy mock SPEC`: one API named after the file, mounted at the root, mocked;
    ``environ``'s MOCKPROXY_* variables but the config and mode ones override the rest."""
    path = Path(spec_path)
    if not path.is_file():
        raise ConfigError(f"{path}: no such spec file")
    name = re.sub(r"[^A-Za-z0-9_.-]", "-", path.stem) or "api"
    api = ApiSettings(name=name, spec_path=path.resolve(), mount="", mode=Mode.MOCK)
    settings = Settings(
        apis=MappingProxyType({name: api}),
        host=host,
        port=port,
        mode=Mode.MOCK,
        dynamic=dynamic,
        cors=cors,
    )
    errors: list[str] = []
    settings = _apply_overrides(settings, environ or {}, errors)
    if errors:
        raise ConfigError(errors)
    return settings
