"""A minimal Wayland client: the wire protocol over the compositor's socket, in Python.

Idle time on Wayland comes from the compositor as two events, "idle for N seconds" and
"resumed" (``ext-idle-notify-v1``, or KDE's older ``org_kde_kwin_idle``). Listening for
them takes a registry, a seat and one object: a few dozen bytes each way. pywayland
would do it through libwayland and cffi, and generated bindings for protocols Debian 12
ships only as XML; this speaks the documented wire format (a header of object id, size
and opcode, then 32-bit arguments and padded strings) with the standard library alone,
and costs the idle daemon one socket and no thread: the event loop reads it.

Only what deskbreak asks for is here: binding globals, sending requests with integer,
object and new-id arguments, and handing each event's raw body to whoever owns the
object. A protocol error or a closed socket ends the connection and says why.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import struct
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

DISPLAY_ID = 1
MAX_MESSAGE = 4096  # the compositor's messages are at most this long (libwayland's limit)
ROUNDTRIP_S = 2.0

Handler = Callable[[int, bytes], None]  # (opcode, body)


class WaylandError(Exception):
    """No compositor to talk to, or it hung up or reported a protocol error."""


def socket_path(env: Mapping[str, str]) -> Path:
    """Where the compositor listens: ``WAYLAND_DISPLAY`` (default ``wayland-0``) in
    ``XDG_RUNTIME_DIR``, or as given when it is an absolute path."""
    display = env.get("WAYLAND_DISPLAY") or "wayland-0"
    if os.path.isabs(display):
        return Path(display)
    runtime = env.get("XDG_RUNTIME_DIR")
    if not runtime:
        raise WaylandError("XDG_RUNTIME_DIR is not set, so the Wayland socket cannot be found")
    return Path(runtime) / display


def _string(text: str) -> bytes:
    data = text.encode() + b"\0"
    return struct.pack("=I", len(data)) + data + b"\0" * (-len(data) % 4)


def read_string(body: bytes, offset: int) -> tuple[str, int]:
    """A string argument at ``offset``, and the offset after its padding."""
    (length,) = struct.unpack_from("=I", body, offset)
    start = offset + 4
    if length == 0 or start + length > len(body):
        raise WaylandError("malformed string in an event")
    text = body[start:start + length - 1].decode("utf-8", "replace")
    return text, start + length + (-length % 4)


def read_array(body: bytes, offset: int) -> tuple[bytes, int]:
    """An array argument at ``offset``, and the offset after its padding."""
    (length,) = struct.unpack_from("=I", body, offset)
    start = offset + 4
    if start + length > len(body):
        raise WaylandError("malformed array in an event")
    return body[start:start + length], start + length + (-length % 4)


@dataclass(frozen=True)
class Global:
    """Something the compositor offers: its registry name, interface and version."""

    name: int
    interface: str
    version: int


class Connection:
    """One connection to the compositor, read by the asyncio loop it was opened on."""

    def __init__(self, sock: socket.socket) -> None:
        self._sock = sock
        self._buffer = b""
        self._next_id = 2
        self._handlers: dict[int, Handler] = {}
        self.globals: dict[str, Global] = {}
        self.failed: str | None = None
        self.on_failure: Callable[[str], None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._handlers[DISPLAY_ID] = self._display_event
        self._registry = 0

    @classmethod
    async def open(cls, env: Mapping[str, str] | None = None) -> Connection:
        """Connect, and learn what the compositor offers (one round trip)."""
        path = socket_path(os.environ if env is None else env)
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM | socket.SOCK_CLOEXEC)
        sock.setblocking(False)
        loop = asyncio.get_running_loop()
        try:
            await asyncio.wait_for(loop.sock_connect(sock, str(path)), ROUNDTRIP_S)
        except (OSError, TimeoutError) as exc:
            sock.close()
            raise WaylandError(f"cannot connect to {path}: "
                               f"{getattr(exc, 'strerror', None) or type(exc).__name__}"
                               ) from None
        connection = cls(sock)
        connection._loop = loop
        loop.add_reader(sock.fileno(), connection._readable)
        registry = connection.new_id(connection._registry_event)
        connection.request(DISPLAY_ID, 1, struct.pack("=I", registry))  # get_registry
        connection._registry = registry
        try:
            await connection.roundtrip()
        except WaylandError:
            connection.close()
            raise
        return connection

    # --- requests -------------------------------------------------------------------------
    def new_id(self, handler: Handler) -> int:
        """An id for an object this client creates; never reused, since the compositor
        may still send events for a destroyed one (``forget``)."""
        ident = self._next_id
        self._next_id += 1
        self._handlers[ident] = handler
        return ident

    def request(self, obj: int, opcode: int, payload: bytes = b"") -> None:
        """Send one request; its arguments are packed by the caller (32-bit each)."""
        if self.failed is not None:
            raise WaylandError(self.failed)
        message = struct.pack("=II", obj, ((8 + len(payload)) << 16) | opcode) + payload
        try:
            self._sock.sendall(message)  # tiny; the kernel buffer takes it whole
        except OSError as exc:
            self._fail(f"the compositor's socket failed: {exc.strerror or exc}")
            raise WaylandError(self.failed or "") from None

    def bind(self, interface: str, version: int, handler: Handler) -> tuple[int, int]:
        """Bind the offered global ``interface`` at ``version`` or the compositor's
        lower one; the new object's id and the version bound."""
        offered = self.globals.get(interface)
        if offered is None:
            raise WaylandError(f"the compositor does not offer {interface}")
        ident = self.new_id(handler)
        version = min(version, offered.version)
        self.request(self._registry, 0, struct.pack("=I", offered.name) + _string(interface)
                     + struct.pack("=II", version, ident))
        return ident, version

    def adopt(self, ident: int, handler: Handler) -> None:
        """An object the compositor created (a ``new_id`` in an event): its events go to
        ``handler``."""
        self._handlers[ident] = handler

    def forget(self, ident: int) -> None:
        """The object is destroyed: events still in flight for it are dropped."""
        self._handlers[ident] = lambda opcode, body: None

    async def roundtrip(self) -> None:
        """Wait until the compositor has handled every request sent so far."""
        assert self._loop is not None
        done = self._loop.create_future()

        def callback(opcode: int, body: bytes) -> None:
            if not done.done():
                done.set_result(None)

        ident = self.new_id(callback)
        self.request(DISPLAY_ID, 0, struct.pack("=I", ident))  # sync
        previous = self.on_failure
        self.on_failure = lambda why: done.done() or done.set_exception(WaylandError(why))
        try:
            await asyncio.wait_for(done, ROUNDTRIP_S)
        except TimeoutError:
            raise WaylandError(f"the compositor did not answer within {ROUNDTRIP_S:g} s"
                               ) from None
        finally:
            self.on_failure = previous

    # --- events ---------------------------------------------------------------------------
    def _readable(self) -> None:
        try:
            data = self._sock.recv(MAX_MESSAGE * 4)
        except BlockingIOError:
            return
        except OSError as exc:
            self._fail(f"the compositor's socket failed: {exc.strerror or exc}")
            return
        if not data:
            self._fail("the compositor closed the connection")
            return
        buffer = self._buffer + data
        offset = 0
        while len(buffer) - offset >= 8 and self.failed is None:
            obj, word = struct.unpack_from("=II", buffer, offset)
            size, opcode = word >> 16, word & 0xFFFF
            if size < 8 or size % 4 or size > MAX_MESSAGE:
                self._fail("malformed message from the compositor")
                return
            if len(buffer) - offset < size:
                break
            body = buffer[offset + 8:offset + size]
            offset += size
            handler = self._handlers.get(obj)
            if handler is None:
                continue
            try:
                handler(opcode, body)
            except (WaylandError, struct.error) as exc:
                self._fail(f"malformed event: {exc}")
            except Exception:  # our own bug in a handler: the next events still count
                log.exception("handling a Wayland event failed")
        self._buffer = buffer[offset:] if self.failed is None else b""

    def _display_event(self, opcode: int, body: bytes) -> None:
        if opcode == 0:  # error(object, code, message)
            obj, code = struct.unpack_from("=II", body)
            message, _ = read_string(body, 8)
            self._fail(f"protocol error {code} on object {obj}: {message}")
        elif opcode == 1:  # delete_id
            (ident,) = struct.unpack_from("=I", body)
            self._handlers.pop(ident, None)

    def _registry_event(self, opcode: int, body: bytes) -> None:
        if opcode == 0:  # global(name, interface, version)
            (name,) = struct.unpack_from("=I", body)
            interface, offset = read_string(body, 4)
            (version,) = struct.unpack_from("=I", body, offset)
            self.globals[interface] = Global(name, interface, version)
        elif opcode == 1:  # global_remove(name)
            (name,) = struct.unpack_from("=I", body)
            self.globals = {k: g for k, g in self.globals.items() if g.name != name}

    def _fail(self, why: str) -> None:
        if self.failed is None:
            self.failed = why
            self.close()
            if self.on_failure is not None:
                self.on_failure(why)

    def close(self) -> None:
        """Stop reading: events already read but not yet handled are dropped."""
        self.failed = self.failed or "closed"
        if self._loop is not None:
            with contextlib.suppress(ValueError, OSError):  # already closed
                self._loop.remove_reader(self._sock.fileno())
            self._loop = None
        self._sock.close()
