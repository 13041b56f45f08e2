"""The README's examples run as written (against the test dev server, via TEMPORAL_ADDRESS)."""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def _blocks() -> "list[str]":
    return re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S)


async def test_readme_examples_run(dev_server: str, daemon_built: Path) -> None:
    """The asyncio example, then the blocking one (which describes the workflow the first made)."""
    env = {**os.environ, "TEMPORAL_ADDRESS": dev_server}
    env.pop("TEMPORAL_HANDLED_BIN", None)

    def run(code: str) -> "subprocess.CompletedProcess[str]":
        return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)

    first, second = _blocks()[:2]
    proc = await asyncio.to_thread(run, first)
    assert proc.returncode == 0, proc.stderr
    assert "terminated: no worker in this example ['some detail']" in proc.stdout
    proc = await asyncio.to_thread(run, second)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "TERMINATED"
