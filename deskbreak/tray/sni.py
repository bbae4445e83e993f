"""A pystray backend speaking StatusNotifierItem + DBusMenu over dbus-fast.

Why: modern Linux panels (Plasma, GNOME's AppIndicator extension, waybar, xfce, ...) host tray
icons through the StatusNotifierItem (SNI) D-Bus protocol and draw the menus an item describes
over DBusMenu (``com.canonical.dbusmenu``). pystray reaches those only through GTK/PyGObject (a C
compiler to install, ~84 MiB resident). This backend speaks both protocols with dbus-fast (pure
Python, asyncio) and keeps pystray's ``Icon``/``Menu``/``MenuItem`` API, so the rest of deskbreak
uses pystray everywhere.

The icon lives on one asyncio loop: ``await icon.start()`` publishes it, ``await
icon.stop_async()`` withdraws it. pystray's setters (``icon.icon``, ``icon.title``,
``icon.visible``, ``update_menu()``) may be used from any thread; the work is marshalled onto
the loop. Hiding releases the bus name, which every host honours (``Status=Passive`` is not).
pystray's ``run_detached()`` (on the loop's thread) and ``stop()`` (from any thread) work too;
a stop asked for while the icon is still starting ends it as well (see :meth:`Icon.stop`).

The icon is a Pillow image, as pystray's API has it, or anything that renders itself at a
size (:class:`Renders`): deskbreak's ring is drawn directly at each size offered, so the
daemon never imports Pillow on this path (about 4 MiB of RSS, all day); Pillow is
imported only when a Pillow image is given.

Specs: freedesktop.org/wiki/Specifications/StatusNotifierItem and libdbusmenu's
com.canonical.dbusmenu (version 3).
"""

import asyncio
import itertools
import logging
import os
import threading
from collections.abc import Callable, Coroutine, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Annotated, Any, Protocol, runtime_checkable

from dbus_fast import (
    BusType,
    DBusError,
    ErrorType,
    Message,
    MessageType,
    NameFlag,
    PropertyAccess,
    RequestNameReply,
    Variant,
)
from dbus_fast.aio import MessageBus
from dbus_fast.annotations import (
    DBusBool,
    DBusInt32,
    DBusSignature,
    DBusStr,
    DBusUInt32,
    DBusVariant,
)
from dbus_fast.service import ServiceInterface, dbus_method, dbus_property, dbus_signal

from deskbreak.tray.pystray_base import Icon as BaseIcon
from deskbreak.tray.pystray_base import Menu, MenuItem

if TYPE_CHECKING:
    from PIL import Image

__all__ = ["Icon", "Menu", "MenuItem", "Renders", "SniUnavailable"]

_log = logging.getLogger(__name__)

WATCHER = "org.kde.StatusNotifierWatcher"
ITEM_PATH = "/StatusNotifierItem"
MENU_PATH = "/MenuBar"
PIXMAP_SIZES = (22, 24, 32, 48)
RENDER_SIZES = (*PIXMAP_SIZES, 64)
"""What an icon that renders itself is drawn at: 64 besides, for large panels (a Pillow
image offers its own size besides ``PIXMAP_SIZES``, 64 for deskbreak's until now)."""
_DBUS = ("org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus")
HOST_PREFIX = "org.kde.StatusNotifierHost-"  # the spec's name for a host: ...-PID
# One rule for the watcher and the hosts (both under org.kde): their coming and going.
_WATCHER_RULE = (
    "type='signal',sender='org.freedesktop.DBus',interface='org.freedesktop.DBus',"
    "member='NameOwnerChanged',arg0namespace='org.kde'"
)
_UNNAMED_HOST = ""  # a host the watcher reports but that owns no spec-named bus name

Pixmaps = Annotated[list[list[Any]], DBusSignature("a(iiay)")]
ToolTipT = Annotated[list[Any], DBusSignature("(sa(iiay)ss)")]
Layout = Annotated[list[Any], DBusSignature("u(ia{sv}av)")]
GroupProps = Annotated[list[list[Any]], DBusSignature("a(ia{sv})")]
Ints = Annotated[list[int], DBusSignature("ai")]
Strings = Annotated[list[str], DBusSignature("as")]
PropValue = str | bool | int


