"""DingTalk, WeCom robot and WeCom app: message shapes and answer classification, without I/O."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from schema.channels import dingtalk, wecom_app, wecom_robot
from schema.channels.base import ChannelError, ErrorClass, Format, Mentions, Outgoing


def outgoing(
    body: str = "disk full",
    fmt: Format = Format.TEXT,
    title: str = "",
    url: str = "",
    mentions: Mentions = Mentions(),
    receivers: tuple[str, ...] = (),
    **options: Any,
) -> Outgoing:
    return Outgoing(
        message_id=1,
        delivery_id=2,
        attempt=1,
        title=title,
        body=body,
        format=fmt,
        text=body.replace("**", ""),
        url=url,
        receivers=receivers,
        mentions=mentions,
        options=options,
        idempotency_key="pn-d2",
    )


DING = dingtalk.Config(access_token="tok")
MD = "**disk** full"


@pytest.mark.parametrize(
    ("message", "msgtype"),
    [
        (outgoing(), "text"),
        (outgoing(MD, Format.MARKDOWN), "markdown"),
        (outgoing(MD, Format.MARKDOWN, msgtype="text"), "text"),
        (outgoing(MD, Format.MARKDOWN, url="https://x.test"), "actionCard"),
        (outgoing(url="https://x.test"), "link"),
        (
            outgoing(MD, Format.MARKDOWN, url="https://x.test", mentions=Mentions(mobiles=("138",))),
            "markdown",
        ),
        (outgoing(url="https://x.test", msgtype="text"), "text"),
    ],
)
def test_dingtalk_picks_the_msgtype(message: Outgoing, msgtype: str) -> None:
    body = dingtalk.payload(message, DING)
    assert body["msgtype"] == msgtype and msgtype in body and body["msgUuid"] == "pn-d2"
    assert ("at" in body) == (msgtype in ("text", "markdown"))
    if message.url:
        assert message.url in json.dumps(body)


def test_dingtalk_writes_mentions_into_the_text_and_adds_the_keyword_once() -> None:
    mentions = Mentions(mobiles=("13800000000",), user_ids=("manager7675",), all=True)
    body = dingtalk.payload(
        outgoing("告警 @13800000000 disk", mentions=mentions),
        dingtalk.Config(access_token="tok", keyword="告警"),
    )
    assert body["text"]["content"] == "告警 @13800000000 disk\n@manager7675"
    assert body["at"] == {"atMobiles": ["13800000000"], "atUserIds": ["manager7675"], "isAtAll": True}
    body = dingtalk.payload(
        outgoing("disk", Format.MARKDOWN), dingtalk.Config(access_token="t", keyword="告警")
    )
    assert body["markdown"] == {"title": "disk", "text": "disk\n\n告警"}


def test_dingtalk_leaves_the_keyword_out_when_the_binding_says_so() -> None:
    """Message Nest used the keyword only for its test button: its imported bindings turn it off."""
    config = dingtalk.Config(access_token="t", keyword="告警")
    body = dingtalk.payload(outgoing("disk", append_keyword=False), config)
    assert body["text"]["content"] == "disk"
    assert dingtalk.BindingOptions.model_validate({"append_keyword": False}).append_keyword is False


def response(
    payload: dict[str, Any], status: int = 200, headers: dict[str, str] | None = None
) -> httpx.Response:
    return httpx.Response(status, json=payload, headers=headers)


@pytest.mark.parametrize(
    ("answer", "error_class", "wait"),
    [
        (response({"errcode": -1, "errmsg": "系统繁忙"}), ErrorClass.RETRYABLE, None),
        (response({"errcode": 410100, "errmsg": "too fast"}), ErrorClass.RATE_LIMITED, 600.0),
        (
            response({"errcode": 410100, "errmsg": "too fast"}, headers={"Retry-After": "2"}),
            ErrorClass.RATE_LIMITED,
            2.0,
        ),
        (response({"errcode": 130101, "errmsg": "send too fast"}), ErrorClass.RATE_LIMITED, 600.0),
        (response({"errcode": 310000, "errmsg": "sign not match, more: [x]"}), ErrorClass.PERMANENT, None),
        (response({"errcode": 310000, "errmsg": "invalid timestamp"}), ErrorClass.RETRYABLE, None),
        (response({"errcode": 310000, "errmsg": "keywords not in content"}), ErrorClass.PERMANENT, None),
        (response({"errcode": 400102, "errmsg": "机器人已停用"}), ErrorClass.PERMANENT, None),
        (response({"errcode": 460101, "errmsg": "message too long"}), ErrorClass.PERMANENT, None),
        (response({}, status=502), ErrorClass.RETRYABLE, None),
        (response({}, status=404), ErrorClass.PERMANENT, None),
        (httpx.Response(200, text="<html>"), ErrorClass.RETRYABLE, None),
    ],
)
def test_dingtalk_classifies_answers(
    answer: httpx.Response, error_class: ErrorClass, wait: float | None
) -> None:
    with pytest.raises(ChannelError) as caught:
        dingtalk.classify(answer, ["tok"])
    assert caught.value.error_class is error_class and caught.value.wait_seconds == wait


def test_dingtalk_success_is_errcode_zero() -> None:
    assert dingtalk.classify(response({"errcode": 0, "errmsg": "ok"}), ["tok"]).vendor_response.startswith(
        "HTTP 200"
    )


@pytest.mark.parametrize(
    ("message", "msgtype", "part"),
    [
        (outgoing(title="Disk"), "text", {"content": "Disk\ndisk full"}),
        (outgoing(MD, Format.MARKDOWN), "markdown", {"content": MD}),
        (
            outgoing(MD, Format.MARKDOWN, mentions=Mentions(user_ids=("wangqing",))),
            "markdown",
            {"content": f"{MD}\n\n<@wangqing>"},
        ),
        (
            outgoing(MD, Format.MARKDOWN, mentions=Mentions(mobiles=("138",), user_ids=("wq",), all=True)),
            "text",
            {"content": "disk full", "mentioned_list": ["wq", "@all"], "mentioned_mobile_list": ["138"]},
        ),
        (
            outgoing(MD, Format.MARKDOWN, mentions=Mentions(user_ids=("wq",)), msgtype="markdown_v2"),
            "markdown_v2",
            {"content": MD},
        ),
    ],
)
def test_wecom_robot_shapes(message: Outgoing, msgtype: str, part: dict[str, Any]) -> None:
    assert wecom_robot.payload(message) == {"msgtype": msgtype, msgtype: part}


def test_wecom_robot_refuses_too_long_text_in_bytes() -> None:
    with pytest.raises(ChannelError, match="too long") as caught:
        wecom_robot.payload(outgoing("磁" * 683))  # 2049 bytes
    assert caught.value.error_class is ErrorClass.PERMANENT
    assert wecom_robot.payload(outgoing("磁" * 682))["text"]["content"] == "磁" * 682


def test_wecom_robot_accepts_a_pasted_webhook_url() -> None:
    url = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx"
    assert wecom_robot.webhook_key(url) == "693a91f6-7xxx" == wecom_robot.webhook_key("693a91f6-7xxx")


APP = wecom_app.Config(corp_id="ww1", corp_secret="s3cret", agent_id=1000002)


def test_wecom_app_addresses_receivers_before_binding_users() -> None:
    body = wecom_app.payload(outgoing(receivers=("a", "b"), touser=["c"], toparty=["1", "2"]), APP)
    assert body["touser"] == "a|b" and body["toparty"] == "1|2" and "totag" not in body
    assert body["agentid"] == 1000002 and body["msgtype"] == "text"
    assert wecom_app.payload(outgoing(touser=["@all"]), APP)["touser"] == "@all"
    with pytest.raises(ChannelError, match="no recipients"):
        wecom_app.payload(outgoing(), APP)


def test_wecom_app_token_ttl_refreshes_early() -> None:
    assert wecom_app.token_ttl(7200) == 6900 and wecom_app.token_ttl(60) == 30
    assert "s3cret" not in wecom_app.token_key(APP)
