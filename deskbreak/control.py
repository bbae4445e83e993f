"""The local control channel between ``deskbreak pause|status|...`` and the daemon.

A Unix socket in the user's private runtime directory (0700 directory, 0600 socket)
keeps other users out by file permissions; a random key in a 0600 file is checked on
every request as well, so the same protocol is safe over loopback TCP on Windows, where
asyncio has no Unix sockets. One JSON request per connection, one JSON reply.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import os
import secrets
import socket
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from deskbreak.errors import DeskbreakError, NotRunningError

Handler = Callable[[str, dict[str, Any]], Awaitable[dict[str, Any]]]
MAX_REQUEST = 64 * 1024
USE_TCP = os.name == "nt" or not hasattr(socket, "AF_UNIX")


class ControlError(DeskbreakError):
    """The daemon refused or failed a command; its message is for the user."""


def _private_write(path: Path, text: str) -> None:
    path.unlink(missing_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(text)


class ControlServer:
    """Serves requests on the daemon's loop; ``handler(command, args)`` returns the reply."""

    def __init__(self, directory: Path, handler: Handler) -> None:
        self.directory = directory
        self.handler = handler
        self.socket_path = directory / "control.sock"
        self.key_path = directory / "control.key"
        self.port_path = directory / "control.port"
        self._key = secrets.token_hex(32)
        self._server: asyncio.AbstractServer | None = None

    async def start(self) -> None:
        _private_write(self.key_path, self._key)
        if USE_TCP:
            self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
            port = self._server.sockets[0].getsockname()[1]
            _private_write(self.port_path, str(port))
        else:
            # A socket left by a killed daemon is stale: we hold the instance lock.
            self.socket_path.unlink(missing_ok=True)
            old = os.umask(0o177)
            try:
                self._server = await asyncio.start_unix_server(
                    self._serve, path=str(self.socket_path))
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
        try:
            line = await asyncio.wait_for(reader.readline(), timeout=5)
            reply = await self._answer(line)
        except (TimeoutError, ConnectionError):
            writer.close()
            return
        try:
            writer.write(json.dumps(reply).encode() + b"\n")
            await writer.drain()
        except ConnectionError:
            pass
        finally:
            writer.close()

    async def _answer(self, line: bytes) -> dict[str, Any]:
        if len(line) > MAX_REQUEST:
            return {"ok": False, "error": "request too large"}
        try:
            request = json.loads(line)
            key, command = request["key"], request["command"]
            args = request.get("args", {})
        except (ValueError, KeyError, TypeError):
            return {"ok": False, "error": "malformed request"}
        if not isinstance(key, str) or not hmac.compare_digest(key, self._key):
            return {"ok": False, "error": "not authorised"}
        if not isinstance(command, str) or not isinstance(args, dict):
            return {"ok": False, "error": "malformed request"}
        try:
            return {"ok": True, "result": await self.handler(command, args)}
        except DeskbreakError as exc:
            return {"ok": False, "error": str(exc)}


def request(directory: Path, command: str, args: dict[str, Any] | None = None,
            timeout: float = 10.0) -> dict[str, Any]:
    """Send one command to the running daemon (blocking; the CLI has no loop)."""
    try:
        key = (directory / "control.key").read_text("ascii").strip()
        if USE_TCP:
            port = int((directory / "control.port").read_text("ascii"))
            conn = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        else:
            conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            conn.settimeout(timeout)
            conn.connect(str(directory / "control.sock"))
    except (OSError, ValueError):
        raise NotRunningError("deskbreak is not running") from None
    with conn:
        payload = {"key": key, "command": command, "args": args or {}}
        conn.sendall(json.dumps(payload).encode() + b"\n")
        data = b""
        while not data.endswith(b"\n"):
            chunk = conn.recv(65536)
            if not chunk:
                break
            data += chunk
    try:
        reply = json.loads(data)
    except ValueError:
        raise ControlError("the daemon sent no answer") from None
    if not reply.get("ok"):
        raise ControlError(str(reply.get("error", "unknown error")))
    result = reply.get("result", {})
    return result if isinstance(result, dict) else {}
