"""The daemon's history subscriber: every event becomes a row, written off the event loop.

One writer thread owns the database connection, so a slow or stalled disk delays only
the history, never a break or the tray; the daemon awaits ``written`` (briefly) before
it carries an event out, so what it says happened is on disk first. Nothing here can
stop the daemon: a damaged file is set aside and a new one started, a full disk keeps
the records in memory (up to a bound) and writes them when space returns, and each
problem is logged once, not once per event.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import os
import queue
import sqlite3
import threading
import time
from concurrent.futures import Future
from pathlib import Path

from deskbreak.core.events import Event
from deskbreak.core.history import Record, record_of
from deskbreak.history import store

log = logging.getLogger("deskbreak")
MAX_PENDING = 10_000  # records kept in memory while the disk refuses them (about 2 MiB)
PRUNE_EVERY = dt.timedelta(days=1)
CLOCK_SLACK_S = 86400.0  # how far past the newest record the clock may plausibly be
CLOSE_WAIT_S = 5.0


class Recorder:
    """Writes records to the history file from its own thread; see the module docstring."""

    def __init__(self, path: Path, *, enabled: bool = True, keep_days: int = 365) -> None:
        self.path = path
        self.enabled = enabled
        self.keep_days = keep_days
        self.problem: str | None = None  # why records are not reaching the disk now
        self.set_aside: str | None = None  # said once: a damaged file was moved aside
        self.written_count = 0
        self._queue: queue.SimpleQueue[tuple[Record | None, Future[None]]] = \
            queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._last: Future[None] | None = None
        # Touched by the writer thread only:
        self._conn: sqlite3.Connection | None = None
        self._pending: list[Record] = []
        self._dropped = 0
        self._blocked = False  # a newer deskbreak's file: left alone for this run
        self._pruned: dt.datetime | None = None
        self._said: str | None = None
        self._identity: tuple[int, int] | None = None
        self._fd: int | None = None  # the file, read to check its header
        self._newest: float | None = None  # utc of the newest record when first opened
        self._opened_at = 0.0
        self._closed = False

    # --- the loop's side ---------------------------------------------------------------
    def __call__(self, event: Event) -> None:
        """Subscriber: queue the event's record; returns at once."""
        if self.enabled:
            self._submit(record_of(event))

    def _submit(self, record: Record | None) -> Future[None]:
        done: Future[None] = Future()
        if self._closed:  # a late event after close: nobody writes it any more
            done.set_result(None)
            return done
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="history", daemon=True)
            self._thread.start()
        self._queue.put((record, done))
        self._last = done
        return done

    async def written(self, timeout: float) -> bool:
        """Wait (up to ``timeout``) until every queued record is written or given up on."""
        last = self._last
        if last is None or last.done():
            return True
        try:
            await asyncio.wait_for(asyncio.shield(asyncio.wrap_future(last)), timeout)
        except TimeoutError:
            self._say("history: the disk is slow; breaks go on and records follow")
            return False
        return True

    def configure(self, *, enabled: bool, keep_days: int) -> None:
        self.enabled, self.keep_days = enabled, keep_days
        self._pruned = None  # a shorter retention applies from the next record

    def close(self) -> None:
        """Write what is queued and close the file (waits a few seconds at most)."""
        if self._thread is None or self._closed:
            self._closed = True
            return
        self._submit(None)
        self._closed = True
        self._thread.join(CLOSE_WAIT_S)
        if self._thread.is_alive():
            log.warning("history: the disk did not take the last records within %.0f s; "
                        "they may be lost", CLOSE_WAIT_S)

    def notes(self) -> list[str]:
        """What ``deskbreak status`` says about history, if anything is wrong."""
        return [note for note in (self.set_aside, self.problem) if note]

    # --- the writer thread -------------------------------------------------------------
    def _run(self) -> None:
        """Write what is queued: everything queued together goes in one transaction.

        One step's events (the sitting span and the absence that ended it, a break and
        the span before it) arrive together; one commit and one fsync for them, not one
        each, spares the idle daemon wake-ups (measured: docs/benchmarks.md).
        """
        while True:
            batch = [self._queue.get()]
            while True:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            records = [record for record, _ in batch if record is not None]
            closing = len(records) < len(batch)
            try:
                if records:
                    self._write(records)
                if closing:
                    self._close_file()
            except Exception:  # never let the thread die: the next record tries again
                log.exception("history: writing a record failed")
            finally:
                for _, done in batch:
                    done.set_result(None)
            if closing:
                return

    def _write(self, records: list[Record]) -> None:
        if self._blocked:
            return
        record = records[-1]
        self._pending.extend(records)
        if len(self._pending) > MAX_PENDING:
            self._dropped += len(self._pending) - MAX_PENDING
            del self._pending[:len(self._pending) - MAX_PENDING]
        for attempt in (1, 2):
            try:
                conn = self._open(record.local)
                if conn is None:
                    return
                store.insert(conn, self._pending)
            except store.Damaged as exc:
                if attempt == 2 or not self._move_aside(str(exc), record.local):
                    return
            except sqlite3.Error as exc:
                problem = store.failure(self.path, exc, "write to")
                if isinstance(problem, store.Damaged) and attempt == 1:
                    if self._move_aside(str(problem), record.local):
                        continue
                    return
                self._failed(str(problem))
                return
            except (store.HistoryError, OSError) as exc:
                self._failed(str(exc) if isinstance(exc, store.HistoryError)
                             else f"cannot write to {self.path}: {store.reason(exc)}")
                return
            else:
                self.written_count += len(self._pending)
                self._pending.clear()
                self._recovered()
                self._prune(conn, record.local)
                return

    def _open(self, now: dt.datetime) -> sqlite3.Connection | None:
        if self._conn is not None and not self._intact():
            # Overwritten, replaced or deleted while we ran: writing on would only fill
            # a journal no reader can use. Open whatever is there now (a damaged file is
            # set aside by the caller, a missing one started afresh).
            log.warning("history: %s changed under deskbreak; opening it again", self.path)
            self._close_file()
        if self._conn is None:
            try:
                self._conn = store.connect(self.path, write=True)
            except store.Newer as exc:
                self._blocked = True
                self._pending.clear()
                self._failed(str(exc))
                return None
            self._identity = self._stat()
            if self._newest is None:  # the clock's yardstick for pruning, once a run
                with contextlib.suppress(sqlite3.Error):
                    newest = self._conn.execute("SELECT max(utc) FROM events").fetchone()[0]
                    self._newest = float(newest) if newest is not None else None
                self._opened_at = time.monotonic()
            try:
                self._fd = os.open(self.path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
            except OSError:
                self._fd = None
        return self._conn

    def _stat(self) -> tuple[int, int] | None:
        try:
            info = os.lstat(self.path)
        except OSError:
            return None
        return info.st_dev, info.st_ino

    def _intact(self) -> bool:
        """Still the file we opened, and still starts like a database (costs a stat and
        a 16-byte read per record).

        The header is read through a descriptor kept open beside SQLite's, never by
        opening the file anew: closing any descriptor of a file drops all of this
        process's POSIX locks on it, SQLite's included, and another process would then
        think the journal is nobody's and delete it.
        """
        if self._stat() != self._identity or self._fd is None:
            return False
        try:
            head = os.pread(self._fd, 16, 0)
        except OSError:
            return False
        return head in (b"", store.MAGIC)

    def _move_aside(self, why: str, now: dt.datetime) -> bool:
        """Set a damaged file aside so a new one can start; False when it cannot be."""
        self._close_file()
        try:
            aside = store.quarantine(self.path, now)
        except OSError as exc:
            self._failed(f"{why}; cannot move it aside: {store.reason(exc)}")
            return False
        self.set_aside = (f"history: {why}; moved to {aside.name}, and a new history "
                          f"started {now:%Y-%m-%d %H:%M}")
        log.warning(self.set_aside)
        return True

    def _failed(self, problem: str) -> None:
        if self._dropped:
            problem += f" ({self._dropped} oldest records dropped)"
        self.problem = f"history not recorded: {problem}"
        self._say(self.problem + "; breaks go on")
        self._close_file()  # the next record opens the file afresh

    def _recovered(self) -> None:
        if self.problem is not None:
            log.info("history: recording again (%s)", self.path)
        self.problem, self._said, self._dropped = None, None, 0

    def _prune(self, conn: sqlite3.Connection, now: dt.datetime) -> None:
        """Drop records past the retention, at most once a day, and only on a clock that
        looks right: one gone wrong (a dead RTC at boot says 2099) would take the whole
        history with it. "Right" means no later than the newest record plus the time
        this run has been up (and a day): after a holiday, pruning waits one run."""
        if self._pruned is not None and abs(now - self._pruned) < PRUNE_EVERY:
            return
        if self._newest is not None:
            try:
                now_utc = now.astimezone().timestamp()
            except (OverflowError, OSError, ValueError):
                return
            if now_utc > self._newest + (time.monotonic() - self._opened_at) + CLOCK_SLACK_S:
                return
        self._pruned = now
        try:
            gone = store.prune(conn, self.keep_days, now)
        except sqlite3.Error as exc:
            log.warning("history: cannot drop old records: %s", store.reason(exc))
            return
        if gone:
            log.info("history: dropped %d records older than %d days", gone, self.keep_days)

    def _say(self, problem: str) -> None:
        """Log a problem once, not at every record."""
        if problem != self._said:
            log.warning(problem)
            self._said = problem

    def _close_file(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            with contextlib.suppress(sqlite3.Error):
                conn.close()
        fd, self._fd = self._fd, None
        if fd is not None:  # after SQLite let go of the file: see _intact
            with contextlib.suppress(OSError):
                os.close(fd)
