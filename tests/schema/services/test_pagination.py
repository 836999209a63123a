"""Opaque cursors: encode/decode roundtrip, and anything else is BadInput on `after`."""

from __future__ import annotations

import base64

import pytest

from schema.errors import BadInput
from schema.services.pagination import decode_cursor, encode_cursor


@pytest.mark.parametrize("row_id", [1, 42, 10**12])
def test_roundtrip(row_id: int) -> None:
    cursor = encode_cursor(row_id)
    assert str(row_id) not in cursor
    assert decode_cursor(cursor) == row_id


def test_distinct_ids_give_distinct_cursors() -> None:
    assert encode_cursor(1) != encode_cursor(2)


@pytest.mark.parametrize(
    "cursor",
    [
        "garbage",
        base64.urlsafe_b64encode(b"x:1").decode(),
        "",
        base64.urlsafe_b64encode(b"c:abc").decode(),
        base64.urlsafe_b64encode(b"\xff\xfe").decode(),
        base64.urlsafe_b64encode(b"c:99999999999999999999999").decode(),
        base64.urlsafe_b64encode(b"c:-5").decode(),
        base64.urlsafe_b64encode("c:\u0663".encode()).decode(),
        base64.urlsafe_b64encode(b"c:1" + b"0" * 5000).decode(),
    ],
    ids=[
        "garbage",
        "wrong-prefix",
        "empty",
        "not-a-number",
        "not-utf8",
        "overflow",
        "negative",
        "non-ascii-digit",
        "huge",
    ],
)
def test_bad_cursor(cursor: str) -> None:
    with pytest.raises(BadInput) as caught:
        decode_cursor(cursor)
    assert caught.value.field == "after"
    assert caught.value.code == "BAD_INPUT"
