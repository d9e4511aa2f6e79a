"""The API Explorer's speed on large descriptions, measured in Debian's chromium.

    python bench/explorer.py [--operations 1000] [--discord PATH]

For each description it serves mockproxy on a loopback port, opens the explorer and reports
the page's own clock from the start of its load to a usable navigation
(``data-navigation-shown-ms``), and the slowest keystroke of a filter typed and erased.
Targets: navigation shown in under 1 s, every keystroke filtered in under 100 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

from aiohttp import web

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from proxy.app import create_app  # noqa: E402
from proxy.catalog import build_catalog  # noqa: E402
from proxy.config import load_settings  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
DISCORD = ROOT.parent / "shared" / "specs" / "discord" / "openapi.json"
NAVIGATION_TARGET_MS = 1000
KEYSTROKE_TARGET_MS = 100
FILTER_TEXTS = ["g", "ge", "get", "get 9", "get 99", "get 9", "get", ""]


def large_description(path: Path, operations: int) -> Path:
    """A description with the given number of operations over 25 tags, written as JSON."""
    paths = {
        f"/things{number}/{{id}}": {
            "get": {
                "operationId": f"getThing{number}",
                "summary": f"Fetch thing number {number}",
                "tags": [f"group{number % 25}"],
                "parameters": [
                    {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
                ],
                "responses": {"200": {"description": "The thing"}},
            }
        }
        for number in range(operations)
    }
    info = {"title": f"{operations} operations", "version": "1"}
    path.write_text(json.dumps({"openapi": "3.0.3", "info": info, "paths": paths}))
    return path


async def measure(browser: Any, spec: Path, name: str, folder: Path) -> dict[str, Any]:
    """Serve one description and time its explorer's navigation and filter."""
    config = folder / f"{name}.yaml"
    config.write_text(f"mode: mock\napis:\n  {name}:\n    spec: {json.dumps(str(spec))}\n")
    settings = load_settings(config, environ={})
    runner = web.AppRunner(create_app(settings, build_catalog(settings)))
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        page = await browser.new_page(viewport={"width": 1440, "height": 900})
        await page.goto(f"http://127.0.0.1:{port}/_mockproxy/explorer/")
        await page.wait_for_selector("body[data-ready=true]")
        operations = await page.locator("nav a.op").count()
        shown = int(await page.get_attribute("body", "data-navigation-shown-ms"))
        slowest = await page.evaluate(
            """async (texts) => {
                const search = document.getElementById("search");
                let slowest = 0;
                for (const text of texts) {
                    const started = performance.now();
                    search.value = text;
                    search.dispatchEvent(new Event("input"));
                    slowest = Math.max(slowest, performance.now() - started);
                }
                return slowest;
            }""",
            FILTER_TEXTS,
        )
        await page.close()
    finally:
        await runner.cleanup()
    return {
        "description": name,
        "operations": operations,
        "navigation_ms": shown,
        "slowest_keystroke_ms": round(slowest, 1),
        "met": shown < NAVIGATION_TARGET_MS and slowest < KEYSTROKE_TARGET_MS,
    }


async def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--operations", type=int, default=1000)
    parser.add_argument("--discord", type=Path, default=DISCORD)
    args = parser.parse_args(argv)
    from playwright.async_api import async_playwright

    rows = []
    with tempfile.TemporaryDirectory() as temp:
        folder = Path(temp)
        specs = [(large_description(folder / "large.json", args.operations), "large")]
        if args.discord.exists():
            specs.append((args.discord, "discord"))
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"]
            )
            try:
                for spec, name in specs:
                    rows.append(await measure(browser, spec, name, folder))
            finally:
                await browser.close()
    print("| description | operations | navigation shown (ms) | slowest keystroke (ms) | met |")
    print("|---|---:|---:|---:|---|")
    for row in rows:
        print(
            f"| {row['description']} | {row['operations']} | {row['navigation_ms']} "
            f"| {row['slowest_keystroke_ms']} | {'yes' if row['met'] else 'NO'} |"
        )
    print(f"targets: navigation < {NAVIGATION_TARGET_MS} ms, keystroke < {KEYSTROKE_TARGET_MS} ms")
    return 0 if all(row["met"] for row in rows) else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
