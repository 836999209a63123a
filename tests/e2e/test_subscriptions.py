"""Subscriptions over graphql-transport-ws against the served app (all-in-one mode)."""

from __future__ import annotations

from typing import Any

from tests.e2e.test_delivery import webhook_task
from tests.fakes.gql_ws import subscribe
from tests.fakes.webhook_sink import Reply, WebhookSink
from tests.helpers import GraphQLClient, code_and_field, new_member, settled_message, unique

EVENTS = """subscription($m: Int, $t: Int, $a: String) { messageEvents(messageId: $m, taskId: $t, after: $a) {
  cursor messageId deliveryId status attempt errorClass resumed progress { total succeeded failed remaining } } }"""
INBOX = "subscription($a: String) { inbox(after: $a) { cursor kind itemIds unreadCount } }"
DASHBOARD = (
    "subscription { dashboard { sent succeeded failed inFlight successRate channels { channelType sent } } }"
)
SEND = "mutation($i: SendMessageInput!) { sendMessage(input: $i) { message { id } } }"
STATUS = "query($id: Int!) { message(id: $id) { status } }"


def ws_url(client: GraphQLClient) -> str:
    return str(client.http.base_url).replace("http://", "ws://").rstrip("/") + "/graphql"


async def statuses_until_final(sub: Any, count: int = 1) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = []
    finals = 0
    while finals < count:
        event = (await sub.next())["messageEvents"]
        events.append(event)
        finals += event["status"] in ("SUCCEEDED", "FAILED", "UNKNOWN")
    return events


async def test_every_state_change_arrives_in_order(admin: GraphQLClient, sink: WebhookSink) -> None:
    task_id, path = await webhook_task(admin, sink)
    sink.script(path, Reply(status=500), Reply(status=200))
    assert admin.token
    mark = admin.server_events.started
    async with subscribe(ws_url(admin), admin.token, EVENTS, {"t": task_id}) as sub:
        await admin.server_events.subscribed(mark)  # the server listens: send now
        await admin.call(SEND, {"i": {"taskId": task_id, "text": "watch me"}})
        events = await statuses_until_final(sub)
    assert [e["status"] for e in events] == ["QUEUED", "SENDING", "RETRYING", "SENDING", "SUCCEEDED"]
    assert [e["attempt"] for e in events] == [0, 1, 1, 2, 2]
    assert events[2]["errorClass"] == "retryable"
    cursors = [e["cursor"] for e in events]
    assert cursors == sorted(cursors, key=lambda c: tuple(int(x) for x in c.split("-")))


async def test_message_subscription_reports_progress(admin: GraphQLClient, sink: WebhookSink) -> None:
    task_id, path = await webhook_task(admin, sink)
    sink.script(path, Reply(delay=0.3))
    sent = await admin.call(SEND, {"i": {"taskId": task_id, "text": "slow"}})
    message_id = sent["sendMessage"]["message"]["id"]
    assert admin.token
    async with subscribe(ws_url(admin), admin.token, EVENTS, {"m": message_id}) as sub:
        events = await statuses_until_final(sub)
    assert events[-1]["progress"] == {"total": 1, "succeeded": 1, "failed": 0, "remaining": 0}


async def test_reconnecting_with_a_cursor_misses_nothing(admin: GraphQLClient, sink: WebhookSink) -> None:
    task_id, _ = await webhook_task(admin, sink)
    assert admin.token
    mark = admin.server_events.started
    async with subscribe(ws_url(admin), admin.token, EVENTS, {"t": task_id}) as sub:
        await admin.server_events.subscribed(mark)  # the server listens: send now
        await admin.call(SEND, {"i": {"taskId": task_id, "text": "one"}})
        first = (await sub.next())["messageEvents"]
    # Disconnected: three more messages are sent, and delivered, meanwhile.
    for n in range(3):
        sent = await admin.call(SEND, {"i": {"taskId": task_id, "text": f"while away {n}"}})
        await settled_message(admin, STATUS, sent["sendMessage"]["message"]["id"])
    async with subscribe(ws_url(admin), admin.token, EVENTS, {"t": task_id, "a": first["cursor"]}) as sub:
        seen = [(await sub.next())["messageEvents"] for _ in range(2 + 3 * 3)]
    # The rest of the first message, then every change of the three sent while away, each in order.
    by_message: dict[int, list[str]] = {}
    for event in seen:
        by_message.setdefault(event["messageId"], []).append(event["status"])
    assert by_message.pop(first["messageId"]) == ["SENDING", "SUCCEEDED"]
    assert list(by_message.values()) == [["QUEUED", "SENDING", "SUCCEEDED"]] * 3
    assert len({e["cursor"] for e in seen}) == len(seen)


