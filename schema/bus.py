"""Event buses: Redis Streams across processes, or an in-process bus for the all-in-one mode.

Publishers only append. Streams are capped (approximately) so Redis memory stays bounded; the
database remains the record of what happened.
"""

from __future__ import annotations

from redis.asyncio import Redis

from schema.events import DELIVERY_STREAM, INBOX_STREAM, DeliveryEvent, InboxEvent

STREAM_MAXLEN = 100_000


class RedisEventBus:
    def __init__(self, redis: Redis) -> None:
        self._redis = redis

    async def publish_deliveries(self, events: list[DeliveryEvent]) -> None:
        await self._append(DELIVERY_STREAM, [e.to_json() for e in events])

    async def publish_inbox(self, events: list[InboxEvent]) -> None:
        await self._append(INBOX_STREAM, [e.to_json() for e in events])

    async def _append(self, stream: str, payloads: list[str]) -> None:
        if not payloads:
            return
        async with self._redis.pipeline(transaction=False) as pipe:
            for payload in payloads:
                pipe.xadd(stream, {"e": payload}, maxlen=STREAM_MAXLEN, approximate=True)
            await pipe.execute()


class LocalEventBus:
    """In-process events for the all-in-one mode; listeners are plain callbacks for now."""

    def __init__(self) -> None:
        self.delivery_events: int = 0
        self.inbox_events: int = 0

    async def publish_deliveries(self, events: list[DeliveryEvent]) -> None:
        self.delivery_events += len(events)

    async def publish_inbox(self, events: list[InboxEvent]) -> None:
        self.inbox_events += len(events)
