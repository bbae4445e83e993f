"""Idle time on a Wayland desktop, for real: deskbreak as a pure Wayland client (no
DISPLAY) of a headless sway, with wtype's virtual keyboard as the user.

No input for longer than the threshold holds the break and counts as a natural break;
a key press brings the user back and starts a fresh interval; all of it told by the
compositor, not polled. Notifications and the tray still go through the session bus
(dunst, the SNI host) as on any desktop.
"""

from __future__ import annotations

import time
from pathlib import Path

from tests.e2e.desktop import Desktop
from tests.e2e.test_daemon import breaks, cli, log_of, running, start, status, wait
from tests.e2e.test_timing import write_config
from tests.e2e.wayland import headless_sway


def test_wayland_idle_counts_as_a_break_and_typing_restarts_the_timer(
        desktop: Desktop, tmp_path: Path) -> None:
    with headless_sway(tmp_path) as sway:
        write_config(desktop, 'interval = "15s"\nidle_threshold = "10s"\n')
        sway.type()
        start(desktop, env={"WAYLAND_DISPLAY": str(sway.socket), "DISPLAY": "",
                            "XDG_SESSION_TYPE": "wayland"})
        first = running(desktop)
        assert first["idle_backend"] == "wayland (org_kde_kwin_idle)"
        assert first["idle_tried"] == ["wayland (org_kde_kwin_idle): in use"]
        assert "Idle time:" in cli(desktop, "status").stdout
        away = wait(lambda: status(desktop), lambda s: s.get("state") == "away", "away", 20)
        assert away["held_because"] == "away" and away["next_break_in"] is None
        time.sleep(20 - 10)  # well past the 15 s interval
        assert breaks(desktop) == []  # no notification while the user is away

        sway.type()
        returned = time.monotonic()
        back = wait(lambda: status(desktop), lambda s: s.get("state") == "running",
                    "the return", 6)
        assert back["next_break_in"] > 15 - 6  # a fresh interval from the return
        assert "natural break: away" in log_of(desktop)

        def working() -> list[object]:
            sway.type()
            return breaks(desktop)
        wait(working, lambda found: len(found) == 1, "the first break after the return", 25)
        assert 15 - 1 <= time.monotonic() - returned <= 15 + 6


def test_a_fullscreen_wayland_window_defers_the_break_until_it_leaves_fullscreen(
        desktop: Desktop, tmp_path: Path) -> None:
    with headless_sway(tmp_path) as sway:
        sway.msg("exec", "foot sleep 600")  # nobody's login shell would exit at once
        wait(lambda: sway.msg("-t", "get_tree"), lambda tree: '"app_id": "foot"' in tree,
             "the foot window", 15)
        sway.msg("fullscreen", "enable")
        start(desktop, "--interval", "5s", env={
            "WAYLAND_DISPLAY": str(sway.socket), "DISPLAY": "", "XDG_SESSION_TYPE": "wayland"})
        assert "fullscreen-wayland" in running(desktop)["dnd_sources"]
        held = wait(lambda: status(desktop), lambda s: s.get("state") == "held", "held", 15)
        assert "fullscreen window" in held["held_because"]
        time.sleep(3)
        assert breaks(desktop) == []  # deferred, not shown over the film
        sway.msg("fullscreen", "disable")
        left = time.monotonic()
        notes = wait(lambda: breaks(desktop), lambda found: len(found) >= 1, "the break", 40)
        assert len(notes) == 1  # deferred, not lost, and not doubled
        assert time.monotonic() - left >= 10  # a short moment after the condition clears
