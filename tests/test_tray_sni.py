"""The StatusNotifierItem + DBusMenu tray backend, against a private dbus-daemon.

A fake StatusNotifierWatcher stands in for the panel; a plain dbus-fast client reads what a host
would read (properties, GetLayout) and clicks what a host would click (Event, Activate).
"""

import asyncio
import functools
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

import pytest
from dbus_fast import Message, MessageType, PropertyAccess, Variant
from dbus_fast.aio import MessageBus
from dbus_fast.annotations import DBusBool, DBusStr
from dbus_fast.service import ServiceInterface, dbus_method, dbus_property

from deskbreak.core.model import Look
from deskbreak.tray.ring import Ring
from deskbreak.tray.sni import Icon, Menu, MenuItem, SniUnavailable

if TYPE_CHECKING:  # Pillow is imported where a test uses it: the daemon's check below
    from PIL import Image  # imports this module's helpers and must not load it

WATCHER = "org.kde.StatusNotifierWatcher"
ITEM_IFACE = "org.kde.StatusNotifierItem"
MENU_IFACE = "com.canonical.dbusmenu"


@pytest.fixture(scope="session")
def dbus_address() -> Iterator[str]:
    """A private session bus; missing dbus-daemon is a failure, never a skip."""
    exe = shutil.which("dbus-daemon")
    if exe is None:
        pytest.fail("dbus-daemon is required to test the SNI tray (Debian package: dbus)")
    proc = subprocess.Popen(
        [exe, "--session", "--nofork", "--print-address"], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None
    address = proc.stdout.readline().strip()
    assert address, "dbus-daemon printed no address"
    yield address
    proc.terminate()
    proc.wait(timeout=5)


def aio(fn: Callable[..., Awaitable[None]]) -> Callable[..., None]:
    """Run an async test on a fresh loop (no pytest-asyncio needed), with a time limit."""

    @functools.wraps(fn)
    def run(*args: Any, **kwargs: Any) -> None:
        asyncio.run(asyncio.wait_for(fn(*args, **kwargs), timeout=10))

    return run


class FakeWatcher(ServiceInterface):
    """Just enough of org.kde.StatusNotifierWatcher: records registrations."""

    def __init__(self, bus: MessageBus) -> None:
        super().__init__(WATCHER)
        self.bus = bus
        self.items: list[str] = []
        self.changed = asyncio.Event()

    async def quit(self) -> None:
        if self.bus.connected:
            self.bus.disconnect()
            await self.bus.wait_for_disconnect()

    @dbus_method()
    def RegisterStatusNotifierItem(self, service: DBusStr) -> None:
        self.items.append(service)
        self.changed.set()

    @dbus_property(access=PropertyAccess.READ)
    def IsStatusNotifierHostRegistered(self) -> DBusBool:
        return True

    async def wait_items(self, count: int) -> list[str]:
        while len(self.items) < count:
            self.changed.clear()
            await self.changed.wait()
        return self.items


@asynccontextmanager
async def fake_watcher(address: str, export_late: bool = False) -> AsyncIterator[FakeWatcher]:
    """``export_late``: own the name before serving the object, as the Haskell watcher does."""
    bus = await MessageBus(bus_address=address).connect()
    watcher = FakeWatcher(bus)
    if export_late:
        await bus.request_name(WATCHER)
        await asyncio.sleep(0.3)
    bus.export("/StatusNotifierWatcher", watcher)
    await bus.request_name(WATCHER)
    try:
        yield watcher
    finally:
        await watcher.quit()


class Client:
    """What a tray host does: reads properties, calls methods, listens to signals."""

    def __init__(self, bus: MessageBus, dest: str) -> None:
        self.bus, self.dest = bus, dest
        self.signals: asyncio.Queue[Message] = asyncio.Queue()

    @classmethod
    async def connect(cls, address: str, dest: str) -> "Client":
        client = cls(await MessageBus(bus_address=address).connect(), dest)
        client.bus.add_message_handler(client._on_message)
        await client.call_bus("AddMatch", "s", [f"type='signal',sender='{dest}'"])
        return client

    def _on_message(self, msg: Message) -> None:
        if msg.message_type == MessageType.SIGNAL and msg.path != "/org/freedesktop/DBus":
            self.signals.put_nowait(msg)

    async def call(self, path: str, iface: str, member: str, sig: str, body: list[Any]) -> Any:
        msg = Message(
            destination=self.dest, path=path, interface=iface, member=member, signature=sig,
            body=body,
        )  # fmt: skip
        reply = await self.bus.call(msg)
        assert reply.message_type == MessageType.METHOD_RETURN, (reply.error_name, reply.body)
        return reply.body

    async def call_bus(self, member: str, sig: str, body: list[Any]) -> Any:
        msg = Message(
            destination="org.freedesktop.DBus", path="/org/freedesktop/DBus",
            interface="org.freedesktop.DBus", member=member, signature=sig, body=body,
        )  # fmt: skip
        return (await self.bus.call(msg)).body

    async def has_owner(self, name: str) -> bool:
        return bool((await self.call_bus("NameHasOwner", "s", [name]))[0])

    async def prop(self, name: str) -> Any:
        props = "org.freedesktop.DBus.Properties"
        body = await self.call("/StatusNotifierItem", props, "Get", "ss", [ITEM_IFACE, name])
        return body[0].value

    async def layout(self) -> tuple[int, dict[str, Any]]:
        revision, root = await self.call("/MenuBar", MENU_IFACE, "GetLayout", "iias", [0, -1, []])
        return revision, _tree(root)

    async def signal(self, member: str) -> Message:
        while True:
            msg = await asyncio.wait_for(self.signals.get(), timeout=3)
            if msg.member == member:
                return msg


def _tree(node: list[Any]) -> dict[str, Any]:
    node_id, props, children = node
    return {
        "id": node_id,
        **{k: v.value for k, v in props.items()},
        "children": [_tree(child.value) for child in children],
    }


def red_dot(size: int = 32) -> "Image.Image":
    from PIL import Image

    image = Image.new("RGBA", (size, size), (0, 0, 255, 128))
    image.putpixel((0, 0), (255, 0, 0, 255))
    return image


def make_menu(state: dict[str, Any]) -> Menu:
    def set_mode(mode: str) -> Callable[[Icon, MenuItem], None]:
        return lambda icon, item: state.update(mode=mode)

    def is_mode(mode: str) -> Callable[[MenuItem], bool]:
        return lambda item: state["mode"] == mode

    return Menu(
        MenuItem("Take a _break", lambda: state.update(breaks=state["breaks"] + 1), default=True),
        MenuItem("Snooze", None, enabled=False),
        Menu.SEPARATOR,
        MenuItem("Short", set_mode("short"), checked=is_mode("short"), radio=True),
        MenuItem("Long", set_mode("long"), checked=is_mode("long"), radio=True),
        MenuItem("Sound", lambda: None, checked=lambda item: state["sound"]),
        MenuItem("More", Menu(MenuItem("Pause", None), MenuItem("Gone", None, visible=False))),
        MenuItem(lambda item: f"Breaks: {state['breaks']}", None),
    )


@asynccontextmanager
async def running_icon(address: str, *, wait: bool = False, icon: Any = None,
                       **kwargs: Any) -> AsyncIterator[tuple[Icon, Client]]:
    """A published icon (a Pillow image unless ``icon`` says otherwise) and a host's view."""
    bus = await MessageBus(bus_address=address).connect()
    icon = Icon("deskbreak", red_dot() if icon is None else icon,
                "deskbreak: 12 min to a break", bus=bus, **kwargs)
    await icon.start(wait=wait)
    client = await Client.connect(address, icon.bus_name)
    try:
        yield icon, client
    finally:
        await icon.stop_async()
        client.bus.disconnect()
        bus.disconnect()


@aio
async def test_start_registers_with_the_watcher(dbus_address: str) -> None:
    async with fake_watcher(dbus_address) as watcher, running_icon(dbus_address) as (icon, c):
        assert await watcher.wait_items(1) == [icon.bus_name]
        assert icon.bus_name == f"org.kde.StatusNotifierItem-{os.getpid()}-{icon.bus_name[-1]}"
        assert icon.visible
        assert await c.prop("Id") == "deskbreak"
        assert await c.prop("Title") == "deskbreak"
        assert await c.prop("Category") == "ApplicationStatus"
        assert await c.prop("Status") == "Active"
        assert await c.prop("ItemIsMenu") is True
        assert await c.prop("Menu") == "/MenuBar"
        assert (await c.prop("ToolTip"))[2] == "deskbreak: 12 min to a break"


@aio
async def test_icon_pixmap_is_argb_in_network_order(dbus_address: str) -> None:
    async with fake_watcher(dbus_address), running_icon(dbus_address) as (_icon, c):
        pixmaps = {(w, h): data for w, h, data in await c.prop("IconPixmap")}
        assert {(22, 22), (24, 24), (32, 32), (48, 48)} <= set(pixmaps)
        native = pixmaps[32, 32]
        assert len(native) == 32 * 32 * 4
        assert native[:4] == bytes([255, 255, 0, 0])  # A, R, G, B of the red pixel
        assert native[4:8] == bytes([128, 0, 0, 255])  # the half-transparent blue


@aio
async def test_a_ring_is_drawn_at_each_size_offered_as_argb_in_network_order(
        dbus_address: str) -> None:
    from deskbreak.tray.ring import ACTIVE, STEPS

    full = Ring(Look.COUNTING, STEPS)
    async with fake_watcher(dbus_address), running_icon(dbus_address, icon=full) as (icon, c):
        pixmaps = {(w, h): data for w, h, data in await c.prop("IconPixmap")}
        assert set(pixmaps) == {(s, s) for s in (22, 24, 32, 48, 64)}  # no resizing
        for (size, _), data in pixmaps.items():
            assert len(data) == size * size * 4
            rgba = full.rgba(size)
            assert data[0::4] == rgba[3::4] and data[1::4] == rgba[0::4]  # A first, then R
            assert data[2::4] == rgba[1::4] and data[3::4] == rgba[2::4]  # G, B
        at_noon = (6 * 48 + 24) * 4  # 12 o'clock, halfway across the ring's width
        assert pixmaps[48, 48][at_noon:at_noon + 4] == bytes([ACTIVE[3], *ACTIVE[:3]])
        assert pixmaps[48, 48][:4] == bytes(4)  # the corner is transparent

        icon.icon = Ring(Look.PAUSED)
        await c.signal("NewIcon")
        paused = {(w, h): data for w, h, data in await c.prop("IconPixmap")}
        assert paused[48, 48][at_noon:at_noon + 4] != pixmaps[48, 48][at_noon:at_noon + 4]


DAEMON_LIKE = """
import asyncio, sys
import deskbreak.tray, deskbreak.tray.keeper, deskbreak.tray.ring, deskbreak.tray.sni
from deskbreak.tray.keeper import TrayKeeper
from tests.test_presenter import snap
from tests.test_tray_sni import Client, fake_watcher

async def main(address):
    async with fake_watcher(address) as watcher:
        keeper = TrayKeeper(lambda command: None)
        await keeper.open(snap(), (600.0,), (3600.0,))
        assert keeper.backend == "sni", (keeper.backend, keeper.notes)
        await watcher.wait_items(1)
        host = await Client.connect(address, keeper.tray.icon.bus_name)
        counting = await host.prop("IconPixmap")
        keeper.refresh(snap(showing="cat-cow"))  # a break is due: a new look
        await host.signal("NewIcon")
        due = await host.prop("IconPixmap")
        assert [w for w, _h, _data in due] == [22, 24, 32, 48, 64] and due != counting
        await keeper.close()
        host.bus.disconnect()
    assert "PIL" not in sys.modules, sorted(m for m in sys.modules if m.startswith("PIL"))

asyncio.run(main(sys.argv[1]))
"""


def test_the_daemons_sni_tray_never_imports_pillow(dbus_address: str) -> None:
    """Pillow costs the resident daemon about 4 MiB of RSS: the SNI path draws without it."""
    env = {k: v for k, v in os.environ.items() if k != "DISPLAY"}  # no stand-in to try
    env["DBUS_SESSION_BUS_ADDRESS"] = dbus_address
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    done = subprocess.run([sys.executable, "-c", DAEMON_LIKE, dbus_address], env=env,
                          cwd=root, capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr


@aio
async def test_layout_describes_the_pystray_menu(dbus_address: str) -> None:
    state = {"mode": "short", "sound": False, "breaks": 0}
    menu = make_menu(state)
    async with fake_watcher(dbus_address), running_icon(dbus_address, menu=menu) as (_, c):
        assert await c.call("/MenuBar", "org.freedesktop.DBus.Properties", "Get", "ss",
                            [MENU_IFACE, "Version"]) == [Variant("u", 3)]  # fmt: skip
        _, root = await c.layout()
        assert root["id"] == 0 and root["children-display"] == "submenu"
        items = root["children"]
        labels = [item.get("label") for item in items]
        assert labels == [
            "Take a __break", "Snooze", None, "Short", "Long", "Sound", "More", "Breaks: 0",
        ]  # fmt: skip
        take, snooze, separator, short, long_, sound, more, _ = items
        assert "enabled" not in take and snooze["enabled"] is False
        assert separator["type"] == "separator"
        assert (short["toggle-type"], short["toggle-state"]) == ("radio", 1)
        assert (long_["toggle-type"], long_["toggle-state"]) == ("radio", 0)
        assert (sound["toggle-type"], sound["toggle-state"]) == ("checkmark", 0)
        assert more["children-display"] == "submenu"
        assert [child["label"] for child in more["children"]] == ["Pause"]
        assert len({item["id"] for item in items}) == len(items)


@aio
async def test_clicked_event_runs_the_action_and_updates_the_layout(dbus_address: str) -> None:
    state = {"mode": "short", "sound": False, "breaks": 0}
    menu = make_menu(state)
    async with fake_watcher(dbus_address), running_icon(dbus_address, menu=menu) as (_, c):
        revision, root = await c.layout()
        long_id = root["children"][4]["id"]
        await c.call("/MenuBar", MENU_IFACE, "Event", "isvu",
                     [long_id, "clicked", Variant("s", ""), 0])  # fmt: skip
        assert state["mode"] == "long"
        # Only check marks changed: their new values come in the signal, no new layout
        # (a host that gets LayoutUpdated fetches the whole menu again).
        updated, removed = (await c.signal("ItemsPropertiesUpdated")).body
        changed = {node_id: {k: v.value for k, v in props.items()} for node_id, props in updated}
        assert changed[long_id]["toggle-state"] == 1 and removed == []
        assert changed[root["children"][3]["id"]]["toggle-state"] == 0
        got_revision, root = await c.layout()
        assert got_revision == revision
        short, long_ = root["children"][3:5]
        assert (short["toggle-state"], long_["toggle-state"]) == (0, 1)
        assert long_["id"] == long_id  # ids stay put across rebuilds

        # A click on the disabled item does nothing; Activate runs the default item.
        snooze_id = root["children"][1]["id"]
        await c.call("/MenuBar", MENU_IFACE, "Event", "isvu",
                     [snooze_id, "clicked", Variant("s", ""), 0])  # fmt: skip
        await c.call("/StatusNotifierItem", ITEM_IFACE, "Activate", "ii", [0, 0])
        assert state["breaks"] == 1
        assert (await c.layout())[1]["children"][-1]["label"] == "Breaks: 1"

        # gtk-sni-tray (libdbusmenu-glib) uses the group calls instead.
        short_id = root["children"][3]["id"]
        events = [[short_id, "clicked", Variant("i", 0), 0], [999, "clicked", Variant("i", 0), 0]]
        assert await c.call("/MenuBar", MENU_IFACE, "EventGroup", "a(isvu)", [events]) == [[999]]
        assert state["mode"] == "short"
        assert await c.call("/MenuBar", MENU_IFACE, "AboutToShowGroup", "ai", [[0, 999]]) == [
            [],
            [999],
        ]


@aio
async def test_about_to_show_reevaluates_callables(dbus_address: str) -> None:
    state = {"mode": "short", "sound": False, "breaks": 0}
    menu = make_menu(state)
    async with fake_watcher(dbus_address), running_icon(dbus_address, menu=menu) as (_, c):
        assert await c.call("/MenuBar", MENU_IFACE, "AboutToShow", "i", [0]) == [False]
        state["sound"] = True
        assert await c.call("/MenuBar", MENU_IFACE, "AboutToShow", "i", [0]) == [True]
        assert (await c.layout())[1]["children"][5]["toggle-state"] == 1


@aio
async def test_new_icon_and_tooltip_signals_also_from_another_thread(dbus_address: str) -> None:
    from PIL import Image

    async with fake_watcher(dbus_address), running_icon(dbus_address) as (icon, c):
        icon.icon = Image.new("RGBA", (16, 16), (0, 255, 0, 255))
        await c.signal("NewIcon")
        pixmaps = {(w, h): data for w, h, data in await c.prop("IconPixmap")}
        assert pixmaps[16, 16][:4] == bytes([255, 0, 255, 0])

        worker = threading.Thread(target=setattr, args=(icon, "title", "break now"))
        worker.start()
        await asyncio.to_thread(worker.join)
        await c.signal("NewToolTip")
        assert (await c.prop("ToolTip"))[2] == "break now"
        assert await c.prop("Title") == "deskbreak"  # constant: no call-backs every minute


@aio
async def test_hide_releases_the_name_and_show_registers_again(dbus_address: str) -> None:
    async with fake_watcher(dbus_address) as watcher, running_icon(dbus_address) as (icon, c):
        await asyncio.to_thread(setattr, icon, "visible", False)
        while await c.has_owner(icon.bus_name):
            await asyncio.sleep(0.01)
        icon.visible = True
        assert await watcher.wait_items(2) == [icon.bus_name] * 2
        assert await c.has_owner(icon.bus_name)


@aio
async def test_reregisters_when_the_watcher_restarts(dbus_address: str) -> None:
    async with fake_watcher(dbus_address) as first, running_icon(dbus_address) as (icon, _):
        await first.wait_items(1)
        await first.quit()  # the panel goes away...
        async with fake_watcher(dbus_address, export_late=True) as second:  # ...and comes back
            assert await second.wait_items(1) == [icon.bus_name]


@aio
async def test_start_without_watcher_raises(dbus_address: str) -> None:
    bus = await MessageBus(bus_address=dbus_address).connect()
    icon = Icon("deskbreak", red_dot(), bus=bus)
    with pytest.raises(SniUnavailable, match="StatusNotifierWatcher"):
        await icon.start()
    client = await Client.connect(dbus_address, "org.freedesktop.DBus")
    assert not await client.has_owner(icon.bus_name)
    assert bus.connected  # a bus the caller lent is left open
    assert not icon.visible
    client.bus.disconnect()
    bus.disconnect()


@aio
async def test_a_waiting_icon_registers_with_a_panel_that_starts_later(dbus_address: str) -> None:
    """The login race: deskbreak first, the panel later; and the panel restarting."""
    heard: list[bool] = []
    async with running_icon(dbus_address, wait=True) as (icon, client):
        icon.on_hosted = heard.append
        assert not icon.hosted and await client.has_owner(icon.bus_name)
        assert (await client.prop("ToolTip"))[2] == "deskbreak: 12 min to a break"  # served
        async with fake_watcher(dbus_address, export_late=True) as watcher:
            assert await watcher.wait_items(1) == [icon.bus_name]
            await _until(lambda: icon.hosted)
            assert heard == [True]
        await _until(lambda: not icon.hosted)  # the panel went away
        async with fake_watcher(dbus_address) as again:
            assert await again.wait_items(1) == [icon.bus_name]
            await _until(lambda: icon.hosted)
        assert heard[:3] == [True, False, True]


@aio
async def test_a_host_that_dies_while_its_watcher_stays_is_noticed(dbus_address: str) -> None:
    """Plasma's panel (the host) can crash while kded (the watcher) lives on."""
    heard: list[bool] = []
    async with fake_watcher(dbus_address) as watcher:
        host = await MessageBus(bus_address=dbus_address).connect()
        await host.request_name("org.kde.StatusNotifierHost-4242")
        async with running_icon(dbus_address, wait=True) as (icon, _client):
            icon.on_hosted = heard.append
            await watcher.wait_items(1)
            assert icon.hosted
            host.disconnect()
            await _until(lambda: not icon.hosted)
            again = await MessageBus(bus_address=dbus_address).connect()
            await again.request_name("org.kde.StatusNotifierHost-4343")
            await _until(lambda: icon.hosted)
            assert heard == [False, True]
            again.disconnect()


async def _until(ok: Callable[[], bool]) -> None:
    while not ok():
        await asyncio.sleep(0.01)


class FakeStandIn:
    """A thread tray stand-in that records what the handover asks of it."""

    backend = "xorg"
    has_menu = False
    failed = None
    notes: list[str] = []  # noqa: RUF012 - read-only

    def __init__(self, ring: Ring) -> None:
        self.looks = [(ring.look, ring.step)]
        self.titles: list[str] = []
        self.closed = False

    def set_look(self, look: Look, step: int = 0) -> None:
        self.looks.append((look, step))

    def set_title(self, title: str) -> None:
        self.titles.append(title)

    def refresh_menu(self) -> None:
        pass

    def set_menu(self, menu: Any) -> None:
        pass

    async def close(self) -> None:
        self.closed = True


@aio
async def test_the_handover_shows_a_stand_in_only_while_no_panel_hosts_the_icon(
    dbus_address: str,
) -> None:
    from deskbreak.tray import SniTray
    from deskbreak.tray.handover import WAITING, HandoverTray

    opened: list[FakeStandIn] = []

    def stand_in(name: str, ring: Ring, title: str, menu: Any,
                 notes: list[str]) -> Any:
        assert (name, title) == ("deskbreak", icon.title)  # what the icon shows now
        notes.append("tray icon via pystray xorg has no menu")
        opened.append(FakeStandIn(ring))
        return opened[-1]

    async with running_icon(dbus_address, wait=True, icon=Ring(Look.COUNTING, 4)) as (
            icon, _client):
        tray = HandoverTray(SniTray(icon), stand_in)
        assert len(opened) == 1 and tray.backend == "xorg" and not tray.has_menu
        assert tray.notes == [WAITING, "tray icon via pystray xorg has no menu"]
        assert opened[0].looks == [(Look.COUNTING, 4)]  # what the SNI icon shows
        tray.set_title("deskbreak: 11 min to a break")
        tray.set_look(Look.COUNTING, 5)
        assert opened[0].titles == ["deskbreak: 11 min to a break"]
        assert opened[0].looks == [(Look.COUNTING, 4), (Look.COUNTING, 5)]
        assert icon.title == "deskbreak: 11 min to a break"  # the SNI icon is kept current
        assert icon.icon == Ring(Look.COUNTING, 5)
        async with fake_watcher(dbus_address) as watcher:
            await watcher.wait_items(1)
            await _until(lambda: opened[0].closed)
            assert tray.backend == "sni" and tray.has_menu and tray.notes == []
            tray.set_title("deskbreak: 10 min to a break")
            tray.set_look(Look.PAUSED)
            assert opened[0].titles == ["deskbreak: 11 min to a break"]  # gone
        await _until(lambda: len(opened) == 2)  # the panel died: the stand-in is back
        assert tray.backend == "xorg" and WAITING in tray.notes
        assert opened[1].looks == [(Look.PAUSED, 0)]  # showing the present
        await tray.close()
        assert opened[1].closed and not icon.visible


@aio
async def test_stop_async_removes_the_name(
    dbus_address: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", dbus_address)
    async with fake_watcher(dbus_address) as watcher:
        icon = Icon("deskbreak", red_dot())  # opens its own bus
        await icon.start()
        await watcher.wait_items(1)
        client = await Client.connect(dbus_address, icon.bus_name)
        assert await client.has_owner(icon.bus_name)
        await icon.stop_async()
        assert not await client.has_owner(icon.bus_name)
        assert not icon.visible
        client.bus.disconnect()


def test_run_is_not_the_way_and_import_loads_no_gui_toolkit() -> None:
    with pytest.raises(NotImplementedError, match="start"):
        Icon("deskbreak", red_dot())._run()
    code = (
        "import os, sys; import deskbreak.tray.sni;"
        "assert str(os.environ.get('PYSTRAY_BACKEND')) == sys.argv[1], os.environ;"
        "assert not {'gi', 'Xlib'} & set(sys.modules), sorted(sys.modules)"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("PYSTRAY_BACKEND", "DISPLAY")}
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    subprocess.run([sys.executable, "-c", code, "None"], check=True, env=env, cwd=root)
    env["PYSTRAY_BACKEND"] = "xorg"  # would raise without $DISPLAY if honoured at import
    subprocess.run([sys.executable, "-c", code, "xorg"], check=True, env=env, cwd=root)


@aio
async def test_pystray_run_detached_and_stop_from_another_thread(
    dbus_address: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", dbus_address)
    async with fake_watcher(dbus_address) as watcher:
        icon = Icon("deskbreak", red_dot())
        icon.run_detached()  # on the loop's thread: schedules start()
        await watcher.wait_items(1)
        client = await Client.connect(dbus_address, icon.bus_name)
        await asyncio.to_thread(icon.stop)
        while await client.has_owner(icon.bus_name):
            await asyncio.sleep(0.01)
        assert not icon.visible
        client.bus.disconnect()


def _stop_from_another_thread(icon: Icon, times: int = 1) -> None:
    """pystray's stop() called from other threads, as a tray's user would, and waited for
    (this blocks the loop, so the icon cannot move on meanwhile: the moment is exact)."""
    threads = [threading.Thread(target=icon.stop) for _ in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=5)
        assert not thread.is_alive(), "stop() hung"


# Where start() is when a stop comes: before it ran, at each of its bus round trips
# (AddMatch, ListNames, RegisterStatusNotifierItem, then IsStatusNotifierHostRegistered
# after it is ready), or shown. The race once lost the stop between the registration
# and ready ("Register": pystray's stop() does nothing until then); "shown, on the loop"
# is a menu action that stops the icon.
STOP_MOMENTS = ["before start ran", "AddMatch", "ListNames", "Register",
                "host check", "shown", "shown, on the loop"]


@pytest.mark.parametrize("moment", STOP_MOMENTS)
@aio
async def test_a_stop_at_any_moment_after_run_detached_ends_the_icon_once(
    dbus_address: str, monkeypatch: pytest.MonkeyPatch, moment: str
) -> None:
    from deskbreak.tray import sni

    calls: list[str] = []
    real_call = sni._call

    async def call(bus: MessageBus, *args: Any) -> list[Any]:
        member = {"AddMatch": "AddMatch", "ListNames": "ListNames", "Get": "host check",
                  "RegisterStatusNotifierItem": "Register"}.get(args[3], args[3])
        if member == moment and member not in calls:
            _stop_from_another_thread(icon, times=2)  # two at once: one teardown
        calls.append(member)
        return await real_call(bus, *args)

    monkeypatch.setattr(sni, "_call", call)
    async with fake_watcher(dbus_address) as watcher:
        bus = await MessageBus(bus_address=dbus_address).connect()  # lent: teardown shows
        client = await Client.connect(dbus_address, "org.freedesktop.DBus")
        icon = Icon("deskbreak", Ring(Look.COUNTING, 1), bus=bus)
        ends: list[None] = []
        real_stop_async = icon.stop_async

        async def stop_async() -> None:
            ends.append(None)
            await real_stop_async()

        icon.stop_async = stop_async  # type: ignore[method-assign]
        tasks_before = asyncio.all_tasks()
        icon.run_detached()  # on the loop's thread: schedules the start
        if moment == "before start ran":
            _stop_from_another_thread(icon, times=2)
        elif moment.startswith("shown"):
            await asyncio.wait_for(watcher.wait_items(1), 3)
            await asyncio.wait_for(_until(lambda: icon._running), 3)
            if moment == "shown":
                _stop_from_another_thread(icon, times=2)
            else:
                icon.stop()
                icon.stop()
        await asyncio.wait_for(_until(lambda: icon._ending is not None and icon._ending.done()),
                               3)
        await asyncio.sleep(0.05)  # a late show or publish would have run by now
        assert icon._starting is not None and icon._starting.done()
        assert ends == [None]  # exactly once
        assert not icon.visible and not icon._running
        assert not await client.has_owner(icon.bus_name)  # unpublished
        assert not icon._attached and bus.connected  # undone; the lent bus stays open
        assert icon._tasks == set()
        assert asyncio.all_tasks() <= tasks_before  # nothing of ours left running
        assert not icon._setup_thread.is_alive()  # it ended without showing anything
        assert watcher.items in ([], [icon.bus_name])
        icon.stop()  # a stop too many changes nothing
        await asyncio.sleep(0.05)
        assert ends == [None]
        client.bus.disconnect()
        bus.disconnect()


@aio
async def test_a_stop_after_the_registration_before_ready_is_not_lost(
    dbus_address: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The flaky test's race made certain: stop() lands just before ``_mark_ready``, when
    the watcher already lists the icon (pystray's stop() ignored it: ``_running`` False)."""
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", dbus_address)
    async with fake_watcher(dbus_address) as watcher:
        icon = Icon("deskbreak", red_dot())
        mark_ready = icon._mark_ready

        def stop_first() -> None:
            assert watcher.items == [icon.bus_name]
            _stop_from_another_thread(icon)
            mark_ready()

        icon._mark_ready = stop_first  # type: ignore[method-assign]
        icon.run_detached()
        client = await Client.connect(dbus_address, "org.freedesktop.DBus")
        await asyncio.wait_for(watcher.wait_items(1), 3)

        async def unpublished() -> None:
            while await client.has_owner(icon.bus_name):
                await asyncio.sleep(0.01)

        await asyncio.wait_for(unpublished(), 3)
        assert not icon.visible and not icon._running
        await asyncio.to_thread(icon._setup_thread.join, 3)
        assert not icon._setup_thread.is_alive()
        client.bus.disconnect()


# --- choosing a tray ------------------------------------------------------------------

def _choose(monkeypatch: pytest.MonkeyPatch, platform: str, **env: str) -> Any:
    import deskbreak.tray as tray_module

    monkeypatch.setattr(tray_module.sys, "platform", platform)
    for key in ("DBUS_SESSION_BUS_ADDRESS", "DISPLAY"):
        monkeypatch.delenv(key, raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return asyncio.run(tray_module.open_tray("t", Ring(Look.COUNTING), "t", make_menu({})))


def test_macos_runs_without_a_tray_and_says_why(monkeypatch: pytest.MonkeyPatch) -> None:
    choice = _choose(monkeypatch, "darwin", DISPLAY=":0")
    assert choice.tray is None
    assert any("macOS" in note and "main thread" in note for note in choice.notes)


def test_no_bus_and_no_display_means_no_tray(monkeypatch: pytest.MonkeyPatch) -> None:
    choice = _choose(monkeypatch, "linux")
    assert choice.tray is None
    assert choice.notes == ["no tray available (no D-Bus session and no display)"]


def test_windows_backend_is_tried_and_its_failure_reported(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    choice = _choose(monkeypatch, "win32")  # pystray._win32 cannot import on Linux
    assert choice.tray is None
    assert choice.notes[0].startswith("pystray win32 backend unavailable")


class WedgedIcon:
    """A pystray thread icon whose X server stopped answering: every call blocks."""

    HAS_MENU = False

    def __init__(self) -> None:
        self.release = threading.Event()
        self.calls: list[str] = []

    def run(self) -> None:
        self.release.wait()

    def stop(self) -> None:
        self.calls.append("stop")
        self.release.wait()

    def __setattr__(self, name: str, value: Any) -> None:
        if name == "title":
            self.calls.append(f"title={value}")
            self.release.wait()
        object.__setattr__(self, name, value)


@aio
async def test_a_wedged_thread_tray_never_blocks_the_daemons_loop(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from deskbreak.tray import ThreadTray

    monkeypatch.setattr(ThreadTray, "CLOSE_S", 0.3)
    icon = WedgedIcon()
    tray = ThreadTray(icon, "xorg")
    tray.start()
    loop = asyncio.get_running_loop()
    began = loop.time()
    tray.set_title("deskbreak: 5 min to a break")  # blocks the courier, not us
    tray.set_look(Look.DUE)
    await tray.close()  # gives up after CLOSE_S and says so
    assert loop.time() - began < 2
    assert icon.calls == ["title=deskbreak: 5 min to a break"]
    icon.release.set()  # the X server answers again: the queued calls go through
    for _ in range(100):
        if "stop" in icon.calls:
            break
        await asyncio.sleep(0.01)
    assert icon.calls[-1] == "stop"
