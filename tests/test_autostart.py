"""Start at login, per platform: what each backend writes, and the state it reports.

The XDG backend runs against real files in the test's private home; the LaunchAgent and
Windows backends against a private home and a dictionary standing in for the registry
(and a stand-in ``winreg`` module for the real registry adapter), since neither platform
runs here. The rule under test everywhere: what the user switched off stays off until
they ask, and what cannot be read is reported and refused, never overwritten.
"""

from __future__ import annotations

import errno
import os
import plistlib
import shutil
import subprocess
import sys
import tempfile
import types
from pathlib import Path
from typing import Any

import pytest

from deskbreak.autostart import for_platform
from deskbreak.autostart.base import AutostartError
from deskbreak.autostart.files import FileProblem
from deskbreak.autostart.launchagent import LABEL, LaunchAgent
from deskbreak.autostart.watch import AutostartWatch
from deskbreak.autostart.windows_run import (
    APPROVED_KEY,
    RUN_KEY,
    WHERE,
    CurrentUserRegistry,
    WindowsRun,
    split_command_line,
)
from deskbreak.autostart.xdg import XdgAutostart, entry_text
from deskbreak.desktopfile import exec_line, read_entry, split_exec, unescape_string

MISSING = "(moved or uninstalled?); run `deskbreak autostart on` again"


def validate(path: Path) -> None:
    """The real desktop-file-validate: no error, no warning, no hint."""
    tool = shutil.which("desktop-file-validate")
    assert tool, ("desktop-file-validate is missing: install Debian's desktop-file-utils "
                  "(scripts/debian-packages test)")
    result = subprocess.run([tool, str(path)], capture_output=True, text=True, check=False)
    assert (result.returncode, result.stdout + result.stderr) == (0, ""), path.read_text()


def program(tmp_path: Path, name: str = "bin/deskbreak") -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#!/bin/sh\n")
    path.chmod(0o755)
    return path


class Icons:
    """Records where the icons would be installed."""

    def __init__(self) -> None:
        self.calls: list[Path] = []

    def __call__(self, data_home: Path, hint: str) -> list[Path]:
        self.calls.append(data_home)
        return []


@pytest.fixture
def homes(tmp_path: Path) -> dict[str, Path]:
    return {"config": tmp_path / "cfg", "system": tmp_path / "etc-xdg",
            "system2": tmp_path / "etc-xdg2", "data": tmp_path / "data"}


@pytest.fixture
def icons() -> Icons:
    return Icons()


@pytest.fixture
def xdg(homes: dict[str, Path], icons: Icons) -> XdgAutostart:
    return XdgAutostart(homes["config"], [homes["system"], homes["system2"]], homes["data"],
                        install_icons=icons)


