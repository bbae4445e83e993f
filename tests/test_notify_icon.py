"""Notifications say they come from deskbreak: its name and its icon, never Python's logo.

desktop-notifier is driven down to the D-Bus Notify call with a fake server interface, so
the test sees the exact app_name and app_icon arguments a notification server would get
(tests/e2e/test_appicon.py checks the same on a real bus). plyer is driven with a fake
facade, once as its notify-send implementation, which reads other argument names.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from desktop_notifier import DEFAULT_ICON

from deskbreak import appicon
from deskbreak.notify import desktop, plyer_backend
from deskbreak.notify.base import BreakNotice
from deskbreak.notify.desktop import DesktopNotifierBackend
from deskbreak.notify.plyer_backend import PlyerNotifier

NOTICE = BreakNotice("standing-backbend", "Time to move: Standing backbend",
                     "Hands on hips, lean back gently.\nAbout 30 s.", "1. Stand up.")


class FakeNotificationsInterface:
    """The org.freedesktop.Notifications proxy desktop-notifier talks to, recording Notify."""

    def __init__(self) -> None:
        self.calls: list[tuple[Any, ...]] = []
        signatures = ("s", "u", "s", "s", "s", "as", "a{sv}", "i")  # the spec's Notify
        notify = SimpleNamespace(name="Notify",
                                 in_args=[SimpleNamespace(signature=s) for s in signatures])
        self.introspection = SimpleNamespace(methods=[notify])

    async def call_get_server_information(self) -> list[str]:
        return ["fake", "deskbreak tests", "1", "1.2"]

    async def call_get_capabilities(self) -> list[str]:
        return ["actions", "body", "icon-static"]

    async def call_notify(self, *args: Any) -> int:
        self.calls.append(args)
        return len(self.calls)


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch) -> tuple[DesktopNotifierBackend,
                                                       FakeNotificationsInterface]:
    """A started desktop-notifier backend whose D-Bus side is the fake interface."""

    async def present() -> None:
        return None

    monkeypatch.setattr(desktop, "linux_service_present", present)
    monkeypatch.setattr(desktop.sys, "platform", "linux")
    backend = DesktopNotifierBackend(lambda command: None)
    asyncio.run(backend.start())
    interface = FakeNotificationsInterface()
    dbus_backend = backend._notifier._backend
    if not hasattr(dbus_backend, "interface"):
        pytest.skip(f"desktop-notifier chose {type(dbus_backend).__name__}, not D-Bus")
    dbus_backend.interface = interface
    return backend, interface


def test_desktop_notifier_is_created_with_deskbreaks_name_and_icon(
        started: tuple[DesktopNotifierBackend, FakeNotificationsInterface]) -> None:
    backend, _ = started
    assert backend._notifier.app_name == "deskbreak"
    icon = backend._notifier.app_icon
    assert icon is not None and icon != DEFAULT_ICON
    assert icon.path == appicon.png(desktop.ICON_SIZE)


def test_the_notify_call_names_deskbreak_and_its_icon_file(
        started: tuple[DesktopNotifierBackend, FakeNotificationsInterface]) -> None:
    backend, interface = started
    asyncio.run(backend.show(NOTICE))
    (call,) = interface.calls
    app_name, _replaces, app_icon, summary = call[:4]
    assert app_name == "deskbreak"
    assert summary == NOTICE.title
    assert app_icon == appicon.png(128).as_uri()
    assert "python" not in app_icon.lower()
    assert Path(app_icon.removeprefix("file://")).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_missing_icon_file_means_no_icon_not_pythons(monkeypatch: pytest.MonkeyPatch,
                                                        caplog: pytest.LogCaptureFixture
                                                        ) -> None:
    def missing(size: int) -> Path:
        raise FileNotFoundError(f"deskbreak's icon file is missing: deskbreak-{size}.png")

    monkeypatch.setattr(appicon, "png", missing)
    assert desktop.app_icon() is None
    assert "without deskbreak's icon" in caplog.text


class FakeFacade:
    """plyer's ``notification`` proxy: ``_notify`` is bound to the platform object."""

    def __init__(self, implementation: object) -> None:
        self.implementation = implementation
        self.public: list[dict[str, Any]] = []

    @property
    def _notify(self) -> Any:
        return self.implementation._notify  # type: ignore[attr-defined]

    def notify(self, **kwargs: Any) -> None:
        self.public.append(kwargs)


class NotifySendNotification:
    """Named as plyer 2.1's notify-send implementation, which reads `icon`/`expire_time`."""

    def __init__(self) -> None:
        self.private: list[dict[str, Any]] = []

    def _notify(self, **kwargs: Any) -> None:
        self.private.append(kwargs)


class NotifyDbus(NotifySendNotification):
    """Any other implementation: it must get the public call."""


def send_through_plyer(monkeypatch: pytest.MonkeyPatch, facade: FakeFacade,
                       platform: str = "linux") -> None:
    import plyer

    monkeypatch.setattr(plyer, "notification", facade)
    monkeypatch.setattr(plyer_backend.sys, "platform", platform)
    asyncio.run(PlyerNotifier(lambda command: None).show(NOTICE))


def test_plyer_gets_deskbreaks_name_and_icon(monkeypatch: pytest.MonkeyPatch) -> None:
    facade = FakeFacade(NotifyDbus())
    send_through_plyer(monkeypatch, facade)
    (call,) = facade.public
    assert call["app_name"] == "deskbreak"
    assert call["app_icon"] == str(appicon.png(128))
    assert call["title"] == NOTICE.title and call["timeout"] == 120


def test_plyer_on_windows_gets_the_ico_file(monkeypatch: pytest.MonkeyPatch) -> None:
    facade = FakeFacade(NotifyDbus())
    send_through_plyer(monkeypatch, facade, platform="win32")
    assert facade.public[0]["app_icon"] == str(appicon.ico())


def test_plyers_notify_send_gets_the_icon_and_timeout_it_reads(
        monkeypatch: pytest.MonkeyPatch) -> None:
    implementation = NotifySendNotification()
    facade = FakeFacade(implementation)
    send_through_plyer(monkeypatch, facade)
    assert facade.public == []
    (call,) = implementation.private
    assert call["app_name"] == "deskbreak"
    assert call["icon"] == str(appicon.png(128))
    assert call["expire_time"] == "120000"  # milliseconds, as notify-send -t wants
