"""What the services need from the outside, as Protocols; each mode plugs in its own."""

from __future__ import annotations

from typing import Protocol

from schema.events import ChangeEvent, DeliveryEvent, InboxEvent


class Enqueuer(Protocol):
    """Tells workers that deliveries are due (ARQ with Redis; an in-process signal otherwise)."""

    async def deliveries_due(self, delivery_ids: list[int], defer_seconds: float = 0.0) -> None: ...


class EventBus(Protocol):
    async def publish_deliveries(self, events: list[DeliveryEvent]) -> None: ...

    async def publish_inbox(self, events: list[InboxEvent]) -> None: ...

    async def publish_change(self, event: ChangeEvent) -> None: ...


class RateLimiter(Protocol):
    """A shared budget per channel account."""

    async def acquire(self, key: str, count: int, per_seconds: float) -> float:
        """0 if a send may go now, else the seconds to wait before asking again."""
        ...

    async def block(self, key: str, seconds: float) -> None:
        """The vendor throttled this account: hold every send to it for `seconds`."""
        ...
