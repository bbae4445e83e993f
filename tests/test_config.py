"""config.toml: every broken file is one clear line and exit 2; good files give the right settings.

The bad corpus lives in tests/configs/bad/. Each file starts with comment lines saying what
the user must see:

    # expect: <text the error line must contain>
    # line: <the line the error must point at>            (optional)
    # names: <sibling file the error is about instead>    (optional, e.g. a missing catalogue)
"""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from deskbreak import config
from deskbreak.config import Config, WorkingHours, load_config, parse_config
from deskbreak.core.durations import DurationError, format_duration, parse_duration, spell_duration
from deskbreak.errors import ConfigError

Cli = Callable[..., tuple[int, str, str]]
Proc = Callable[..., subprocess.CompletedProcess[str]]

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent
BAD = TESTS / "configs" / "bad"
GOOD = TESTS / "configs" / "good"


@dataclasses.dataclass(frozen=True)
class BadCase:
    path: Path
    expect: str
    line: int | None
    names: Path  # the file the error must start with

    def __str__(self) -> str:
        return self.path.name


def _bad_case(path: Path) -> BadCase:
    fields: dict[str, str] = {}
    for raw in path.read_bytes().splitlines():
        if not raw.startswith(b"# "):
            break
        key, _, value = raw[2:].decode("utf-8").partition(": ")
        fields[key] = value
    line = fields.get("line")
    names = path.with_name(fields["names"]) if "names" in fields else path
    return BadCase(path, fields.get("expect", ""), int(line) if line else None, names)


BAD_CASES = [_bad_case(p) for p in sorted(BAD.glob("*.toml"))]


def _message(err: str) -> str:
    """The single error line, without the conventional ``deskbreak: `` program prefix."""
    lines = err.splitlines()
    assert len(lines) == 1, f"expected exactly one line on stderr, got {err!r}"
    return lines[0].removeprefix("deskbreak: ")


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


# --- the bad corpus --------------------------------------------------------------------------

def test_bad_corpus_is_complete() -> None:
    assert len(BAD_CASES) >= 20
    for case in BAD_CASES:
        assert case.expect, f"{case.path.name} has no '# expect:' first line"
    assert sum(case.line is not None for case in BAD_CASES) >= 10
    # The undecodable file must really be undecodable, or it tests nothing.
    with pytest.raises(UnicodeDecodeError):
        (BAD / "binary.toml").read_bytes().decode("utf-8")


@pytest.mark.parametrize("case", BAD_CASES, ids=str)
def test_config_check_rejects_bad_file(cli: Cli, case: BadCase) -> None:
    code, out, err = cli("config", "check", str(case.path))
    assert code == 2
    assert out == ""
    message = _message(err)
    if case.line is None:
        assert message.startswith(f"{case.names}: ")
    else:
        assert message.startswith(f"{case.names}:{case.line}: ")
    assert case.expect in message


@pytest.mark.parametrize(
    "name",
    ["binary.toml", "syntax_unterminated_string.toml", "hours_overlap.toml",
     "extra_catalogue_missing.toml"],
)
def test_bad_file_in_real_process_shows_no_traceback(cli_process: Proc, name: str) -> None:
    case = _bad_case(BAD / name)
    result = cli_process("config", "check", str(case.path))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
    assert case.expect in _message(result.stderr)


@pytest.mark.parametrize("command", [["list"], ["show", "lunge"], ["next"], ["config", "show"]])
def test_bad_config_stops_every_command(cli: Cli, command: list[str]) -> None:
    bad = BAD / "context_typo.toml"
    code, out, err = cli(*command, "--config", str(bad))
    assert (code, out) == (2, "")
    assert _message(err).startswith(f"{bad}:4: context: ")


