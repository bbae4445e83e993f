"""``deskbreak autostart`` and ``deskbreak install-desktop`` as a user meets them.

In the test's private home (``XDG_CONFIG_HOME``, ``XDG_DATA_HOME``...): what each command
prints, its exit status, and the files it leaves, checked with the real
desktop-file-validate; the command an entry names is run to show it starts this
deskbreak. Also which command gets written (``program.program_argv``).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from deskbreak import __version__
from deskbreak.appicon import SIZES
from deskbreak.desktopfile import read_entry, split_exec, unescape_string
from deskbreak.program import program_argv
from tests.test_autostart import validate

Cli = Callable[..., tuple[int, str, str]]


def autostart_file(home: Path) -> Path:
    return home / "config" / "autostart" / "deskbreak.desktop"


def launcher_file(home: Path) -> Path:
    return home / "data" / "applications" / "deskbreak.desktop"


def command_of(path: Path) -> list[str]:
    return split_exec(unescape_string(read_entry(path.read_text())["Exec"]))


def starts_this_deskbreak(argv: list[str]) -> None:
    """The entry's command, with ``run`` swapped for ``--version``, is this deskbreak."""
    assert argv[-1] == "run" and os.path.isabs(argv[0])
    result = subprocess.run([*argv[:-1], "--version"], capture_output=True, text=True,
                            timeout=60, check=False, cwd="/")
    assert result.stdout.strip() == f"deskbreak {__version__}", result


# --- autostart ---------------------------------------------------------------------------
def test_on_status_off_in_a_clean_home(cli: Cli, isolated_home: Path) -> None:
    path = autostart_file(isolated_home)
    assert cli("autostart", "status") == (
        0, f"Start at login: off (there is no {path}); `deskbreak autostart on` turns it "
           "on\n", "")
    code, out, err = cli("autostart", "on")
    argv = command_of(path)
    assert (code, err) == (0, "")
    assert out == f"Start at login: on ({path} starts {' '.join(argv)})\n"
    validate(path)
    starts_this_deskbreak(argv)
    icon = isolated_home / "data" / "icons" / "hicolor" / "48x48" / "apps" / "deskbreak.png"
    assert icon.is_file()  # so Icon=deskbreak resolves
    assert cli("autostart", "status") == (
        0, f"Start at login: on\nEntry: {path}\nStarts: {' '.join(argv)}\n", "")
    code, out, _ = cli("autostart", "status", "--json")
    assert (code, json.loads(out)) == (0, {
        "state": "on", "enabled": True, "backend": "xdg", "where": str(path), "why": None,
        "command": argv})
    assert cli("autostart", "off") == (
        0, f"Start at login: off (removed {path}); removed its icon\n", "")
    assert not path.exists() and not icon.exists()  # nothing else used it
    code, out, _ = cli("autostart", "status", "--json")
    assert json.loads(out)["state"] == "off" and json.loads(out)["enabled"] is False


def test_on_and_off_with_json_print_the_resulting_state(cli: Cli) -> None:
    code, out, _ = cli("autostart", "on", "--json")
    assert (code, json.loads(out)["state"]) == (0, "on")
    code, out, _ = cli("autostart", "off", "--json")
    assert (code, json.loads(out)["state"]) == (0, "off")


def test_a_moved_program_is_reported_with_the_fix_and_on_repairs_it(
        cli: Cli, isolated_home: Path) -> None:
    path = autostart_file(isolated_home)
    path.parent.mkdir(parents=True)
    gone = isolated_home / "old-venv" / "bin" / "deskbreak"
    path.write_text(f"[Desktop Entry]\nType=Application\nName=deskbreak\nExec={gone} run\n")
    assert cli("autostart", "status") == (
        1, f"Start at login: on, but the program it starts is missing: {gone} (moved or "
           "uninstalled?); run `deskbreak autostart on` again\n", "")
    code, out, _ = cli("autostart", "status", "--json")
    assert (code, json.loads(out)["state"], json.loads(out)["enabled"]) == (1, "broken", False)
    assert cli("autostart", "on")[0] == 0
    assert cli("autostart", "status")[0] == 0
    starts_this_deskbreak(command_of(path))


def test_a_user_disabled_entry_is_off_until_the_user_says_on(cli: Cli,
                                                             isolated_home: Path) -> None:
    path = autostart_file(isolated_home)
    cli("autostart", "on")
    text = path.read_text().replace("X-GNOME-Autostart-enabled=true",
                                    "X-GNOME-Autostart-enabled=false")
    path.write_text(text)  # what GNOME's Startup Applications does
    code, out, _ = cli("autostart", "status")
    assert (code, out) == (0, f"Start at login: off (turned off in {path} "
                              "(X-GNOME-Autostart-enabled=false)); `deskbreak autostart on` "
                              "turns it on\n")
    assert path.read_text() == text
    assert cli("autostart", "on")[0] == 0
    assert "X-GNOME-Autostart-enabled=true" in path.read_text()


