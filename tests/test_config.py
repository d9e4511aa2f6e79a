"""Config loading: the whole contract, every error as file:line:col: key: message."""

from __future__ import annotations

from pathlib import Path

import pytest

from proxy.catalog import build_catalog
from proxy.config import API_KEYS, TOP_LEVEL_KEYS, load_settings, settings_for_spec
from proxy.environment import BUNDLED_CONFIG, LOCAL_CONFIG, choose_config_path
from proxy.errors import ConfigError
from proxy.settings import LogFormat, Mode, ServerLimits, ValidationMode
from proxy.yamlio import load_yaml

FAX_SPEC = Path(__file__).resolve().parent.parent / "config" / "specs" / "fax.yaml"


def config(tmp_path: Path, text: str) -> Path:
    (tmp_path / "specs").mkdir(exist_ok=True)
    (tmp_path / "specs" / "fax.yaml").write_text(FAX_SPEC.read_text())
    path = tmp_path / "mockproxy.yaml"
    path.write_text(text)
    return path


def errors(path: Path, environ: dict[str, str] | None = None) -> list[str]:
    with pytest.raises(ConfigError) as raised:
        load_settings(path, environ or {})
    return [message.replace(str(path), "CFG") for message in raised.value.messages]


FULL = """\
listen: {host: 0.0.0.0, port: 9000}
mock_prefix: /_mocks/
mode: verify
dynamic: true
cors: false
max_body_size: 2MiB
admin: {token: t0k}
log: {format: json, level: WARNING}
journal: {size: 5, max_body_bytes: 10, redact: [Pin], store: 'redis://redis:6379/1'}
server: {head_timeout: 2, keepalive_timeout: 3.5, max_connections: 400, shutdown_timeout: 4}
apis:
  fax:
    spec: specs/fax.yaml
    mount: /fax/fax4a-api/
    upstream: ${FAX_UPSTREAM:-https://fax.example.com/fax/v1/}
    mode: mock
    operations: {getFaxStatus: live, "GET /{custNr}/fax/reports": fallback}
    validation: warn
    timeouts: {connect: 1, read: 2.5, total: "30"}
    tls: {verify: false}
"""


def test_timeouts_take_durations_as_the_other_settings_write_them(tmp_path: Path) -> None:
    """A timeout is seconds as a number, or a duration with its unit like latency's."""
    text = (
        "server: {head_timeout: 500ms, shutdown_timeout: '4'}\n"
        "apis: {fax: {spec: specs/fax.yaml, timeouts: {connect: 1.5s, read: 2 s, total: 90}}}\n"
    )
    settings = load_settings(config(tmp_path, text), {})
    timeouts = settings.apis["fax"].timeouts
    assert (timeouts.connect, timeouts.read, timeouts.total) == (1.5, 2.0, 90.0)
    assert (settings.server.head_timeout, settings.server.shutdown_timeout) == (0.5, 4.0)


def test_full_config(tmp_path: Path) -> None:
    """Every key is read and normalised."""
    settings = load_settings(config(tmp_path, FULL), {})
    api = settings.apis["fax"]
    assert (settings.host, settings.port, settings.mock_prefix, settings.mode) == (
        "0.0.0.0",
        9000,
        "/_mocks",
        Mode.VERIFY,
    )
    assert (settings.dynamic, settings.cors, settings.max_body_bytes) == (
        True,
        False,
        2 * 1024 * 1024,
    )
    assert (settings.admin_token, settings.log_format, settings.log_level) == (
        "t0k",
        LogFormat.JSON,
        "warning",
    )
    assert (settings.journal_size, settings.journal_max_body_bytes) == (5, 10)
    assert settings.journal_redact == ("Pin",)
    assert settings.server == ServerLimits(2.0, 3.5, 400, 4.0)
    assert settings.journal_store == "redis://redis:6379/1"
    assert (api.mount, api.upstream, api.mode, api.validation) == (
        "/fax/fax4a-api",
        "https://fax.example.com/fax/v1",
        Mode.MOCK,
        ValidationMode.WARN,
    )
    assert dict(api.operations) == {
        "getFaxStatus": Mode.LIVE,
        "GET /{custNr}/fax/reports": Mode.FALLBACK,
    }
    assert (api.timeouts.connect, api.timeouts.read, api.timeouts.total) == (1.0, 2.5, 30.0)
    assert api.tls_verify is False
    assert api.spec_path == (tmp_path / "specs" / "fax.yaml").resolve()
    assert (
        settings.positions["apis.fax.operations.getFaxStatus"]
        == f"{tmp_path / 'mockproxy.yaml'}:17:18"
    )


