"""The history file: one SQLite database of records, private, versioned, never fatal.

Why SQLite: it is in the standard library, a write is one small transaction, and in WAL
mode a ``kill -9`` at any moment leaves the file whole (the last transaction is either
in or out). ``synchronous=FULL`` makes each commit reach the disk before the daemon
says the event happened; events are rare (a few an hour), so the fsync is cheap.

The schema carries its version in ``PRAGMA user_version``; ``MIGRATIONS`` brings any
older file up to date in place, one transaction per step, so fields added later (trip
mode, the guided window's progress) never cost a user their history. A file that is
not a database, or whose pages are damaged, is moved aside as
``history.sqlite3.corrupt-DATE`` and a new one is started; a file written by a newer
deskbreak is left alone and not written to.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import sqlite3
import stat
from collections.abc import Iterator, Sequence
from pathlib import Path

from deskbreak.core.history import Record
from deskbreak.errors import DeskbreakError

FILE_NAME = "history.sqlite3"
MAGIC = b"SQLite format 3\x00"  # the first 16 bytes of every SQLite database

# Each entry brings the file from version N to N+1. Append, never edit: a user's file
# may be at any earlier version.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE events (
        id INTEGER PRIMARY KEY,
        utc REAL NOT NULL,          -- seconds since the epoch: order across time zones
        local TEXT NOT NULL,        -- local wall time as lived, ISO 8601: per-day stats
        kind TEXT NOT NULL,
        exercise TEXT,
        context TEXT,
        seconds REAL,
        fraction REAL,
        detail TEXT,
        requested INTEGER NOT NULL DEFAULT 0,
        trip INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX events_utc ON events (utc);
    """,
)
VERSION = len(MIGRATIONS)
COLUMNS = ("utc", "local", "kind", "exercise", "context", "seconds", "fraction", "detail",
           "requested", "trip")
# The columns of the first version: migrations only ever add, so every file has these.
BASE_COLUMNS = COLUMNS
# SQLite's own verdicts that the file's content is broken, as opposed to the disk being
# full, read-only or briefly locked (those pass; the file is fine).
_BROKEN = ("SQLITE_CORRUPT", "SQLITE_NOTADB")


class HistoryError(DeskbreakError):
    """The history cannot be used just now (disk full, unreadable, locked)."""

    exit_code = 1


class Damaged(HistoryError):
    """The file is not a usable history: it must be moved aside, not written to."""


class Newer(HistoryError):
    """Written by a newer deskbreak: left alone."""


def is_damage(exc: sqlite3.Error) -> bool:
    """True when SQLite says the file's content is broken (not the disk or a lock)."""
    name = getattr(exc, "sqlite_errorname", "") or ""
    return name.startswith(_BROKEN)  # the module's own errors (a bug) carry no name


def failure(path: Path, exc: sqlite3.Error, doing: str) -> HistoryError:
    """SQLite's error as ours: Damaged when the content is broken, else HistoryError."""
    if is_damage(exc):
        return Damaged(f"{path} is damaged: {reason(exc)}")
    return HistoryError(f"cannot {doing} {path}: {reason(exc)}")


def reason(exc: BaseException) -> str:
    """One line for the log and ``status``."""
    if isinstance(exc, OSError):
        return exc.strerror or str(exc)
    return str(exc) or type(exc).__name__


def _check_file(path: Path) -> bool:
    """Whether ``path`` exists; a link, a directory or someone else's file is Damaged."""
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return False
    except OSError as exc:
        raise HistoryError(f"cannot read {path}: {reason(exc)}") from None
    if stat.S_ISLNK(info.st_mode) or not stat.S_ISREG(info.st_mode):
        raise Damaged(f"{path} is not a regular file")
    if os.name != "nt" and info.st_uid != os.getuid():
        raise Damaged(f"{path} belongs to another user (uid {info.st_uid})")
    return True


def _create(path: Path) -> None:
    """An empty file, private from its first byte (SQLite gives its journals the same mode)."""
    flags = os.O_CREAT | os.O_EXCL | os.O_WRONLY | getattr(os, "O_NOFOLLOW", 0)
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, flags, 0o600))


