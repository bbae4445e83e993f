"""Is dunst paused (its own do-not-disturb, `dunstctl set-paused true`)?

dunst exposes the flag as the D-Bus property ``paused`` of ``org.dunstproject.cmd0`` on
the notification server's object; reading it is one Properties.Get. Any other server
lacks that interface, so start() reading it once is also the "is this dunst?" test.
"""

from __future__ import annotations

import asyncio
from typing import Any

from deskbreak.dnd.base import DndSource, DndUnavailable

DESTINATION = "org.freedesktop.Notifications"
PATH = "/org/freedesktop/Notifications"
INTERFACE = "org.dunstproject.cmd0"
REASON = "notifications paused"
CONNECT_TIMEOUT_S = 2.0


class DunstPaused(DndSource):
    name = "dunst"

    def __init__(self, bus_address: str | None = None) -> None:
        self._bus_address = bus_address
        self._bus: Any = None

    async def start(self) -> None:
        try:
            from dbus_fast.aio import MessageBus

            bus = MessageBus(bus_address=self._bus_address)
            self._bus = await asyncio.wait_for(bus.connect(), CONNECT_TIMEOUT_S)
        except Exception as exc:  # no dbus-fast, no address, no socket, timeout...
            raise DndUnavailable(f"no D-Bus session bus: {exc or type(exc).__name__}") from exc
        try:
            await self._paused()
        except RuntimeError as exc:
            await self.close()
            raise DndUnavailable(f"the notification server is not dunst ({exc})") from exc

    async def _paused(self) -> bool:
        from dbus_fast import Message, MessageType

        reply = await self._bus.call(Message(
            destination=DESTINATION, path=PATH, interface="org.freedesktop.DBus.Properties",
            member="Get", signature="ss", body=[INTERFACE, "paused"],
        ))
        if reply.message_type == MessageType.ERROR:
            raise RuntimeError(reply.error_name)
        return bool(reply.body[0].value)

    async def reason(self) -> str | None:
        if self._bus is None:
            raise DndUnavailable("not started")
        return REASON if await self._paused() else None

    async def close(self) -> None:
        bus, self._bus = self._bus, None
        if bus is not None:
            bus.disconnect()
