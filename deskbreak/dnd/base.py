"""The do-not-disturb interface: reasons to hold a due break back for now.

Each source answers one question (is a window fullscreen? is the notification server
paused? does the desktop inhibit idle?) and is asked only when a break is due, so they
cost nothing between breaks. A source that fails is dropped with one log line.
"""

from __future__ import annotations

import asyncio
from abc import ABC, abstractmethod
from typing import Any

CONNECT_TIMEOUT_S = 2.0


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


async def session_bus(address: str | None) -> Any:
    """A connection to the session bus (``address``, or the environment's), or
    DndUnavailable saying why there is none: the sources that ask a D-Bus service."""
    try:
        from dbus_fast.aio import MessageBus

        bus = MessageBus(bus_address=address)
        return await asyncio.wait_for(bus.connect(), CONNECT_TIMEOUT_S)
    except Exception as exc:  # no dbus-fast, no address, no socket, timeout...
        raise DndUnavailable(f"no D-Bus session bus: {exc or type(exc).__name__}") from exc
