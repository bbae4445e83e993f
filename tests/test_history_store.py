"""The history file and the daemon's recorder: private, versioned, and never fatal.

Damaged files are set aside, a full disk loses nothing that fits in memory, a newer
deskbreak's file is left alone, and every problem is said once.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import os
import sqlite3
import stat
from pathlib import Path

import pytest

from deskbreak.core import events as ev
from deskbreak.core.history import Record
from deskbreak.history import store
from deskbreak.history.recorder import Recorder

NOW = dt.datetime(2026, 11, 24, 10, 0)


def rec(kind: str = "shown", minutes: float = 0, **values: object) -> Record:
    return Record(kind, NOW + dt.timedelta(minutes=minutes), **values)  # type: ignore[arg-type]


def shown(minutes: float = 0, ident: str = "cat-cow") -> ev.BreakShown:
    return ev.BreakShown(mono=minutes, wall=NOW + dt.timedelta(minutes=minutes),
                         exercise_id=ident, context="desk", requested=False)


def recorded(path: Path) -> list[Record]:
    return store.load(path)


def record_all(recorder: Recorder, *events: ev.Event) -> None:
    for event in events:
        recorder(event)
    recorder.close()


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / store.FILE_NAME


# --- the file -------------------------------------------------------------------------------
def test_a_new_history_is_private_in_wal_mode_and_keeps_records_in_order(path: Path) -> None:
    conn = store.connect(path, write=True)
    store.insert(conn, [rec("shown", exercise="a"), rec("skipped", 1, exercise="a"),
                        rec("sat", 2, seconds=600.0)])
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn.close()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [(r.kind, r.exercise, r.seconds) for r in recorded(path)] == \
        [("shown", "a", None), ("skipped", "a", None), ("sat", None, 600.0)]


def test_an_older_file_is_migrated_in_place_without_losing_a_record(
        path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    conn = store.connect(path, write=True)
    store.insert(conn, [rec("completed", exercise="a", fraction=1.0)])
    conn.close()
    # A later deskbreak adds a field (say, the guided window's progress).
    monkeypatch.setattr(store, "MIGRATIONS", (*store.MIGRATIONS,
                                              "ALTER TABLE events ADD COLUMN steps INTEGER"))
    monkeypatch.setattr(store, "VERSION", 2)
    conn = store.connect(path, write=True)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 2
    assert "steps" in [row[1] for row in conn.execute("PRAGMA table_info(events)")]
    conn.close()
    assert [(r.kind, r.fraction) for r in recorded(path)] == [("completed", 1.0)]


def test_rows_that_make_no_sense_are_skipped_not_fatal(path: Path) -> None:
    conn = store.connect(path, write=True)
    store.insert(conn, [rec("sat", seconds=60.0)])
    conn.execute("INSERT INTO events (utc, local, kind, seconds) VALUES "
                 "(0, 'not a date', 'sat', 5), (0, '2026-11-24T11:00:00', 'sat', 'many'), "
                 "(0, '2026-11-24T11:00:00', 'sat', 9e999), (0, X'00ff', 'sat', 1)")
    conn.close()
    assert [r.seconds for r in recorded(path)] == [60.0]


def _at(days_ago: float, ident: str) -> ev.BreakShown:
    return ev.BreakShown(mono=0, wall=NOW - dt.timedelta(days=days_ago), exercise_id=ident,
                         context="desk", requested=False)


def test_old_records_are_dropped_after_the_retention(path: Path) -> None:
    record_all(Recorder(path), _at(40, "old"), _at(1, "yesterday"))
    record_all(Recorder(path, keep_days=30), shown())
    assert [r.exercise for r in recorded(path)] == ["yesterday", "cat-cow"]


def test_a_clock_gone_wrong_never_prunes_the_history(path: Path) -> None:
    """A dead RTC says 2099 at boot: nothing recorded so far is older than a year then."""
    record_all(Recorder(path), _at(40, "old"), _at(1, "yesterday"))
    wrong = ev.BreakShown(mono=0, wall=dt.datetime(2099, 1, 1), exercise_id="2099",
                          context="desk", requested=False)
    record_all(Recorder(path, keep_days=30), wrong)
    assert [r.exercise for r in recorded(path)] == ["old", "yesterday", "2099"]


def test_forget_empties_the_history_and_the_copies_set_aside(path: Path) -> None:
    record_all(Recorder(path), shown(), shown(1))
    aside = path.with_name(f"{path.name}.corrupt-20260101-000000")
    aside.write_bytes(b"old garbage")
    writer = Recorder(path)  # a running daemon keeps its connection
    writer(shown(2))
    asyncio.run(writer.written(5))
    assert store.forget(path) == [aside]
    assert recorded(path) == [] and not aside.exists()
    writer(shown(3, "after"))
    writer.close()
    assert [r.exercise for r in recorded(path)] == ["after"]  # recording goes on


# --- damage, a newer file, a full disk ------------------------------------------------------
def test_a_garbage_file_is_set_aside_once_and_a_new_history_started(
        path: Path, caplog: pytest.LogCaptureFixture) -> None:
    garbage = os.urandom(64 * 1024)
    path.write_bytes(garbage)
    recorder = Recorder(path)
    with caplog.at_level(logging.WARNING, "deskbreak"):
        record_all(recorder, shown(), shown(1))
    (aside,) = path.parent.glob(f"{path.name}.corrupt-*")
    assert aside.read_bytes() == garbage  # kept, not destroyed
    assert len(recorded(path)) == 2
    assert len([m for m in caplog.messages if "moved to" in m]) == 1
    (note,) = recorder.notes()
    assert aside.name in note and "new history" in note


def test_a_link_in_place_of_the_file_is_moved_aside_and_its_target_left_alone(
        path: Path) -> None:
    target = path.parent / "elsewhere.txt"
    target.write_text("someone's file")
    path.symlink_to(target)
    record_all(Recorder(path), shown())
    assert target.read_text() == "someone's file"
    assert not path.is_symlink() and len(recorded(path)) == 1


def test_a_newer_deskbreaks_file_is_left_alone(path: Path) -> None:
    conn = store.connect(path, write=True)
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    before = path.read_bytes()
    recorder = Recorder(path)
    record_all(recorder, shown())
    assert path.read_bytes() == before
    assert "newer deskbreak" in recorder.notes()[0]
    with pytest.raises(store.HistoryError, match="newer deskbreak"):
        store.load(path)


def _disk_full() -> sqlite3.OperationalError:
    """A genuine SQLITE_FULL, as SQLite raises it when the disk has no room."""
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE t (x BLOB)")
    conn.execute("PRAGMA max_page_count = 2")
    try:
        conn.execute("INSERT INTO t VALUES (zeroblob(100000))")
    except sqlite3.OperationalError as exc:
        return exc
    raise AssertionError("SQLite did not run out of room")


def test_a_full_disk_keeps_records_in_memory_says_so_once_and_writes_them_later(
        path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    full = _disk_full()
    assert full.sqlite_errorname == "SQLITE_FULL"
    real_insert = store.insert
    disk = {"full": True}

    def insert(conn: sqlite3.Connection, records: list[Record]) -> None:
        if disk["full"]:
            raise full
        real_insert(conn, records)

    monkeypatch.setattr(store, "insert", insert)
    recorder = Recorder(path)
    with caplog.at_level(logging.INFO, "deskbreak"):
        for minute in range(5):
            recorder(shown(minute, f"ex{minute}"))
        asyncio.run(recorder.written(5))
        assert "disk is full" in recorder.notes()[0]
        disk["full"] = False
        recorder(shown(5, "ex5"))
        recorder.close()
    assert [r.exercise for r in recorded(path)] == [f"ex{i}" for i in range(6)]
    assert recorder.notes() == []
    assert len([m for m in caplog.messages if "disk is full" in m]) == 1
    assert any("recording again" in m for m in caplog.messages)


def test_a_disabled_recorder_writes_nothing(path: Path) -> None:
    record_all(Recorder(path, enabled=False), shown())
    assert not path.exists()


def test_a_history_restored_with_dump_is_adopted_not_lost(path: Path) -> None:
    """`sqlite3 old.db .dump | sqlite3 new.db` keeps the rows but not user_version."""
    record_all(Recorder(path), shown(0, "kept"))
    dump = "\n".join(sqlite3.connect(path).iterdump())
    path.unlink()
    sqlite3.connect(path).executescript(dump)
    assert sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0] == 0
    assert [r.exercise for r in recorded(path)] == ["kept"]
    record_all(Recorder(path), shown(1, "new"))
    assert [r.exercise for r in recorded(path)] == ["kept", "new"]
    assert not list(path.parent.glob("*.corrupt-*"))


@pytest.mark.parametrize("schema", [
    "CREATE TABLE other (x)",
    "CREATE TABLE events (id INTEGER PRIMARY KEY, utc REAL, local TEXT, kind TEXT)",
    "CREATE TABLE t (x); CREATE VIEW events AS SELECT * FROM t",
    "CREATE TABLE events (id INTEGER PRIMARY KEY); PRAGMA user_version = -5",
])
def test_a_database_that_is_not_our_history_is_set_aside(path: Path, schema: str) -> None:
    conn = sqlite3.connect(path)
    conn.executescript(schema)
    conn.close()
    recorder = Recorder(path)
    record_all(recorder, shown())
    assert len(list(path.parent.glob(f"{path.name}.corrupt-*"))) == 1
    assert len(recorded(path)) == 1 and "moved to" in recorder.notes()[0]


def test_forget_deletes_a_newer_deskbreaks_history_too(path: Path) -> None:
    record_all(Recorder(path), shown())
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    assert store.forget(path) == [path]
    assert not path.exists()


def test_events_queued_together_are_one_transaction(path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """A step's events (the sitting span and the absence that ended it) reach the disk in
    one commit: one fsync and one hand-back to the loop, not one per event, which kept
    an idle daemon waking more than it had to. The records and their order are the same."""
    import threading

    inserts: list[int] = []
    real_insert = store.insert

    def counting(conn: sqlite3.Connection, records: list[Record]) -> None:
        inserts.append(len(records))
        real_insert(conn, records)

    monkeypatch.setattr(store, "insert", counting)
    recorder = Recorder(path)
    hold = threading.Lock()
    hold.acquire()
    real_run = recorder._run

    def held_run() -> None:  # the writer starts only once all three are queued
        with hold:
            real_run()

    monkeypatch.setattr(recorder, "_run", held_run)
    for minutes in (0, 1, 2):
        recorder(shown(minutes, f"ex-{minutes}"))
    hold.release()
    assert asyncio.run(recorder.written(5))
    recorder.close()
    assert inserts == [3]
    assert [r.exercise for r in recorded(path)] == ["ex-0", "ex-1", "ex-2"]
