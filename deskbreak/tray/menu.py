"""The tray menu, built from pystray's Menu and MenuItem so every backend shows the same one.

Each item sends a command value, the same the command line sends, through ``submit``
(called from whatever thread the backend uses). Labels, check marks and greyed items are
callables reading the presenter's current MenuView, so a backend that renders the menu
on demand (DBusMenu, Windows, macOS) is always up to date, and the others are refreshed
by ``update_menu`` after each change.

"Trip mode" starts a trip of 2, 4 or 8 hours or until stopped (as a passenger, or as
the driver when "I'm driving" is checked), switches driving on or off during one, and
stops it; the check mark and "Stop trip" follow the daemon's state like every label.

"Start at login" is the one item whose state lives outside the daemon (a file or a
registry value the user may also change in their desktop's settings), so its check mark
reads that, cached on the entry's file stats (``autostart.watch``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from deskbreak.core.commands import (
    BreakNow,
    Command,
    OpenSettings,
    Pause,
    Quit,
    Resume,
    SetAutostart,
    SetContext,
    ShowStatistics,
    Skip,
    Snooze,
    TripDriving,
    TripStart,
    TripStop,
)
from deskbreak.core.durations import format_duration
from deskbreak.core.model import CONTEXTS
from deskbreak.core.presenter import MenuView

if TYPE_CHECKING:
    from deskbreak.autostart.watch import AutostartWatch

Submit = Callable[[Command], None]
TRIP_CHOICES = (2 * 3600.0, 4 * 3600.0, 8 * 3600.0)


def login_watch() -> AutostartWatch:
    """This platform's start-at-login state, read where the user's session reads it."""
    from deskbreak.autostart import for_platform
    from deskbreak.autostart.watch import AutostartWatch

    return AutostartWatch(for_platform())


def build_menu(view: Callable[[], MenuView], submit: Submit,
               snooze_choices: tuple[float, ...], pause_choices: tuple[float, ...],
               *, start_at_login: AutostartWatch | None = None) -> Any:
    """The pystray Menu for the current snooze and pause choices.

    ``start_at_login``: where the "Start at login" check mark comes from (a seam for
    tests; by default this platform's entry, see ``login_watch``).
    """
    from deskbreak.tray.pystray_base import Menu, MenuItem

    login = start_at_login if start_at_login is not None else login_watch()

    def send(command: Command) -> Callable[..., None]:
        def act(*_: Any) -> None:
            submit(command)
        return act

    def trip(seconds: float | None) -> Callable[..., None]:
        def act(*_: Any) -> None:  # driving or not as the check mark says now
            submit(TripStart(seconds, driving=view().trip_driving))
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
        MenuItem("Trip mode", Menu(
            *[MenuItem(format_duration(s), trip(s)) for s in TRIP_CHOICES],
            MenuItem("Until I stop it", trip(None)),
            Menu.SEPARATOR,
            MenuItem("I'm driving", lambda *_: submit(TripDriving(not view().trip_driving)),
                     checked=lambda _item: view().trip_driving),
            MenuItem("Stop trip", send(TripStop()), enabled=lambda _item: view().trip),
        )),
        Menu.SEPARATOR,
        MenuItem("Statistics", send(ShowStatistics())),
        MenuItem("Open settings", send(OpenSettings())),
        MenuItem("Start at login", lambda *_: submit(SetAutostart(not login.is_on())),
                 checked=lambda _item: login.is_on()),
        MenuItem("Quit", send(Quit())),
    )
