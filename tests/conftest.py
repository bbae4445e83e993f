"""Shared fixtures: every test runs in a private, empty home, and can call the CLI cheaply.

The isolation is generic on purpose (it is harmless for tests that build their own
environment, such as tests/e2e): deskbreak must never read or write the developer's real
config, state or runtime files, and must never reach a real desktop session from a test.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from deskbreak.cli import main

# Variables that would leak the developer's session or settings into a test.
LEAKY_VARS = (
    "DESKBREAK_CONFIG",
    "DESKBREAK_SEED",
    "DISPLAY",
    "WAYLAND_DISPLAY",
    "DBUS_SESSION_BUS_ADDRESS",
)
XDG_DIRS = {
    "XDG_CONFIG_HOME": "config",
    "XDG_STATE_HOME": "state",
    "XDG_DATA_HOME": "data",
    "XDG_CACHE_HOME": "cache",
    "XDG_RUNTIME_DIR": "runtime",
}

# (exit status, stdout, stderr) of one deskbreak invocation.
CliResult = tuple[int, str, str]


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Point every XDG directory at a fresh temporary home and drop session variables."""
    home = tmp_path / "home"
    for var, name in XDG_DIRS.items():
        directory = home / name
        directory.mkdir(parents=True)
        monkeypatch.setenv(var, str(directory))
    (home / "runtime").chmod(0o700)
    for var in LEAKY_VARS:
        monkeypatch.delenv(var, raising=False)
    yield home


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., CliResult]:
    """Run ``deskbreak ARGS...`` in-process; argparse's SystemExit becomes the status."""

    def run(*argv: str) -> CliResult:
        capsys.readouterr()  # drop anything printed before this call
        try:
            code = main(list(argv))
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
        out, err = capsys.readouterr()
        return code, out, err

    return run


@pytest.fixture
def cli_process() -> Callable[..., subprocess.CompletedProcess[str]]:
    """Run ``python -m deskbreak ARGS...`` as a real process in the isolated environment."""

    def run(*argv: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "deskbreak", *argv],
            capture_output=True, text=True, timeout=60, env=dict(os.environ),
            stdin=subprocess.DEVNULL, check=False,
        )

    return run
