"""What subscriptions stream: who may follow what, resume by position, progress and live counters."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TypeVar

from tortoise.functions import Count, Sum

from schema.events import DeliveryEvent
from schema.hub import DIRECT_SINK, Hub, Published, position_key
from schema.metrics import SUBSCRIPTIONS_OPEN
from schema.models import Delivery, DeliveryStat
from schema.models.messages import DeliveryStatus
from schema.models.stats import ALL
from schema.services import message_status
from schema.services.messages import get_message
from schema.services.principal import Principal
from schema.services.tasks import get_task

E = TypeVar("E")
N = TypeVar("N")
History = Callable[[str, Callable[[E], bool]], Awaitable[list[tuple[str, E]]]]
# PARTIAL deliveries are final too: one list of final statuses (message_status.FINAL).
FINAL = {s.value for s in message_status.FINAL}
IN_FLIGHT = {s.value for s in DeliveryStatus} - FINAL


async def follow(
    hub: Hub[E],
    history: History[E],
    matches: Callable[[E], bool],
    after: str | None,
    node: Callable[[Published[E], bool], N],
) -> AsyncIterator[N]:
    """`node(event, resumed)` for the events after `after` (from history), then for live ones,
    without gaps or repeats. Live events are the hub's shared `Published` objects.

    If the reading task set `DIRECT_SINK`, live events that arrive while the reader waits are
    handed to the sink by the publisher itself (`Hub.publish`): no task wakes for them.
    """
    subscriber = hub.subscribe(matches)  # first, so nothing published during catch-up is missed
    sink = DIRECT_SINK.get()
    last = after
    last_order = position_key(after) if after else (-1, -1)

    def deliver(published: Published[E]) -> bool:
        nonlocal last, last_order
        if published.order <= last_order:
            return True
        if sink is None or not sink(node(published, False)):
            return False
        last, last_order = published.position, published.order
        return True

    SUBSCRIPTIONS_OPEN.inc()
    try:
        if after:
            for position, event in await history(after, matches):
                item = Published(position, event)
                last, last_order = position, item.order
                yield node(item, False)
        resumed = False
        while True:
            if sink is not None and not resumed and not subscriber.queue:
                subscriber.direct = deliver
            try:
                published = await subscriber.queue.get()
            finally:
                subscriber.direct = None
            if published is None:  # it lagged: the queue was dropped; catch up from the stream
                subscriber.lagged = False
                caught_up = await history(last or "0-0", matches) if last else []
                for catch_position, catch_event in caught_up:
                    item = Published(catch_position, catch_event)
                    last, last_order = catch_position, item.order
                    yield node(item, True)
                resumed = not caught_up
                continue
            if published.order <= last_order:
                continue
            last, last_order = published.position, published.order
            yield node(published, resumed)
            resumed = False
    finally:
        SUBSCRIPTIONS_OPEN.dec()
        hub.unsubscribe(subscriber)


async def delivery_matcher(
    principal: Principal, message_id: int | None, task_id: int | None
) -> Callable[[DeliveryEvent], bool]:
    """Which delivery events this caller may follow, narrowed to a message or a task."""
    user = principal.require_caller()
    if message_id is not None:
        await get_message(principal, message_id)
    if task_id is not None:
        await get_task(principal, task_id)
    # Fixed for the subscription's life, so worked out once: `matches` runs for every subscriber
    # on every event.
    admin = principal.is_admin
    owner_id = user.id
    # A key follows a message or a task it may read, never everything.
    nothing = principal.api_key is not None and message_id is None and task_id is None

    def matches(event: DeliveryEvent) -> bool:
        if message_id is not None and event.message_id != message_id:
            return False
        if task_id is not None and event.task_id != task_id:
            return False
        return not nothing and (admin or event.owner_id == owner_id)

    return matches


@dataclass
class Progress:
    """Where a (group) send stands, kept current from its events."""

    states: dict[int, str] = field(default_factory=dict)

    @classmethod
    async def of_message(cls, message_id: int) -> Progress:
        rows = await Delivery.filter(message_id=message_id).values_list("id", "status")
        return cls({int(i): str(s) for i, s in rows})

    def update(self, event: DeliveryEvent) -> None:
        self.states[event.delivery_id] = event.status

    def counts(self) -> tuple[int, int, int, int]:
        """(total, succeeded, failed, remaining)."""
        return self.total, self.succeeded, self.failed, self.remaining

    @property
    def total(self) -> int:
        return len(self.states)

    @property
    def succeeded(self) -> int:
        return sum(s == DeliveryStatus.SUCCEEDED.value for s in self.states.values())

    @property
    def failed(self) -> int:
        return sum(
            s in (DeliveryStatus.FAILED.value, DeliveryStatus.UNKNOWN.value) for s in self.states.values()
        )

    @property
    def remaining(self) -> int:
        return self.total - self.succeeded - self.failed


@dataclass(frozen=True)
class ChannelCounts:
    channel_type: str
    sent: int
    succeeded: int
    failed: int


@dataclass(frozen=True)
class DashboardCounts:
    sent: int
    succeeded: int
    failed: int
    in_flight: int
    channels: list[ChannelCounts]
    at: datetime


async def dashboard_counts(principal: Principal) -> DashboardCounts:
    """Today's deliveries (UTC day) by channel type, for the caller (admins: everyone): final ones
    from the rollup counters (schema/services/stats.py), plus those still in flight."""
    owner = principal.owner_filter()
    start = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    done = (
        await DeliveryStat.filter(day=start.date(), task_id=ALL, **owner)
        .annotate(s=Sum("sent"), ok=Sum("succeeded"), ko=Sum("failed"), lost=Sum("unknown"))
        .group_by("channel_type")
        .values_list("channel_type", "s", "ok", "ko", "lost")
    )
    # Few rows are in flight at any time: the (status, next_attempt_at) index finds them.
    moving = Delivery.filter(status__in=sorted(IN_FLIGHT), created_at__gte=start)
    if owner:
        moving = moving.filter(message__owner_id=owner["owner_id"])
    flying = await moving.annotate(n=Count("id")).group_by("channel_type").values_list("channel_type", "n")
    per: dict[str, list[int]] = {}
    for channel_type, sent, ok, ko, lost in done:
        counts = per.setdefault(str(channel_type), [0, 0, 0, 0])
        counts[0] += int(sent or 0)
        counts[1] += int(ok or 0)
        counts[2] += int(ko or 0) + int(lost or 0)
    for channel_type, n in flying:
        counts = per.setdefault(str(channel_type), [0, 0, 0, 0])
        counts[0] += int(n)
        counts[3] += int(n)
    channels = [ChannelCounts(k, v[0], v[1], v[2]) for k, v in sorted(per.items(), key=lambda kv: -kv[1][0])]
    totals = [sum(v[i] for v in per.values()) for i in range(4)]
    return DashboardCounts(
        sent=totals[0],
        succeeded=totals[1],
        failed=totals[2],
        in_flight=totals[3],
        channels=channels,
        at=datetime.now(UTC),
    )
