"""Retry backoff: jittered exponential delays within bounds, and Retry-After parsing."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from email.utils import format_datetime

import pytest

from schema.domain.retry import RetryPolicy, parse_retry_after

NOW = 1_750_000_000.0


def _http_date(epoch: float) -> str:
    return format_datetime(datetime.fromtimestamp(epoch, tz=UTC), usegmt=True)


@pytest.mark.parametrize("attempt", range(1, 12))
def test_delay_stays_within_half_cap_and_cap(attempt: int) -> None:
    policy = RetryPolicy(max_attempts=10, base_seconds=2.0, max_seconds=300.0)
    cap = min(300.0, 2.0 * 2 ** (attempt - 1))
    rng = random.Random(attempt)
    for _ in range(200):
        assert cap / 2 <= policy.delay(attempt, rng) <= cap


def test_delays_grow_until_max_seconds() -> None:
    policy = RetryPolicy(max_attempts=10, base_seconds=1.0, max_seconds=60.0)
    rng = random.Random(7)
    # With base 1 the ranges are [0.5, 1], [1, 2], [2, 4], ...: each starts where the last ended,
    # so any draw sequence is non-decreasing.
    delays = [policy.delay(attempt, rng) for attempt in range(1, 7)]
    assert delays == sorted(delays)
    assert delays[-1] >= 16.0
    late = [policy.delay(50, rng) for _ in range(100)]
    assert all(30.0 <= d <= 60.0 for d in late)


def test_delay_survives_huge_attempt_numbers() -> None:
    policy = RetryPolicy(max_attempts=3, base_seconds=1.0, max_seconds=10.0)
    assert 5.0 <= policy.delay(10_000, random.Random(1)) <= 10.0


def test_delay_is_deterministic_with_seeded_rng() -> None:
    policy = RetryPolicy(max_attempts=3, base_seconds=1.0, max_seconds=10.0)
    assert policy.delay(3, random.Random(42)) == policy.delay(3, random.Random(42))


def test_delay_without_rng_is_in_range() -> None:
    policy = RetryPolicy(max_attempts=3, base_seconds=4.0, max_seconds=10.0)
    assert 2.0 <= policy.delay(1) <= 4.0


def test_exhausted() -> None:
    policy = RetryPolicy(max_attempts=3, base_seconds=1.0, max_seconds=10.0)
    assert [policy.exhausted(n) for n in (1, 2, 3, 4)] == [False, False, True, True]


@pytest.mark.parametrize(("max_attempts", "base", "maximum"), [(0, 1.0, 10.0), (3, 0.0, 10.0), (3, 5.0, 1.0)])
def test_invalid_policy_is_rejected(max_attempts: int, base: float, maximum: float) -> None:
    with pytest.raises(ValueError):
        RetryPolicy(max_attempts=max_attempts, base_seconds=base, max_seconds=maximum)


@pytest.mark.parametrize(
    ("value", "expected"), [("120", 120.0), ("1.5", 1.5), (" 0 ", 0.0), ("999999", 86_400.0)]
)
def test_retry_after_delta_seconds(value: str, expected: float) -> None:
    assert parse_retry_after(value, NOW) == expected


def test_retry_after_http_date_in_future() -> None:
    assert parse_retry_after(_http_date(NOW + 30), NOW) == pytest.approx(30.0)


def test_retry_after_http_date_in_past_is_zero() -> None:
    assert parse_retry_after(_http_date(NOW - 3600), NOW) == 0.0


def test_retry_after_far_future_date_is_capped() -> None:
    assert parse_retry_after(_http_date(NOW + 10 * 86_400), NOW) == 86_400.0


def test_retry_after_minus_zero_zone_is_read_as_utc() -> None:
    value = _http_date(NOW + 60).replace("GMT", "-0000")
    assert parse_retry_after(value, NOW) == pytest.approx(60.0)


@pytest.mark.parametrize("value", [None, "", "   ", "garbage", "-5", "1e3", "nan", "inf", "12 seconds"])
def test_retry_after_rejects_missing_or_garbage(value: str | None) -> None:
    assert parse_retry_after(value, NOW) is None
