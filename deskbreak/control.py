"""The local control channel between ``deskbreak pause|status|...`` and the daemon.

A Unix socket in the user's private runtime directory (0700 directory, 0600 socket)
keeps other users out by file permissions; a random key in a 0600 file is checked on
every request as well, so the same protocol is safe over loopback TCP on Windows, where
asyncio has no Unix sockets. One JSON request per connection, one JSON reply.

Scripts call this channel too, so it is an API: every request gets a JSON reply, and a
malformed one (not JSON, NaN, nested thousands deep, too long, a wrong key, a string
where a boolean belongs) gets ``{"ok": false, "error": ..., "code": "invalid"}``, one
log line and no change of state. The reply's ``code`` tells a script (and the CLI's
exit status) what kind of failure it was:

=============  ==============================================================  ====
code           meaning                                                         exit
=============  ==============================================================  ====
invalid        the request or its arguments are malformed, or a reload failed  2
refused        valid, but not now ("paused: nothing to snooze; resume first")  1
unauthorised   the key is wrong                                                1
internal       a bug in the daemon, logged with its traceback                  1
=============  ==============================================================  ====
"""

from __future__ import annotations

import asyncio
import errno
import json
import logging
import os
import socket
import time
from _operator import _compare_digest as compare_digest  # what hmac.compare_digest is
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from deskbreak.core.commands import Command, CommandError, decode, encode
from deskbreak.errors import DeskbreakError, NotRunningError

log = logging.getLogger(__name__)

MAX_REQUEST = 64 * 1024  # bytes in one request line; far above any real command
MAX_REPLY = 1024 * 1024
MAX_CONNECTIONS = 64  # open at once; more are turned away at once, so descriptors last
READ_TIMEOUT_S = 5.0
LOG_REFUSALS_PER_MIN = 100  # a flood of bad requests must not rotate the log away
BUSY_WAIT_S = 5.0  # how long the CLI keeps knocking while the daemon's backlog is full
USE_TCP = os.name == "nt" or not hasattr(socket, "AF_UNIX")
EXIT_CODES = {"invalid": 2, "refused": 1, "unauthorised": 1, "internal": 1}


class ControlError(DeskbreakError):
    """The daemon refused or failed a command; its message is for the user."""

    def __init__(self, message: str, code: str = "internal") -> None:
        super().__init__(message)
        self.code = code
        self.exit_code = EXIT_CODES.get(code, 1)


class Refused(Exception):
    """Raised by the daemon's handler: the command is valid but cannot be done now."""

    def __init__(self, message: str, code: str = "refused") -> None:
        super().__init__(message)
        self.code = code


Handler = Callable[[Command], Awaitable[dict[str, Any]]]


def _private_write(path: Path, text: str) -> None:
    path.unlink(missing_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(text)


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows")


def _failure(code: str, message: str) -> dict[str, Any]:
    return {"ok": False, "error": message, "code": code}


class ControlServer:
    """Serves requests on the daemon's loop; ``handler(command)`` returns the result."""

    def __init__(self, directory: Path, handler: Handler) -> None:
        self.directory = directory
        self.handler = handler
        self.socket_path = directory / "control.sock"
        self.key_path = directory / "control.key"
        self.port_path = directory / "control.port"
        # os.urandom and _operator's compare_digest are what secrets and hmac use; those
        # modules would map OpenSSL into the daemon (lean.py).
        self._key = os.urandom(32).hex().encode("ascii")
        self._server: asyncio.AbstractServer | None = None
        self._open = 0
        self._refusals = _LogLimit(LOG_REFUSALS_PER_MIN)

    async def start(self) -> None:
        _private_write(self.key_path, self._key.decode("ascii"))
        if USE_TCP:
            self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0,
                                                      limit=MAX_REQUEST)
            port = self._server.sockets[0].getsockname()[1]
            _private_write(self.port_path, str(port))
        else:
            # A socket left by a killed daemon is stale: we hold the instance lock.
            self.socket_path.unlink(missing_ok=True)
            old = os.umask(0o177)
            try:
                self._server = await asyncio.start_unix_server(
                    self._serve, path=str(self.socket_path), limit=MAX_REQUEST)
            finally:
                os.umask(old)
            os.chmod(self.socket_path, 0o600)

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
        for path in (self.socket_path, self.key_path, self.port_path):
            path.unlink(missing_ok=True)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """Answer one connection; nothing a client sends can end this with an exception."""
        self._open += 1
        try:
            if self._open > MAX_CONNECTIONS:
                reply = self._refuse("refused", f"busy: over {MAX_CONNECTIONS} connections "
                                                "at once; try again")
            else:
                reply = await self._reply(reader)
        except Exception:
            log.exception("control: answering a request failed")
            reply = _failure("internal", "internal error in the daemon; see its log")
        finally:
            self._open -= 1
        try:
            if reply is not None:
                writer.write(json.dumps(reply).encode() + b"\n")
                await writer.drain()
        except (ConnectionError, OSError):
            pass  # the client hung up first
        finally:
            writer.close()

    async def _reply(self, reader: asyncio.StreamReader) -> dict[str, Any] | None:
        try:
            line = await asyncio.wait_for(reader.readuntil(b"\n"), READ_TIMEOUT_S)
        except asyncio.LimitOverrunError:
            return self._refuse("invalid", f"request too large (at most {MAX_REQUEST} bytes)")
        except asyncio.IncompleteReadError as exc:
            if not exc.partial.strip():
                return None  # connected and left: a probe, not a request
            line = exc.partial  # no final newline: still one request
        except TimeoutError:
            return self._refuse("invalid", f"no request within {READ_TIMEOUT_S:g} s")
        except (ConnectionError, OSError):
            return None
        return await self._answer(line)

    async def _answer(self, line: bytes) -> dict[str, Any]:
        try:
            request = json.loads(line, parse_constant=_reject_constant)
        except RecursionError:
            return self._refuse("invalid", "malformed request: nested too deeply")
        except ValueError as exc:  # also bad UTF-8 and numbers too long to read
            return self._refuse("invalid", f"malformed request: not JSON ({str(exc)[:80]})")
        if not isinstance(request, dict):
            return self._refuse("invalid", "malformed request: expected a JSON object")
        key = request.get("key")
        if not isinstance(key, str) or not key.isascii() \
                or not compare_digest(key.encode("ascii"), self._key):
            return self._refuse("unauthorised", "not authorised")
        unknown = set(request) - {"key", "command", "args"}
        if unknown:
            return self._refuse("invalid", f"malformed request: unknown field "
                                           f"{sorted(unknown)[0][:40]!r}")
        try:
            command = decode(request.get("command"), request.get("args", {}))
        except CommandError as exc:
            return self._refuse("invalid", str(exc))
        try:
            return {"ok": True, "result": await self.handler(command)}
        except Refused as exc:
            return _failure(exc.code, str(exc))

    def _refuse(self, code: str, message: str) -> dict[str, Any]:
        if self._refusals.allow():
            log.warning("control: refused a request: %s", message)
        return _failure(code, message)


