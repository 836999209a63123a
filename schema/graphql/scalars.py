"""Scalars PushNest defines differently from Strawberry's defaults.

`DateTime` refuses input without a UTC offset: "2030-01-01T09:00:00" is a different moment in
every time zone, and taking it as UTC (or as the server's zone) would schedule a send hours off
without a word. Such a value, or one that is not ISO 8601 at all, is `BAD_INPUT`. Output is
unchanged: ISO 8601 with the offset (always UTC here).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry
from strawberry.types.scalar import ScalarDefinition

from schema.errors import BadInput

_EXAMPLE = "2030-01-01T09:00:00Z or 2030-01-01T17:00:00+08:00"


def parse_datetime(value: object) -> datetime:
    """An aware datetime from an ISO 8601 string with a UTC offset."""
    if not isinstance(value, str):
        raise BadInput(f"a DateTime is an ISO 8601 string such as {_EXAMPLE}")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise BadInput(f"not an ISO 8601 date and time: {value[:40]!r} (e.g. {_EXAMPLE})") from None
    if moment.utcoffset() is None:
        raise BadInput(f"a DateTime needs a UTC offset, e.g. {_EXAMPLE}")
    return moment


def _serialize(value: Any) -> str:
    return str(value.isoformat())


DATETIME: ScalarDefinition = strawberry.scalar(
    name="DateTime",
    description="Date and time, ISO 8601 with a UTC offset (input without an offset is refused).",
    serialize=_serialize,
    parse_value=parse_datetime,
)
SCALARS: dict[object, ScalarDefinition] = {datetime: DATETIME}
