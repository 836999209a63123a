"""DingTalk robot through the real pipeline against the fake DingTalk (tests/fakes/dingtalk.py)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.e2e.channels.conftest import MESSAGE, SEND, channel_task, send_and_settle
from tests.fakes.dingtalk import FakeDingTalk, Robot
from tests.helpers import GraphQLClient, delivery_state

SECRET = "SECtestsecret0123456789abcdef"


@pytest.fixture(scope="module")
async def ding() -> AsyncIterator[FakeDingTalk]:
    fake = FakeDingTalk()
    await fake.start()
    yield fake
    await fake.stop()


async def robot_task(
    admin: GraphQLClient,
    ding: FakeDingTalk,
    secret: str | None = SECRET,
    keywords: tuple[str, ...] = (),
    binding: dict[str, Any] | None = None,
    **config: Any,
) -> tuple[int, Robot]:
    robot = ding.robot(secret, keywords)
    settings = {"base_url": ding.base_url, "access_token": robot.token} | (
        {"secret": secret} if secret else {}
    )
    return await channel_task(admin, "dingtalk", settings | config, binding), robot


async def wait_for_status(client: GraphQLClient, message_id: int, status: str) -> dict[str, Any]:
    def reached(message: dict[str, Any]) -> bool:
        return bool(message["deliveries"][0]["status"] == status)

    message = await delivery_state(client, MESSAGE, message_id, reached, timeout=10)
    delivery: dict[str, Any] = message["deliveries"][0]
    return delivery


MOBILE, USER = "13800000000", "manager7675"

# (id, binding, send fields, expected msgtype, expected parts of the body)
MESSAGE_TYPES = [
    (
        "text",
        {"format": "TEXT"},
        {"title": "Disk", "text": "disk full"},
        "text",
        {"text": {"content": "Disk\ndisk full"}},
    ),
    (
        "markdown-auto",
        {},
        {"title": "Disk", "markdown": "**disk** full"},
        "markdown",
        {"markdown": {"title": "Disk", "text": "**disk** full"}},
    ),
    (
        "text-option-on-markdown",
        {"options": {"msgtype": "text"}},
        {"markdown": "**disk** full"},
        "text",
        {"text": {"content": "disk full"}},
    ),
    (
        "url-markdown-action-card",
        {},
        {"title": "Deploy", "markdown": "v2 is **live**", "url": "https://ci.test/42"},
        "actionCard",
        {
            "actionCard": {
                "title": "Deploy",
                "text": "v2 is **live**",
                "btnOrientation": "0",
                "singleTitle": "查看详情",
                "singleURL": "https://ci.test/42",
            }
        },
    ),
    (
        "url-text-link",
        {"format": "TEXT"},
        {"title": "Deploy", "text": "v2 is live", "url": "https://ci.test/42"},
        "link",
        {"link": {"title": "Deploy", "text": "v2 is live", "messageUrl": "https://ci.test/42", "picUrl": ""}},
    ),
]


@pytest.mark.parametrize(
    ("binding", "fields", "msgtype", "parts"),
    [c[1:] for c in MESSAGE_TYPES],
    ids=[c[0] for c in MESSAGE_TYPES],
)
async def test_message_types(
    admin: GraphQLClient,
    ding: FakeDingTalk,
    binding: dict[str, Any],
    fields: dict[str, Any],
    msgtype: str,
    parts: dict[str, Any],
) -> None:
    task_id, robot = await robot_task(admin, ding, binding=binding)
    sent = await send_and_settle(admin, task_id, **fields)
    assert sent.message["status"] == "SUCCEEDED", sent.message
    [accepted] = ding.messages(robot.token)
    assert accepted.msgtype == msgtype and accepted.body["msgUuid"]
    assert {k: accepted.body[k] for k in parts} == parts


@pytest.mark.parametrize("fmt", ["TEXT", "MARKDOWN"])
async def test_mentions_are_listed_and_written_into_the_text(
    admin: GraphQLClient, ding: FakeDingTalk, fmt: str
) -> None:
    binding = {"format": fmt, "mentionUserIds": [USER]}
    task_id, robot = await robot_task(admin, ding, binding=binding)
    sent = await send_and_settle(
        admin, task_id, text="disk full", mentions={"mobiles": [MOBILE], "all": True}
    )
    assert sent.message["status"] == "SUCCEEDED"
    [accepted] = ding.messages(robot.token)
    assert accepted.body["at"] == {"atMobiles": [MOBILE], "atUserIds": [USER], "isAtAll": True}
    assert f"@{MOBILE}" in accepted.visible and f"@{USER}" in accepted.visible
    assert accepted.highlighted == (MOBILE, USER, "@all")


async def test_the_keyword_is_added_when_missing_and_not_twice(
    admin: GraphQLClient, ding: FakeDingTalk
) -> None:
    task_id, robot = await robot_task(
        admin, ding, keywords=("告警",), keyword="告警", binding={"format": "TEXT"}
    )
    for text in ("disk full", "告警: disk full"):
        assert (await send_and_settle(admin, task_id, text=text)).message["status"] == "SUCCEEDED"
    contents = [a.body["text"]["content"] for a in ding.messages(robot.token)]
    assert contents == ["disk full\n告警", "告警: disk full"]


async def test_an_unsigned_robot_is_called_without_a_signature(
    admin: GraphQLClient, ding: FakeDingTalk
) -> None:
    task_id, robot = await robot_task(admin, ding, secret=None)
    assert (await send_and_settle(admin, task_id, text="hi")).message["status"] == "SUCCEEDED"
    [accepted] = ding.messages(robot.token)
    assert "sign=" not in accepted.query


async def test_each_retry_is_signed_afresh(admin: GraphQLClient, ding: FakeDingTalk) -> None:
    task_id, robot = await robot_task(admin, ding)
    ding.fail(status=502, times=1, scope=robot.token)
    sent = await send_and_settle(admin, task_id, text="hi")
    assert sent.delivery["status"] == "SUCCEEDED" and sent.delivery["attempts"] == 2
    queries = [q for q, _ in ding.requests if robot.token in q]
    assert len(queries) == 2 and queries[0] != queries[1]  # new timestamp and sign, not a cached URL


# (id, script, final status, attempts, outcomes, error class, text in the first vendor response)
ERRORS = [
    (
        "http-5xx",
        lambda d, t: d.fail(500, 2, scope=t),
        "SUCCEEDED",
        3,
        ["retrying", "retrying", "succeeded"],
        "",
        "HTTP 500",
    ),
    (
        "busy",
        lambda d, t: d.answer(-1, "系统繁忙", scope=t),
        "SUCCEEDED",
        2,
        ["retrying", "succeeded"],
        "",
        "系统繁忙",
    ),
    (
        "throttled-with-wait",
        lambda d, t: d.throttle(retry_after=1, scope=t),
        "SUCCEEDED",
        2,
        ["rate_limited", "succeeded"],
        "",
        "410100",
    ),
    (
        "robot-disabled",
        lambda d, t: d.answer(400102, "机器人已停用", scope=t),
        "FAILED",
        1,
        ["failed"],
        "permanent",
        "机器人已停用",
    ),
    (
        "moderated",
        lambda d, t: d.answer(430102, "含有不合适的文本", scope=t),
        "FAILED",
        1,
        ["failed"],
        "permanent",
        "430102",
    ),
]


@pytest.mark.parametrize(
    ("script", "status", "attempts", "outcomes", "error_class", "vendor"),
    [e[1:] for e in ERRORS],
    ids=[e[0] for e in ERRORS],
)
async def test_failures_are_classified(
    admin: GraphQLClient,
    ding: FakeDingTalk,
    script: Any,
    status: str,
    attempts: int,
    outcomes: list[str],
    error_class: str,
    vendor: str,
) -> None:
    task_id, robot = await robot_task(admin, ding)
    script(ding, robot.token)
    sent = await send_and_settle(admin, task_id, text="disk full")
    delivery = sent.delivery
    assert delivery["status"] == status and delivery["attempts"] == attempts, delivery
    assert [h["outcome"] for h in delivery["history"]] == outcomes
    assert delivery["errorClass"] == error_class
    assert vendor in delivery["history"][0]["vendorResponse"]
    assert len(ding.messages(robot.token)) == (1 if status == "SUCCEEDED" else 0)


async def test_throttling_defers_the_delivery_for_ten_minutes(
    admin: GraphQLClient, ding: FakeDingTalk
) -> None:
    task_id, robot = await robot_task(admin, ding)
    ding.throttle(scope=robot.token)  # as DingTalk does: no wait in the answer
    message_id = int(
        (await admin.call(SEND, {"i": {"taskId": task_id, "text": "x"}}))["sendMessage"]["message"]["id"]
    )
    delivery = await wait_for_status(admin, message_id, "RATE_LIMITED")
    assert delivery["errorClass"] == "rate_limited" and delivery["attempts"] == 1
    assert "410100" in delivery["lastError"]
    await asyncio.sleep(0.5)
    assert ding.calls(robot.token) == 1  # not hammered: the next try is ~10 minutes away


# (id, robot's real secret/keywords vs what the channel is configured with, text in the vendor answer)
PERMANENT = [
    ("sign-not-match", {"secret": SECRET}, {"secret": "SECwrong"}, "sign not match"),
    ("keyword-missing", {"keywords": ("告警",)}, {}, "keywords not in content"),
    ("unknown-token", {}, {"access_token": "not-a-robot-token"}, "token is not exist"),
]


@pytest.mark.parametrize(
    ("robot_has", "channel_has", "vendor"), [p[1:] for p in PERMANENT], ids=[p[0] for p in PERMANENT]
)
async def test_config_errors_fail_after_one_attempt(
    admin: GraphQLClient,
    ding: FakeDingTalk,
    robot_has: dict[str, Any],
    channel_has: dict[str, Any],
    vendor: str,
) -> None:
    robot = ding.robot(robot_has.get("secret"), robot_has.get("keywords", ()))
    config = {"base_url": ding.base_url, "access_token": robot.token, "secret": SECRET} | channel_has
    task_id = await channel_task(admin, "dingtalk", config)
    sent = await send_and_settle(admin, task_id, text="disk full")
    delivery = sent.delivery
    assert sent.message["status"] == "FAILED" and delivery["attempts"] == 1
    assert delivery["errorClass"] == "permanent" and vendor in delivery["lastError"]
    assert vendor in delivery["history"][0]["vendorResponse"]
    await asyncio.sleep(0.5)
    assert ding.calls(config["access_token"]) == 1


async def test_secrets_never_reach_errors_or_vendor_responses(
    admin: GraphQLClient, ding: FakeDingTalk
) -> None:
    ding.echo_request = True  # the fake quotes the request URL (token, timestamp, sign) in errors
    try:
        task_id, robot = await robot_task(admin, ding)
        ding.answer(400102, "机器人已停用", scope=robot.token)
        sent = await send_and_settle(admin, task_id, text="x")
    finally:
        ding.echo_request = False
    delivery = sent.delivery
    [(query, _)] = [r for r in ding.requests if robot.token in r[0]]
    sign = query.split("sign=")[1]
    kept = [
        delivery["lastError"],
        *(v for h in delivery["history"] for v in (h["error"], h["vendorResponse"])),
    ]
    assert "access_token=***" in delivery["history"][0]["vendorResponse"]
    for text in kept:
        assert robot.token not in text and SECRET not in text and sign not in text, text


async def test_a_hanging_vendor_ends_unknown(admin: GraphQLClient, ding: FakeDingTalk) -> None:
    task_id, robot = await robot_task(admin, ding)
    ding.hang(3, times=3, scope=robot.token)  # the send timeout is 1 s in tests
    sent = await send_and_settle(admin, task_id, timeout=30, text="x")
    assert sent.delivery["status"] == "UNKNOWN" and sent.delivery["errorClass"] == "unknown"
    assert sent.delivery["attempts"] == 3
