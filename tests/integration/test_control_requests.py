"""Malformed control requests against a real daemon: each gets a JSON error, nothing changes.

The daemon is put in a distinctive state first (context "home", the next break snoozed),
then every request below is sent as raw bytes. After each one: the reply is a JSON error
with a code, the daemon still answers, its state is what it was, and its log holds one
new line about the refusal and no traceback. A valid request at the end proves the
requests were refused on their merits, not because the daemon stopped listening.
"""

from __future__ import annotations

import datetime as dt
import json
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.integration.conftest import RunningDaemon

KEY = "@KEY@"  # replaced by the daemon's real key in each request


def req(command: str, args: str = "{}") -> bytes:
    return ('{"key": "@KEY@", "command": "' + command + '", "args": ' + args + "}\n").encode()


# (name, raw request line, the code of the error reply, a word the error must contain)
MALFORMED: list[tuple[str, bytes, str, str]] = [
    ("NaN seconds", req("snooze", '{"seconds": NaN}'), "invalid", "not JSON"),
    ("Infinity seconds", req("pause", '{"seconds": Infinity}'), "invalid", "not JSON"),
    ("-Infinity seconds", req("snooze", '{"seconds": -Infinity}'), "invalid", "not JSON"),
    ("1e999 reads as infinity", req("pause", '{"seconds": 1e999}'), "invalid", "finite"),
    ("1e308 seconds", req("pause", '{"seconds": 1e308}'), "invalid", "between"),
    ("10**400 seconds", req("pause", '{"seconds": %s}' % ("1" + "0" * 400)), "invalid",
     "between"),
    ("a 5000-digit number", req("snooze", '{"seconds": %s}' % ("9" * 5000)), "invalid",
     "not JSON"),
    ("a billion days", req("pause", '{"seconds": 86400000000000}'), "invalid", "between"),
    ("past the year 9999", req("snooze", '{"seconds": 315537897600}'), "invalid", "between"),
    ("zero seconds", req("snooze", '{"seconds": 0}'), "invalid", "between"),
    ("negative seconds", req("pause", '{"seconds": -60}'), "invalid", "between"),
    ("seconds as a string", req("snooze", '{"seconds": "600"}'), "invalid", "number"),
    ("seconds as a boolean", req("snooze", '{"seconds": true}'), "invalid", "number"),
    ("until_tomorrow as \"no\"", req("pause", '{"until_tomorrow": "no"}'), "invalid",
     "true or false"),
    ("until_tomorrow as 1", req("pause", '{"until_tomorrow": 1}'), "invalid", "true or false"),
    ("both pause kinds", req("pause", '{"seconds": 600, "until_tomorrow": true}'), "invalid",
     "not both"),
    ("unknown context", req("context", '{"context": "office"}'), "invalid", "one of"),
    ("a trip of NaN", req("trip-start", '{"seconds": NaN}'), "invalid", "not JSON"),
    ("a trip of zero", req("trip-start", '{"seconds": 0}'), "invalid", "between"),
    ("a negative trip", req("trip-start", '{"seconds": -3600}'), "invalid", "between"),
    ("a trip of a year", req("trip-start", '{"seconds": 31536000}'), "invalid", "between"),
    ("a trip of 1e999", req("trip-start", '{"seconds": 1e999}'), "invalid", "finite"),
    ("a trip as a string", req("trip-start", '{"seconds": "2h"}'), "invalid", "number"),
    ("driving as \"yes\"", req("trip-start", '{"driving": "yes"}'), "invalid",
     "true or false"),
    ("driving as 1", req("trip-driving", '{"driving": 1}'), "invalid", "true or false"),
    ("unknown command", req("dance"), "invalid", "unknown command"),
    ("unknown argument", req("skip", '{"force": true}'), "invalid", "unknown argument"),
    ("args as a list", req("snooze", "[600]"), "invalid", "args must be an object"),
    ("a non-ASCII key", '{"key": "clé", "command": "quit"}\n'.encode(), "unauthorised",
     "not authorised"),
    ("a lone surrogate key", b'{"key": "\\ud800", "command": "quit"}\n', "unauthorised",
     "not authorised"),
    ("the wrong key", b'{"key": "' + b"0" * 64 + b'", "command": "quit"}\n', "unauthorised",
     "not authorised"),
    ("no key", b'{"command": "quit"}\n', "unauthorised", "not authorised"),
    ("a number as the key", b'{"key": 5, "command": "quit"}\n', "unauthorised",
     "not authorised"),
    ("an extra field", b'{"key": "@KEY@", "command": "quit", "sudo": true}\n', "invalid",
     "unknown field"),
    ("a list, not an object", b'["quit"]\n', "invalid", "expected a JSON object"),
    ("a bare string", b'"quit"\n', "invalid", "expected a JSON object"),
    ("arrays thousands deep", b"[" * 5000 + b"\n", "invalid", "nested too deeply"),
    ("objects thousands deep", b'{"a":' * 5000 + b"1" + b"}" * 5000 + b"\n", "invalid",
     "nested too deeply"),
    ("deep args", req("snooze", '{"seconds": ' + "[" * 3000 + "]" * 3000 + "}"), "invalid",
     "nested too deeply"),
    ("garbage bytes", b"\xff\xfe\x00\x9c garbage \x80\n", "invalid", "not JSON"),
    ("an empty line", b"\n", "invalid", "not JSON"),
    ("two requests on one line", req("quit").rstrip() + req("quit"), "invalid", "not JSON"),
    ("no newline, then hang up", b'{"key": "@KEY@", "command": "snooze", "args": '
                                 b'{"seconds": NaN}}', "invalid", "not JSON"),
    ("a line over the limit", b'{"key": "' + b"a" * 200_000 + b'"}\n', "invalid",
     "too large"),
]


