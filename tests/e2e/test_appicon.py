"""A break notification caught on the bus says it is deskbreak's: its name, its icon.

desktop-notifier's default icon is the Python logo and plyer's notify-send path drops
the icon it is given, so without care a user sees "Python" asking them to stretch. The
daemon runs in a real headless desktop (dunst as the server) and the Notify call is read
from dbus-monitor's record, exactly as a notification server received it.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import unquote, urlparse

from deskbreak import appicon
from tests.e2e.desktop import Desktop, Notification

ROOT = Path(__file__).resolve().parents[2]
TITLE = "Time to move: "


def start(desktop: Desktop, *args: str) -> subprocess.Popen[bytes]:
    """`deskbreak run` from this checkout inside the desktop, as tests/e2e/test_daemon.py."""
    return desktop.spawn("deskbreak", [sys.executable, "-m", "deskbreak", "run", *args],
                         env={"DESKBREAK_SEED": "3", "PYTHONPATH": str(ROOT)})


def first_break(desktop: Desktop, timeout: float = 20) -> Notification:
    """The first break notification's Notify call, once the server has answered it."""
    deadline = time.monotonic() + timeout
    while True:
        found = [n for n in desktop.notifications() if n.summary.startswith(TITLE)]
        if found and found[0].answered:
            return found[0]
        if time.monotonic() > deadline:
            log = (desktop.logs_dir / "deskbreak.log").read_text(errors="replace")
            raise AssertionError(f"no break notification in {timeout}s; deskbreak said:\n"
                                 f"{log[-2000:]}")
        time.sleep(0.1)


def icon_file(notification: Notification) -> Path:
    """The file a Notify call's icon names: app_icon (a file URI or a path), else the
    `image-path` hint; the spec allows either."""
    named = notification.app_icon or str(notification.hints.get("image-path", ""))
    assert named, f"no icon at all: {notification}"
    if named.startswith("file://"):
        return Path(unquote(urlparse(named).path))
    assert named.startswith("/"), f"not a file: {named!r}"
    return Path(named)


def assert_is_deskbreaks_icon(notification: Notification) -> None:
    assert notification.app_name == "deskbreak"
    assert notification.id is not None and notification.error is None
    path = icon_file(notification)
    assert "python" not in path.name.lower()
    assert path.read_bytes() == appicon.png(128).read_bytes()


def test_a_break_from_desktop_notifier_carries_deskbreaks_name_and_icon(
        desktop: Desktop) -> None:
    start(desktop, "--interval", "3s", "--no-tray", "--notifier", "desktop-notifier")
    assert_is_deskbreaks_icon(first_break(desktop))


def test_a_break_from_plyer_carries_deskbreaks_name_and_icon(desktop: Desktop) -> None:
    """plyer goes through notify-send here (no dbus-python in the venv)."""
    start(desktop, "--interval", "3s", "--no-tray", "--notifier", "plyer")
    note = first_break(desktop)
    assert_is_deskbreaks_icon(note)
    assert note.expire_timeout == 120_000  # plyer's timeout reaches notify-send too
