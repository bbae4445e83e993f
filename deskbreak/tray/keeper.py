"""Keeps the tray icon, its tooltip and its menu in step with the core's state.

The daemon hands over a Snapshot after every change; the presenter words it, and only
what changed reaches the panel (the ring changes four times an interval at most, the
tooltip names the time of day of the next break, and the tray is told the look, not
given pixels: see ``tray.ring``). The daemon wakes only for the ring's steps; the
menu is worded afresh whenever it is built on the loop's thread, which the StatusNotifierItem
backend does when a panel is about to open it (DBusMenu ``AboutToShow``), so its
"Next break in 12 min" is exact when seen without a wake-up every minute.
Without a tray (none on this desktop, or ``tray = false``) the keeper still holds the
menu's view, so nothing else has to ask whether an icon exists. A panel that fails is
logged, never fatal.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from deskbreak.core import presenter
from deskbreak.core.controller import Snapshot
from deskbreak.core.model import Look
from deskbreak.ports import TrayIcon
from deskbreak.tray.menu import Submit, build_menu

log = logging.getLogger("deskbreak")


class TrayKeeper:
    """The tray edge as the daemon sees it: open, refresh, new choices, close."""

    def __init__(self, submit: Submit, snapshot: Callable[[], Snapshot] | None = None) -> None:
        self.submit = submit
        self._snapshot = snapshot
        self._thread = threading.get_ident()  # the loop's: the core is read only there
        self.tray: TrayIcon | None = None
        self._notes: list[str] = []
        self.view = presenter.MenuView()
        self._look: tuple[Look, int] | None = None
        self._choices: tuple[tuple[float, ...], tuple[float, ...]] = ((), ())
        self._tooltip = ""

    def _current_view(self) -> presenter.MenuView:
        """The menu's words: fresh on the loop's thread, else the last ones handed over
        (pystray's thread backends draw from their own thread)."""
        if self._snapshot is not None and threading.get_ident() == self._thread:
            try:
                self.view = presenter.menu_view(self._snapshot())
            except Exception as exc:  # a menu must open even if this fails
                log.debug("wording the menu afresh failed: %s", exc)
        return self.view

    def _menu(self) -> Any:
        snooze, pause = self._choices
        return build_menu(self._current_view, self.submit, snooze, pause)

    async def open(self, snap: Snapshot, snooze_choices: tuple[float, ...],
                   pause_choices: tuple[float, ...]) -> None:
        from deskbreak.tray import open_tray
        from deskbreak.tray.ring import Ring

        self._choices = (snooze_choices, pause_choices)
        self.view, self._look = presenter.menu_view(snap), presenter.look(snap)
        self._tooltip = f"deskbreak: {presenter.headline(snap, rough=True)}"
        choice = await open_tray("deskbreak", Ring(*self._look), self._tooltip, self._menu())
        self.tray, self._notes = choice.tray, choice.notes
        for note in choice.notes:
            log.warning(note) if choice.tray is None else log.info(note)
        if self.tray is not None:
            log.info("tray icon via %s", self.tray.backend)

    def refresh(self, snap: Snapshot) -> None:
        self.view = presenter.menu_view(snap)
        if self.tray is None:
            return
        try:
            look = presenter.look(snap)
            if look != self._look:
                self._look = look
                self.tray.set_look(*look)
            tooltip = f"deskbreak: {presenter.headline(snap, rough=True)}"
            if tooltip != self._tooltip:  # the host reads it again at every change
                self._tooltip = tooltip
                self.tray.set_title(tooltip)
            self.tray.refresh_menu()
        except Exception as exc:  # a panel crash must not end the daemon
            log.warning("tray update failed: %s", exc)

    def set_choices(self, snooze_choices: tuple[float, ...],
                    pause_choices: tuple[float, ...]) -> None:
        """The config's snooze or pause choices changed: a new menu."""
        if (snooze_choices, pause_choices) == self._choices:
            return
        self._choices = (snooze_choices, pause_choices)
        if self.tray is not None:
            self.tray.set_menu(self._menu())

    async def close(self, why: str | None = None) -> None:
        tray, self.tray, self._look = self.tray, None, None
        if why:
            self._notes = [why]
        if tray is not None:
            try:
                await tray.close()
            except Exception as exc:
                log.debug("closing the tray: %s", exc)

    @property
    def notes(self) -> list[str]:
        """Why the icon is missing or limited; a tray waiting for its panel says so."""
        return [*self._notes, *(self.tray.notes if self.tray is not None else [])]

    @property
    def backend(self) -> str:
        return self.tray.backend if self.tray is not None else "none"

    @property
    def has_menu(self) -> bool:
        return bool(self.tray is not None and self.tray.has_menu)

    @property
    def failed(self) -> BaseException | None:
        return getattr(self.tray, "failed", None)