class SniUnavailable(RuntimeError):
    """No StatusNotifierItem host can show the icon (no session bus or no watcher).

    Raised by :meth:`Icon.start` so the caller can fall back to another tray backend."""


@runtime_checkable
class Renders(Protocol):
    """An icon that draws itself at any size, for a host to get sharp pixels at each."""

    def rgba(self, size: int) -> bytes:
        """``size`` x ``size`` straight (non-premultiplied) RGBA rows."""
        ...


def argb(rgba: bytes) -> bytes:
    """RGBA rows as ARGB32 in network byte order (bytes A, R, G, B), as the spec wants."""
    out = bytearray(len(rgba))
    out[0::4] = rgba[3::4]
    out[1::4] = rgba[0::4]
    out[2::4] = rgba[1::4]
    out[3::4] = rgba[2::4]
    return bytes(out)


def rendered_pixmaps(icon: Renders, sizes: Iterable[int] = RENDER_SIZES) -> list[list[Any]]:
    """``a(iiay)`` pixmaps of an icon drawn at each size: no resizing, no Pillow."""
    return [[s, s, argb(icon.rgba(s))] for s in sorted(set(sizes))]


def argb_pixmaps(image: "Image.Image",
                 sizes: Iterable[int] = PIXMAP_SIZES) -> list[list[Any]]:
    """``a(iiay)`` pixmaps of a Pillow image, resized: ARGB32 in network byte order.

    The image's own size is offered besides ``sizes`` so the host can pick the closest.
    Pillow is imported here, not with the module: only icons given as images need it."""
    from PIL import Image

    rgba = image.convert("RGBA")
    width, height = rgba.size
    wanted = {(width, height)} | {(max(1, round(s * width / height)), s) for s in sizes}
    pixmaps = []
    for w, h in sorted(wanted):
        scaled = rgba if (w, h) == rgba.size else rgba.resize((w, h), Image.Resampling.LANCZOS)
        pixmaps.append([w, h, argb(scaled.tobytes())])
    return pixmaps


@dataclass(frozen=True)
class _Node:
    """One DBusMenu entry as last built; ``item`` is what a click runs."""

    props: dict[str, PropValue]
    children: tuple[int, ...] = ()
    item: MenuItem | None = field(default=None, compare=False)


def _variant(value: PropValue) -> Variant:
    return Variant(
        "b" if isinstance(value, bool) else "i" if isinstance(value, int) else "s", value
    )


def _const(name: str, signature: str, value: Any) -> Any:
    """A read-only D-Bus property that never changes; the specs want these present anyway."""

    def getter(self: ServiceInterface) -> Any:
        return value

    getter.__name__ = name  # dbus-fast looks the getter up on the interface by this name
    getter.__annotations__["return"] = Annotated[Any, DBusSignature(signature)]
    return dbus_property(access=PropertyAccess.READ, name=name)(getter)


