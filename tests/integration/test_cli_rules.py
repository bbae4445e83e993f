"""The command rules and live settings, through the ``deskbreak`` CLI against a real daemon."""

from __future__ import annotations

import os
import re
import signal
import time
from collections.abc import Callable

from tests.e2e.test_daemon import wait
from tests.integration.conftest import RunningDaemon

Start = Callable[..., RunningDaemon]


def one_line(stderr: str) -> str:
    lines = stderr.splitlines()
    assert len(lines) == 1, stderr
    return lines[0]


def test_snooze_and_skip_while_paused_are_refused_with_a_reason(start_daemon: Start) -> None:
    daemon = start_daemon()
    assert daemon.cli("pause").stdout == "Paused until resumed\n"
    before = daemon.status()
    assert "Paused until:  you resume\n" in daemon.cli("status").stdout
    for command in ("snooze", "skip"):
        result = daemon.cli(command)
        assert (result.returncode, result.stdout) == (1, "")
        assert one_line(result.stderr) == f"deskbreak: paused: nothing to {command}; resume first"
    assert daemon.status() == before
    assert daemon.cli("resume").stdout == "Resumed: next break in 30 min\n"
    again = daemon.cli("resume")
    assert again.returncode == 1 and one_line(again.stderr) == \
        "deskbreak: not paused: nothing to resume"


def test_break_now_while_paused_shows_the_break_and_keeps_the_pause(start_daemon: Start) -> None:
    daemon = start_daemon()
    assert daemon.cli("pause", "2h").stdout == "Paused for 2 h\n"
    paused = daemon.status()
    result = daemon.cli("break-now")
    assert (result.returncode, result.stdout) == (0, "Break now (still paused)\n")
    wait(daemon.output.read_text, lambda text: "Time to move: " in text,
             "the break on the daemon's terminal")
    after = daemon.status()
    assert after["state"] == "paused" and after["paused_until"] == paused["paused_until"]
    assert after["showing"] is not None


def test_durations_out_of_range_are_one_line_errors(start_daemon: Start) -> None:
    daemon = start_daemon()
    before = daemon.status()
    for args, problem in ((["pause", "1000000000d"], "too long: '1000000000d' (at most 7 d)"),
                          (["pause", "8d"], "too long: '8d' (at most 7 d)"),
                          (["snooze", "2d"], "too long: '2d' (at most 24 h)"),
                          (["pause", "9" * 400 + "d"], "too long")):
        result = daemon.cli(*args)
        assert (result.returncode, result.stdout) == (2, "")
        assert problem in one_line(result.stderr)
    assert daemon.status()["state"] == before["state"] == "running"
    assert daemon.cli("pause", "7d").stdout == "Paused for 7 d\n"
    assert re.search(r"\nPaused until: +\w{3} \d\d \w{3} \d\d:\d\d\n", daemon.cli("status").stdout)


def test_context_from_the_command_line(start_daemon: Start) -> None:
    daemon = start_daemon()
    assert daemon.cli("context", "travel").stdout == "Context: travel\n"
    assert daemon.status()["context"] == "travel"
    bad = daemon.cli("context", "office")
    assert bad.returncode == 2 and "invalid choice" in bad.stderr


def test_an_edited_config_applies_by_itself(start_daemon: Start) -> None:
    daemon = start_daemon('interval = "3s"\n')  # wakes every 3 s: the edit is seen soon
    daemon.config.write_text('interval = "20m"\ncontext = "travel"\n')
    after = wait(daemon.status, lambda s: s["interval"] == 1200, "the edit to apply")
    assert after["context"] == "travel" and after["config_error"] is None
    assert "settings reloaded from" in daemon.log()


def test_an_edit_wakes_a_sleeping_daemon_at_once(start_daemon: Start) -> None:
    """The default 30-minute interval: nothing planned for minutes, yet the edit applies
    within a second or two (the file watch wakes the loop; no minute-long look)."""
    daemon = start_daemon()
    assert not any("no change watch" in note for note in daemon.status()["notes"])
    time.sleep(1)
    saved = time.monotonic()
    daemon.config.write_text('interval = "20m"\n')
    wait(daemon.status, lambda s: s["interval"] == 1200, "the edit to apply", timeout=10)
    assert time.monotonic() - saved < 5
    assert "settings reloaded from" in daemon.log()


def test_reload_and_sighup_apply_an_edit_at_once(start_daemon: Start) -> None:
    daemon = start_daemon()
    daemon.config.write_text('interval = "45m"\n')
    result = daemon.cli("reload")
    assert result.stdout == f"Settings reloaded from {daemon.config}\n"
    assert daemon.status()["interval"] == 2700
    daemon.config.write_text('interval = "50m"\n')
    os.kill(daemon.proc.pid, signal.SIGHUP)
    wait(daemon.status, lambda s: s["interval"] == 3000, "SIGHUP to reload", 5)


def test_a_broken_edit_keeps_the_last_good_settings(start_daemon: Start) -> None:
    daemon = start_daemon('interval = "45m"\n')
    daemon.config.write_text('interval = "45m"\nx = ' + "[" * 3000 + "\n")
    result = daemon.cli("reload")
    assert result.returncode == 2
    error = f"{daemon.config}: invalid TOML: nested too deeply"
    assert one_line(result.stderr) == f"deskbreak: {error} (still using the last good settings)"
    status = daemon.status()
    assert status["interval"] == 2700 and status["config_error"] == error
    text = daemon.cli("status").stdout
    assert f"settings not applied: {error}; still using the last good settings" in text
    assert "Traceback" not in daemon.log()
    daemon.config.write_text('interval = "40m"\n')
    assert daemon.cli("reload").returncode == 0
    assert daemon.status()["config_error"] is None