async def test_another_users_events_never_arrive(admin: GraphQLClient, sink: WebhookSink) -> None:
    member, _ = await new_member(admin)
    task_id, _ = await webhook_task(admin, sink)
    mine_task, _ = await webhook_task(member, sink)
    assert member.token
    mark = member.server_events.started
    async with subscribe(ws_url(member), member.token, EVENTS, {}) as sub:
        await member.server_events.subscribed(mark)  # the server listens: send now
        await admin.call(SEND, {"i": {"taskId": task_id, "text": "not for the member"}})
        await member.call(SEND, {"i": {"taskId": mine_task, "text": "mine"}})
        events = await statuses_until_final(sub)
    assert {e["messageId"] for e in events} == {events[0]["messageId"]}
    # And a member cannot follow the admin's task at all.
    async with subscribe(ws_url(member), member.token, EVENTS, {"t": task_id}) as sub:
        errors = await sub.error()
    assert errors[0]["extensions"]["code"] == "NOT_FOUND"


async def test_inbox_subscription_sees_only_your_items(admin: GraphQLClient) -> None:
    member, name = await new_member(admin)
    other, other_name = await new_member(admin)
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
    assert member.token
    async with subscribe(ws_url(member), member.token, INBOX) as sub:
        snapshot = (await sub.next())["inbox"]
        assert snapshot["kind"] == "snapshot" and snapshot["unreadCount"] == 0
        await admin.call(
            SEND,
            {"i": {"taskId": task["createTask"]["id"], "text": "for the other", "recipients": [other_name]}},
        )
        await admin.call(
            SEND, {"i": {"taskId": task["createTask"]["id"], "text": "hello", "recipients": [name]}}
        )
        new = (await sub.next())["inbox"]
        assert new["kind"] == "new" and new["unreadCount"] == 1
        listed = await member.call("{ inbox(unreadOnly: true) { totalCount nodes { id body } } unreadCount }")
        assert listed["unreadCount"] == 1 and listed["inbox"]["nodes"][0]["body"] == "hello"
        assert listed["inbox"]["nodes"][0]["id"] == new["itemIds"][0]
        await member.call(
            "mutation($ids: [Int!]!) { markInboxRead(ids: $ids) { changed unreadCount } }",
            {"ids": new["itemIds"]},
        )
        read = (await sub.next())["inbox"]
        assert read["kind"] == "read" and read["unreadCount"] == 0
    assert (await other.call("{ unreadCount }"))["unreadCount"] == 1


async def test_dashboard_updates_live(admin: GraphQLClient, sink: WebhookSink) -> None:
    task_id, _ = await webhook_task(admin, sink)
    assert admin.token
    async with subscribe(ws_url(admin), admin.token, DASHBOARD) as sub:
        first = (await sub.next())["dashboard"]
        await admin.call(SEND, {"i": {"taskId": task_id, "text": "count me"}})
        later = first
        while later["succeeded"] <= first["succeeded"]:
            later = (await sub.next())["dashboard"]
    assert later["sent"] >= first["sent"] + 1
    assert any(c["channelType"] == "webhook" for c in later["channels"])


async def test_inbox_mutations_check_input(member: GraphQLClient) -> None:
    error = await member.fails("mutation { markInboxRead(ids: []) { changed } }")
    assert code_and_field(error) == {"code": "BAD_INPUT", "field": "ids"}
    data = await member.call("mutation { markInboxRead(ids: [999999]) { changed } }")
    assert data["markInboxRead"]["changed"] == 0
