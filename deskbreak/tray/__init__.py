"""The tray icon edge: one small interface, a backend per kind of panel.

Linux: our StatusNotifierItem backend over dbus-fast (KDE, GNOME with AppIndicator, XFCE,
Cinnamon, waybar...) runs on the daemon's asyncio loop; where no StatusNotifierWatcher
exists, pystray's own backends run in a thread: appindicator or gtk when PyGObject is
installed, else xorg (an icon without a menu). Windows and macOS use pystray's native
backends. No tray at all is a supported mode: ``open_tray`` returns None and says why.

The daemon says which look the icon has (``set_look``), never hands over pixels: our SNI
icon draws the ring itself at each size it offers (no Pillow in the daemon on that path,
about 4 MiB of RSS less all day); only pystray's thread backends get Pillow images, made from
the same pixels by ``tray.icon``, which imports Pillow when first asked.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import logging
import os
import queue
import sys
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from deskbreak.core.model import Look
from deskbreak.tray.ring import Ring

if TYPE_CHECKING:
    from PIL import Image

log = logging.getLogger(__name__)


class Tray(ABC):
    """A visible tray icon whose look, tooltip and menu the daemon keeps current."""

    backend: str = "?"
    has_menu: bool = True
    icon: Any  # the pystray Icon
    failed: BaseException | None = None  # a backend thread that died, for status

    @property
    def notes(self) -> list[str]:
        """What the user should know about this icon now, for ``deskbreak status``."""
        return []

    @abstractmethod
    def set_look(self, look: Look, step: int = 0) -> None:
        """Show ``look`` (the ring filled ``step`` quarters while counting)."""

    @abstractmethod
    def set_title(self, title: str) -> None: ...

    @abstractmethod
    def refresh_menu(self) -> None: ...

    def set_menu(self, menu: Any) -> None:
        """A new menu (the snooze or pause choices changed in the config)."""
        self.icon.menu = menu  # pystray's setter refreshes what the backend shows

    @abstractmethod
    async def close(self) -> None: ...


class SniTray(Tray):
    """Our dbus-fast StatusNotifierItem; lives on the asyncio loop, no thread."""

    backend = "sni"

    def __init__(self, icon: Any) -> None:
        self.icon = icon

    @property
    def ring(self) -> Ring:
        """What the icon shows now (a stand-in opened later starts from it)."""
        shown = self.icon.icon
        return shown if isinstance(shown, Ring) else Ring(Look.COUNTING)

    def set_look(self, look: Look, step: int = 0) -> None:
        self.icon.icon = Ring(look, step)  # drawn at each size when the host asks

    def set_title(self, title: str) -> None:
        self.icon.title = title

    def refresh_menu(self) -> None:
        self.icon.update_menu()

    async def close(self) -> None:
        await self.icon.stop_async()


class ThreadTray(Tray):
    """A pystray backend running its own event loop in a worker thread.

    pystray's thread backends may block the caller: xorg's setters and ``stop()`` hand
    their work to the icon's X thread and wait for it without a time limit. So nothing
    here calls them on the daemon's loop; a courier thread of our own carries every call,
    in order, and closing waits for it a bounded time. A wedged X server then costs a
    stuck daemon thread, never the reminders.
    """

    CLOSE_S = 6.0

    def __init__(self, icon: Any, backend: str) -> None:
        self.icon = icon
        self.backend = backend
        self.has_menu = bool(getattr(icon, "HAS_MENU", True))
        self._thread = threading.Thread(target=self._run, name=f"tray-{backend}", daemon=True)
        self._jobs: queue.SimpleQueue[Callable[[], object] | None] = queue.SimpleQueue()
        self._courier = threading.Thread(target=self._carry, name=f"tray-{backend}-calls",
                                         daemon=True)
        self.failed: BaseException | None = None

    def _run(self) -> None:
        try:
            self.icon.run()
        except BaseException as exc:  # reported through status; the daemon carries on
            self.failed = exc
            log.warning("tray backend %s stopped: %s", self.backend, exc)

    def _carry(self) -> None:
        while (job := self._jobs.get()) is not None:
            try:
                job()
            except Exception as exc:  # a panel that fails must not end the daemon
                log.warning("tray %s update failed: %s", self.backend, exc)

    def _send(self, job: Callable[[], object]) -> None:
        self._jobs.put(job)

    def start(self) -> None:
        self._thread.start()
        self._courier.start()

    def set_look(self, look: Look, step: int = 0) -> None:
        from deskbreak.tray.icon import image

        ring = Ring(look, step)
        self._send(lambda: setattr(self.icon, "icon", image(ring)))  # made on the courier

    def set_title(self, title: str) -> None:
        if self.backend == "xorg":
            title = latin1(title)
        self._send(lambda: setattr(self.icon, "title", title))

    def set_menu(self, menu: Any) -> None:
        self._send(lambda: setattr(self.icon, "menu", menu))

    def refresh_menu(self) -> None:
        if self.has_menu:
            self._send(self.icon.update_menu)

    def _stop(self) -> None:
        try:
            self.icon.stop()
            self._thread.join(1)
            if self._thread.is_alive():
                self._destroy_window()
            self._thread.join(self.CLOSE_S - 2)
        finally:
            display = getattr(self.icon, "_display", None)  # xorg's own X connection
            if display is not None and not self._thread.is_alive():
                with contextlib.suppress(Exception):
                    display.close()

    def _destroy_window(self) -> None:
        """End an xorg icon whose stop() was lost: destroy its window from a connection
        of our own, which its event loop sees (DestroyNotify) and ends on.

        pystray's xorg icon runs each call on its X thread and hands results back on one
        shared queue; a result meant for another call can answer stop() early (seen here
        in about one close in six), leaving the icon docked and its thread running.
        """
        window = getattr(self.icon, "_window", None)
        if window is None:
            return
        from deskbreak.xdisplay import open_display

        try:
            display = open_display(os.environ.get("DISPLAY", ""))
        except Exception as exc:
            log.debug("cannot reach X to take the %s icon down: %s", self.backend, exc)
            return
        try:
            display.create_resource_object("window", window.id).destroy()
            display.sync()
        except Exception as exc:  # already gone: nothing to do
            log.debug("taking the %s icon down: %s", self.backend, exc)
        finally:
            display.close()

    async def close(self) -> None:
        loop = asyncio.get_running_loop()
        done = loop.create_future()

        def stop() -> None:
            try:
                self._stop()
            finally:
                with contextlib.suppress(RuntimeError):  # the loop may be gone by now
                    loop.call_soon_threadsafe(
                        lambda: done.done() or done.set_result(None))

        self._send(stop)
        self._jobs.put(None)  # the courier ends after stopping the icon
        try:
            await asyncio.wait_for(done, self.CLOSE_S)
        except TimeoutError:
            log.warning("the %s tray icon did not stop within %.0f s; left behind",
                        self.backend, self.CLOSE_S)


@dataclass
class TrayChoice:
    """The outcome of looking for a tray: the icon, or why there is none."""

    tray: Tray | None
    notes: list[str]


async def _start_sni(name: str, ring: Ring, title: str, menu: Any) -> Any:
    """Our SNI icon, published even before a watcher exists (it registers when one comes)."""
    from deskbreak.tray.sni import Icon

    icon = Icon(name, ring, title, menu)
    await icon.start(wait=True)
    return icon


def _pystray_backend(module: str) -> Any:
    """Import one pystray backend module; raises ImportError (or Xlib's error) if unusable."""
    from deskbreak.tray import pystray_base  # noqa: F401 - keeps autoselection away

    return importlib.import_module(f"pystray.{module}")


MACOS_NOTE = ("no tray icon on macOS yet: pystray's AppKit backend must own the main "
              "thread, which runs deskbreak's event loop; notifications and the "
              "deskbreak command line work")


def _thread_candidates() -> list[str]:
    """pystray backends that can run in a worker thread here, best first.

    Not macOS: AppKit aborts the process when a status item is made off the main thread,
    and a crash would take the reminders down with the icon.
    """
    if sys.platform == "win32":
        return ["_win32"]
    if sys.platform == "darwin":
        return []
    out = []
    try:
        importlib.import_module("gi")
        out += ["_appindicator", "_gtk"]
    except ImportError:
        pass
    if os.environ.get("DISPLAY"):
        out.append("_xorg")
    return out


def _xembed_icon(name: str, image: Image.Image, title: str, menu: Any) -> Any | None:
    """pystray's xorg icon if an XEmbed tray owns the selection now, else None.

    Without a tray the icon could never dock (pystray asks only once): saying "none"
    is truer than reporting an icon nobody can see.
    """
    from deskbreak.tray.xorg import icon_class

    icon = icon_class()(name, image, title, menu)
    try:
        docked = icon._get_systray_manager() is not None
    except BaseException:
        icon._display.close()
        raise
    if not docked:
        icon._display.close()
        return None
    return icon


def latin1(title: str) -> str:
    """pystray's xorg icon names its window in Latin-1 and raises on anything else (a
    dash, an ellipsis, a translation): such characters become "?" there, not a failure."""
    return title.encode("latin-1", "replace").decode("latin-1")


def open_thread_tray(name: str, ring: Ring, title: str, menu: Any,
                     notes: list[str]) -> Tray | None:
    """The best pystray backend running in a thread, started; why not, in ``notes``.

    pystray's backends take Pillow images: Pillow is imported here, only when one of them
    can be tried."""
    for module in _thread_candidates():
        try:
            backend = _pystray_backend(module)
            from deskbreak.tray.icon import image as pillow_image

            image = pillow_image(ring)
            if module == "_xorg":
                icon = _xembed_icon(name, image, latin1(title), menu)
                if icon is None:
                    notes.append("no XEmbed tray (system tray) on this display")
                    continue
            else:
                icon = backend.Icon(name, image, title, menu)
        except Exception as exc:  # ImportError, Xlib.error.DisplayNameError, ...
            notes.append(f"pystray {module[1:]} backend unavailable: {exc}")
            continue
        tray = ThreadTray(icon, module[1:])
        tray.start()
        if not tray.has_menu:
            notes.append(f"tray icon via pystray {module[1:]} has no menu on this desktop; "
                         "use the deskbreak command line (install PyGObject for a menu)")
        return tray
    return None


async def open_tray(name: str, ring: Ring, title: str, menu: Any) -> TrayChoice:
    """Find the best tray for this desktop; never raises.

    On Linux with a session bus the answer is our StatusNotifierItem icon, even when no
    panel hosts one yet: the handover shows it through an XEmbed tray meanwhile and moves
    it to the panel the moment one starts (login races, panel restarts).
    """
    notes: list[str] = []
    if sys.platform.startswith("linux") and os.environ.get("DBUS_SESSION_BUS_ADDRESS"):
        try:
            sni = await _start_sni(name, ring, title, menu)
        except Exception as exc:
            notes.append(f"StatusNotifierItem tray unavailable: {exc}")
        else:
            from deskbreak.tray.handover import HandoverTray

            return TrayChoice(HandoverTray(SniTray(sni), open_thread_tray), notes)
    tray = open_thread_tray(name, ring, title, menu, notes)
    if tray is None and sys.platform == "darwin":
        notes.append(MACOS_NOTE)
    elif tray is None and not notes:
        notes.append("no tray available (no D-Bus session and no display)")
    return TrayChoice(tray, notes)
