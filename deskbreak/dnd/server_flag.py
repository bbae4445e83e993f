"""A do-not-disturb switch the notification server itself keeps, read as a D-Bus property.

Two servers say on the bus whether the user silenced them: dunst (its own
``org.dunstproject.cmd0`` interface, ``paused``, `dunstctl set-paused true`) and the
freedesktop interface's optional ``Inhibited`` property (KDE Plasma's do-not-disturb,
and servers that copy it). Reading one is one Properties.Get when a break is due; a
server without it answers with an error at start, which is also the "is this the
server that has it?" test.
"""

from __future__ import annotations

from typing import Any

from deskbreak.dnd.base import DndSource, DndUnavailable, session_bus

DESTINATION = "org.freedesktop.Notifications"
PATH = "/org/freedesktop/Notifications"


class ServerFlag(DndSource):
    """One boolean property of the notification server; ``reason`` while it is true."""

    interface: str = ""
    prop: str = ""
    because: str = ""  # the reason shown in status ("notifications paused")
    missing: str = ""  # why this source is not used when the property is not there

    def __init__(self, bus_address: str | None = None) -> None:
        self._bus_address = bus_address
        self._bus: Any = None

    async def start(self) -> None:
        self._bus = await session_bus(self._bus_address)
        try:
            await self._value()
        except RuntimeError as exc:
            await self.close()
            raise DndUnavailable(f"{self.missing} ({exc})") from exc

    async def _value(self) -> bool:
        from dbus_fast import Message, MessageType

        reply = await self._bus.call(Message(
            destination=DESTINATION, path=PATH, interface="org.freedesktop.DBus.Properties",
            member="Get", signature="ss", body=[self.interface, self.prop],
        ))
        if reply.message_type == MessageType.ERROR:
            raise RuntimeError(reply.error_name)
        value = reply.body[0].value
        if not isinstance(value, bool):
            raise RuntimeError(f"{self.prop} is not a boolean: {value!r}"[:100])
        return value

    async def reason(self) -> str | None:
        if self._bus is None:
            raise DndUnavailable("not started")
        return self.because if await self._value() else None

    async def close(self) -> None:
        bus, self._bus = self._bus, None
        if bus is not None:
            bus.disconnect()


class DunstPaused(ServerFlag):
    name = "dunst"
    interface = "org.dunstproject.cmd0"
    prop = "paused"
    because = "notifications paused"
    missing = "the notification server is not dunst"


class NotificationsInhibited(ServerFlag):
    name = "notifications-inhibited"
    interface = "org.freedesktop.Notifications"
    prop = "Inhibited"
    because = "notifications off (do not disturb)"
    missing = "the notification server has no Inhibited property (KDE Plasma's)"