class _LogLimit:
    """At most ``per_minute`` lines a minute; then one line saying how many were left out."""

    def __init__(self, per_minute: int) -> None:
        self.per_minute = per_minute
        self._window = 0.0
        self._count = 0
        self._dropped = 0

    def allow(self) -> bool:
        now = time.monotonic()
        if now - self._window >= 60:
            if self._dropped:
                log.warning("control: %d more requests refused in the last minute, not "
                            "logged one by one", self._dropped)
            self._window, self._count, self._dropped = now, 0, 0
        self._count += 1
        if self._count > self.per_minute:
            self._dropped += 1
            return False
        return True


def _connect(directory: Path, timeout: float) -> socket.socket:
    """A connection to the daemon, knocking again while its listen backlog is full."""
    deadline = time.monotonic() + BUSY_WAIT_S
    delay = 0.01
    while True:
        if USE_TCP:
            port = int((directory / "control.port").read_text("ascii"))
            return socket.create_connection(("127.0.0.1", port), timeout=timeout)
        conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        conn.settimeout(timeout)
        try:
            conn.connect(str(directory / "control.sock"))
            return conn
        except OSError as exc:
            conn.close()
            if exc.errno not in (errno.EAGAIN, errno.EWOULDBLOCK) \
                    or time.monotonic() > deadline:
                raise
        time.sleep(delay)
        delay = min(delay * 2, 0.2)


def request(directory: Path, command: Command, timeout: float = 10.0) -> dict[str, Any]:
    """Send one command to the running daemon (blocking; the CLI has no loop)."""
    key_path = directory / "control.key"
    try:
        key = key_path.read_text("ascii").strip()
    except FileNotFoundError:
        raise NotRunningError("deskbreak is not running") from None
    except (OSError, ValueError) as exc:
        problem = exc.strerror if isinstance(exc, OSError) else "not a key"
        raise DeskbreakError(f"cannot read {key_path}: {problem}") from None
    try:
        conn = _connect(directory, timeout)
    except OSError as exc:
        if exc.errno in (errno.EAGAIN, errno.EWOULDBLOCK):
            raise ControlError(f"deskbreak is running but too busy to answer (waited "
                               f"{BUSY_WAIT_S:g} s); try again", "internal") from None
        if isinstance(exc, PermissionError):
            raise DeskbreakError(f"cannot reach the daemon in {directory}: permission "
                                 "denied") from None
        raise NotRunningError("deskbreak is not running") from None
    except ValueError:  # a control.port that is not a number
        raise NotRunningError("deskbreak is not running") from None
    name, args = encode(command)
    with conn:
        try:
            conn.sendall(json.dumps({"key": key, "command": name, "args": args}).encode()
                         + b"\n")
            data = b""
            while not data.endswith(b"\n") and len(data) < MAX_REPLY:
                chunk = conn.recv(65536)
                if not chunk:
                    break
                data += chunk
        except TimeoutError:
            raise ControlError(f"the daemon did not answer within {timeout:g} s") from None
        except OSError as exc:
            raise ControlError(f"the connection to the daemon broke: {exc}") from None
    try:
        reply = json.loads(data)
    except ValueError:
        raise ControlError("the daemon sent no answer") from None
    if not isinstance(reply, dict):
        raise ControlError("the daemon sent a malformed answer")
    if not reply.get("ok"):
        raise ControlError(str(reply.get("error", "unknown error")),
                           str(reply.get("code", "internal")))
    result = reply.get("result", {})
    return result if isinstance(result, dict) else {}
