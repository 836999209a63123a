"""A minimal graphql-transport-ws client for tests: connect, subscribe, read `next` payloads."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import websockets
from websockets.exceptions import ConnectionClosed


class Subscription:
    def __init__(self, ws: Any, op_id: str) -> None:
        self._ws = ws
        self.op_id = op_id

    async def next(self, timeout: float = 10.0) -> dict[str, Any]:
        """The data of the next `next` message for this operation."""
        while True:
            message = json.loads(await asyncio.wait_for(self._ws.recv(), timeout))
            if message.get("type") == "next" and message.get("id") == self.op_id:
                assert not message["payload"].get("errors"), message
                data: dict[str, Any] = message["payload"]["data"]
                return data
            if message.get("type") == "error":
                raise AssertionError(message)

    async def error(self, timeout: float = 10.0) -> list[dict[str, Any]]:
        while True:
            message = json.loads(await asyncio.wait_for(self._ws.recv(), timeout))
            if message.get("id") == self.op_id and message.get("type") in ("error", "next"):
                payload = message["payload"]
                errors: list[dict[str, Any]] = (
                    payload if isinstance(payload, list) else payload.get("errors", [])
                )
                return errors

    async def ping(self, timeout: float = 5.0) -> None:
        """Returns once the server answers a ping: the socket is open and served."""
        await self._ws.send(json.dumps({"type": "ping"}))
        while json.loads(await asyncio.wait_for(self._ws.recv(), timeout)).get("type") != "pong":
            pass

    async def close_code(self, timeout: float = 5.0) -> int:
        """The server's close code, once it closes the socket (frames before that are skipped)."""
        try:
            while True:
                await asyncio.wait_for(self._ws.recv(), timeout)
        except ConnectionClosed as closed:
            assert closed.rcvd is not None, closed
            return closed.rcvd.code


@asynccontextmanager
async def subscribe(
    url: str, token: str, query: str, variables: dict[str, Any] | None = None
) -> AsyncIterator[Subscription]:
    async with websockets.connect(url, subprotocols=["graphql-transport-ws"]) as ws:  # type: ignore[list-item]
        await ws.send(
            json.dumps({"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}})
        )
        ack = json.loads(await asyncio.wait_for(ws.recv(), 10))
        assert ack["type"] == "connection_ack", ack
        await ws.send(
            json.dumps(
                {"id": "1", "type": "subscribe", "payload": {"query": query, "variables": variables or {}}}
            )
        )
        yield Subscription(ws, "1")
