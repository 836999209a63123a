"""What the services need from the outside, as Protocols; each mode plugs in its own."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from schema.channels.base import RateLimit
from schema.events import ChangeEvent, DeliveryEvent, InboxEvent


class Enqueuer(Protocol):
    """Tells workers that deliveries are due (ARQ with Redis; an in-process signal otherwise)."""

    async def deliveries_due(self, delivery_ids: list[int], defer_seconds: float = 0.0) -> None: ...


class EventBus(Protocol):
    async def publish_deliveries(self, events: list[DeliveryEvent]) -> None: ...

    async def publish_inbox(self, events: list[InboxEvent]) -> None: ...

    async def publish_change(self, event: ChangeEvent) -> None: ...


class RateLimiter(Protocol):
    """A shared send budget per channel account: every window it is limited by (schema/services/send_limits.py)."""

    async def acquire(self, key: str, windows: Sequence[RateLimit]) -> float:
        """Take a slot in every window: 0 if a send may go now, else the seconds to wait (nothing taken)."""
        ...

    async def next_free(self, key: str, windows: Sequence[RateLimit]) -> float:
        """Seconds until a send may go (0: now), taking nothing."""
        ...

    async def block(self, key: str, seconds: float) -> None:
        """The vendor throttled this account: hold every send to it for `seconds`."""
        ...


def rate_account(channel_id: int) -> str:
    """The limiter key of a channel account: one name, used by the worker and by the API."""
    return f"channel:{channel_id}"
