"""Waiting on what the test server announces instead of polling it on a timer.

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
from schema.hub import Hub

T = TypeVar("T")


class Announcements:
    """The delivery events of the server the tests talk to."""

    def __init__(self, deliveries: Hub[DeliveryEvent]) -> None:
        self.deliveries = deliveries

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
