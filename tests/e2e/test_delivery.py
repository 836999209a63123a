"""Sending through the real pipeline (all-in-one mode): accept, deliver, retry, classify, record."""

from __future__ import annotations

import asyncio
import json
import secrets
import time
from typing import Any

from schema.models import Delivery, DeliveryAttempt, InboxItem, Message
from tests.fakes.webhook_sink import Reply, WebhookSink, verify_standard_webhook
from tests.helpers import GraphQLClient, code_and_field, new_member, settled_message, unique

SEND = """mutation($i: SendMessageInput!) { sendMessage(input: $i) { duplicate completed
  message { id status title deliveries { id status attempts errorClass lastError channelType } } } }"""
MESSAGE = """query($id: Int!) { message(id: $id) { id status deliveries { status attempts errorClass lastError
  history { number outcome errorClass vendorResponse } } } }"""
SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


async def webhook_task(client: GraphQLClient, sink: WebhookSink, **config: Any) -> tuple[int, str]:
    """A task bound to a webhook channel that posts to a fresh path on the sink."""
    path = f"/hook/{secrets.token_hex(4)}"
    channel = await client.call(
        "mutation($i: CreateChannelInput!) { createChannel(input: $i) { id } }",
        {"i": {"name": unique("hook"), "type": "webhook", "config": {"url": sink.url(path)} | config}},
    )
    task = await client.call(
        "mutation($i: CreateTaskInput!) { createTask(input: $i) { id } }",
        {"i": {"name": unique("task"), "bindings": [{"channelId": channel["createChannel"]["id"]}]}},
    )
    return int(task["createTask"]["id"]), path


async def settled(client: GraphQLClient, message_id: int, timeout: float = 20.0) -> dict[str, Any]:
    """The message once every delivery is final."""
    return await settled_message(client, MESSAGE, message_id, timeout)


async def send(client: GraphQLClient, **fields: Any) -> dict[str, Any]:
    result: dict[str, Any] = (await client.call(SEND, {"i": fields}))["sendMessage"]
    return result


async def test_a_send_is_delivered_signed_and_recorded(admin: GraphQLClient, sink: WebhookSink) -> None:
    task_id, path = await webhook_task(admin, sink, signing_secret=SECRET)
    sent = await send(admin, taskId=task_id, title="Deploy", text="v1.2 is live", markdown="**v1.2** is live")
    assert sent["message"]["status"] == "QUEUED" and sent["duplicate"] is False
    [request] = await sink.wait_for(path, 1)
    body = json.loads(request.body)
    assert body["data"]["title"] == "Deploy" and body["data"]["body"] == "v1.2 is live"
    assert verify_standard_webhook(SECRET, request)
    message = await settled(admin, sent["message"]["id"])
    assert message["status"] == "SUCCEEDED"
    [delivery] = message["deliveries"]
    assert delivery["attempts"] == 1 and delivery["history"][0]["vendorResponse"].startswith("HTTP 200")


async def test_sync_send_waits_for_the_outcome(admin: GraphQLClient, sink: WebhookSink) -> None:
    task_id, _ = await webhook_task(admin, sink)
    sent = await admin.call(
        SEND.replace("sendMessage(input: $i)", "sendMessage(input: $i)"),
        {"i": {"taskId": task_id, "text": "hi", "sync": True, "timeoutSeconds": 10}},
    )
    assert sent["sendMessage"]["completed"] is True
    assert sent["sendMessage"]["message"]["status"] == "SUCCEEDED"


async def test_server_errors_are_retried_until_success(admin: GraphQLClient, sink: WebhookSink) -> None:
    task_id, path = await webhook_task(admin, sink)
    sink.script(path, Reply(status=500), Reply(status=502), Reply(status=200))
    sent = await send(admin, taskId=task_id, text="retry me")
    message = await settled(admin, sent["message"]["id"])
    [delivery] = message["deliveries"]
    assert message["status"] == "SUCCEEDED" and delivery["attempts"] == 3
    assert [h["outcome"] for h in delivery["history"]] == ["retrying", "retrying", "succeeded"]
    assert len(sink.received[path]) == 3
    ids = {json.loads(r.body)["data"]["delivery_id"] for r in sink.received[path]}
    assert len(ids) == 1 and len({r.headers["webhook-id"] for r in sink.received[path]}) == 1


