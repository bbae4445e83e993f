"""The break history as a user meets it: real daemons record, ``deskbreak stats`` reads.

Every test drives a real ``deskbreak run`` through the command line and reads the
history back the way a user would, with ``deskbreak stats --json``; the SQLite file is
only touched to damage it, to check its modes, or to look for deleted records.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.test_daemon import wait
from tests.integration.conftest import ROOT, RunningDaemon
from tests.integration.test_cli_rules import one_line

CONFIG = 'interval = "30m"\n'  # no timed break comes during a test: only the ones asked for
COUNTS = ("breaks", "completed", "started", "snoozed", "skipped", "ignored", "due", "done")
GARBAGE = random.Random(7).randbytes(64 * 1024)


class Home:
    """One private home; daemons started in it one after another share its history."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.started: list[RunningDaemon] = []
        self.history = path / "state" / "deskbreak" / "history.sqlite3"

    def start(self, config: str = CONFIG) -> RunningDaemon:
        daemon = RunningDaemon(self.path, config)
        self.started.append(daemon)
        return daemon

    def asides(self) -> list[Path]:
        """The damaged files set aside (not their journals)."""
        return sorted(p for p in self.history.parent.glob("history.sqlite3.corrupt-*")
                      if not p.name.endswith(("-wal", "-shm")))

    def files(self) -> list[Path]:
        return sorted(self.history.parent.glob("history.sqlite3*"))


@pytest.fixture
def home(tmp_path: Path) -> Iterator[Home]:
    """A home for one or more daemons in turn; every one is stopped after the test."""
    place = Home(tmp_path / "home")
    yield place
    for daemon in place.started:
        daemon.stop()


def ok(daemon: RunningDaemon, *args: str) -> str:
    result = daemon.cli(*args)
    assert (result.returncode, result.stderr) == (0, ""), (args, result)
    return result.stdout


def stats(daemon: RunningDaemon, *args: str) -> dict[str, Any]:
    report: dict[str, Any] = json.loads(ok(daemon, "stats", "--json", *args))
    return report


def counts(day: dict[str, Any]) -> dict[str, int]:
    return {name: day[name] for name in COUNTS}


def history_notes(daemon: RunningDaemon) -> list[str]:
    return [note for note in daemon.status()["notes"] if note.startswith("history")]


def test_breaks_answered_through_the_cli_are_counted(home: Home) -> None:
    daemon = home.start()
    # Completed: shown, started, done.
    ok(daemon, "break-now")
    ok(daemon, "start")
    assert ok(daemon, "done").startswith("Done")
    # Snoozed, shown again by the timer, then skipped: one break, one snooze, one skip.
    ok(daemon, "break-now")
    assert ok(daemon, "snooze", "1s") == "Snoozed: next break in 1 s\n"
    wait(daemon.status, lambda s: s["showing"] is not None, "the snoozed break to come back")
    ok(daemon, "skip")
    # Asked for twice: the first one was left unanswered, so it is ignored.
    ok(daemon, "break-now")
    ok(daemon, "break-now")

    report = stats(daemon)
    expected = {"breaks": 4, "completed": 1, "started": 1, "snoozed": 1, "skipped": 1,
                "ignored": 1, "due": 4, "done": 1}
    assert counts(report["total"]) == expected
    assert report["total"]["adherence"] == 0.25
    today = dt.date.today().isoformat()
    assert report["to"] == today and report["days"][-1]["date"] == today
    assert len(report["days"]) == 7  # the default range, oldest first
    assert counts(report["days"][-1]) == expected
    assert all(counts(day) == dict.fromkeys(COUNTS, 0) for day in report["days"][:-1])
    assert report["recorded_since"] == today
    assert report["streak"] == {"current": 1, "best": 1}
    assert [day["date"] for day in stats(daemon, "--days", "1")["days"]] == [today]


