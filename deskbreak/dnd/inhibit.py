"""Does the desktop inhibit idle (a video playing, a call, a presentation)?

org.freedesktop.ScreenSaver can take inhibitors but cannot be asked about them, so this
asks the session services that can: GNOME's SessionManager ``IsInhibited(8)`` (8 = idle)
and the freedesktop PowerManagement ``HasInhibit`` (KDE, XFCE). Only services that own
their name when the source starts are asked; none at all means DndUnavailable.
"""

from __future__ import annotations

import asyncio
from typing import Any

from deskbreak.dnd.base import DndSource, DndUnavailable, session_bus

INHIBIT_IDLE = 8
# (bus name, object path, interface, member, signature, body)
QUERIES: tuple[tuple[str, str, str, str, str, list[Any]], ...] = (
    ("org.gnome.SessionManager", "/org/gnome/SessionManager", "org.gnome.SessionManager",
     "IsInhibited", "u", [INHIBIT_IDLE]),
    ("org.freedesktop.PowerManagement", "/org/freedesktop/PowerManagement/Inhibit",
     "org.freedesktop.PowerManagement.Inhibit", "HasInhibit", "", []),
)
REASON = "desktop inhibits idle"


class IdleInhibited(DndSource):
    name = "inhibit"

    def __init__(self, bus_address: str | None = None) -> None:
        self._bus_address = bus_address
        self._bus: Any = None
        self._queries: list[tuple[str, str, str, str, str, list[Any]]] = []

    async def _ask(self, destination: str, path: str, interface: str, member: str,
                   signature: str = "", body: list[Any] | None = None) -> Any:
        from dbus_fast import Message, MessageType

        reply = await self._bus.call(Message(
            destination=destination, path=path, interface=interface, member=member,
            signature=signature, body=body or [],
        ))
        if reply.message_type == MessageType.ERROR:
            raise RuntimeError(f"{destination}.{member}: {reply.error_name}")
        return reply.body[0]

    async def start(self) -> None:
        self._bus = await session_bus(self._bus_address)
        for query in QUERIES:
            if await self._ask("org.freedesktop.DBus", "/org/freedesktop/DBus",
                               "org.freedesktop.DBus", "NameHasOwner", "s", [query[0]]):
                self._queries.append(query)
        if not self._queries:
            await self.close()
            raise DndUnavailable("neither org.gnome.SessionManager nor "
                                 "org.freedesktop.PowerManagement is on the session bus")

    async def reason(self) -> str | None:
        if self._bus is None:
            raise DndUnavailable("not started")
        answers = await asyncio.gather(*(self._ask(*query) for query in self._queries))
        return REASON if any(answers) else None

    async def close(self) -> None:
        bus, self._bus = self._bus, None
        if bus is not None:
            bus.disconnect()
