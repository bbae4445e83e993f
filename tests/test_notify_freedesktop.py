"""The Linux notification backend against a private dbus-daemon and a fake server.

The fake serves ``org.freedesktop.Notifications`` as the spec has it, records every
Notify and CloseNotification call, and sends ActionInvoked / NotificationClosed the way a
server does when the user presses a button; the test then sees exactly what a real server
would receive and what the daemon would be told. tests/e2e drives real dunst.
"""


import asyncio
import functools
import os
import shutil
import subprocess
import sys
import textwrap
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager
from dataclasses import replace
from pathlib import Path
from typing import Annotated, Any

import pytest
from dbus_fast import Variant
from dbus_fast.aio import MessageBus
from dbus_fast.annotations import DBusBool, DBusInt32, DBusSignature, DBusStr, DBusUInt32
from dbus_fast.constants import PropertyAccess
from dbus_fast.service import ServiceInterface, dbus_method, dbus_property, dbus_signal

from deskbreak import appicon
from deskbreak.core.commands import Command, Done, Skip, Snooze, Start
from deskbreak.notify import NotifierChain, freedesktop
from deskbreak.notify.base import BreakNotice, NotifierUnavailable
from deskbreak.notify.freedesktop import FreedesktopNotifier

ROOT = Path(__file__).resolve().parents[1]
SERVICE = "org.freedesktop.Notifications"
PATH = "/org/freedesktop/Notifications"
NOTICE = BreakNotice("standing-backbend", "Time to move: Standing backbend",
                     "Hands on hips, lean back gently.\nAbout 30 s.", "1. Stand up.")
FULL = ["actions", "body", "icon-static"]


#: A session bus that starts no services: the system's (dunst's D-Bus activation file, say)
#: would put a real server, or a failed attempt at one, where a test wants none.
BUS_CONFIG = """<busconfig>
  <type>session</type>
  <listen>unix:tmpdir=/tmp</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"""