def test_the_history_survives_kill_9_and_the_next_daemon_records_on(home: Home) -> None:
    daemon = home.start()
    ok(daemon, "break-now")
    ok(daemon, "start")
    ok(daemon, "done")
    ok(daemon, "break-now")
    ok(daemon, "skip")
    ok(daemon, "break-now")  # left on screen when the daemon dies
    before = counts(stats(daemon)["total"])
    assert before == {"breaks": 3, "completed": 1, "started": 1, "snoozed": 0, "skipped": 1,
                      "ignored": 0, "due": 3, "done": 1}
    os.kill(daemon.proc.pid, signal.SIGKILL)  # right after the last reply: no flush, no stop
    daemon.proc.wait(5)

    again = home.start()
    assert counts(stats(again)["total"]) == before
    ok(again, "break-now")
    ok(again, "start")
    ok(again, "done")
    after = {**before, "breaks": 4, "completed": 2, "started": 2, "due": 4, "done": 2}
    assert counts(stats(again)["total"]) == after
    assert history_notes(again) == [] and home.asides() == []
    again.stop()
    assert again.proc.returncode == 0
    assert counts(stats(again)["total"]) == after  # read without a daemon


def test_a_garbage_history_is_set_aside_and_a_new_one_started(home: Home) -> None:
    home.history.parent.mkdir(parents=True)
    home.history.write_bytes(GARBAGE)
    daemon = home.start()
    asides = home.asides()
    assert len(asides) == 1
    assert re.fullmatch(r"history\.sqlite3\.corrupt-\d{8}-\d{6}", asides[0].name)
    assert asides[0].read_bytes() == GARBAGE  # kept whole, for whoever wants to look

    ok(daemon, "break-now")
    ok(daemon, "skip")
    assert counts(stats(daemon)["total"]) == {
        "breaks": 1, "completed": 0, "started": 0, "snoozed": 0, "skipped": 1, "ignored": 0,
        "due": 1, "done": 0}
    ok(daemon, "break-now")
    notes = history_notes(daemon)
    assert len(notes) == 1, notes
    assert f"{home.history} is damaged" in notes[0] and f"moved to {asides[0].name}" in notes[0]
    said = [line for line in daemon.log().splitlines() if asides[0].name in line]
    assert len(said) == 1 and " WARNING " in said[0], said
    assert "Traceback" not in daemon.log()
    assert daemon.proc.poll() is None and home.asides() == asides


def _overwrite(path: Path, how: str) -> None:
    if how == "in place":  # cp, a stray redirect: the same inode, new bytes
        path.write_bytes(GARBAGE)
    else:  # mv, a sync tool, an editor's atomic save: a new file at the same name
        new = path.with_name("garbage.tmp")
        new.write_bytes(GARBAGE)
        os.replace(new, path)


@pytest.mark.parametrize(("restarted", "how"), [
    pytest.param(False, "in place", id="new-history-in-place"),
    pytest.param(False, "renamed over", id="new-history-renamed-over"),
    pytest.param(True, "in place", id="older-history-in-place"),
    pytest.param(True, "renamed over", id="older-history-renamed-over"),
])
def test_garbage_written_over_the_history_while_the_daemon_runs(
        home: Home, restarted: bool, how: str) -> None:
    """The daemon never dies, and what happens after the damage can be read back.

    What came before may be lost (the file was garbage), but then the damaged file is set
    aside and ``status`` says so. "new history": this daemon created the file, so every
    page is still in its WAL; "older history": the file predates this run (the usual case).
    """
    daemon = home.start()
    ok(daemon, "break-now")
    ok(daemon, "start")
    ok(daemon, "done")  # before the damage: one completed break
    if restarted:
        daemon.stop()
        daemon = home.start()
    _overwrite(home.history, how)

    ok(daemon, "break-now")
    ok(daemon, "skip")  # after the damage: one skipped break...
    looked = daemon.cli("stats", "--json")  # ...and the user looks at the statistics
    assert (looked.returncode, looked.stderr) == (0, ""), looked
    ok(daemon, "break-now")
    ok(daemon, "snooze", "30m")  # ...and one snoozed break

    def check(report: dict[str, Any], notes: list[str] | None) -> None:
        total = report["total"]
        assert (total["skipped"], total["snoozed"]) == (1, 1), total  # after: all there
        if total["completed"] != 1:  # before: lost only with the damaged file set aside
            assert total["completed"] == 0 and total["breaks"] == 2, total
            assert home.asides(), home.files()
            assert notes is None or any("moved to history.sqlite3.corrupt-" in note
                                        for note in notes), notes

    assert daemon.proc.poll() is None
    check(stats(daemon), history_notes(daemon))
    daemon.stop()
    assert daemon.proc.returncode == 0
    check(stats(daemon), None)  # nothing lost at the stop, read without a daemon
    again = home.start()
    check(stats(again), None)
    assert "Traceback" not in daemon.log()