def entry(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


# --- the Desktop Entry format -----------------------------------------------------------
AWKWARD = ['/opt/my apps/"q" $HOME `x` 100% \\back/deskbreak', "run", "", "a;b", "tab\there"]


def test_exec_quoting_round_trips_awkward_paths_and_passes_the_validator(
        tmp_path: Path) -> None:
    line = exec_line(AWKWARD)
    assert split_exec(unescape_string(line)) == AWKWARD
    assert line.startswith('"/opt/my apps/\\\\"q\\\\" \\\\$HOME \\\\`x\\\\` 100%% ')
    path = entry(tmp_path / "x.desktop", entry_text(AWKWARD[:1]))
    validate(path)


def test_plain_paths_are_not_quoted_and_field_codes_are_dropped() -> None:
    assert exec_line(["/usr/bin/deskbreak", "run"]) == "/usr/bin/deskbreak run"
    assert split_exec("deskbreak run %U  --x") == ["deskbreak", "run", "--x"]
    assert split_exec('"a b" %%') == ["a b", "%"]
    with pytest.raises(ValueError, match="unterminated quote"):
        split_exec('"/usr/bin/deskbreak run')


@pytest.mark.parametrize("arg", ["/bad/\udcff/deskbreak", "/bad/\x01/deskbreak"])
def test_a_path_no_desktop_file_can_hold_is_refused(arg: str) -> None:
    with pytest.raises(ValueError):
        exec_line([arg, "run"])


@pytest.mark.parametrize(("text", "problem"), [
    ("garbage\n", "line 1: not a key=value line, a [group] or a comment"),
    ("[Desktop Entry]\n=x\n", "line 2: not a key=value line"),
    ("[Desktop Entry]\nName[de=x\n", "line 2: an invalid key name: Name[de"),
    ("[Desktop Entry]\n[]\n", "line 2: an invalid group name: []"),
    ("[Desktop Entry]\nEncoding=Latin-1\n", "line 2: an encoding other than UTF-8"),
    ("Exec=x\n[Desktop Entry]\n", "line 1: a key before [Desktop Entry]"),
    ("[Other]\nA=b\n", "line 1: the first group must be [Desktop Entry]"),
    ("# only a comment\n", "no [Desktop Entry] group"),
    ("[Desktop Entry\n", "line 1: a malformed group header"),
    ("[Desktop Entry]\nExec=a\x00b\n", "NUL"),
])
def test_what_is_not_a_desktop_entry_is_named_by_line(text: str, problem: str) -> None:
    from deskbreak.desktopfile import DesktopEntryError

    with pytest.raises(DesktopEntryError, match=problem.replace("[", r"\[")):
        read_entry(text)


def test_only_the_desktop_entry_group_counts() -> None:
    keys = read_entry("# c\n[Desktop Entry]\nName = x\nHidden=false\n[Desktop Action a]\n"
                      "Hidden=true\n")
    assert keys == {"Name": "x", "Hidden": "false"}


# --- XDG: writing and reading -----------------------------------------------------------
def test_on_writes_a_valid_entry_that_starts_the_program_and_installs_the_icon(
        xdg: XdgAutostart, tmp_path: Path, icons: Icons, homes: dict[str, Path]) -> None:
    assert xdg.status().state == "off"
    prog = program(tmp_path)
    message = xdg.enable([str(prog)])
    assert message == f"Start at login: on ({xdg.path} starts {prog} run)"
    validate(xdg.path)
    keys = read_entry(xdg.path.read_text())
    assert keys["Exec"] == f"{prog} run" and keys["Icon"] == "deskbreak"
    assert keys["Terminal"] == "false" and keys["X-GNOME-Autostart-enabled"] == "true"
    assert "Hidden" not in keys
    state = xdg.status()
    assert (state.state, state.where, state.command) == ("on", str(xdg.path), (str(prog), "run"))
    assert icons.calls == [homes["data"]]
    assert oct(xdg.path.stat().st_mode & 0o777) == "0o644"
    assert sorted(p.name for p in xdg.path.parent.iterdir()) == ["deskbreak.desktop"]


def test_a_program_path_with_spaces_and_quotes_reads_back_whole(
        xdg: XdgAutostart, tmp_path: Path) -> None:
    prog = program(tmp_path, 'my "apps" $dir/deskbreak')
    xdg.enable([str(prog)])
    validate(xdg.path)
    assert xdg.status().command == (str(prog), "run")


def test_on_twice_leaves_the_entry_alone(xdg: XdgAutostart, tmp_path: Path) -> None:
    prog = program(tmp_path)
    xdg.enable([str(prog)])
    before = xdg.path.stat()
    assert xdg.enable([str(prog)]) == \
        f"Start at login is already on: {xdg.path} starts {prog} run"
    after = xdg.path.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)


@pytest.mark.parametrize("old", ["old-venv/bin/deskbreak", "/usr/bin/true"])
def test_on_rewrites_an_entry_that_starts_another_program_and_says_so(
        xdg: XdgAutostart, tmp_path: Path, old: str) -> None:
    """An old virtual environment that still exists, or something else entirely: the
    entry is on, but it does not start this deskbreak, so `on` makes it."""
    old_program = str(program(tmp_path, old)) if not old.startswith("/") else old
    entry(xdg.path, f"[Desktop Entry]\nType=Application\nName=deskbreak\n"
                    f"Exec={old_program} run\n")
    assert xdg.status().on
    prog = program(tmp_path)
    assert xdg.enable([str(prog)]) == (f"Start at login: on ({xdg.path} now starts {prog} "
                                       f"run instead of {old_program} run)")
    assert xdg.status().command == (str(prog), "run")
    validate(xdg.path)
    assert xdg.enable([str(prog)]).startswith("Start at login is already on")


def test_on_with_a_system_entry_for_another_program_overrides_it_for_the_user(
        xdg: XdgAutostart, homes: dict[str, Path], tmp_path: Path) -> None:
    system = system_entry(homes, tmp_path)
    before = system.read_text()
    prog = program(tmp_path, "pipx/bin/deskbreak")
    assert xdg.enable([str(prog)]) == (
        f"Start at login: on ({xdg.path} now starts {prog} run instead of "
        f"{tmp_path / 'usr/bin/deskbreak'} run (the system-wide {system}))")
    assert xdg.status().command == (str(prog), "run") and system.read_text() == before


def test_off_removes_the_entry_and_says_so_twice(xdg: XdgAutostart, tmp_path: Path) -> None:
    xdg.enable([str(program(tmp_path))])
    assert xdg.disable() == f"Start at login: off (removed {xdg.path})"
    assert not xdg.path.exists() and xdg.status().state == "off"
    assert xdg.disable() == f"Start at login is already off (there is no {xdg.path})"