@pytest.mark.parametrize("old", ["old-venv/bin/deskbreak", "/usr/bin/true"])
def test_on_replaces_an_entry_that_starts_another_program(
        cli: Cli, isolated_home: Path, old: str) -> None:
    """An older installation that still exists (so the entry is on), or something else
    entirely: `on` makes the entry start this deskbreak, and says what it started."""
    path = autostart_file(isolated_home)
    path.parent.mkdir(parents=True)
    if not old.startswith("/"):
        old = str(script(isolated_home / old))
    path.write_text(f"[Desktop Entry]\nType=Application\nName=deskbreak\nExec={old} run\n")
    assert cli("autostart", "status")[1].startswith("Start at login: on\n")
    code, out, err = cli("autostart", "on")
    argv = command_of(path)
    assert (code, out, err) == (
        0, f"Start at login: on ({path} now starts {' '.join(argv)} instead of {old} run)\n",
        "")
    validate(path)
    starts_this_deskbreak(argv)
    assert cli("autostart", "on")[1].startswith("Start at login is already on: ")


def test_an_entry_with_keys_glib_accepts_is_read_and_changed(
        cli: Cli, isolated_home: Path) -> None:
    """``X_Foo`` or ``Name[de]``: outside the spec's key characters, but the session's
    parser (GLib) takes them, so the entry is on, and ``off`` and ``on`` work."""
    path = autostart_file(isolated_home)
    path.parent.mkdir(parents=True)
    cli("autostart", "on")
    text = path.read_text() + "X_Foo=1\nName[de]=deskbreak\n# kept by the user\n\n"
    path.write_text(text)
    code, out, err = cli("autostart", "status")
    assert (code, out.startswith("Start at login: on\n"), err) == (0, True, "")
    assert cli("autostart", "on")[1].startswith("Start at login is already on")
    assert path.read_text() == text
    assert cli("autostart", "off")[0] == 0 and not path.exists()


@pytest.mark.parametrize(("make", "problem"), [
    (lambda p: p.mkdir(), "{p} is a directory, not an autostart entry; move it away and "
                          "run `deskbreak autostart on` again"),
    (lambda p: p.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00garbage\xff"),
     "{p} is not a desktop entry (not UTF-8 text); move it away and run `deskbreak "
     "autostart on` again"),
    (lambda p: p.write_text("Exec=/bin/true\n"), "{p} is not a valid desktop entry (line 1: "
     "a key before [Desktop Entry]); move it away and run `deskbreak autostart on` again"),
])
@pytest.mark.parametrize("action", ["on", "off", "status"])
def test_what_cannot_be_read_is_one_line_and_exit_1(
        cli: Cli, isolated_home: Path, make: Callable[[Path], Any], problem: str,
        action: str) -> None:
    path = autostart_file(isolated_home)
    path.parent.mkdir(parents=True)
    make(path)
    before = path.read_bytes() if path.is_file() else None
    assert cli("autostart", action) == (1, "", f"deskbreak: {problem.format(p=path)}\n")
    assert (path.read_bytes() if path.is_file() else None) == before
    if action == "status":
        code, out, _ = cli("autostart", "status", "--json")
        assert (code, json.loads(out)["state"]) == (1, "error")


def test_a_symlink_elsewhere_is_never_written_through(cli: Cli, isolated_home: Path,
                                                      tmp_path: Path) -> None:
    target = tmp_path / "dotfiles" / "deskbreak.desktop"
    target.parent.mkdir()
    target.write_text("[Desktop Entry]\nType=Application\nName=x\nExec=/bin/true\n"
                      "Hidden=true\n")
    path = autostart_file(isolated_home)
    path.parent.mkdir(parents=True)
    path.symlink_to(target)
    code, out, err = cli("autostart", "on")
    assert (code, out) == (1, "")
    assert err == (f"deskbreak: {path} is a symbolic link (to {target}); deskbreak does not "
                   "change files through links: edit the file it points to yourself, or "
                   "remove the link and run `deskbreak autostart on` again\n")
    assert "Hidden=true" in target.read_text()


def test_a_read_only_config_folder_is_one_line_from_a_real_process(
        cli_process: Callable[..., subprocess.CompletedProcess[str]],
        isolated_home: Path) -> None:
    """No traceback, whatever the disk says: here the folder is in a file's place."""
    (isolated_home / "config" / "autostart").write_text("")
    result = cli_process("autostart", "on")
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr.startswith("deskbreak: ") and result.stderr.count("\n") == 1
    assert "a file is in the way where a folder should be" in result.stderr


