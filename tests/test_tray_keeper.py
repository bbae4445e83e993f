"""The keeper between the core and the panel: fresh words when the menu opens, and no
signal to the host unless something it shows has changed."""

from __future__ import annotations

import pytest

from deskbreak.core.controller import Snapshot
from deskbreak.tray.keeper import TrayKeeper
from tests.test_presenter import snap
from tests.test_tray_sni import MENU_IFACE, Client, aio, fake_watcher
from tests.test_tray_sni import dbus_address as dbus_address  # the private bus fixture


@aio
async def test_the_menu_is_worded_afresh_when_the_panel_opens_it(
        dbus_address: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The daemon no longer wakes every minute to update "Next break in 12 min": the
    host's AboutToShow makes the keeper word the menu from the core's state right then."""
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", dbus_address)
    monkeypatch.delenv("DISPLAY", raising=False)  # the SNI icon alone, no XEmbed stand-in
    now: dict[str, Snapshot] = {"snap": snap(due_in=12 * 60)}
    keeper = TrayKeeper(lambda command: None, lambda: now["snap"])
    async with fake_watcher(dbus_address) as watcher:
        await keeper.open(now["snap"], (600.0,), (3600.0,))
        assert keeper.backend == "sni", keeper.notes
        await watcher.wait_items(1)
        host = await Client.connect(dbus_address, keeper.tray.icon.bus_name)  # type: ignore[union-attr]
        try:
            _, root = await host.layout()
            assert root["children"][0]["label"] == "Next break in 12 min"
            now["snap"] = snap(due_in=7 * 60)  # five minutes on; the daemon slept through
            assert await host.call("/MenuBar", MENU_IFACE, "AboutToShow", "i", [0]) == [True]
            _, root = await host.layout()
            assert root["children"][0]["label"] == "Next break in 7 min"
            assert await host.call("/MenuBar", MENU_IFACE, "AboutToShow", "i", [0]) == [False]
        finally:
            await keeper.close()
            host.bus.disconnect()


def test_the_xorg_stand_in_gets_a_title_it_can_name_its_window_with() -> None:
    """pystray's xorg backend encodes the window name as Latin-1 and raised on a dash,
    which cost the whole XEmbed icon; such characters become "?" instead."""
    from deskbreak.tray import latin1

    title = latin1("deskbreak: Next break in 20–25 min… café")
    title.encode("latin-1")
    assert title == "deskbreak: Next break in 20?25 min? café"
