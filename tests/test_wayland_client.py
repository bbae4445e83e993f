"""Wayland idle time and fullscreen windows against a fake compositor speaking the wire
protocol: both idle protocols, the threshold following the config, windows coming,
going fullscreen and closing, and a compositor that errs, garbles or goes away (the
daemon then counts all time as active, and says so)."""

from __future__ import annotations

import asyncio
import functools
import os
import socket
import struct
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from deskbreak.dnd.base import DndUnavailable
from deskbreak.dnd.fullscreen_wayland import ACTIVATED, FULLSCREEN, MANAGER, FullscreenWayland
from deskbreak.idle.base import IdleUnavailable
from deskbreak.idle.wayland import EXT, KDE, WaylandIdle
from deskbreak.wayland import Connection, WaylandError, read_string, socket_path


def _string(text: str) -> bytes:
    data = text.encode() + b"\0"
    return struct.pack("=I", len(data)) + data + b"\0" * (-len(data) % 4)


class Compositor:
    """A compositor's side of the wire: offers ``globals``, records what clients ask,
    and sends the idle events a test asks for."""

    def __init__(self, path: Path, offers: tuple[str, ...]) -> None:
        self.path = path
        self.offers = ("wl_seat", *offers)
        self.bound: dict[int, str] = {}  # client object id -> interface
        self.watches: dict[int, tuple[str, int]] = {}  # id -> (protocol, timeout ms)
        self.destroyed: list[int] = []
        self.window_states: dict[int, tuple[int, ...]] = {}  # what a taskbar is told
        self.versions: dict[str, int] = {}  # interface -> version offered (default 1)
        self.asked_with: list[int] = []  # ext_idle_notifier_v1 request opcodes
        self.writer: asyncio.StreamWriter | None = None
        self.server: asyncio.AbstractServer | None = None
        self.registry = 0

    async def __aenter__(self) -> Compositor:
        self.server = await asyncio.start_unix_server(self._client, str(self.path))
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.hang_up()
        assert self.server is not None
        self.server.close()

    def send(self, obj: int, opcode: int, payload: bytes = b"") -> None:
        assert self.writer is not None
        self.writer.write(struct.pack("=II", obj, ((8 + len(payload)) << 16) | opcode)
                          + payload)

    def hang_up(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.writer = None

    def idle(self, watch: int) -> None:
        self.send(watch, 0)

    def resumed(self, watch: int) -> None:
        self.send(watch, 1)

    async def _client(self, reader: asyncio.StreamReader,
                      writer: asyncio.StreamWriter) -> None:
        self.writer = writer
        while True:
            try:
                header = await reader.readexactly(8)
            except (asyncio.IncompleteReadError, ConnectionError, asyncio.CancelledError):
                return
            obj, word = struct.unpack("=II", header)
            body = await reader.readexactly((word >> 16) - 8)
            self._request(obj, word & 0xFFFF, body)

    def _request(self, obj: int, opcode: int, body: bytes) -> None:
        if obj == 1 and opcode == 1:  # get_registry
            (self.registry,) = struct.unpack("=I", body)
            for name, interface in enumerate(self.offers, start=1):
                self.send(self.registry, 0, struct.pack("=I", name) + _string(interface)
                          + struct.pack("=I", self.versions.get(interface, 1)))
        elif obj == 1 and opcode == 0:  # sync
            (callback,) = struct.unpack("=I", body)
            self.send(callback, 0, struct.pack("=I", 0))
            self.send(1, 1, struct.pack("=I", callback))  # delete_id
        elif obj == self.registry and opcode == 0:  # bind
            interface, offset = read_string(body, 4)
            _, ident = struct.unpack_from("=II", body, offset)
            self.bound[ident] = interface
            if interface == MANAGER:  # a new taskbar: every window and its state, at once
                for handle, states in self.window_states.items():
                    self.send(ident, 0, struct.pack("=I", handle))
                    array = b"".join(struct.pack("=I", v) for v in states)
                    self.send(handle, 4, struct.pack("=I", len(array)) + array)
                    self.send(handle, 5)  # done
        elif self.bound.get(obj) == EXT and opcode in (1, 2):
            ident, timeout, _seat = struct.unpack("=III", body)
            self.watches[ident] = (EXT, timeout)
            self.asked_with.append(opcode)
        elif self.bound.get(obj) == KDE and opcode == 0:
            ident, _seat, timeout = struct.unpack("=III", body)
            self.watches[ident] = (KDE, timeout)
        elif obj in self.watches and opcode == 0:
            self.destroyed.append(obj)  # an idle watch's destroy

class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def run(test: Callable[..., Awaitable[None]]) -> Callable[..., None]:
    @functools.wraps(test)
    def wrapper(*args: Any, **kwargs: Any) -> None:
        asyncio.run(test(*args, **kwargs))  # type: ignore[arg-type]
    return wrapper


async def settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0.01)


