"""Delivery statistics: counters bumped as deliveries end, and `stats(days)` read from them alone.

`record_final` adds a batch of final outcomes to the daily rollups (schema/models/stats.py) with
one upsert per table, `sent = sent + VALUES(sent)`, so concurrent workers never lose an increment.
`stats` sums the rollups of the last `days` UTC days; it never reads `deliveries`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.functions import Sum
from tortoise.transactions import in_transaction

from schema.db import dialect, statement
from schema.errors import BadInput
from schema.models import Channel, DeliveryStat, ErrorStat, Task, Template
from schema.models.stats import ALL, LATENCY_BOUNDS_MS, LATENCY_COLUMNS
from schema.services.principal import Principal

MAX_DAYS = 366
MAX_TARGETS = 100
TOP_ERRORS = 10
ERROR_CHARS = 200
_COUNTERS = ("sent", "succeeded", "failed", "unknown", *LATENCY_COLUMNS)
_STAT_KEY = ("day", "owner_id", "channel_type", "channel_id", "task_id", "template_id")
_ERROR_KEY = ("day", "owner_id", "error_class", "error")


@dataclass(frozen=True)
class FinalOutcome:
    day: date
    owner_id: int
    channel_type: str
    channel_id: int | None
    task_id: int | None
    template_id: int | None
    status: str  # succeeded, failed or unknown
    latency_ms: int | None = None
    error_class: str = ""
    error: str = ""


def bucket_of(latency_ms: int) -> int:
    """Index of the histogram bucket holding this latency."""
    for i, bound in enumerate(LATENCY_BOUNDS_MS):
        if latency_ms <= bound:
            return i
    return len(LATENCY_BOUNDS_MS)


def percentile(buckets: Sequence[int], q: float) -> float | None:
    """The q-quantile (0..1) estimated from bucket counts, linear within the bucket it falls in.
    The open last bucket reports its lower bound. None without samples."""
    total = sum(buckets)
    if total == 0:
        return None
    rank, seen = q * total, 0
    for i, count in enumerate(buckets):
        if count and seen + count >= rank:
            lower = LATENCY_BOUNDS_MS[i - 1] if i > 0 else 0
            if i >= len(LATENCY_BOUNDS_MS):
                return float(lower)
            upper = LATENCY_BOUNDS_MS[i]
            return round(lower + (upper - lower) * max(rank - seen, 0) / count, 1)
        seen += count
    return float(LATENCY_BOUNDS_MS[-1])


def rollup(
    outcomes: Iterable[FinalOutcome],
) -> tuple[dict[tuple[Any, ...], list[int]], dict[tuple[Any, ...], int]]:
    """Counter increments per rollup key (in `_COUNTERS` order), and failure counts per error key.
    Each outcome counts at two grains: its channel (all targets) and its task/template (all channels)."""
    stats: dict[tuple[Any, ...], list[int]] = {}
    errors: dict[tuple[Any, ...], int] = {}
    for o in outcomes:
        per_channel = (o.day, o.owner_id, o.channel_type, o.channel_id or 0, ALL, ALL)
        per_target = (o.day, o.owner_id, "", ALL, o.task_id or 0, o.template_id or 0)
        for key in (per_channel, per_target):
            row = stats.setdefault(key, [0] * len(_COUNTERS))
            row[0] += 1
            row[1 + ("succeeded", "failed", "unknown").index(o.status)] += 1
            if o.latency_ms is not None:
                row[4 + bucket_of(o.latency_ms)] += 1
        if o.status != "succeeded":
            ekey = (o.day, o.owner_id, o.error_class or o.status, o.error[:ERROR_CHARS])
            errors[ekey] = errors.get(ekey, 0) + 1
    return stats, errors


async def record_final(outcomes: list[FinalOutcome], conn: BaseDBAsyncClient | None = None) -> None:
    """Add final outcomes to the rollups: one upsert per table, in one transaction (so a deadlock
    retry by the caller cannot count a batch twice). Rows go in key order to keep lock order stable.

    With `conn`, inside the caller's transaction: the worker counts a delivery in the same commit
    that moves it to its final state, so each final delivery is counted exactly once.
    """
    stats, errors = rollup(outcomes)
    if not stats:
        return
    if conn is not None:
        await _upsert_all(conn, stats, errors)
        return
    async with in_transaction() as own:
        await _upsert_all(own, stats, errors)


async def _upsert_all(
    conn: BaseDBAsyncClient, stats: dict[tuple[Any, ...], list[int]], errors: dict[tuple[Any, ...], int]
) -> None:
    await _upsert(conn, "delivery_stats", _STAT_KEY, _COUNTERS, sorted(stats.items()))
    if errors:
        rows = [(k, [n]) for k, n in sorted(errors.items())]
        await _upsert(conn, "error_stats", _ERROR_KEY, ("count",), rows)


async def _upsert(
    conn: Any,
    table: str,
    key: tuple[str, ...],
    counters: tuple[str, ...],
    rows: list[tuple[tuple[Any, ...], list[int]]],
) -> None:
    kind = dialect(conn)
    one = "(" + ", ".join(["?"] * (len(key) + len(counters))) + ")"
    columns = ", ".join((*key, *counters))
    if kind == "mysql":
        bump = ", ".join(f"{c} = {c} + VALUES({c})" for c in counters)
        tail = f"ON DUPLICATE KEY UPDATE {bump}"
    else:
        # Qualified: PostgreSQL finds a bare name ambiguous between the row and `excluded`.
        bump = ", ".join(f"{c} = {table}.{c} + excluded.{c}" for c in counters)
        tail = f"ON CONFLICT({', '.join(key)}) DO UPDATE SET {bump}"
    sql = f"INSERT INTO {table} ({columns}) VALUES {', '.join([one] * len(rows))} {tail}"  # noqa: S608 - fixed names
    params: list[Any] = []
    for k, values in rows:
        # asyncpg takes a date for a DATE column; the other drivers are given ISO text (sqlite3's
        # date adapter is deprecated).
        day = k[0] if kind == "postgres" else k[0].isoformat()
        params += [day, *k[1:], *values]
    await conn.execute_query(statement(conn, sql), params)


@dataclass(frozen=True)
class Counts:
    sent: int = 0
    succeeded: int = 0
    failed: int = 0
    unknown: int = 0

    @property
    def success_rate(self) -> float | None:
        return self.succeeded / self.sent if self.sent else None


@dataclass(frozen=True)
class ChannelStat:
    channel_type: str
    channel_id: int | None
    name: str | None
    counts: Counts
    buckets: tuple[int, ...]


@dataclass(frozen=True)
class TargetStat:
    task_id: int | None
    template_id: int | None
    name: str | None
    counts: Counts


@dataclass(frozen=True)
class DailyStat:
    day: date
    counts: Counts


@dataclass(frozen=True)
class ErrorMessageStat:
    error_class: str
    error: str
    count: int


@dataclass(frozen=True)
class Stats:
    days: int
    since: date
    totals: Counts
    channels: list[ChannelStat]
    targets: list[TargetStat]
    error_classes: list[tuple[str, int]]
    top_errors: list[ErrorMessageStat]
    daily: list[DailyStat]


def today() -> date:
    return datetime.now(UTC).date()


async def stats(principal: Principal, days: int) -> Stats:
    """The last `days` UTC days (today included), for the caller's own sends (admins: everyone's)."""
    owner = principal.owner_filter()
    if not 1 <= days <= MAX_DAYS:
        raise BadInput(f"days must be between 1 and {MAX_DAYS}", field="days")
    since = today() - timedelta(days=days - 1)
    rows = DeliveryStat.filter(day__gte=since, **owner)
    by_channel, by_target = rows.filter(task_id=ALL), rows.filter(channel_id=ALL)
    errs = ErrorStat.filter(day__gte=since, **owner)
    sums = {f"s_{c}": Sum(c) for c in _COUNTERS}
    counts = [f"s_{c}" for c in _COUNTERS[:4]]
    per_channel, per_target, per_day, classes, messages = await asyncio.gather(
        by_channel.annotate(**sums)
        .group_by("channel_type", "channel_id")
        .values("channel_type", "channel_id", *sums),
        by_target.annotate(**{k: sums[k] for k in counts})
        .group_by("task_id", "template_id")
        .order_by("-s_sent")
        .limit(MAX_TARGETS)
        .values("task_id", "template_id", *counts),
        by_channel.annotate(**{k: sums[k] for k in counts}).group_by("day").values("day", *counts),
        errs.annotate(n=Sum("count")).group_by("error_class").order_by("-n").values_list("error_class", "n"),
        errs.annotate(n=Sum("count"))
        .group_by("error_class", "error")
        .order_by("-n", "error_class", "error")
        .limit(TOP_ERRORS)
        .values_list("error_class", "error", "n"),
    )
    names = await _names(per_channel, per_target)
    channels = sorted(
        (
            ChannelStat(
                str(r["channel_type"]),
                r["channel_id"] or None,
                names[0].get(r["channel_id"]),
                _counts(r),
                tuple(int(r[f"s_{c}"] or 0) for c in LATENCY_COLUMNS),
            )
            for r in per_channel
        ),
        key=lambda c: (-c.counts.sent, c.channel_type, c.channel_id or 0),
    )
    targets = sorted(
        (
            TargetStat(
                r["task_id"] or None,
                r["template_id"] or None,
                names[1].get(r["task_id"]) if r["task_id"] else names[2].get(r["template_id"]),
                _counts(r),
            )
            for r in per_target
        ),
        key=lambda t: (-t.counts.sent, t.task_id or 0, t.template_id or 0),
    )
    daily = trend(since, days, {_as_date(r["day"]): _counts(r) for r in per_day})
    return Stats(
        days=days,
        since=since,
        totals=_total(c.counts for c in channels),
        channels=channels,
        targets=targets,
        error_classes=[(str(k), int(n or 0)) for k, n in classes],
        top_errors=[ErrorMessageStat(str(k), str(e), int(n or 0)) for k, e, n in messages],
        daily=daily,
    )


def trend(since: date, days: int, by_day: dict[date, Counts]) -> list[DailyStat]:
    """One row per day from `since`, zeros where nothing ended."""
    return [DailyStat(d, by_day.get(d, Counts())) for d in (since + timedelta(days=i) for i in range(days))]


def latency(channel: ChannelStat) -> tuple[int, float | None, float | None, float | None]:
    """Samples and p50/p95/p99 (ms) of one channel's latency histogram."""
    b = channel.buckets
    return sum(b), percentile(b, 0.50), percentile(b, 0.95), percentile(b, 0.99)


