"""GZip: large answers are compressed; WebSockets and event streams pass untouched and unbuffered.

PushNest's GraphQL view offers no HTTP streaming transport today (subscriptions go over WebSockets),
so the streaming cases run the same middleware (`server.app.compression`) in front of a small
streaming app served by a real uvicorn: whatever streams later (SSE, multipart/mixed) is covered.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import StreamingResponse
from starlette.routing import Route

from server.app import compression
from tests.conftest import free_port
from tests.fakes.gql_ws import subscribe
from tests.helpers import GraphQLClient

LARGE = "{ channelTypes { key label description configFields { name label help } } }"
DASHBOARD = "subscription { dashboard { sent inFlight at } }"
FIRST = "event: next\r\ndata: " + "x" * 2000 + "\r\n\r\n"


async def test_a_large_graphql_answer_is_gzipped(admin: GraphQLClient) -> None:
    response = await admin.http.post(
        "/graphql",
        json={"query": LARGE},
        headers={"Authorization": f"Bearer {admin.token}", "Accept-Encoding": "gzip"},
    )
    assert response.status_code == 200
    assert response.headers["content-encoding"] == "gzip"
    assert len(response.json()["data"]["channelTypes"]) >= 16
    small = await admin.http.get("/healthz", headers={"Accept-Encoding": "gzip"})
    assert "content-encoding" not in small.headers


async def test_websocket_subscriptions_still_work(admin: GraphQLClient) -> None:
    url = str(admin.http.base_url).replace("http://", "ws://").rstrip("/") + "/graphql"
    assert admin.token
    async with subscribe(url, admin.token, DASHBOARD) as sub:
        first = (await sub.next())["dashboard"]
    assert first["sent"] >= 0


@pytest.fixture
async def streaming_server() -> AsyncIterator[tuple[str, asyncio.Event]]:
    """Streams one large event, then holds the response open until the test has read it."""
    release = asyncio.Event()

    async def stream(request: Request) -> StreamingResponse:
        async def body() -> AsyncIterator[str]:
            yield FIRST
            await release.wait()
            yield "event: complete\r\ndata: \r\n\r\n"

        return StreamingResponse(body(), media_type=request.query_params["type"])

    app = Starlette(routes=[Route("/stream", stream)], middleware=[compression()])
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}", release
    finally:
        release.set()
        server.should_exit = True
        await task


@pytest.mark.parametrize("media_type", ["text/event-stream", 'multipart/mixed; boundary="-"'])
async def test_streams_are_neither_compressed_nor_held_back(
    streaming_server: tuple[str, asyncio.Event], media_type: str
) -> None:
    base, release = streaming_server
    async with (
        httpx.AsyncClient(base_url=base) as client,
        client.stream(
            "GET", "/stream", params={"type": media_type}, headers={"Accept-Encoding": "gzip"}
        ) as r,
    ):
        assert "content-encoding" not in r.headers
        received = b""
        async with asyncio.timeout(5):
            async for chunk in r.aiter_raw():
                received += chunk
                if len(received) >= len(FIRST):
                    break
        # The first event arrived while the response was still open, as sent.
        assert received.decode() == FIRST
        release.set()