def test_a_bad_action_is_a_usage_error(cli: Cli) -> None:
    code, out, err = cli("autostart", "maybe")
    assert (code, out) == (2, "") and "invalid choice: 'maybe'" in err


# --- install-desktop ---------------------------------------------------------------------
def icon_files(home: Path) -> list[Path]:
    theme = home / "data" / "icons" / "hicolor"
    return [theme / f"{s}x{s}" / "apps" / "deskbreak.png" for s in SIZES] + \
        [theme / "scalable" / "apps" / "deskbreak.svg"]


def test_install_desktop_puts_a_valid_launcher_and_its_icon_in_place(
        cli: Cli, isolated_home: Path) -> None:
    code, out, err = cli("install-desktop")
    path = launcher_file(isolated_home)
    assert (code, err) == (0, "")
    assert out == (f"Installed {path} (deskbreak in the application menu) and its icon in "
                   f"{isolated_home / 'data' / 'icons' / 'hicolor'}\n")
    validate(path)
    keys = read_entry(path.read_text())
    assert (keys["Name"], keys["Icon"], keys["Categories"], keys["Terminal"]) == (
        "deskbreak", "deskbreak", "Utility;", "false")
    starts_this_deskbreak(command_of(path))
    assert all(p.is_file() and p.stat().st_size > 100 for p in icon_files(isolated_home))

    assert cli("install-desktop", "--remove") == (
        0, f"Removed {path}; removed its icon\n", "")
    assert not path.exists() and not any(p.exists() for p in icon_files(isolated_home))
    assert cli("install-desktop", "--remove") == (0, f"There was no {path}\n", "")


def test_removing_the_launcher_keeps_the_icon_the_autostart_entry_names(
        cli: Cli, isolated_home: Path) -> None:
    cli("install-desktop")
    cli("autostart", "on")
    code, out, _ = cli("install-desktop", "--remove")
    assert code == 0 and out.endswith("; kept its icon (the autostart entry uses it)\n")
    assert all(p.is_file() for p in icon_files(isolated_home))


def test_removing_the_launcher_says_nothing_of_an_icon_that_is_not_there(
        cli: Cli, isolated_home: Path) -> None:
    cli("install-desktop")
    entry = autostart_file(isolated_home)
    entry.parent.mkdir(parents=True)
    entry.write_text("[Desktop Entry]\nType=Application\nName=deskbreak\nExec=/bin/true "
                     "run\nX-GNOME-Autostart-enabled=false\n")  # listed, switched off
    for icon in icon_files(isolated_home):
        icon.unlink()
    assert cli("install-desktop", "--remove") == (
        0, f"Removed {launcher_file(isolated_home)}\n", "")


def test_an_icon_that_cannot_be_installed_is_said_after_what_was_done(
        cli: Cli, isolated_home: Path) -> None:
    """The launcher works without its icon: it stays, the line says what was written and
    what failed (the real path, not a temporary file's), and the command succeeds; the
    same for ``autostart on``."""
    in_the_way = icon_files(isolated_home)[4]
    in_the_way.mkdir(parents=True)
    path = launcher_file(isolated_home)
    assert cli("install-desktop") == (
        0, f"Installed {path} (deskbreak in the application menu); its icon was not "
           f"installed: {in_the_way} is a directory, not an icon; move it away and run "
           "`deskbreak install-desktop` again\n", "")
    validate(path)
    assert [p for p in (isolated_home / "data" / "icons").rglob("*") if p.is_file()] == []
    code, out, err = cli("autostart", "on")
    entry = autostart_file(isolated_home)
    assert (code, err) == (0, "")
    assert out == (f"Start at login: on ({entry} starts {' '.join(command_of(entry))}); its "
                   f"icon was not installed: {in_the_way} is a directory, not an icon; move "
                   "it away and run `deskbreak autostart on` again\n")
    assert cli("autostart", "status")[0] == 0

    assert cli("install-desktop", "--remove") == (0, f"Removed {path}\n", "")  # kept: in use
    assert cli("autostart", "off") == (
        0, f"Start at login: off (removed {entry}); its icon was not removed: {in_the_way} "
           "is a directory, not an icon; move it away and run `deskbreak autostart off` "
           "again\n", "")
    in_the_way.rmdir()
    cli("install-desktop")
    in_the_way.unlink()
    in_the_way.mkdir()
    assert cli("install-desktop", "--remove") == (
        0, f"Removed {path}; its icon was not removed: {in_the_way} is a directory, not an "
           "icon; move it away and run `deskbreak install-desktop --remove` again\n", "")
    assert all(p.is_file() for p in icon_files(isolated_home) if p != in_the_way)


