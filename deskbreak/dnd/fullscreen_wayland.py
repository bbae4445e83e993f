"""Is a window fullscreen on a wlroots compositor (sway, Hyprland, river, labwc...)?

A Wayland client cannot look at other clients' windows; wlroots compositors publish
them to panels and docks through ``zwlr_foreign_toplevel_manager_v1``, with each
window's state (activated, fullscreen). deskbreak asks like a taskbar starting up, and
only when a break is due: connect, bind, one round trip (every window and its state
arrive before it returns), disconnect. GNOME and KDE keep this to themselves (KDE has
its own protocol, GNOME none); there the chooser says so.
"""

from __future__ import annotations

import os
import struct

from deskbreak.dnd.base import DndSource, DndUnavailable
from deskbreak.wayland import Connection, WaylandError, read_array

MANAGER = "zwlr_foreign_toplevel_manager_v1"
MANAGER_VERSION = 3
ACTIVATED, FULLSCREEN = 2, 3  # zwlr_foreign_toplevel_handle_v1.state
STATE = 4  # the handle's event carrying its states
REASON = "fullscreen window"


class FullscreenWayland(DndSource):
    """Asks the compositor, when a break is due, whether the focused window is
    fullscreen: a short connection each time, so nothing wakes deskbreak between
    breaks (a persistent one would hear every title change of every window)."""

    name = "fullscreen-wayland"

    async def start(self) -> None:
        if not os.environ.get("WAYLAND_DISPLAY"):
            raise DndUnavailable("not a Wayland session")
        try:
            wl = await Connection.open()
        except WaylandError as exc:
            raise DndUnavailable(str(exc)) from None
        offered = MANAGER in wl.globals
        wl.close()
        if not offered:
            raise DndUnavailable("the compositor does not say which window is fullscreen "
                                 "(no wlr foreign-toplevel)")

    async def reason(self) -> str | None:
        """Every window is announced, with its state, before the round trip returns."""
        try:
            wl = await Connection.open()
        except WaylandError as exc:
            raise DndUnavailable(str(exc)) from None
        states: dict[int, set[int]] = {}

        def window(handle: int, opcode: int, body: bytes) -> None:
            if opcode == STATE:
                data, _ = read_array(body, 0)
                states[handle] = {v for (v,) in struct.iter_unpack("=I", data)}

        def manager(opcode: int, body: bytes) -> None:
            if opcode == 0:  # toplevel(new_id handle)
                (handle,) = struct.unpack_from("=I", body)
                states[handle] = set()
                wl.adopt(handle, lambda op, data: window(handle, op, data))

        try:
            if MANAGER not in wl.globals:
                raise DndUnavailable("the compositor no longer says which window is "
                                     "fullscreen")
            wl.bind(MANAGER, MANAGER_VERSION, manager)
            await wl.roundtrip()
        except WaylandError as exc:
            raise DndUnavailable(str(exc)) from None
        finally:
            wl.close()
        return REASON if any({ACTIVATED, FULLSCREEN} <= s for s in states.values()) else None