NO_BUS = "unix:path=/nonexistent/deskbreak-test-bus"  # no screen locker to follow


def _env(tmp_path: Path) -> dict[str, str]:
    return {"XDG_RUNTIME_DIR": str(tmp_path), "WAYLAND_DISPLAY": "wayland-9"}


@pytest.mark.parametrize("offers", [(EXT,), (KDE,), (KDE, EXT)])
@run
async def test_told_at_the_threshold_and_at_the_return(tmp_path: Path,
                                                       offers: tuple[str, ...]) -> None:
    clock = Clock()
    heard: list[float] = []
    async with Compositor(tmp_path / "wayland-9", offers) as compositor:
        monitor = WaylandIdle(_env(tmp_path), clock, bus_address=NO_BUS)
        monitor.away_after = 300.0
        monitor.on_input = lambda: heard.append(clock.now)
        await monitor.start()
        protocol = EXT if EXT in offers else KDE  # the standard one when both are there
        assert monitor.protocol == protocol
        assert monitor.name == ("wayland (ext-idle-notify-v1)" if protocol == EXT
                                else "wayland (org_kde_kwin_idle)")
        ((watch, (used, timeout)),) = compositor.watches.items()
        assert (used, timeout) == (protocol, 300_000)
        sample = await monitor.sample()
        assert (sample.idle, sample.announced) == (0.0, False)  # present
        clock.now = 1400.0
        compositor.idle(watch)
        await settle()
        assert heard == [1400.0]  # the daemon is woken, not left to ask
        clock.now = 1460.0
        sample = await monitor.sample()
        assert sample.idle == pytest.approx(360.0) and sample.announced
        compositor.resumed(watch)
        await settle()
        assert heard == [1400.0, 1460.0]
        sample = await monitor.sample()
        assert (sample.idle, sample.announced) == (0.0, False)
        await monitor.close()


@run
async def test_a_new_threshold_replaces_the_watch(tmp_path: Path) -> None:
    async with Compositor(tmp_path / "wayland-9", (EXT,)) as compositor:
        monitor = WaylandIdle(_env(tmp_path), Clock(), bus_address=NO_BUS)
        await monitor.start()  # before the daemon says its threshold: the default
        (first,) = compositor.watches
        assert compositor.watches[first] == (EXT, 300_000)
        monitor.away_after = 120.0
        await monitor.sample()
        await settle()
        assert compositor.destroyed == [first]
        assert [timeout for _, timeout in compositor.watches.values()] == [300_000, 120_000]
        compositor.idle(first)  # in flight for the old watch: ignored
        await settle()
        assert (await monitor.sample()).idle == 0.0
        await monitor.close()


@run
async def test_a_compositor_without_idle_protocols_is_unavailable(tmp_path: Path) -> None:
    async with Compositor(tmp_path / "wayland-9", ()):
        monitor = WaylandIdle(_env(tmp_path), Clock(), bus_address=NO_BUS)
        with pytest.raises(IdleUnavailable, match="neither ext-idle-notify-v1 nor"):
            await monitor.start()