@pytest.mark.parametrize(("switch", "why"), [
    ("Hidden=true", "(Hidden=true)"),
    ("Hidden=1", "(Hidden=true)"),
    ("X-GNOME-Autostart-enabled=false", "(X-GNOME-Autostart-enabled=false)"),
])
def test_an_entry_the_user_switched_off_reads_off_and_on_turns_it_back_on(
        xdg: XdgAutostart, tmp_path: Path, switch: str, why: str) -> None:
    prog = program(tmp_path)
    entry(xdg.path, f"[Desktop Entry]\nType=Application\nName=deskbreak\nExec={prog} run\n"
                    f"{switch}\n")
    state = xdg.status()
    assert (state.state, state.why) == ("off", f"turned off in {xdg.path} {why}")
    xdg.enable([str(prog)])  # the user asked: that re-enables it
    assert xdg.status().on
    validate(xdg.path)


def test_a_switched_off_entry_is_left_as_it_is_by_reading_it(
        xdg: XdgAutostart, tmp_path: Path) -> None:
    text = f"[Desktop Entry]\nType=Application\nName=deskbreak\nExec={program(tmp_path)} run\n" \
           "X-GNOME-Autostart-enabled=false\n"
    entry(xdg.path, text)
    watch = AutostartWatch(xdg)
    for _ in range(3):
        assert xdg.status().state == "off" and watch.is_on() is False
    assert xdg.disable().startswith("Start at login is already off")
    assert xdg.path.read_text() == text


def test_a_missing_program_is_on_but_broken_and_on_repairs_it(
        xdg: XdgAutostart, tmp_path: Path) -> None:
    gone = tmp_path / "old-venv" / "bin" / "deskbreak"
    entry(xdg.path, f"[Desktop Entry]\nType=Application\nName=deskbreak\nExec={gone} run\n")
    state = xdg.status()
    assert state.state == "broken"
    assert state.why == f"on, but the program it starts is missing: {gone} {MISSING}"
    prog = program(tmp_path)
    assert xdg.enable([str(prog)]).startswith("Start at login: on (")
    assert xdg.status().command == (str(prog), "run")


def test_a_bare_program_name_is_looked_up_on_path(homes: dict[str, Path]) -> None:
    found = XdgAutostart(homes["config"], [], is_runnable=lambda p: p == "deskbreak")
    entry(found.path, "[Desktop Entry]\nType=Application\nName=d\nExec=deskbreak run\n")
    assert found.status().on
    entry(found.path, "[Desktop Entry]\nType=Application\nName=d\nExec=deskbreak run\n"
                      "TryExec=nowhere-to-be-found\n")
    assert found.status().why == ("on, but the program it starts is missing: "
                                  f"nowhere-to-be-found {MISSING}")


# --- XDG: system-wide entries -----------------------------------------------------------
def system_entry(homes: dict[str, Path], tmp_path: Path, extra: str = "",
                 which: str = "system") -> Path:
    return entry(homes[which] / "autostart" / "deskbreak.desktop",
                 f"[Desktop Entry]\nType=Application\nName=deskbreak\n"
                 f"Exec={program(tmp_path, 'usr/bin/deskbreak')} run\n{extra}")


def test_a_system_wide_entry_counts_and_off_hides_it_with_a_user_entry(
        xdg: XdgAutostart, homes: dict[str, Path], tmp_path: Path) -> None:
    system = system_entry(homes, tmp_path)
    before = system.read_text()
    state = xdg.status()
    assert (state.state, state.where) == ("on", str(system))
    assert xdg.disable() == (f"Start at login: off ({xdg.path} hides the system-wide entry "
                             f"{system})")
    assert system.read_text() == before  # never touched: it is not the user's
    validate(xdg.path)
    assert read_entry(xdg.path.read_text())["Hidden"] == "true"
    state = xdg.status()
    assert (state.state, state.where) == ("off", str(xdg.path))
    assert state.why == f"{xdg.path} hides the system-wide entry {system} (Hidden=true)"
    assert xdg.disable().startswith("Start at login is already off")
    xdg.enable([str(program(tmp_path))])
    state = xdg.status()
    assert (state.state, state.where) == ("on", str(xdg.path))


