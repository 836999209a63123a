"""Feishu / Lark custom bots through the real pipeline, against tests/fakes/feishu.py."""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.e2e.channels.conftest import MESSAGE, SEND, channel_task, send_and_settle
from tests.fakes.feishu import MAX_BODY_BYTES, Bot, FakeFeishu, Fault
from tests.helpers import GraphQLClient, delivery_state


@pytest.fixture(scope="module")
async def feishu() -> AsyncIterator[FakeFeishu]:
    fake = FakeFeishu()
    await fake.start()
    yield fake
    await fake.stop()


def new_bot(fake: FakeFeishu, secret: str | None = None, keywords: tuple[str, ...] = ()) -> tuple[str, Bot]:
    token = secrets.token_hex(16)
    return token, fake.add_bot(token, secret, keywords)


def config(fake: FakeFeishu, token: str, **extra: Any) -> dict[str, Any]:
    return {"base_url": fake.base_url, "token": token} | extra


async def test_text_message_with_mentions(admin: GraphQLClient, feishu: FakeFeishu) -> None:
    token, bot = new_bot(feishu)
    binding = {"options": {"msg_type": "text"}, "mentionUserIds": ["ou_binding"], "format": "TEXT"}
    task = await channel_task(admin, "feishu", config(feishu, token), binding)
    sent = await send_and_settle(
        admin,
        task,
        title="磁盘告警",
        text="磁盘满了",
        url="https://example.com/d",
        mentions={"userIds": ["ou_7d8a"], "all": True},
    )
    assert sent.delivery["status"] == "SUCCEEDED" and sent.delivery["attempts"] == 1
    [body] = bot.received
    assert body["msg_type"] == "text" and "sign" not in body
    text = body["content"]["text"]
    assert text.startswith("磁盘告警\n磁盘满了\nhttps://example.com/d")
    assert '<at user_id="ou_7d8a"></at>' in text and '<at user_id="ou_binding"></at>' in text
    assert '<at user_id="all">所有人</at>' in text
    assert '"code":0' in sent.delivery["history"][0]["vendorResponse"].replace(" ", "")


async def test_plain_text_with_a_title_is_a_post(admin: GraphQLClient, feishu: FakeFeishu) -> None:
    token, bot = new_bot(feishu)
    task = await channel_task(admin, "feishu", config(feishu, token), {"format": "TEXT", "mentionAll": True})
    sent = await send_and_settle(
        admin, task, title="发布", text="line one\nline two", url="https://example.com/p"
    )
    assert sent.delivery["status"] == "SUCCEEDED"
    [body] = bot.received
    post = body["content"]["post"]["zh_cn"]
    assert body["msg_type"] == "post" and post["title"] == "发布"
    assert post["content"] == [
        [{"tag": "text", "text": "line one"}],
        [{"tag": "text", "text": "line two"}],
        [{"tag": "a", "text": "https://example.com/p", "href": "https://example.com/p"}],
        [{"tag": "at", "user_id": "all", "user_name": "所有人"}],
    ]


async def test_plain_text_without_a_title_is_text(admin: GraphQLClient, feishu: FakeFeishu) -> None:
    token, bot = new_bot(feishu)
    task = await channel_task(admin, "feishu", config(feishu, token), {"format": "TEXT"})
    await send_and_settle(admin, task, text="just this")
    assert bot.received == [{"msg_type": "text", "content": {"text": "just this"}}]


async def test_markdown_is_an_interactive_card(admin: GraphQLClient, feishu: FakeFeishu) -> None:
    token, bot = new_bot(feishu)
    task = await channel_task(admin, "feishu", config(feishu, token), {"mentionUserIds": ["ou_1"]})
    sent = await send_and_settle(
        admin,
        task,
        title="Build",
        markdown="**red** build",
        url="https://ci.example.com/1",
        mentions={"all": True},
    )
    assert sent.delivery["status"] == "SUCCEEDED"
    [body] = bot.received
    card = body["card"]
    assert body["msg_type"] == "interactive" and "content" not in body
    assert card["header"]["title"] == {"tag": "plain_text", "content": "Build"}
    assert card["elements"][0] == {
        "tag": "markdown",
        "content": "**red** build\n<at id=ou_1></at> <at id=all></at>",
    }
    assert card["elements"][1]["actions"][0]["url"] == "https://ci.example.com/1"