@run
async def test_no_compositor_is_unavailable_in_one_line(tmp_path: Path) -> None:
    monitor = WaylandIdle(_env(tmp_path), Clock(), bus_address=NO_BUS)
    with pytest.raises(IdleUnavailable, match=r"cannot connect to .*wayland-9"):
        await monitor.start()
    with pytest.raises(IdleUnavailable, match="XDG_RUNTIME_DIR"):
        await WaylandIdle({"WAYLAND_DISPLAY": "wayland-0"}).start()


@pytest.mark.parametrize("trouble", ["hang up", "protocol error", "garbage"])
@run
async def test_a_compositor_that_goes_away_or_errs_stops_the_source(
        tmp_path: Path, trouble: str) -> None:
    heard: list[str] = []
    async with Compositor(tmp_path / "wayland-9", (KDE,)) as compositor:
        monitor = WaylandIdle(_env(tmp_path), Clock(), bus_address=NO_BUS)
        monitor.on_input = lambda: heard.append("woken")
        await monitor.start()
        if trouble == "hang up":
            compositor.hang_up()
        elif trouble == "protocol error":
            compositor.send(1, 0, struct.pack("=II", 5, 3) + _string("invalid seat"))
        else:
            assert compositor.writer is not None
            compositor.writer.write(struct.pack("=II", 7, (4 << 16)))  # a size below 8
        await settle()
        assert heard == ["woken"]  # the daemon reads it at once and learns it is gone
        with pytest.raises(IdleUnavailable) as caught:
            await monitor.sample()
        assert {"hang up": "closed the connection", "protocol error": "invalid seat",
                "garbage": "malformed"}[trouble] in str(caught.value)
        await monitor.close()


def test_the_socket_is_found_as_libwayland_finds_it(tmp_path: Path) -> None:
    assert socket_path({"XDG_RUNTIME_DIR": "/run/user/5"}) == Path("/run/user/5/wayland-0")
    assert socket_path({"XDG_RUNTIME_DIR": "/r", "WAYLAND_DISPLAY": "w-1"}) == Path("/r/w-1")
    assert socket_path({"WAYLAND_DISPLAY": "/abs/sock"}) == Path("/abs/sock")
    with pytest.raises(WaylandError):
        socket_path({})


@run
async def test_the_connection_is_read_by_the_loop_with_no_thread(tmp_path: Path) -> None:
    import threading

    async with Compositor(tmp_path / "wayland-9", (EXT,)):
        before = threading.active_count()
        wl = await Connection.open(_env(tmp_path))
        assert set(wl.globals) == {"wl_seat", EXT}
        assert threading.active_count() == before
        wl.close()
        with pytest.raises(WaylandError):
            wl.request(1, 0, b"")


def test_a_stranger_s_socket_is_not_a_compositor(tmp_path: Path) -> None:
    """Something listening that never answers: no hang, one line."""
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(str(tmp_path / "wayland-9"))
    server.listen()
    try:
        async def start() -> None:
            await WaylandIdle(_env(tmp_path), Clock(), bus_address=NO_BUS).start()
        with pytest.raises(IdleUnavailable, match="did not answer"):
            asyncio.run(start())
    finally:
        server.close()
        os.unlink(tmp_path / "wayland-9")


