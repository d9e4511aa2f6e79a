"""The docker-compose sidecar, checked without a Docker engine: files, env vars, the example app."""

from __future__ import annotations

import asyncio
import re
import sys
from pathlib import Path
from typing import Any

from proxy.app import create_app
from proxy.catalog import build_catalog
from proxy.config import load_settings
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


def test_compose_switch_is_the_env_var_the_code_reads() -> None:
    """MOCKPROXY_MODE defaults to mock, and every variable given to the sidecar is read."""
    environment = COMPOSE["services"]["mockproxy"]["environment"]
    assert environment["MOCKPROXY_MODE"] == "${MOCKPROXY_MODE:-mock}"
    config_text = (ROOT / "proxy" / "config.py").read_text()
    bundled = (ROOT / "config" / "mockproxy.yaml").read_text()
    for name in environment:
        assert name in config_text or "${" + name in bundled, name


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