def test_on_with_a_working_system_entry_writes_nothing(
        xdg: XdgAutostart, homes: dict[str, Path], tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    system = system_entry(homes, tmp_path)
    ours = str(tmp_path / "usr/bin/deskbreak")
    assert xdg.enable([ours]) == (
        f"Start at login is already on: the system-wide {system} starts {ours} run")
    # a distribution's entry names the program on PATH: the same file, nothing to write
    entry(system, "[Desktop Entry]\nType=Application\nName=d\nExec=deskbreak run\n")
    monkeypatch.setenv("PATH", str(tmp_path / "usr/bin"))
    assert xdg.enable([ours]).startswith("Start at login is already on: the system-wide")
    assert not xdg.path.exists()


def test_a_disabled_system_entry_is_off_and_off_adds_nothing(
        xdg: XdgAutostart, homes: dict[str, Path], tmp_path: Path) -> None:
    system_entry(homes, tmp_path, "Hidden=true\n")
    assert xdg.status().state == "off"
    assert xdg.disable().startswith("Start at login is already off")
    assert not xdg.path.exists()


def test_the_first_config_dir_wins(xdg: XdgAutostart, homes: dict[str, Path],
                                   tmp_path: Path) -> None:
    system_entry(homes, tmp_path, "Hidden=true\n", which="system2")
    first = system_entry(homes, tmp_path)
    assert xdg.status().where == str(first) and xdg.status().on


# --- XDG: what cannot be read or written ----------------------------------------------
@pytest.mark.parametrize("data", [b"\xff\xfe garbage \x00\x81", b"just some words\n"])
def test_garbage_is_an_error_and_never_overwritten(xdg: XdgAutostart, tmp_path: Path,
                                                   data: bytes) -> None:
    xdg.path.parent.mkdir(parents=True)
    xdg.path.write_bytes(data)
    state = xdg.status()
    assert state.state == "error" and str(xdg.path) in (state.why or "")
    assert "move it away and run `deskbreak autostart on` again" in (state.why or "")
    for change in (lambda: xdg.enable([str(program(tmp_path))]), xdg.disable):
        with pytest.raises(AutostartError):
            change()
    assert xdg.path.read_bytes() == data


def test_a_directory_in_place_of_the_entry_is_one_line(xdg: XdgAutostart,
                                                       tmp_path: Path) -> None:
    xdg.path.mkdir(parents=True)
    state = xdg.status()
    assert (state.state, state.why) == ("error", f"{xdg.path} is a directory, not an "
                                        "autostart entry; move it away and run `deskbreak "
                                        "autostart on` again")
    with pytest.raises(FileProblem, match="is a directory"):
        xdg.enable([str(program(tmp_path))])
    assert xdg.path.is_dir()


def test_a_file_where_the_autostart_folder_belongs(xdg: XdgAutostart, tmp_path: Path) -> None:
    xdg.path.parent.parent.mkdir(parents=True)
    xdg.path.parent.write_text("not a folder")
    state = xdg.status()
    assert (state.state, state.why) == ("error", f"cannot read {xdg.path}: a file is in the "
                                        "way where a folder should be; move it away and run "
                                        "`deskbreak autostart on` again")
    with pytest.raises(FileProblem, match="a file is in the way where a folder should be"):
        xdg.enable([str(program(tmp_path))])


def test_a_symlink_is_read_through_but_never_written_through(
        xdg: XdgAutostart, tmp_path: Path) -> None:
    prog = program(tmp_path)
    kept = entry(tmp_path / "dotfiles" / "deskbreak.desktop",
                 f"[Desktop Entry]\nType=Application\nName=d\nExec={prog} run\nHidden=true\n")
    xdg.path.parent.mkdir(parents=True)
    xdg.path.symlink_to(kept)
    assert xdg.status().state == "off"
    with pytest.raises(FileProblem, match=f"is a symbolic link \\(to {kept}\\); deskbreak "
                                          "does not change files through links"):
        xdg.enable([str(prog)])
    assert "Hidden=true" in kept.read_text() and xdg.path.is_symlink()
    kept.write_text(kept.read_text().replace("Hidden=true\n", ""))
    assert xdg.status().on  # the session follows the link; so does status
    with pytest.raises(FileProblem, match="symbolic link"):
        xdg.disable()
    assert kept.exists() and xdg.path.is_symlink()


def test_a_dangling_symlink_is_off_and_left_alone(xdg: XdgAutostart, tmp_path: Path) -> None:
    xdg.path.parent.mkdir(parents=True)
    xdg.path.symlink_to(tmp_path / "nowhere")
    assert xdg.status().state == "off"
    with pytest.raises(FileProblem, match="symbolic link"):
        xdg.enable([str(program(tmp_path))])


def test_a_fifo_in_place_of_the_entry_does_not_hang(xdg: XdgAutostart) -> None:
    xdg.path.parent.mkdir(parents=True)
    os.mkfifo(xdg.path)
    state = xdg.status()
    assert (state.state, state.why) == ("error", f"{xdg.path} is not a regular file; move it "
                                        "away and run `deskbreak autostart on` again")


@pytest.mark.parametrize(("where", "code", "text"), [
    ("mkstemp", errno.EROFS, "Read-only file system"),
    ("fsync", errno.ENOSPC, "No space left on device"),
])
def test_a_read_only_or_full_disk_keeps_the_old_entry_whole(
        xdg: XdgAutostart, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        where: str, code: int, text: str) -> None:
    gone = tmp_path / "gone" / "deskbreak"
    old = entry(xdg.path, f"[Desktop Entry]\nType=Application\nName=d\nExec={gone} run\n"
                ).read_text()

    def fail(*_: Any, **__: Any) -> Any:
        raise OSError(code, text)
    monkeypatch.setattr(tempfile if where == "mkstemp" else os, where, fail)
    with pytest.raises(FileProblem) as error:
        xdg.enable([str(program(tmp_path))])
    assert str(error.value) == f"cannot write {xdg.path}: {text}"
    assert xdg.path.read_text() == old
    assert sorted(p.name for p in xdg.path.parent.iterdir()) == ["deskbreak.desktop"]


def test_an_icon_that_cannot_be_installed_does_not_undo_the_entry(
        homes: dict[str, Path], tmp_path: Path) -> None:
    def broken(_: Path, hint: str) -> None:
        raise FileProblem(f"cannot write /x/deskbreak.png: No space left on device; {hint}")
    xdg = XdgAutostart(homes["config"], [], homes["data"], install_icons=broken)
    prog = program(tmp_path)
    assert xdg.enable([str(prog)]) == (
        f"Start at login: on ({xdg.path} starts {prog} run); its icon was not installed: "
        "cannot write /x/deskbreak.png: No space left on device; run `deskbreak autostart "
        "on` again")
    assert xdg.status().on


def test_the_fingerprint_moves_when_the_entry_changes(xdg: XdgAutostart,
                                                     tmp_path: Path) -> None:
    empty = xdg.fingerprint()
    xdg.enable([str(program(tmp_path))])
    written = xdg.fingerprint()
    assert written != empty
    xdg.disable()
    assert xdg.fingerprint() == empty


def test_the_environment_decides_the_folders(monkeypatch: pytest.MonkeyPatch,
                                             tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "c"))
    monkeypatch.setenv("XDG_CONFIG_DIRS", f"{tmp_path / 's1'}:relative/ignored:{tmp_path / 's2'}")
    monkeypatch.setenv("XDG_DATA_HOME", "relative")  # invalid: the default applies
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    xdg = XdgAutostart.from_environment()
    assert xdg.path == tmp_path / "c" / "autostart" / "deskbreak.desktop"
    assert xdg.system_paths == [tmp_path / d / "autostart" / "deskbreak.desktop"
                                for d in ("s1", "s2")]
    assert xdg.data_home == tmp_path / "home" / ".local" / "share"
    monkeypatch.delenv("XDG_CONFIG_DIRS")
    assert XdgAutostart.from_environment().system_paths == [
        Path("/etc/xdg/autostart/deskbreak.desktop")]


