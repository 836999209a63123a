"""Event buses: Redis Streams across processes, or an in-process bus for the all-in-one mode.

Publishers only append. Each API process reads the streams with one connection and fans events
out to its subscribers through hubs (`schema.hub`); a subscriber that reconnects reads what it
missed from the stream (or the local ring) by position. Streams are capped (approximately), so
Redis memory stays bounded; the database remains the record of what happened.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import time
from collections import deque
from collections.abc import Callable
from typing import Any, Protocol, TypeVar

from redis.asyncio import Redis

from schema.events import (
    CHANGES_STREAM,
    DELIVERY_STREAM,
    INBOX_STREAM,
    ChangeEvent,
    DeliveryEvent,
    InboxEvent,
)
from schema.hub import Hub, position_key

log = logging.getLogger("pushnest.events")
STREAM_MAXLEN = 100_000
LOCAL_HISTORY = 20_000
HISTORY_LIMIT = 5_000
E = TypeVar("E")
LOOP_SLICE_SECONDS = 0.005


class LoopTurns:
    """One event's fan-out writes to every waiting subscriber's socket within `Hub.publish` (tens of
    milliseconds with thousands of subscribers): a batch of events lets the event loop run between
    events once it has held it for a while, so other requests wait for one fan-out, not a batch's."""

    def __init__(self, slice_seconds: float = LOOP_SLICE_SECONDS) -> None:
        self._slice = slice_seconds
        self._since = time.perf_counter()

    async def between(self) -> None:
        if time.perf_counter() - self._since > self._slice:
            await asyncio.sleep(0)
            self._since = time.perf_counter()


class EventFeed(Protocol):
    """What subscriptions read: live hubs, and history after a position."""

    deliveries: Hub[DeliveryEvent]
    inbox: Hub[InboxEvent]

    async def delivery_history(
        self, after: str, matches: Callable[[DeliveryEvent], bool]
    ) -> list[tuple[str, DeliveryEvent]]: ...

    async def inbox_history(
        self, after: str, matches: Callable[[InboxEvent], bool]
    ) -> list[tuple[str, InboxEvent]]: ...

    def on_change(self, listener: Callable[[ChangeEvent], None]) -> None:
        """Call `listener` with every change event, this process's own included."""
        ...


class RedisEventBus:
    """Publisher: appends to the streams. Used by workers and by API processes."""

    def __init__(self, redis: Redis) -> None:
        self._redis = redis

    async def publish_deliveries(self, events: list[DeliveryEvent]) -> None:
        await self._append(DELIVERY_STREAM, [e.to_json() for e in events])

    async def publish_inbox(self, events: list[InboxEvent]) -> None:
        await self._append(INBOX_STREAM, [e.to_json() for e in events])

    async def publish_change(self, event: ChangeEvent) -> None:
        # Few and small: a short stream is enough for readers that are up (caches have a TTL too).
        await self._redis.xadd(CHANGES_STREAM, {"e": event.to_json()}, maxlen=1000, approximate=True)

    async def _append(self, stream: str, payloads: list[str]) -> None:
        if not payloads:
            return
        async with self._redis.pipeline(transaction=False) as pipe:
            for payload in payloads:
                pipe.xadd(stream, {"e": payload}, maxlen=STREAM_MAXLEN, approximate=True)
            await pipe.execute()


