"""Files and sockets at the edges: private where personal, refused with one line when unsafe."""

from __future__ import annotations

import json
import logging
import os
import socket
import stat
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from deskbreak import control, paths
from deskbreak.core.commands import Status
from deskbreak.errors import DeskbreakError
from deskbreak.instance import InstanceLock
from deskbreak.logfile import PrivateRotatingFileHandler
from deskbreak.storage import StateFile

Cli = Callable[..., tuple[int, str, str]]


def mode(path: Path) -> int:
    return stat.S_IMODE(os.lstat(path).st_mode)


# --- the runtime directory -------------------------------------------------------------
def test_the_runtime_directory_is_made_private(isolated_home: Path) -> None:
    path = paths.runtime_dir()
    assert path == isolated_home / "runtime" / "deskbreak" and mode(path) == 0o700


def test_without_xdg_runtime_dir_a_checked_directory_in_tmp(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("XDG_RUNTIME_DIR")
    path = paths.runtime_dir()
    assert path == Path("/tmp") / f"deskbreak-{os.getuid()}" and mode(path) == 0o700


@pytest.fixture
def planted(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """The XDG runtime base in a place a test can plant things into."""
    base = tmp_path / "run"
    base.mkdir()
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(base))
    return base / "deskbreak"


def test_a_symlinked_runtime_directory_is_refused(planted: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "attacker"
    elsewhere.mkdir(mode=0o700)
    planted.symlink_to(elsewhere)
    with pytest.raises(DeskbreakError, match="is a symbolic link; refusing to use it"):
        paths.runtime_dir()


def test_a_runtime_directory_open_to_others_is_refused(planted: Path) -> None:
    planted.mkdir()
    planted.chmod(0o755)
    with pytest.raises(DeskbreakError, match=r"open to other users \(mode 0755\).*chmod 700"):
        paths.runtime_dir()


def test_another_users_runtime_directory_is_a_one_line_error(
        planted: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    """What `deskbreak status` says when XDG_RUNTIME_DIR points at someone else's."""
    planted.mkdir(mode=0o700)
    owner = os.lstat(planted).st_uid
    monkeypatch.setattr(os, "getuid", lambda: owner + 4242)
    code, out, err = cli("status")
    assert (code, out) == (2, "")
    assert err == (f"deskbreak: {planted} belongs to another user (uid {owner}), not you "
                   f"(uid {owner + 4242}); check XDG_RUNTIME_DIR\n")


def test_the_lock_file_is_private_and_never_followed_through_a_link(tmp_path: Path) -> None:
    lock = InstanceLock(tmp_path / "deskbreak.lock")
    lock.acquire()
    assert mode(tmp_path / "deskbreak.lock") == 0o600
    lock.release()
    target = tmp_path / "victim"
    target.write_text("precious")
    (tmp_path / "linked.lock").symlink_to(target)
    with pytest.raises(DeskbreakError, match="is a symbolic link; refusing to follow it"):
        InstanceLock(tmp_path / "linked.lock").acquire()
    assert target.read_text() == "precious"


# --- state and log ---------------------------------------------------------------------
def test_the_state_directory_and_log_are_private(isolated_home: Path) -> None:
    state = isolated_home / "state" / "deskbreak"
    state.mkdir(mode=0o755)
    state.chmod(0o755)  # as an older deskbreak left it
    assert paths.state_dir() == state and mode(state) == 0o700
    log = state / "deskbreak.log"
    log.write_text("old\n")
    log.chmod(0o644)
    handler = PrivateRotatingFileHandler(log, maxBytes=200, backupCount=1, encoding="utf-8")
    try:
        for n in range(20):  # enough to rotate
            handler.emit(logging.LogRecord("t", logging.INFO, __file__, 1, f"line {n}" * 5,
                                           None, None))
    finally:
        handler.close()
    assert mode(log) == 0o600 and mode(state / "deskbreak.log.1") == 0o600


def test_a_state_file_nested_thousands_deep_is_kept_aside(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    path.write_text("[" * 100_000)
    assert StateFile(path).read() == {}
    assert (tmp_path / "state.json.corrupt").exists() and not path.exists()


def test_a_user_catalogue_nested_thousands_deep_is_one_line(cli: Cli, tmp_path: Path) -> None:
    extra = tmp_path / "mine.toml"
    extra.write_text("x = " + "[" * 5000 + "\n")
    cfg = tmp_path / "c.toml"
    cfg.write_text(f'extra_catalogue = "{extra}"\n')
    code, out, err = cli("list", "--config", str(cfg))
    assert (code, out) == (2, "")
    assert err == f"deskbreak: {extra}: invalid TOML: nested too deeply\n"


# --- the control client ----------------------------------------------------------------
def test_the_client_knocks_again_while_the_backlog_is_full(tmp_path: Path) -> None:
    """A daemon busy for a moment is not "not running": the CLI waits and gets its answer."""
    (tmp_path / "control.key").write_text("k" * 64)
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(str(tmp_path / "control.sock"))
    server.listen(0)
    fillers = []
    while True:  # fill the backlog until the kernel says EAGAIN
        filler = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        filler.setblocking(False)
        try:
            filler.connect(str(tmp_path / "control.sock"))
        except BlockingIOError:
            filler.close()
            break
        fillers.append(filler)
    assert fillers

    def serve_later() -> None:
        time.sleep(0.5)
        server.settimeout(5)
        for _ in range(len(fillers) + 1):
            conn, _ = server.accept()
            with conn:
                conn.settimeout(0.2)
                try:
                    line = conn.recv(65536)
                except TimeoutError:
                    continue  # a filler: says nothing
                if line:
                    conn.sendall(json.dumps({"ok": True, "result": {"hi": 1}}).encode() + b"\n")

    thread = threading.Thread(target=serve_later)
    thread.start()
    try:
        began = time.monotonic()
        assert control.request(tmp_path, Status()) == {"hi": 1}
        assert time.monotonic() - began >= 0.4
    finally:
        thread.join(10)
        for filler in fillers:
            filler.close()
        server.close()


def test_no_socket_at_all_is_not_running(tmp_path: Path) -> None:
    (tmp_path / "control.key").write_text("k" * 64)
    with pytest.raises(DeskbreakError, match=r"^deskbreak is not running$"):
        control.request(tmp_path, Status())


# --- files the user names ----------------------------------------------------------------
def test_a_fifo_as_the_config_is_refused_without_waiting(cli_process: Callable[..., Any],
                                                         tmp_path: Path) -> None:
    fifo = tmp_path / "config.toml"
    os.mkfifo(fifo)
    result = cli_process("config", "check", str(fifo))  # would block forever on open()
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == (f"deskbreak: {fifo}: is not a regular file (a config file must "
                             "be one)\n")


@pytest.mark.parametrize("target", ["/dev/zero", "big"])
def test_exercise_files_that_are_no_files_or_too_large_are_refused(
        cli: Cli, tmp_path: Path, target: str) -> None:
    path = Path(target) if target.startswith("/") else tmp_path / target
    if target == "big":
        with path.open("wb") as big:
            big.truncate(5 * 2**20)
    cfg = tmp_path / "c.toml"
    cfg.write_text(f'extra_catalogue = "{path}"\n')
    code, out, err = cli("list", "--config", str(cfg))
    assert (code, out) == (2, "")
    problem = "is not a regular file" if target.startswith("/") else "too large"
    assert err.startswith(f"deskbreak: {path}: ") and problem in err and err.count("\n") == 1


def test_a_dangling_link_at_the_default_config_place_is_said(cli: Cli,
                                                             isolated_home: Path) -> None:
    config = isolated_home / "config" / "deskbreak" / "config.toml"
    config.parent.mkdir(parents=True)
    config.symlink_to(isolated_home / "gone.toml")
    code, _, err = cli("config", "show")
    assert code == 2 and err == f"deskbreak: {config}: no such file\n"
