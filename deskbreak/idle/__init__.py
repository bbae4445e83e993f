"""Pick the idle-time backend that works on this desktop, and say why the others did not.

Backend modules are imported only when tried, so Linux never loads the Windows ctypes
code and the other way round.

Linux order: on Wayland (XDG_SESSION_TYPE=wayland or WAYLAND_DISPLAY set) the compositor's
own idle notifications first (ext-idle-notify-v1, or KDE's older protocol: KWin, sway,
Hyprland, river...), then GNOME's Mutter (which offers neither), then KDE's screen saver
service (an older KWin without the protocols), then X11 last: XWayland counts only
input sent to X11 windows, so typing in a native Wayland window looks like idleness
there, and the user could be taken as away while working. On X11 the X server's own
count is first, then GNOME. Without any source the daemon runs on, counting all time as
active.
"""

from __future__ import annotations

import asyncio
import importlib
import logging
import os
import sys
from collections.abc import Mapping

from deskbreak.idle.base import IdleMonitor, IdleUnavailable

log = logging.getLogger(__name__)

START_TIMEOUT_S = 5.0
NO_SOURCE_NOTE = "no idle-time source: reminders count all time as active"
XWAYLAND_NOTE = (
    "x11 idle on Wayland comes from XWayland, which sees only input to X11 windows: "
    "time spent in Wayland windows may be taken for being away"
)
_BACKENDS: dict[str, str] = {
    "wayland": "deskbreak.idle.wayland:WaylandIdle",
    "x11": "deskbreak.idle.x11:X11Idle",
    "gnome": "deskbreak.idle.gnome:GnomeIdle",
    "screensaver": "deskbreak.idle.screensaver:ScreenSaverIdle",
    "windows": "deskbreak.idle.windows:WindowsIdle",
    "macos": "deskbreak.idle.macos:MacIdle",
}


def is_wayland(env: Mapping[str, str]) -> bool:
    """True in a Wayland session, even when DISPLAY is set too (XWayland)."""
    return env.get("XDG_SESSION_TYPE", "").lower() == "wayland" or bool(env.get("WAYLAND_DISPLAY"))


def backend_order(platform: str, env: Mapping[str, str]) -> tuple[str, ...]:
    """Backend names to try, best first."""
    if platform == "win32":
        return ("windows",)
    if platform == "darwin":
        return ("macos",)
    if is_wayland(env):
        return ("wayland", "gnome", "screensaver", "x11")
    return ("x11", "gnome")


def _load(name: str, bus_hint: str | None) -> IdleMonitor:
    """Import one backend module and build its monitor (tests replace this)."""
    module_name, _, class_name = _BACKENDS[name].partition(":")
    cls = getattr(importlib.import_module(module_name), class_name)
    return cls(bus_hint) if name in ("gnome", "screensaver") else cls()


async def choose_idle(bus_hint: str | None = None, tried: list[str] | None = None
                      ) -> tuple[IdleMonitor | None, list[str]]:
    """The first backend whose start() works, and notes on why the others were not used.

    ``bus_hint`` is a D-Bus session bus address for the GNOME backend (None: the
    environment's). ``tried`` receives each backend tried and how it went ("x11: in
    use", "wayland: the compositor offers neither ..."), for ``deskbreak status``.
    Surprises (a bug, not a missing desktop) are logged and skipped too: idle time is a
    refinement, never a reason for the daemon not to run.
    """
    notes: list[str] = []
    tried = [] if tried is None else tried
    wayland = is_wayland(os.environ)
    for name in backend_order(sys.platform, os.environ):
        monitor: IdleMonitor | None = None
        try:
            monitor = _load(name, bus_hint)
            await asyncio.wait_for(monitor.start(), START_TIMEOUT_S)
        except IdleUnavailable as exc:
            notes.append(f"{name}: {exc}")
        except TimeoutError:
            notes.append(f"{name}: no answer within {START_TIMEOUT_S:g}s")
        except Exception as exc:
            log.warning("idle backend %s failed to start", name, exc_info=True)
            notes.append(f"{name}: {type(exc).__name__}: {exc}")
        else:
            tried.append(f"{monitor.name}: in use")
            if name == "x11" and wayland:
                notes.append(XWAYLAND_NOTE)
            return monitor, notes
        tried.append(notes[-1])
        if monitor is not None:
            await _close_quietly(monitor)
    notes.append(NO_SOURCE_NOTE)
    return None, notes


async def _close_quietly(monitor: IdleMonitor) -> None:
    try:
        await monitor.close()
    except Exception:
        log.debug("closing idle backend %s failed", monitor.name, exc_info=True)


__all__ = ["IdleMonitor", "IdleUnavailable", "choose_idle"]