def test_bad_config_from_environment_is_reported(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    bad = BAD / "interval_zero.toml"
    monkeypatch.setenv(config.ENV_VAR, str(bad))
    code, out, err = cli("config", "check")
    assert (code, out) == (2, "")
    assert _message(err) == f"{bad}:3: interval: must be longer than zero: '0m'"


# --- good files ------------------------------------------------------------------------------

@pytest.mark.parametrize("path", sorted(GOOD.glob("*.toml")), ids=lambda p: p.name)
def test_config_check_accepts_good_file(cli: Cli, path: Path) -> None:
    assert cli("config", "check", str(path)) == (0, f"{path}: ok\n", "")


def test_repo_config_is_exactly_the_defaults() -> None:
    loaded = load_config(REPO / "config.toml")
    assert dataclasses.replace(loaded, source=None) == Config()
    for item in dataclasses.fields(Config):
        if item.name != "source":
            assert getattr(loaded, item.name) == getattr(Config(), item.name), item.name
    assert parse_config(Path("shipped"), config.default_text()) == Config()
    # The repo's copy is what users read on GitHub; "Open settings" writes the shipped one.
    assert (REPO / "config.toml").read_text() == config.default_text()


def test_defaults_are_what_the_docs_promise() -> None:
    cfg = Config()
    assert cfg.interval == 30 * 60
    assert cfg.context == "desk"
    assert cfg.snooze_choices == (300, 600, 900)
    assert cfg.working_hours.enabled is False
    assert cfg.working_hours.days[0] == ((9 * 60, 17 * 60 + 30),)
    assert cfg.working_hours.days[5:] == ((), ())


def test_empty_file_gives_defaults() -> None:
    loaded = load_config(GOOD / "empty.toml")
    assert loaded == Config()
    assert loaded.source == GOOD / "empty.toml"


def test_minimal_file_changes_only_what_it_says() -> None:
    loaded = load_config(GOOD / "minimal.toml")
    assert loaded == dataclasses.replace(Config(), interval=45 * 60)


def test_full_file_is_read_field_by_field() -> None:
    cfg = load_config(GOOD / "full.toml")
    assert cfg.interval == 5400
    assert cfg.context == "home"
    assert cfg.notifier == "terminal"
    assert cfg.tray is False
    assert cfg.snooze == 420
    assert cfg.snooze_choices == (300, 600)  # sorted
    assert cfg.pause_choices == (1800, 3600)
    assert cfg.idle_threshold == 120
    assert cfg.do_not_disturb is False
    assert cfg.extra_catalogue is None  # "" means none
    assert cfg.exclude_ids == ("lunge",)
    assert cfg.exclude_positions == ("kneeling", "lying-front")
    assert cfg.working_hours == WorkingHours(
        enabled=True,
        days=(((510, 720), (780, 1020)), ((540, 1050),), (), ((540, 1440),), ((540, 720),),
              (), ()),
    )
    assert (cfg.trip_interval, cfg.driving_interval, cfg.trip_sound) == (1200, 6300, False)
    assert cfg.settings().trip_interval == 1200 and cfg.settings().trip_sound is False


def test_snooze_alone_joins_the_snooze_choices(tmp_path: Path) -> None:
    cfg = load_config(_write(tmp_path / "c.toml", 'snooze = "7m"\n'))
    assert cfg.snooze == 420
    assert cfg.snooze_choices == (300, 420, 600, 900)


def test_extra_catalogue_is_relative_to_the_config_file(tmp_path: Path) -> None:
    cfg = load_config(_write(tmp_path / "sub" / "c.toml", 'extra_catalogue = "mine.toml"\n'))
    assert cfg.extra_catalogue == tmp_path / "sub" / "mine.toml"


def test_error_line_points_into_the_right_table(tmp_path: Path) -> None:
    # "enabled" appears twice; the bad one is in [working_hours], not a comment or other table.
    text = ('# enabled = "yes" in a comment\n'
            "[exclude]\nids = []\n\n"
            "[working_hours]\nmon = []\nenabled = \"yes\"\n")
    path = _write(tmp_path / "c.toml", text)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert str(info.value) == (
        f"{path}:7: working_hours.enabled: expected true or false, got a string")


# --- where the config comes from -------------------------------------------------------------

def test_directory_as_config_is_an_error(cli: Cli, tmp_path: Path) -> None:
    code, out, err = cli("config", "show", "--config", str(tmp_path))
    assert (code, out) == (2, "")
    assert _message(err) == f"{tmp_path}: is a directory, not a config file"
    code, out, err = cli("config", "check", str(tmp_path))
    assert (code, out) == (2, "")
    assert "is a directory" in _message(err)


def test_config_below_a_file_cannot_be_read(cli: Cli, tmp_path: Path) -> None:
    blocker = _write(tmp_path / "not-a-dir", "")
    code, out, err = cli("config", "check", str(blocker / "config.toml"))
    assert (code, out) == (2, "")
    assert _message(err).startswith(f"{blocker / 'config.toml'}: cannot read")


def test_unreadable_config_is_an_error(cli: Cli, tmp_path: Path) -> None:
    path = _write(tmp_path / "c.toml", 'interval = "30m"\n')
    path.chmod(0)
    if os.access(path, os.R_OK):
        # root reads mode-000 files; this one the kernel refuses to anyone (EIO).
        path = Path("/proc/self/mem")
    try:
        code, out, err = cli("config", "check", str(path))
    finally:
        (tmp_path / "c.toml").chmod(0o600)
    assert (code, out) == (2, "")
    assert _message(err).startswith(f"{path}: cannot read")


def test_missing_file_named_by_environment_is_an_error(
    cli: Cli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    missing = tmp_path / "nope.toml"
    monkeypatch.setenv(config.ENV_VAR, str(missing))
    for command in (["config", "show"], ["list"], ["config", "check"]):
        code, out, err = cli(*command)
        assert (code, out) == (2, ""), command
        assert _message(err) == f"{missing}: no such file"


def test_missing_file_named_by_option_is_an_error(cli: Cli, tmp_path: Path) -> None:
    code, _, err = cli("config", "show", "--config", str(tmp_path / "nope.toml"))
    assert code == 2
    assert _message(err) == f"{tmp_path / 'nope.toml'}: no such file"


def test_missing_default_file_means_defaults(cli: Cli, isolated_home: Path) -> None:
    assert not (isolated_home / "config" / "deskbreak" / "config.toml").exists()
    code, out, err = cli("config", "show")
    assert (code, err) == (0, "")
    shown = json.loads(out)
    assert shown["source"] is None
    assert shown["interval"] == "30m"
    assert cli("config", "check") == (0, "built-in defaults: ok\n", "")


def test_default_location_file_is_used(cli: Cli, isolated_home: Path) -> None:
    path = _write(isolated_home / "config" / "deskbreak" / "config.toml", 'interval = "20m"\n')
    code, out, _ = cli("config", "show")
    assert code == 0
    assert json.loads(out)["source"] == str(path)
    assert json.loads(out)["interval"] == "20m"


def test_option_beats_environment(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(config.ENV_VAR, str(GOOD / "full.toml"))
    code, out, _ = cli("config", "show")
    assert (code, json.loads(out)["interval"]) == (0, "1h30m")
    code, out, _ = cli("config", "show", "--config", str(GOOD / "minimal.toml"))
    assert (code, json.loads(out)["interval"]) == (0, "45m")


def test_option_before_the_command_is_honoured(cli: Cli) -> None:
    # `deskbreak --help` documents --config as a global option: `deskbreak --config F COMMAND`.
    code, out, _ = cli("--config", str(GOOD / "minimal.toml"), "config", "show")
    assert code == 0
    assert json.loads(out)["source"] == str(GOOD / "minimal.toml")
    assert json.loads(out)["interval"] == "45m"


def test_config_path_honours_xdg_config_home(cli: Cli, isolated_home: Path) -> None:
    expected = isolated_home / "config" / "deskbreak" / "config.toml"
    assert cli("config", "path") == (
        0, f"{expected} (does not exist; built-in defaults apply)\n", "")
    _write(expected, "")
    assert cli("config", "path") == (0, f"{expected}\n", "")


def test_config_path_shows_the_environment_choice(
    cli: Cli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv(config.ENV_VAR, str(tmp_path / "x.toml"))
    assert cli("config", "path") == (0, f"{tmp_path / 'x.toml'} (does not exist)\n", "")


# --- durations -------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "seconds"),
    [("45s", 45), ("30m", 1800), ("1h30m", 5400), ("1h 30m", 5400), ("90s", 90),
     ("2h", 7200), (" 5m ", 300), ("1.5h", 5400), ("1M", 60), ("1d", 86400)],
)
def test_parse_duration(text: str, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["30", "-5m", "abc", "5x", "", " ", "m", "1h30", "30 minutes"])
def test_parse_duration_rejects(text: str) -> None:
    with pytest.raises(DurationError):
        parse_duration(text)


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(0, "0 s"), (45, "45 s"), (59.6, "1 min"), (90, "1 min 30 s"), (600, "10 min"),
     (630, "10 min"), (1800, "30 min"), (3600, "1 h"), (5400, "1 h 30 min")],
)
def test_format_duration(seconds: float, text: str) -> None:
    assert format_duration(seconds) == text


@pytest.mark.parametrize("seconds", [45, 300, 1800, 5400, 3661])
def test_spell_duration_round_trips(seconds: int) -> None:
    assert parse_duration(spell_duration(seconds)) == seconds
