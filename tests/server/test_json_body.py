"""`read_json`: any malformed client JSON is a JSONDecodeError, never another exception."""

from __future__ import annotations

import json

import pytest

from server.json_body import MAX_DEPTH, read_json


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def test_nesting_up_to_the_limit_is_read() -> None:
    assert read_json(nested(MAX_DEPTH)) == json.loads(nested(MAX_DEPTH))
    assert read_json(json.dumps({"a": [{"b": [1]}] * 100})) == {"a": [{"b": [1]}] * 100}


def test_brackets_inside_strings_are_no_nesting() -> None:
    assert read_json(json.dumps({"q": "[{" * 500})) == {"q": "[{" * 500}


@pytest.mark.parametrize(
    "data",
    [
        nested(MAX_DEPTH + 1),
        nested(100_000),
        '{"a":' * 40 + "1" + "}" * 40,
        b'{"a": "\xff"}',
        b"\xfe\xff",
        "{",
        "",
    ],
    ids=["one-too-deep", "deep-100000", "deep-objects", "bad-utf8", "utf16-bom", "truncated", "empty"],
)
def test_malformed_json_is_a_decode_error(data: str | bytes) -> None:
    with pytest.raises(json.JSONDecodeError):
        read_json(data)
