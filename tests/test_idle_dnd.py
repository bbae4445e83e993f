"""Idle-time backends, do-not-disturb sources and their choosers.

Unit tests drive the choosers and ``DndMonitor`` with fake backends. The rest run the
real backends against real programs in a headless desktop (tests/e2e/desktop.py): Xvfb,
a private dbus-daemon, openbox, xterm, dunst, gsettings. A missing program fails the
test instead of skipping it. GNOME Shell cannot run here, so the GNOME idle and the
inhibit sources talk to small stand-in services on the same private bus.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import subprocess
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar

import pytest
import Xlib.display
import Xlib.X
import Xlib.Xatom
from dbus_fast.aio import MessageBus
from dbus_fast.annotations import DBusBool, DBusUInt32, DBusUInt64
from dbus_fast.service import ServiceInterface, dbus_method

import deskbreak.dnd as dnd
import deskbreak.idle as idle
from deskbreak.core.model import IdleSample
from deskbreak.dnd.base import DndSource, DndUnavailable
from deskbreak.dnd.fullscreen_x11 import FullscreenX11
from deskbreak.dnd.gnome import GnomeBanners
from deskbreak.dnd.inhibit import IdleInhibited
from deskbreak.dnd.server_flag import DunstPaused
from deskbreak.dnd.windows import reason_for_state
from deskbreak.idle.base import IdleMonitor, IdleUnavailable
from deskbreak.idle.gnome import GnomeIdle
from deskbreak.idle.windows import idle_ms
from deskbreak.idle.x11 import X11Idle
from tests.e2e.desktop import Desktop, DesktopUnavailable

T = TypeVar("T")


def aio(fn: Callable[..., Awaitable[None]]) -> Callable[..., None]:
    """Run an async test on a fresh loop (no pytest-asyncio needed), with a time limit."""

    @functools.wraps(fn)
    def run(*args: Any, **kwargs: Any) -> None:
        asyncio.run(asyncio.wait_for(fn(*args, **kwargs), timeout=10))

    return run


async def eventually(probe: Callable[[], Awaitable[T]], wanted: Callable[[T], bool]) -> T:
    """Poll ``probe`` until its value is wanted (the window manager acts asynchronously)."""
    deadline = time.monotonic() + 5
    while True:
        value = await probe()
        if wanted(value) or time.monotonic() > deadline:
            return value
        await asyncio.sleep(0.05)


# --------------------------------------------------------------------------------------
# Choosing an idle backend (fakes, no display)
# --------------------------------------------------------------------------------------


class FakeIdle(IdleMonitor):
    def __init__(self, name: str, error: Exception | None = None) -> None:
        self.name = name
        self.error = error
        self.closed = False

    async def start(self) -> None:
        if self.error is not None:
            raise self.error

    async def sample(self) -> IdleSample:
        return IdleSample(idle=0.0)

    async def close(self) -> None:
        self.closed = True


@pytest.fixture
def fake_idle(monkeypatch: pytest.MonkeyPatch) -> Callable[..., list[FakeIdle]]:
    """Make choose_idle build FakeIdle backends; ``broken`` names fail to start."""

    def setup(platform: str, *broken: str, **env: str) -> list[FakeIdle]:
        monkeypatch.setattr(idle.sys, "platform", platform)
        for var in ("XDG_SESSION_TYPE", "WAYLAND_DISPLAY"):
            monkeypatch.delenv(var, raising=False)
        for var, value in env.items():
            monkeypatch.setenv(var, value)
        built: list[FakeIdle] = []

        def load(name: str, bus_hint: str | None) -> IdleMonitor:
            built.append(FakeIdle(name, IdleUnavailable(f"no {name}") if name in broken else None))
            return built[-1]

        monkeypatch.setattr(idle, "_load", load)
        return built

    return setup


@aio
async def test_x11_session_tries_x11_then_gnome(fake_idle: Callable[..., list[FakeIdle]]) -> None:
    built = fake_idle("linux", "x11")
    monitor, notes = await idle.choose_idle()
    assert monitor is not None and monitor.name == "gnome"
    assert [b.name for b in built] == ["x11", "gnome"]
    assert built[0].closed and notes == ["x11: no x11"]


@pytest.mark.parametrize("env", [{"XDG_SESSION_TYPE": "wayland"}, {"WAYLAND_DISPLAY": "wl-0"}])
@aio
async def test_wayland_asks_the_compositor_then_gnome_and_warns_about_xwayland(
    fake_idle: Callable[..., list[FakeIdle]], env: dict[str, str]
) -> None:
    built = fake_idle("linux", "wayland", "gnome", "screensaver", **env)
    tried: list[str] = []
    monitor, notes = await idle.choose_idle(tried=tried)
    assert monitor is not None and monitor.name == "x11"
    assert [b.name for b in built] == ["wayland", "gnome", "screensaver", "x11"]
    assert notes == ["wayland: no wayland", "gnome: no gnome", "screensaver: no screensaver",
                     idle.XWAYLAND_NOTE]
    assert tried == ["wayland: no wayland", "gnome: no gnome", "screensaver: no screensaver",
                     "x11: in use"]


@aio
async def test_first_working_backend_wins(fake_idle: Callable[..., list[FakeIdle]]) -> None:
    built = fake_idle("linux")
    monitor, notes = await idle.choose_idle()
    assert monitor is built[0] and len(built) == 1 and notes == []


@pytest.mark.parametrize(("platform", "name"), [("win32", "windows"), ("darwin", "macos")])
@aio
async def test_windows_and_macos_have_one_backend(
    fake_idle: Callable[..., list[FakeIdle]], platform: str, name: str
) -> None:
    fake_idle(platform)
    monitor, _ = await idle.choose_idle()
    assert monitor is not None and monitor.name == name


@aio
async def test_no_idle_source_says_all_time_counts_as_active(
    fake_idle: Callable[..., list[FakeIdle]],
) -> None:
    fake_idle("linux", "x11", "gnome")
    monitor, notes = await idle.choose_idle()
    assert monitor is None
    assert notes == ["x11: no x11", "gnome: no gnome", idle.NO_SOURCE_NOTE]
    assert "count all time as active" in notes[-1]


@aio
async def test_a_crashing_backend_is_skipped_not_fatal(
    fake_idle: Callable[..., list[FakeIdle]], monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_idle("linux")
    monkeypatch.setattr(idle, "_load", lambda name, hint: FakeIdle(name, KeyError("HOME")))
    monitor, notes = await idle.choose_idle()
    assert monitor is None and notes[0] == "x11: KeyError: 'HOME'"


def test_tick_count_difference_survives_wraparound() -> None:
    assert idle_ms(10_000, 4_000) == 6_000
    assert idle_ms(5, 0xFFFF_FFF0) == 21  # input 16 ms before the wrap, now 5 ms after
    assert idle_ms(0, 0xFFFF_FFFF) == 1
    assert idle_ms(1234, 1234) == 0


def test_windows_notification_states() -> None:
    assert reason_for_state(2) == reason_for_state(7) == "fullscreen app"
    assert reason_for_state(3) == "fullscreen Direct3D app"
    assert reason_for_state(4) == "presentation mode"
    assert reason_for_state(6) == "quiet time"
    assert reason_for_state(1) is None and reason_for_state(5) is None


# --------------------------------------------------------------------------------------
# DndMonitor and choose_dnd (fakes)
# --------------------------------------------------------------------------------------


class FakeSource(DndSource):
    def __init__(self, name: str, answer: str | None = None, *, fail: bool = False,
                 hang: bool = False, unavailable: bool = False) -> None:
        self.name = name
        self.answer, self.fail, self.hang, self.unavailable = answer, fail, hang, unavailable
        self.asked = 0
        self.closed = False

    async def start(self) -> None:
        if self.unavailable:
            raise DndUnavailable(f"no {self.name} here")

    async def reason(self) -> str | None:
        self.asked += 1
        if self.hang:
            await asyncio.sleep(3600)
        if self.fail:
            raise ConnectionResetError("bus went away")
        return self.answer

    async def close(self) -> None:
        self.closed = True


@aio
async def test_reasons_are_aggregated_in_source_order_without_duplicates() -> None:
    monitor = dnd.DndMonitor([
        FakeSource("a", "fullscreen window"), FakeSource("b"),
        FakeSource("c", "notifications paused"), FakeSource("d", "fullscreen window"),
    ])
    assert await monitor.reasons() == ("fullscreen window", "notifications paused")
    assert monitor.names == ("a", "b", "c", "d")
    assert await dnd.DndMonitor([]).reasons() == ()


@aio
async def test_a_failing_source_is_dropped_and_logged_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    broken = FakeSource("broken", fail=True)
    monitor = dnd.DndMonitor([broken, FakeSource("ok", "paused")])
    with caplog.at_level(logging.WARNING, logger="deskbreak.dnd"):
        assert await monitor.reasons() == ("paused",)
        assert await monitor.reasons() == ("paused",)
    assert monitor.names == ("ok",)
    assert broken.asked == 1 and broken.closed
    assert [r.getMessage() for r in caplog.records] == [
        "do-not-disturb source broken failed and is dropped: bus went away"
    ]


@aio
async def test_a_hanging_source_times_out_and_the_others_still_answer(
    caplog: pytest.LogCaptureFixture,
) -> None:
    slow = FakeSource("slow", "never said", hang=True)
    monitor = dnd.DndMonitor([slow, FakeSource("ok", "fullscreen window")], timeout=0.2)
    began = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="deskbreak.dnd"):
        assert await monitor.reasons() == ("fullscreen window",)
        assert await monitor.reasons() == ("fullscreen window",)
    assert time.monotonic() - began < 1.0  # concurrent: one timeout per call, not more
    assert monitor.names == ("slow", "ok")  # slow once is not broken
    assert slow.asked == 2 and len(caplog.records) == 1


@aio
async def test_choose_dnd_keeps_what_starts_and_notes_the_rest(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(dnd.sys, "platform", "linux")
    tried: list[str] = []

    def load(spec: str) -> DndSource:
        name = spec.rpartition(":")[2]
        tried.append(spec.partition(":")[0])
        return FakeSource(name, unavailable=name in {"DunstPaused", "IdleInhibited"})

    monkeypatch.setattr(dnd, "_load", load)
    monitor, notes = await dnd.choose_dnd()
    assert monitor.names == ("FullscreenWayland", "FullscreenX11", "NotificationsInhibited",
                             "GnomeBanners")
    assert notes == ["DunstPaused: no DunstPaused here", "IdleInhibited: no IdleInhibited here"]
    assert not any("windows" in module for module in tried)


@aio
async def test_macos_has_no_dnd_source_and_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dnd.sys, "platform", "darwin")
    monitor, notes = await dnd.choose_dnd()
    assert monitor.names == () and notes == [dnd.MACOS_NOTE]
    assert await monitor.reasons() == ()


# --------------------------------------------------------------------------------------
# Real programs: Xvfb, dbus-daemon, openbox, xterm, dunst, gsettings
# --------------------------------------------------------------------------------------


def _start(tmp: Path, **flags: Any) -> Desktop:
    try:
        return Desktop(tmp, sni=False, **flags).start()
    except DesktopUnavailable as exc:
        pytest.fail(f"DesktopUnavailable: {exc}", pytrace=False)


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Desktop]:
    """Xvfb + private bus + openbox + dunst, shared by this module's tests."""
    desktop = _start(tmp_path_factory.mktemp("desk"), wm=True, notifications=True)
    yield desktop
    desktop.stop()


