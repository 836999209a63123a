"""The send client's direct path: plain requests skip httpx's request machinery but look the same on
the wire and to callers (headers merged without duplicates, httpx responses, httpx exceptions)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from schema.net.client import SendClient, http_client
from schema.settings import Settings
from tests.conftest import free_port
from tests.fakes.webhook_sink import Reply, WebhookSink


class Counting(SendClient):
    """Counts what goes through httpx's full path (AsyncClient.send)."""

    full_path = 0

    async def send(self, request: httpx.Request, **kwargs: Any) -> httpx.Response:
        Counting.full_path += 1
        return await super().send(request, **kwargs)


@pytest.fixture
async def client(settings: Settings) -> AsyncIterator[SendClient]:
    made = http_client(settings, guarded=False)
    assert isinstance(made, SendClient)
    made.__class__ = Counting
    Counting.full_path = 0
    yield made
    await made.aclose()


async def test_a_plain_request_takes_the_direct_path_and_reads_like_httpx(
    client: SendClient, sink: WebhookSink
) -> None:
    sink.script("/direct", Reply(status=201, body='{"ok":1}', headers={"X-Vendor": "yes"}))
    response = await client.request(
        "POST", sink.url("/direct"), content=b"hello", headers={"User-Agent": "PushNest-Webhook/1"}, timeout=5
    )
    assert Counting.full_path == 0
    assert isinstance(response, httpx.Response)
    assert response.status_code == 201 and response.json() == {"ok": 1}
    assert response.headers["x-vendor"] == "yes"
    (received,) = sink.received["/direct"]
    assert received.body == b"hello"
    sent = {k.lower(): v for k, v in received.headers.items()}
    assert sent["user-agent"] == "PushNest-Webhook/1", "the request's header replaces the client's, once"
    assert sum(k.lower() == "user-agent" for k in received.headers) == 1


async def test_json_bodies_take_the_direct_path_too(client: SendClient, sink: WebhookSink) -> None:
    await client.request("POST", sink.url("/direct-json"), json={"text": "你好"}, timeout=5)
    (received,) = sink.received["/direct-json"]
    assert json.loads(received.body) == {"text": "你好"}
    assert received.headers["Content-Type"] == "application/json"
    assert Counting.full_path == 0


async def test_other_requests_keep_httpx_full_path(client: SendClient, sink: WebhookSink) -> None:
    await client.request("GET", sink.url("/full"), params={"a": "b"}, timeout=5)
    assert Counting.full_path == 1
    assert sink.received["/full"][0].query == "a=b"


async def test_failures_come_back_as_httpx_exceptions(client: SendClient, sink: WebhookSink) -> None:
    # The transport's own mapping (both are "could not connect" to schema/channels/http.py's call).
    with pytest.raises((httpx.ConnectError, httpx.ConnectTimeout)):
        await client.request("POST", f"http://127.0.0.1:{free_port()}/", content=b"x", timeout=2)
    sink.script("/direct-slow", Reply(delay=2))
    with pytest.raises(httpx.TimeoutException):
        await client.request("POST", sink.url("/direct-slow"), content=b"x", timeout=0.3)
    assert Counting.full_path == 0
