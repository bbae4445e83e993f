"""A real ``deskbreak run`` process, headless, in a private home: the daemon as scripts meet it.

No desktop is needed (terminal notifier, no tray), so these run in a second or two and
belong to the fast loop; the desktop itself is tests/e2e's job. ``RunningDaemon`` speaks
the control protocol byte for byte, so tests can send what no well-behaved client would.
"""

from __future__ import annotations

import json
import os
import pty
import resource
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark every test here ``daemon``: the unit loop leaves them out with -m "not daemon"."""
    for item in items:
        if HERE in Path(item.path).resolve().parents:
            item.add_marker(pytest.mark.daemon)


class RunningDaemon:
    """One daemon process and what a test needs to poke it and read what it did."""

    def __init__(self, home: Path, config: str, *args: str, nofile: int | None = None,
                 terminal: bool = False) -> None:
        """``terminal``: its output goes to a pseudo-terminal, as when a person starts it
        from a shell, instead of a plain file (copied to ``output`` all the same)."""
        self.home = home
        self.env = {**os.environ, "PYTHONPATH": str(ROOT), "DESKBREAK_SEED": "7"}
        for var in ("DISPLAY", "WAYLAND_DISPLAY", "DBUS_SESSION_BUS_ADDRESS", "DESKBREAK_CONFIG"):
            self.env.pop(var, None)
        for var, name in (("XDG_CONFIG_HOME", "config"), ("XDG_STATE_HOME", "state"),
                          ("XDG_RUNTIME_DIR", "runtime")):
            (home / name).mkdir(parents=True, exist_ok=True)
            self.env[var] = str(home / name)
        (home / "runtime").chmod(0o700)
        self.config = home / "config" / "deskbreak" / "config.toml"
        self.config.parent.mkdir(parents=True, exist_ok=True)
        self.config.write_text(config)
        self.runtime = home / "runtime" / "deskbreak"
        self.log_path = home / "state" / "deskbreak" / "deskbreak.log"
        self.output = home / "daemon-output.txt"
        self._copier: threading.Thread | None = None
        with self.output.open("wb") as out:
            screen, tty = pty.openpty() if terminal else (-1, -1)
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "deskbreak", "run", "--no-tray", "--notifier",
                 "terminal", *args], env=self.env, stdout=tty if terminal else out,
                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                preexec_fn=None if nofile is None
                else lambda: resource.setrlimit(resource.RLIMIT_NOFILE, (nofile, nofile)))
        if terminal:
            os.close(tty)
            self._copier = threading.Thread(target=_copy_until_closed,
                                             args=(screen, self.output), daemon=True)
            self._copier.start()
        deadline = time.monotonic() + 20
        while self.cli("status").returncode != 0:
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the daemon did not start: {self.output.read_text()}")
            time.sleep(0.05)

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "deskbreak", *args], env=self.env,
                              capture_output=True, text=True, timeout=60, check=False)

    def status(self) -> dict[str, Any]:
        result = self.cli("status", "--json")
        assert result.returncode == 0, result
        reply: dict[str, Any] = json.loads(result.stdout)
        return reply

    @property
    def key(self) -> str:
        return (self.runtime / "control.key").read_text().strip()

    def raw(self, data: bytes, *, shutdown: bool = True, timeout: float = 10) -> bytes:
        """Send bytes as they are; return what came back before the daemon hung up."""
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
            conn.settimeout(timeout)
            conn.connect(str(self.runtime / "control.sock"))
            try:
                conn.sendall(data)
                if shutdown:
                    conn.shutdown(socket.SHUT_WR)
            except BrokenPipeError:
                pass  # it stopped reading (too large) and answered: read the answer
            reply = b""
            while True:
                try:
                    chunk = conn.recv(65536)
                except ConnectionResetError:
                    break
                if not chunk:
                    break
                reply += chunk
        return reply

    def request(self, payload: Any) -> dict[str, Any]:
        answer: dict[str, Any] = json.loads(self.raw(json.dumps(payload).encode() + b"\n"))
        return answer

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.cli("quit")
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        if self._copier is not None:
            self._copier.join(10)


def _copy_until_closed(screen: int, output: Path) -> None:
    """What the daemon wrote to its terminal, into ``output``, until it closes it."""
    with output.open("ab") as out:
        while True:
            try:
                chunk = os.read(screen, 4096)
            except OSError:  # EIO: the daemon, the terminal's last user, has gone
                break
            if not chunk:
                break
            out.write(chunk)
            out.flush()
    os.close(screen)


@pytest.fixture
def start_daemon(tmp_path: Path) -> Iterator[Any]:
    """Start daemons with a given config; all are stopped after the test."""
    started: list[RunningDaemon] = []

    def start(config: str = 'interval = "30m"\n', *args: str,
              nofile: int | None = None) -> RunningDaemon:
        daemon = RunningDaemon(tmp_path / f"home{len(started)}", config, *args, nofile=nofile)
        started.append(daemon)
        return daemon

    yield start
    for daemon in started:
        daemon.stop()