@pytest.fixture(scope="module")
def bare(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Desktop]:
    """Xvfb + private bus only: no window manager, no notification server."""
    desktop = _start(tmp_path_factory.mktemp("bare"), wm=False, notifications=False)
    yield desktop
    desktop.stop()


def enter(desktop: Desktop, monkeypatch: pytest.MonkeyPatch) -> Desktop:
    """Point this process's DISPLAY and session bus at ``desktop``."""
    monkeypatch.setenv("DISPLAY", desktop.display)
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", desktop.bus_address)
    return desktop


@aio
async def test_x11_idle_grows_resets_on_mouse_move_and_sees_the_screen_saver(
    desk: Desktop, monkeypatch: pytest.MonkeyPatch
) -> None:
    enter(desk, monkeypatch)
    monitor = X11Idle()
    await monitor.start()
    try:
        desk.move_mouse(10, 10)
        first = await monitor.sample()
        await asyncio.sleep(0.5)
        second = await monitor.sample()
        assert second.idle >= first.idle + 0.4 and not second.locked
        desk.move_mouse(200, 150)  # a new position is input; the same one would not be
        assert (await monitor.sample()).idle < 0.3

        x = Xlib.display.Display(desk.display)
        try:
            x.force_screen_saver(Xlib.X.ScreenSaverActive)
            x.sync()
            assert (await monitor.sample()).locked
            x.force_screen_saver(Xlib.X.ScreenSaverReset)
            x.sync()
            assert not (await monitor.sample()).locked
        finally:
            x.close()
    finally:
        await monitor.close()


