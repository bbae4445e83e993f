"""The ``deskbreak`` command as a user meets it: output, exit codes, one-line errors."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

import deskbreak
from deskbreak import paths
from deskbreak.catalogue import DOCTOR_NOTE, Exercise, load_builtin

Cli = Callable[..., tuple[int, str, str]]
Proc = Callable[..., subprocess.CompletedProcess[str]]

GOOD = Path(__file__).resolve().parent / "configs" / "good"
CONTROL = ["status", "pause", "resume", "snooze", "skip", "break-now", "done", "context",
           "reload", "quit"]


@pytest.fixture(scope="module")
def builtin() -> list[Exercise]:
    return load_builtin()


def _message(err: str) -> str:
    lines = err.splitlines()
    assert len(lines) == 1, f"expected exactly one line on stderr, got {err!r}"
    return lines[0].removeprefix("deskbreak: ")


def test_version(cli: Cli) -> None:
    code, out, _ = cli("--version")
    assert (code, out) == (0, f"deskbreak {deskbreak.__version__}\n")
    assert deskbreak.__version__.count(".") == 2


def test_no_command_prints_help(cli: Cli) -> None:
    code, out, _ = cli()
    assert code == 0
    assert "usage: deskbreak" in out
    for command in ("run", "list", "show", "next", "config", *CONTROL):
        assert command in out


def test_show_prints_numbered_steps_and_cautions(cli: Cli, builtin: list[Exercise]) -> None:
    exercise = next(e for e in builtin if e.id == "knee-to-chest")
    code, out, err = cli("show", "knee-to-chest")
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0] == "Knee to chest (knee-to-chest)"
    steps = lines.index("Steps:")
    for number, step in enumerate(exercise.steps, start=1):
        assert lines[steps + number] == f"  {number}. {step}"
    cautions = lines.index("Cautions:")
    assert cautions > steps
    for offset, caution in enumerate(exercise.cautions, start=1):
        assert lines[cautions + offset] == f"  - {caution}"
    assert "Dose:      hold 20 s, 3 times each side" in lines
    assert "Origin:    described by a source page" in lines
    assert DOCTOR_NOTE in out  # shown here, once, not at every break
    # the pages' titles, not the seed files' names (which mean nothing and aren't shipped)
    assert lines[-1] == ("Sources: 'Lower back pain exercises' (web page), "
                         "'What Exercises Relieve Lower Back Pain' (web page), "
                         "'Stretches to Relieve Lower Back Pain' (web page)")
    assert ".txt" not in out


def test_show_an_editorial_entry_gives_its_citations(cli: Cli, builtin: list[Exercise]) -> None:
    exercise = next(e for e in builtin if e.id == "ankle-pumps")
    code, out, err = cli("show", "ankle-pumps")
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[-len(exercise.citations) - 1] == "Based on:"
    assert lines[-len(exercise.citations):] == [f"  - {c}" for c in exercise.citations]
    assert "Sources:" not in out
    assert any(line.startswith("Origin:") and "don't describe" in line for line in lines)


def test_show_unknown_id_suggests(cli: Cli) -> None:
    code, out, err = cli("show", "knee")
    assert (code, out) == (2, "")
    message = _message(err)
    assert "did you mean" in message
    suggestions = message.split("did you mean", 1)[1]
    assert "knee-to-chest" in suggestions.replace("?", "").replace(",", " ").split()


def test_show_nonsense_id_points_to_list(cli: Cli) -> None:
    code, out, err = cli("show", "zzzzzz")
    assert (code, out) == (2, "")
    assert "deskbreak list" in _message(err)


def test_show_json_equals_the_list_entry(cli: Cli) -> None:
    code, out, _ = cli("list", "--json")
    assert code == 0
    entries = json.loads(out)
    assert len(entries) >= 25
    for entry in entries:
        code, shown, _ = cli("show", entry["id"], "--json")
        assert code == 0
        assert json.loads(shown) == entry


def test_list_columns_line_up(cli: Cli, builtin: list[Exercise]) -> None:
    code, out, err = cli("list")
    assert (code, err) == (0, "")
    header, *rows = out.splitlines()
    assert header.split() == ["ID", "NAME", "POSITION", "TIME", "CONTEXTS"]
    starts = [header.index(word) for word in ("ID", "NAME", "POSITION", "TIME", "CONTEXTS")]
    assert len(rows) == len(builtin)
    for row, exercise in zip(rows, builtin, strict=True):
        cells = [exercise.id, exercise.name, exercise.position, f"{exercise.duration_s}s",
                 ",".join(exercise.contexts) or "-"]
        for start, cell in zip(starts, cells, strict=True):
            assert row[start:].startswith(cell), (row, cell)
            assert start == 0 or row[start - 2:start] == "  ", row
        assert row == row.rstrip()


def test_list_on_a_pipe(cli_process: Proc) -> None:
    result = cli_process("list", "--context", "desk")
    assert (result.returncode, result.stderr) == (0, "")
    rows = result.stdout.splitlines()[1:]
    assert rows
    assert all("desk" in row.split()[-1].split(",") for row in rows)


def test_config_show_prints_the_effective_settings(cli: Cli) -> None:
    code, out, err = cli("config", "show")
    assert (code, err) == (0, "")
    shown = json.loads(out)
    assert shown["interval"] == "30m"
    assert shown["context"] == "desk"
    assert shown["snooze_choices"] == ["5m", "10m", "15m"]
    assert shown["pause_choices"] == ["30m", "1h", "2h"]
    assert shown["working_hours"]["mon"] == ["09:00-17:30"]
    assert shown["working_hours"]["sat"] == []


def test_config_show_spells_a_full_file(cli: Cli) -> None:
    code, out, _ = cli("config", "show", "--config", str(GOOD / "full.toml"))
    assert code == 0
    shown = json.loads(out)
    assert shown["interval"] == "1h30m"
    assert shown["snooze"] == "7m"
    assert shown["exclude"] == {"ids": ["lunge"], "positions": ["kneeling", "lying-front"]}
    assert shown["working_hours"]["enabled"] is True
    assert shown["working_hours"]["mon"] == ["08:30-12:00", "13:00-17:00"]
    assert shown["working_hours"]["thu"] == ["09:00-24:00"]


def test_config_show_has_the_trip_table(cli: Cli) -> None:
    _, out, _ = cli("config", "show")
    assert json.loads(out)["trip"] == {"interval": "30m", "driving_interval": "2h",
                                       "sound": True}


def test_status_text_says_the_trip_and_when_it_ends() -> None:
    from deskbreak.cli import status_text

    reply = {"pid": 7, "state": "running", "next_break_in": 600.0, "context": "travel",
             "trip": {"driving": False, "length": 7200.0, "ends_in": 5400.0,
                      "ends_at": "2999-01-01T18:30:00", "interval": 1800.0, "breaks": 1,
                      "back_to": "desk"}}
    text = status_text(reply)
    assert "Trip:" in text and "in your seat, until Tue 01 Jan 18:30 (in 1 h 30 min); " \
        "a break every 30 min; then back to desk" in text
    reply["trip"] = {"driving": True, "length": None, "ends_in": None, "ends_at": None,
                     "interval": 7200.0, "breaks": 0, "back_to": "home"}
    assert "driving, until you stop it; a stop every 2 h; then back to home" in \
        status_text(reply)


def test_trip_start_prints_the_safety_note_with_its_sources() -> None:
    from deskbreak.cli import trip_note

    note = trip_note(False)
    assert note.startswith("Trip mode: blood clots on long journeys\n")
    for source in ("WHO: Research Into Global Hazards of Travel", "NHS: Deep vein thrombosis",
                   "CDC: Blood Clots and Travel"):
        assert source in note
    assert "Highway Code" in trip_note(True) and "Highway Code" not in note


def test_status_without_daemon(cli: Cli) -> None:
    assert cli("status") == (1, "deskbreak is not running\n", "")
    code, out, _ = cli("status", "--json")
    assert (code, json.loads(out)) == (1, {"running": False})


@pytest.mark.parametrize(
    "argv",
    [["pause", "30m"], ["pause"], ["pause", "until-tomorrow"], ["resume"], ["snooze"],
     ["snooze", "10m"], ["skip"], ["break-now"], ["quit"], ["trip", "start"],
     ["trip", "start", "2h", "--driving"], ["trip", "stop"]],
)
def test_control_without_daemon(cli: Cli, argv: list[str]) -> None:
    code, out, err = cli(*argv)
    assert (code, out) == (1, "")
    assert "not running" in _message(err)


def test_control_with_stale_socket_left_by_a_crash(cli: Cli) -> None:
    directory = paths.runtime_dir()
    (directory / "control.key").write_text("0" * 64, "ascii")
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as stale:
        stale.bind(str(directory / "control.sock"))  # never listens, like a killed daemon's
    assert cli("status") == (1, "deskbreak is not running\n", "")
    code, _, err = cli("skip")
    assert code == 1
    assert "not running" in _message(err)


@pytest.mark.parametrize(
    ("argv", "problem"),
    [(["pause", "abc"], "not a duration: 'abc'"), (["pause", "30"], "not a duration: '30'"),
     (["pause", "0m"], "longer than zero"), (["snooze", "--", "-5m"], "cannot be negative"),
     (["trip", "start", "0m"], "trip start: must be longer than zero: '0m'"),
     (["trip", "start", "nan"], "trip start: not a duration: 'nan'"),
     (["trip", "start", "8d"], "trip start: too long: '8d' (at most 7 d)"),
     (["trip", "start", "99999999999999999999d"], "trip start: too long"),
     (["trip", "start", "soon", "--driving"], "trip start: not a duration: 'soon'")],
)
def test_bad_duration_argument(cli: Cli, argv: list[str], problem: str) -> None:
    code, out, err = cli(*argv)
    assert (code, out) == (2, "")
    assert problem in _message(err)


def test_unknown_context_is_a_usage_error(cli: Cli) -> None:
    code, out, err = cli("list", "--context", "office")
    assert (code, out) == (2, "")
    assert "invalid choice" in err


@pytest.mark.parametrize(
    ("argv", "code", "stream", "text"),
    [(["--version"], 0, "stdout", f"deskbreak {deskbreak.__version__}"),
     (["show", "knee"], 2, "stderr", "did you mean"),
     (["pause", "abc"], 2, "stderr", "not a duration"),
     (["status"], 1, "stdout", "deskbreak is not running"),
     (["skip"], 1, "stderr", "deskbreak is not running")],
)
def test_real_process_exit_codes(
    cli_process: Proc, argv: list[str], code: int, stream: str, text: str
) -> None:
    result = cli_process(*argv)
    assert result.returncode == code
    assert "Traceback" not in result.stderr + result.stdout
    assert text in getattr(result, stream)
    if code == 2:
        assert len(result.stderr.splitlines()) == 1


# --- every mistake is one line ------------------------------------------------------------
@pytest.mark.parametrize(("argv", "problem"), [
    (["pause", "-5m"], "a duration cannot be negative: '-5m'"),
    (["snooze", "-1s"], "a duration cannot be negative: '-1s'"),
    (["trip", "start", "-2h"], "trip start: a duration cannot be negative: '-2h'"),
    (["trip", "start", "--driving", "-2h"], "trip start: a duration cannot be negative"),
    (["trip"], "the following arguments are required: ACTION"),
    (["trip", "pause"], "argument ACTION: invalid choice: 'pause'"),
    (["pause", "until_tomorrow"], "not a duration: 'until_tomorrow' (use e.g. \"45s\", \"30m\", "
                                  "\"1h30m\"); or until-tomorrow"),
    (["context", "office"], "argument context: invalid choice: 'office'"),
    (["pause", "30m", "extra"], "unrecognized arguments: extra"),
    (["dance"], "argument COMMAND: invalid choice: 'dance'"),
    (["run", "--interval", ""], "--interval: not a duration: ''"),
    (["show", ""], "no exercise id given; `deskbreak list` shows them all"),
    (["config", "check", ""], ": is a directory, not a config file"),
])
def test_mistakes_on_the_command_line_are_one_line(cli_process: Proc, argv: list[str],
                                                   problem: str) -> None:
    result = cli_process(*argv)
    assert (result.returncode, result.stdout) == (2, "")
    assert problem in _message(result.stderr)


def test_a_path_too_long_for_the_os_is_one_line(cli_process: Proc, tmp_path: Path) -> None:
    long = str(tmp_path / ("a" * 300))
    for argv in (["config", "check", long], ["--config", long, "list"]):
        result = cli_process(*argv)
        assert result.returncode == 2
        assert _message(result.stderr) == f"{long}: cannot read: File name too long"
    path = cli_process("--config", long, "config", "path")
    assert (path.returncode, path.stdout) == (0, f"{long} (does not exist)\n")


def test_output_that_cannot_be_written_is_one_line(tmp_path: Path) -> None:
    env = dict(os.environ)
    base = [sys.executable, "-m", "deskbreak", "list"]
    with open("/dev/full", "w") as full:
        result = subprocess.run(base, stdout=full, stderr=subprocess.PIPE, text=True,
                                env=env, timeout=60, check=False)
    assert result.returncode == 1
    assert result.stderr == "deskbreak: No space left on device\n"
    closed = subprocess.run(base, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            env=env, timeout=60, check=False, preexec_fn=lambda: os.close(1))
    assert closed.returncode == 1
    assert closed.stderr == "deskbreak: cannot write the output: standard output is closed\n"
    piped = subprocess.run(f"{sys.executable} -m deskbreak list | head -1", shell=True,
                           capture_output=True, text=True, env=env, timeout=60, check=False)
    assert (piped.returncode, piped.stderr) == (0, "")
    assert piped.stdout.startswith("ID ")
