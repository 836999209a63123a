"""A webhook URL may carry placeholders: filled per send, each value quoted; a plain URL as it is."""

from __future__ import annotations

from collections.abc import AsyncIterator
from urllib.parse import parse_qs

import httpx
import pytest

from schema.channels import webhook
from schema.channels.base import Format, Mentions, Outgoing, SendContext
from schema.token_store import MemoryTokenStore
from tests.fakes.webhook_sink import WebhookSink


async def _no_inbox(_: object) -> int:
    return 0


@pytest.fixture
async def ctx() -> AsyncIterator[SendContext]:
    async with httpx.AsyncClient() as http:
        yield SendContext(http, _no_inbox, MemoryTokenStore(), 5.0, allow_private_targets=True)


def outgoing(title: str) -> Outgoing:
    return Outgoing(
        message_id=7,
        delivery_id=9,
        attempt=1,
        title=title,
        body="body",
        format=Format.TEXT,
        text="body",
        url="",
        receivers=(),
        mentions=Mentions(),
        options={},
        idempotency_key="pn-d9",
    )


async def test_placeholders_in_the_url_are_filled_and_quoted(ctx: SendContext, sink: WebhookSink) -> None:
    config = webhook.Config(url=sink.url("/hook-url/{{message_id}}?t={{title}}"))
    await webhook.send(outgoing("a b&c"), config, ctx)
    (received,) = sink.received["/hook-url/7"]
    assert parse_qs(received.query) == {"t": ["a b&c"]}, "the value stayed one query parameter"


async def test_a_plain_url_is_called_as_it_is(ctx: SendContext, sink: WebhookSink) -> None:
    config = webhook.Config(url=sink.url("/hook-plain?x=%7B%7D"))
    await webhook.send(outgoing("t"), config, ctx)
    assert parse_qs(sink.received["/hook-plain"][0].query) == {"x": ["{}"]}
