"""What the services need from the process they run in, built once at start-up and passed in."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from schema.bus import EventFeed
from schema.channels.base import SendContext
from schema.crypto import SecretBox
from schema.events import ChangeEvent, DeliveryEvent, InboxEvent
from schema.ports import Enqueuer, EventBus
from schema.services.caches import Caches
from schema.services.group_commit import GroupCommit
from schema.services.socket_sessions import SocketSessions
from schema.services.throttle import AuthThrottles
from schema.settings import Settings
from schema.tokens import TokenIssuer


class NoQueue:
    """For processes that only read (tests, tools): nothing is dispatched."""

    async def deliveries_due(self, delivery_ids: list[int], defer_seconds: float = 0.0) -> None:
        return None


class NoEvents:
    async def publish_deliveries(self, events: list[DeliveryEvent]) -> None:
        return None

    async def publish_inbox(self, events: list[InboxEvent]) -> None:
        return None

    async def publish_change(self, event: ChangeEvent) -> None:
        return None


@dataclass(frozen=True)
class Runtime:
    settings: Settings
    secret_box: SecretBox
    tokens: TokenIssuer
    throttles: AuthThrottles
    enqueuer: Enqueuer = field(default_factory=NoQueue)
    events: EventBus = field(default_factory=NoEvents)
    # What subscriptions read; None in processes that serve no subscriptions.
    feed: EventFeed | None = None
    # Clients for sends made by the API itself (testChannel); None where nothing sends.
    send_context: SendContext | None = None
    # The signed-in WebSockets this process serves; their check runs only where the API starts it.
    sessions: SocketSessions = field(default_factory=SocketSessions)
    # When this process built its runtime (its start, near enough): the About panel's uptime.
    started_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    # This process's callers and send targets; the feed's change events clear them (see caches.py).
    caches: Caches = field(default_factory=Caches)
    # Sends accepted at about the same moment share a transaction (schema/services/sending.py).
    sends: GroupCommit[Any, Any] = field(default_factory=GroupCommit)


def build_runtime(
    settings: Settings,
    throttles: AuthThrottles | None = None,
    enqueuer: Enqueuer | None = None,
    events: EventBus | None = None,
    feed: EventFeed | None = None,
    send_context: SendContext | None = None,
) -> Runtime:
    caches = Caches(listening=feed is not None)
    if feed is not None:
        feed.on_change(caches.forget)
    return Runtime(
        settings=settings,
        secret_box=SecretBox(settings.secret_key.get_secret_value()),
        tokens=TokenIssuer(settings.jwt_secret.get_secret_value(), settings.jwt_ttl_minutes * 60),
        throttles=throttles or AuthThrottles.in_memory(settings),
        enqueuer=enqueuer or NoQueue(),
        events=events or NoEvents(),
        feed=feed,
        send_context=send_context,
        caches=caches,
    )
