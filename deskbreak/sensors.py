"""The daemon's senses: idle time and do-not-disturb, found once, asked only when needed.

The planner says what it needs to know at each wake-up (``Needs``); this asks exactly
that and nothing more, so a sensor costs nothing between breaks. An idle source that
can announce the user's return (``IdleMonitor.on_input``) is read at the wake-up it
causes too. An idle source that
breaks is dropped with one line (all time then counts as active, as with none at all);
do-not-disturb sources look after themselves (``dnd.DndMonitor``).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable

from deskbreak.core.model import IdleSample
from deskbreak.core.planner import Needs
from deskbreak.ports import DndSources, IdleSource

log = logging.getLogger("deskbreak")


class Sensors:
    """The idle source and the do-not-disturb sources in use, and why others are not."""

    def __init__(self, idle: IdleSource | None = None, dnd: DndSources | None = None, *,
                 on_input: Callable[[], None] | None = None) -> None:
        self.idle = idle
        self.dnd = dnd
        self.notes: list[str] = []
        self.idle_tried: list[str] = []  # each idle source tried, and how it went
        self._on_input = on_input
        self._away_after: float | None = None
        self._heard = False  # the idle source heard input: read it at the next step
        self._wire()

    def _wire(self) -> None:
        if self.idle is not None and hasattr(self.idle, "on_input"):
            self.idle.on_input = self._input
            self.idle.away_after = self._away_after

    def _input(self) -> None:
        self._heard = True
        if self._on_input is not None:
            self._on_input()

    def set_away_after(self, threshold: float) -> None:
        """The config's idle threshold: a source that can hear the user's return listens
        only past it, so typing at work never wakes the daemon."""
        self._away_after = threshold
        self._wire()

    async def find(self, *, idle: bool, dnd: bool) -> None:
        """Look for what works on this desktop (at start, or when do-not-disturb is enabled)."""
        found: list[str] = []
        if idle:
            from deskbreak.idle import choose_idle

            self.idle_tried = []
            self.idle, notes = await choose_idle(tried=self.idle_tried)
            self._wire()
            found += notes
            log.info("idle time via %s", self.idle.name if self.idle else "nothing")
        if dnd:
            from deskbreak.dnd import choose_dnd

            self.dnd, notes = await choose_dnd()
            found += notes
            log.info("do-not-disturb sources: %s", ", ".join(self.dnd.names) or "none")
        for note in found:
            log.info(note)
        self.notes += found

    async def read(self, needs: Needs) -> tuple[IdleSample | None, tuple[str, ...] | None]:
        """Idle time and do-not-disturb reasons, each only if ``needs`` asks for it."""
        idle = dnd = None
        heard, self._heard = self._heard, False
        if (needs.idle or heard) and self.idle is not None:
            try:
                idle = await self.idle.sample()
            except Exception as exc:
                note = f"idle source stopped working: {exc}; counting all time as active"
                log.warning(note)
                self.notes.append(note)
                source, self.idle = self.idle, None
                with contextlib.suppress(Exception):  # its other connections go too
                    await source.close()
        if needs.dnd:
            dnd = await self.dnd.reasons() if self.dnd is not None else ()
        return idle, dnd

    @property
    def idle_name(self) -> str:
        return self.idle.name if self.idle is not None else "none"

    @property
    def dnd_names(self) -> tuple[str, ...]:
        return tuple(self.dnd.names) if self.dnd is not None else ()

    async def close(self) -> None:
        for source in (self.idle, self.dnd):
            if source is not None:
                with contextlib.suppress(Exception):
                    await source.close()
