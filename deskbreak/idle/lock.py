"""Is the screen locked? Told by the screen locker's ``ActiveChanged`` signal.

A locked screen means the user is away, at once, not after the idle threshold: they
locked it on their way out. KDE's locker (``org.freedesktop.ScreenSaver``) and GNOME
Shell's (``org.gnome.ScreenSaver``) both announce locking and unlocking on the session
bus, so listening costs one match rule and no polling; the state at start is asked once
(``GetActive``). No locker on the bus simply means "not locked".
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)

LOCKERS = (("org.freedesktop.ScreenSaver", "/org/freedesktop/ScreenSaver"),  # KDE
           ("org.gnome.ScreenSaver", "/org/gnome/ScreenSaver"))  # GNOME Shell
CALL_TIMEOUT_S = 2.0


class LockWatch:
    """Follows the session's screen locker; ``on_change`` runs at each lock and unlock."""

    def __init__(self, on_change: Callable[[], None],
                 bus_address: str | None = None) -> None:
        self.locked = False
        self._on_change = on_change
        self._bus_address = bus_address
        self._bus: Any = None

    async def start(self) -> bool:
        """Listen; False (and "not locked" for good) when there is no session bus."""
        try:
            from dbus_fast import Message
            from dbus_fast.aio import MessageBus

            self._bus = await asyncio.wait_for(
                MessageBus(bus_address=self._bus_address).connect(), CALL_TIMEOUT_S)
        except Exception as exc:  # no bus here: a lock simply goes unseen
            log.info("screen lock not followed: no session bus (%s)", exc)
            self._bus = None
            return False
        self._bus.add_message_handler(self._message)
        for interface, path in LOCKERS:
            # Only the locker itself: the bus matches its well-known name to its owner,
            # so another program cannot make the user look away.
            rule = (f"type='signal',sender='{interface}',interface='{interface}',"
                    "member='ActiveChanged'")
            await self._call(Message(destination="org.freedesktop.DBus",
                                     path="/org/freedesktop/DBus",
                                     interface="org.freedesktop.DBus", member="AddMatch",
                                     signature="s", body=[rule]))
            reply = await self._call(Message(destination=interface, path=path,
                                             interface=interface, member="GetActive"))
            if reply and isinstance(reply[0], bool) and reply[0]:
                self.locked = True
        return True

    async def _call(self, message: Any) -> list[Any] | None:
        from dbus_fast import MessageType

        try:
            reply = await asyncio.wait_for(self._bus.call(message), CALL_TIMEOUT_S)
        except Exception:
            return None
        return None if reply.message_type == MessageType.ERROR else list(reply.body)

    def _message(self, message: Any) -> None:
        # A signal sent to us alone (a destination set) is not the locker's broadcast:
        # the match rule vouches only for broadcasts from the locker's name.
        if message.destination or message.member != "ActiveChanged" or not any(
                message.interface == interface for interface, _ in LOCKERS):
            return
        if message.signature == "b" and message.body:
            locked = bool(message.body[0])
            if locked != self.locked:
                self.locked = locked
                self._on_change()

    def close(self) -> None:
        bus, self._bus = self._bus, None
        if bus is not None:
            bus.disconnect()