def test_defaults(tmp_path: Path) -> None:
    """Only the spec is required; everything else has a default."""
    settings = load_settings(config(tmp_path, "apis:\n  fax:\n    spec: specs/fax.yaml\n"), {})
    api = settings.apis["fax"]
    assert (settings.host, settings.port, settings.mock_prefix, settings.mode) == (
        "127.0.0.1",
        8080,
        "/_mock",
        Mode.LIVE,
    )
    assert (api.mount, api.upstream, api.mode, api.validation) == (
        "/fax",
        None,
        None,
        ValidationMode.ENFORCE,
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "mokc_prefix: /x\napis: {fax: {spec: specs/fax.yaml}}\n",
            [
                "CFG:1:1: mokc_prefix: unknown key (did you mean 'mock_prefix'?); known keys: listen, mock_prefix, mode, dynamic, cors, max_body_size, admin, log, journal, server, seed, locale, callbacks, apis"
            ],
        ),
        (
            "apis:\n  fax:\n    spec: specs/fax.yaml\n    upstream: fax.local\n",
            ["CFG:4:5: apis.fax.upstream: expected an http(s) URL, got 'fax.local'"],
        ),
        (
            "apis:\n  fax:\n    spec: specs/fax.yaml\n    upstream: https://me:secret@fax.local/v1\n",
            [
                "CFG:4:5: apis.fax.upstream: expected no credentials in the URL (they would not "
                "be sent: the client's own Authorization header is forwarded), got "
                "'https://fax.local/v1' with user info"
            ],
        ),
        (
            "apis:\n  fax:\n    spec: specs/fax.yaml\n    upstream: https://fax.local/v1?key=1\n",
            [
                "CFG:4:5: apis.fax.upstream: expected a base URL without query or fragment, "
                "got 'https://fax.local/v1?key=1'"
            ],
        ),
        (
            "apis:\n  fax:\n    spec: specs/nope.yaml\n",
            ["CFG:3:5: apis.fax.spec: no such file: {dir}/specs/nope.yaml"],
        ),
        (
            "listen: {port: http}\napis: {fax: {spec: specs/fax.yaml}}\n",
            ["CFG:1:10: listen.port: expected an integer, got 'http'"],
        ),
        (
            "apis: {fax: {spec: specs/fax.yaml, mode: mok, timeouts: {read: 0}}}\n",
            [
                "CFG:1:36: apis.fax.mode: expected one of mock, live, verify, fallback, record, got 'mok'",
                "CFG:1:58: apis.fax.timeouts.read: expected a number of seconds > 0"
                " (or a duration such as 500ms or 1.5s), got int 0",
            ],
        ),
        (
            "apis:\n  fax:\n    mount: /x\n",
            ["CFG:2:3: apis.fax.spec: required: the path of the API's OpenAPI description"],
        ),
        ("apis: {}\n", ["CFG:1:1: apis: expected at least one API"]),
        ("apis: [1]\n", ["CFG:1:1: apis: expected a mapping, got a list"]),
        (
            "apis:\n  a: {spec: specs/fax.yaml, mount: /x}\n  b: {spec: specs/fax.yaml, mount: /x/}\n",
            ["CFG:3:29: apis.b.mount: '/x' is already the mount of a"],
        ),
        (
            "apis:\n  a: {spec: specs/fax.yaml, mount: /_mock/a}\n",
            ["CFG:2:29: apis.a.mount: '/_mock/a' lies under the reserved prefix /_mock"],
        ),
        (
            "apis:\n  a: {spec: specs/fax.yaml, upstream: '${NOPE}'}\n",
            ["CFG:2:29: apis.a.upstream: environment variable NOPE is not set"],
        ),
        (
            "journal: {store: 'redis://:pw@redis:6379/db'}\napis: {fax: {spec: specs/fax.yaml}}\n",
            [
                "CFG:1:11: journal.store: expected memory or a Redis URL such as "
                "redis://redis:6379/0, got 'redis://redis:6379/db'"
            ],
        ),
        (
            "apis: [1\n",
            [
                "CFG:2:1: invalid YAML: while parsing a flow sequence did not find expected ',' or ']'"
            ],
        ),
        (
            "server:\n  head_timeout: 0\n  max_connections: lots\n  idle: 3\n"
            "journal: {redact: password}\napis: {fax: {spec: specs/fax.yaml}}\n",
            [
                "CFG:5:11: journal.redact: expected a list of names, got 'password'",
                "CFG:4:3: server.idle: unknown key; known keys: head_timeout, keepalive_timeout, max_connections, shutdown_timeout",
                "CFG:2:3: server.head_timeout: expected a number of seconds > 0"
                " (or a duration such as 500ms or 1.5s), got int 0",
                "CFG:3:3: server.max_connections: expected an integer, got 'lots'",
            ],
        ),
        (
            "apis: {fax: {spec: specs/fax.yaml, timeouts: {read: .nan, total: .inf}}}\n",
            [
                "CFG:1:47: apis.fax.timeouts.read: expected a finite number of seconds, got float nan",
                "CFG:1:59: apis.fax.timeouts.total: expected a finite number of seconds, got float inf",
            ],
        ),
    ],
    ids=[
        "unknown-key",
        "bad-url",
        "url-with-credentials",
        "url-with-query",
        "missing-spec",
        "wrong-type",
        "several-errors",
        "spec-required",
        "no-apis",
        "apis-not-mapping",
        "duplicate-mount",
        "mount-under-prefix",
        "unset-variable",
        "journal-store-not-redis",
        "yaml-syntax",
        "server-limits",
        "timeout-not-finite",
    ],
)
def test_errors_name_file_line_and_key(tmp_path: Path, text: str, expected: list[str]) -> None:
    """Each mistake is one line naming file, line, column and key; all are collected."""
    path = config(tmp_path, text)
    assert errors(path) == [line.replace("{dir}", str(tmp_path)) for line in expected]


