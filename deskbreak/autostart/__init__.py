"""Start deskbreak at login: one interface (``base.Autostart``), one backend per platform.

Linux and other freedesktop systems: an XDG autostart entry (``xdg``); macOS: a
LaunchAgent (``launchagent``); Windows: the registry's Run key (``windows_run``). Every
backend takes its platform's locations and system calls as arguments, so all three are
tested here on Linux with fakes; ``for_platform`` wires the real ones.
"""

from __future__ import annotations

import sys

from deskbreak.autostart.base import Autostart, AutostartError, AutostartState

__all__ = ["Autostart", "AutostartError", "AutostartState", "for_platform"]


def for_platform(platform: str | None = None) -> Autostart:
    """The backend for this platform (``sys.platform`` unless given)."""
    platform = sys.platform if platform is None else platform
    if platform == "win32":
        from deskbreak.autostart.windows_run import WindowsRun

        return WindowsRun.from_environment()
    if platform == "darwin":
        from deskbreak.autostart.launchagent import LaunchAgent

        return LaunchAgent.from_environment()
    from deskbreak.autostart.xdg import XdgAutostart

    return XdgAutostart.from_environment()
