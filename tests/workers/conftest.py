"""The delivery core tested directly: claims, recording and the loop on a real database, no uvicorn.

Each test gets a database of its own (SQLite in memory, or a fresh MariaDB or PostgreSQL database
with `PUSHNEST_TEST_DB=mysql` or `postgres`) in an isolated Tortoise context, so the session's server, whose
all-in-one worker claims every due row of the session database, cannot take these tests' rows.
Sends go to the scriptable webhook receiver on loopback (tests/fakes/webhook_sink.py).
"""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from tortoise.context import TortoiseContext

from schema.bus import LocalEventBus
from schema.crypto import SecretBox
from schema.db import tortoise_config
from schema.models import Channel, Delivery, Message, User
from schema.models.messages import DeliveryStatus
from schema.net.client import OutboundClients, outbound_clients
from schema.services.send_context import send_context
from schema.settings import Settings
from schema.token_store import MemoryTokenStore
from tests.conftest import create_server_database, drop_server_database, test_db_kind
from tests.fakes.webhook_sink import WebhookSink
from workers.engine import DeliveryEngine
from workers.rate_limit import MemoryRateLimiter


@pytest.fixture
async def db() -> AsyncIterator[None]:
    name = f"pushnest_w_{secrets.token_hex(4)}"
    server = test_db_kind() != "sqlite"
    url = await create_server_database(name) if server else "sqlite://:memory:"
    try:
        async with TortoiseContext() as ctx:
            await ctx.init(config=tortoise_config(url))
            await ctx.generate_schemas(safe=False)
            yield
    finally:
        if server:
            await drop_server_database(name)


@dataclass
class Rows:
    """Makes an owner, webhook channels on the sink, and due deliveries."""

    owner: User
    sink: WebhookSink

    async def channel(self, path: str) -> Channel:
        return await Channel.create(
            owner_id=self.owner.id,
            name=f"hook-{secrets.token_hex(3)}",
            type="webhook",
            config={"url": self.sink.url(path)},
            allow_private_targets=True,
        )

    async def due(self, channel: Channel, count: int, age_seconds: float = 0.0) -> list[Delivery]:
        """`count` messages with one due delivery each, oldest first."""
        made = []
        for n in range(count):
            message = await Message.create(owner_id=self.owner.id, title=f"m{n}", text=f"text {n}")
            made.append(
                await Delivery.create(
                    message_id=message.id,
                    channel_id=channel.id,
                    channel_type="webhook",
                    format="text",
                    next_attempt_at=datetime.now(UTC) - timedelta(seconds=age_seconds + count - n),
                )
            )
        return made


@pytest.fixture
async def rows(db: None, sink: WebhookSink) -> Rows:
    owner = await User.create(username=f"u-{secrets.token_hex(4)}", password_hash="-")
    return Rows(owner, sink)


@pytest.fixture
async def http(settings: Settings) -> AsyncIterator[OutboundClients]:
    clients = outbound_clients(settings)
    yield clients
    await clients.aclose()


def engine_for(settings: Settings, http: OutboundClients, events: LocalEventBus) -> DeliveryEngine:
    return DeliveryEngine(
        settings,
        SecretBox(settings.secret_key.get_secret_value()),
        send_context(settings, http, events, MemoryTokenStore()),
        MemoryRateLimiter(),
    )


async def statuses(ids: list[int]) -> dict[int, str]:
    found = await Delivery.filter(id__in=ids).values_list("id", "status")
    return {int(i): str(DeliveryStatus(s).value) for i, s in found}


def arrivals(sink: WebhookSink, path: str) -> list[int]:
    import json

    return [int(json.loads(r.body)["data"]["delivery_id"]) for r in sink.received[path]]


def tuned(settings: Settings, **changes: Any) -> Settings:
    return settings.model_copy(update=changes)