class _ItemInterface(ServiceInterface):
    """``org.kde.StatusNotifierItem``: what the panel draws and where it sends clicks."""

    def __init__(self, icon: "Icon") -> None:
        super().__init__("org.kde.StatusNotifierItem")
        self._icon = icon

    Category = _const("Category", "s", "ApplicationStatus")
    Status = _const("Status", "s", "Active")  # hiding releases the bus name instead
    WindowId = _const("WindowId", "i", 0)
    IconThemePath = _const("IconThemePath", "s", "")
    IconName = _const("IconName", "s", "")
    OverlayIconName = _const("OverlayIconName", "s", "")
    OverlayIconPixmap = _const("OverlayIconPixmap", "a(iiay)", [])
    AttentionIconName = _const("AttentionIconName", "s", "")
    AttentionIconPixmap = _const("AttentionIconPixmap", "a(iiay)", [])
    AttentionMovieName = _const("AttentionMovieName", "s", "")
    ItemIsMenu = _const("ItemIsMenu", "b", True)  # primary click opens the menu, not Activate
    Menu = _const("Menu", "o", MENU_PATH)

    @dbus_property(access=PropertyAccess.READ)
    def Id(self) -> DBusStr:
        return str(self._icon.name)

    @dbus_property(access=PropertyAccess.READ)
    def Title(self) -> DBusStr:
        # The app's name, never the countdown: a title that changes every minute makes the
        # host call back (twice a change, measured); the tooltip carries the countdown.
        return str(self._icon.name)

    @dbus_property(access=PropertyAccess.READ)
    def IconPixmap(self) -> Pixmaps:
        return self._icon._pixmaps()

    @dbus_property(access=PropertyAccess.READ)
    def ToolTip(self) -> ToolTipT:
        return ["", [], str(self._icon.title or self._icon.name), ""]

    @dbus_method()
    def Activate(self, x: DBusInt32, y: DBusInt32) -> None:
        self._icon()  # pystray: runs the menu's default item, then update_menu()

    @dbus_method()
    def SecondaryActivate(self, x: DBusInt32, y: DBusInt32) -> None:
        pass

    @dbus_method()
    def ContextMenu(self, x: DBusInt32, y: DBusInt32) -> None:
        pass  # hosts draw the DBusMenu at Menu themselves

    @dbus_method()
    def Scroll(self, delta: DBusInt32, orientation: DBusStr) -> None:
        pass

    @dbus_signal()
    def NewTitle(self) -> None: ...

    @dbus_signal()
    def NewIcon(self) -> None: ...

    @dbus_signal()
    def NewToolTip(self) -> None: ...

    @dbus_signal()
    def NewStatus(self) -> DBusStr:
        return "Active"


