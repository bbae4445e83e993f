"""The programs the benchmarks compare, and how each is started in a fresh test desktop.

Every program runs in its own `Desktop` (Xvfb, private session and system buses, dunst,
the StatusNotifierItem host and trayer), so each gets an empty home and no program sees
another's windows, tray icons or notifications.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # benchmarks run as scripts: `python benchmarks/x.py`

from typing import TYPE_CHECKING  # noqa: E402

import _proc  # noqa: E402

if TYPE_CHECKING:  # imported when a desktop is started: this module stays stdlib-only, so
    # footprint.py's sampling side can import it under Debian's /usr/bin/python3
    from tests.e2e.desktop import Desktop

DOCK_POLL_S = 0.01
# The interpreter deskbreak runs on: the one a benchmark was started with, or the venv's
# when the benchmark itself runs on another interpreter (footprint.py's sampling side).
PROGRAM_PYTHON = os.environ.get("DESKBREAK_BENCH_PYTHON") or sys.executable


class BenchmarkError(RuntimeError):
    """A program could not be measured; the message says which and why."""


@dataclass(frozen=True)
class Program:
    """One program under test: its display name and how to start it."""

    key: str  # used on the command line; never "safeeyes" (see `_safe_eyes_blockers`)
    label: str
    argv: Callable[[], list[str]]
    available: Callable[[], str | None]  # None when it can run here, else why not
    env: dict[str, str] = field(default_factory=dict)
    preflight: Callable[[], None] = lambda: None
    trayless: bool = False  # shows no tray icon: ready once it has run TRAYLESS_READY_S


TRAYLESS_READY_S = 1.0


def _deskbreak_argv() -> list[str]:
    return [PROGRAM_PYTHON, "-m", "deskbreak", "run"]


def _installed(command: str, package: str) -> Callable[[], str | None]:
    def check() -> str | None:
        if shutil.which(command) is None:
            return f"not installed (Debian package {package}: apt-get install {package})"
        return None

    return check


def _safe_eyes_blockers() -> list[int]:
    """Processes that make Safe Eyes believe it is already running.

    Safe Eyes 2.1 counts processes whose argv[0] mentions python and whose argv[1]
    contains, or whose any argument equals, "safeeyes"; with two of them (itself and
    one more) it does not start but calls the running one over XML-RPC and dies.
    """
    found = []
    for pid in _proc.all_pids():
        argv = _proc.cmdline(pid)
        if len(argv) > 1 and "python" in argv[0] and ("safeeyes" in argv[1] or "safeeyes" in argv):
            found.append(pid)
    return found


def _safe_eyes_preflight() -> None:
    blockers = _safe_eyes_blockers()
    if blockers:
        raise BenchmarkError(
            f"Safe Eyes would refuse to start: process(es) {blockers} look like Safe Eyes to"
            " it (a python command line containing 'safeeyes'); stop them first")


PROGRAMS: dict[str, Program] = {
    program.key: program
    for program in (
        Program("deskbreak", "deskbreak", _deskbreak_argv, lambda: None,
                env={"PYTHONPATH": str(ROOT)}),
        Program("workrave", "Workrave", lambda: [shutil.which("workrave") or "workrave"],
                _installed("workrave", "workrave")),
        Program("safe-eyes", "Safe Eyes", lambda: [shutil.which("safeeyes") or "safeeyes"],
                _installed("safeeyes", "safeeyes"), preflight=_safe_eyes_preflight),
        Program("rsibreak", "RSIBreak", lambda: [shutil.which("rsibreak") or "rsibreak"],
                _installed("rsibreak", "rsibreak"), env={"QT_QPA_PLATFORM": "xcb"}),
        # No tray icon and no notifications: a window of its own when a break is due.
        # Ready is "still running a moment after start" (see `start`).
        Program("xwrits", "xwrits", lambda: [shutil.which("xwrits") or "xwrits"],
                _installed("xwrits", "xwrits"), trayless=True),
    )
}


def desktop_for(tmpdir: Path, *, xembed: bool = True) -> Desktop:
    """The session every program is measured in: the end-to-end tests' desktop, all hosts."""
    from tests.e2e.desktop import Desktop

    return Desktop(tmpdir, notifications=True, sni=True, xembed=xembed, system_bus=True)


# A Wayland-like session seen from deskbreak: the session bus with its notification
# server and StatusNotifierItem host (as KDE or waybar give), WAYLAND_DISPLAY naming a
# compositor that is not there, and no DISPLAY: no X idle counter, no Mutter idle monitor.
WAYLAND_ENV = {"WAYLAND_DISPLAY": "wayland-bench-dummy", "XDG_SESSION_TYPE": "wayland"}