# --- the tray's watch -------------------------------------------------------------------
class Counting(XdgAutostart):
    reads = 0

    def status(self) -> Any:
        self.reads += 1
        return super().status()


def test_the_watch_reads_again_only_when_the_entry_changed(
        homes: dict[str, Path], tmp_path: Path, icons: Icons) -> None:
    backend = Counting(homes["config"], [], homes["data"], install_icons=icons)
    watch = AutostartWatch(backend)
    assert [watch.is_on() for _ in range(5)] == [False] * 5
    assert backend.reads == 1
    backend.enable([str(program(tmp_path))])
    assert watch.is_on() is True and backend.reads == 2
    entry(backend.path, backend.path.read_text() + "Hidden=true\n")  # edited by hand
    assert watch.is_on() is False and backend.reads == 3


def test_the_watch_never_raises(homes: dict[str, Path]) -> None:
    class Broken(XdgAutostart):
        def fingerprint(self) -> Any:
            raise RuntimeError("boom")
    assert AutostartWatch(Broken(homes["config"], [])).is_on() is False


# --- macOS: the LaunchAgent -------------------------------------------------------------
@pytest.fixture
def agent(tmp_path: Path) -> LaunchAgent:
    return LaunchAgent(tmp_path / "Users" / "me", is_runnable=lambda p: p.startswith("/Apps"))


def test_the_launch_agent_starts_the_program_at_load(agent: LaunchAgent) -> None:
    assert agent.path.name == "io.github.deskbreak.plist" and LABEL == "io.github.deskbreak"
    assert agent.status().state == "off"
    assert agent.enable(["/Apps/deskbreak"]) == \
        f"Start at login: on ({agent.path} starts /Apps/deskbreak run)"
    plist = plistlib.loads(agent.path.read_bytes())
    assert plist == {"Label": LABEL, "ProgramArguments": ["/Apps/deskbreak", "run"],
                     "RunAtLoad": True}
    state = agent.status()
    assert (state.state, state.command) == ("on", ("/Apps/deskbreak", "run"))
    assert agent.enable(["/Apps/deskbreak"]).startswith("Start at login is already on")
    assert agent.disable() == f"Start at login: off (removed {agent.path})"
    assert not agent.path.exists() and agent.status().state == "off"
    assert agent.disable().startswith("Start at login is already off")


