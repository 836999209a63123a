"""What subscriptions stream: who may follow what, resume by position, progress and live counters."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TypeVar

from tortoise.functions import Count, Sum

from schema.events import DeliveryEvent
from schema.hub import LAGGED, Hub, position_key
from schema.metrics import SUBSCRIPTIONS_OPEN
from schema.models import Delivery, DeliveryStat
from schema.models.messages import DeliveryStatus
from schema.models.stats import ALL
from schema.services.messages import get_message
from schema.services.principal import Principal
from schema.services.tasks import get_task

E = TypeVar("E")
History = Callable[[str, Callable[[E], bool]], Awaitable[list[tuple[str, E]]]]
FINAL = {DeliveryStatus.SUCCEEDED.value, DeliveryStatus.FAILED.value, DeliveryStatus.UNKNOWN.value}
IN_FLIGHT = {s.value for s in DeliveryStatus} - FINAL


async def follow(
    hub: Hub[E], history: History[E], matches: Callable[[E], bool], after: str | None
) -> AsyncIterator[tuple[str, E, bool]]:
    """Events after `after` (from history), then live ones, without gaps or repeats."""
    subscriber = hub.subscribe(matches)  # first, so nothing published during catch-up is missed
    last = after
    SUBSCRIPTIONS_OPEN.inc()
    try:
        if after:
            for position, event in await history(after, matches):
                last = position
                yield position, event, False
        resumed = False
        while True:
            position, live = await subscriber.queue.get()
            if position == LAGGED:
                subscriber.lagged = False
                caught_up = await history(last or "0-0", matches) if last else []
                for catch_position, catch_event in caught_up:
                    last = catch_position
                    yield catch_position, catch_event, True
                resumed = not caught_up
                continue
            if live is None or (last and position_key(position) <= position_key(last)):
                continue
            last = position
            yield position, live, resumed
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
    everyone = principal.is_admin and message_id is None and task_id is None
    key_id = principal.api_key.id if principal.api_key else None

    def matches(event: DeliveryEvent) -> bool:
        if message_id is not None and event.message_id != message_id:
            return False
        if task_id is not None and event.task_id != task_id:
            return False
        if key_id is not None and message_id is None and task_id is None:
            return False  # a key follows a message or a task it may read, never everything
        return everyone or principal.is_admin or event.owner_id == user.id

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
