"""Subscriptions: delivery events, the inbox, and the live dashboard.

Each takes `after`, the `cursor` of the last event a client saw: reconnecting with it replays
what was missed, then continues live. `resumed: true` marks events replayed after the server
found the client too slow to keep up (its queue is bounded).

Event nodes are built once per published event (and progress state) and shared by every
subscriber that receives it, so the transport can render each once (`shared_events`).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator
from datetime import datetime

import strawberry

from schema.bus import EventFeed
from schema.errors import BadInput
from schema.events import DeliveryEvent, InboxEvent
from schema.graphql.context import Info
from schema.graphql.messages import DeliveryStatusEnum
from schema.graphql.shared_events import SharedNode
from schema.hub import EventQueue, Published, position_key
from schema.metrics import SUBSCRIPTIONS_OPEN
from schema.models.messages import DeliveryStatus
from schema.services import inbox, live
from schema.services.live import Progress

DASHBOARD_INTERVAL_SECONDS = 0.5
MAX_CURSOR_CHARS = 64


@strawberry.type
class SendProgress:
    total: int
    succeeded: int
    failed: int
    remaining: int


@strawberry.type
class DeliveryEventNode(SharedNode):
    cursor: str
    message_id: int
    delivery_id: int
    task_id: int | None
    template_id: int | None
    channel_id: int | None
    channel_type: str
    status: DeliveryStatusEnum  # type: ignore[valid-type]
    attempt: int
    error_class: str
    error: str
    latency_ms: int | None
    at: float
    resumed: bool
    progress: SendProgress | None = strawberry.field(
        description="With messageId: where the whole send stands."
    )

    @classmethod
    def shared(
        cls, item: Published[DeliveryEvent], resumed: bool, progress: Progress | None
    ) -> DeliveryEventNode:
        """The node for this event as `resumed` and at this progress: one per event, however many receive it."""
        counts = progress.counts() if progress is not None else None
        key = (cls, resumed, counts)
        node = item.shared.get(key)
        if not isinstance(node, cls):
            node = item.shared[key] = cls.of(item.position, item.event, resumed, counts)
        return node

    @classmethod
    def of(
        cls, cursor: str, e: DeliveryEvent, resumed: bool, counts: tuple[int, int, int, int] | None
    ) -> DeliveryEventNode:
        summary = None
        if counts is not None:
            total, succeeded, failed, remaining = counts
            summary = SendProgress(total=total, succeeded=succeeded, failed=failed, remaining=remaining)
        return cls(
            cursor=cursor,
            message_id=e.message_id,
            delivery_id=e.delivery_id,
            task_id=e.task_id,
            template_id=e.template_id,
            channel_id=e.channel_id,
            channel_type=e.channel_type,
            status=DeliveryStatus(e.status),
            attempt=e.attempt,
            error_class=e.error_class,
            error=e.error,
            latency_ms=e.latency_ms,
            at=e.at,
            resumed=resumed,
            progress=summary,
        )


@strawberry.type
class InboxEventNode(SharedNode):
    cursor: str
    kind: str = strawberry.field(description="new | read | deleted | snapshot")
    item_ids: list[int]
    unread_count: int
    at: float
    resumed: bool

    @classmethod
    def shared(cls, item: Published[InboxEvent], resumed: bool) -> InboxEventNode:
        """The node for this event as `resumed`: one per event, however many receive it."""
        key = (cls, resumed)
        node = item.shared.get(key)
        if not isinstance(node, cls):
            e = item.event
            node = item.shared[key] = cls(
                cursor=item.position,
                kind=e.kind,
                item_ids=list(e.item_ids),
                unread_count=e.unread_count,
                at=e.at,
                resumed=resumed,
            )
        return node


@strawberry.type
class ChannelVolume:
    channel_type: str
    sent: int
    succeeded: int
    failed: int


@strawberry.type
class DashboardNode:
    sent: int
    succeeded: int
    failed: int
    in_flight: int
    success_rate: float | None
    channels: list[ChannelVolume]
    at: datetime


def _feed(info: Info) -> EventFeed:
    feed = info.context.runtime.feed
    if feed is None:
        raise BadInput("this process serves no subscriptions")
    return feed


def _cursor(after: str | None) -> str | None:
    if after is not None and (len(after) > MAX_CURSOR_CHARS or position_key(after) == (-1, -1)):
        raise BadInput("not a cursor this API gave out", field="after")
    return after


@strawberry.type
class Subscription:
    @strawberry.subscription(description="Delivery state changes, for one message, one task, or all yours.")
    async def message_events(
        self, info: Info, message_id: int | None = None, task_id: int | None = None, after: str | None = None
    ) -> AsyncGenerator[DeliveryEventNode, None]:
        feed = _feed(info)
        matches = await live.delivery_matcher(info.context.principal, message_id, task_id)
        progress = await Progress.of_message(message_id) if message_id is not None else None

        def node(item: Published[DeliveryEvent], resumed: bool) -> DeliveryEventNode:
            if progress is not None:
                progress.update(item.event)  # idempotent: an event may come through here twice
            return DeliveryEventNode.shared(item, resumed, progress)

        async for event in live.follow(feed.deliveries, feed.delivery_history, matches, _cursor(after), node):
            yield event

    @strawberry.subscription(description="Your inbox: a snapshot of the unread count, then every change.")
    async def inbox(self, info: Info, after: str | None = None) -> AsyncGenerator[InboxEventNode, None]:
        feed = _feed(info)
        user = info.context.principal.require_user()
        if after is None:
            unread = await inbox.unread_count(info.context.principal)
            yield InboxEventNode(
                cursor="", kind="snapshot", item_ids=[], unread_count=unread, at=0.0, resumed=False
            )

        def mine(event: InboxEvent) -> bool:
            return event.user_id == user.id

        async for event in live.follow(
            feed.inbox, feed.inbox_history, mine, _cursor(after), InboxEventNode.shared
        ):
            yield event

    @strawberry.subscription(
        description="Today's delivery counters, at most twice a second while they change."
    )
    async def dashboard(self, info: Info) -> AsyncGenerator[DashboardNode, None]:
        feed = _feed(info)
        principal = info.context.principal
        matches = await live.delivery_matcher(principal, None, None)
        changed = asyncio.Event()
        subscriber = feed.deliveries.subscribe(matches)
        watcher = asyncio.create_task(_watch(subscriber.queue, changed))
        SUBSCRIPTIONS_OPEN.inc()
        try:
            while True:
                yield _dashboard(await live.dashboard_counts(principal))
                changed.clear()
                await changed.wait()
                await asyncio.sleep(DASHBOARD_INTERVAL_SECONDS)
        finally:
            SUBSCRIPTIONS_OPEN.dec()
            watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watcher
            feed.deliveries.unsubscribe(subscriber)


async def _watch(queue: EventQueue[Published[DeliveryEvent] | None], changed: asyncio.Event) -> None:
    while True:
        await queue.get()
        changed.set()


def _dashboard(counts: live.DashboardCounts) -> DashboardNode:
    done = counts.succeeded + counts.failed
    return DashboardNode(
        sent=counts.sent,
        succeeded=counts.succeeded,
        failed=counts.failed,
        in_flight=counts.in_flight,
        success_rate=counts.succeeded / done if done else None,
        channels=[
            ChannelVolume(channel_type=c.channel_type, sent=c.sent, succeeded=c.succeeded, failed=c.failed)
            for c in counts.channels
        ],
        at=counts.at,
    )
