"""The first ``deskbreak run`` for a user, as a real process: the hints, once, no entry.

deskbreak offers to start at login but never does it unasked: the hint is printed on the
first run a person watches (its output is a terminal: a pseudo-terminal here) and only
then; a run started by the launcher or at login, whose output nobody reads, neither
prints it nor uses it up; and no run writes, re-creates or re-enables an autostart entry.
"""

from __future__ import annotations

from pathlib import Path

from tests.integration.conftest import RunningDaemon

HINT = "Start deskbreak at login: deskbreak autostart on"
DOCTOR = "check with your doctor or physiotherapist before starting"


def run_once(home: Path, *, terminal: bool = True) -> str:
    daemon = RunningDaemon(home, 'interval = "30m"\n', terminal=terminal)
    try:
        daemon.status()
    finally:
        daemon.stop()
    return daemon.output.read_text()


def test_the_hint_comes_on_the_first_run_only_and_nothing_is_written(tmp_path: Path) -> None:
    home = tmp_path / "home"
    first = run_once(home)
    assert first.count(HINT) == 1
    assert first.count(DOCTOR) == 1  # the source pages' advice, once, never at breaks
    assert '"Start at login"' not in first  # --no-tray: no tray item to point at
    again = run_once(home)
    assert HINT not in again and DOCTOR not in again
    assert not (home / "config" / "autostart").exists()


def test_a_run_nobody_watches_leaves_the_hint_for_one_somebody_does(tmp_path: Path) -> None:
    """Started from the launcher or at login, stdout is a file or nothing: not a word
    there, and the first run from a terminal still gets the hint."""
    home = tmp_path / "home"
    for _ in range(2):
        assert HINT not in run_once(home, terminal=False)
    assert run_once(home).count(HINT) == 1
    assert HINT not in run_once(home)


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
