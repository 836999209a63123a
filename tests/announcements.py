"""Waiting on what the test server announces instead of polling it or sleeping.

The session's server runs in the test's own process and event loop (tests/conftest.py), so a test
can follow the same delivery events its subscriptions serve: subscribe first, then read; read
again after each event of the message; stop when the read shows what the test waits for. The
subscription is in place before the first read, so no change can fall between the two.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

from schema.events import DeliveryEvent
from schema.hub import Hub, Subscriber

T = TypeVar("T")


class Announcements:
    """The delivery events of the server the tests talk to, and its subscriptions as they start."""

    def __init__(self, deliveries: Hub[DeliveryEvent]) -> None:
        self.deliveries = deliveries
        # Subscriptions started and ended so far. graphql-transport-ws acknowledges neither a
        # `subscribe` nor a `complete`, so a test that must not publish before the server listens
        # (or after it stopped) waits for these counts instead of sleeping.
        self.started = 0
        self.ended = 0
        self._changed = asyncio.Event()
        subscribe, unsubscribe = deliveries.subscribe, deliveries.unsubscribe

        def counted_subscribe(matches: Callable[[DeliveryEvent], bool]) -> Subscriber[DeliveryEvent]:
            subscriber = subscribe(matches)
            self.started += 1
            self._changed.set()
            return subscriber

        def counted_unsubscribe(subscriber: Subscriber[DeliveryEvent]) -> None:
            unsubscribe(subscriber)
            self.ended += 1
            self._changed.set()

        deliveries.subscribe = counted_subscribe  # type: ignore[method-assign]
        deliveries.unsubscribe = counted_unsubscribe  # type: ignore[method-assign]

    async def subscribed(self, mark: int, count: int = 1, timeout: float = 10.0) -> None:
        """Until `count` subscriptions have started on the server since `started` was `mark`."""
        await self._until(lambda: self.started >= mark + count, timeout)

    async def unsubscribed(self, mark: int, count: int = 1, timeout: float = 10.0) -> None:
        """Until `count` subscriptions have ended on the server since `ended` was `mark`."""
        await self._until(lambda: self.ended >= mark + count, timeout)

    async def _until(self, reached: Callable[[], bool], timeout: float) -> None:
        async with asyncio.timeout(timeout):
            while not reached():
                self._changed.clear()
                await self._changed.wait()

    async def until(
        self,
        message_id: int,
        read: Callable[[], Awaitable[T]],
        done: Callable[[T], bool],
        timeout: float = 20.0,
    ) -> T:
        """`read()` now and after each delivery event of the message, until `done` holds for it.

        Events are published after the database holds the change, so the read that follows an
        event sees it. On timeout the assertion shows the last read.
        """
        subscriber = self.deliveries.subscribe(lambda event: event.message_id == message_id)
        value = None
        try:
            async with asyncio.timeout(timeout):
                while True:
                    value = await read()
                    if done(value):
                        return value
                    await subscriber.queue.get()
        except TimeoutError:
            raise AssertionError(f"message {message_id} did not get there in {timeout}s: {value}") from None
        finally:
            self.deliveries.unsubscribe(subscriber)
