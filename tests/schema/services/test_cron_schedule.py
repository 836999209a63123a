"""Cron schedules: next ticks in the job's time zone (DST included), and what the checks refuse."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta, timezone

import pytest

from schema.errors import BadInput
from schema.services.cron_jobs import CronFields, check_expression, check_payload, check_timezone, next_run
from schema.services.validation import parse


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


def test_every_five_minutes() -> None:
    assert next_run("*/5 * * * *", "UTC", utc(2024, 5, 1, 10, 2, 30)) == utc(2024, 5, 1, 10, 5)
    # Strictly after: a start exactly on a tick gives the following one.
    assert next_run("*/5 * * * *", "UTC", utc(2024, 5, 1, 10, 5)) == utc(2024, 5, 1, 10, 10)


def test_result_is_aware_utc_whatever_the_input_zone() -> None:
    after = datetime(2024, 5, 1, 12, 2, tzinfo=timezone(timedelta(hours=2)))
    tick = next_run("*/5 * * * *", "Asia/Tokyo", after)
    assert tick.tzinfo is UTC
    assert tick == utc(2024, 5, 1, 10, 5)


def test_weekdays_at_nine_in_shanghai_is_one_utc() -> None:
    # Friday 2024-05-03 02:00 UTC is 10:00 in Shanghai: the next weekday 09:00 is Monday's.
    tick = next_run("0 9 * * 1-5", "Asia/Shanghai", utc(2024, 5, 3, 2, 0))
    assert tick == utc(2024, 5, 6, 1, 0)
    assert next_run("0 9 * * 1-5", "Asia/Shanghai", utc(2024, 5, 6, 0, 59)) == utc(2024, 5, 6, 1, 0)


def test_daily_time_follows_berlin_across_spring_forward() -> None:
    # 09:00 CET (UTC+1) on Saturday; on Sunday 31 March 2024 clocks go to CEST (UTC+2).
    saturday = next_run("0 9 * * *", "Europe/Berlin", utc(2024, 3, 30, 0, 0))
    assert saturday == utc(2024, 3, 30, 8, 0)
    sunday = next_run("0 9 * * *", "Europe/Berlin", saturday)
    assert sunday == utc(2024, 3, 31, 7, 0)
    assert sunday - saturday == timedelta(hours=23)


def test_skipped_local_time_runs_after_the_gap() -> None:
    # 02:30 does not exist on 31 March 2024 in Berlin; the job runs when clocks reach 03:00 CEST.
    tick = next_run("30 2 * * *", "Europe/Berlin", utc(2024, 3, 30, 12, 0))
    assert tick == utc(2024, 3, 31, 1, 0)


def test_repeated_local_time_runs_once_when_clocks_go_back() -> None:
    # 02:30 happens twice on 27 October 2024 in Berlin (CEST, then CET): a fixed-time job runs once.
    first = next_run("30 2 * * *", "Europe/Berlin", utc(2024, 10, 26, 12, 0))
    assert first == utc(2024, 10, 27, 0, 30)
    assert next_run("30 2 * * *", "Europe/Berlin", first) == utc(2024, 10, 28, 1, 30)


def test_wildcard_hours_keep_running_through_the_repeated_hour() -> None:
    ticks = [utc(2024, 10, 26, 23, 45)]
    for _ in range(5):
        ticks.append(next_run("*/30 * * * *", "Europe/Berlin", ticks[-1]))
    # Every 30 minutes of real time, through both passes of 02:00-03:00.
    assert ticks[1:] == [utc(2024, 10, 27, 0, 0) + timedelta(minutes=30 * i) for i in range(5)]
    assert all(b - a == timedelta(minutes=30) for a, b in itertools.pairwise(ticks[1:]))


@pytest.mark.parametrize(
    "expression", ["*/5 * * * *", "0 9 * * 1-5", "15 3 1 * *", "0 0 * * sun", " 0  9 * * * "]
)
def test_valid_expressions(expression: str) -> None:
    assert check_expression(expression) == " ".join(expression.split())


@pytest.mark.parametrize(
    "expression",
    [
        "* * * * * *",  # seconds: more often than once a minute
        "0 * * * * * 2030",
        "* * * *",
        "@every 30s",  # more often than once a minute
        "@every",
        "@every 2 hours",
        "@every 2d",  # Go durations have no day unit
        "@fortnightly",
        "@daily 9",
        "61 * * * *",
        "0 25 * * *",
        "0 0 * * 8",
        "a b c d e",
        "H * * * *",
        "0 0 31 2 *",  # never fires
        "",
    ],
)
def test_invalid_expressions_are_refused(expression: str) -> None:
    with pytest.raises(ValueError):
        check_expression(expression)
    fields = {"name": "job", "task_id": 1, "expression": expression}
    with pytest.raises(BadInput) as caught:
        parse(CronFields, fields)
    assert caught.value.field == "expression"


@pytest.mark.parametrize("name", ["UTC", "Europe/Berlin", "Asia/Shanghai", "America/New_York"])
def test_valid_time_zones(name: str) -> None:
    assert check_timezone(name) == name


@pytest.mark.parametrize("name", ["Mars/Olympus", "Europe/Berlinn", "../etc/passwd", "+02:00", "", "x" * 65])
def test_invalid_time_zones_are_refused(name: str) -> None:
    fields = {"name": "job", "task_id": 1, "expression": "* * * * *", "timezone": name}
    with pytest.raises(BadInput) as caught:
        parse(CronFields, fields)
    assert caught.value.field == "timezone"


def test_payload_keys_depend_on_the_mode() -> None:
    assert check_payload({"title": "t", "text": "hello"}, is_task=True) == {"title": "t", "text": "hello"}
    assert check_payload({"variables": {"a": 1}}, is_task=False) == {"variables": {"a": 1}}
    for payload, is_task, field in [
        ({"text": "x", "variables": {}}, True, "payload.variables"),
        ({"variables": {}, "text": "x"}, False, "payload.text"),
        ({"title": "only a title"}, True, "payload"),
        ({"text": "x", "url": "ftp://x"}, True, "payload.url"),
        ({"text": "x" * (70 * 1024)}, True, "payload"),
        (["not", "an", "object"], True, "payload"),
    ]:
        with pytest.raises(BadInput) as caught:
            check_payload(payload, is_task)
        assert caught.value.field == field, (payload, caught.value)


@pytest.mark.parametrize(
    ("expression", "stored"),
    [
        ("@daily", "@daily"),
        ("@HOURLY", "@hourly"),
        ("@weekly", "@weekly"),
        ("@monthly", "@monthly"),
        ("@yearly", "@yearly"),
        ("@annually", "@annually"),
        ("@midnight", "@midnight"),
        ("@every 2h", "@every 2h"),
        (" @every   1h30m ", "@every 1h30m"),
        ("@every 90m", "@every 90m"),
    ],
)
def test_descriptors_as_message_nest_takes_them(expression: str, stored: str) -> None:
    assert check_expression(expression) == stored
    assert parse(CronFields, {"name": "job", "task_id": 1, "expression": expression}).expression == stored


def test_named_descriptors_tick_on_the_job_wall_clock() -> None:
    after = utc(2024, 5, 1, 10, 2)  # 18:02 in Shanghai
    assert next_run("@daily", "Asia/Shanghai", after) == utc(2024, 5, 1, 16, 0)  # midnight there
    assert next_run("@hourly", "UTC", after) == utc(2024, 5, 1, 11, 0)
    assert next_run("@weekly", "UTC", after) == utc(2024, 5, 5)  # Sunday
    assert next_run("@monthly", "UTC", after) == utc(2024, 6, 1)
    assert next_run("@yearly", "UTC", after) == utc(2025, 1, 1)


def test_every_runs_at_an_interval_from_the_previous_run() -> None:
    """robfig's @every: not a clock pattern (2h from 10:02 is 12:02, not 12:00)."""
    assert next_run("@every 2h", "Asia/Shanghai", utc(2024, 5, 1, 10, 2, 30)) == utc(2024, 5, 1, 12, 2, 30)
    assert next_run("@every 1h30m", "UTC", utc(2024, 5, 1, 23, 0)) == utc(2024, 5, 2, 0, 30)
