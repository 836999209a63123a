"""Email message building and SMTP reply classes; WeChat errcode classes and quota reset time."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from aiosmtplib.email import flatten_message

from schema.channels import email, wechat_oa
from schema.channels.base import ChannelError, ErrorClass, Format, Mentions, Outgoing

CONFIG = email.Config(host="smtp.example.com", from_address="noreply@example.com", from_name="通知系统")


def outgoing(**extra: Any) -> Outgoing:
    fields: dict[str, Any] = {
        "message_id": 7,
        "delivery_id": 9,
        "attempt": 1,
        "title": "【告警】服务器 CPU 使用率过高",
        "body": "<p>97%</p>",
        "format": Format.HTML,
        "text": "97%",
        "url": "",
        "receivers": (),
        "mentions": Mentions(),
        "options": {"to": ["a@example.com"], "cc": ["c@example.com"], "bcc": ["hidden@example.com"]},
        "idempotency_key": "pn-d9",
        "trace_id": "trace-1",
    }
    return Outgoing(**(fields | extra))


def test_recipients_and_headers() -> None:
    message, rcpts = email.build_message(outgoing(), CONFIG)
    assert rcpts == ["a@example.com", "c@example.com", "hidden@example.com"]
    assert message["To"] == "a@example.com" and message["Cc"] == "c@example.com"
    assert message["Bcc"] is None and b"hidden@" not in flatten_message(message)


def test_per_call_receivers_never_share_a_to() -> None:
    """One mail each (a delivery per receiver), or one mail with every receiver in Bcc."""
    options = {"to": ["a@example.com"], "cc": ["c@example.com"]}
    assert email.receivers_per_send(options) == 1
    message, rcpts = email.build_message(outgoing(options=options, receivers=("r@example.com",)), CONFIG)
    assert (message["To"], message["Cc"], rcpts) == ("r@example.com", None, ["r@example.com"])

    bcc = options | {"receivers_as": "bcc"}
    assert email.receivers_per_send(bcc) == email.BCC_RECEIVERS_PER_SEND
    message, rcpts = email.build_message(
        outgoing(options=bcc, receivers=("r@example.com", "s@example.com")), CONFIG
    )
    assert message["To"] == "undisclosed-recipients:;" and message["Cc"] is None
    assert rcpts == ["r@example.com", "s@example.com"] and b"r@example.com" not in flatten_message(message)


def test_non_ascii_headers_are_rfc2047_encoded() -> None:
    flat = flatten_message(email.build_message(outgoing(), CONFIG)[0], cte_type="7bit")
    headers = flat.split(b"\r\n\r\n", 1)[0].decode("ascii")
    # vendors.md §4.2, verified output for this subject
    assert "Subject: =?utf-8?b?44CQ5ZGK6K2m44CR5pyN5Yqh5ZmoIENQVSDkvb/nlKjnjofov4fpq5g=?=" in headers
    assert "From: =?utf-8?b?6YCa55+l57O757uf?= <noreply@example.com>" in headers


def test_html_has_a_text_alternative_and_text_is_single_part() -> None:
    html_message, _ = email.build_message(outgoing(), CONFIG)
    assert [p.get_content_type() for p in html_message.iter_parts()] == ["text/plain", "text/html"]
    text_message, _ = email.build_message(outgoing(format=Format.TEXT, body="97%"), CONFIG)
    assert text_message.get_content_type() == "text/plain" and not text_message.is_multipart()


def test_message_id_is_stable_across_attempts_and_differs_between_deliveries() -> None:
    first = email.message_id(outgoing(), CONFIG.from_address)
    assert first == email.message_id(outgoing(attempt=3), CONFIG.from_address)
    assert first.startswith("<pn-d9.") and first.endswith("@example.com>")
    assert first != email.message_id(outgoing(idempotency_key="pn-d10"), CONFIG.from_address)


def test_no_recipient_is_permanent() -> None:
    with pytest.raises(ChannelError) as caught:
        email.build_message(outgoing(options={}), CONFIG)
    assert caught.value.error_class is ErrorClass.PERMANENT


@pytest.mark.parametrize(
    ("code", "text", "expected"),
    [
        (421, "4.7.0 Too many connections", ErrorClass.RATE_LIMITED),
        (451, "4.7.1 Rate limit exceeded", ErrorClass.RATE_LIMITED),
        (450, "4.2.1 Mailbox busy", ErrorClass.RETRYABLE),
        (454, "4.7.0 TLS not available", ErrorClass.RETRYABLE),
        (530, "5.7.0 Must issue a STARTTLS command first", ErrorClass.PERMANENT),
        (535, "5.7.8 Authentication credentials invalid", ErrorClass.PERMANENT),
        (550, "5.1.1 User unknown", ErrorClass.PERMANENT),
        (554, "5.7.1 Rejected as spam", ErrorClass.PERMANENT),
    ],
)
def test_smtp_reply_classes(code: int, text: str, expected: ErrorClass) -> None:
    error = email.classify_reply(code, text, "DATA")
    assert error.error_class is expected and str(code) in error.vendor_response


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        (-1, ErrorClass.RETRYABLE),
        (40001, ErrorClass.TOKEN_EXPIRED),
        (42001, ErrorClass.TOKEN_EXPIRED),
        (45009, ErrorClass.RATE_LIMITED),
        (43004, ErrorClass.PERMANENT),
        (40003, ErrorClass.PERMANENT),
        (-41000, ErrorClass.PERMANENT),
        (40037, ErrorClass.PERMANENT),
        (47003, ErrorClass.PERMANENT),
    ],
)
def test_wechat_errcode_classes(code: int, expected: ErrorClass) -> None:
    assert wechat_oa._classify(code, "{}").error_class is expected


def test_wechat_quota_waits_until_midnight_in_china() -> None:
    # 15:00 UTC = 23:00 in Beijing: one hour to the reset.
    assert wechat_oa._until_quota_reset(datetime(2026, 3, 1, 15, 0, tzinfo=UTC)) == 3600
    assert (
        wechat_oa._until_quota_reset(datetime(2026, 3, 1, 15, 59, 30, tzinfo=UTC)) == 60
    )  # at least a minute


def test_receivers_that_are_not_addresses_are_skipped_and_header_breaks_removed() -> None:
    out = outgoing(
        receivers=("r@example.com", "not an address", "x@y\nBcc: evil@example.com"), title="a\r\nb"
    )
    assert email.valid_receivers(out) == (["r@example.com"], ["not an address", "x@y\nBcc: evil@example.com"])
    message, rcpts = email.build_message(out, CONFIG)
    assert "evil@example.com" not in rcpts and message["Subject"] == "a b"
    with pytest.raises(ChannelError) as caught:
        email.build_message(outgoing(options={}, receivers=("nope",)), CONFIG)
    assert caught.value.error_class is ErrorClass.PERMANENT