def test_a_spec_naming_a_folder_says_so(tmp_path: Path) -> None:
    """A spec path that is a folder is told apart from one that does not exist."""
    path = config(tmp_path, "apis:\n  fax:\n    spec: specs\n")
    assert errors(path) == [
        f"CFG:3:5: apis.fax.spec: {tmp_path}/specs is a folder; name the description file in it"
    ]


def test_missing_config_file(tmp_path: Path) -> None:
    """A config file that is not there is named."""
    assert errors(tmp_path / "nope.yaml") == ["CFG: config file not found"]


@pytest.mark.parametrize(
    ("text", "environ", "upstream"),
    [
        ("${UP}", {"UP": "https://a.example"}, "https://a.example"),
        ("${UP:-https://b.example}", {}, "https://b.example"),
        ("${UP:-https://b.example}", {"UP": ""}, "https://b.example"),
        ("https://c.example/$$x", {}, "https://c.example/$x"),
        ("https://${HOST}:8443/v1", {"HOST": "d.example"}, "https://d.example:8443/v1"),
    ],
    ids=["set", "default", "empty-uses-default", "escaped-dollar", "inside-text"],
)
def test_interpolation(tmp_path: Path, text: str, environ: dict[str, str], upstream: str) -> None:
    """${VAR}, ${VAR:-default} and $$ work inside any string value."""
    path = config(tmp_path, f"apis:\n  fax:\n    spec: specs/fax.yaml\n    upstream: '{text}'\n")
    assert load_settings(path, environ).apis["fax"].upstream == upstream


def test_a_bad_value_from_a_variable_names_the_variable(tmp_path: Path) -> None:
    """A value that a ${VAR} put in the file, and that is wrong, is shown with where it came
    from: the file does not hold 'abc'."""
    path = config(tmp_path, "listen:\n  port: ${PORT}\napis: {fax: {spec: specs/fax.yaml}}\n")
    assert errors(path, {"PORT": "abc"}) == [
        "CFG:2:3: listen.port: expected an integer, got 'abc' (from '${PORT}')"
    ]


def test_environment_overrides(tmp_path: Path) -> None:
    """MOCKPROXY_* variables override the file, per-API modes by mangled API name."""
    path = config(tmp_path, "apis:\n  fax-v2:\n    spec: specs/fax.yaml\n")
    settings = load_settings(
        path,
        {
            "MOCKPROXY_HOST": "0.0.0.0",
            "MOCKPROXY_PORT": "9999",
            "MOCKPROXY_MODE": "mock",
            "MOCKPROXY_MODE_FAX_V2": "verify",
            "MOCKPROXY_LOG_FORMAT": "console",
        },
    )
    assert (settings.host, settings.port, settings.env_mode) == ("0.0.0.0", 9999, Mode.MOCK)
    assert settings.apis["fax-v2"].env_mode is Mode.VERIFY
    assert settings.log_format is LogFormat.CONSOLE