@run
async def test_a_focused_fullscreen_window_holds_breaks_as_the_compositor_says(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in _env(tmp_path).items():
        monkeypatch.setenv(key, value)
    async with Compositor(tmp_path / "wayland-9", (MANAGER,)) as compositor:
        source = FullscreenWayland()
        await source.start()
        film, editor = 0xFF000000, 0xFF000001
        compositor.window_states = {film: (FULLSCREEN,), editor: (ACTIVATED,)}
        assert await source.reason() is None  # fullscreen, but in the background
        compositor.window_states = {film: (ACTIVATED, FULLSCREEN), editor: ()}
        assert await source.reason() == "fullscreen window"  # the film in front
        compositor.window_states = {editor: (ACTIVATED,)}  # the film closed
        assert await source.reason() is None
        compositor.offers = ("wl_seat",)  # the compositor withdrew it
        with pytest.raises(DndUnavailable, match="no longer says"):
            await source.reason()


@run
async def test_compositors_that_keep_their_windows_to_themselves_are_no_source(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    with pytest.raises(DndUnavailable, match="not a Wayland session"):
        await FullscreenWayland().start()
    for key, value in _env(tmp_path).items():
        monkeypatch.setenv(key, value)
    async with Compositor(tmp_path / "wayland-9", (KDE,)):  # GNOME, KDE: no wlr protocol
        with pytest.raises(DndUnavailable, match="no wlr foreign-toplevel"):
            await FullscreenWayland().start()


@run
async def test_idle_inhibitors_do_not_hide_the_user_leaving(tmp_path: Path) -> None:
    """ext-idle-notify v2's input-only notification (a video playing keeps the screen
    on, but the user has still gone); v1 compositors get the one they have."""
    for version, opcode in ((2, 2), (1, 1)):
        async with Compositor(tmp_path / "wayland-9", (EXT,)) as compositor:
            compositor.versions[EXT] = version
            monitor = WaylandIdle(_env(tmp_path), Clock(), bus_address=NO_BUS)
            await monitor.start()
            assert compositor.asked_with == [opcode]
            await monitor.close()
        (tmp_path / "wayland-9").unlink()


@run
async def test_a_new_threshold_while_away_keeps_the_user_away(tmp_path: Path) -> None:
    clock = Clock()
    async with Compositor(tmp_path / "wayland-9", (KDE,)) as compositor:
        monitor = WaylandIdle(_env(tmp_path), clock, bus_address=NO_BUS)
        monitor.away_after = 300.0
        await monitor.start()
        (first,) = compositor.watches
        clock.now = 1300.0
        compositor.idle(first)  # left at 1000
        await settle()
        monitor.away_after = 600.0  # the config changed meanwhile
        clock.now = 1310.0
        sample = await monitor.sample()
        assert sample.idle == pytest.approx(310.0)  # still away, since 1000
        await settle()
        (second,) = (w for w in compositor.watches if w != first)
        assert first not in compositor.destroyed  # the old ask stays until the new speaks
        clock.now = 1600.0
        compositor.idle(second)  # the new ask's count started at 1310
        await settle()
        assert (await monitor.sample()).idle == pytest.approx(600.0)  # since 1000, exact
        assert compositor.destroyed == [first]
        compositor.resumed(second)
        await settle()
        assert (await monitor.sample()).idle == 0.0
        await monitor.close()


@run
async def test_back_before_the_new_ask_speaks_is_a_return(tmp_path: Path) -> None:
    async with Compositor(tmp_path / "wayland-9", (KDE,)) as compositor:
        monitor = WaylandIdle(_env(tmp_path), Clock(), bus_address=NO_BUS)
        monitor.away_after = 300.0
        await monitor.start()
        (first,) = compositor.watches
        compositor.idle(first)
        await settle()
        monitor.away_after = 600.0
        assert (await monitor.sample()).announced
        compositor.resumed(first)  # the old ask hears the return
        await settle()
        assert (await monitor.sample()).idle == 0.0
        await monitor.close()


@run
async def test_events_split_across_reads_or_many_in_one_are_all_handled(
        tmp_path: Path) -> None:
    heard: list[int] = []
    async with Compositor(tmp_path / "wayland-9", (KDE,)) as compositor:
        monitor = WaylandIdle(_env(tmp_path), Clock(), bus_address=NO_BUS)
        monitor.on_input = lambda: heard.append(1)
        await monitor.start()
        (watch,) = compositor.watches
        assert compositor.writer is not None
        burst = b"".join(struct.pack("=II", watch, (8 << 16) | op) for op in (0, 1) * 50)
        for index in range(0, len(burst), 3):  # three bytes at a time
            compositor.writer.write(burst[index:index + 3])
            await compositor.writer.drain()
        await asyncio.sleep(0.3)
        assert len(heard) == 100
        assert (await monitor.sample()).idle == 0.0  # the last word was "resumed"
        await monitor.close()
