"""WebSocket protocol hygiene: silent sockets are closed, the legacy protocol answers odd frames and
queries with typed errors instead of crashing."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import pytest
import websockets
from websockets.exceptions import ConnectionClosed

from server.app import WS_INIT_TIMEOUT
from tests.e2e.test_transport import LEGACY_WS, TRANSPORT_WS, receive, ws_url
from tests.helpers import GraphQLClient


async def closed_after_silence(url: str, protocol: str) -> tuple[int, float]:
    """Opens a socket, says nothing; the close code and how long the server waited."""
    started = time.monotonic()
    async with websockets.connect(url, subprotocols=[protocol]) as ws:  # type: ignore[list-item]
        with pytest.raises(ConnectionClosed) as closed:
            await asyncio.wait_for(ws.recv(), WS_INIT_TIMEOUT.total_seconds() + 10)
    assert closed.value.rcvd is not None
    return closed.value.rcvd.code, time.monotonic() - started


async def test_a_socket_that_never_sends_connection_init_is_closed_with_4408(admin: GraphQLClient) -> None:
    url = ws_url(admin)
    results = await asyncio.gather(*(closed_after_silence(url, p) for p in (LEGACY_WS, TRANSPORT_WS)))
    for code, waited in results:
        assert code == 4408
        assert WS_INIT_TIMEOUT.total_seconds() - 0.5 <= waited < WS_INIT_TIMEOUT.total_seconds() + 5


async def legacy_socket(admin: GraphQLClient) -> Any:
    ws = await websockets.connect(ws_url(admin), subprotocols=[LEGACY_WS])
    await ws.send(
        json.dumps({"type": "connection_init", "payload": {"authorization": f"Bearer {admin.token}"}})
    )
    assert (await receive(ws))["type"] == "connection_ack"
    return ws


async def next_frame(ws: Any) -> dict[str, Any]:
    return await asyncio.wait_for(receive(ws), 5)


@pytest.mark.parametrize(
    "query",
    [
        "{ me { username } }",
        "mutation { markAllInboxRead { unreadCount } }",
        "query Q { me { id } } subscription S { dashboard { sent } }",
    ],
    ids=["query", "mutation", "named-query-of-two"],
)
async def test_legacy_protocol_refuses_queries_and_mutations_with_bad_input(
    admin: GraphQLClient, query: str
) -> None:
    ws = await legacy_socket(admin)
    try:
        payload: dict[str, Any] = {"query": query}
        if "subscription S" in query:
            payload["operationName"] = "Q"
        await ws.send(json.dumps({"type": "start", "id": "1", "payload": payload}))
        frame = await next_frame(ws)
        assert frame["type"] == "error" and frame["id"] == "1"
        assert frame["payload"]["extensions"] == {"code": "BAD_INPUT"}
        assert "subscriptions only" in frame["payload"]["message"]
        # The socket still works: a subscription on it gets data.
        await ws.send(
            json.dumps(
                {"type": "start", "id": "2", "payload": {"query": "subscription { dashboard { sent } }"}}
            )
        )
        data = await next_frame(ws)
        assert data["type"] == "data" and data["id"] == "2" and "dashboard" in data["payload"]["data"]
    finally:
        await ws.close()


@pytest.mark.parametrize(
    "frame",
    [
        5,
        [],
        {"id": "1"},
        {"type": 7},
        {"type": "start"},
        {"type": "start", "id": "1"},
        {"type": "start", "id": "1", "payload": {"query": 5}},
        {
            "type": "start",
            "id": "1",
            "payload": {"query": "subscription { dashboard { sent } }", "variables": "x"},
        },
        {"type": "stop"},
    ],
    ids=[
        "number",
        "list",
        "no-type",
        "type-not-string",
        "start-no-id",
        "start-no-payload",
        "query-not-string",
        "variables-not-object",
        "stop-no-id",
    ],
)
async def test_legacy_protocol_answers_malformed_frames_and_stays_open(
    admin: GraphQLClient, frame: object
) -> None:
    ws = await legacy_socket(admin)
    try:
        await ws.send(json.dumps(frame))
        error = await next_frame(ws)
        assert error["type"] == "error" and error["payload"]["extensions"] == {"code": "BAD_INPUT"}
        await ws.send(
            json.dumps(
                {"type": "start", "id": "ok", "payload": {"query": "subscription { dashboard { sent } }"}}
            )
        )
        assert (await next_frame(ws))["type"] == "data"
    finally:
        await ws.close()


async def test_a_frame_nested_too_deep_is_not_json_to_either_protocol(admin: GraphQLClient) -> None:
    deep = "[" * 100_000 + "]" * 100_000
    async with websockets.connect(ws_url(admin), subprotocols=[TRANSPORT_WS]) as ws:
        await ws.send(deep)
        with pytest.raises(ConnectionClosed) as closed:
            await asyncio.wait_for(ws.recv(), 5)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4400  # "invalid message"
    ws = await legacy_socket(admin)
    try:
        await ws.send(deep)  # the legacy protocol skips frames that are not JSON
        await ws.send(
            json.dumps(
                {"type": "start", "id": "ok", "payload": {"query": "subscription { dashboard { sent } }"}}
            )
        )
        assert (await next_frame(ws))["type"] == "data"
    finally:
        await ws.close()
