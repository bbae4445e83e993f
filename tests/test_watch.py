"""The Linux watch: what wakes a daemon sleeping for minutes, and what must not.

The files are real (inotify on a temp dir). The clock part is real as far as it can be
without root: the timerfd is armed for real; a clock set is simulated by making its read
fail with ECANCELED, which is exactly what the kernel does at a clock set or a resume.
"""

from __future__ import annotations

import asyncio
import errno
import os
import select
import sys
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from deskbreak import watch as watch_mod
from deskbreak.watch.linux import LinuxWatch

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux only")


def run(test: Callable[[asyncio.AbstractEventLoop, list[str]], Awaitable[None]]) -> None:
    async def main() -> None:
        await test(asyncio.get_running_loop(), [])
    asyncio.run(main())


@contextmanager
def watching(loop: asyncio.AbstractEventLoop, pokes: list[str], files: list[Path],
             zones: list[Path] | None = None) -> Iterator[LinuxWatch]:
    """A watch on ``files`` (and the time-zone files, the real ones unless given),
    closed afterwards."""
    watch = LinuxWatch(loop, pokes.append, time_zone_files=zones)
    watch.watch_files(files)
    try:
        yield watch
    finally:
        watch.close()


async def settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0.01)


def test_config_edits_saves_by_rename_and_removal_wake_the_loop(tmp_path: Path) -> None:
    config = tmp_path / "deskbreak" / "config.toml"
    config.parent.mkdir()

    async def test(loop: asyncio.AbstractEventLoop, pokes: list[str]) -> None:
        with watching(loop, pokes, [config], zones=[]):
            config.write_text('interval = "20m"\n')
            await settle()
            assert pokes == [f"{config} changed"]
            pokes.clear()
            spare = config.with_name(".config.toml.swp")  # an editor's save: write, rename
            spare.write_text('interval = "25m"\n')
            await settle()
            assert pokes == []  # its own temporary file is nobody's business
            os.replace(spare, config)
            await settle()
            assert pokes == [f"{config} changed"]
            pokes.clear()
            (config.parent / "history.sqlite3").write_text("x")  # a neighbour
            await settle()
            assert pokes == []
            config.unlink()
            await settle()
            assert pokes == [f"{config} changed"]
    run(test)


def test_a_config_directory_made_later_is_followed_down(tmp_path: Path) -> None:
    """No config yet (the usual first run): the watch waits on the nearest parent and
    moves down as ``~/.config/deskbreak`` appears, so the first config file counts."""
    config = tmp_path / "home" / ".config" / "deskbreak" / "config.toml"

    async def test(loop: asyncio.AbstractEventLoop, pokes: list[str]) -> None:
        with watching(loop, pokes, [config], zones=[]):
            config.parent.mkdir(parents=True)
            await settle()
            pokes.clear()
            config.write_text("")
            await settle()
            assert pokes == [f"{config} changed"]
    run(test)


def test_a_symlinked_config_is_watched_where_it_really_lives(tmp_path: Path) -> None:
    """A dotfiles repository: editing the target changes the config."""
    real = tmp_path / "dotfiles" / "deskbreak.toml"
    real.parent.mkdir()
    real.write_text("")
    config = tmp_path / "config" / "config.toml"
    config.parent.mkdir()
    config.symlink_to(real)

    async def test(loop: asyncio.AbstractEventLoop, pokes: list[str]) -> None:
        with watching(loop, pokes, [config], zones=[]):
            real.write_text('interval = "20m"\n')
            await settle()
            assert pokes == [f"{real} changed"]
    run(test)


def test_a_new_time_zone_wakes_the_loop(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                        ) -> None:
    """timedatectl replaces the /etc/localtime link; the loop must see the new zone."""
    monkeypatch.delenv("TZ", raising=False)
    etc = tmp_path / "etc"
    etc.mkdir()
    localtime = etc / "localtime"
    localtime.symlink_to("/usr/share/zoneinfo/Europe/London")

    async def test(loop: asyncio.AbstractEventLoop, pokes: list[str]) -> None:
        with watching(loop, pokes, [], zones=[localtime]):
            new = etc / ".localtime.tmp"
            new.symlink_to("/usr/share/zoneinfo/America/New_York")
            os.replace(new, localtime)
            await settle()
            assert pokes == ["the time zone changed"]
    run(test)


def test_a_fixed_tz_needs_no_watch_on_etc(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "Europe/Paris")

    async def test(loop: asyncio.AbstractEventLoop, pokes: list[str]) -> None:
        with watching(loop, pokes, []) as watch:
            assert watch._wds == {}
    run(test)


