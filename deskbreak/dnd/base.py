"""The do-not-disturb interface: reasons to hold a due break back for now.

Each source answers one question (is a window fullscreen? is the notification server
paused? does the desktop inhibit idle?) and is asked only when a break is due, so they
cost nothing between breaks. A source that fails is dropped with one log line.
"""

from __future__ import annotations

from abc import ABC, abstractmethod


class DndUnavailable(Exception):
    """This source cannot answer here."""


class DndSource(ABC):
    name: str = "?"

    async def start(self) -> None:
        """Check the source can answer here; raise DndUnavailable if not."""

    @abstractmethod
    async def reason(self) -> str | None:
        """A short reason ("fullscreen window") while disturbing is not OK, else None."""

    async def close(self) -> None:
        """Release connections."""