def test_off_keeps_the_icon_while_the_launcher_or_a_listed_entry_uses_it(
        cli: Cli, isolated_home: Path) -> None:
    cli("install-desktop")
    cli("autostart", "on")
    entry = autostart_file(isolated_home)
    assert cli("autostart", "off") == (0, f"Start at login: off (removed {entry})\n", "")
    assert all(p.is_file() for p in icon_files(isolated_home))  # the launcher shows it
    cli("install-desktop", "--remove")
    assert not any(p.exists() for p in icon_files(isolated_home))

    cli("autostart", "on")
    switched_off = entry.read_text().replace("X-GNOME-Autostart-enabled=true",
                                             "X-GNOME-Autostart-enabled=false")
    entry.write_text(switched_off)  # still listed in the desktop's startup settings
    code, out, _ = cli("autostart", "off")
    assert (code, out.startswith("Start at login is already off")) == (0, True)
    assert entry.read_text() == switched_off
    assert all(p.is_file() for p in icon_files(isolated_home))


def test_install_desktop_is_for_freedesktop_systems(cli: Cli,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "platform", "darwin")
    assert cli("install-desktop") == (1, "", "deskbreak: install-desktop is for Linux and other "
                                             "freedesktop desktops; use `deskbreak autostart "
                                             "on` to start deskbreak at login\n")


def test_the_desktop_caches_are_refreshed_only_with_tools_that_exist(tmp_path: Path) -> None:
    from deskbreak.launcher import refresh_caches

    (tmp_path / "applications").mkdir()
    theme = tmp_path / "icons" / "hicolor"
    theme.mkdir(parents=True)
    ran: list[list[str]] = []
    tools = {"update-desktop-database": "/x/udd", "gtk-update-icon-cache": "/x/guic"}
    assert refresh_caches(tmp_path, which=tools.get, run=ran.append) == [
        "update-desktop-database"]  # no icon cache there yet: none is made
    (theme / "icon-theme.cache").write_bytes(b"")
    assert refresh_caches(tmp_path, which=tools.get, run=ran.append) == [
        "update-desktop-database", "gtk-update-icon-cache"]
    assert ran[-1] == ["/x/guic", "-q", "-t", "-f", str(theme)]
    assert refresh_caches(tmp_path, which=lambda _: None, run=ran.append) == []


# --- which command the entries start ---------------------------------------------------
def script(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#!/bin/sh\n")
    path.chmod(0o755)
    return path


def test_pipxs_link_on_path_is_kept_as_it_is_named(tmp_path: Path) -> None:
    real = script(tmp_path / "pipx" / "venvs" / "deskbreak" / "bin" / "deskbreak")
    link = tmp_path / "local" / "bin" / "deskbreak"
    link.parent.mkdir(parents=True)
    link.symlink_to(real)
    argv = program_argv(which=lambda _: str(link), argv0=str(link), executable="/py",
                        scripts=[str(real.parent)])
    assert argv == [str(link)]  # not the resolved path inside pipx's environment


def test_another_deskbreak_on_path_is_not_this_one(tmp_path: Path) -> None:
    other = script(tmp_path / "old" / "bin" / "deskbreak")
    mine = script(tmp_path / "venv" / "bin" / "deskbreak")
    assert program_argv(which=lambda _: str(other), argv0="/x/pytest", executable="/py",
                        scripts=[str(mine.parent)]) == [str(mine)]


def test_the_running_script_when_nothing_on_path(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    running = script(tmp_path / "somewhere" / "deskbreak")
    monkeypatch.chdir(tmp_path)
    assert program_argv(which=lambda _: None, argv0="somewhere/deskbreak", executable="/py",
                        scripts=[]) == [str(running)]
    on_path = tmp_path / "bin" / "deskbreak"
    on_path.parent.mkdir()
    on_path.symlink_to(running)
    assert program_argv(which=lambda _: str(on_path), argv0=str(running), executable="/py",
                        scripts=[]) == [str(on_path)]


def test_python_dash_m_when_no_script_exists(tmp_path: Path) -> None:
    assert program_argv(which=lambda _: None, argv0="/x/__main__.py",
                        executable="/usr/bin/python3", scripts=[str(tmp_path)]) == [
        "/usr/bin/python3", "-m", "deskbreak"]
    with pytest.raises(ValueError, match=r"sys\.executable is empty"):
        program_argv(which=lambda _: None, argv0="", executable="", scripts=[])


def test_windows_looks_for_the_exe(tmp_path: Path) -> None:
    exe = script(tmp_path / "Scripts" / "deskbreak.exe")
    script(tmp_path / "Scripts" / "deskbreak")
    assert program_argv(which=lambda _: None, argv0="x", executable="/py",
                        scripts=[str(exe.parent)], windows=True) == [str(exe)]
