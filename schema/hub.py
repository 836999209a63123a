"""Fan-out of events to subscribers in one process, with bounded queues and gap-free resume.

Every event carries a position in its stream (a Redis Streams id, or a local sequence in the
all-in-one mode). A subscriber registers *before* it reads what it missed, then skips live events
at or before the last position it has already sent: nothing falls between catch-up and live.
A subscriber that does not keep up is not allowed to grow memory: when its queue is full it is
marked lagged, its queue is dropped, and it is told so.

A published event reaches every subscriber as the same `Published` object, so whatever is derived
from it for sending (a GraphQL node, its serialized frame) is computed once per event, not once
per subscriber: thousands of subscribers to one stream share the work.

Direct delivery: a subscriber whose reader is idle (parked on an empty queue) may offer a
`direct` callable; `publish` then hands it the event at once instead of queueing it and waking
the reader's task. With thousands of subscribers that matters: each wake-up costs tens of
microseconds and leaves a fresh suspended coroutine stack per subscriber for the garbage
collector to trace. Whatever `direct` declines, or reaches a subscriber with a non-empty queue,
is queued as before, so each subscriber still sees its events in order.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Callable, Hashable
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Generic, TypeVar

E = TypeVar("E")
T = TypeVar("T")
QUEUE_LIMIT = 512
log = logging.getLogger("pushnest.events")

# Set, in the task that reads a subscription, by a consumer that can take what the subscription
# yields synchronously: it returns True once the item is taken care of, False to get it the usual
# way (yielded to the reading task). See `schema.services.live.follow`.
DIRECT_SINK: ContextVar[Callable[[object], bool] | None] = ContextVar("pushnest_direct_sink", default=None)


def position_key(position: str) -> tuple[int, int]:
    """Order of stream positions "ms-seq" (Redis) or "0-n" (local)."""
    ms, _, seq = position.partition("-")
    try:
        return int(ms), int(seq or 0)
    except ValueError:
        return (-1, -1)


@dataclass(eq=False, slots=True)
class Published(Generic[E]):
    """One event at its position; `shared` memoizes what readers derive from it (see module doc)."""

    position: str
    event: E
    shared: dict[Hashable, object] = field(default_factory=dict)
    order: tuple[int, int] = field(init=False)

    def __post_init__(self) -> None:
        self.order = position_key(self.position)


class EventQueue(Generic[T]):
    """A bounded FIFO with a single reader: what `asyncio.Queue` does here, at a fraction of its
    cost (no task accounting, one waiter)."""

    __slots__ = ("_items", "_limit", "_waiter")

    def __init__(self, limit: int) -> None:
        self._items: deque[T] = deque()
        self._limit = limit
        self._waiter: asyncio.Future[None] | None = None

    def __len__(self) -> int:
        return len(self._items)

    def put_nowait(self, item: T) -> None:
        if len(self._items) >= self._limit:
            raise asyncio.QueueFull
        self._items.append(item)
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def clear(self) -> None:
        self._items.clear()

    async def get(self) -> T:
        while not self._items:
            self._waiter = waiter = asyncio.get_running_loop().create_future()
            try:
                await waiter
            finally:
                self._waiter = None
        return self._items.popleft()


@dataclass(eq=False)
class Subscriber(Generic[E]):
    matches: Callable[[E], bool]
    # Published events, or None once the subscriber fell behind (it then catches up by position).
    queue: EventQueue[Published[E] | None] = field(default_factory=lambda: EventQueue(QUEUE_LIMIT))
    lagged: bool = False
    # Set only while the reader is parked on an empty queue (see the module doc).
    direct: Callable[[Published[E]], bool] | None = None


class Hub(Generic[E]):
    """Subscribers of one stream. `publish` never waits for a slow subscriber."""

    def __init__(self) -> None:
        self._subscribers: set[Subscriber[E]] = set()

    def __len__(self) -> int:
        return len(self._subscribers)

    def subscribe(self, matches: Callable[[E], bool]) -> Subscriber[E]:
        subscriber: Subscriber[E] = Subscriber(matches)
        self._subscribers.add(subscriber)
        return subscriber

    def unsubscribe(self, subscriber: Subscriber[E]) -> None:
        subscriber.direct = None
        self._subscribers.discard(subscriber)

    def publish(self, position: str, event: E) -> None:
        published: Published[E] | None = None
        for subscriber in self._subscribers:
            if subscriber.lagged or not subscriber.matches(event):
                continue
            if published is None:
                published = Published(position, event)
            direct = subscriber.direct
            if direct is not None and not subscriber.queue:
                try:
                    if direct(published):
                        continue
                except Exception:
                    # Its reader's own path will meet the same problem and report it there.
                    log.exception("direct delivery failed; the subscriber is served through its queue")
                    subscriber.direct = None
            try:
                subscriber.queue.put_nowait(published)
            except asyncio.QueueFull:
                # Free what it holds now; it is told it lagged and catches up from its position.
                subscriber.lagged = True
                subscriber.queue.clear()
                subscriber.queue.put_nowait(None)