def test_bad_environment_values_name_the_variable(tmp_path: Path) -> None:
    """A wrong value in the environment is reported with the variable's name."""
    path = config(tmp_path, "apis:\n  fax:\n    spec: specs/fax.yaml\n")
    assert errors(path, {"MOCKPROXY_MODE": "mok", "MOCKPROXY_PORT": "x"}) == [
        "MOCKPROXY_MODE: expected one of mock, live, verify, fallback, record, got 'mok'",
        "MOCKPROXY_PORT: expected an integer, got 'x'",
    ]


def test_mode_variable_naming_no_api_warns_with_a_suggestion(tmp_path: Path) -> None:
    """A typo in MOCKPROXY_MODE_<API> is a warning that names the closest API's variable."""
    path = config(tmp_path, "apis:\n  fax:\n    spec: specs/fax.yaml\n")
    settings = load_settings(path, {"MOCKPROXY_MODE_FXA": "verify"})
    assert settings.warnings == (
        "MOCKPROXY_MODE_FXA names no API and is ignored; did you mean MOCKPROXY_MODE_FAX? "
        "per-API variables: MOCKPROXY_MODE_FAX (fax)",
    )
    assert settings.apis["fax"].env_mode is None


def test_mode_variable_of_a_known_api_gives_no_warning(tmp_path: Path) -> None:
    """MOCKPROXY_MODE_<API> for a configured API is applied without a warning."""
    path = config(tmp_path, "apis:\n  fax:\n    spec: specs/fax.yaml\n")
    settings = load_settings(path, {"MOCKPROXY_MODE_FAX": "verify", "MOCKPROXY_MODE": "mock"})
    assert (settings.warnings, settings.apis["fax"].env_mode) == ((), Mode.VERIFY)


@pytest.mark.parametrize(
    ("given", "environ", "local", "chosen"),
    [
        (Path("mine.yaml"), {"MOCKPROXY_CONFIG": "env.yaml"}, True, Path("mine.yaml")),
        (None, {"MOCKPROXY_CONFIG": "env.yaml"}, True, Path("env.yaml")),
        (None, {}, True, LOCAL_CONFIG),
        (None, {}, False, BUNDLED_CONFIG),
    ],
    ids=["flag", "environment", "local-file", "bundled"],
)
def test_config_file_choice(
    tmp_path: Path, given: Path | None, environ: dict[str, str], local: bool, chosen: Path
) -> None:
    """-c wins, then MOCKPROXY_CONFIG, then ./config/mockproxy.yaml, then the bundled config."""
    if local:
        (tmp_path / "config").mkdir()
        (tmp_path / LOCAL_CONFIG).write_text("apis: {}\n")
    assert choose_config_path(given, environ, tmp_path) == chosen


def test_bundled_config_loads_with_its_sample_spec() -> None:
    """The config shipped in the package loads, and its spec path resolves beside it."""
    settings = load_settings(BUNDLED_CONFIG, {})
    assert settings.apis["fax"].spec_path.read_bytes() == FAX_SPEC.read_bytes()


def test_settings_for_one_spec() -> None:
    """`mockproxy mock SPEC` mounts the spec at the root, mocked."""
    settings = settings_for_spec(FAX_SPEC)
    [api] = settings.apis.values()
    assert (api.name, api.mount, api.mode, settings.mode) == ("fax", "", Mode.MOCK, Mode.MOCK)


def test_settings_for_missing_spec(tmp_path: Path) -> None:
    """A missing spec file is a ConfigError naming it."""
    with pytest.raises(ConfigError) as raised:
        settings_for_spec(tmp_path / "none.yaml")
    assert raised.value.messages == [f"{tmp_path / 'none.yaml'}: no such spec file"]


def _readme_config_block() -> str:
    readme = (FAX_SPEC.parents[2] / "README.md").read_text()
    section = readme.split("## Configuration", 1)[1]
    return section.split("```yaml\n", 1)[1].split("```", 1)[0]


def test_the_readme_configuration_loads_and_names_every_key(tmp_path: Path) -> None:
    """The README's configuration reference is a config that loads, with the defaults it
    claims, and it lists every key the reader accepts."""
    text = _readme_config_block()
    settings = load_settings(config(tmp_path, text), {})
    defaults = load_settings(config(tmp_path, "apis:\n  fax:\n    spec: specs/fax.yaml\n"), {})
    fax, default_fax = settings.apis["fax"], defaults.apis["fax"]
    names = ("dynamic", "cors", "max_body_bytes", "admin_token", "log_format", "log_level")
    for name in (*names, "journal_redact", "server"):
        assert getattr(settings, name) == getattr(defaults, name), name
    assert (settings.journal_size, settings.journal_max_body_bytes) == (
        defaults.journal_size,
        defaults.journal_max_body_bytes,
    )
    for name in ("validation", "timeouts", "tls_verify", "ca_bundle"):
        assert getattr(fax, name) == getattr(default_fax, name), name
    document = load_yaml(text)
    assert set(document) == set(TOP_LEVEL_KEYS)
    assert set(document["apis"]["fax"]) == set(API_KEYS)


