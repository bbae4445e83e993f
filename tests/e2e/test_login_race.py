"""The login race: the panel and the notification server start after deskbreak, or restart.

At login, deskbreak (an autostart entry) often starts before the panel that hosts tray
icons and before the notification server. Each test here starts deskbreak in a desktop
that lacks one of them, adds it late (or kills and restarts it), and checks what a user
would see: the icon and its menu in the panel, the notification in dunst.
"""

from __future__ import annotations

import re
import time

import pytest

from tests.e2e.conftest import artifacts_root
from tests.e2e.desktop import Desktop
from tests.e2e.test_daemon import ICON, TITLE, breaks, output_of, start, status, wait

WAITING = "no StatusNotifierItem host"
POPUP = re.compile(r"\b195x\d+\+0\+30\b")  # the host's menu popup, under the icon


def menu_opens(desktop: Desktop, shot: str, tries: int = 3) -> None:
    """Click the icon in the SNI host: its menu pops up (and is closed again).

    A host that has just started may still be fetching the menu (libdbusmenu does it in
    the background) and pop up an empty one: close it and click again, as a person would.
    """
    for attempt in range(tries):
        desktop.click(*ICON)
        try:
            wait(lambda: desktop.run(["xwininfo", "-root", "-tree"]).stdout,
                 lambda tree: POPUP.search(tree) is not None, "the tray menu to pop up", 3)
            break
        except AssertionError:
            desktop.run(["xdotool", "key", "Escape"], check=False)
            if attempt == tries - 1:
                raise
            time.sleep(1)
    desktop.screenshot(artifacts_root() / shot)
    desktop.run(["xdotool", "key", "Escape"], check=False)


@pytest.mark.desktop(sni=False)
def test_a_panel_that_starts_ten_seconds_later_gets_the_icon_and_its_menu(
    desktop: Desktop,
) -> None:
    start(desktop, "--interval", "30m")
    # The control channel answers from the moment it opens, a moment before the tray is
    # tried (notifications come first): wait for the status that has tried it.
    state = wait(lambda: status(desktop), lambda s: s.get("running") is True
                 and any(WAITING in note for note in s.get("notes", [])), "deskbreak")
    assert state["tray"] == "none" and state["tray_menu"] is False
    time.sleep(10)
    desktop.add("sni")
    items = desktop.wait_for_sni(timeout=10)
    assert len(items) == 1 and items[0].startswith("org.kde.StatusNotifierItem-")
    state = wait(lambda: status(desktop), lambda s: s["tray"] == "sni", "the tray in status")
    assert state["tray_menu"] is True and not any(WAITING in n for n in state["notes"])
    menu_opens(desktop, "late-panel-menu.png")


@pytest.mark.desktop(sni=False, xembed=True)
def test_an_xembed_tray_holds_the_icon_until_the_panel_comes_and_after_it_goes(
    desktop: Desktop,
) -> None:
    start(desktop, "--interval", "30m")
    assert desktop.wait_for_xembed(timeout=10) == 1
    assert wait(lambda: status(desktop), lambda s: s.get("running") is True,
                "deskbreak")["tray"] == "xorg"
    desktop.add("sni")
    desktop.wait_for_sni(timeout=10)
    wait(desktop.xembed_icon_count, lambda n: n == 0, "the stand-in icon to go")
    assert status(desktop)["tray"] == "sni"
    menu_opens(desktop, "panel-took-over-menu.png")
    desktop.kill("gtk-sni-tray")  # the host crashes, its watcher lives on
    wait(desktop.xembed_icon_count, lambda n: n == 1, "the stand-in after the host died")
    desktop.add("sni-host")
    wait(desktop.xembed_icon_count, lambda n: n == 0, "the stand-in to go for the new host")
    menu_opens(desktop, "new-host-menu.png")
    desktop.kill("gtk-sni-tray")
    desktop.kill("status-notifier-watcher")  # the whole panel goes away
    wait(desktop.xembed_icon_count, lambda n: n == 1, "the stand-in icon to come back")
    assert status(desktop)["tray"] == "xorg"
    desktop.add("sni")  # and comes back
    desktop.wait_for_sni(timeout=10)
    wait(desktop.xembed_icon_count, lambda n: n == 0, "the stand-in icon to go again")


def test_the_icon_comes_back_when_the_panel_restarts(desktop: Desktop) -> None:
    start(desktop, "--interval", "30m")
    desktop.wait_for_sni(timeout=10)
    wait(lambda: status(desktop), lambda s: s.get("tray") == "sni", "the tray")
    desktop.kill("gtk-sni-tray")  # the host alone crashes and restarts
    desktop.add("sni-host")
    menu_opens(desktop, "host-restarted-menu.png")
    desktop.kill("gtk-sni-tray")  # then the whole panel, watcher included
    desktop.kill("status-notifier-watcher")
    wait(lambda: status(desktop), lambda s: s["tray"] == "none", "the tray to be missed")
    desktop.add("sni")
    items = desktop.wait_for_sni(timeout=10)
    assert len(items) == 1
    wait(lambda: status(desktop), lambda s: s["tray"] == "sni", "the tray back in status")
    menu_opens(desktop, "panel-restarted-menu.png")


@pytest.mark.desktop(notifications=False)
def test_a_notification_server_that_starts_late_gets_the_next_break(desktop: Desktop) -> None:
    proc = start(desktop, "--interval", "3s")
    wait(lambda: output_of(desktop), lambda text: TITLE in text, "a break on stdout", 15)
    assert status(desktop)["notifier"] == "terminal"
    desktop.add("dunst")
    shown = wait(lambda: [n for n in breaks(desktop) if n.id is not None], bool,
                 "a break shown by dunst", 15)
    assert {"Start", "Snooze", "Skip"} <= {label for _, label in shown[0].actions}
    state = wait(lambda: status(desktop), lambda s: s["notifier"] == "desktop-notifier",
                 "status to name the desktop notifier")
    assert not any("desktop-notifier unavailable" in note for note in state["notes"])
    assert proc.poll() is None


def test_a_restarted_notification_server_gets_the_breaks_again(desktop: Desktop) -> None:
    start(desktop, "--interval", "3s")
    wait(lambda: [n for n in breaks(desktop) if n.id is not None], bool, "a break in dunst", 15)
    desktop.kill("dunst")
    wait(lambda: output_of(desktop), lambda text: TITLE in text, "a break on stdout", 15)
    assert status(desktop)["notifier"] == "terminal"
    desktop.add("dunst")
    before = len(breaks(desktop))
    wait(lambda: [n for n in breaks(desktop)[before:] if n.id is not None], bool,
         "a break shown by the new dunst", 15)
    wait(lambda: status(desktop), lambda s: s["notifier"] == "desktop-notifier",
         "status to name the desktop notifier again")
