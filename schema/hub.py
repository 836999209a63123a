"""Fan-out of events to subscribers in one process, with bounded queues and gap-free resume.

Every event carries a position in its stream (a Redis Streams id, or a local sequence in the
all-in-one mode). A subscriber registers *before* it reads what it missed, then skips live events
at or before the last position it has already sent: nothing falls between catch-up and live.
A subscriber that does not keep up is not allowed to grow memory: when its queue is full it is
marked lagged, its queue is dropped, and it is told so.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

E = TypeVar("E")
QUEUE_LIMIT = 512


def position_key(position: str) -> tuple[int, int]:
    """Order of stream positions "ms-seq" (Redis) or "0-n" (local)."""
    ms, _, seq = position.partition("-")
    try:
        return int(ms), int(seq or 0)
    except ValueError:
        return (-1, -1)


LAGGED = "lagged"


@dataclass(eq=False)
class Subscriber(Generic[E]):
    matches: Callable[[E], bool]
    # Items are (position, event), or (LAGGED, None) once the subscriber fell behind.
    queue: asyncio.Queue[tuple[str, E | None]] = field(default_factory=lambda: asyncio.Queue(QUEUE_LIMIT))
    lagged: bool = False


class Hub(Generic[E]):
    """Subscribers of one stream. `publish` never blocks and never waits for a slow subscriber."""

    def __init__(self) -> None:
        self._subscribers: set[Subscriber[E]] = set()

    def __len__(self) -> int:
        return len(self._subscribers)

    def subscribe(self, matches: Callable[[E], bool]) -> Subscriber[E]:
        subscriber: Subscriber[E] = Subscriber(matches)
        self._subscribers.add(subscriber)
        return subscriber

    def unsubscribe(self, subscriber: Subscriber[E]) -> None:
        self._subscribers.discard(subscriber)

    def publish(self, position: str, event: E) -> None:
        for subscriber in self._subscribers:
            if subscriber.lagged or not subscriber.matches(event):
                continue
            try:
                subscriber.queue.put_nowait((position, event))
            except asyncio.QueueFull:
                # Free what it holds now; it is told it lagged and catches up from its position.
                subscriber.lagged = True
                while not subscriber.queue.empty():
                    subscriber.queue.get_nowait()
                subscriber.queue.put_nowait((LAGGED, None))
