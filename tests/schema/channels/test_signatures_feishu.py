"""Feishu signing and message bodies, checked on both sides: the channel and the fake vendor."""

from __future__ import annotations

import base64
import hashlib
import hmac
from typing import Any

import pytest

from schema.channels import feishu
from schema.channels.base import Format, Mentions, Outgoing
from tests.fakes.feishu import checked_texts, expected_sign, shape_ok, verify_sign

# vendors.md §6.3: the official Java sample's inputs; the DingTalk-style result is the classic mistake.
SECRET, TIMESTAMP = "demo", 1599360473
SIGN = "l1N0gAcBjdwBvGm1xMjOF0XSyaLRpR7tuO5dHfhAYc8="
DINGTALK_STYLE = "DkEDUyVoOOJ539qBvUgMyzkzIdRWlf4e/V3Rq+ONJnQ="


def outgoing(fmt: Format = Format.TEXT, title: str = "", **extra: Any) -> Outgoing:
    fields: dict[str, Any] = {
        "message_id": 1,
        "delivery_id": 2,
        "attempt": 1,
        "title": title,
        "body": "**hi**" if fmt is Format.MARKDOWN else "hi",
        "format": fmt,
        "text": "hi",
        "url": "",
        "receivers": (),
        "mentions": Mentions(),
        "options": {},
        "idempotency_key": "pn-d2",
    }
    return Outgoing(**(fields | extra))


def test_channel_signs_the_worked_example() -> None:
    assert feishu.sign(SECRET, TIMESTAMP) == SIGN


def test_fake_computes_the_same_signature() -> None:
    assert expected_sign(SECRET, str(TIMESTAMP)) == SIGN


def test_dingtalk_style_signature_differs_and_is_refused() -> None:
    key, message = SECRET.encode(), f"{TIMESTAMP}\n{SECRET}".encode()
    assert base64.b64encode(hmac.new(key, message, hashlib.sha256).digest()).decode() == DINGTALK_STYLE
    body = {"timestamp": str(TIMESTAMP), "sign": DINGTALK_STYLE}
    assert not verify_sign(SECRET, body, now=TIMESTAMP)


@pytest.mark.parametrize(
    ("skew", "ok"), [(0, True), (3599, True), (-3599, True), (3601, False), (-3601, False)]
)
def test_fake_accepts_timestamps_within_one_hour(skew: int, ok: bool) -> None:
    assert verify_sign(SECRET, {"timestamp": str(TIMESTAMP), "sign": SIGN}, now=TIMESTAMP + skew) is ok


def test_signed_body_carries_timestamp_as_a_string_and_verifies() -> None:
    config = feishu.Config(token="t", secret=SECRET)
    body = feishu.build_body(outgoing(), config, now=TIMESTAMP)
    assert body["timestamp"] == str(TIMESTAMP) and body["sign"] == SIGN
    assert verify_sign(SECRET, body, now=TIMESTAMP + 10)


def test_unsigned_body_has_no_signature_fields() -> None:
    body = feishu.build_body(outgoing(), feishu.Config(token="t"))
    assert "timestamp" not in body and "sign" not in body


@pytest.mark.parametrize(
    ("fmt", "title", "chosen", "expected"),
    [
        (Format.MARKDOWN, "T", "auto", "interactive"),
        (Format.MARKDOWN, "", "auto", "interactive"),
        (Format.TEXT, "T", "auto", "post"),
        (Format.TEXT, "", "auto", "text"),
        (Format.MARKDOWN, "T", "text", "text"),
        (Format.TEXT, "", "interactive", "interactive"),
        (Format.TEXT, "", "post", "post"),
    ],
)
def test_message_type_rules_and_shapes(fmt: Format, title: str, chosen: str, expected: str) -> None:
    mentions = Mentions(user_ids=("ou_1",), all=True)
    out = outgoing(fmt, title, options={"msg_type": chosen}, url="https://example.com/x", mentions=mentions)
    body = feishu.build_body(out, feishu.Config(token="t"))
    assert body["msg_type"] == expected
    assert shape_ok(body)


@pytest.mark.parametrize("chosen", ["text", "post", "interactive"])
def test_keyword_is_added_once_and_never_only_in_a_link(chosen: str) -> None:
    config = feishu.Config(token="t", keyword="告警")
    missing = feishu.build_body(
        outgoing(options={"msg_type": chosen}, url="https://example.com/告警"), config
    )
    assert any("告警" in t for t in checked_texts(missing))
    present = feishu.build_body(
        outgoing(text="CPU 告警", body="CPU 告警", options={"msg_type": chosen}), config
    )
    assert sum(t.count("告警") for t in checked_texts(present)) == 1


def test_keyword_in_the_title_is_enough_for_post_and_card() -> None:
    config = feishu.Config(token="t", keyword="告警")
    for chosen in ("post", "interactive"):
        body = feishu.build_body(outgoing(title="告警", options={"msg_type": chosen}), config)
        assert sum(t.count("告警") for t in checked_texts(body)) == 1