async def test_permanent_errors_are_not_retried(admin: GraphQLClient, sink: WebhookSink) -> None:
    task_id, path = await webhook_task(admin, sink)
    sink.script(path, Reply(status=400, body='{"error":"bad payload"}'))
    message = await settled(admin, (await send(admin, taskId=task_id, text="x"))["message"]["id"])
    [delivery] = message["deliveries"]
    assert message["status"] == "FAILED" and delivery["attempts"] == 1
    assert delivery["errorClass"] == "permanent" and "bad payload" in delivery["history"][0]["vendorResponse"]
    await asyncio.sleep(0.6)
    assert len(sink.received[path]) == 1


async def test_retries_stop_at_the_limit(admin: GraphQLClient, sink: WebhookSink) -> None:
    task_id, path = await webhook_task(admin, sink)
    sink.script(path, Reply(status=503, headers={}))  # 503 without Retry-After: throttled
    sink.script(path, Reply(status=500))
    message = await settled(admin, (await send(admin, taskId=task_id, text="x"))["message"]["id"])
    [delivery] = message["deliveries"]
    assert message["status"] == "FAILED" and delivery["attempts"] == 3  # PUSHNEST_MAX_ATTEMPTS=3
    assert len(sink.received[path]) == 3


async def test_timeouts_end_as_unknown(admin: GraphQLClient, sink: WebhookSink) -> None:
    task_id, path = await webhook_task(admin, sink)
    sink.script(path, Reply(delay=3))  # PUSHNEST_SEND_TIMEOUT_SECONDS=1
    message = await settled(admin, (await send(admin, taskId=task_id, text="x"))["message"]["id"], timeout=30)
    [delivery] = message["deliveries"]
    assert delivery["status"] == "UNKNOWN" and delivery["errorClass"] == "unknown"
    assert delivery["attempts"] == 3 and message["status"] == "FAILED"


async def test_throttling_defers_the_send_instead_of_dropping_it(
    admin: GraphQLClient, sink: WebhookSink
) -> None:
    task_id, path = await webhook_task(admin, sink)
    sink.script(path, Reply(status=429, headers={"Retry-After": "1"}), Reply(status=200))
    started = time.monotonic()
    message = await settled(admin, (await send(admin, taskId=task_id, text="x"))["message"]["id"])
    [delivery] = message["deliveries"]
    assert message["status"] == "SUCCEEDED" and delivery["attempts"] == 2
    assert [h["outcome"] for h in delivery["history"]] == ["rate_limited", "succeeded"]
    assert time.monotonic() - started >= 1.0
    first, second = sink.received[path]
    assert second.at - first.at >= 1.0


async def test_idempotency_key_returns_the_first_message(admin: GraphQLClient, sink: WebhookSink) -> None:
    task_id, path = await webhook_task(admin, sink)
    key = unique("order-42")
    first = await send(admin, taskId=task_id, text="once", idempotencyKey=key)
    second = await send(admin, taskId=task_id, text="once again", idempotencyKey=key)
    assert second["duplicate"] is True and second["message"]["id"] == first["message"]["id"]
    await settled(admin, first["message"]["id"])
    await asyncio.sleep(0.3)
    assert len(sink.received[path]) == 1
    assert await Message.filter(idempotency_key=key).count() == 1


CREATE_KEY = """mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { key } }"""


async def task_key(client: GraphQLClient, task_id: int) -> GraphQLClient:
    made = await client.call(CREATE_KEY, {"i": {"name": unique("key"), "scope": "TASK", "taskId": task_id}})
    return client.as_(made["createApiKey"]["key"])


async def test_an_idempotency_key_never_answers_with_another_targets_send(
    admin: GraphQLClient, sink: WebhookSink
) -> None:
    task_a, _ = await webhook_task(admin, sink)
    task_b, _ = await webhook_task(admin, sink)
    key_a, key_b, other_key_a = (
        await task_key(admin, task_a),
        await task_key(admin, task_b),
        await task_key(admin, task_a),
    )
    idem = unique("deploy-42")
    first = await send(key_a, taskId=task_a, title="secret title of A", text="A's text", idempotencyKey=idem)
    # Another task, another key on the same task, the console: refused, and nothing of A's shown.
    for client, task in ((key_b, task_b), (other_key_a, task_a), (admin, task_a)):
        body = await client.post(SEND, {"i": {"taskId": task, "text": "mine", "idempotencyKey": idem}})
        assert body["data"] is None, body
        [error] = body["errors"]
        assert code_and_field(error) == {"code": "CONFLICT", "field": "idempotencyKey"}
        assert "secret title of A" not in json.dumps(body) and "A's text" not in json.dumps(body)
    again = await send(key_a, taskId=task_a, text="A again", idempotencyKey=idem)
    assert again["duplicate"] is True and again["message"]["id"] == first["message"]["id"]
    assert await Message.filter(idempotency_key=idem).count() == 1
    assert await Message.filter(task_id=task_b).count() == 0


