"""The idle-time interface: how long since the user last touched keyboard or mouse.

One small backend per platform (X11, GNOME on Wayland, Windows, macOS); the daemon only
sees ``IdleMonitor``. A backend that cannot work here raises IdleUnavailable from
``start`` with a reason the user can read in ``deskbreak status``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable

from deskbreak.core.model import IdleSample


class IdleUnavailable(Exception):
    """This backend cannot measure idle time here."""


class IdleMonitor(ABC):
    """A backend that can hear the next input (an event, not a question, as X11 with
    XInput 2) calls ``on_input`` then, once the user has been idle for ``away_after``
    seconds, and its samples say ``announced`` while it listens: the daemon then need
    not ask every minute whether the user is back. The others keep the defaults."""

    name: str = "?"
    away_after: float | None = None  # set by the daemon: the config's idle threshold
    on_input: Callable[[], None] | None = None

    @abstractmethod
    async def start(self) -> None:
        """Connect and take one reading; raise IdleUnavailable if that fails."""

    @abstractmethod
    async def sample(self) -> IdleSample:
        """The current idle time; raise IdleUnavailable if the source went away."""

    async def close(self) -> None:
        """Release connections."""
