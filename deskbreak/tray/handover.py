"""Our StatusNotifierItem icon, with a stand-in while no panel hosts it.

At login the panel often starts after deskbreak, and panels restart (a crash, a theme
change, a settings reload). The SNI icon stays published on the bus all along and
registers the moment a StatusNotifierWatcher appears (the bus tells us: no polling).
Meanwhile an XEmbed tray, if the display has one, shows pystray's xorg icon; it is taken
down when the panel comes, and put back if the panel goes away again.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from deskbreak.core.model import Look
from deskbreak.tray import SniTray, Tray
from deskbreak.tray.ring import Ring

log = logging.getLogger("deskbreak")

StandIn = Callable[[str, Ring, str, Any, list[str]], Tray | None]
"""Opens a thread-run pystray icon (name, look, title, menu, notes) or returns None; it
makes its own Pillow image of the look, so Pillow loads only when a stand-in is shown."""

WAITING = ("no StatusNotifierItem host (panel) yet: the icon moves there as soon as one "
           "starts")


class HandoverTray(Tray):
    """One tray as the daemon sees it: the SNI icon when hosted, else the stand-in."""

    def __init__(self, sni: SniTray, open_stand_in: StandIn) -> None:
        self.sni = sni
        self.icon = sni.icon
        self._open_stand_in = open_stand_in
        self.stand_in: Tray | None = None
        self._stand_in_notes: list[str] = []
        self._closing: set[asyncio.Task[None]] = set()
        self._closed = False
        sni.icon.on_hosted = self._hosted_changed
        if not sni.icon.hosted:
            self._show_stand_in()

    # -- what status reports ---------------------------------------------------------------

    @property
    def hosted(self) -> bool:
        return bool(self.sni.icon.hosted)

    @property
    def backend(self) -> str:  # type: ignore[override]
        if self.hosted:
            return self.sni.backend
        return self.stand_in.backend if self.stand_in is not None else "none"

    @property
    def has_menu(self) -> bool:  # type: ignore[override]
        if self.hosted:
            return True
        return self.stand_in is not None and self.stand_in.has_menu

    @property
    def failed(self) -> BaseException | None:  # type: ignore[override]
        return None if self.hosted or self.stand_in is None else self.stand_in.failed

    @property
    def notes(self) -> list[str]:
        return [] if self.hosted else [WAITING, *self._stand_in_notes]

    # -- what the keeper calls: both icons stay current, so a handover shows the present --

    def _each(self) -> list[Tray]:
        return [self.sni] + ([self.stand_in] if self.stand_in is not None else [])

    def set_look(self, look: Look, step: int = 0) -> None:
        for tray in self._each():
            tray.set_look(look, step)

    def set_title(self, title: str) -> None:
        for tray in self._each():
            tray.set_title(title)

    def refresh_menu(self) -> None:
        for tray in self._each():
            tray.refresh_menu()

    def set_menu(self, menu: Any) -> None:
        for tray in self._each():
            tray.set_menu(menu)

    async def close(self) -> None:
        self._closed = True
        self.sni.icon.on_hosted = None
        stand_in, self.stand_in = self.stand_in, None
        if stand_in is not None:
            await stand_in.close()
        await asyncio.gather(*self._closing, return_exceptions=True)
        await self.sni.close()

    # -- the handover ----------------------------------------------------------------------

    def _hosted_changed(self, hosted: bool) -> None:
        """Called on the loop when a watcher appears (True) or goes away (False)."""
        if self._closed:
            return
        if hosted:
            log.info("tray icon via sni: a StatusNotifierItem host appeared")
            stand_in, self.stand_in = self.stand_in, None
            self._stand_in_notes = []
            if stand_in is not None:
                task = asyncio.get_running_loop().create_task(stand_in.close())
                self._closing.add(task)
                task.add_done_callback(self._closing.discard)
        else:
            log.warning("the StatusNotifierItem host went away; waiting for it to return")
            self._show_stand_in()

    def _show_stand_in(self) -> None:
        if self.stand_in is not None:
            return
        icon = self.sni.icon
        notes: list[str] = []
        try:
            self.stand_in = self._open_stand_in(icon.name, self.sni.ring, str(icon.title),
                                                icon.menu, notes)
        except Exception as exc:  # a stand-in is a courtesy; the SNI icon still waits
            notes.append(f"no stand-in tray icon: {exc}")
        self._stand_in_notes = notes
        if self.stand_in is not None:
            log.info("tray icon via %s until a StatusNotifierItem host appears",
                     self.stand_in.backend)