async def test_a_race_for_one_idempotency_key_from_two_targets_sends_one_and_refuses_the_other(
    admin: GraphQLClient, sink: WebhookSink
) -> None:
    task_a, _ = await webhook_task(admin, sink)
    task_b, _ = await webhook_task(admin, sink)
    key_a, key_b = await task_key(admin, task_a), await task_key(admin, task_b)
    idem = unique("race")
    bodies = await asyncio.gather(
        *(
            client.post(SEND, {"i": {"taskId": task, "text": "x", "idempotencyKey": idem}})
            for _ in range(4)
            for client, task in ((key_a, task_a), (key_b, task_b))
        )
    )
    sent = [b["data"]["sendMessage"] for b in bodies if b.get("data")]
    refused = [b["errors"][0]["extensions"]["code"] for b in bodies if b.get("errors")]
    assert len({s["message"]["id"] for s in sent}) == 1 and len(sent) == 4
    assert refused == ["CONFLICT"] * 4
    assert await Message.filter(idempotency_key=idem).count() == 1


async def test_resend_failed_sends_only_the_failures(admin: GraphQLClient, sink: WebhookSink) -> None:
    task_id, path = await webhook_task(admin, sink)
    sink.script(path, Reply(status=404))
    message_id = (await send(admin, taskId=task_id, text="x"))["message"]["id"]
    assert (await settled(admin, message_id))["status"] == "FAILED"
    sink.script(path, Reply(status=200))
    await admin.call("mutation($m: Int!) { resendFailed(messageId: $m) { id } }", {"m": message_id})
    message = await settled(admin, message_id)
    assert message["status"] == "SUCCEEDED" and message["deliveries"][0]["attempts"] == 2
    error = await admin.fails("mutation($m: Int!) { resendFailed(messageId: $m) { id } }", {"m": message_id})
    assert error["extensions"]["code"] == "CONFLICT"


async def test_scheduled_sends_wait_for_their_time(admin: GraphQLClient, sink: WebhookSink) -> None:
    task_id, path = await webhook_task(admin, sink)
    when = time.time() + 2
    from datetime import UTC, datetime

    sent = await send(
        admin, taskId=task_id, text="later", sendAt=datetime.fromtimestamp(when, UTC).isoformat()
    )
    assert sent["message"]["status"] == "SCHEDULED"
    [request] = await sink.wait_for(path, 1, timeout=10)
    assert request.at >= when - 0.05
    assert (await settled(admin, sent["message"]["id"]))["status"] == "SUCCEEDED"


async def test_inbox_channel_stores_items_for_the_named_users(admin: GraphQLClient) -> None:
    _, username = await new_member(admin)
    channel = await admin.call(
        "mutation($i: CreateChannelInput!) { createChannel(input: $i) { id } }",
        {"i": {"name": unique("inbox"), "type": "inbox", "config": {}}},
    )
    task = await admin.call(
        "mutation($i: CreateTaskInput!) { createTask(input: $i) { id } }",
        {
            "i": {
                "name": unique("t"),
                "bindings": [
                    {"channelId": channel["createChannel"]["id"], "options": {"usernames": [username]}}
                ],
            }
        },
    )
    sent = await send(admin, taskId=task["createTask"]["id"], title="Hello", markdown="**welcome**")
    message = await settled(admin, sent["message"]["id"])
    assert message["status"] == "SUCCEEDED"
    [item] = await InboxItem.filter(message_id=sent["message"]["id"]).prefetch_related("user")
    assert item.user.username == username and item.body == "**welcome**" and item.format == "markdown"


async def test_group_send_to_many_receivers(admin: GraphQLClient) -> None:
    names = []
    for _ in range(3):
        _, name = await new_member(admin)
        names.append(name)
    channel = await admin.call(
        "mutation($i: CreateChannelInput!) { createChannel(input: $i) { id } }",
        {"i": {"name": unique("inbox"), "type": "inbox", "config": {}}},
    )
    task = await admin.call(
        "mutation($i: CreateTaskInput!) { createTask(input: $i) { id } }",
        {
            "i": {
                "name": unique("t"),
                "bindings": [{"channelId": channel["createChannel"]["id"], "acceptsReceivers": True}],
            }
        },
    )
    sent = await send(admin, taskId=task["createTask"]["id"], text="all hands", recipients=names)
    assert len(sent["message"]["deliveries"]) == 1  # 500 receivers per inbox delivery
    await settled(admin, sent["message"]["id"])
    assert await InboxItem.filter(message_id=sent["message"]["id"]).count() == 3


