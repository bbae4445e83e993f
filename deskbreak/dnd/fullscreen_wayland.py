"""Is a window fullscreen on a wlroots compositor (sway, Hyprland, river, labwc...)?

A Wayland client cannot look at other clients' windows; wlroots compositors publish
them to panels and docks through ``zwlr_foreign_toplevel_manager_v1``, with each
window's state (activated, fullscreen). deskbreak listens like a taskbar: the state
arrives as events on the socket the event loop already reads, so answering "is the
focused window fullscreen?" when a break is due costs nothing. GNOME and KDE keep this
to themselves (KDE has its own protocol, GNOME none); there the chooser says so.
"""

from __future__ import annotations

import os
import struct

from deskbreak.dnd.base import DndSource, DndUnavailable
from deskbreak.wayland import Connection, WaylandError, read_array

MANAGER = "zwlr_foreign_toplevel_manager_v1"
MANAGER_VERSION = 3
ACTIVATED, FULLSCREEN = 2, 3  # zwlr_foreign_toplevel_handle_v1.state
STATE, CLOSED = 4, 6  # the handle's events
DESTROY = 7  # the handle's request
REASON = "fullscreen window"


class FullscreenWayland(DndSource):
    name = "fullscreen-wayland"

    def __init__(self) -> None:
        self._wl: Connection | None = None
        self._states: dict[int, set[int]] = {}  # window handle -> its current states

    async def start(self) -> None:
        if not os.environ.get("WAYLAND_DISPLAY"):
            raise DndUnavailable("not a Wayland session")
        try:
            self._wl = await Connection.open()
        except WaylandError as exc:
            raise DndUnavailable(str(exc)) from None
        if MANAGER not in self._wl.globals:
            self._wl.close()
            self._wl = None
            raise DndUnavailable("the compositor does not say which window is fullscreen "
                                 "(no wlr foreign-toplevel)")
        try:
            self._wl.bind(MANAGER, MANAGER_VERSION, self._manager_event)
            await self._wl.roundtrip()  # every window is announced before this returns
        except WaylandError as exc:
            await self.close()
            raise DndUnavailable(str(exc)) from None

    def _manager_event(self, opcode: int, body: bytes) -> None:
        if opcode == 0 and self._wl is not None:  # toplevel(new_id handle)
            (handle,) = struct.unpack_from("=I", body)
            self._states[handle] = set()
            self._wl.adopt(handle, lambda op, data, handle=handle: self._window(handle, op,
                                                                                data))

    def _window(self, handle: int, opcode: int, body: bytes) -> None:
        if opcode == STATE:
            states, _ = read_array(body, 0)
            self._states[handle] = {v for (v,) in struct.iter_unpack("=I", states)}
        elif opcode == CLOSED and self._wl is not None:
            self._states.pop(handle, None)
            self._wl.request(handle, DESTROY)
            self._wl.forget(handle)

    async def reason(self) -> str | None:
        wl = self._wl
        if wl is None or wl.failed is not None:
            raise DndUnavailable(wl.failed if wl is not None else "not started")
        focused_fullscreen = any({ACTIVATED, FULLSCREEN} <= states
                                 for states in self._states.values())
        return REASON if focused_fullscreen else None

    async def close(self) -> None:
        wl, self._wl = self._wl, None
        if wl is not None:
            wl.close()
