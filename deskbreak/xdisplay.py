"""Opening an X display the light way, for the X11 idle and fullscreen sources.

python-xlib's ``Display()`` imports and initialises a module for every extension the
server offers (about fifteen on Xorg, one round trip each) though deskbreak uses only
MIT-SCREEN-SAVER, and XInput 2 with the Generic Event Extension its events come
through (to hear the user's return). Offering it just those cut what an X connection
cost the always-running daemon from about 1.3 MiB to 0.5 MiB (measured with
smaps_rollup, with MIT-SCREEN-SAVER alone; the two more add python-xlib's xinput and ge
modules, about 0.15 MiB) and the connection time likewise; the core protocol
(properties, atoms) needs no extension.
"""

from __future__ import annotations

from typing import Any

USED_EXTENSIONS = frozenset({"MIT-SCREEN-SAVER", "XInputExtension", "Generic Event Extension"})


def open_display(name: str) -> Any:
    """An ``Xlib.display.Display`` with only the extensions deskbreak calls.

    Raises ImportError without python-xlib, and python-xlib's own errors when the
    display cannot be opened.
    """
    from Xlib import display, ext

    every = getattr(ext, "__extensions__", None)
    if every is None:  # a python-xlib without the table: load everything, as it would
        return display.Display(name)
    ext.__extensions__ = [item for item in every if item[0] in USED_EXTENSIONS]
    try:
        return display.Display(name)
    finally:
        ext.__extensions__ = every
