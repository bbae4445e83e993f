"""The daemon's log rotates exactly as the standard library's RotatingFileHandler would.

logfile.py does the rotation itself so the daemon need not load ``logging.handlers``
(and pickle with it); the files a user finds must not change because of that.
"""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

import pytest

from deskbreak.logfile import PrivateRotatingFileHandler


def _files(directory: Path) -> dict[str, str]:
    return {path.name: path.read_text("utf-8") for path in sorted(directory.iterdir())}


def _write(handler: logging.Handler, count: int) -> None:
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    try:
        for n in range(count):
            handler.emit(logging.LogRecord("t", logging.INFO, __file__, 1,
                                           f"line {n} " + "x" * (n % 17), None, None))
    finally:
        handler.close()


@pytest.mark.parametrize(("max_bytes", "backups"), [(200, 1), (200, 2), (120, 3), (0, 2),
                                                    (300, 0)])
def test_it_rotates_like_the_standard_handler(tmp_path: Path, max_bytes: int,
                                              backups: int) -> None:
    mine, theirs = tmp_path / "mine", tmp_path / "theirs"
    for directory in (mine, theirs):
        directory.mkdir()
        (directory / "deskbreak.log").write_text("from an earlier run\n")
    _write(PrivateRotatingFileHandler(mine / "deskbreak.log", maxBytes=max_bytes,
                                      backupCount=backups, encoding="utf-8"), 60)
    _write(logging.handlers.RotatingFileHandler(theirs / "deskbreak.log", maxBytes=max_bytes,
                                                backupCount=backups, encoding="utf-8"), 60)
    assert _files(mine) == _files(theirs)


def test_a_log_that_is_not_a_regular_file_is_never_rotated(tmp_path: Path) -> None:
    handler = PrivateRotatingFileHandler("/dev/null", maxBytes=10, backupCount=1)
    try:
        assert not handler.shouldRollover(logging.LogRecord("t", logging.INFO, __file__, 1,
                                                            "x" * 100, None, None))
    finally:
        handler.close()


def test_a_delayed_log_is_created_private_at_the_first_record(tmp_path: Path) -> None:
    log = tmp_path / "deskbreak.log"
    handler = PrivateRotatingFileHandler(log, maxBytes=100, backupCount=1, delay=True)
    assert not log.exists()
    _write(handler, 1)
    assert log.stat().st_mode & 0o777 == 0o600