async def test_attempt_rows_match_deliveries(admin: GraphQLClient, sink: WebhookSink) -> None:
    task_id, path = await webhook_task(admin, sink)
    ids = [(await send(admin, taskId=task_id, text=f"n{i}"))["message"]["id"] for i in range(20)]
    for message_id in ids:
        await settled(admin, message_id)
    deliveries = await Delivery.filter(message_id__in=ids)
    assert all(d.status == "succeeded" for d in deliveries)
    assert await DeliveryAttempt.filter(delivery_id__in=[d.id for d in deliveries]).count() == 20
    assert len(sink.received[path]) == 20


BATCH = """mutation($i: [SendMessageInput!]!) { sendMessages(inputs: $i) { index duplicate
  message { id status } error { code field message } } }"""


async def test_batch_sends_each_entry_on_its_own(admin: GraphQLClient, sink: WebhookSink) -> None:
    task_id, path = await webhook_task(admin, sink)
    key = unique("batch-key")
    inputs = [{"taskId": task_id, "text": f"bulk {n}"} for n in range(50)]
    inputs += [
        {"taskId": 999_999, "text": "nowhere"},
        {"taskId": task_id},
        {"taskId": task_id, "text": "k", "idempotencyKey": key},
    ]
    items = (await admin.call(BATCH, {"i": inputs}))["sendMessages"]
    assert [i["index"] for i in items] == list(range(53))
    assert all(i["message"] and i["error"] is None for i in items[:50])
    assert items[50]["error"] == {"code": "NOT_FOUND", "field": "taskId", "message": "no task with this id"}
    assert items[51]["error"]["code"] == "BAD_INPUT" and items[51]["message"] is None
    await sink.wait_for(path, 51)
    for item in items[:50] + items[52:]:
        await settled(admin, item["message"]["id"])
    again = await admin.call(BATCH, {"i": [{"taskId": task_id, "text": "k", "idempotencyKey": key}]})
    assert again["sendMessages"][0]["duplicate"] is True
    assert again["sendMessages"][0]["message"]["id"] == items[52]["message"]["id"]
    error = await admin.fails(BATCH, {"i": []})
    assert code_and_field(error) == {"code": "BAD_INPUT", "field": "inputs"}


LIVE_ROWS = (
    "query($ids: [Int!]) { messages(first: 100, filter: {ids: $ids}) { totalCount nodes { id status } } }"
)


async def test_a_live_view_refreshes_just_its_rows(admin: GraphQLClient, sink: WebhookSink) -> None:
    task_id, _ = await webhook_task(admin, sink)
    ids = [(await send(admin, taskId=task_id, text=f"row {n}"))["message"]["id"] for n in range(3)]
    found = (await admin.call(LIVE_ROWS, {"ids": ids[:2]}))["messages"]
    assert found["totalCount"] == 2 and {n["id"] for n in found["nodes"]} == set(ids[:2])
    error = await admin.fails(LIVE_ROWS, {"ids": list(range(1, 102))})
    assert error["extensions"]["code"] == "BAD_INPUT" and error["extensions"]["field"] == "filter.ids"


async def test_another_users_messages_are_not_in_a_batch(
    admin: GraphQLClient, member: GraphQLClient, sink: WebhookSink
) -> None:
    task_id, _ = await webhook_task(admin, sink)
    mine = (await send(admin, taskId=task_id, text="admin's"))["message"]["id"]
    assert (await member.call(LIVE_ROWS, {"ids": [mine]}))["messages"]["totalCount"] == 0


async def test_resend_failed_announces_queued_before_sending(admin: GraphQLClient, sink: WebhookSink) -> None:
    from tests.e2e.test_subscriptions import EVENTS, statuses_until_final, ws_url
    from tests.fakes.gql_ws import subscribe

    task_id, path = await webhook_task(admin, sink)
    sink.script(path, Reply(status=404))
    message_id = (await send(admin, taskId=task_id, text="x"))["message"]["id"]
    assert (await settled(admin, message_id))["status"] == "FAILED"
    sink.script(path, Reply(status=200))
    assert admin.token
    async with subscribe(ws_url(admin), admin.token, EVENTS, {"m": message_id}) as sub:
        await admin.call(
            "mutation($m: Int!) { resendFailed(messageId: $m) { id status } }", {"m": message_id}
        )
        events = await statuses_until_final(sub)
    live = [e["status"] for e in events if not e["resumed"]]
    assert live[:2] == ["QUEUED", "SENDING"] and live[-1] == "SUCCEEDED", events
