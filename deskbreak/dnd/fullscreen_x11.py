"""Is the focused X11 window fullscreen (a film, a game, a presentation)?

Reads two EWMH properties the window manager keeps current: the root window's
_NET_ACTIVE_WINDOW, then that window's _NET_WM_STATE. No event subscription: the
question is asked only when a break is due. Direct calls on the loop, like X11Idle: two
local round trips. Under Wayland only XWayland windows are seen.
"""

from __future__ import annotations

import contextlib
import os
from typing import Any

from deskbreak.dnd.base import DndSource, DndUnavailable
from deskbreak.xdisplay import open_display

REASON = "fullscreen window"


class FullscreenX11(DndSource):
    name = "fullscreen"

    def __init__(self, display_name: str | None = None) -> None:
        self._display_name = display_name
        self._display: Any = None
        self._atoms: dict[str, int] = {}

    async def start(self) -> None:
        name = self._display_name or os.environ.get("DISPLAY")
        if not name:
            raise DndUnavailable("DISPLAY is not set")
        try:
            self._display = open_display(name)
        except Exception as exc:  # ImportError, DisplayNameError, ConnectionClosedError...
            raise DndUnavailable(f"cannot open X display {name}: {exc}") from exc
        for atom in ("_NET_ACTIVE_WINDOW", "_NET_WM_STATE", "_NET_WM_STATE_FULLSCREEN"):
            self._atoms[atom] = self._display.intern_atom(atom)

    def _active_window(self) -> int:
        prop = self._display.screen().root.get_full_property(
            self._atoms["_NET_ACTIVE_WINDOW"], 0  # 0: X.AnyPropertyType
        )
        return int(prop.value[0]) if prop is not None and len(prop.value) else 0

    async def reason(self) -> str | None:
        from Xlib import Xatom, error

        if self._display is None:
            raise DndUnavailable("not started")
        window_id = self._active_window()  # a broken connection raises: the source is dropped
        if not window_id:
            return None  # no window manager, or nothing focused
        window = self._display.create_resource_object("window", window_id)
        try:
            state = window.get_full_property(self._atoms["_NET_WM_STATE"], Xatom.ATOM)
        except error.BadWindow:
            return None  # the active window just closed; the WM has not caught up yet
        if state is not None and self._atoms["_NET_WM_STATE_FULLSCREEN"] in state.value:
            return REASON
        return None

    async def close(self) -> None:
        display, self._display = self._display, None
        if display is not None:
            with contextlib.suppress(Exception):
                display.close()