@pytest.mark.parametrize(("extra", "why"), [
    ({"Disabled": True}, "turned off in {path} (Disabled)"),
    ({"RunAtLoad": False}, "{path} does not start deskbreak at login (no RunAtLoad)"),
])
def test_a_disabled_launch_agent_is_off_until_on(agent: LaunchAgent, extra: dict[str, Any],
                                                 why: str) -> None:
    agent.path.parent.mkdir(parents=True)
    agent.path.write_bytes(plistlib.dumps({"Label": LABEL, "RunAtLoad": True,
                                           "ProgramArguments": ["/Apps/deskbreak", "run"],
                                           **extra}))
    state = agent.status()
    assert (state.state, state.why) == ("off", why.format(path=agent.path))
    agent.enable(["/Apps/deskbreak"])
    assert agent.status().on and "Disabled" not in plistlib.loads(agent.path.read_bytes())


def test_a_launch_agent_whose_program_moved_is_broken(agent: LaunchAgent) -> None:
    agent.path.parent.mkdir(parents=True)
    agent.path.write_bytes(plistlib.dumps(
        {"Label": LABEL, "RunAtLoad": True, "ProgramArguments": ["/old/deskbreak", "run"]}))
    assert agent.status().why == f"on, but the program it starts is missing: /old/deskbreak " \
                                 f"{MISSING}"


def test_on_rewrites_a_launch_agent_that_starts_another_program(agent: LaunchAgent) -> None:
    agent.path.parent.mkdir(parents=True)
    agent.path.write_bytes(plistlib.dumps(
        {"Label": LABEL, "RunAtLoad": True, "ProgramArguments": ["/Apps/old/deskbreak", "run"]}))
    assert agent.status().on  # the old installation is still there
    assert agent.enable(["/Apps/new/deskbreak"]) == (
        f"Start at login: on ({agent.path} now starts /Apps/new/deskbreak run instead of "
        "/Apps/old/deskbreak run)")
    assert agent.status().command == ("/Apps/new/deskbreak", "run")


@pytest.mark.parametrize("data", [b"\x00\xffnot a plist", plistlib.dumps(["a", "list"])])
def test_a_garbage_launch_agent_is_reported_and_kept(agent: LaunchAgent, data: bytes) -> None:
    agent.path.parent.mkdir(parents=True)
    agent.path.write_bytes(data)
    state = agent.status()
    assert state.state == "error" and "move it away" in (state.why or "")
    with pytest.raises(AutostartError):
        agent.enable(["/Apps/deskbreak"])
    with pytest.raises(AutostartError):
        agent.disable()
    assert agent.path.read_bytes() == data


def test_a_launch_agent_folder_in_the_way_is_one_line(agent: LaunchAgent) -> None:
    agent.path.mkdir(parents=True)
    assert agent.status().state == "error"
    with pytest.raises(FileProblem, match="is a directory"):
        agent.enable(["/Apps/deskbreak"])


# --- Windows: the Run key ---------------------------------------------------------------
class FakeRegistry:
    """HKEY_CURRENT_USER as a dictionary: {(key, name): data}."""

    def __init__(self, fail: OSError | None = None) -> None:
        self.values: dict[tuple[str, str], object] = {}
        self.fail = fail

    def read(self, key: str, name: str) -> object | None:
        if self.fail:
            raise self.fail
        return self.values.get((key, name))

    def write_string(self, key: str, name: str, value: str) -> None:
        if self.fail:
            raise self.fail
        self.values[key, name] = value

    def delete(self, key: str, name: str) -> bool:
        if self.fail:
            raise self.fail
        return self.values.pop((key, name), None) is not None


EXE = r"C:\Users\Me\My Apps\Scripts\deskbreak.exe"


@pytest.fixture
def registry() -> FakeRegistry:
    return FakeRegistry()


@pytest.fixture
def windows(registry: FakeRegistry) -> WindowsRun:
    return WindowsRun(registry, is_runnable=lambda p: p == EXE)


def test_the_run_value_starts_the_program_quoted(windows: WindowsRun,
                                                 registry: FakeRegistry) -> None:
    assert windows.status().state == "off"
    windows.enable([EXE])
    assert registry.values == {(RUN_KEY, "deskbreak"): f'"{EXE}" run'}
    state = windows.status()
    assert (state.state, state.command) == ("on", (EXE, "run"))
    assert state.where == r"HKCU\Software\Microsoft\Windows\CurrentVersion\Run\deskbreak"
    assert windows.disable().startswith("Start at login: off (removed HKCU\\")
    assert registry.values == {} and windows.status().state == "off"


def test_the_run_value_starts_the_windowless_script_when_pip_installed_one(
        registry: FakeRegistry) -> None:
    quiet = EXE.replace("deskbreak.exe", "deskbreakw.exe")
    windows = WindowsRun(registry, is_runnable=lambda p: p in (EXE, quiet))
    windows.enable([EXE])
    assert registry.values == {(RUN_KEY, "deskbreak"): f'"{quiet}" run'}
    assert windows.status().on


