"""Statistics: `stats(days)`, read from the daily rollups (schema/services/stats.py)."""

from __future__ import annotations

from datetime import date
from typing import Any

import strawberry

from schema.graphql.context import Info
from schema.services import stats
from schema.services.stats import Counts


def counts(c: Counts) -> dict[str, Any]:
    """The counter fields every statistic carries."""
    return {
        "sent": c.sent,
        "succeeded": c.succeeded,
        "failed": c.failed,
        "unknown": c.unknown,
        "success_rate": c.success_rate,
    }


@strawberry.type
class ChannelStat:
    channel_type: str
    channel_id: int | None
    channel_name: str | None = strawberry.field(description="Null once the channel is deleted.")
    sent: int
    succeeded: int
    failed: int
    unknown: int
    success_rate: float | None

    @classmethod
    def of(cls, row: stats.ChannelStat) -> ChannelStat:
        c = row.counts
        return cls(
            channel_type=row.channel_type,
            channel_id=row.channel_id,
            channel_name=row.name,
            **counts(c),
        )


@strawberry.type
class TargetStat:
    task_id: int | None
    template_id: int | None
    name: str | None = strawberry.field(description="The task's or template's name; null once deleted.")
    sent: int
    succeeded: int
    failed: int
    unknown: int
    success_rate: float | None

    @classmethod
    def of(cls, row: stats.TargetStat) -> TargetStat:
        c = row.counts
        return cls(
            task_id=row.task_id,
            template_id=row.template_id,
            name=row.name,
            **counts(c),
        )


@strawberry.type
class ErrorClassStat:
    error_class: str
    count: int


@strawberry.type
class ErrorMessageStat:
    error_class: str
    error: str = strawberry.field(description="The vendor's error, cut at 200 characters.")
    count: int


@strawberry.type
class DailyStat:
    day: date
    sent: int
    succeeded: int
    failed: int
    unknown: int
    success_rate: float | None

    @classmethod
    def of(cls, day: date, c: Counts) -> DailyStat:
        return cls(
            day=day,
            **counts(c),
        )


@strawberry.type(
    description="The histogram bucket a percentile falls in: more than `fromMs`, at most `toMs` (null: "
    "no upper bound). Latencies are kept as a histogram, so this is what is known."
)
class LatencyRange:
    from_ms: int
    to_ms: int | None

    @classmethod
    def of(cls, found: stats.LatencyRange | None) -> LatencyRange | None:
        return None if found is None else cls(from_ms=found.lower_ms, to_ms=found.upper_ms)


_AT_MOST = "At most this many ms (the upper bound of the bucket it falls in; the lower one when open)."


@strawberry.type
class LatencyStat:
    channel_type: str
    channel_id: int | None
    channel_name: str | None
    samples: int
    p50_ms: float | None = strawberry.field(description=_AT_MOST)
    p95_ms: float | None = strawberry.field(description=_AT_MOST)
    p99_ms: float | None = strawberry.field(description=_AT_MOST)
    p50_range: LatencyRange | None
    p95_range: LatencyRange | None
    p99_range: LatencyRange | None

    @classmethod
    def of(cls, row: stats.ChannelStat) -> LatencyStat:
        samples, p50, p95, p99 = stats.latency(row)
        return cls(
            channel_type=row.channel_type,
            channel_id=row.channel_id,
            channel_name=row.name,
            samples=samples,
            p50_ms=_at_most(p50),
            p95_ms=_at_most(p95),
            p99_ms=_at_most(p99),
            p50_range=LatencyRange.of(p50),
            p95_range=LatencyRange.of(p95),
            p99_range=LatencyRange.of(p99),
        )


def _at_most(found: stats.LatencyRange | None) -> float | None:
    if found is None:
        return None
    return float(found.upper_ms if found.upper_ms is not None else found.lower_ms)


@strawberry.type
class Stats:
    days: int
    since: date = strawberry.field(description="First UTC day counted; the last is today.")
    sent: int = strawberry.field(description="Deliveries that reached a final state.")
    succeeded: int
    failed: int
    unknown: int
    success_rate: float | None
    channels: list[ChannelStat] = strawberry.field(description="Per channel, most traffic first.")
    targets: list[TargetStat] = strawberry.field(
        description="Per task or template, most traffic first (100)."
    )
    error_classes: list[ErrorClassStat]
    top_errors: list[ErrorMessageStat] = strawberry.field(description="The 10 most frequent errors.")
    daily: list[DailyStat] = strawberry.field(description="One row per UTC day, oldest first.")
    latency: list[LatencyStat] = strawberry.field(description="Per channel, estimated from histograms.")

    @classmethod
    def of(cls, s: stats.Stats) -> Stats:
        return cls(
            days=s.days,
            since=s.since,
            **counts(s.totals),
            channels=[ChannelStat.of(c) for c in s.channels],
            targets=[TargetStat.of(t) for t in s.targets],
            error_classes=[ErrorClassStat(error_class=k, count=n) for k, n in s.error_classes],
            top_errors=[
                ErrorMessageStat(error_class=e.error_class, error=e.error, count=e.count)
                for e in s.top_errors
            ],
            daily=[DailyStat.of(d.day, d.counts) for d in s.daily],
            latency=[LatencyStat.of(c) for c in s.channels if sum(c.buckets)],
        )


@strawberry.type
class StatsQueries:
    @strawberry.field(
        description="Delivery statistics over the last `days` UTC days (1 to 366), today included."
    )
    async def stats(self, info: Info, days: int = 7) -> Stats:
        return Stats.of(await stats.stats(info.context.principal, days))
