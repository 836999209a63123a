"""WeChat Official Account template messages through the real pipeline, against tests/fakes/wechat.py."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from tests.e2e.channels.conftest import MESSAGE, SEND, channel_task, send_and_settle
from tests.fakes.wechat import FakeWeChat, Fault, openid
from tests.helpers import GraphQLClient, delivery_state

TEMPLATE = "tpl-ngqIpbwh8bUfcSsECmogfXcV"


@pytest.fixture
async def wechat() -> AsyncIterator[FakeWeChat]:
    """A fresh fake per test: its own address, so the token cache starts empty."""
    fake = FakeWeChat(templates={TEMPLATE: {"title", "content"}, "tpl-other": {"t", "c"}})
    await fake.start()
    yield fake
    await fake.stop()


def config(fake: FakeWeChat, **extra: Any) -> dict[str, Any]:
    return {
        "base_url": fake.base_url,
        "app_id": fake.app_id,
        "app_secret": fake.app_secret,
        "template_id": TEMPLATE,
    } | extra


def followers(fake: FakeWeChat, count: int) -> list[str]:
    ids = [openid() for _ in range(count)]
    fake.followers.update(ids)
    return ids


def assert_no_secrets(fake: FakeWeChat, message: dict[str, Any]) -> None:
    dumped = json.dumps(message)
    for secret in [fake.app_secret, *fake.issued]:
        assert secret not in dumped


async def until_delivery(
    client: GraphQLClient, message_id: int, status: str, timeout: float = 10.0
) -> dict[str, Any]:
    def reached(message: dict[str, Any]) -> bool:
        return bool(message["deliveries"][0]["status"] == status)

    message = await delivery_state(client, MESSAGE, message_id, reached, timeout)
    return dict(message["deliveries"][0])


async def test_template_message_to_the_bindings_openids(admin: GraphQLClient, wechat: FakeWeChat) -> None:
    first, second = followers(wechat, 2)
    task = await channel_task(admin, "wechat_oa", config(wechat), {"options": {"openids": [first, second]}})
    sent = await send_and_settle(
        admin, task, title="部署完成", text="v1.2 已上线", url="https://example.com/r/1"
    )
    delivery = sent.delivery
    assert delivery["status"] == "SUCCEEDED" and delivery["attempts"] == 1
    assert [s.touser for s in wechat.sent] == [first, second]
    message = wechat.sent[0]
    assert message.template_id == TEMPLATE and message.url == "https://example.com/r/1"
    assert message.data == {"title": {"value": "部署完成"}, "content": {"value": "v1.2 已上线"}}
    assert message.client_msg_id == wechat.sent[1].client_msg_id != ""
    assert "msgid" in delivery["history"][0]["vendorResponse"]
    assert wechat.token_calls == 1
    assert_no_secrets(wechat, sent.message)


async def test_per_call_openids_one_delivery_each_with_template_override(
    admin: GraphQLClient, wechat: FakeWeChat
) -> None:
    a, b, c = followers(wechat, 3)
    binding = {"acceptsReceivers": True, "options": {"openids": [c], "template_id": "tpl-other"}}
    task = await channel_task(admin, "wechat_oa", config(wechat, title_key="t", content_key="c"), binding)
    sent = await send_and_settle(admin, task, title="T", text="body", recipients=[a, b])
    deliveries = sent.message["deliveries"]
    assert sorted(d["receivers"][0] for d in deliveries) == sorted([a, b])
    assert all(d["status"] == "SUCCEEDED" for d in deliveries)
    # Per-call receivers replace the binding's OpenIDs.
    assert sorted(s.touser for s in wechat.sent) == sorted([a, b])
    assert {s.template_id for s in wechat.sent} == {"tpl-other"}
    assert wechat.sent[0].data == {"t": {"value": "T"}, "c": {"value": "body"}}


async def test_concurrent_deliveries_fetch_one_token(admin: GraphQLClient, wechat: FakeWeChat) -> None:
    ids = followers(wechat, 6)
    task = await channel_task(admin, "wechat_oa", config(wechat), {"acceptsReceivers": True})
    sent = await send_and_settle(admin, task, text="all at once", recipients=ids)
    assert [d["status"] for d in sent.message["deliveries"]] == ["SUCCEEDED"] * 6
    # The fake retires older tokens at once: a second fetch would have failed the first one's users.
    assert wechat.token_calls == 1 and sorted(s.touser for s in wechat.sent) == sorted(ids)


async def test_expired_token_is_refreshed_once_inside_the_send(
    admin: GraphQLClient, wechat: FakeWeChat
) -> None:
    [user] = followers(wechat, 1)
    task = await channel_task(admin, "wechat_oa", config(wechat), {"options": {"openids": [user]}})
    await send_and_settle(admin, task, text="first")
    wechat.expire_tokens()
    sent = await send_and_settle(admin, task, text="second")
    assert sent.delivery["status"] == "SUCCEEDED" and sent.delivery["attempts"] == 1
    assert wechat.token_calls == 2 and len(wechat.to(user)) == 2
    assert_no_secrets(wechat, sent.message)


async def test_token_rotated_elsewhere_is_refreshed(admin: GraphQLClient, wechat: FakeWeChat) -> None:
    [user] = followers(wechat, 1)
    task = await channel_task(admin, "wechat_oa", config(wechat), {"options": {"openids": [user]}})
    await send_and_settle(admin, task, text="first")
    # Another program with the same AppID asks for a token: ours is no longer the latest (40001).
    async with httpx.AsyncClient() as http:
        params = {"grant_type": "client_credential", "appid": wechat.app_id, "secret": wechat.app_secret}
        assert "access_token" in (await http.get(f"{wechat.base_url}/cgi-bin/token", params=params)).json()
    sent = await send_and_settle(admin, task, text="second")
    assert sent.delivery["status"] == "SUCCEEDED" and sent.delivery["attempts"] == 1
    assert wechat.token_calls == 3 and len(wechat.to(user)) == 2


async def test_busy_and_5xx_are_retried_then_sent(admin: GraphQLClient, wechat: FakeWeChat) -> None:
    [user] = followers(wechat, 1)
    wechat.fail("send", Fault(status=502), Fault(errcode=-1))
    task = await channel_task(admin, "wechat_oa", config(wechat), {"options": {"openids": [user]}})
    sent = await send_and_settle(admin, task, text="eventually")
    delivery = sent.delivery
    assert delivery["status"] == "SUCCEEDED" and delivery["attempts"] == 3
    assert [h["outcome"] for h in delivery["history"]] == ["retrying", "retrying", "succeeded"]
    assert [h["errorClass"] for h in delivery["history"][:2]] == ["retryable", "retryable"]
    assert "system error" in delivery["history"][1]["vendorResponse"]
    assert len(wechat.to(user)) == 1


async def test_a_hung_send_is_retried_without_a_duplicate(admin: GraphQLClient, wechat: FakeWeChat) -> None:
    [user] = followers(wechat, 1)
    wechat.fail("send", Fault(delay=1.5))
    task = await channel_task(admin, "wechat_oa", config(wechat), {"options": {"openids": [user]}})
    sent = await send_and_settle(admin, task, text="once")
    history = sent.delivery["history"]
    assert sent.delivery["status"] == "SUCCEEDED"
    assert history[0]["errorClass"] == "unknown" and history[-1]["outcome"] == "succeeded"
    await asyncio.sleep(0.6)  # the hung request may still land: client_msg_id makes it count once
    assert len(wechat.to(user)) == 1


async def test_daily_quota_defers_the_delivery(admin: GraphQLClient, wechat: FakeWeChat) -> None:
    [user] = followers(wechat, 1)
    wechat.daily_quota = 0
    task = await channel_task(admin, "wechat_oa", config(wechat), {"options": {"openids": [user]}})
    data = await admin.call(SEND, {"i": {"taskId": task, "text": "tomorrow"}})
    delivery = await until_delivery(admin, int(data["sendMessage"]["message"]["id"]), "RATE_LIMITED")
    assert delivery["errorClass"] == "rate_limited" and delivery["attempts"] == 1
    assert "45009" in delivery["lastError"]
    assert "quota" in delivery["history"][0]["vendorResponse"]


@pytest.mark.parametrize(
    ("case", "expected"),
    [("not_following", "43004"), ("bad_openid", "40003"), ("template", "40037"), ("secret", "40125")],
)
async def test_permanent_failures_fail_after_one_attempt(
    admin: GraphQLClient, wechat: FakeWeChat, case: str, expected: str
) -> None:
    [user] = followers(wechat, 1)
    target = {"not_following": openid(), "bad_openid": "not-an-openid"}.get(case, user)
    extra = {"template": {"template_id": "tpl-unknown"}, "secret": {"app_secret": "wrong-secret"}}.get(
        case, {}
    )
    task = await channel_task(admin, "wechat_oa", config(wechat, **extra), {"options": {"openids": [target]}})
    sent = await send_and_settle(admin, task, text="never")
    delivery = sent.delivery
    assert delivery["status"] == "FAILED" and delivery["attempts"] == 1
    assert delivery["errorClass"] == "permanent" and expected in delivery["lastError"]
    assert expected in delivery["history"][0]["vendorResponse"]
    assert "wrong-secret" not in json.dumps(sent.message)
    assert_no_secrets(wechat, sent.message)
    assert wechat.sent == []


async def test_some_openids_refused_still_delivers_to_the_rest(
    admin: GraphQLClient, wechat: FakeWeChat
) -> None:
    [user] = followers(wechat, 1)
    stranger = openid()
    task = await channel_task(admin, "wechat_oa", config(wechat), {"options": {"openids": [stranger, user]}})
    sent = await send_and_settle(admin, task, text="partly")
    delivery = sent.delivery
    assert delivery["status"] == "SUCCEEDED" and delivery["attempts"] == 1
    answer = delivery["history"][0]["vendorResponse"]
    assert "sent to 1 of 2" in answer and f"{stranger} (errcode 43004)" in answer
    assert [s.touser for s in wechat.sent] == [user]


async def test_all_openids_refused_fails(admin: GraphQLClient, wechat: FakeWeChat) -> None:
    strangers = [openid(), openid()]
    task = await channel_task(admin, "wechat_oa", config(wechat), {"options": {"openids": strangers}})
    sent = await send_and_settle(admin, task, text="nobody")
    assert sent.delivery["status"] == "FAILED" and sent.delivery["errorClass"] == "permanent"
    assert "2 of 2 OpenIDs failed" in sent.delivery["lastError"]
