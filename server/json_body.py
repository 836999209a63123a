"""Reading JSON from clients (HTTP bodies, WebSocket frames) without letting odd input crash us.

`json.loads` raises `UnicodeDecodeError` on bytes that are not UTF-8 and `RecursionError` on
nesting near Python's recursion limit, and happily returns values nested 900 deep that later
code (coercion, pydantic, `json.dumps` of stored variables) recurses into again. Here all of
these become a `json.JSONDecodeError`, the one failure callers already handle as bad input.
"""

from __future__ import annotations

import json

# Far deeper than any real GraphQL variables or REST body (a channel config nests 3 or 4 levels).
MAX_DEPTH = 32


def read_json(data: str | bytes) -> object:
    """The decoded value; `json.JSONDecodeError` for bad encoding, bad syntax or too much nesting."""
    try:
        text = data.decode("utf-8") if isinstance(data, bytes) else data
    except UnicodeDecodeError as exc:
        raise json.JSONDecodeError("the body is not UTF-8", "", exc.start) from None
    try:
        value = json.loads(text)
    except RecursionError:
        raise json.JSONDecodeError(f"JSON nested more than {MAX_DEPTH} levels deep", "", 0) from None
    # Fewer brackets than the limit cannot nest past it (brackets in strings only make this
    # cautious): most bodies skip the walk over every value.
    if text.count("[") + text.count("{") > MAX_DEPTH and _deeper_than(value, MAX_DEPTH):
        raise json.JSONDecodeError(f"JSON nested more than {MAX_DEPTH} levels deep", "", 0)
    return value


def _deeper_than(value: object, limit: int) -> bool:
    # Iterative, so checking depth cannot itself overflow the stack; scalars are never pushed.
    pending: list[tuple[object, int]] = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else ()
        for child in children:
            if isinstance(child, dict | list):
                if depth + 1 > limit:
                    return True
                pending.append((child, depth + 1))
    return False
