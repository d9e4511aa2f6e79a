"""The docker-compose sidecar, checked without a Docker engine: files, variables, the example app."""

from __future__ import annotations

import asyncio
import re
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from proxy.app import create_app
from proxy.catalog import build_catalog
from proxy.config import load_settings
from proxy.environment import ENV_MODE_PREFIX, ENVIRONMENT_VARIABLES, env_mode_variable
from proxy.yamlio import load_yaml

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = load_yaml((ROOT / "docker-compose.yml").read_text())


def test_compose_services_build_from_existing_dockerfiles() -> None:
    """Each service's build context exists and holds a Dockerfile."""
    for name in ("mockproxy", "app"):
        context = ROOT / COMPOSE["services"][name]["build"]
        assert (context / "Dockerfile").is_file(), name


def test_compose_mounts_the_config_folder() -> None:
    """The sidecar reads the bundled config from the mounted volume the image expects."""
    source, target = COMPOSE["services"]["mockproxy"]["volumes"][0].split(":")[:2]
    assert (ROOT / source / "mockproxy.yaml").is_file()
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert f"MOCKPROXY_CONFIG={target}/mockproxy.yaml" in dockerfile


def variables_read_by_the_code() -> set[str]:
    """Every MOCKPROXY_* name written in proxy/'s source, the per-API prefix aside."""
    names = set()
    for source in (ROOT / "proxy").rglob("*.py"):
        names.update(re.findall(r"MOCKPROXY_[A-Z0-9_]*[A-Z0-9]", source.read_text()))
    return {name for name in names if not name.startswith(ENV_MODE_PREFIX)}


def test_every_variable_the_code_reads_is_documented() -> None:
    """The list of variables is complete, and the README names each one."""
    readme = (ROOT / "README.md").read_text()
    assert variables_read_by_the_code() <= set(ENVIRONMENT_VARIABLES)
    assert [name for name in ENVIRONMENT_VARIABLES if f"`{name}`" not in readme] == []
    assert "`MOCKPROXY_MODE_<API>`" in readme


IMAGE_OWNED = ("MOCKPROXY_HOST", "MOCKPROXY_CONFIG")
"""Set by the image (listen on every interface, the mounted config): a shell's own values,
meant for a local mockproxy, must not reach the container."""


def test_compose_passes_every_variable_through_and_forces_none() -> None:
    """Every MOCKPROXY_* variable but the image's own, each API's mode switch and the config's
    upstream variables reach the sidecar from the shell or .env, and none is given a value by
    the compose file."""
    settings = load_settings(ROOT / "config" / "mockproxy.yaml", environ={})
    interpolated = re.findall(r"\$\{([A-Z_]+)", (ROOT / "config" / "mockproxy.yaml").read_text())
    expected = {
        *ENVIRONMENT_VARIABLES,
        *(env_mode_variable(name) for name in settings.apis),
        *interpolated,
    } - set(IMAGE_OWNED)
    environment = COMPOSE["services"]["mockproxy"]["environment"]
    assert sorted(environment) == sorted(expected)
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "MOCKPROXY_HOST=0.0.0.0" in dockerfile and "MOCKPROXY_CONFIG=" in dockerfile


def compose_value(text: str, environ: dict[str, str]) -> str:
    """``text`` as Compose interpolates it: ``${VAR}`` and ``${VAR:-default}``, nested ones
    from the inside out."""

    def replace(found: re.Match[str]) -> str:
        return environ.get(found[1]) or found[2] or ""

    while (done := re.sub(r"\$\{(\w+)(?::-([^${}]*))?\}", replace, text)) != text:
        text = done
    return text


@pytest.mark.parametrize("environ", [{}, {"MOCKPROXY_PORT": "9090"}], ids=["default", "9090"])
def test_the_app_calls_the_port_the_sidecar_listens_on(environ: dict[str, str]) -> None:
    """With MOCKPROXY_PORT set or not, the example app's base URL names the port inside the
    sidecar's container that the published port leads to."""
    [published] = COMPOSE["services"]["mockproxy"]["ports"]
    container_port = compose_value(published, environ).rpartition(":")[2]
    app_url = compose_value(COMPOSE["services"]["app"]["environment"]["FAX_BASE_URL"], environ)
    assert urlsplit(app_url).port == int(container_port)
    assert (urlsplit(app_url).hostname, container_port) == (
        "mockproxy",
        environ.get("MOCKPROXY_PORT", "8080"),
    )


def test_image_command_is_the_readme_command() -> None:
    """The image runs `mockproxy serve`, the README's run command."""
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert 'CMD ["mockproxy", "serve"]' in dockerfile
    assert "pip install . && mockproxy serve" in (ROOT / "README.md").read_text()
    assert re.search(r"HEALTHCHECK .*_mockproxy/health", dockerfile, re.DOTALL)


async def test_example_app_runs_against_the_sidecar(aiohttp_server: Any) -> None:
    """The example client sends a job and reads its report through the mocked API."""
    settings = load_settings(ROOT / "config" / "mockproxy.yaml", environ={"MOCKPROXY_MODE": "mock"})
    server = await aiohttp_server(create_app(settings, build_catalog(settings)))
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        str(ROOT / "examples" / "fax-client" / "send_fax.py"),
        env={"FAX_BASE_URL": str(server.make_url("/fax/fax4a-api")), "PATH": ""},
        stdout=asyncio.subprocess.PIPE,
    )
    output, _ = await asyncio.wait_for(process.communicate(), timeout=30)
    lines = output.decode().splitlines()
    assert process.returncode == 0, lines
    assert lines[0] == 'send fax job: 201 {"jobId": "FJKQQUVF1J0IADYARQEXKC"}'
    assert lines[1].startswith('status report: 200 {"jobId": ')