def _forget(daemon: RunningDaemon, *args: str) -> subprocess.CompletedProcess[str]:
    """``stats --forget`` with no terminal at all (not even the one pytest runs in)."""
    return subprocess.run([sys.executable, "-m", "deskbreak", "stats", "--forget", *args],
                          env=daemon.env, stdin=subprocess.DEVNULL, capture_output=True,
                          text=True, timeout=60, check=False)


def test_forget_without_yes_and_without_a_terminal_refuses(home: Home) -> None:
    daemon = home.start()
    ok(daemon, "break-now")
    ok(daemon, "start")
    ok(daemon, "done")
    before = stats(daemon)
    result = _forget(daemon)
    assert (result.returncode, result.stdout) == (2, "")
    assert one_line(result.stderr) == \
        "deskbreak: stats --forget asks before deleting; add --yes to delete without asking"
    assert stats(daemon) == before
    daemon.stop()
    assert counts(stats(daemon)["total"])["completed"] == 1


def test_forget_yes_empties_the_history_and_recording_goes_on(home: Home) -> None:
    home.history.parent.mkdir(parents=True)
    home.history.write_bytes(GARBAGE)  # a damaged copy set aside: forgotten too
    daemon = home.start()
    assert len(home.asides()) == 1
    ok(daemon, "break-now")
    ok(daemon, "start")
    ok(daemon, "done")
    ok(daemon, "break-now")
    ok(daemon, "skip")
    old = {ex["id"] for ex in stats(daemon)["most_done"]}
    assert old

    result = _forget(daemon, "--yes")
    assert result.returncode == 0, result
    assert re.fullmatch(r"Deleted all \d+ records of your break history since "
                        r"\w{3} \d\d \w{3} \d{4} and 1 damaged copy set aside\.\n",
                        result.stdout), result.stdout
    emptied = stats(daemon)
    assert counts(emptied["total"]) == dict.fromkeys(COUNTS, 0)
    assert emptied["recorded_since"] is None and emptied["most_done"] == []
    assert home.asides() == []
    raw = b"".join(path.read_bytes() for path in home.files())
    assert not [ident for ident in old if ident.encode() in raw]  # gone for good

    ok(daemon, "break-now")
    ok(daemon, "snooze", "30m")
    new = {"breaks": 1, "completed": 0, "started": 0, "snoozed": 1, "skipped": 0,
           "ignored": 0, "due": 1, "done": 0}
    assert counts(stats(daemon)["total"]) == new
    assert daemon.proc.poll() is None
    daemon.stop()
    # A break still snoozed when deskbreak stopped never came back: not held against you.
    assert counts(stats(home.start())["total"]) == {**new, "due": 0}