@pytest.fixture(scope="module")
def bus_address(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A private session bus; missing dbus-daemon is a failure, never a skip."""
    exe = shutil.which("dbus-daemon")
    if exe is None:
        pytest.fail("dbus-daemon is required to test notifications (Debian package: dbus)")
    config = tmp_path_factory.mktemp("bus") / "session.conf"
    config.write_text(BUS_CONFIG)
    proc = subprocess.Popen([exe, f"--config-file={config}", "--nofork", "--print-address"],
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    address = proc.stdout.readline().strip()
    assert address, "dbus-daemon printed no address"
    yield address
    proc.terminate()
    proc.wait(timeout=5)


@pytest.fixture
def session(bus_address: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """The private bus as this test's session bus (what the backend connects to)."""
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", bus_address)
    return bus_address


def aio(fn: Callable[..., Awaitable[None]]) -> Callable[..., None]:
    """Run an async test on a fresh loop, with a time limit."""

    @functools.wraps(fn)
    def run(*args: Any, **kwargs: Any) -> None:
        asyncio.run(asyncio.wait_for(fn(*args, **kwargs), timeout=15))

    return run


class FakeServer(ServiceInterface):
    """A notification server: records calls, and answers like one when told to."""

    def __init__(self, bus: MessageBus, caps: list[str], name: str) -> None:
        super().__init__(SERVICE)
        self.bus, self.caps, self.server_name = bus, caps, name
        self.calls: list[list[Any]] = []
        self.closed: list[int] = []
        self.next_id = 0

    @dbus_method()
    def GetCapabilities(self) -> Annotated[list[str], DBusSignature("as")]:
        return self.caps

    @dbus_method()
    def GetServerInformation(self) -> Annotated[list[str], DBusSignature("ssss")]:
        return [self.server_name, "deskbreak tests", "1", "1.2"]

    @dbus_method()
    def Notify(self, app_name: DBusStr, replaces_id: DBusUInt32, app_icon: DBusStr,
               summary: DBusStr, body: DBusStr,
               actions: Annotated[list[str], DBusSignature("as")],
               hints: Annotated[dict[str, Variant], DBusSignature("a{sv}")],
               expire_timeout: DBusInt32) -> DBusUInt32:
        self.calls.append([app_name, replaces_id, app_icon, summary, body, actions, hints,
                           expire_timeout])
        if replaces_id:
            return replaces_id
        self.next_id += 1
        return self.next_id

    @dbus_method()
    def CloseNotification(self, nid: DBusUInt32) -> None:
        self.closed.append(nid)
        self.NotificationClosed(nid, 3)

    @dbus_signal()
    def ActionInvoked(self, nid: DBusUInt32, key: DBusStr) -> Annotated[list[Any],
                                                                       DBusSignature("us")]:
        return [nid, key]

    @dbus_signal()
    def NotificationClosed(self, nid: DBusUInt32, reason: DBusUInt32
                           ) -> Annotated[list[Any], DBusSignature("uu")]:
        return [nid, reason]

    def press(self, nid: int, key: str) -> None:
        """The user chose an action: the server says so, then closes the bubble."""
        self.ActionInvoked(nid, key)
        self.NotificationClosed(nid, 2)

    def last(self) -> dict[str, Any]:
        names = ("app_name", "replaces_id", "app_icon", "summary", "body", "actions",
                 "hints", "expire_timeout")
        return dict(zip(names, self.calls[-1], strict=True))

    async def quit(self) -> None:
        if self.bus.connected:
            self.bus.disconnect()
            await self.bus.wait_for_disconnect()


class PlasmaServer(FakeServer):
    """KDE Plasma's server: do-not-disturb as the freedesktop ``Inhibited`` property."""

    inhibited = False

    @dbus_property(access=PropertyAccess.READ)
    def Inhibited(self) -> DBusBool:
        return self.inhibited


@asynccontextmanager
async def serving(address: str, caps: list[str] | None = None, name: str = "fake",
                  kind: type[FakeServer] = FakeServer) -> AsyncIterator[FakeServer]:
    bus = await MessageBus(bus_address=address).connect()
    server = kind(bus, FULL if caps is None else caps, name)
    bus.export(PATH, server)
    await bus.request_name(SERVICE)
    try:
        yield server
    finally:
        await server.quit()


class Answers:
    """The daemon's side: the commands the notifications answered with."""

    def __init__(self) -> None:
        self.got: list[Command] = []
        self.event = asyncio.Event()

    def __call__(self, command: Command) -> None:
        self.got.append(command)
        self.event.set()

    async def next(self) -> Command:
        await asyncio.wait_for(self.event.wait(), 5)
        self.event.clear()
        return self.got.pop(0)


async def settle() -> None:
    """Let signals in flight reach the backend (a round trip on the bus is enough)."""
    await asyncio.sleep(0.2)


@aio
async def test_a_break_is_sent_with_deskbreaks_name_icon_buttons_and_timeout(
        session: str) -> None:
    async with serving(session) as server:
        notifier = FreedesktopNotifier(Answers())
        await notifier.start()
        await notifier.show(NOTICE)
        sent = server.last()
        assert sent["app_name"] == "deskbreak" and sent["replaces_id"] == 0
        assert sent["app_icon"] == appicon.png(128).as_uri()
        assert sent["summary"] == NOTICE.title and sent["body"] == NOTICE.body
        assert sent["actions"] == ["default", "", "start", "Start", "snooze", "Snooze",
                                   "skip", "Skip"]
        assert sent["hints"] == {"urgency": Variant("y", 1)}
        assert sent["expire_timeout"] == 120_000
        await notifier.inform("deskbreak: settings not applied", "snooze: not a time")
        assert server.last()["actions"] == ["default", ""]
        assert server.last()["expire_timeout"] == 30_000
        await notifier.close()


@aio
async def test_a_trip_break_asks_for_the_desktops_sound_and_a_stop_offers_no_start(
        session: str) -> None:
    async with serving(session) as server:
        answers = Answers()
        notifier = FreedesktopNotifier(answers)
        stop = BreakNotice("driving-stop", "Time to move: stop for a break", "Stop.",
                           "Stop.", snoozable=False, startable=False, sound=True)
        await notifier.show(stop)
        sent = server.last()
        assert sent["hints"]["sound-name"] == Variant("s", "default")
        assert sent["actions"] == ["default", "", "skip", "Skip"]
        server.press(1, "default")  # a click on the body starts nothing here
        await settle()
        assert answers.got == []
        await notifier.close()


@aio
async def test_buttons_and_a_click_on_the_body_answer_with_their_commands(
        session: str) -> None:
    async with serving(session) as server:
        answers = Answers()
        notifier = FreedesktopNotifier(answers)
        for key, command in (("start", Start()), ("snooze", Snooze()), ("skip", Skip()),
                             ("default", Start())):
            await notifier.show(NOTICE)
            server.press(server.next_id, key)
            assert await answers.next() == command
        server.press(server.next_id, "skip")  # answered already: said once only
        await settle()
        assert answers.got == []
        await notifier.show_steps(NOTICE)
        sent = server.last()
        assert sent["body"] == NOTICE.steps and sent["expire_timeout"] == 300_000
        assert sent["actions"] == ["default", "", "done", "Done"]
        server.press(server.next_id, "done")
        assert await answers.next() == Done()
        assert "image-path" not in sent["hints"]  # a notice with no picture sends none
        await notifier.close()


@aio
async def test_the_steps_show_the_held_position_beside_them(session: str,
                                                           tmp_path: Path) -> None:
    picture = tmp_path / "held.png"
    async with serving(session) as server:
        notifier = FreedesktopNotifier(Answers())
        await notifier.show(replace(NOTICE, picture=str(picture)))
        assert "image-path" not in server.last()["hints"]  # the break itself: text only
        await notifier.show_steps(replace(NOTICE, picture=str(picture)))
        assert server.last()["hints"]["image-path"] == Variant("s", picture.as_uri())
        await notifier.close()


@aio
async def test_another_program_cannot_press_our_buttons(session: str) -> None:
    async with serving(session) as server:
        answers = Answers()
        notifier = FreedesktopNotifier(answers)
        await notifier.show(NOTICE)
        impostor_bus = await MessageBus(bus_address=session).connect()
        impostor = FakeServer(impostor_bus, FULL, "impostor")
        impostor_bus.export(PATH, impostor)
        impostor.ActionInvoked(server.next_id, "skip")
        await settle()
        assert answers.got == []
        await impostor.quit()
        await notifier.close()


@aio
async def test_withdraw_closes_the_break_and_its_buttons_go_with_it(session: str) -> None:
    async with serving(session) as server:
        answers = Answers()
        notifier = FreedesktopNotifier(answers)
        await notifier.show(NOTICE)
        await notifier.withdraw()
        assert server.closed == [server.next_id]
        server.ActionInvoked(server.next_id, "start")
        await settle()
        assert answers.got == []
        await notifier.withdraw()  # nothing shown: nothing called
        assert len(server.closed) == 1
        await notifier.close()


@aio
async def test_a_new_break_replaces_an_unanswered_one_but_not_a_closed_one(
        session: str) -> None:
    async with serving(session) as server:
        answers = Answers()
        notifier = FreedesktopNotifier(answers)
        await notifier.show(NOTICE)
        first = server.next_id
        await notifier.show(NOTICE)
        assert server.last()["replaces_id"] == first
        server.press(first, "snooze")  # the replacing break's buttons work
        assert await answers.next() == Snooze()
        await notifier.show(NOTICE)
        assert server.last()["replaces_id"] == 0
        server.NotificationClosed(server.next_id, 1)  # expired
        await settle()
        await notifier.show(NOTICE)
        assert server.last()["replaces_id"] == 0
        await notifier.show_steps(NOTICE)  # `deskbreak start` typed: steps replace it
        assert server.last()["replaces_id"] == server.next_id
        await notifier.close()


@aio
async def test_a_server_without_actions_gets_the_commands_in_the_text(session: str) -> None:
    async with serving(session, caps=["body"]) as server:
        notifier = FreedesktopNotifier(Answers())
        await notifier.show(NOTICE)
        sent = server.last()
        assert sent["actions"] == [] and not notifier.has_actions
        assert sent["body"] == NOTICE.body + "\n(answer with: deskbreak start | snooze | skip)"
        await notifier.show_steps(NOTICE)
        assert server.last()["body"] == NOTICE.steps + "\n(when it is done: deskbreak done)"
        await notifier.inform("title", "body")
        assert server.last()["body"] == "body"
        await notifier.close()


@aio
async def test_markup_servers_get_the_body_escaped_and_xfce_no_default_action(
        session: str) -> None:
    async with serving(session, caps=[*FULL, "body-markup"], name="Xfce Notify Daemon"
                       ) as server:
        notifier = FreedesktopNotifier(Answers())
        await notifier.inform("Sit & breathe", "in <4> & out")
        sent = server.last()
        assert sent["body"] == "in &lt;4&gt; &amp; out" and sent["summary"] == "Sit & breathe"
        await notifier.show(NOTICE)
        assert server.last()["actions"][:2] == ["start", "Start"]
        await notifier.close()


@aio
async def test_no_server_is_unavailable_and_one_that_comes_later_is_used(
        session: str) -> None:
    notifier = FreedesktopNotifier(Answers())
    with pytest.raises(NotifierUnavailable, match="no notification server"):
        await notifier.start()
    async with serving(session) as server:
        await notifier.start()
        await notifier.show(NOTICE)
        assert len(server.calls) == 1
    await notifier.close()


@aio
async def test_a_server_that_vanishes_is_unavailable_and_a_new_one_is_found(
        session: str) -> None:
    answers = Answers()
    notifier = FreedesktopNotifier(answers)
    async with serving(session) as server:
        await notifier.show(NOTICE)
        assert len(server.calls) == 1
    await settle()
    with pytest.raises(NotifierUnavailable):
        await notifier.show(NOTICE)
    async with serving(session, name="restarted") as again:
        await notifier.show(NOTICE)
        sent = again.last()
        assert sent["replaces_id"] == 0 and sent["app_name"] == "deskbreak"
        again.press(again.next_id, "skip")
        assert await answers.next() == Skip()
    await notifier.close()


@aio
async def test_a_server_replaced_between_breaks_gets_the_next_one(session: str) -> None:
    """A restart faster than a break: the old server's name is gone at the next Notify."""
    notifier = FreedesktopNotifier(Answers())
    async with serving(session):
        await notifier.show(NOTICE)
    async with serving(session, name="restarted") as again:
        await notifier.show(NOTICE)
        assert len(again.calls) == 1
    await notifier.close()


@aio
async def test_the_chain_uses_this_backend_on_linux_under_its_usual_name(
        session: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "platform", "linux")
    async with serving(session) as server:
        chain = NotifierChain("auto", lambda command: None)
        assert await chain.start() == "desktop-notifier"
        assert isinstance(chain.current, FreedesktopNotifier)
        await chain.show(NOTICE)
        assert server.calls
        await chain.close()


def test_a_missing_icon_file_means_no_icon_not_pythons(monkeypatch: pytest.MonkeyPatch,
                                                        caplog: pytest.LogCaptureFixture
                                                        ) -> None:
    def missing(size: int) -> Path:
        raise FileNotFoundError(f"deskbreak's icon file is missing: deskbreak-{size}.png")

    monkeypatch.setattr(appicon, "png", missing)
    assert freedesktop.icon_uri() == ""
    assert "without deskbreak's icon" in caplog.text


CHILD = textwrap.dedent("""
    import asyncio, sys
    import deskbreak.daemon, deskbreak.tray.sni  # what the daemon loads
    from deskbreak.notify import NotifierChain
    from deskbreak.notify.base import BreakNotice

    async def main():
        chain = NotifierChain("auto", lambda command: None)
        name = await chain.start()
        await chain.show(BreakNotice("x", "Time to move: x", "body", "steps"))
        await chain.close()
        print(name, "desktop_notifier" in sys.modules)

    asyncio.run(main())
""")


@aio
async def test_the_linux_daemon_never_imports_desktop_notifier(session: str) -> None:
    async with serving(session) as server:
        child = await asyncio.create_subprocess_exec(
            sys.executable, "-c", CHILD, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env={**os.environ, "PYTHONPATH": str(ROOT)}, cwd=ROOT)
        out, err = await child.communicate()
        assert child.returncode == 0, err.decode()
        assert out.decode().split() == ["desktop-notifier", "False"]
        assert len(server.calls) == 1


@aio
async def test_plasma_s_do_not_disturb_holds_breaks_and_other_servers_lack_it(
        session: str) -> None:
    """KDE's do-not-disturb is the server's Inhibited property: read when a break is
    due; a server without it is not a source (one line in status says so)."""
    from deskbreak.dnd.base import DndUnavailable
    from deskbreak.dnd.server_flag import NotificationsInhibited

    async with serving(session, kind=PlasmaServer) as server:
        assert isinstance(server, PlasmaServer)
        source = NotificationsInhibited()
        await source.start()
        assert await source.reason() is None
        server.inhibited = True
        assert await source.reason() == "notifications off (do not disturb)"
        server.inhibited = False
        assert await source.reason() is None
        await source.close()
    async with serving(session):
        with pytest.raises(DndUnavailable, match="no Inhibited property"):
            await NotificationsInhibited().start()