def stable(status: dict[str, Any]) -> dict[str, Any]:
    """The status with the countdown left out: it moves by itself."""
    return {k: v for k, v in status.items() if k not in ("next_break_in", "next_break_at")}


def due(status: dict[str, Any]) -> dt.datetime:
    return dt.datetime.fromisoformat(status["next_break_at"])


@pytest.fixture(scope="module")
def daemon(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningDaemon]:
    running = RunningDaemon(tmp_path_factory.mktemp("malformed"), 'interval = "30m"\n')
    assert running.cli("context", "home").returncode == 0
    assert running.cli("snooze", "10m").returncode == 0
    yield running
    running.stop()


@pytest.mark.parametrize(("name", "line", "code", "word"), MALFORMED,
                         ids=[case[0] for case in MALFORMED])
def test_a_malformed_request_gets_a_json_error_and_changes_nothing(
        daemon: RunningDaemon, name: str, line: bytes, code: str, word: str) -> None:
    before = daemon.status()
    log_before = daemon.log()
    answer = daemon.raw(line.replace(KEY.encode(), daemon.key.encode()))
    reply = json.loads(answer)
    assert answer.count(b"\n") == 1 and reply["ok"] is False, reply
    assert reply["code"] == code and word in reply["error"], reply
    after = daemon.status()
    assert stable(after) == stable(before)
    assert abs((due(after) - due(before)).total_seconds()) <= 1
    assert daemon.proc.poll() is None
    new = daemon.log()[len(log_before):]
    assert "Traceback" not in new
    assert new.count("control: refused a request") == 1, new


def test_a_silent_client_does_not_hold_up_the_others(daemon: RunningDaemon) -> None:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as idle:
        idle.connect(str(daemon.runtime / "control.sock"))
        began = time.monotonic()
        assert daemon.status()["running"] is True
        assert time.monotonic() - began < 3  # well before the silent one times out
        idle.settimeout(10)
        answer = json.loads(idle.recv(65536))
    assert answer == {"ok": False, "error": "no request within 5 s", "code": "invalid"}


def test_many_clients_at_once_all_get_answers(daemon: RunningDaemon) -> None:
    replies: list[dict[str, Any]] = []

    def ask() -> None:
        replies.append(daemon.request({"key": daemon.key, "command": "status"}))

    threads = [threading.Thread(target=ask) for _ in range(150)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert len(replies) == 150 and all(r["ok"] for r in replies)


def test_valid_requests_still_work_after_all_that(daemon: RunningDaemon) -> None:
    reply = daemon.request({"key": daemon.key, "command": "pause", "args": {"seconds": 600}})
    assert reply == {"ok": True, "result": {"message": "Paused for 10 min"}}
    refused = daemon.request({"key": daemon.key, "command": "snooze"})
    assert refused == {"ok": False, "error": "paused: nothing to snooze; resume first",
                       "code": "refused"}
    assert daemon.status()["context"] == "home"
    assert "Traceback" not in daemon.log()
    assert "Traceback" not in Path(daemon.output).read_text()
