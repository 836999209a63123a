"""An internal service on 127.0.0.1 that records every TCP connection it gets.

SSRF tests point channels at it: a refused target must leave `connections` at zero (nothing was
even connected, let alone sent), and its answer — an "internal document" — must never come back.
It answers anything with one HTTP response, so an HTTP client that does reach it gets that body.
"""

from __future__ import annotations

import asyncio
import contextlib

INTERNAL_BODY = '{"internal": "metadata-document", "role": "do-not-leak"}'


class PrivateListener:
    def __init__(self) -> None:
        self.connections = 0
        self.port = 0
        self._server: asyncio.Server | None = None

    async def start(self) -> PrivateListener:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.port = int(self._server.sockets[0].getsockname()[1])
        return self

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    def url(self, host: str = "127.0.0.1", path: str = "/") -> str:
        return f"http://{host}:{self.port}{path}"

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        with contextlib.suppress(asyncio.IncompleteReadError, asyncio.LimitOverrunError, TimeoutError):
            await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 2)
        body = INTERNAL_BODY.encode()
        writer.write(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n"
            + f"Content-Length: {len(body)}\r\n\r\n".encode()
            + body
        )
        try:
            await writer.drain()
        finally:
            writer.close()
