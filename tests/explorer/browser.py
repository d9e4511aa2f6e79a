"""What the explorer's browser tests share: the skip rule, settings, and steps a user takes."""

from __future__ import annotations

import asyncio
import dataclasses
import importlib.util
import json
from pathlib import Path
from typing import Any

import pytest

from proxy.config import load_settings
from proxy.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = Path(__file__).resolve().parent / "scenarios"
CHROMIUM = "/usr/bin/chromium"

requires_browser = pytest.mark.skipif(
    importlib.util.find_spec("playwright") is None or not Path(CHROMIUM).exists(),
    reason="browser tests need playwright (pip) and Debian's chromium at /usr/bin/chromium",
)


def fax_settings(**changes: Any) -> Settings:
    """The bundled config (the fax sample: mode live, the fax API mocked)."""
    settings = load_settings(ROOT / "config" / "mockproxy.yaml", environ={})
    return dataclasses.replace(settings, **changes)


def spec_settings(tmp_path: Path, spec: Path, name: str = "shop", mode: str = "mock") -> Settings:
    """A config serving one description at /<name>."""
    config = tmp_path / "mockproxy.yaml"
    config.write_text(
        f"mode: {mode}\napis:\n  {name}:\n    spec: {json.dumps(str(spec))}\n    mount: /{name}\n"
    )
    return load_settings(config, environ={})


async def open_operation(page: Any, api: str, key: str) -> None:
    """Follow the operation's link in the navigation and wait until it is shown."""
    await page.click(f"nav a.op[data-api='{api}'][data-key='{key}']")
    await page.wait_for_selector(f"body[data-operation='{api}/{key}']")


async def send(page: Any) -> tuple[str, str]:
    """Press Send and wait for the answer: its status and body as shown."""
    count = await page.locator("#history li").count()
    await page.click("#send")
    await page.wait_for_function(f"document.querySelectorAll('#history li').length > {count}")
    return await page.text_content("#status"), await page.text_content("#response-body")


async def copied(page: Any, kind: str) -> str:
    """The request as the program copied by one of the copy buttons."""
    if not await page.is_visible(f"#copy-{kind}"):
        await page.click("details.preview summary")
    await page.click(f"#copy-{kind}")
    program: str = await page.input_value("#copied")
    return program


async def run(*argv: str, stdin: bytes | None = None) -> str:
    """Run a program as a user would and return what it printed."""
    process = await asyncio.create_subprocess_exec(
        *argv, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE
    )
    output, _ = await asyncio.wait_for(process.communicate(stdin), timeout=30)
    return output.decode()