def connect(path: Path, *, write: bool = False, edit: bool = False) -> sqlite3.Connection:
    """Open the history: ``write`` for the daemon (created, checked, migrated), ``edit``
    to change an existing one (forget), neither to read it.

    A reader opens it read-only: SQLite then never writes the journal back or deletes it
    on close, which would pull it from under a running daemon. Raises Damaged for a file
    to move aside, Newer for one to leave alone, HistoryError when it cannot be used now,
    FileNotFoundError when there is none to read or edit.
    """
    exists = _check_file(path)
    if not exists and not write:
        raise FileNotFoundError(path)
    try:
        if not exists:
            _create(path)
        elif write and os.name != "nt":
            os.chmod(path, 0o600)  # an older file, or one a user copied in
        target = path if write or edit else f"{path.resolve().as_uri()}?mode=ro"
        conn = sqlite3.connect(target, timeout=5.0, isolation_level=None,
                               check_same_thread=False, uri=not (write or edit))
    except (OSError, sqlite3.Error) as exc:
        raise HistoryError(f"cannot open {path}: {reason(exc)}") from None
    try:
        _prepare(conn, path, write=write, edit=edit)
    except BaseException:
        conn.close()
        raise
    return conn


def _check_schema(conn: sqlite3.Connection, path: Path) -> None:
    """``events`` must be our table with our columns: anything else is set aside."""
    kind = conn.execute("SELECT type FROM sqlite_master WHERE name = 'events'").fetchone()
    found = {row[1] for row in conn.execute("PRAGMA table_info(events)")}
    if kind != ("table",) or not {"id", *BASE_COLUMNS} <= found:
        raise Damaged(f"{path} does not hold deskbreak's history table")


