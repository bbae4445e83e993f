"""Linux: a timerfd says the clock was set or the machine resumed; inotify says a file changed.

Both are file descriptors on the asyncio loop, so the daemon wakes only when one of
them has news; nothing polls.

- **Clock set and resume:** a realtime timerfd armed far in the future with
  ``TFD_TIMER_CANCEL_ON_SET`` is cancelled (``read`` fails with ECANCELED) whenever the
  wall clock is set discontinuously, and the kernel treats a resume the same way
  (``timekeeping_resume`` calls ``timerfd_resume``): the realtime-to-monotonic offset has
  moved by the time asleep. That covers the two moments a long sleep on the monotonic
  clock would miss.
- **Files:** the config file, the exercise file it names, ``/etc/localtime`` (a new time
  zone; only when ``TZ`` does not fix one). Each is watched through its directory, so an
  editor's save by rename, a file created later or removed is seen; a directory that does
  not exist yet is watched through its nearest existing parent until it appears. A
  config that is a symlink (dotfiles) is watched at its target too.

Python 3.11 has no ``os.timerfd_create`` or inotify binding, so both come from libc
through ctypes (about 0.4 MiB, measured; ``ctypes.util`` is not needed and not loaded).
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import errno
import logging
import os
import struct
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from deskbreak.watch.base import Watch, WatchUnavailable

log = logging.getLogger("deskbreak")

CLOCK_REALTIME = 0
TFD_NONBLOCK = os.O_NONBLOCK
TFD_CLOEXEC = os.O_CLOEXEC
TFD_TIMER_ABSTIME = 1
TFD_TIMER_CANCEL_ON_SET = 2
FAR_AHEAD_S = 5 * 365 * 86400  # never reached in practice; re-armed if it ever is

IN_ATTRIB = 0x4
IN_CLOSE_WRITE = 0x8
IN_MOVED_FROM = 0x40
IN_MOVED_TO = 0x80
IN_CREATE = 0x100
IN_DELETE = 0x200
IN_DELETE_SELF = 0x400
IN_MOVE_SELF = 0x800
IN_Q_OVERFLOW = 0x4000
IN_IGNORED = 0x8000
IN_ONLYDIR = 0x01000000
DIR_EVENTS = (IN_ATTRIB | IN_CLOSE_WRITE | IN_MOVED_FROM | IN_MOVED_TO | IN_CREATE
              | IN_DELETE | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR)
EVENT_HEADER = struct.Struct("iIII")  # wd, mask, cookie, len (struct inotify_event)

TIME_ZONE_FILES = (Path("/etc/localtime"), Path("/etc/timezone"))


class _Timespec(ctypes.Structure):
    _fields_ = [("tv_sec", ctypes.c_long), ("tv_nsec", ctypes.c_long)]


class _Itimerspec(ctypes.Structure):
    _fields_ = [("it_interval", _Timespec), ("it_value", _Timespec)]


def _libc() -> ctypes.CDLL:
    libc = ctypes.CDLL(None, use_errno=True)
    for name in ("timerfd_create", "timerfd_settime", "inotify_init1",
                 "inotify_add_watch", "inotify_rm_watch"):
        if not hasattr(libc, name):
            raise WatchUnavailable(f"libc has no {name}")
    return libc


def _failed(call: str) -> WatchUnavailable:
    code = ctypes.get_errno()
    return WatchUnavailable(f"{call}: {os.strerror(code)}")


def _zone_files(tz: str | None, default: list[Path]) -> list[Path]:
    """The files that say the local time zone: /etc/localtime unless ``TZ`` names a zone
    (then nothing can change it under us); ``TZ=:/path`` (systemd's advice, to spare the
    stat calls) names the file itself."""
    if tz is None:
        return default
    if tz.startswith(":/"):
        return [Path(tz[1:])]
    if tz == ":":
        return default
    return []


def _targets(path: Path) -> list[tuple[Path, str, str]]:
    """(directory to watch, name in it that matters, label) for one watched file.

    The directory is the nearest one that exists on the way to the file, and the name
    the next step towards it: when that appears, the watches are placed again deeper.
    """
    out = []
    step = path
    while True:
        parent = step.parent
        if parent == step:
            return out
        if os.path.isdir(parent):  # never raises, unlike Path.is_dir on EACCES
            out.append((parent, step.name, str(path)))
            return out
        step = parent


class LinuxWatch(Watch):
    """The timerfd and the inotify descriptor, both read on the loop."""

    def __init__(self, loop: asyncio.AbstractEventLoop, poke: Callable[[str], None], *,
                 time_zone_files: Iterable[Path] | None = None) -> None:
        self._loop = loop
        self._poke = poke
        self._files: list[Path] = []
        self._zone_files = list(TIME_ZONE_FILES if time_zone_files is None
                                else time_zone_files)
        self._zone_files = _zone_files(os.environ.get("TZ"), self._zone_files)
        self._wds: dict[int, tuple[Path, dict[str, str]]] = {}
        self._timer = self._inotify = -1
        self._libc = _libc()
        try:
            self._open_timer()
            self._open_inotify()
        except BaseException:
            self.close()
            raise

    # --- the clock ---------------------------------------------------------------------
    def _open_timer(self) -> None:
        self._timer = self._libc.timerfd_create(CLOCK_REALTIME, TFD_NONBLOCK | TFD_CLOEXEC)
        if self._timer < 0:
            raise _failed("timerfd_create")
        self._arm()
        self._loop.add_reader(self._timer, self._clock_news)

    def _arm(self) -> None:
        spec = _Itimerspec()
        spec.it_value.tv_sec = int(time.time()) + FAR_AHEAD_S
        flags = TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET
        if self._libc.timerfd_settime(self._timer, flags, ctypes.byref(spec), None) != 0:
            raise _failed("timerfd_settime")

    def _clock_news(self) -> None:
        try:
            os.read(self._timer, 8)
        except BlockingIOError:
            return
        except OSError as exc:
            if exc.errno != errno.ECANCELED:
                log.warning("the clock watch failed (%s); looking every minute instead", exc)
                self.failed = f"clock watch: {exc}"
                self._loop.remove_reader(self._timer)
                self._poke("clock watch failed")
                return
            self._rearm()
            self._poke("the wall clock was set, or the machine resumed")
            return
        self._rearm()  # five years later: arm again

    def _rearm(self) -> None:
        try:
            self._arm()
        except WatchUnavailable as exc:  # cannot happen with a valid descriptor
            log.warning("the clock watch cannot be re-armed (%s); looking every minute", exc)
            self.failed = f"clock watch: {exc}"
            self._loop.remove_reader(self._timer)

    # --- the files ---------------------------------------------------------------------
    def _open_inotify(self) -> None:
        self._inotify = self._libc.inotify_init1(os.O_NONBLOCK | os.O_CLOEXEC)
        if self._inotify < 0:
            raise _failed("inotify_init1")
        self._loop.add_reader(self._inotify, self._file_news)

    def watch_files(self, files: Iterable[Path]) -> None:
        self._files = [Path(os.path.abspath(path)) for path in files]
        self._place()

    def _resolved(self) -> list[Path]:
        """The files, and where each symlink points now (dotfiles managers re-point them)."""
        out = []
        for path in self._files:
            out.append(path)
            with contextlib.suppress(OSError, RuntimeError):  # a loop or a dead link
                real = path.resolve()
                if real != path:
                    out.append(real)
        return out

    def _place(self) -> None:
        """Put the watches where they belong now (directories may have come or gone, a
        symlink may point elsewhere)."""
        wanted: dict[Path, dict[str, str]] = {}
        for path in self._resolved():
            for directory, name, label in _targets(path):
                wanted.setdefault(directory, {})[name] = label
        for path in self._zone_files:
            for directory, name, _ in _targets(path):
                wanted.setdefault(directory, {})[name] = "the time zone"
        for wd, (directory, _) in list(self._wds.items()):
            if directory not in wanted:  # its IN_IGNORED comes back and is skipped
                self._libc.inotify_rm_watch(self._inotify, wd)
                del self._wds[wd]
        placed: set[int] = set()
        for directory, names in wanted.items():
            wd = self._libc.inotify_add_watch(self._inotify, os.fsencode(directory), DIR_EVENTS)
            if wd < 0:
                code = ctypes.get_errno()
                if code in (errno.ENOENT, errno.ENOTDIR, errno.EACCES):
                    continue  # gone meanwhile, or not ours to read: nothing to see there
                raise WatchUnavailable(f"cannot watch {directory}: {os.strerror(code)}")
            if wd in placed:  # one directory by two paths (a symlink): one watch
                names = {**self._wds[wd][1], **names}
            self._wds[wd] = (directory, names)  # the same wd when already watched
            placed.add(wd)

    def _file_news(self) -> None:
        reasons: set[str] = set()
        again = False
        while True:
            try:
                data = os.read(self._inotify, 65536)
            except BlockingIOError:
                break
            except OSError as exc:
                log.warning("the file watch failed (%s); looking every minute", exc)
                self.failed = f"file watch: {exc}"
                self._loop.remove_reader(self._inotify)
                self._poke("file watch failed")
                return
            offset = 0
            while offset + EVENT_HEADER.size <= len(data):
                wd, mask, _cookie, length = EVENT_HEADER.unpack_from(data, offset)
                offset += EVENT_HEADER.size
                name = os.fsdecode(data[offset:offset + length].rstrip(b"\0"))
                offset += length
                if mask & IN_Q_OVERFLOW:
                    reasons.add("many files changed")
                    again = True
                    continue
                watched = self._wds.get(wd)
                if watched is None:
                    continue
                if mask & (IN_DELETE_SELF | IN_MOVE_SELF | IN_IGNORED):
                    reasons.add(f"{watched[0]} moved or removed")
                    again = True
                elif name in watched[1]:
                    reasons.add(f"{watched[1][name]} changed")
                    again = True  # a new file or link may point elsewhere now
        if again:
            try:
                self._place()
            except Exception as exc:
                log.warning("the file watch cannot follow the change (%s); looking every "
                            "minute", exc)
                self.failed = f"file watch: {exc}"
                reasons.add("file watch failed")
        for reason in sorted(reasons):
            self._poke(reason)

    def close(self) -> None:
        for fd in (self._timer, self._inotify):
            if fd >= 0:
                with contextlib.suppress(Exception):
                    self._loop.remove_reader(fd)
                with contextlib.suppress(OSError):
                    os.close(fd)
        self._timer = self._inotify = -1
        self._wds.clear()
