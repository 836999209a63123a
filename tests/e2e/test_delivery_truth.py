"""Delivery truth (issue 14): what is recorded says what really happened at the vendor."""

from __future__ import annotations

import asyncio
import secrets
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.conftest import free_port
from tests.e2e.channels.conftest import MESSAGE, Sent, channel_task, send_and_settle
from tests.fakes.dingtalk import FakeDingTalk
from tests.fakes.webhook_sink import Reply, WebhookSink
from tests.fakes.wecom import ROBOT, FakeWeCom
from tests.helpers import GraphQLClient


@pytest.fixture(scope="module")
async def wecom() -> AsyncIterator[FakeWeCom]:
    fake = FakeWeCom()
    await fake.start()
    yield fake
    await fake.stop()


async def settled(client: GraphQLClient, message_id: int, timeout: float = 20.0) -> dict[str, Any]:
    """The message once it is final again (after a resend)."""
    deadline = time.monotonic() + timeout
    while True:
        message: dict[str, Any] = (await client.call(MESSAGE, {"id": message_id}))["message"]
        if message["status"] in ("SUCCEEDED", "PARTIAL", "FAILED", "UNKNOWN"):
            return message
        assert time.monotonic() < deadline, message
        await asyncio.sleep(0.05)


async def test_a_refused_connection_is_recorded_as_refused_not_as_a_timeout(admin: GraphQLClient) -> None:
    closed = free_port()  # bound and released: nothing listens there
    task_id = await channel_task(admin, "webhook", {"url": f"http://127.0.0.1:{closed}/hook"})
    sent = await send_and_settle(admin, task_id, text="x")
    delivery = sent.delivery
    assert delivery["status"] == "FAILED", delivery
    for attempt in delivery["history"]:
        assert attempt["error"] == "could not connect: connection refused", attempt
        assert "Timeout" not in attempt["error"]


RESEND = "mutation($m: Int!, $u: Boolean!) { resendFailed(messageId: $m, includeUnknown: $u) { id status } }"


async def test_a_timeout_at_a_vendor_without_dedupe_ends_unknown_without_a_second_copy(
    admin: GraphQLClient, wecom: FakeWeCom
) -> None:
    # Issue 14, point 6: the WeCom robot has no dedupe key, so a retry after a timeout would show
    # the message twice. One request, then UNKNOWN — for the delivery and for the message.
    key = wecom.robot()
    task_id = await channel_task(admin, "wecom_robot", {"base_url": wecom.base_url, "key": key})
    wecom.hang(3, times=1, scope=ROBOT)  # the send timeout is 1 s in tests
    sent = await send_and_settle(admin, task_id, timeout=30, text="disk full")
    assert sent.message["status"] == "UNKNOWN", sent.message
    assert sent.delivery["status"] == "UNKNOWN" and sent.delivery["attempts"] == 1
    assert wecom.calls(ROBOT, key) == 1

    # resendFailed leaves it out (the receiver may have it) and says how to include it.
    error = await admin.fails(RESEND, {"m": sent.message_id, "u": False})
    assert error["extensions"]["code"] == "CONFLICT" and "includeUnknown" in error["message"]
    assert wecom.calls(ROBOT, key) == 1
    await admin.call(RESEND, {"m": sent.message_id, "u": True})
    again = await settled(admin, sent.message_id)
    assert again["status"] == "SUCCEEDED" and wecom.calls(ROBOT, key) == 2


async def test_channel_types_document_window_dedupe_and_unknown_policy(admin: GraphQLClient) -> None:
    query = "{ channelTypes { key rateWindow { count seconds } rateWindows { count seconds } vendorDedupe unknownPolicy } }"
    types = {t["key"]: t for t in (await admin.call(query))["channelTypes"]}
    assert types["dingtalk"]["rateWindow"] == {"count": 20, "seconds": 60}
    assert types["wecom_robot"]["rateWindow"] == {"count": 20, "seconds": 60}
    assert types["feishu"]["rateWindows"] == [{"count": 100, "seconds": 60}, {"count": 5, "seconds": 1}]
    assert types["dingtalk"]["vendorDedupe"] is True and types["dingtalk"]["unknownPolicy"] == "RETRY"
    assert types["wecom_robot"]["vendorDedupe"] is False
    assert types["wecom_robot"]["unknownPolicy"] == "RETRY_IF_NOT_SENT"
    assert types["bark"]["rateWindow"] is None


@pytest.fixture(scope="module")
async def ding() -> AsyncIterator[FakeDingTalk]:
    fake = FakeDingTalk()
    await fake.start()
    yield fake
    await fake.stop()


async def one_answer_then_ok(
    kind: str, status: int, admin: GraphQLClient, sink: WebhookSink, ding: FakeDingTalk, wecom: FakeWeCom
) -> Sent:
    """A channel of `kind` whose vendor answers `status` (no Retry-After) once, then accepts."""
    if kind == "webhook":
        path = f"/truth/{secrets.token_hex(4)}"
        sink.script(path, Reply(status=status), Reply(status=200))
        task_id = await channel_task(admin, "webhook", {"url": sink.url(path)})
    elif kind == "dingtalk":
        robot = ding.robot()
        ding.fail(status=status, times=1, scope=robot.token)
        task_id = await channel_task(
            admin, "dingtalk", {"base_url": ding.base_url, "access_token": robot.token}
        )
    else:
        key = wecom.robot()
        wecom.fail(status=status, times=1, scope=ROBOT)
        task_id = await channel_task(admin, "wecom_robot", {"base_url": wecom.base_url, "key": key})
    return await send_and_settle(admin, task_id, text="x")


@pytest.mark.parametrize("kind", ["webhook", "dingtalk", "wecom_robot"])
async def test_one_rule_for_http_answers_whichever_channel(
    kind: str, admin: GraphQLClient, sink: WebhookSink, ding: FakeDingTalk, wecom: FakeWeCom
) -> None:
    # Issue 14, point 8: a 503 without Retry-After was "rate limited" for the webhook and
    # "retryable" for the robots; a 501 permanent for the webhook only. One rule now.
    unavailable = await one_answer_then_ok(kind, 503, admin, sink, ding, wecom)
    assert [h["outcome"] for h in unavailable.delivery["history"]] == ["retrying", "succeeded"]
    assert unavailable.delivery["history"][0]["errorClass"] == "retryable"
    not_implemented = await one_answer_then_ok(kind, 501, admin, sink, ding, wecom)
    assert not_implemented.delivery["status"] == "FAILED" and not_implemented.delivery["attempts"] == 1
    assert not_implemented.delivery["errorClass"] == "permanent"
