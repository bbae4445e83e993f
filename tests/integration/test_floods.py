"""A daemon out of file descriptors: it refuses connections for a while and loses nothing."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable

from tests.integration.conftest import RunningDaemon

Start = Callable[..., RunningDaemon]


def test_running_out_of_descriptors_keeps_the_state_and_the_log(start_daemon: Start) -> None:
    daemon = start_daemon('interval = "2s"\n', nofile=40)
    state = daemon.home / "state" / "deskbreak" / "state.json"
    deadline = time.monotonic() + 10
    while not state.exists() and time.monotonic() < deadline:  # a first break, saved
        time.sleep(0.1)
    assert state.exists()
    held = []
    try:
        for _ in range(120):  # far more idle connections than it has descriptors
            conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            conn.setblocking(False)
            try:
                conn.connect(str(daemon.runtime / "control.sock"))
            except BlockingIOError:
                conn.close()
                break
            held.append(conn)
        time.sleep(4)  # breaks fall due and are saved meanwhile
    finally:
        for conn in held:
            conn.close()
    time.sleep(1)
    status = daemon.status()  # the CLI knocks again until it is let in
    assert status["running"] is True and daemon.proc.poll() is None
    assert state.exists() and not state.with_name("state.json.corrupt").exists()
    log = daemon.log()
    assert "Traceback" not in log
    assert log.count("\n") < 200  # a few lines about it, not one per attempt