@aio
async def test_x11_idle_hears_the_return_only_while_away(
    desk: Desktop, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past the threshold the source listens for input, once: the daemon sleeps through
    an absence and wakes at the first key, click or mouse movement. While the user works
    it does not listen, so typing never wakes the daemon."""
    enter(desk, monkeypatch)
    heard: list[float] = []
    monitor = X11Idle()
    monitor.on_input = lambda: heard.append(time.monotonic())
    monitor.away_after = 0.5
    await monitor.start()
    try:
        assert monitor.announces
        desk.move_mouse(10, 10)
        working = await monitor.sample()
        assert working.idle < 0.5 and not working.announced
        desk.run(["xdotool", "key", "shift"])
        await asyncio.sleep(0.3)
        assert heard == []  # not listening while present
        await asyncio.sleep(0.5)
        away = await monitor.sample()
        assert away.idle >= 0.5 and away.announced
        for move in (["key", "shift"], ["click", "1"], ["mousemove_relative", "3", "3"]):
            heard.clear()
            sent = time.monotonic()
            desk.run(["xdotool", *move])
            for _ in range(50):
                await asyncio.sleep(0.02)
                if heard:
                    break
            assert len(heard) == 1 and heard[0] - sent < 1.0, move
            desk.run(["xdotool", *move])
            await asyncio.sleep(0.2)
            assert len(heard) == 1  # once: it stopped listening at the first input
            await asyncio.sleep(0.6)
            assert (await monitor.sample()).announced  # away again, listening again
    finally:
        await monitor.close()


@aio
async def test_choose_idle_picks_x11_on_a_real_display(
    desk: Desktop, monkeypatch: pytest.MonkeyPatch
) -> None:
    enter(desk, monkeypatch)
    monkeypatch.setattr(idle.sys, "platform", "linux")
    monitor, notes = await idle.choose_idle()
    assert monitor is not None and monitor.name == "x11" and notes == []
    await monitor.close()


@aio
async def test_no_display_and_no_bus_means_no_idle_source(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(idle.sys, "platform", "linux")
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", f"unix:path={tmp_path / 'none'}")
    monitor, notes = await idle.choose_idle()
    assert monitor is None
    assert notes[0] == "x11: DISPLAY is not set"
    assert notes[1].startswith("gnome: no D-Bus session bus")
    assert notes[2] == idle.NO_SOURCE_NOTE


@aio
async def test_fullscreen_xterm_holds_breaks_until_it_closes(
    desk: Desktop, monkeypatch: pytest.MonkeyPatch
) -> None:
    enter(desk, monkeypatch)
    source = FullscreenX11()
    await source.start()
    xterm = desk.spawn("xterm", ["xterm", "-class", "DeskbreakTest"])
    try:
        found = desk.run(["xdotool", "search", "--sync", "--class", "DeskbreakTest"], timeout=5)
        window = found.stdout.split()[0]
        desk.run(["xdotool", "windowactivate", "--sync", window], timeout=5)
        assert await source.reason() is None  # active, not yet fullscreen
        desk.run(["wmctrl", "-i", "-r", window, "-b", "add,fullscreen"], timeout=5)
        assert await eventually(source.reason, bool) == "fullscreen window"
        active = desk.run(["xdotool", "getactivewindow"], timeout=5).stdout.strip()
        assert active == window
    finally:
        xterm.terminate()
        xterm.wait(timeout=5)
    try:
        assert await eventually(source.reason, lambda r: r is None) is None
    finally:
        await source.close()


@aio
async def test_fullscreen_without_window_manager_or_with_a_stale_window(
    bare: Desktop, monkeypatch: pytest.MonkeyPatch
) -> None:
    enter(bare, monkeypatch)
    source = FullscreenX11()
    await source.start()
    x = Xlib.display.Display(bare.display)
    try:
        assert await source.reason() is None  # no _NET_ACTIVE_WINDOW at all
        active = x.intern_atom("_NET_ACTIVE_WINDOW")
        root = x.screen().root
        root.change_property(active, Xlib.Xatom.WINDOW, 32, [0x3FF_FFFF])  # no such window
        x.sync()
        assert await source.reason() is None  # BadWindow, handled
        root.change_property(active, Xlib.Xatom.WINDOW, 32, [0])
        x.sync()
        assert await source.reason() is None
    finally:
        root.delete_property(active)
        x.close()
        await source.close()


@aio
async def test_dunst_paused_follows_dunstctl(
    desk: Desktop, monkeypatch: pytest.MonkeyPatch
) -> None:
    enter(desk, monkeypatch)
    source = DunstPaused()
    await source.start()
    try:
        assert await source.reason() is None
        desk.dunstctl("set-paused", "true")
        assert await source.reason() == "notifications paused"
        desk.dunstctl("set-paused", "false")
        assert await source.reason() is None
    finally:
        desk.dunstctl("set-paused", "false")
        await source.close()


@aio
async def test_dunst_source_is_unavailable_without_dunst(
    bare: Desktop, monkeypatch: pytest.MonkeyPatch
) -> None:
    enter(bare, monkeypatch)
    with pytest.raises(DndUnavailable, match="not dunst"):
        await DunstPaused().start()


@aio
async def test_gnome_banners_off_read_through_real_gsettings(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The keyfile backend stores settings under the isolated XDG_CONFIG_HOME.
    monkeypatch.setenv("GSETTINGS_BACKEND", "keyfile")
    monkeypatch.setenv("XDG_CURRENT_DESKTOP", "ubuntu:GNOME")
    source = GnomeBanners()
    await source.start()
    key = ["gsettings", "set", "org.gnome.desktop.notifications", "show-banners"]
    assert await source.reason() is None
    subprocess.run([*key, "false"], check=True, timeout=5)
    assert await source.reason() == "notification banners off"
    subprocess.run([*key, "true"], check=True, timeout=5)
    assert await source.reason() is None


@aio
async def test_gnome_banners_unavailable_without_gsettings(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setenv("XDG_CURRENT_DESKTOP", "GNOME")
    with pytest.raises(DndUnavailable, match="gsettings not found"):
        await GnomeBanners().start()


@aio
@pytest.mark.parametrize("desktop", ["KDE", "XFCE", "X-Cinnamon", "sway", ""])
async def test_gnome_banners_only_in_a_gnome_session(
    monkeypatch: pytest.MonkeyPatch, desktop: str
) -> None:
    monkeypatch.setenv("XDG_CURRENT_DESKTOP", desktop)
    with pytest.raises(DndUnavailable, match="not a GNOME session"):
        await GnomeBanners().start()


@aio
async def test_choose_dnd_on_a_real_desktop(desk: Desktop, monkeypatch: pytest.MonkeyPatch) -> None:
    enter(desk, monkeypatch)
    monkeypatch.setattr(dnd.sys, "platform", "linux")
    monkeypatch.setenv("GSETTINGS_BACKEND", "memory")
    monkeypatch.setenv("XDG_CURRENT_DESKTOP", "GNOME")
    monitor, notes = await dnd.choose_dnd()
    try:
        assert monitor.names == ("fullscreen", "dunst", "gnome-banners")
        assert [n.partition(":")[0] for n in notes] == [
            "fullscreen-wayland", "notifications-inhibited", "inhibit"]
        assert "no Inhibited property" in notes[1]  # dunst has paused, not Inhibited
        assert await monitor.reasons() == ()
    finally:
        await monitor.close()


# --------------------------------------------------------------------------------------
# GNOME services over a real private bus (GNOME Shell itself cannot run here)
# --------------------------------------------------------------------------------------


class StandIn(ServiceInterface):
    """Mutter's IdleMonitor, gnome-shell's and KDE's ScreenSaver and the SessionManager,
    minimal."""

    def __init__(self, interface: str) -> None:
        super().__init__(interface)
        self.idle_ms = 0
        self.active = False
        self.inhibited_flags = 0

    @dbus_method()
    def GetIdletime(self) -> DBusUInt64:
        return self.idle_ms

    @dbus_method()
    def GetActive(self) -> DBusBool:
        return self.active

    @dbus_method()
    def GetSessionIdleTime(self) -> DBusUInt32:
        return self.idle_ms

    @dbus_method()
    def IsInhibited(self, flags: DBusUInt32) -> DBusBool:
        return bool(self.inhibited_flags & flags)


@asynccontextmanager
async def stand_in(address: str, name: str, path: str, interface: str) -> AsyncIterator[StandIn]:
    bus = await MessageBus(bus_address=address).connect()
    service = StandIn(interface)
    bus.export(path, service)
    await bus.request_name(name)
    try:
        yield service
    finally:
        bus.disconnect()
        await bus.wait_for_disconnect()


@aio
async def test_gnome_idle_reads_mutter_and_the_lock_state(bare: Desktop) -> None:
    with pytest.raises(IdleUnavailable, match="Mutter IdleMonitor did not answer"):
        await GnomeIdle(bare.bus_address).start()
    async with stand_in(bare.bus_address, "org.gnome.Mutter.IdleMonitor",
                        "/org/gnome/Mutter/IdleMonitor/Core",
                        "org.gnome.Mutter.IdleMonitor") as mutter:
        mutter.idle_ms = 61_500
        monitor = GnomeIdle(bare.bus_address)
        await monitor.start()
        try:
            assert await monitor.sample() == IdleSample(idle=61.5, locked=False)  # no shell
            async with stand_in(bare.bus_address, "org.gnome.ScreenSaver",
                                "/org/gnome/ScreenSaver", "org.gnome.ScreenSaver") as saver:
                saver.active = True
                assert await monitor.sample() == IdleSample(idle=61.5, locked=True)
        finally:
            await monitor.close()


@aio
async def test_kde_screensaver_idle_time_in_milliseconds_and_its_lock(bare: Desktop) -> None:
    from deskbreak.idle.screensaver import ScreenSaverIdle

    with pytest.raises(IdleUnavailable, match="did not answer GetSessionIdleTime"):
        await ScreenSaverIdle(bare.bus_address).start()
    async with stand_in(bare.bus_address, "org.freedesktop.ScreenSaver",
                        "/org/freedesktop/ScreenSaver", "org.freedesktop.ScreenSaver") as kde:
        kde.idle_ms = 125_000
        monitor = ScreenSaverIdle(bare.bus_address)
        await monitor.start()
        try:
            assert await monitor.sample() == IdleSample(idle=125.0, locked=False)
            kde.active = True
            assert await monitor.sample() == IdleSample(idle=125.0, locked=True)
        finally:
            await monitor.close()


@aio
async def test_inhibit_source_asks_the_session_manager_for_idle_inhibitors(
    bare: Desktop,
) -> None:
    with pytest.raises(DndUnavailable, match="neither"):
        await IdleInhibited(bare.bus_address).start()
    async with stand_in(bare.bus_address, "org.gnome.SessionManager",
                        "/org/gnome/SessionManager", "org.gnome.SessionManager") as manager:
        source = IdleInhibited(bare.bus_address)
        await source.start()
        try:
            manager.inhibited_flags = 4  # suspend only: not our business
            assert await source.reason() is None
            manager.inhibited_flags = 8 | 4  # idle, e.g. a video is playing
            assert await source.reason() == "desktop inhibits idle"
        finally:
            await source.close()


def test_light_x_connection_loads_only_the_extensions_deskbreak_uses(bare: Desktop) -> None:
    from Xlib import ext

    from deskbreak.xdisplay import open_display

    before = list(ext.__extensions__)
    light = open_display(bare.display)
    full = Xlib.display.Display(bare.display)
    try:
        assert sorted(light.extensions) == ["Generic Event Extension", "MIT-SCREEN-SAVER",
                                            "XInputExtension"]
        assert light.screen().root.screensaver_query_info().idle >= 0
        assert ext.__extensions__ == before  # other X clients in the process are unaffected
        assert len(full.extensions) > 5 and "RANDR" in full.extensions
    finally:
        light.close()
        full.close()


def test_status_names_the_idle_source_and_why_not_the_others() -> None:
    from deskbreak.cli import status_text

    text = status_text({"pid": 1, "state": "running", "idle_backend": "x11",
                        "idle_tried": ["wayland: no compositor", "gnome: no bus",
                                       "x11: in use"]})
    assert "Idle time:  x11; not wayland: no compositor; not gnome: no bus" in text
    assert "none: all time counts as active" in status_text(
        {"pid": 1, "idle_backend": "none", "idle_tried": []})
