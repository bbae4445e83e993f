"""X11 idle time from the MIT-SCREEN-SAVER extension, through python-xlib.

The X server itself counts milliseconds since the last input event, so one request
answers the question, with no event subscription and no polling thread. Under XWayland
the count covers only input sent to X11 windows, which is why the chooser prefers the
GNOME backend on Wayland.
"""

from __future__ import annotations

import contextlib
import os
from typing import Any

from deskbreak.core.model import IdleSample
from deskbreak.idle.base import IdleMonitor, IdleUnavailable
from deskbreak.xdisplay import open_display

SCREEN_SAVER_ON = 1  # Xlib.ext.screensaver.StateOn


class X11Idle(IdleMonitor):
    """Reads idle time and the screen-saver state from the X server.

    The requests run directly on the event loop, not in ``asyncio.to_thread``: each is one
    round trip over a local socket (tens of microseconds), made every few seconds at most,
    so a thread hop would cost more than the call. If the server dies, python-xlib raises
    at once (the socket closes), it does not block.
    """

    name = "x11"

    def __init__(self, display_name: str | None = None) -> None:
        self._display_name = display_name
        self._display: Any = None

    async def start(self) -> None:
        name = self._display_name or os.environ.get("DISPLAY")
        if not name:
            raise IdleUnavailable("DISPLAY is not set")
        try:
            self._display = open_display(name)
        except ImportError as exc:
            raise IdleUnavailable(f"python-xlib is not installed ({exc})") from exc
        except Exception as exc:  # DisplayNameError, ConnectionClosedError, OSError...
            raise IdleUnavailable(f"cannot open X display {name}: {exc}") from exc
        if not self._display.has_extension("MIT-SCREEN-SAVER"):
            await self.close()
            raise IdleUnavailable(f"X display {name} lacks the MIT-SCREEN-SAVER extension")
        await self.sample()

    async def sample(self) -> IdleSample:
        if self._display is None:
            raise IdleUnavailable("not started")
        try:
            info = self._display.screen().root.screensaver_query_info()
        except Exception as exc:  # the X connection broke or the server refused
            await self.close()
            raise IdleUnavailable(f"X idle query failed: {exc}") from exc
        # "On" means the saver is showing (a locker usually sits on top): the user is away.
        return IdleSample(idle=info.idle / 1000.0, locked=info.state == SCREEN_SAVER_ON)

    async def close(self) -> None:
        display, self._display = self._display, None
        if display is not None:
            with contextlib.suppress(Exception):  # already broken: nothing left to release
                display.close()