@pytest.mark.parametrize("first", [0x03, 0x01, 0x07])
def test_task_managers_disabled_is_off_and_never_overwritten(
        windows: WindowsRun, registry: FakeRegistry, first: int) -> None:
    approved = bytes([first]) + bytes(11)
    registry.values = {(RUN_KEY, "deskbreak"): f'"{EXE}" run',
                       (APPROVED_KEY, "deskbreak"): approved}
    before = dict(registry.values)
    state = windows.status()
    assert (state.state, state.why) == ("off", "disabled in Task Manager's Startup tab")
    with pytest.raises(AutostartError) as error:
        windows.enable([r"C:\other\deskbreak.exe"])
    assert str(error.value) == ("start at login is disabled in Task Manager's Startup tab; "
                                "turn deskbreak on there (Task Manager > Startup apps), "
                                "deskbreak does not override it")
    assert registry.values == before


def test_an_even_first_byte_is_enabled(windows: WindowsRun, registry: FakeRegistry) -> None:
    registry.values = {(RUN_KEY, "deskbreak"): f'"{EXE}" run',
                       (APPROVED_KEY, "deskbreak"): bytes([0x02]) + bytes(11)}
    assert windows.status().on


def test_a_missing_run_value_is_listed_again_but_task_manager_decides(
        windows: WindowsRun, registry: FakeRegistry) -> None:
    approved = bytes([0x03]) + bytes(11)
    registry.values = {(APPROVED_KEY, "deskbreak"): approved}
    assert windows.status().state == "off"
    with pytest.raises(AutostartError, match="Task Manager"):
        windows.enable([EXE])
    assert registry.values[APPROVED_KEY, "deskbreak"] == approved  # still the user's "off"
    assert registry.values[RUN_KEY, "deskbreak"] == f'"{EXE}" run'  # there to switch on
    assert windows.status().why == "disabled in Task Manager's Startup tab"


def test_off_leaves_task_managers_record_alone(windows: WindowsRun,
                                              registry: FakeRegistry) -> None:
    approved = bytes([0x03]) + bytes(11)
    registry.values = {(RUN_KEY, "deskbreak"): f'"{EXE}" run',
                       (APPROVED_KEY, "deskbreak"): approved}
    windows.disable()
    assert registry.values == {(APPROVED_KEY, "deskbreak"): approved}


def test_a_run_value_whose_program_moved_is_broken(windows: WindowsRun,
                                                   registry: FakeRegistry) -> None:
    registry.values = {(RUN_KEY, "deskbreak"): r'"C:\old\deskbreak.exe" run'}
    assert windows.status().why == (r"on, but the program it starts is missing: "
                                    rf"C:\old\deskbreak.exe {MISSING}")
    windows.enable([EXE])
    assert windows.status().on


def test_on_rewrites_a_run_value_that_starts_another_program(
        registry: FakeRegistry) -> None:
    old = r"C:\Users\Me\old-venv\Scripts\deskbreak.exe"
    windows = WindowsRun(registry, is_runnable=lambda p: p.lower() in (EXE.lower(), old.lower()))
    registry.values = {(RUN_KEY, "deskbreak"): f'"{old}" run'}
    assert windows.status().on
    assert windows.enable([EXE]) == (
        f'Start at login: on ({WHERE} now starts "{EXE}" run instead of {old} run)')
    assert registry.values == {(RUN_KEY, "deskbreak"): f'"{EXE}" run'}
    registry.values[RUN_KEY, "deskbreak"] = f'"{EXE.upper()}" run'  # Windows ignores case
    assert windows.enable([EXE]).startswith("Start at login is already on")


def test_on_never_rewrites_a_run_value_task_manager_disabled(registry: FakeRegistry) -> None:
    old = r"C:\Users\Me\old-venv\Scripts\deskbreak.exe"
    windows = WindowsRun(registry, is_runnable=lambda p: p in (EXE, old))
    registry.values = {(RUN_KEY, "deskbreak"): f'"{old}" run',
                       (APPROVED_KEY, "deskbreak"): bytes([0x03]) + bytes(11)}
    before = dict(registry.values)
    with pytest.raises(AutostartError, match="Task Manager"):
        windows.enable([EXE])
    assert registry.values == before


@pytest.mark.parametrize("value", [b"\x01\x02", 42, "   "])
def test_a_run_value_that_is_no_command_line_is_an_error(
        windows: WindowsRun, registry: FakeRegistry, value: object) -> None:
    registry.values = {(RUN_KEY, "deskbreak"): value}
    assert windows.status().state == "error"
    with pytest.raises(AutostartError, match="is not a command line"):
        windows.enable([EXE])
    assert registry.values == {(RUN_KEY, "deskbreak"): value}