def test_forget_yes_of_a_damaged_history_while_the_daemon_runs(home: Home) -> None:
    daemon = home.start()
    ok(daemon, "break-now")
    ok(daemon, "skip")
    daemon.stop()
    daemon = home.start()
    home.history.write_bytes(GARBAGE)
    ok(daemon, "break-now")
    ok(daemon, "skip")
    # The daemon saw the damage at its next record: set aside, and a new file started.
    assert len(home.asides()) == 1
    assert len([n for n in daemon.status()["notes"] if "history" in n]) == 1
    result = _forget(daemon, "--yes")
    assert result.returncode == 0 and result.stdout == \
        f"Deleted all 2 records of your break history since " \
        f"{dt.date.today():%a %d %b %Y} and 1 damaged copy set aside.\n", result
    ok(daemon, "break-now")
    ok(daemon, "snooze", "30m")
    assert counts(stats(daemon)["total"]) == {
        "breaks": 1, "completed": 0, "started": 0, "snoozed": 1, "skipped": 0, "ignored": 0,
        "due": 1, "done": 0}


def test_the_history_and_its_journals_are_private(home: Home) -> None:
    old = os.umask(0)  # the daemon inherits it: only its own care keeps the files private
    try:
        daemon = home.start()
    finally:
        os.umask(old)
    ok(daemon, "break-now")
    ok(daemon, "skip")
    paths = home.files()
    assert [p.name for p in paths] == \
        ["history.sqlite3", "history.sqlite3-shm", "history.sqlite3-wal"]
    assert {p.name: oct(p.stat().st_mode & 0o777) for p in paths} == \
        dict.fromkeys((p.name for p in paths), "0o600")
    daemon.stop()
    home.history.chmod(0o644)  # a copy brought in from elsewhere
    again = home.start()
    ok(again, "break-now")
    assert {p.name: oct(p.stat().st_mode & 0o777) for p in home.files()} == \
        dict.fromkeys((p.name for p in home.files()), "0o600")


def test_record_false_records_nothing(home: Home) -> None:
    daemon = home.start(CONFIG + "[history]\nrecord = false\n")
    assert daemon.status()["history"] is None
    ok(daemon, "break-now")
    ok(daemon, "start")
    ok(daemon, "done")
    ok(daemon, "break-now")
    ok(daemon, "skip")
    report = stats(daemon)
    assert counts(report["total"]) == dict.fromkeys(COUNTS, 0)
    assert report["recorded_since"] is None
    daemon.stop()
    assert daemon.proc.returncode == 0
    assert home.files() == []


@pytest.mark.parametrize(("args", "problem"), [
    (["--days", "0"], "argument --days: 0 is out of range (1 to 3660 days)"),
    (["--days", "x"], "argument --days: expected a whole number of days, got 'x'"),
    (["--days", "99999999999999999999"],
     "argument --days: 99999999999999999999 is out of range (1 to 3660 days)"),
    (["--chart", "out.gif"], "--chart: 'out.gif' must end in .png or .svg"),
    (["--week", "--month"], "argument --month: not allowed with argument --week"),
    (["--open"], "--open only goes with --chart FILE"),
])
def test_bad_stats_arguments_are_one_line_and_exit_2(tmp_path: Path, args: list[str],
                                                     problem: str) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for var in ("DISPLAY", "WAYLAND_DISPLAY", "DBUS_SESSION_BUS_ADDRESS", "DESKBREAK_CONFIG"):
        env.pop(var, None)
    for var, name in (("XDG_CONFIG_HOME", "config"), ("XDG_STATE_HOME", "state"),
                      ("XDG_RUNTIME_DIR", "runtime")):
        env[var] = str(tmp_path / name)
    work = tmp_path / "work"
    work.mkdir()
    result = subprocess.run([sys.executable, "-m", "deskbreak", "stats", *args], env=env,
                            cwd=work, stdin=subprocess.DEVNULL, capture_output=True,
                            text=True, timeout=60, check=False)
    assert (result.returncode, result.stdout) == (2, "")
    line = one_line(result.stderr)
    assert line.startswith("deskbreak: ") and problem in line, line
    assert list(work.iterdir()) == []  # no chart, no half-written file
