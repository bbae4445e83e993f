"""What the daemon needs of each edge, as Protocols: the seams tests and backends plug into.

Each backend family keeps its own contract (``notify.base.Notifier``, ``tray.Tray``,
``idle.base.IdleMonitor``, ``dnd.base.DndSource``, one module per backend, as pystray
does); these describe the objects the daemon actually holds, one per edge, so a test can
hand it a recorder and the type checker still knows what is called on it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from deskbreak.core.events import Event
from deskbreak.core.model import IdleSample, Look
from deskbreak.notify.base import BreakNotice


class Notifications(Protocol):
    """Puts breaks and messages in front of the user (``notify.NotifierChain``)."""

    @property
    def name(self) -> str: ...

    @property
    def notes(self) -> list[str]: ...

    async def start(self) -> str: ...

    async def show(self, notice: BreakNotice) -> None: ...

    async def show_steps(self, notice: BreakNotice) -> None: ...

    async def inform(self, title: str, body: str) -> None: ...

    async def withdraw(self) -> None: ...

    async def close(self) -> None: ...


class TrayIcon(Protocol):
    """The icon in the panel (``tray.Tray``); its menu sends commands on its own."""

    @property
    def backend(self) -> str: ...

    @property
    def has_menu(self) -> bool: ...

    @property
    def notes(self) -> list[str]: ...

    def set_look(self, look: Look, step: int = 0) -> None: ...

    def set_title(self, title: str) -> None: ...

    def set_menu(self, menu: Any) -> None: ...

    def refresh_menu(self) -> None: ...

    async def close(self) -> None: ...


class IdleSource(Protocol):
    """Seconds since the last input (``idle.base.IdleMonitor``)."""

    name: str

    async def sample(self) -> IdleSample: ...

    async def close(self) -> None: ...


class DndSources(Protocol):
    """Reasons to hold a due break back (``dnd.DndMonitor``)."""

    @property
    def names(self) -> tuple[str, ...]: ...

    async def reasons(self) -> tuple[str, ...]: ...

    async def close(self) -> None: ...


Subscriber = Callable[[Event], None]
"""Called on the loop with every event the core emits; it must not block."""
