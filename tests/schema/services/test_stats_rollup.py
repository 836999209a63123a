"""Rollup arithmetic: buckets, percentiles from buckets, counter increments, the zero-filled trend."""

from __future__ import annotations

from datetime import date

import pytest

from schema.models.stats import ALL, LATENCY_BOUNDS_MS, LATENCY_COLUMNS
from schema.services.stats import (
    ChannelStat,
    Counts,
    FinalOutcome,
    LatencyRange,
    bucket_of,
    latency,
    percentile,
    rollup,
    trend,
)

DAY = date(2024, 3, 1)


@pytest.mark.parametrize(
    ("ms", "bucket"), [(0, 0), (50, 0), (51, 1), (100, 1), (999, 4), (30000, 8), (30001, 9), (10**7, 9)]
)
def test_bucket_of(ms: int, bucket: int) -> None:
    assert bucket_of(ms) == bucket


def test_there_is_one_column_per_bucket() -> None:
    assert len(LATENCY_COLUMNS) == len(LATENCY_BOUNDS_MS) + 1


def buckets(**counts: int) -> list[int]:
    row = [0] * len(LATENCY_COLUMNS)
    for name, n in counts.items():
        row[LATENCY_COLUMNS.index(name)] = n
    return row


def test_percentiles_are_the_buckets_they_fall_in() -> None:
    # 100 samples: 50 at <=50 ms, 40 in (50, 100], 10 in (100, 200].
    b = buckets(lat_50=50, lat_100=40, lat_200=10)
    assert percentile(b, 0.50) == LatencyRange(0, 50)
    assert percentile(b, 0.80) == LatencyRange(50, 100)
    assert percentile(b, 0.95) == LatencyRange(100, 200)
    assert percentile(b, 0.99) == LatencyRange(100, 200)


def test_percentile_of_a_single_bucket_and_of_nothing() -> None:
    assert percentile(buckets(lat_500=4), 0.5) == LatencyRange(200, 500)
    assert percentile(buckets(), 0.5) is None
    assert percentile(buckets(lat_inf=3), 0.99) == LatencyRange(30000, None)  # open bucket


def test_skips_empty_buckets() -> None:
    b = buckets(lat_50=1, lat_5000=1)
    assert percentile(b, 0.5) == LatencyRange(0, 50)
    assert percentile(b, 0.99) == LatencyRange(2000, 5000)


def outcome(status: str, latency_ms: int | None = None, **kw: object) -> FinalOutcome:
    base: dict[str, object] = {
        "day": DAY,
        "owner_id": 1,
        "channel_type": "webhook",
        "channel_id": 7,
        "task_id": 3,
        "template_id": None,
    }
    return FinalOutcome(status=status, latency_ms=latency_ms, **(base | kw))  # type: ignore[arg-type]


def test_rollup_counts_per_key_and_errors() -> None:
    stats, errors = rollup(
        [
            outcome("succeeded", 40),
            outcome("succeeded", 120),
            outcome("failed", 300, error_class="permanent", error="HTTP 400 " + "x" * 300),
            outcome("unknown", 40000, error_class="unknown", error="no answer in time"),
            outcome("succeeded", 10, channel_id=None, task_id=None, template_id=9),
        ]
    )
    channel, target = (DAY, 1, "webhook", 7, ALL, ALL), (DAY, 1, "", ALL, 3, 0)
    for key in (channel, target):
        assert stats[key][:4] == [4, 2, 1, 1]
        assert stats[key][4:] == buckets(lat_50=1, lat_200=1, lat_500=1, lat_inf=1)
    # The template send: None is stored as 0; it also counts on its channel row (channel 0: none).
    assert stats[(DAY, 1, "", ALL, 0, 9)][:4] == [1, 1, 0, 0]
    assert stats[(DAY, 1, "webhook", 0, ALL, ALL)][:4] == [1, 1, 0, 0]
    assert len(stats) == 4
    assert errors == {
        (DAY, 1, "permanent", "HTTP 400 " + "x" * 191): 1,
        (DAY, 1, "unknown", "no answer in time"): 1,
    }


def test_failure_without_latency_counts_but_has_no_sample() -> None:
    stats, _ = rollup([outcome("failed", None, error_class="permanent", error="channel deleted")])
    assert len(stats) == 2  # its channel's row and its task's row
    for row in stats.values():
        assert row[:4] == [1, 0, 1, 0] and sum(row[4:]) == 0


def test_trend_is_zero_filled_one_row_per_day() -> None:
    rows = trend(date(2024, 2, 28), 4, {date(2024, 3, 1): Counts(5, 4, 1, 0)})
    assert [r.day for r in rows] == [date(2024, 2, 28), date(2024, 2, 29), date(2024, 3, 1), date(2024, 3, 2)]
    assert [r.counts.sent for r in rows] == [0, 0, 5, 0]
    assert rows[2].counts.success_rate == 0.8 and rows[0].counts.success_rate is None


def test_latency_of_a_channel() -> None:
    channel = ChannelStat("webhook", 7, "hook", Counts(4, 4, 0, 0), tuple(buckets(lat_100=4)))
    assert latency(channel) == (4, *[LatencyRange(50, 100)] * 3)
