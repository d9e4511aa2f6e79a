"""The examples under examples/, run as scripts against a real `mockproxy serve`."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from tests.test_cli import running

ROOT = Path(__file__).resolve().parent.parent
RETARUS = ROOT / "examples" / "retarus_send_fax.py"


async def test_retarus_example_prints_the_documented_job_id(tmp_path: Path) -> None:
    """Retarus' published example, only its port changed, prints what Retarus says it prints."""
    async with running("serve") as base:
        text = RETARUS.read_text()
        assert text.count("http://localhost:8080/") == 1
        script = tmp_path / RETARUS.name
        script.write_text(text.replace("http://localhost:8080/", base + "/"))
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            str(script),
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        out, err = await asyncio.wait_for(process.communicate(), timeout=30)
    assert (process.returncode, err.decode()) == (0, "")
    assert out.decode() == "{'jobId': 'FJKQQUVF1J0IADYARQEXKC'}\n"