async def test_signed_bot_and_keyword(admin: GraphQLClient, feishu: FakeFeishu) -> None:
    secret = "SEC" + secrets.token_hex(16)
    token, bot = new_bot(feishu, secret=secret, keywords=("告警",))
    task = await channel_task(
        admin, "feishu", config(feishu, token, secret=secret, keyword="告警"), {"format": "TEXT"}
    )
    first = await send_and_settle(admin, task, text="CPU high")
    second = await send_and_settle(admin, task, text="CPU 告警 again")
    assert first.delivery["status"] == second.delivery["status"] == "SUCCEEDED"
    assert [b["content"]["text"] for b in bot.received] == ["CPU high\n告警", "CPU 告警 again"]
    assert all(b["timestamp"].isdigit() and abs(int(b["timestamp"]) - time.time()) < 60 for b in bot.received)
    assert bot.received[0]["sign"]  # verified by the fake, per request
    for sent in (first, second):
        dumped = json.dumps(sent.message)
        assert secret not in dumped and token not in dumped


@pytest.mark.parametrize(
    ("case", "code"),
    [("bad_secret", "19021"), ("keyword", "19024"), ("unknown_hook", "19001"), ("too_big", "9499")],
)
async def test_permanent_failures_fail_after_one_attempt(
    admin: GraphQLClient, feishu: FakeFeishu, case: str, code: str
) -> None:
    keywords = ("告警",) if case == "keyword" else ()
    token, bot = new_bot(feishu, secret="right-secret" if case == "bad_secret" else None, keywords=keywords)
    extra = {"secret": "wrong-secret"} if case == "bad_secret" else {}
    hook = "deleted-" + secrets.token_hex(8) if case == "unknown_hook" else token
    task = await channel_task(admin, "feishu", config(feishu, hook, **extra), {"format": "TEXT"})
    # Under our 20 000-byte body limit, but JSON escaping of the line breaks takes it past 20 KB.
    text = "a\n" * 9_990 if case == "too_big" else "no keyword here"
    sent = await send_and_settle(admin, task, text=text)
    delivery = sent.delivery
    assert delivery["status"] == "FAILED" and delivery["attempts"] == 1
    assert delivery["errorClass"] == "permanent" and code in delivery["lastError"]
    answer = delivery["history"][0]["vendorResponse"]
    assert answer.startswith("HTTP 200 ") and json.loads(answer.removeprefix("HTTP 200 "))["code"] == int(
        code
    )
    if case == "too_big":
        assert len(feishu.requests[token][0]) > MAX_BODY_BYTES
    assert bot.received == []
    dumped = json.dumps(sent.message)
    assert hook not in dumped and "wrong-secret" not in dumped


async def test_5xx_is_retried_then_sent(admin: GraphQLClient, feishu: FakeFeishu) -> None:
    token, bot = new_bot(feishu)
    feishu.fail(token, Fault(status=500), Fault(status=502))
    task = await channel_task(admin, "feishu", config(feishu, token), {"format": "TEXT"})
    sent = await send_and_settle(admin, task, text="third time lucky")
    delivery = sent.delivery
    assert delivery["status"] == "SUCCEEDED" and delivery["attempts"] == 3
    assert [h["errorClass"] for h in delivery["history"]] == ["retryable", "retryable", ""]
    assert len(bot.received) == 1


async def test_hang_has_an_unknown_outcome_then_is_retried(admin: GraphQLClient, feishu: FakeFeishu) -> None:
    token, bot = new_bot(feishu)
    feishu.fail(token, Fault(delay=1.5))
    task = await channel_task(admin, "feishu", config(feishu, token), {"format": "TEXT"})
    sent = await send_and_settle(admin, task, text="slow")
    history = sent.delivery["history"]
    assert history[0]["errorClass"] == "unknown" and history[-1]["outcome"] == "succeeded"
    # Feishu has no idempotency key: the hung request may also land (at-least-once).
    assert 1 <= len(bot.received) <= 2


async def test_throttling_defers_the_delivery(admin: GraphQLClient, feishu: FakeFeishu) -> None:
    token, _ = new_bot(feishu)
    feishu.fail(token, Fault(code=11232))
    task = await channel_task(admin, "feishu", config(feishu, token), {"format": "TEXT"})
    data = await admin.call(SEND, {"i": {"taskId": task, "text": "later"}})
    message_id = int(data["sendMessage"]["message"]["id"])
    message = await delivery_state(
        admin, MESSAGE, message_id, lambda m: m["deliveries"][0]["status"] == "RATE_LIMITED", timeout=10
    )
    [delivery] = message["deliveries"]
    assert delivery["errorClass"] == "rate_limited" and "11232" in delivery["lastError"]
    assert "frequency limited" in delivery["history"][0]["vendorResponse"]
