"""A lean WebSocket subscriber for benchmarks: asyncio Protocol, RFC 6455 framing by hand.

A full client library spends tens of microseconds of Python per received frame (parser
generators, queues, a task wake-up per message); with thousands of sockets in one process that
cost, on the same cores as the server, shows up as latency that is not the server's. This one
timestamps each chunk the moment the kernel hands it over (`data_received`) and only splits it
into frames; frames are parsed as JSON after the run. It does the handshake, masks what it sends,
answers pings and notices a close; it offers no extensions (no permessage-deflate).
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import struct
import time
from typing import Any, cast
from urllib.parse import urlsplit

GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
OP_CONT, OP_TEXT, OP_BINARY, OP_CLOSE, OP_PING, OP_PONG = 0x0, 0x1, 0x2, 0x8, 0x9, 0xA


def client_frame(opcode: int, payload: bytes) -> bytes:
    """A final, masked frame (clients must mask)."""
    mask = os.urandom(4)
    length = len(payload)
    if length < 126:
        header = struct.pack("!BB", 0x80 | opcode, 0x80 | length)
    elif length < 1 << 16:
        header = struct.pack("!BBH", 0x80 | opcode, 0x80 | 126, length)
    else:
        header = struct.pack("!BBQ", 0x80 | opcode, 0x80 | 127, length)
    key = (mask * (length // 4 + 1))[:length]
    masked = (int.from_bytes(payload, "big") ^ int.from_bytes(key, "big")).to_bytes(length, "big")
    return header + mask + masked


class RawSubscriber(asyncio.Protocol):
    """One socket: `frames` holds (receive time, text) for every text message after the handshake."""

    def __init__(self, subprotocol: str) -> None:
        self.subprotocol = subprotocol
        self.frames: list[tuple[float, bytes]] = []
        self.closed = ""
        self.response_headers: dict[str, str] = {}
        self._transport: asyncio.Transport | None = None
        self._buffer = b""
        self._handshake: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._first: asyncio.Future[bytes] | None = None
        self._fragments: list[bytes] = []

    # --- connection ---

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._transport = cast(asyncio.Transport, transport)  # uvloop's is not an asyncio.Transport subclass

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.closed:
            self.closed = f"connection lost: {exc!r}" if exc else "closed by the server"
        for waiter in (self._handshake, self._first):
            if waiter is not None and not waiter.done():
                waiter.set_exception(ConnectionError(self.closed))

    def upgrade(self, url: str, headers: dict[str, str]) -> None:
        parts = urlsplit(url)
        self._key = base64.b64encode(os.urandom(16)).decode()
        lines = [
            f"GET {parts.path or '/'} HTTP/1.1",
            f"Host: {parts.netloc}",
            "Upgrade: websocket",
            "Connection: Upgrade",
            f"Sec-WebSocket-Key: {self._key}",
            "Sec-WebSocket-Version: 13",
            f"Sec-WebSocket-Protocol: {self.subprotocol}",
            *(f"{k}: {v}" for k, v in headers.items()),
        ]
        self._write(("\r\n".join(lines) + "\r\n\r\n").encode())

    def send_json(self, message: dict[str, Any]) -> None:
        self._write(client_frame(OP_TEXT, json.dumps(message).encode()))

    def close(self) -> None:
        if self._transport is not None and not self._transport.is_closing():
            self._write(client_frame(OP_CLOSE, struct.pack("!H", 1000)))
            self._transport.close()

    async def handshake(self) -> None:
        await self._handshake

    async def first_message(self) -> dict[str, Any]:
        """The next text message, for the connection_init / connection_ack exchange."""
        self._first = asyncio.get_running_loop().create_future()
        try:
            raw = await self._first
        finally:
            self._first = None
        message: dict[str, Any] = json.loads(raw)
        return message

    def _write(self, data: bytes) -> None:
        if self._transport is not None and not self._transport.is_closing():
            self._transport.write(data)

    # --- reading ---

    def data_received(self, data: bytes) -> None:
        now = time.time()
        buffer = self._buffer + data if self._buffer else data
        if not self._handshake.done():
            end = buffer.find(b"\r\n\r\n")
            if end < 0:
                self._buffer = buffer
                return
            self._accept(buffer[:end].decode("latin-1"))
            buffer = buffer[end + 4 :]
        self._buffer = self._frames(buffer, now)

    def _accept(self, head: str) -> None:
        status, *lines = head.split("\r\n")
        self.response_headers = {
            name.strip().lower(): value.strip() for name, _, value in (line.partition(":") for line in lines)
        }
        if " 101 " not in f"{status} ":
            self._handshake.set_exception(ConnectionError(f"handshake answered {status!r}"))
            return
        if self.response_headers.get("sec-websocket-protocol") != self.subprotocol:
            self._handshake.set_exception(ConnectionError(f"subprotocol not accepted: {head!r}"))
            return
        self._handshake.set_result(None)

    def _frames(self, buffer: bytes, now: float) -> bytes:
        """Takes every whole frame off the buffer; returns the rest."""
        start, size = 0, len(buffer)
        while size - start >= 2:
            first, second = buffer[start], buffer[start + 1]
            length, offset = second & 0x7F, start + 2
            if length == 126:
                if size - offset < 2:
                    break
                (length,) = struct.unpack_from("!H", buffer, offset)
                offset += 2
            elif length == 127:
                if size - offset < 8:
                    break
                (length,) = struct.unpack_from("!Q", buffer, offset)
                offset += 8
            if second & 0x80 or size - offset < length:
                if second & 0x80:
                    raise ConnectionError("the server masked a frame")
                break
            self._frame(first & 0x80, first & 0x0F, buffer[offset : offset + length], now)
            start = offset + length
        return buffer[start:]

    def _frame(self, fin: int, opcode: int, payload: bytes, now: float) -> None:
        if opcode in (OP_TEXT, OP_BINARY, OP_CONT):
            self._fragments.append(payload)
            if not fin:
                return
            message = b"".join(self._fragments) if len(self._fragments) > 1 else self._fragments[0]
            self._fragments = []
            if self._first is not None and not self._first.done():
                self._first.set_result(message)
            else:
                self.frames.append((now, message))
        elif opcode == OP_PING:
            self._write(client_frame(OP_PONG, payload))
        elif opcode == OP_CLOSE:
            code = struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else 1005
            self.closed = f"close frame {code} {payload[2:].decode(errors='replace')}".strip()
            if self._transport is not None:
                self._transport.close()


async def connect(url: str, subprotocol: str, headers: dict[str, str]) -> RawSubscriber:
    """Opens the socket and completes the handshake (the caller bounds the time)."""
    parts = urlsplit(url)
    loop = asyncio.get_running_loop()
    transport, protocol = await loop.create_connection(
        lambda: RawSubscriber(subprotocol), parts.hostname, parts.port or 80
    )
    try:
        protocol.upgrade(url, headers)
        await protocol.handshake()
    except BaseException:
        transport.close()
        raise
    return protocol
