"""Keyset pagination over ids, newest first, with opaque cursors."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from tortoise.queryset import QuerySet

from schema.errors import BadInput

T = TypeVar("T")
DEFAULT_PAGE = 20
MAX_PAGE = 100
_PREFIX = "c:"
# Ids are BIGINTs; 18 digits always fit, so a forged cursor cannot overflow the driver.
_MAX_ID_DIGITS = 18
_MAX_CURSOR_CHARS = 64


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    cursors: list[str]
    has_next_page: bool
    total_count: int

    @property
    def end_cursor(self) -> str | None:
        return self.cursors[-1] if self.cursors else None


def encode_cursor(row_id: int) -> str:
    return base64.urlsafe_b64encode(f"{_PREFIX}{row_id}".encode()).decode()


def decode_cursor(cursor: str) -> int:
    """The row id in a cursor; anything else (including ids no column can hold) is BAD_INPUT."""
    if len(cursor) <= _MAX_CURSOR_CHARS:
        try:
            raw = base64.urlsafe_b64decode(cursor.encode()).decode()
        except (binascii.Error, UnicodeDecodeError, ValueError):
            raw = ""
        digits = raw.removeprefix(_PREFIX)
        if (
            raw.startswith(_PREFIX)
            and digits.isascii()
            and digits.isdigit()
            and len(digits) <= _MAX_ID_DIGITS
        ):
            return int(digits)
    raise BadInput("not a cursor this API gave out", field="after")


async def paginate(
    query: QuerySet[Any], first: int | None, after: str | None, count: bool = True
) -> Page[Any]:
    """One page of `query`, newest first. `total_count` counts the whole filtered query; without
    `count` (nobody asked for it) it is not counted and stays 0."""
    size = DEFAULT_PAGE if first is None else first
    if not 0 < size <= MAX_PAGE:
        raise BadInput(f"first must be between 1 and {MAX_PAGE}", field="first")
    total = await query.count() if count else 0
    if after is not None:
        query = query.filter(id__lt=decode_cursor(after))
    rows = list(await query.order_by("-id").limit(size + 1))
    items = rows[:size]
    return Page(
        items=items,
        cursors=[encode_cursor(row.id) for row in items],
        has_next_page=len(rows) > size,
        total_count=total,
    )
