"""The tray menu, built from pystray's Menu and MenuItem so every backend shows the same one.

Each item sends a command value, the same the command line sends, through ``submit``
(called from whatever thread the backend uses). Labels, check marks and greyed items are
callables reading the presenter's current MenuView, so a backend that renders the menu
on demand (DBusMenu, Windows, macOS) is always up to date, and the others are refreshed
by ``update_menu`` after each change.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from deskbreak.core.commands import (
    BreakNow,
    Command,
    OpenSettings,
    Pause,
    Quit,
    Resume,
    SetContext,
    ShowStatistics,
    Skip,
    Snooze,
)
from deskbreak.core.durations import format_duration
from deskbreak.core.model import CONTEXTS
from deskbreak.core.presenter import MenuView

Submit = Callable[[Command], None]


def build_menu(view: Callable[[], MenuView], submit: Submit,
               snooze_choices: tuple[float, ...], pause_choices: tuple[float, ...]) -> Any:
    """The pystray Menu for the current snooze and pause choices."""
    from deskbreak.tray.pystray_base import Menu, MenuItem

    def send(command: Command) -> Callable[..., None]:
        def act(*_: Any) -> None:
            submit(command)
        return act

    def context_item(name: str) -> Any:
        return MenuItem(name.capitalize(), send(SetContext(name)),
                        checked=lambda _item: view().context == name, radio=True,
                        enabled=lambda _item: name in view().contexts)

    return Menu(
        MenuItem(lambda _item: view().headline, None, enabled=False),
        Menu.SEPARATOR,
        MenuItem("Take a break now", send(BreakNow(start=True)), default=True),
        MenuItem("Snooze", Menu(*[
            MenuItem(format_duration(s), send(Snooze(s))) for s in snooze_choices
        ]), enabled=lambda _item: view().can_snooze),
        MenuItem("Skip this break", send(Skip()), enabled=lambda _item: view().can_skip),
        MenuItem("Pause", Menu(
            *[MenuItem(format_duration(s), send(Pause(s))) for s in pause_choices],
            MenuItem("Until tomorrow", send(Pause(until_tomorrow=True))),
        )),
        MenuItem("Resume", send(Resume()), enabled=lambda _item: view().paused),
        MenuItem("Context", Menu(*[context_item(c) for c in CONTEXTS])),
        Menu.SEPARATOR,
        MenuItem("Statistics", send(ShowStatistics())),
        MenuItem("Open settings", send(OpenSettings())),
        MenuItem("Quit", send(Quit())),
    )
