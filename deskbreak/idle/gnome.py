"""GNOME idle time over the session bus: Mutter's IdleMonitor, plus the screen-saver state.

On Wayland no client can see global input, so the compositor is the only honest source;
GNOME's exports it on D-Bus. Low-level ``bus.call`` with hand-built messages skips the
introspection round trip a proxy object would need, for two tiny calls.
"""

from __future__ import annotations

import asyncio
from typing import Any

from deskbreak.core.model import IdleSample
from deskbreak.idle.base import IdleMonitor, IdleUnavailable

MUTTER = ("org.gnome.Mutter.IdleMonitor", "/org/gnome/Mutter/IdleMonitor/Core",
          "org.gnome.Mutter.IdleMonitor")
SCREENSAVER = ("org.gnome.ScreenSaver", "/org/gnome/ScreenSaver", "org.gnome.ScreenSaver")
CONNECT_TIMEOUT_S = 2.0
CALL_TIMEOUT_S = 2.0


class GnomeIdle(IdleMonitor):
    """Asks Mutter for the idle time and gnome-shell whether the screen is locked.

    ``bus_address`` overrides DBUS_SESSION_BUS_ADDRESS (tests, or a daemon that knows
    better). A failing lock query only means "not locked": idle time still grows while
    the user is away, so the planner still sees them leave.
    """

    name = "gnome"
    # What to ask: the idle time in milliseconds, and whether the screen is locked.
    idle_call: tuple[tuple[str, str, str], str] = (MUTTER, "GetIdletime")
    lock_call: tuple[tuple[str, str, str], str] = (SCREENSAVER, "GetActive")
    silent = "Mutter IdleMonitor did not answer"

    def __init__(self, bus_address: str | None = None) -> None:
        self._bus_address = bus_address
        self._bus: Any = None

    async def start(self) -> None:
        try:
            from dbus_fast.aio import MessageBus
        except ImportError as exc:
            raise IdleUnavailable(f"dbus-fast is not installed ({exc})") from exc
        try:
            bus = MessageBus(bus_address=self._bus_address)
            self._bus = await asyncio.wait_for(bus.connect(), CONNECT_TIMEOUT_S)
        except Exception as exc:  # no address, no socket, auth refused, timeout...
            raise IdleUnavailable(f"no D-Bus session bus: {exc or type(exc).__name__}") from exc
        try:
            await self.sample()
        except IdleUnavailable:
            await self.close()
            raise

    async def _call(self, target: tuple[str, str, str], member: str) -> list[Any]:
        from dbus_fast import Message, MessageType

        destination, path, interface = target
        message = Message(destination=destination, path=path, interface=interface, member=member)
        reply = await asyncio.wait_for(self._bus.call(message), CALL_TIMEOUT_S)
        if reply.message_type == MessageType.ERROR:
            raise RuntimeError(f"{reply.error_name}: {reply.body[0] if reply.body else ''}")
        return list(reply.body)

    async def sample(self) -> IdleSample:
        if self._bus is None:
            raise IdleUnavailable("not started")
        try:
            (idle_ms,) = await self._call(*self.idle_call)
        except Exception as exc:
            raise IdleUnavailable(f"{self.silent}: {exc}") from exc
        try:
            (locked,) = await self._call(*self.lock_call)
        except Exception:  # no gnome-shell screen saver here: unknown counts as unlocked
            locked = False
        return IdleSample(idle=idle_ms / 1000.0, locked=bool(locked))

    async def close(self) -> None:
        bus, self._bus = self._bus, None
        if bus is not None:
            bus.disconnect()
