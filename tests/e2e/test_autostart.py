"""Start at login, end to end: the entry ``deskbreak autostart on`` writes starts deskbreak.

In a clean home inside the headless desktop: ``autostart on`` makes an entry the real
desktop-file-validate accepts; a login is simulated by starting exactly the command the
entry's Exec names, in the desktop's environment (no PYTHONPATH, no working directory
to lean on), and the daemon must come up with its icon registered with the
StatusNotifierWatcher; the tray's own "Start at login" then turns it off and on again,
and ``autostart off`` removes the entry.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from PIL import Image

from deskbreak.desktopfile import read_entry, split_exec, unescape_string
from tests.e2e.conftest import artifacts_root
from tests.e2e.desktop import Desktop
from tests.e2e.test_daemon import ICON, ROW, cli, log_of, running, status, wait
from tests.test_autostart import validate


def autostart(desktop: Desktop, *args: str) -> dict[str, Any]:
    result = cli(desktop, "autostart", *args, "--json")
    assert result.stderr == "", result
    reply: dict[str, Any] = json.loads(result.stdout)
    return reply


def menu_checkbox(desktop: Desktop, name: str) -> Image.Image:
    """Open the tray menu; the "Start at login" row's check box, as drawn on screen."""
    desktop.click(*ICON)
    time.sleep(0.8)
    shot = desktop.screenshot(artifacts_root() / f"autostart-menu-{name}.png")
    y = ROW["Start at login"]
    with Image.open(shot) as image:
        return image.convert("L").crop((2, y - 10, 26, y + 10))


def ink(box: Image.Image) -> int:
    """How many dark pixels the box holds (its frame, plus a check mark when checked)."""
    return sum(1 for x in range(box.width) for y in range(box.height)
               if box.getpixel((x, y)) < 128)


def test_autostart_on_then_a_login_brings_the_daemon_and_its_tray_up(
        desktop: Desktop) -> None:
    entry = Path(desktop.env["XDG_CONFIG_HOME"]) / "autostart" / "deskbreak.desktop"
    assert autostart(desktop, "status")["state"] == "off" and not entry.exists()

    turned_on = cli(desktop, "autostart", "on")
    assert turned_on.returncode == 0 and turned_on.stdout.startswith("Start at login: on (")
    validate(entry)
    state = autostart(desktop, "status")
    assert (state["state"], state["where"]) == ("on", str(entry))
    icon = Path(desktop.env["XDG_DATA_HOME"]) / "icons/hicolor/scalable/apps/deskbreak.svg"
    assert icon.is_file()

    # The login: the session runs Exec as the entry spells it, in its own environment.
    argv = split_exec(unescape_string(read_entry(entry.read_text())["Exec"]))
    assert argv == state["command"] and argv[-1] == "run"
    login = desktop.spawn("login", argv)
    items = desktop.wait_for_sni(timeout=20)
    assert len(items) == 1 and items[0].startswith("org.kde.StatusNotifierItem-")
    up = running(desktop)
    assert (up["pid"], up["tray"], up["tray_menu"]) == (login.pid, "sni", True)

    # The tray's checkbox shows the entry's state, and clicking it turns it off...
    checked = menu_checkbox(desktop, "checked")
    desktop.click(60, ROW["Start at login"])
    wait(lambda: entry.exists(), lambda there: not there, "the entry to be removed")
    assert autostart(desktop, "status")["state"] == "off"
    assert status(desktop)["running"] is True  # the menu closed; the daemon is still up
    # ...and on again, through the daemon this time.
    unchecked = menu_checkbox(desktop, "unchecked")
    assert ink(checked) > ink(unchecked) + 10  # a check mark drawn in the box, then none
    desktop.click(60, ROW["Start at login"])
    wait(lambda: autostart(desktop, "status")["state"], lambda s: s == "on",
         "start at login to be on again")
    validate(entry)
    wait(lambda: log_of(desktop), lambda text: "autostart: Start at login: on (" in text,
         "the change in the log")

    desktop.terminate(login)
    desktop.wait_for_sni(timeout=10, count=0)
    assert cli(desktop, "status").returncode == 1  # stopped

    turned_off = cli(desktop, "autostart", "off")
    assert (turned_off.returncode, turned_off.stdout) == (
        0, f"Start at login: off (removed {entry}); removed its icon\n")
    assert not entry.exists() and autostart(desktop, "status")["state"] == "off"
    assert not icon.exists()  # no launcher in the menu used it