class RedisEventFeed:
    """One reader per API process: XREAD on both streams, fanned out to this process's hubs."""

    def __init__(self, redis: Redis) -> None:
        self._redis = redis
        self.deliveries: Hub[DeliveryEvent] = Hub()
        self.inbox: Hub[InboxEvent] = Hub()
        self._change_listeners: list[Callable[[ChangeEvent], None]] = []
        self._task: asyncio.Task[None] | None = None

    def on_change(self, listener: Callable[[ChangeEvent], None]) -> None:
        self._change_listeners.append(listener)

    async def start(self) -> None:
        self._task = asyncio.create_task(self._read(), name="pushnest-event-reader")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def delivery_history(
        self, after: str, matches: Callable[[DeliveryEvent], bool]
    ) -> list[tuple[str, DeliveryEvent]]:
        return await self._history(DELIVERY_STREAM, after, DeliveryEvent.from_json, matches)

    async def inbox_history(
        self, after: str, matches: Callable[[InboxEvent], bool]
    ) -> list[tuple[str, InboxEvent]]:
        return await self._history(INBOX_STREAM, after, InboxEvent.from_json, matches)

    async def _history(
        self, stream: str, after: str, parse: Callable[[bytes], E], matches: Callable[[E], bool]
    ) -> list[tuple[str, E]]:
        rows = await self._redis.xrange(stream, min=f"({after}", max="+", count=HISTORY_LIMIT)
        events = [(_id(entry_id), parse(fields[b"e"])) for entry_id, fields in rows]
        return [(position, event) for position, event in events if matches(event)]

    async def _read(self) -> None:
        last = {DELIVERY_STREAM: "$", INBOX_STREAM: "$", CHANGES_STREAM: "$"}
        while True:
            try:
                batches: Any = await self._redis.xread(last, block=1000, count=1000)  # type: ignore[arg-type]
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("reading events from Redis failed; retrying in a second")
                await asyncio.sleep(1)
                continue
            for stream, entries in batches or []:
                name = stream.decode() if isinstance(stream, bytes) else stream
                turns = LoopTurns()
                for entry_id, fields in entries:
                    await turns.between()
                    position = _id(entry_id)
                    last[name] = position
                    self._dispatch(name, position, fields[b"e"])

    def _dispatch(self, stream: str, position: str, payload: bytes) -> None:
        try:
            if stream == DELIVERY_STREAM:
                self.deliveries.publish(position, DeliveryEvent.from_json(payload))
            elif stream == CHANGES_STREAM:
                change = ChangeEvent.from_json(payload)
                for listener in self._change_listeners:
                    listener(change)
            else:
                self.inbox.publish(position, InboxEvent.from_json(payload))
        except (ValueError, TypeError, KeyError):
            log.warning("skipped a malformed event at %s %s", stream, position)


class LocalEventBus:
    """All-in-one mode: publisher and feed at once, positions from a local sequence, a ring for resume."""

    def __init__(self, history: int = LOCAL_HISTORY, loop_slice: float = LOOP_SLICE_SECONDS) -> None:
        self._loop_slice = loop_slice
        self.deliveries: Hub[DeliveryEvent] = Hub()
        self.inbox: Hub[InboxEvent] = Hub()
        self._sequence = itertools.count(1)
        # Positions look like Redis ids, "<start ms>-<n>", so they keep increasing across restarts.
        self._epoch = int(time.time() * 1000)
        self._delivery_ring: deque[tuple[str, DeliveryEvent]] = deque(maxlen=history)
        self._inbox_ring: deque[tuple[str, InboxEvent]] = deque(maxlen=history)
        self._change_listeners: list[Callable[[ChangeEvent], None]] = []

    def on_change(self, listener: Callable[[ChangeEvent], None]) -> None:
        self._change_listeners.append(listener)

    async def publish_change(self, event: ChangeEvent) -> None:
        for listener in self._change_listeners:
            listener(event)

    async def publish_deliveries(self, events: list[DeliveryEvent]) -> None:
        turns = LoopTurns(self._loop_slice)
        for event in events:
            await turns.between()
            position = f"{self._epoch}-{next(self._sequence)}"
            self._delivery_ring.append((position, event))
            self.deliveries.publish(position, event)

    async def publish_inbox(self, events: list[InboxEvent]) -> None:
        turns = LoopTurns(self._loop_slice)
        for event in events:
            await turns.between()
            position = f"{self._epoch}-{next(self._sequence)}"
            self._inbox_ring.append((position, event))
            self.inbox.publish(position, event)

    async def delivery_history(
        self, after: str, matches: Callable[[DeliveryEvent], bool]
    ) -> list[tuple[str, DeliveryEvent]]:
        return _after(self._delivery_ring, after, matches)

    async def inbox_history(
        self, after: str, matches: Callable[[InboxEvent], bool]
    ) -> list[tuple[str, InboxEvent]]:
        return _after(self._inbox_ring, after, matches)


def _after(ring: deque[tuple[str, E]], after: str, matches: Callable[[E], bool]) -> list[tuple[str, E]]:
    start = position_key(after)
    return [(p, e) for p, e in ring if position_key(p) > start and matches(e)][:HISTORY_LIMIT]


def _id(entry_id: bytes | str) -> str:
    return entry_id.decode() if isinstance(entry_id, bytes) else entry_id