def _prepare(conn: sqlite3.Connection, path: Path, *, write: bool, edit: bool) -> None:
    try:
        conn.execute("PRAGMA busy_timeout = 5000")
        if write:
            # The daemon's connection lives as long as the daemon: a small page cache
            # (64 KiB, not SQLite's 2 MiB) keeps the check below and a year of history
            # from staying resident. Writes append; they need few pages.
            conn.execute("PRAGMA cache_size = -64")
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = FULL")
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        if version > VERSION:
            raise Newer(f"{path} was written by a newer deskbreak (schema {version}, this "
                        f"one knows {VERSION}); history is not recorded until you update")
        if version < 0:
            raise Damaged(f"{path} has a schema version no deskbreak writes ({version})")
        tables = {name for (name,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type IN ('table', 'view')")}
        if version == 0 and tables:
            # A copy restored with `.dump`, which drops user_version: adopt it if it is
            # ours, as the first version (any migration after that runs as usual).
            _check_schema(conn, path)
            version = 1
            if write:
                conn.execute("PRAGMA user_version = 1")
        if write:
            check = conn.execute("PRAGMA quick_check").fetchone()[0]
            if check != "ok":
                raise Damaged(f"{path} is damaged: {check}")
            _migrate(conn, version)
        elif version == 0:  # created, never written: a daemon stopped at its first breath
            raise FileNotFoundError(path)
        elif version < VERSION and not edit:
            raise HistoryError(f"{path} is from an older deskbreak; start the daemon once "
                               "to bring it up to date")
        _check_schema(conn, path)
    except sqlite3.Error as exc:
        raise failure(path, exc, "use") from None


def _migrate(conn: sqlite3.Connection, version: int) -> None:
    """Bring the file to VERSION, one step per transaction: a crash keeps a whole step."""
    for target in range(version + 1, VERSION + 1):
        # executescript commits first; the migration and its version move together.
        conn.executescript(f"BEGIN IMMEDIATE; {MIGRATIONS[target - 1]}; "
                           f"PRAGMA user_version = {target}; COMMIT;")


def quarantine(path: Path, now: dt.datetime) -> Path:
    """Move a damaged history (and its journal) aside; returns where it went."""
    aside = path.with_name(f"{path.name}.corrupt-{now:%Y%m%d-%H%M%S}")
    n = 1
    while os.path.lexists(aside):
        n += 1
        aside = path.with_name(f"{path.name}.corrupt-{now:%Y%m%d-%H%M%S}-{n}")
    os.replace(path, aside)
    for suffix in ("-wal", "-shm"):
        journal = Path(f"{path}{suffix}")
        with contextlib.suppress(FileNotFoundError):
            if suffix == "-wal":
                os.replace(journal, Path(f"{aside}{suffix}"))
            else:
                journal.unlink()
    return aside


def _row(record: Record) -> tuple[object, ...]:
    local = record.local
    try:
        utc = local.astimezone().timestamp()  # naive means local time here
    except (OverflowError, OSError, ValueError):
        utc = 0.0
    return (utc, local.isoformat(timespec="seconds"), record.kind, record.exercise,
            record.context, record.seconds, record.fraction, record.detail,
            int(record.requested), int(record.trip))


def insert(conn: sqlite3.Connection, records: Sequence[Record]) -> None:
    """Append ``records`` in one transaction: all of them reach the disk, or none."""
    with _transaction(conn):
        conn.executemany(f"INSERT INTO events ({', '.join(COLUMNS)}) "
                         f"VALUES ({', '.join('?' * len(COLUMNS))})",
                         [_row(r) for r in records])


def prune(conn: sqlite3.Connection, keep_days: int, now: dt.datetime) -> int:
    """Delete records older than ``keep_days``; returns how many went."""
    cutoff = (now - dt.timedelta(days=keep_days)).astimezone().timestamp()
    with _transaction(conn):
        return conn.execute("DELETE FROM events WHERE utc < ?", (cutoff,)).rowcount


@contextlib.contextmanager
def _transaction(conn: sqlite3.Connection) -> Iterator[None]:
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        with contextlib.suppress(sqlite3.Error):
            conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def read(conn: sqlite3.Connection) -> Iterator[Record]:
    """Every record, in the order they were written; rows that do not parse are skipped.

    A row edited by hand into nonsense (a wrong type, a date that is not one) must not
    stop the statistics; it simply does not count.
    """
    rows = conn.execute("SELECT local, kind, exercise, context, seconds, fraction, detail, "
                        "requested, trip FROM events ORDER BY id")
    for local, kind, exercise, context, seconds, fraction, detail, requested, trip in rows:
        try:
            when = dt.datetime.fromisoformat(local).replace(tzinfo=None)
            yield Record(str(kind), when, _text(exercise), _text(context), _number(seconds),
                         _number(fraction), _text(detail), bool(requested), bool(trip))
        except (TypeError, ValueError):
            continue


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def _number(value: object) -> float | None:
    if value is None:
        return None
    number = float(value)  # type: ignore[arg-type]
    if number != number or number in (float("inf"), float("-inf")):
        raise ValueError("not a finite number")
    return number


def load(path: Path) -> list[Record]:
    """Every record in the file at ``path`` ([] when there is none yet), for reading."""
    try:
        conn = connect(path)
    except FileNotFoundError:
        return []
    try:
        return list(read(conn))
    except sqlite3.Error as exc:
        raise failure(path, exc, "read") from None
    finally:
        conn.close()


def forget(path: Path) -> list[Path]:
    """Delete every record for good, and the damaged copies set aside; returns those files.

    The records are deleted inside the database (never by removing the file): a running
    daemon keeps its connection and goes on recording into the same, now empty, file.
    ``secure_delete`` and VACUUM overwrite the old pages; the WAL is truncated.
    """
    removed = []
    for aside in sorted(path.parent.glob(f"{path.name}.corrupt-*")):
        if aside.is_dir() and not aside.is_symlink():
            continue  # a directory once in its place: the user's, not history
        with contextlib.suppress(FileNotFoundError):
            aside.unlink()
            removed.append(aside)
    try:
        conn = connect(path, edit=True)
    except FileNotFoundError:
        return removed
    except (Damaged, Newer):  # nothing this deskbreak can edit: the file itself goes
        for victim in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            with contextlib.suppress(FileNotFoundError):
                victim.unlink()
                removed.append(victim)
        return removed
    try:
        conn.execute("PRAGMA secure_delete = ON")
        with _transaction(conn):
            conn.execute("DELETE FROM events")
        conn.execute("VACUUM")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    except sqlite3.Error as exc:
        raise HistoryError(f"cannot delete the history in {path}: {reason(exc)}") from None
    finally:
        conn.close()
    return removed
