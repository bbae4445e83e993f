"""``deskbreak run``: refuse a bad config or a second instance, then run the daemon.

The process around the loop: the config is checked before anything starts (one line
and exit 2 when it is bad), one instance per user holds the lock, the log is set up,
and signals are wired: SIGTERM and SIGINT stop the daemon cleanly, SIGHUP reloads the
config. The user's first run from a terminal also says how to start deskbreak at login,
when it does not yet: the entry is only ever written when they ask for it.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
from collections.abc import Mapping
from typing import Any

from deskbreak import firstrun, paths
from deskbreak.autostart import Autostart, for_platform
from deskbreak.catalogue import DOCTOR_NOTE
from deskbreak.core.commands import Reload
from deskbreak.daemon import Daemon
from deskbreak.instance import AlreadyRunning, InstanceLock
from deskbreak.live_config import LiveConfig


def _headless() -> bool:
    if sys.platform.startswith("linux"):
        return not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))
    return False


def _say(text: str) -> None:
    """A line for the terminal that started the daemon, if there is one to take it.

    Written straight to fd 1: a closed or full standard output (a launcher's /dev/full)
    must not keep the daemon from running.
    """
    with contextlib.suppress(OSError):
        os.write(1, (text + "\n").encode())


def first_run_lines(*, tray: bool, autostart: Autostart | None = None) -> list[str]:
    """What the first ``deskbreak run`` says besides its work: how to start at login."""
    try:
        on = (autostart or for_platform()).status().on
    except Exception:  # a hint must never keep the daemon from starting
        on = False
    if on:
        return []
    where = ' (or the tray\'s "Start at login")' if tray else ""
    return [f"Start deskbreak at login: deskbreak autostart on{where}"]


def run_daemon(explicit_config: str | None, overrides: Mapping[str, Any],
               verbose: bool) -> int:
    """Run until quit or a signal; 0 also when another instance already runs."""
    from deskbreak.logfile import setup_logging

    source = LiveConfig(explicit_config, overrides)
    loaded = source.load()  # a bad config at start: one line and exit 2
    runtime = paths.runtime_dir()
    lock = InstanceLock(runtime / "deskbreak.lock")
    try:
        lock.acquire()
    except AlreadyRunning as exc:
        _say(str(exc))
        return 0
    try:
        if _headless() and loaded.config.notifier in ("auto", "terminal"):
            _say("deskbreak: no desktop session found (no DISPLAY or WAYLAND_DISPLAY): "
                 "terminal mode, breaks are printed here")
        tray = loaded.config.tray and not _headless()
        firstrun.tell_once(firstrun.FIRST_RUN, lambda: first_run_lines(tray=tray), _say)
        firstrun.tell_once(firstrun.DOCTOR, lambda: [f"deskbreak: {DOCTOR_NOTE}"], _say)
        setup_logging(paths.state_dir(), verbose)
        return asyncio.run(_main(Daemon(loaded, source=source, runtime=runtime)))
    finally:
        lock.release()


async def _main(daemon: Daemon) -> int:
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError):  # Windows: no signal handlers
            loop.add_signal_handler(sig, daemon.request_stop)
    if hasattr(signal, "SIGHUP"):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(signal.SIGHUP, daemon.submit, Reload())
    await daemon.run()
    return 0