def test_a_registry_that_refuses_is_one_line() -> None:
    windows = WindowsRun(FakeRegistry(PermissionError(13, "Access is denied")))
    state = windows.status()
    assert state.state == "error" and state.why == (
        r"cannot read HKCU\Software\Microsoft\Windows\CurrentVersion\Run\deskbreak: "
        "Access is denied")
    with pytest.raises(AutostartError, match="Access is denied"):
        windows.enable([EXE])
    with pytest.raises(AutostartError, match=r"cannot remove .*Access is denied"):
        windows.disable()


@pytest.mark.parametrize("argv", [
    [EXE, "run"], ["C:\\a b\\", "x"], ['say "hi"', "a\\\\b"], ["", "plain"],
    ["trailing\\\\", 'in"side'],
])
def test_command_lines_split_as_windows_splits_them(argv: list[str]) -> None:
    assert split_command_line(subprocess.list2cmdline(argv)) == argv


def fake_winreg() -> types.ModuleType:
    """A stand-in for Windows' winreg, keeping values in a dictionary."""
    module = types.ModuleType("winreg")
    store: dict[tuple[str, str], tuple[object, int]] = {}
    keys: set[str] = set()

    class Handle:
        def __init__(self, key: str) -> None:
            self.key = key

        def __enter__(self) -> Handle:
            return self

        def __exit__(self, *_: object) -> None:
            pass

    def open_key(_root: object, key: str, *_: object) -> Handle:
        if key not in keys:
            raise FileNotFoundError(2, "The system cannot find the file specified")
        return Handle(key)

    def create_key(_root: object, key: str, *_: object) -> Handle:
        keys.add(key)
        return Handle(key)

    def query(handle: Handle, name: str) -> tuple[object, int]:
        if (handle.key, name) not in store:
            raise FileNotFoundError(2, "The system cannot find the file specified")
        return store[handle.key, name]

    def set_value(handle: Handle, name: str, _reserved: int, kind: int, value: object) -> None:
        store[handle.key, name] = (value, kind)

    def delete(handle: Handle, name: str) -> None:
        if store.pop((handle.key, name), None) is None:
            raise FileNotFoundError(2, "The system cannot find the file specified")

    module.__dict__.update(
        HKEY_CURRENT_USER=object(), KEY_SET_VALUE=2, REG_SZ=1, REG_EXPAND_SZ=2, REG_BINARY=3,
        OpenKey=open_key, CreateKeyEx=create_key, QueryValueEx=query, SetValueEx=set_value,
        DeleteValue=delete,
        ExpandEnvironmentStrings=lambda s: s.replace("%LOCALAPPDATA%", r"C:\Users\Me\AppData"),
        store=store, keys=keys)
    return module


def test_the_real_registry_adapter_speaks_winreg(monkeypatch: pytest.MonkeyPatch) -> None:
    module = fake_winreg()
    monkeypatch.setitem(sys.modules, "winreg", module)
    monkeypatch.setattr(sys, "platform", "win32")
    windows = for_platform()
    assert isinstance(windows, WindowsRun)
    assert isinstance(windows.registry, CurrentUserRegistry)
    assert windows.status().state == "off"  # no Run key at all yet
    windows._runnable = lambda p: p == EXE
    windows.enable([EXE])
    assert module.store[RUN_KEY, "deskbreak"] == (f'"{EXE}" run', module.REG_SZ)
    assert windows.status().on
    module.store[RUN_KEY, "deskbreak"] = (r'"%LOCALAPPDATA%\deskbreak.exe" run',
                                          module.REG_EXPAND_SZ)
    assert windows.status().command == (r"C:\Users\Me\AppData\deskbreak.exe", "run")
    module.keys.add(APPROVED_KEY)
    module.store[APPROVED_KEY, "deskbreak"] = (b"\x03" + bytes(11), module.REG_BINARY)
    assert windows.status().why == "disabled in Task Manager's Startup tab"
    assert windows.disable().startswith("Start at login: off")
    assert windows.disable().startswith("Start at login is already off")


def test_winreg_is_imported_only_on_windows() -> None:
    probe = ("import sys, deskbreak.autostart.windows_run, deskbreak.autostart; "
             "deskbreak.autostart.for_platform(); print('winreg' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "False"


@pytest.mark.parametrize(("platform", "kind"), [
    ("linux", XdgAutostart), ("freebsd14", XdgAutostart), ("darwin", LaunchAgent)])
def test_each_platform_gets_its_backend(platform: str, kind: type,
                                        monkeypatch: pytest.MonkeyPatch,
                                        tmp_path: Path) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    backend = for_platform(platform)
    assert isinstance(backend, kind)
    if kind is LaunchAgent:
        assert backend.path == tmp_path / "Library/LaunchAgents/io.github.deskbreak.plist"


