"""DingTalk "加签" against the worked examples of vendors.md §1.3, for the channel and the fake alike."""

from __future__ import annotations

from urllib.parse import quote, quote_plus

import httpx
import pytest

from schema.channels import dingtalk
from schema.channels.masking import scrub
from tests.fakes import dingtalk as fake

TIMESTAMP = 1577262236757
# (secret, Base64 sign, URL-encoded sign) — vendors.md §1.3 [exp]
EXAMPLES = [
    (
        "this is secret",
        "hmPWwU+7lVdm3ZZz0r9tSfx0L4Q26jWOZr9+Gs6EZQM=",
        "hmPWwU%2B7lVdm3ZZz0r9tSfx0L4Q26jWOZr9%2BGs6EZQM%3D",
    ),
    (
        "SECtestsecret0123456789abcdef",
        "7offofx7CyYUSX6gJk/e0oRcRyS8tF8x88D6E+pQeNA=",
        "7offofx7CyYUSX6gJk%2Fe0oRcRyS8tF8x88D6E%2BpQeNA%3D",
    ),
]
CASES = pytest.mark.parametrize(("secret", "b64", "encoded"), EXAMPLES, ids=["doc-secret", "SEC-secret"])


@CASES
def test_the_channel_signs_like_the_worked_example(secret: str, b64: str, encoded: str) -> None:
    assert dingtalk.sign(secret, TIMESTAMP) == b64
    assert quote_plus(b64) == encoded


@CASES
def test_the_fake_signs_like_the_worked_example(secret: str, b64: str, encoded: str) -> None:
    assert fake.sign(secret, str(TIMESTAMP)) == b64


@CASES
def test_the_request_url_carries_the_sign_encoded_exactly_once(secret: str, b64: str, encoded: str) -> None:
    config = dingtalk.Config(access_token="tok", secret=secret)
    request = httpx.Request(
        "POST", "https://oapi.dingtalk.com/robot/send", params=dingtalk.query(config, TIMESTAMP)
    )
    raw = request.url.query.decode()
    assert raw == f"access_token=tok&timestamp={TIMESTAMP}&sign={encoded}"
    assert fake.verify(secret, raw, TIMESTAMP + 1000) is None


@CASES
def test_the_fake_refuses_what_dingtalk_refuses(secret: str, b64: str, encoded: str) -> None:
    good = f"access_token=tok&timestamp={TIMESTAMP}&sign={encoded}"
    assert fake.verify(secret, good, TIMESTAMP) is None
    # A raw "+" is decoded as a space: the classic intermittent "sign not match".
    assert (
        fake.verify(secret, f"access_token=tok&timestamp={TIMESTAMP}&sign={b64}", TIMESTAMP)
        == "sign not match"
    )
    # Encoded twice: %2B arrives as the literal "%2B".
    twice = quote(encoded, safe="")
    assert (
        fake.verify(secret, f"access_token=tok&timestamp={TIMESTAMP}&sign={twice}", TIMESTAMP)
        == "sign not match"
    )
    assert fake.verify("SECother", good, TIMESTAMP) == "sign not match"
    # More than an hour apart, or seconds instead of milliseconds.
    assert fake.verify(secret, good, TIMESTAMP + 3_600_001) == "invalid timestamp"
    seconds = f"access_token=tok&timestamp={TIMESTAMP // 1000}&sign={encoded}"
    assert fake.verify(secret, seconds, TIMESTAMP) == "invalid timestamp"


def test_an_unsigned_robot_sends_only_its_token() -> None:
    assert dingtalk.query(dingtalk.Config(access_token="tok"), TIMESTAMP) == {"access_token": "tok"}


def test_secrets_are_masked_raw_and_encoded() -> None:
    b64 = EXAMPLES[0][1]
    text = f"sign={b64} or {quote_plus(b64)} or {quote(b64, safe='/')} access_token=T0K42"
    # The one masking helper, as every channel uses it.
    assert scrub(text, ["T0K42", b64]) == "sign=******** or ******** or ******** access_token=********"
