"""WeCom robot and app messages through the real pipeline against the fake WeCom (tests/fakes/wecom.py)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.e2e.channels.conftest import MESSAGE, SEND, Sent, channel_task, send_and_settle
from tests.fakes.wecom import APP_SEND, ROBOT, App, FakeWeCom
from tests.helpers import GraphQLClient, delivery_state


@pytest.fixture(scope="module")
async def wecom() -> AsyncIterator[FakeWeCom]:
    fake = FakeWeCom()
    await fake.start()
    yield fake
    await fake.stop()


async def robot_task(
    admin: GraphQLClient, wecom: FakeWeCom, binding: dict[str, Any] | None = None
) -> tuple[int, str]:
    key = wecom.robot()
    return await channel_task(admin, "wecom_robot", {"base_url": wecom.base_url, "key": key}, binding), key


async def app_task(
    admin: GraphQLClient, wecom: FakeWeCom, binding: dict[str, Any] | None = None, **app: Any
) -> tuple[int, App]:
    fake_app = wecom.app(**app)
    config = {
        "base_url": wecom.base_url,
        "corp_id": fake_app.corp_id,
        "corp_secret": fake_app.secret,
        "agent_id": fake_app.agent_id,
    }
    binding = {"acceptsReceivers": True, "options": {"touser": ["zhangsan"]}} | (binding or {})
    return await channel_task(admin, "wecom_app", config, binding), fake_app


async def wait_for_status(client: GraphQLClient, message_id: int, status: str) -> dict[str, Any]:
    def reached(message: dict[str, Any]) -> bool:
        return bool(message["deliveries"][0]["status"] == status)

    message = await delivery_state(client, MESSAGE, message_id, reached, timeout=10)
    delivery: dict[str, Any] = message["deliveries"][0]
    return delivery


def kept_texts(sent: Sent) -> list[str]:
    d = sent.delivery
    return [d["lastError"] or "", *(v or "" for h in d["history"] for v in (h["error"], h["vendorResponse"]))]


# ---- robot ----------------------------------------------------------------------------------------

MD = "**disk** full"
# (id, binding, send fields, msgtype, expected part, who is @'ed)
ROBOT_TYPES = [
    (
        "text",
        {"format": "TEXT"},
        {"title": "Disk", "text": "disk full"},
        "text",
        {"content": "Disk\ndisk full"},
        (),
    ),
    ("markdown", {}, {"markdown": MD}, "markdown", {"content": MD}, ()),
    (
        "markdown-v2",
        {"options": {"msgtype": "markdown_v2"}, "mentionUserIds": ["wangqing"]},
        {"title": "Disk", "markdown": MD},
        "markdown_v2",
        {"content": f"# Disk\n\n{MD}"},
        (),
    ),
    (
        "markdown-mentions-user-ids",
        {"mentionUserIds": ["wangqing"]},
        {"markdown": MD, "url": "https://ci.test/1"},
        "markdown",
        {"content": f"{MD}\n\n[https://ci.test/1](https://ci.test/1)\n\n<@wangqing>"},
        ("wangqing",),
    ),
    (
        "text-for-mobiles-and-all",
        {"mentionUserIds": ["wangqing"]},
        {"markdown": MD, "mentions": {"mobiles": ["13800001111"], "all": True}},
        "text",
        {
            "content": "disk full",
            "mentioned_list": ["wangqing", "@all"],
            "mentioned_mobile_list": ["13800001111"],
        },
        ("wangqing", "@all", "13800001111"),
    ),
]


@pytest.mark.parametrize(
    ("binding", "fields", "msgtype", "part", "mentioned"),
    [c[1:] for c in ROBOT_TYPES],
    ids=[c[0] for c in ROBOT_TYPES],
)
async def test_robot_message_types_and_mentions(
    admin: GraphQLClient,
    wecom: FakeWeCom,
    binding: dict[str, Any],
    fields: dict[str, Any],
    msgtype: str,
    part: dict[str, Any],
    mentioned: tuple[str, ...],
) -> None:
    task_id, key = await robot_task(admin, wecom, binding)
    sent = await send_and_settle(admin, task_id, **fields)
    assert sent.message["status"] == "SUCCEEDED", sent.message
    [accepted] = wecom.messages(key)
    assert accepted.body == {"msgtype": msgtype, msgtype: part}
    assert accepted.mentioned == mentioned


async def test_robot_text_over_2048_bytes_fails_without_a_call(
    admin: GraphQLClient, wecom: FakeWeCom
) -> None:
    task_id, key = await robot_task(admin, wecom, {"options": {"msgtype": "text"}})
    sent = await send_and_settle(admin, task_id, text="磁" * 700)  # 2100 bytes: fits the 4096 markdown limit
    assert sent.delivery["status"] == "FAILED" and sent.delivery["attempts"] == 1
    assert sent.delivery["errorClass"] == "permanent" and "too long" in sent.delivery["lastError"]
    assert wecom.calls(ROBOT, key) == 0


# ---- failures, robot and app ------------------------------------------------------------------------

# (id, script, final status, attempts, outcomes, error class, text in the first attempt's vendor response)
FAILURES = [
    (
        "http-5xx",
        lambda w, p: w.fail(502, 1, scope=p),
        "SUCCEEDED",
        2,
        ["retrying", "succeeded"],
        "",
        "HTTP 502",
    ),
    (
        "busy",
        lambda w, p: w.answer(-1, "system busy", scope=p),
        "SUCCEEDED",
        2,
        ["retrying", "succeeded"],
        "",
        "-1",
    ),
    (
        "concurrency",
        lambda w, p: w.answer(45033, "api concurrent out of limit", scope=p),
        "SUCCEEDED",
        2,
        ["retrying", "succeeded"],
        "",
        "45033",
    ),
    (
        "throttled-with-wait",
        lambda w, p: w.throttle(retry_after=1, scope=p),
        "SUCCEEDED",
        2,
        ["rate_limited", "succeeded"],
        "",
        "45009",
    ),
    (
        "bad-message",
        lambda w, p: w.answer(40058, "invalid Request Parameter", scope=p),
        "FAILED",
        1,
        ["failed"],
        "permanent",
        "40058",
    ),
]
KINDS = pytest.mark.parametrize("kind", ["robot", "app"])


async def kind_task(admin: GraphQLClient, wecom: FakeWeCom, kind: str) -> tuple[int, str, str]:
    """A task for the robot or the app; returns (task id, path of its send call, its credential)."""
    if kind == "robot":
        task_id, key = await robot_task(admin, wecom)
        return task_id, ROBOT, key
    task_id, app = await app_task(admin, wecom)
    return task_id, APP_SEND, app.corp_id


@KINDS
@pytest.mark.parametrize(
    ("script", "status", "attempts", "outcomes", "error_class", "vendor"),
    [f[1:] for f in FAILURES],
    ids=[f[0] for f in FAILURES],
)
async def test_failures_are_classified(
    admin: GraphQLClient,
    wecom: FakeWeCom,
    kind: str,
    script: Any,
    status: str,
    attempts: int,
    outcomes: list[str],
    error_class: str,
    vendor: str,
) -> None:
    task_id, path, target = await kind_task(admin, wecom, kind)
    script(wecom, path)
    sent = await send_and_settle(admin, task_id, text="disk full")
    delivery = sent.delivery
    assert delivery["status"] == status and delivery["attempts"] == attempts, delivery
    assert [h["outcome"] for h in delivery["history"]] == outcomes
    assert delivery["errorClass"] == error_class and vendor in delivery["history"][0]["vendorResponse"]
    assert len(wecom.messages(target)) == (1 if status == "SUCCEEDED" else 0)


@KINDS
async def test_throttling_defers_the_delivery(admin: GraphQLClient, wecom: FakeWeCom, kind: str) -> None:
    task_id, path, _ = await kind_task(admin, wecom, kind)
    wecom.throttle(scope=path)  # as WeCom does: no wait in the answer
    before = len([r for r in wecom.requests if r[0] == path])
    message_id = int(
        (await admin.call(SEND, {"i": {"taskId": task_id, "text": "x"}}))["sendMessage"]["message"]["id"]
    )
    delivery = await wait_for_status(admin, message_id, "RATE_LIMITED")
    assert (
        delivery["errorClass"] == "rate_limited"
        and delivery["attempts"] == 1
        and "45009" in delivery["lastError"]
    )
    await asyncio.sleep(0.5)
    assert len([r for r in wecom.requests if r[0] == path]) == before + 1  # the next try is a minute away


async def test_robot_unknown_key_fails_once_and_masks_the_key(admin: GraphQLClient, wecom: FakeWeCom) -> None:
    key = "693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa"
    wecom.echo_request = True  # errors quote the request URL, key included
    try:
        task_id = await channel_task(admin, "wecom_robot", {"base_url": wecom.base_url, "key": key})
        sent = await send_and_settle(admin, task_id, text="x")
    finally:
        wecom.echo_request = False
    delivery = sent.delivery
    assert (
        delivery["status"] == "FAILED" and delivery["attempts"] == 1 and delivery["errorClass"] == "permanent"
    )
    assert (
        "93000" in delivery["lastError"] and "invalid webhook url" in delivery["history"][0]["vendorResponse"]
    )
    assert "key=***" in delivery["history"][0]["vendorResponse"]
    assert all(key not in text for text in kept_texts(sent))


# ---- app --------------------------------------------------------------------------------------------


async def test_app_sends_text_and_markdown_with_one_token(admin: GraphQLClient, wecom: FakeWeCom) -> None:
    task_id, app = await app_task(
        admin, wecom, {"options": {"touser": ["zhangsan"], "toparty": ["1"], "totag": ["10"]}}
    )
    assert (await send_and_settle(admin, task_id, title="Disk", text="disk full")).message[
        "status"
    ] == "SUCCEEDED"
    assert (await send_and_settle(admin, task_id, markdown=MD, url="https://ci.test/1")).message[
        "status"
    ] == "SUCCEEDED"
    first, second = wecom.messages(app.corp_id)
    assert first.body["msgtype"] == "markdown"  # auto: the delivery's format is markdown
    assert first.body["markdown"] == {"content": "**Disk**\n\ndisk full"}
    assert second.body["markdown"] == {"content": f"{MD}\n\n[https://ci.test/1](https://ci.test/1)"}
    assert first.body["agentid"] == app.agent_id and first.body["touser"] == "zhangsan"
    assert first.body["toparty"] == "1" and first.body["totag"] == "10"
    assert first.delivered_to == ("zhangsan", "party:1", "tag:10")
    assert wecom.gettoken_calls[app.corp_id] == 1  # cached for the second send


async def test_app_text_to_the_calls_receivers(admin: GraphQLClient, wecom: FakeWeCom) -> None:
    task_id, app = await app_task(admin, wecom, {"format": "TEXT"})
    sent = await send_and_settle(admin, task_id, text="hello", recipients=["zhangsan", "lisi", "wangwu"])
    assert sent.message["status"] == "SUCCEEDED"  # one delivery for all three (up to 1000 per call)
    [accepted] = wecom.messages(app.corp_id)
    assert accepted.body["touser"] == "zhangsan|lisi|wangwu" and accepted.body["text"] == {"content": "hello"}


async def test_app_partial_failure_succeeds_and_keeps_the_rejected(
    admin: GraphQLClient, wecom: FakeWeCom
) -> None:
    task_id, app = await app_task(admin, wecom, unlicensed={"lisi"})
    sent = await send_and_settle(admin, task_id, text="hi", recipients=["zhangsan", "lisi", "ghost"])
    assert sent.delivery["status"] == "SUCCEEDED"
    response = sent.delivery["history"][0]["vendorResponse"]
    assert '"invaliduser": "ghost"' in response and '"unlicenseduser": "lisi"' in response
    assert response.startswith("partial")
    [accepted] = wecom.messages(app.corp_id)
    assert accepted.delivered_to == ("zhangsan",)


@pytest.mark.parametrize(
    ("recipients", "vendor"),
    [(["ghost", "nobody"], "81013"), (["ghost"], "81013")],
    ids=["two-unknown", "one-unknown"],
)
async def test_app_all_recipients_invalid_is_permanent(
    admin: GraphQLClient, wecom: FakeWeCom, recipients: list[str], vendor: str
) -> None:
    task_id, _ = await app_task(admin, wecom)
    sent = await send_and_settle(admin, task_id, text="hi", recipients=recipients)
    assert sent.delivery["status"] == "FAILED" and sent.delivery["attempts"] == 1
    assert sent.delivery["errorClass"] == "permanent" and vendor in sent.delivery["lastError"]


async def test_app_all_unlicensed_in_a_zero_answer_is_permanent(
    admin: GraphQLClient, wecom: FakeWeCom
) -> None:
    task_id, _ = await app_task(admin, wecom, unlicensed={"lisi"}, users={"lisi"})
    sent = await send_and_settle(admin, task_id, text="hi", recipients=["lisi", "ghost"])
    assert sent.delivery["status"] == "FAILED" and sent.delivery["errorClass"] == "permanent"
    assert "every recipient was rejected" in sent.delivery["lastError"]


async def test_app_refreshes_an_expired_token_once(admin: GraphQLClient, wecom: FakeWeCom) -> None:
    task_id, app = await app_task(admin, wecom)
    assert (await send_and_settle(admin, task_id, text="one")).message["status"] == "SUCCEEDED"
    wecom.expire_tokens()
    sent = await send_and_settle(admin, task_id, text="two")
    assert sent.delivery["status"] == "SUCCEEDED" and sent.delivery["attempts"] == 1
    assert wecom.gettoken_calls[app.corp_id] == 2
    assert [m.body[m.msgtype]["content"] for m in wecom.messages(app.corp_id)] == ["one", "two"]
    tokens = {t for t, issued in wecom.tokens.items() if issued.app is app}
    sends = [q for path, q in wecom.requests if path == APP_SEND and any(t in q for t in tokens)]
    assert len(sends) == 3  # one, two with the expired token, two again with the new one


async def test_app_token_errors_after_a_refresh_end_the_attempt(
    admin: GraphQLClient, wecom: FakeWeCom
) -> None:
    task_id, app = await app_task(admin, wecom)
    wecom.answer(42001, "access_token expired", times=2, scope=APP_SEND)
    sent = await send_and_settle(admin, task_id, text="x")
    delivery = sent.delivery
    assert delivery["status"] == "SUCCEEDED" and delivery["attempts"] == 2
    first = delivery["history"][0]
    assert (
        first["outcome"] == "retrying"
        and first["errorClass"] == "token_expired"
        and "42001" in first["error"]
    )
    assert wecom.gettoken_calls[app.corp_id] == 2  # one refresh inside the failed attempt, none after


async def test_app_bad_secret_fails_once_and_masks_every_secret(
    admin: GraphQLClient, wecom: FakeWeCom
) -> None:
    app = wecom.app()
    wrong = "wrong-secret-" + app.secret[:8]
    config = {
        "base_url": wecom.base_url,
        "corp_id": app.corp_id,
        "corp_secret": wrong,
        "agent_id": app.agent_id,
    }
    wecom.echo_request = True
    try:
        task_id = await channel_task(admin, "wecom_app", config, {"options": {"touser": ["zhangsan"]}})
        sent = await send_and_settle(admin, task_id, text="x")
    finally:
        wecom.echo_request = False
    delivery = sent.delivery
    assert (
        delivery["status"] == "FAILED" and delivery["attempts"] == 1 and delivery["errorClass"] == "permanent"
    )
    assert "40001" in delivery["lastError"] and "corpsecret=***" in delivery["history"][0]["vendorResponse"]
    assert all(wrong not in text for text in kept_texts(sent))


async def test_app_never_keeps_the_access_token(admin: GraphQLClient, wecom: FakeWeCom) -> None:
    task_id, app = await app_task(admin, wecom)
    wecom.echo_request = True
    try:
        wecom.answer(40058, "invalid Request Parameter", scope=APP_SEND)
        sent = await send_and_settle(admin, task_id, text="x")
    finally:
        wecom.echo_request = False
    assert (
        sent.delivery["status"] == "FAILED"
        and "access_token=***" in sent.delivery["history"][0]["vendorResponse"]
    )
    tokens = [t for t, issued in wecom.tokens.items() if issued.app is app]
    assert tokens and all(
        t not in text and app.secret not in text for t in tokens for text in kept_texts(sent)
    )


async def test_app_wrong_agent_id_is_permanent(admin: GraphQLClient, wecom: FakeWeCom) -> None:
    app = wecom.app()
    config = {"base_url": wecom.base_url, "corp_id": app.corp_id, "corp_secret": app.secret, "agent_id": 7}
    task_id = await channel_task(admin, "wecom_app", config, {"options": {"touser": ["zhangsan"]}})
    sent = await send_and_settle(admin, task_id, text="x")
    assert sent.delivery["status"] == "FAILED" and "40056" in sent.delivery["lastError"]
