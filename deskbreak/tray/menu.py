"""The tray menu, built from pystray's Menu and MenuItem so every backend shows the same one.

Labels and check marks are callables that read the daemon's current view, so a backend
that renders the menu on demand (DBusMenu, Windows, macOS) is always up to date, and the
others are refreshed by ``update_menu`` once a minute or after a command.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from deskbreak.durations import format_duration

Command = Callable[[str, dict[str, Any]], None]


@dataclass
class MenuView:
    """What the menu shows; the daemon replaces it whenever its state changes."""

    headline: str = "Starting…"
    paused: bool = False
    context: str = "desk"


def _import_menu() -> tuple[Any, Any]:
    from deskbreak.tray.pystray_base import Menu, MenuItem
    return Menu, MenuItem


def build_menu(view: Callable[[], MenuView], command: Command,
               snooze_choices: tuple[float, ...], pause_choices: tuple[float, ...]) -> Any:
    """The pystray Menu; ``command(name, args)`` is called from whatever thread the backend uses."""
    Menu, MenuItem = _import_menu()

    def send(name: str, **args: Any) -> Callable[..., None]:
        def act(*_: Any) -> None:
            command(name, args)
        return act

    def context_item(name: str) -> Any:
        return MenuItem(name.capitalize(), send("context", context=name),
                        checked=lambda _item: view().context == name, radio=True)

    return Menu(
        MenuItem(lambda _item: view().headline, None, enabled=False),
        Menu.SEPARATOR,
        MenuItem("Take a break now", send("break-now"), default=True),
        MenuItem("Snooze", Menu(*[
            MenuItem(format_duration(s), send("snooze", seconds=s)) for s in snooze_choices
        ])),
        MenuItem("Skip this break", send("skip"),
                 enabled=lambda _item: not view().paused),
        MenuItem("Pause", Menu(
            *[MenuItem(format_duration(s), send("pause", seconds=s)) for s in pause_choices],
            MenuItem("Until tomorrow", send("pause", until_tomorrow=True)),
        )),
        MenuItem("Resume", send("resume"), enabled=lambda _item: view().paused),
        MenuItem("Context", Menu(*[context_item(c) for c in ("desk", "home", "travel")])),
        Menu.SEPARATOR,
        MenuItem("Open settings", send("open-settings")),
        MenuItem("Quit", send("quit")),
    )
