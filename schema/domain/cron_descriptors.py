"""Cron descriptors, as robfig/cron (Message Nest's scheduler) reads them: `@daily`, `@hourly`… and
`@every <duration>`.

A named descriptor is a 5-field expression under another name. `@every 2h` is not: it runs at a
fixed interval from the previous run (robfig counts from when the job was added or last ran),
so it is kept as an interval, not rounded to a clock pattern like `0 */2 * * *`.
"""

from __future__ import annotations

import re
from datetime import timedelta

NAMED = {
    "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
    "@monthly": "0 0 1 * *",
    "@weekly": "0 0 * * 0",
    "@daily": "0 0 * * *",
    "@midnight": "0 0 * * *",
    "@hourly": "0 * * * *",
}
EVERY = "@every"
MIN_INTERVAL = timedelta(minutes=1)
MAX_INTERVAL = timedelta(days=366)
# Go's time.ParseDuration units that make sense for a schedule; "1h30m", "90m", "1.5h".
_PART = re.compile(r"(\d+(?:\.\d+)?)(h|m|s)")
_UNIT = {"h": 3600.0, "m": 60.0, "s": 1.0}


def is_descriptor(expression: str) -> bool:
    return expression.strip().startswith("@")


def normalize(expression: str) -> str:
    """The descriptor as stored: lower case, one space after `@every`; ValueError if unknown."""
    head, _, rest = expression.strip().partition(" ")
    head = head.lower()
    if head in NAMED and not rest.strip():
        return head
    if head == EVERY:
        interval(f"{EVERY} {rest.strip()}")
        return f"{EVERY} {rest.strip().lower()}"
    known = ", ".join([*NAMED, "@every <duration>"])
    raise ValueError(f"unknown descriptor {expression.strip()!r}; use one of {known}")


def interval(expression: str) -> timedelta:
    """The interval of an `@every` descriptor (1 minute to 366 days); ValueError otherwise."""
    head, _, duration = expression.strip().partition(" ")
    duration = duration.strip().lower()
    if head.lower() != EVERY or not duration:
        raise ValueError("give @every with a duration such as 2h, 30m or 1h30m")
    parts = _PART.findall(duration)
    if not parts or "".join(number + unit for number, unit in parts) != duration:
        raise ValueError(f"not a duration: {duration!r}; use h, m and s, e.g. 2h, 30m or 1h30m")
    seconds = sum(float(number) * _UNIT[unit] for number, unit in parts)
    every = timedelta(seconds=seconds)
    if not MIN_INTERVAL <= every <= MAX_INTERVAL:
        raise ValueError("an @every interval must be between 1 minute and 366 days")
    return every


def fields_of(expression: str) -> str | None:
    """The 5-field expression a named descriptor stands for (None for `@every`, which has none)."""
    return NAMED.get(expression.strip().lower())