def test_a_key_written_twice_is_an_error_naming_both_places(tmp_path: Path) -> None:
    """A repeated key (a second `fax:` API, `listen` twice) is an error at each repetition, not
    a silent win for the later one."""
    path = config(
        tmp_path,
        "listen: {port: 9000}\napis:\n  fax:\n    spec: specs/fax.yaml\n"
        "  fax:\n    spec: specs/fax.yaml\n    mount: /other\nlisten: {port: 9001}\n",
    )
    assert errors(path) == [
        "CFG:5:3: apis.fax: written twice (first at line 3, column 3); keep one",
        "CFG:8:1: listen: written twice (first at line 1, column 1); keep one",
    ]


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\n", "openapi"),
        ("swagger: '2.0'\ninfo: {title: t, version: '1'}\npaths: {}\n", "swagger"),
        ('{"info": {"name": "c", "schema": "https://x/collection.json"}, "item": []}', "item"),
    ],
    ids=["openapi", "swagger", "postman"],
)
def test_a_description_given_as_the_config_says_how_to_serve_it(
    tmp_path: Path, text: str, key: str
) -> None:
    """`serve -c api.yaml` with a description instead of a config is one error saying to mock
    it or name it in a config, not a list of unknown keys."""
    path = tmp_path / "api.yaml"
    path.write_text(text)
    [message] = errors(path)
    assert message.startswith("CFG:1:")
    assert message.endswith(
        f": {key}: this is an API description, not a mockproxy config; serve it alone with "
        "`mockproxy mock CFG`, or name it as apis.<name>.spec in a config"
    )


def test_a_misspelt_operation_is_named_with_the_closest_one(tmp_path: Path) -> None:
    """An operations key that names no operation of the spec says which one it likely meant."""
    path = config(
        tmp_path, "apis:\n  fax:\n    spec: specs/fax.yaml\n    operations: {sendFaxJb: live}\n"
    )
    with pytest.raises(ConfigError) as raised:
        build_catalog(load_settings(path, {}))
    assert [m.replace(str(path), "CFG") for m in raised.value.messages] == [
        "CFG:4:18: apis.fax.operations.sendFaxJb: no operation with this operationId or "
        "'METHOD /path' in fax.yaml (did you mean 'sendFaxJob'?)"
    ]


@pytest.mark.parametrize(("value", "dynamic"), [("1", True), ("yes", True), ("Off", False)])
def test_switch_variables_take_the_usual_words_for_true_and_false(
    tmp_path: Path, value: str, dynamic: bool
) -> None:
    """MOCKPROXY_DYNAMIC=1 (or yes, on; 0, no, off) is read as a shell user means it."""
    text = "dynamic: true\napis: {fax: {spec: specs/fax.yaml}}\n"
    settings = load_settings(config(tmp_path, text), {"MOCKPROXY_DYNAMIC": value})
    assert settings.dynamic is dynamic


def test_one_spec_reads_the_listen_log_and_admin_variables() -> None:
    """`mockproxy mock SPEC` takes MOCKPROXY_PORT, _HOST, _DYNAMIC, _LOG_* and _ADMIN_TOKEN as
    `serve` does (a token set for it must guard /_mockproxy/), and stays mocked."""
    settings = settings_for_spec(
        FAX_SPEC,
        environ={
            "MOCKPROXY_PORT": "9000",
            "MOCKPROXY_HOST": "::1",
            "MOCKPROXY_DYNAMIC": "true",
            "MOCKPROXY_LOG_FORMAT": "json",
            "MOCKPROXY_LOG_LEVEL": "warning",
            "MOCKPROXY_ADMIN_TOKEN": "t0k",
            "MOCKPROXY_MODE": "live",
        },
    )
    assert (settings.port, settings.host, settings.dynamic, settings.admin_token) == (
        9000,
        "::1",
        True,
        "t0k",
    )
    assert (settings.log_format, settings.log_level) == (LogFormat.JSON, "warning")
    assert (settings.env_mode, settings.apis["fax"].mode) == (None, Mode.MOCK)