class _MenuInterface(ServiceInterface):
    """``com.canonical.dbusmenu`` describing the pystray menu, rebuilt on every update.

    Ids are stable per position path, so a host's open menu keeps working across rebuilds."""

    def __init__(self, icon: "Icon") -> None:
        super().__init__("com.canonical.dbusmenu")
        self._icon = icon
        self.revision = 0
        self._ids: dict[tuple[int, ...], int] = {(): 0}
        self.nodes: dict[int, _Node] = {0: _Node({"children-display": "submenu"})}

    def build(self, menu: Menu | None) -> dict[int, _Node]:
        """Snapshot ``menu`` (callables evaluated now) into DBusMenu nodes."""
        nodes: dict[int, _Node] = {}

        def visit(entries: Iterable[MenuItem], path: tuple[int, ...]) -> tuple[int, ...]:
            ids = []
            for index, item in enumerate(entries):
                key = (*path, index)
                node_id = self._ids.setdefault(key, len(self._ids))
                props: dict[str, PropValue] = {}
                children: tuple[int, ...] = ()
                if item is Menu.SEPARATOR:
                    props["type"] = "separator"
                else:
                    props["label"] = str(item.text).replace("_", "__")  # "_" marks mnemonics
                    if not item.enabled:
                        props["enabled"] = False
                    if item.checked is not None:
                        props["toggle-type"] = "radio" if item.radio else "checkmark"
                        props["toggle-state"] = 1 if item.checked else 0
                    if item.submenu is not None:
                        props["children-display"] = "submenu"
                        children = visit(item.submenu, key)
                nodes[node_id] = _Node(props, children, item)
                ids.append(node_id)
            return tuple(ids)

        nodes[0] = _Node({"children-display": "submenu"}, visit(menu or (), ()))
        return nodes

    def refresh(self) -> bool:
        """Rebuild, and tell the hosts only what changed; whether anything did.

        A new shape (items added, removed, moved) is a new layout revision: LayoutUpdated,
        after which a host fetches the whole menu again (five calls, measured). Changed
        labels, check marks or greyed items alone, the common case (the "Next break in
        12 min" headline), go out with their values in ItemsPropertiesUpdated, which a
        host applies without calling back at all.
        """
        nodes = self.build(self._icon.menu)
        old, self.nodes = self.nodes, nodes
        if nodes == old:
            return False
        if {i: n.children for i, n in nodes.items()} != {i: n.children for i, n in old.items()}:
            self.revision += 1
            self.LayoutUpdated()
            return True
        updated = [[i, {k: _variant(v) for k, v in n.props.items()}]
                   for i, n in nodes.items() if n.props != old[i].props]
        removed = [[i, sorted(set(old[i].props) - set(n.props))]
                   for i, n in nodes.items() if set(old[i].props) - set(n.props)]
        self.ItemsPropertiesUpdated(updated, removed)
        return True

    def _node(self, node_id: int) -> _Node:
        if node_id not in self.nodes:
            raise DBusError(ErrorType.INVALID_ARGS, f"no menu item {node_id}")
        return self.nodes[node_id]

    def _props(self, node: _Node, names: list[str]) -> dict[str, Variant]:
        return {k: _variant(v) for k, v in node.props.items() if not names or k in names}

    def _layout(self, node_id: int, depth: int, names: list[str]) -> list[Any]:
        node = self._node(node_id)
        kids = [] if depth == 0 else node.children
        return [
            node_id,
            self._props(node, names),
            [Variant("(ia{sv}av)", self._layout(kid, depth - 1, names)) for kid in kids],
        ]

    Version = _const("Version", "u", 3)
    TextDirection = _const("TextDirection", "s", "ltr")
    Status = _const("Status", "s", "normal")
    IconThemePath = _const("IconThemePath", "as", [])

    @dbus_method()
    def GetLayout(self, parent_id: DBusInt32, depth: DBusInt32, names: Strings) -> Layout:
        return [self.revision, self._layout(parent_id, depth, names)]

    @dbus_method()
    def GetGroupProperties(self, ids: Ints, names: Strings) -> GroupProps:
        wanted = ids or list(self.nodes)
        return [[i, self._props(self.nodes[i], names)] for i in wanted if i in self.nodes]

    @dbus_method()
    def GetProperty(self, node_id: DBusInt32, name: DBusStr) -> DBusVariant:
        props = self._node(node_id).props
        if name not in props:
            raise DBusError(ErrorType.INVALID_ARGS, f"menu item {node_id} has no {name!r}")
        return _variant(props[name])

    def _event(self, node_id: int, event_id: str) -> None:
        node = self._node(node_id)
        props = node.props
        clickable = props.get("type") != "separator" and props.get("enabled", True)
        if event_id == "clicked" and clickable and node.item and node.item.submenu is None:
            self._icon._activate(node.item)

    @dbus_method()
    def Event(
        self, node_id: DBusInt32, event_id: DBusStr, data: DBusVariant, timestamp: DBusUInt32
    ) -> None:
        self._event(node_id, event_id)

    @dbus_method()
    def EventGroup(self, events: Annotated[list[Any], DBusSignature("a(isvu)")]) -> Ints:
        for node_id, event_id, _data, _timestamp in events:
            if node_id in self.nodes:
                self._event(node_id, event_id)
        return [e[0] for e in events if e[0] not in self.nodes]

    @dbus_method()
    def AboutToShow(self, node_id: DBusInt32) -> DBusBool:
        self._node(node_id)
        return self.refresh()

    @dbus_method()
    def AboutToShowGroup(self, ids: Ints) -> Annotated[list[Any], DBusSignature("aiai")]:
        changed = self.refresh()
        return [
            [i for i in ids if changed and i in self.nodes],
            [i for i in ids if i not in self.nodes],
        ]

    @dbus_signal()
    def LayoutUpdated(self) -> Annotated[list[int], DBusSignature("ui")]:
        return [self.revision, 0]

    @dbus_signal()
    def ItemsPropertiesUpdated(
        self, updated: Annotated[list[Any], DBusSignature("a(ia{sv})")],
        removed: Annotated[list[Any], DBusSignature("a(ias)")],
    ) -> Annotated[list[Any], DBusSignature("a(ia{sv})a(ias)")]:
        return [updated, removed]


