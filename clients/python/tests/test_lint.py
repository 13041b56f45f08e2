"""The Python client's lint and type gates: ruff (lint and format) and mypy --strict.

Run with the venv's interpreter (``npm run setup`` installs the pinned ruff and mypy
from requirements-dev.txt), from clients/python so that pyproject.toml's
[tool.ruff] and [tool.mypy] apply. No Temporal server needed.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

CLIENT_DIR = Path(__file__).resolve().parents[1]


def _run(*args: str) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", *args],
        cwd=CLIENT_DIR,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=300,
    )
    if proc.returncode != 0:
        print(proc.stdout)
        pytest.fail(f"`python -m {' '.join(args)}` exited {proc.returncode}:\n{proc.stdout}", pytrace=False)


def test_ruff_check() -> None:
    _run("ruff", "check", "--no-fix", "src", "tests")


def test_ruff_format() -> None:
    _run("ruff", "format", "--check", "src", "tests")


def test_mypy_strict() -> None:
    _run("mypy", "--strict", "src")