def test_a_clock_set_or_resume_wakes_the_loop_once_and_rearms(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The armed timerfd is quiet; when the kernel cancels it (a clock set, a resume), one
    poke, and it is armed again rather than left readable (which would spin the loop)."""
    async def test(loop: asyncio.AbstractEventLoop, pokes: list[str]) -> None:
        watch = LinuxWatch(loop, pokes.append, time_zone_files=[])
        try:
            timer = watch._timer
            assert select.select([timer], [], [], 0.05)[0] == []  # armed far ahead: quiet
            real_read = os.read

            def cancelled(fd: int, n: int) -> bytes:
                if fd == timer:
                    raise OSError(errno.ECANCELED, os.strerror(errno.ECANCELED))
                return real_read(fd, n)

            armed: list[int] = []
            rearm = watch._arm
            monkeypatch.setattr(os, "read", cancelled)
            monkeypatch.setattr(watch, "_arm", lambda: (armed.append(1), rearm()))
            watch._clock_news()
            assert pokes == ["the wall clock was set, or the machine resumed"]
            assert armed == [1]
            monkeypatch.setattr(os, "read", real_read)
            await settle()
            assert pokes == ["the wall clock was set, or the machine resumed"]
        finally:
            watch.close()
    run(test)


def test_close_releases_both_descriptors() -> None:
    async def test(loop: asyncio.AbstractEventLoop, pokes: list[str]) -> None:
        watch = LinuxWatch(loop, pokes.append, time_zone_files=[])
        fds = (watch._timer, watch._inotify)
        watch.close()
        for fd in fds:
            with pytest.raises(OSError):
                os.fstat(fd)
        watch.close()  # twice is harmless
    run(test)


def test_other_platforms_look_every_minute(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(watch_mod.sys, "platform", "darwin")

    async def test(loop: asyncio.AbstractEventLoop, pokes: list[str]) -> None:
        watch, note = watch_mod.choose_watch(loop, [], pokes.append)
        assert watch is None and note is not None and "every minute" in note
    run(test)


def test_out_of_inotify_instances_falls_back_to_looking(monkeypatch: pytest.MonkeyPatch
                                                        ) -> None:
    """Other programs of the same user (IDEs, sync clients) may have used up the per-user
    inotify instances (fs.inotify.max_user_instances, 128 by default)."""
    from deskbreak.watch import linux

    real = linux._libc()

    class NoInotify:
        def __init__(self) -> None:
            self.real = real

        def __getattr__(self, name: str) -> object:
            if name == "inotify_init1":
                def fail(flags: int) -> int:
                    import ctypes
                    ctypes.set_errno(errno.EMFILE)
                    return -1
                return fail
            return getattr(self.real, name)

    monkeypatch.setattr(linux, "_libc", NoInotify)

    async def test(loop: asyncio.AbstractEventLoop, pokes: list[str]) -> None:
        watch, note = watch_mod.choose_watch(loop, [], pokes.append)
        assert watch is None
        assert note == "no change watch (inotify_init1: Too many open files): the daemon " \
            "looks every minute"
    run(test)


def test_out_of_inotify_watches_closes_what_it_opened(monkeypatch: pytest.MonkeyPatch,
                                                       tmp_path: Path) -> None:
    """IDEs often use up fs.inotify.max_user_watches: the daemon starts anyway, looking
    every minute, and leaks no descriptor."""
    opened: list[LinuxWatch] = []

    def no_room(self: LinuxWatch, files: object) -> None:
        opened.append(self)
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(LinuxWatch, "watch_files", no_room)

    async def test(loop: asyncio.AbstractEventLoop, pokes: list[str]) -> None:
        watch, note = watch_mod.choose_watch(loop, [tmp_path / "c.toml"], pokes.append)
        assert watch is None and note is not None and "No space left" in note
        assert opened[0]._timer == opened[0]._inotify == -1  # closed
    run(test)


@pytest.mark.parametrize(("tz", "watched"), [
    (None, ["/etc/localtime"]), (":/etc/localtime", ["/etc/localtime"]),
    (":/srv/zone", ["/srv/zone"]), ("Europe/Paris", []), ("UTC0", [])])
def test_which_file_says_the_time_zone(tz: str | None, watched: list[str]) -> None:
    """``TZ=:/etc/localtime`` (systemd's advice) still follows /etc/localtime; a zone
    named in TZ cannot change under the daemon, so nothing is watched for it."""
    from deskbreak.watch.linux import _zone_files

    assert [str(p) for p in _zone_files(tz, [Path("/etc/localtime")])] == watched