class Icon(BaseIcon):
    """A pystray icon shown through StatusNotifierItem; see the module docstring.

    ``icon``: a Pillow image (pystray's API) or a :class:`Renders`, drawn at each size.
    ``bus``: an already connected session bus to share (else start() opens and owns one).
    ``bus_name``: the ``org.kde.StatusNotifierItem-PID-N`` name the icon owns while shown."""

    HAS_MENU = True
    HAS_MENU_RADIO = True
    HAS_DEFAULT_ACTION = True
    HAS_NOTIFICATION = False

    _counter = itertools.count(1)

    def __init__(
        self,
        name: str,
        icon: "Image.Image | Renders | None" = None,
        title: str | None = None,
        menu: Menu | Iterable[MenuItem] | None = None,
        *,
        bus: MessageBus | None = None,
    ) -> None:
        self._bus = bus
        self._owns_bus = False
        self._loop: asyncio.AbstractEventLoop | None = None
        self._lock = asyncio.Lock()
        self._tasks: set[asyncio.Task[None]] = set()
        self._starting: asyncio.Task[None] | None = None  # the start() under way or last run
        self._ending: asyncio.Task[None] | None = None  # what stop() set off
        self._state = threading.Lock()  # _stopping and _running, set from any thread
        self._stopping = False  # a stop was asked for: nothing may show the icon again
        self._ready = threading.Event()  # releases pystray's setup thread
        self._attached = False  # exported, handler and match in place: teardown undoes them
        self._published = False
        self._pixmap_cache: tuple[Any, list[list[Any]]] | None = None
        self._registered = False  # the watcher there now holds our registration
        self._hosts: set[str] = set()  # hosts on the bus, which draw registered items
        self._told = False  # what on_hosted last heard
        self.on_hosted: Callable[[bool], None] | None = None
        self._item = _ItemInterface(self)
        self._dbusmenu = _MenuInterface(self)
        self.bus_name = f"org.kde.StatusNotifierItem-{os.getpid()}-{next(self._counter)}"
        super().__init__(name, icon=icon, title=title, menu=menu)

    # -- asyncio API ---------------------------------------------------------------------------

    async def start(self, *, wait: bool = False) -> None:
        """Publish the icon: export both objects, own ``bus_name``, register with the watcher.

        ``wait``: with no watcher yet (a panel that starts after us at login), publish
        anyway and register the moment one appears; ``on_hosted`` hears of it.

        The work runs as a task of ours, so that a stop() from another thread meanwhile can
        end it where it is (it cancels the task, which undoes what was done so far).

        :raises SniUnavailable: without a session bus, without a StatusNotifierWatcher
            unless ``wait``, or when stop() ended the icon before it was shown."""
        self._begin()
        self._loop = asyncio.get_running_loop()
        task = self._starting = self._loop.create_task(self._start(wait))
        try:
            await task
        except asyncio.CancelledError:
            me = asyncio.current_task()
            if task.cancelled() and self._stopping and not (me and me.cancelling()):
                raise SniUnavailable("stopped before it was shown") from None
            raise  # our caller was cancelled, and the start with it

    async def _start(self, wait: bool) -> None:
        """start()'s work; undoes itself if it fails or is cancelled at any await."""
        self._loop = asyncio.get_running_loop()
        if self._bus is None:
            try:
                # connect() closes its socket itself when it fails or is cancelled.
                self._bus = await MessageBus(bus_type=BusType.SESSION).connect()
            except Exception as exc:
                raise SniUnavailable(f"cannot connect to the D-Bus session bus: {exc}") from exc
            self._owns_bus = True
        bus = self._bus
        try:
            bus.export(ITEM_PATH, self._item)
            bus.export(MENU_PATH, self._dbusmenu)
            bus.add_message_handler(self._on_message)
            self._attached = True
            await _call(bus, *_DBUS, "AddMatch", "s", [_WATCHER_RULE])
            # The match is in place before asking, so a watcher or host that comes in
            # between is still heard of.
            names = set((await _call(bus, *_DBUS, "ListNames", "", []))[0])
            self._hosts = {name for name in names if name.startswith(HOST_PREFIX)}
            if WATCHER not in names and not wait:
                raise SniUnavailable(f"no {WATCHER} on the session bus: no SNI tray host runs")
            self._registered = WATCHER in names  # _publish registers
            try:
                await self._publish()
            except SniUnavailable:
                if not (wait and self._published):
                    raise
                # A watcher that owns its name before it serves its object: keep trying.
                self._registered = False
                self._spawn(self._reregister)
        except BaseException:
            await self._teardown()
            raise
        self._icon_valid = self._visible = True  # before a setup thread could show it again
        self._mark_ready()  # pystray: _running = True, update_menu(), release the setup thread
        if self._registered:
            await self._count_unnamed_host()
        self._told = self.hosted  # the owner reads ``hosted`` after start()

    async def stop_async(self) -> None:
        """Withdraw the icon from the host and release the bus (closed if we opened it).

        A start still under way is cancelled and waited for first: it undoes its own work,
        and a teardown beside it would race it on the bus (one closing what the other uses).
        """
        with self._state:
            self._stopping = True
            self._visible = self._running = False
        self._ready.set()  # a setup thread still waiting ends without showing anything
        starting = self._starting
        if starting is not None and not starting.done() and starting is not asyncio.current_task():
            starting.cancel()
            await asyncio.wait({starting})
        await self._teardown()

    # -- pystray backend contract --------------------------------------------------------------

    def _show(self) -> None:
        self._soon(self._spawn, self._publish)

    def _hide(self) -> None:
        self._soon(self._spawn, self._unpublish)

    def _update_icon(self) -> None:
        self._pixmap_cache = None
        self._icon_valid = True
        self._soon(self._item.NewIcon)

    def _update_title(self) -> None:
        self._soon(self._item.NewToolTip)  # Title stays the app's name

    def _update_menu(self) -> None:
        self._soon(self._dbusmenu.refresh)

    def _run(self) -> None:
        raise NotImplementedError("the SNI icon runs on an asyncio loop: `await icon.start()`")

    def _run_detached(self) -> None:
        try:
            loop = self._loop = self._loop or asyncio.get_running_loop()
        except RuntimeError:
            with self._state:
                self._stopping = True  # the setup thread just started ends, showing nothing
            self._ready.set()
            raise NotImplementedError(
                "call run_detached() on the asyncio loop's thread, or `await icon.start()`"
            ) from None
        if self._stopping:
            return  # stopped already (another thread, just now): nothing to start
        self._starting = loop.create_task(self._start(False))
        self._starting.add_done_callback(self._task_done)  # its failure is logged

    def _start_setup(self, setup: Callable[["Icon"], None] | None) -> None:
        """pystray's setup thread, which a stop also releases (pystray's waits for ready).

        pystray's thread waits on a private queue that only ``_mark_ready()`` fills: a stop
        before the icon is ready would leave it waiting for ever, and it is not a daemon
        thread, so the process could not exit. Ours waits on an event that a stop sets too,
        and then does nothing; the default setup (``visible = True``) checks the stop under
        the same lock as stop() sets it, so it cannot show a stopped icon again.
        """
        self._begin()
        self._ready = ready = threading.Event()

        def run() -> None:
            ready.wait()
            if setup is not None:
                if not self._stopping:
                    setup(self)
                return
            with self._state:
                if not self._stopping:
                    self.visible = True  # only marshals work onto the loop: never blocks

        self._setup_thread = threading.Thread(target=run, name="sni-setup", daemon=True)
        self._setup_thread.start()

    def _begin(self) -> None:
        """A new run: stop() may be asked for (and heard) again."""
        with self._state:
            self._stopping = False
            self._ending = None

    def _mark_ready(self) -> None:
        """pystray's: running, the menu built, the setup thread released; not once stopped."""
        with self._state:
            if self._stopping:
                self._ready.set()
                return
            self._running = True
        try:
            self.update_menu()
        finally:
            self._ready.set()

    def _stop(self) -> None:
        self._soon(self._end)

    def stop(self) -> None:
        """pystray's stop(), heard at any moment after run_detached() or start(), and once.

        pystray's own does nothing until the icon is ready (``_running``), so a stop from
        another thread while start() was still talking to the bus was lost and the icon
        stayed on the panel. Here any stop is recorded at once, under a lock; the loop then
        cancels a start under way (which undoes itself), and tears the icon down once.
        """
        with self._state:
            if self._loop is None or self._stopping:
                return  # never started (pystray: no effect), or stopping already
            self._stopping = True
            self._running = False
        self._ready.set()
        self._stop()
        thread = getattr(self, "_setup_thread", None)
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=self.SETUP_THREAD_TIMEOUT)
            if thread.is_alive():
                _log.warning("the SNI icon's setup did not finish within %s s of stop()",
                             self.SETUP_THREAD_TIMEOUT)

    def _end(self) -> None:
        """On the loop: withdraw the icon, once, however many stops were asked for."""
        if self._ending is None and self._loop is not None:
            self._ending = self._loop.create_task(self.stop_async())
            self._ending.add_done_callback(self._task_done)

    def __del__(self) -> None:
        pass  # pystray hides here; a loop may be gone at GC time, use stop_async()

    # -- internals -----------------------------------------------------------------------------

    def _pixmaps(self) -> list[list[Any]]:
        if not self._icon:
            return []
        if self._pixmap_cache is None or self._pixmap_cache[0] is not self._icon:
            icon = self._icon
            pixmaps = (rendered_pixmaps(icon) if isinstance(icon, Renders)
                       else argb_pixmaps(icon))
            self._pixmap_cache = (icon, pixmaps)
        return self._pixmap_cache[1]

    def _activate(self, item: MenuItem) -> None:
        """Run a clicked item like pystray's backends do: the action, then update_menu()."""
        try:
            item(self)
        except Exception:
            _log.exception("tray menu action %r failed", item.text)
        finally:
            self.update_menu()

    def _soon(self, fn: Callable[..., object], *args: Any, **kwargs: Any) -> None:
        """Call ``fn`` on the icon's loop: now if on it (or before start), else thread-safely."""
        loop = self._loop
        try:
            on_loop = asyncio.get_running_loop() is loop
        except RuntimeError:
            on_loop = False
        if loop is None or on_loop:
            fn(*args, **kwargs)
        elif not loop.is_closed():
            loop.call_soon_threadsafe(lambda: fn(*args, **kwargs))

    def _spawn(self, coro_fn: Callable[[], Coroutine[Any, Any, None]]) -> None:
        """Run a coroutine as a task of ours; before start() there is nothing to do, and
        once stopping nothing new may start (a late show would publish a stopped icon)."""
        if self._loop is None or self._stopping:
            return  # start() publishes the state set by then
        task = self._loop.create_task(coro_fn())
        self._tasks.add(task)
        task.add_done_callback(self._task_done)

    def _task_done(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and (exc := task.exception()) is not None:
            _log.error("SNI tray icon: %s", exc, exc_info=exc)

    async def _publish(self) -> None:
        """Own the SNI bus name and tell the watcher (which then tells the hosts)."""
        async with self._lock:
            if self._bus is None or self._stopping:
                return
            if not self._published:
                reply = await self._bus.request_name(self.bus_name, NameFlag.DO_NOT_QUEUE)
                if reply not in (RequestNameReply.PRIMARY_OWNER, RequestNameReply.ALREADY_OWNER):
                    raise SniUnavailable(f"bus name {self.bus_name} is taken")
                self._published = True
            if self._registered:
                await self._register()

    async def _register(self) -> None:
        assert self._bus is not None
        register = "RegisterStatusNotifierItem"
        args = (WATCHER, "/StatusNotifierWatcher", WATCHER, register, "s", [self.bus_name])
        try:
            await _call(self._bus, *args)
        except DBusError as exc:
            raise SniUnavailable(f"{WATCHER} refused the icon: {exc}") from exc

    async def _reregister(self) -> None:
        """Register with a watcher that just appeared. It may own its name a moment before it
        serves its object (the Haskell status-notifier-watcher does: UnknownObject), so retry."""
        for delay in (0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 0.0):
            async with self._lock:
                if self._bus is None or not self._published:
                    return
                try:
                    await self._register()
                except SniUnavailable:
                    if not await self._watcher_present():
                        return  # gone again (a panel flapping): its successor calls us
                    if not delay:
                        raise
                else:
                    self._registered = True
                    await self._count_unnamed_host()
                    self._tell()
                    return
            await asyncio.sleep(delay)

    async def _watcher_present(self) -> bool:
        assert self._bus is not None
        return bool((await _call(self._bus, *_DBUS, "NameHasOwner", "s", [WATCHER]))[0])

    async def _count_unnamed_host(self) -> None:
        """A host may draw items without a spec-named bus name: trust the watcher then."""
        if self._hosts - {_UNNAMED_HOST} or self._bus is None:
            return
        props = ("org.freedesktop.DBus.Properties", "Get", "ss",
                 [WATCHER, "IsStatusNotifierHostRegistered"])
        try:
            reply = await _call(self._bus, WATCHER, "/StatusNotifierWatcher", *props)
            registered = bool(reply[0].value)
        except Exception as exc:  # an odd watcher: judge by named hosts alone
            _log.debug("SNI: IsStatusNotifierHostRegistered: %s", exc)
            return
        self._hosts = {_UNNAMED_HOST} if registered else set()

    @property
    def hosted(self) -> bool:
        """Whether a panel shows the icon: a watcher holds our registration and a host
        draws what the watcher lists."""
        return self._registered and bool(self._hosts)

    def _tell(self) -> None:
        """Tell ``on_hosted`` when ``hosted`` changed since it last heard."""
        hosted = self.hosted
        if hosted == self._told:
            return
        self._told = hosted
        if self.on_hosted is not None:
            try:
                self.on_hosted(hosted)
            except Exception:
                _log.exception("SNI tray icon: the host change handler failed")

    async def _unpublish(self) -> None:
        """Release the bus name: the watcher sees it go and drops the icon from the hosts."""
        async with self._lock:
            if self._published and self._bus is not None and self._bus.connected:
                await self._bus.release_name(self.bus_name)
            self._published = False

    async def _teardown(self) -> None:
        for task in self._tasks - {asyncio.current_task()}:
            task.cancel()
        bus = self._bus
        if bus is None:
            return
        if self._attached:  # a stop after a failed or cancelled start finds it undone
            bus.remove_message_handler(self._on_message)
            try:
                await self._unpublish()
                await _call(bus, *_DBUS, "RemoveMatch", "s", [_WATCHER_RULE])
            except Exception as exc:  # the bus may have died under us: nothing left there
                _log.debug("SNI teardown: %s", exc)
            bus.unexport(ITEM_PATH, self._item)
            bus.unexport(MENU_PATH, self._dbusmenu)
            self._attached = False  # only now: a teardown cancelled above is done again
        self._published = False
        if self._owns_bus:
            bus.disconnect()
            self._bus, self._owns_bus = None, False

    def _on_message(self, msg: Message) -> None:
        """Follow the panel: its watcher and its hosts, as they come and go.

        A watcher that (re)appears gets our registration (a panel started late or
        restarted); one that goes away takes the registration with it. ``on_hosted``
        hears when the icon starts or stops being drawn, so the owner can show it
        elsewhere meanwhile."""
        if not (
            msg.message_type == MessageType.SIGNAL
            and msg.interface == _DBUS[0]
            and msg.member == "NameOwnerChanged"
        ):
            return
        name, _old, new = msg.body
        if name == WATCHER:
            self._hosts.discard(_UNNAMED_HOST)
            if new:
                self._spawn(self._reregister)
            else:
                self._registered = False
        elif name.startswith(HOST_PREFIX):
            if new:
                self._hosts.add(name)
            else:
                self._hosts.discard(name)
        self._tell()


async def _call(
    bus: MessageBus, dest: str, path: str, iface: str, member: str, sig: str, body: list[Any]
) -> list[Any]:
    """One method call; an error reply raises DBusError."""
    msg = Message(
        destination=dest, path=path, interface=iface, member=member, signature=sig, body=body
    )
    reply = await bus.call(msg)
    if reply.message_type == MessageType.ERROR:
        detail = reply.body[0] if reply.body else ""
        raise DBusError(reply.error_name or ErrorType.FAILED, f"{reply.error_name} {detail}")
    return list(reply.body)
