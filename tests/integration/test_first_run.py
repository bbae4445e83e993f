"""The first ``deskbreak run`` for a user, as a real process: one hint, once, no entry.

deskbreak offers to start at login but never does it unasked: the hint is printed on the
first run only, and no run writes, re-creates or re-enables an autostart entry.
"""

from __future__ import annotations

from pathlib import Path

from tests.integration.conftest import RunningDaemon

HINT = "Start deskbreak at login: deskbreak autostart on"


def run_once(home: Path) -> str:
    daemon = RunningDaemon(home, 'interval = "30m"\n')
    try:
        daemon.status()
    finally:
        daemon.stop()
    return daemon.output.read_text()


def test_the_hint_comes_on_the_first_run_only_and_nothing_is_written(tmp_path: Path) -> None:
    home = tmp_path / "home"
    first = run_once(home)
    assert first.count(HINT) == 1
    assert '"Start at login"' not in first  # --no-tray: no tray item to point at
    assert HINT not in run_once(home)
    assert not (home / "config" / "autostart").exists()


def test_an_entry_the_user_turned_off_survives_runs_untouched(tmp_path: Path) -> None:
    home = tmp_path / "home"
    entry = home / "config" / "autostart" / "deskbreak.desktop"
    entry.parent.mkdir(parents=True)
    text = "[Desktop Entry]\nType=Application\nName=deskbreak\nExec=/usr/bin/deskbreak run\n" \
           "Hidden=true\n"
    entry.write_text(text)
    output = run_once(home)
    assert HINT in output  # it is off, so the first run says how to turn it on
    run_once(home)
    assert entry.read_text() == text
    assert sorted(p.name for p in entry.parent.iterdir()) == ["deskbreak.desktop"]
