"""A locked screen is "away" at once on Wayland: the screen locker's ActiveChanged
signal, on a real private bus with a stand-in KDE or GNOME locker; another program
saying the same is not believed."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from dbus_fast.aio import MessageBus
from dbus_fast.annotations import DBusBool
from dbus_fast.service import ServiceInterface, dbus_method, dbus_signal

from deskbreak.idle.lock import LockWatch
from deskbreak.idle.wayland import KDE, WaylandIdle
from tests.test_notify_freedesktop import aio, bus_address, session  # noqa: F401 (fixtures)
from tests.test_wayland_client import Clock, Compositor, _env, settle


class Locker(ServiceInterface):
    def __init__(self, interface: str, active: bool = False) -> None:
        super().__init__(interface)
        self.active = active

    @dbus_method()
    def GetActive(self) -> DBusBool:
        return self.active

    @dbus_signal()
    def ActiveChanged(self, active: DBusBool) -> DBusBool:
        return active

    def lock(self, active: bool) -> None:
        self.active = active
        self.ActiveChanged(active)


async def serve_locker(address: str, name: str, path: str, active: bool = False
                       ) -> tuple[MessageBus, Locker]:
    bus = await MessageBus(bus_address=address).connect()
    locker = Locker(name, active)
    bus.export(path, locker)
    await bus.request_name(name)
    return bus, locker


@pytest.mark.parametrize(("name", "path"), [
    ("org.freedesktop.ScreenSaver", "/org/freedesktop/ScreenSaver"),  # KDE
    ("org.gnome.ScreenSaver", "/org/gnome/ScreenSaver")])  # GNOME Shell
@aio
async def test_locking_and_unlocking_are_heard_at_once(session: str, name: str,  # noqa: F811
                                                       path: str) -> None:
    heard: list[bool] = []
    bus, locker = await serve_locker(session, name, path)
    watch = LockWatch(lambda: heard.append(watch.locked), session)
    assert await watch.start() is True and watch.locked is False
    locker.lock(True)
    await asyncio.sleep(0.2)
    assert heard == [True]
    locker.lock(False)
    await asyncio.sleep(0.2)
    assert heard == [True, False]
    watch.close()
    bus.disconnect()


@aio
async def test_locked_at_start_and_a_spoofed_signal_is_ignored(session: str) -> None:  # noqa: F811
    bus, _ = await serve_locker(session, "org.freedesktop.ScreenSaver",
                                "/org/freedesktop/ScreenSaver", active=True)
    watch = LockWatch(lambda: None, session)
    await watch.start()
    assert watch.locked is True
    impostor = await MessageBus(bus_address=session).connect()
    fake = Locker("org.freedesktop.ScreenSaver")
    impostor.export("/org/freedesktop/ScreenSaver", fake)
    fake.lock(False)  # from a program that does not own the locker's name
    from dbus_fast import Message, MessageType

    await impostor.send(Message(  # and sent to deskbreak alone, past any match rule
        message_type=MessageType.SIGNAL, destination=watch._bus.unique_name,
        path="/org/freedesktop/ScreenSaver", interface="org.freedesktop.ScreenSaver",
        member="ActiveChanged", signature="b", body=[False]))
    await asyncio.sleep(0.2)
    assert watch.locked is True
    watch.close()
    impostor.disconnect()
    bus.disconnect()


@aio
async def test_no_bus_means_never_locked() -> None:
    watch = LockWatch(lambda: None, "unix:path=/nonexistent/bus")
    assert await watch.start() is False and watch.locked is False


@aio
async def test_a_locked_screen_is_away_at_once_on_wayland(session: str,  # noqa: F811
                                                          tmp_path: Path) -> None:
    heard: list[str] = []
    bus, locker = await serve_locker(session, "org.freedesktop.ScreenSaver",
                                     "/org/freedesktop/ScreenSaver")
    async with Compositor(tmp_path / "wayland-9", (KDE,)):
        monitor = WaylandIdle(_env(tmp_path), Clock(), bus_address=session)
        monitor.on_input = lambda: heard.append("woken")
        await monitor.start()
        await asyncio.sleep(0.3)  # the lock is followed from a task of its own
        assert (await monitor.sample()).locked is False
        locker.lock(True)
        await asyncio.sleep(0.2)
        await settle()
        sample = await monitor.sample()
        assert heard == ["woken"] and sample.locked and sample.announced
        locker.lock(False)
        await asyncio.sleep(0.2)
        assert heard == ["woken", "woken"] and not (await monitor.sample()).locked
        await monitor.close()
    bus.disconnect()
