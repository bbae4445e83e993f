"""pystray's XEmbed (xorg) icon, asking the tray to dock it once instead of at every redraw.

pystray 0.19.5's xorg backend sends SYSTEM_TRAY_REQUEST_DOCK from both ``_update_icon``
and ``_show``, so showing an icon sends two requests back to back (and every new image one
more). trayer answers each request by embedding the window in a new socket; when two
arrive together the first socket's teardown can drop the window back onto the root, and
the icon never appears (seen here in about half the starts of the daemon under Xvfb, never
with one request). Here a request is sent only while the icon is not docked; pystray
itself forgets the manager when it is destroyed, so a restarted tray still gets a request.
"""

from __future__ import annotations

from typing import Any


def icon_class() -> type[Any]:
    """The xorg Icon with the single dock request; importing pystray's module needs X."""
    from pystray import _xorg

    class Icon(_xorg.Icon):  # type: ignore[misc,name-defined]
        def _assert_docked(self) -> None:
            if not self._systray_manager:
                self._dock_window()
            assert self._systray_manager

    return Icon