def start_sway(desktop: Desktop) -> str:
    """A headless sway (Debian's; Wayland idle notifications and window states) in
    ``desktop``; the absolute path of its socket, for WAYLAND_DISPLAY.

    As in tests/e2e/wayland.py: sway refuses root, so under root it runs as nobody in a
    runtime directory of its own under /tmp.
    """
    import tempfile

    if shutil.which("sway") is None:
        raise BenchmarkError("sway is not installed (scripts/debian-packages test)")
    runtime = Path(tempfile.mkdtemp(prefix="deskbreak-bench-sway-"))
    config = runtime / "sway.conf"
    config.write_text("output HEADLESS-1 resolution 1280x800\n")
    config.chmod(0o644)
    argv = ["sway", "-c", str(config)]
    if os.geteuid() == 0:
        os.chown(runtime, 65534, 65534)
        argv = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", *argv]
    desktop.spawn("sway", ["env", "-i", f"PATH={os.environ.get('PATH', '/usr/bin:/bin')}",
                           f"HOME={runtime}", f"XDG_RUNTIME_DIR={runtime}",
                           "WLR_BACKENDS=headless", "WLR_LIBINPUT_NO_DEVICES=1",
                           "WLR_RENDERER=pixman", *argv])
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        sockets = [p for p in runtime.glob("wayland-*") if not p.name.endswith(".lock")]
        if sockets:
            return str(sockets[0])
        time.sleep(0.05)
    raise BenchmarkError("headless sway did not start")


def start(desktop: Desktop, program: Program, extra_args: Sequence[str] = (), *,
          wayland: bool = False, wayland_display: str | None = None) -> tuple[int, float]:
    """Start `program` in `desktop`; its pid, and seconds until its tray icon docked.

    Docked means registered with the StatusNotifierWatcher or embedded in trayer,
    whichever the program chose. Polling the hosts wakes them, never the program.
    `wayland`: the program gets WAYLAND_ENV and no DISPLAY (`env -u` execs it: same pid);
    `wayland_display`: the socket of a real compositor for WAYLAND_DISPLAY instead.
    """
    program.preflight()
    argv = [*program.argv(), *extra_args]
    env = dict(program.env)
    if wayland:
        argv = ["env", "-u", "DISPLAY", *argv]
        env.update(WAYLAND_ENV)
        if wayland_display:
            env["WAYLAND_DISPLAY"] = wayland_display
    began = time.monotonic()
    proc = desktop.spawn(program.key, argv, env=env)
    deadline = began + 30.0
    while time.monotonic() < deadline:
        if program.trayless:
            if time.monotonic() - began >= TRAYLESS_READY_S:
                return proc.pid, float("nan")
        elif desktop.sni_items() or (desktop.want_xembed and desktop.xembed_icon_count()):
            return proc.pid, time.monotonic() - began
        if proc.poll() is not None:
            break
        time.sleep(DOCK_POLL_S)
    log = desktop.logs_dir / f"{program.key}.log"
    tail = log.read_text(errors="replace").strip().splitlines()[-1:] if log.exists() else []
    state = "exited" if proc.poll() is not None else "gave no tray icon within 30 s"
    raise BenchmarkError(f"{program.label} {state}; last output: {' '.join(tail) or '-'}")


Starter = Callable[..., tuple[int, float]]


@contextlib.contextmanager
def headless_session(tmpdir: Path) -> Iterator[Starter]:
    """No display and no session bus: a server, or a desktop deskbreak finds no source in.

    Nothing to dock, no idle-time and no do-not-disturb source: the case where the idle
    daemon once woke 20 times a second. What ``start`` times instead of docking is how
    long until the control channel answers. Only deskbreak runs like this.
    """
    env = {k: v for k, v in os.environ.items()
           if k not in ("DISPLAY", "WAYLAND_DISPLAY", "DBUS_SESSION_BUS_ADDRESS",
                        "XDG_SESSION_TYPE", "DESKBREAK_CONFIG")}
    for var, name in (("XDG_CONFIG_HOME", "config"), ("XDG_STATE_HOME", "state"),
                      ("XDG_RUNTIME_DIR", "runtime"), ("HOME", "home")):
        (tmpdir / name).mkdir(mode=0o700)
        env[var] = str(tmpdir / name)
    started: list[subprocess.Popen[bytes]] = []

    def start(program: Program, extra_args: Sequence[str] = ()) -> tuple[int, float]:
        began = time.monotonic()
        with open(tmpdir / f"{program.key}.log", "wb") as log:
            proc = subprocess.Popen([*program.argv(), "--no-tray", *extra_args],
                                    env={**env, **program.env},
                                    stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                                    start_new_session=True)
        started.append(proc)
        sock = tmpdir / "runtime" / "deskbreak" / "control.sock"
        while time.monotonic() < began + 30.0:
            if proc.poll() is not None:
                break
            with contextlib.suppress(OSError), socket.socket(socket.AF_UNIX) as probe:
                probe.connect(str(sock))
                return proc.pid, time.monotonic() - began
            time.sleep(DOCK_POLL_S)
        raise BenchmarkError(f"{program.label} did not open its control channel headless")

    try:
        yield start
    finally:
        for proc in started:
            _proc.stop_group(proc)