def _counts(row: dict[str, Any]) -> Counts:
    return Counts(*(int(row[f"s_{c}"] or 0) for c in _COUNTERS[:4]))


def _total(parts: Iterable[Counts]) -> Counts:
    sent = succeeded = failed = unknown = 0
    for c in parts:
        sent, succeeded, failed, unknown = (
            sent + c.sent,
            succeeded + c.succeeded,
            failed + c.failed,
            unknown + c.unknown,
        )
    return Counts(sent, succeeded, failed, unknown)


def _as_date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    return value if isinstance(value, date) else date.fromisoformat(str(value))


async def _names(
    per_channel: list[dict[str, Any]], per_target: list[dict[str, Any]]
) -> tuple[dict[int, str], dict[int, str], dict[int, str]]:
    """Current names of the channels, tasks and templates in the rows (deleted ones have none)."""
    wanted = (
        {r["channel_id"] for r in per_channel if r["channel_id"]},
        {r["task_id"] for r in per_target if r["task_id"]},
        {r["template_id"] for r in per_target if r["template_id"]},
    )
    found = await asyncio.gather(
        *(
            model.filter(id__in=ids).values_list("id", "name") if ids else _empty()
            for model, ids in zip((Channel, Task, Template), wanted, strict=True)
        )
    )
    channels, tasks, templates = ({int(i): str(n) for i, n in rows} for rows in found)
    return channels, tasks, templates


async def _empty() -> list[tuple[int, str]]:
    return []
