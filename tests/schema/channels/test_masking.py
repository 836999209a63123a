"""The one masking module: known secret values (`scrub`) and credentials a URL carries (`redact`)."""

from __future__ import annotations

import pytest

from schema.channels.masking import redact, scrub

CASES = [
    # query parameters that name a credential
    (
        "GET https://qyapi.weixin.qq.com/cgi-bin/gettoken?corpid=ww1&corpsecret=S3cr3t",
        "corpid=ww1&corpsecret=********",
    ),
    (
        "https://api.weixin.qq.com/cgi-bin/token?grant_type=client_credential&appid=wx1&secret=abc",
        "appid=wx1&secret=********",
    ),
    (
        "https://oapi.dingtalk.com/robot/send?access_token=tok&timestamp=1&sign=c2ln%3D",
        "access_token=********&timestamp=1&sign=********",
    ),
    ("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx", "send?key=********"),
    ('"GET /api/send?key=pn_abc&title=t HTTP/1.1" 200', "/api/send?key=********&title=t HTTP/1.1"),
    (
        "https://h/x?appsecret=1&Password=2&X-Api-Key=3&auth_token=4",
        "appsecret=********&Password=********&X-Api-Key=********&auth_token=********",
    ),
    # token path segments
    ("https://api.telegram.org/bot123456:AA-bb_cc/sendMessage", "/bot123456:********/sendMessage"),
    ("https://open.feishu.cn/open-apis/bot/v2/hook/0f0e-hook-token", "/open-apis/bot/v2/hook/********"),
    ("https://hooks.slack.com/services/T000/B000/XXXX", "/services/********"),
    ("https://discord.com/api/webhooks/123/tok-en?wait=true", "/api/webhooks/123/********?wait=true"),
    # URL passwords
    ("mysql://pushnest:hunter2@db:3306/pushnest", "mysql://pushnest:********@db:3306/pushnest"),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_redact_masks_what_urls_say_is_a_credential(text: str, expected: str) -> None:
    assert expected in redact(text)


def test_redact_leaves_other_text_alone() -> None:
    for text in ("delivery 42 succeeded", "POST https://ntfy.sh/alerts 200", "a=1&b=2", "ratio 3/4"):
        assert redact(text) == text


def test_scrub_masks_every_encoded_form() -> None:
    secret = "a/b c+d:e"
    text = f"{secret} a%2Fb%20c%2Bd%3Ae a%2Fb+c%2Bd%3Ae"
    assert scrub(text, [secret]) == "******** ******** ********"
