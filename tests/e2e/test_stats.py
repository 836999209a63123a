"""`stats(days)` against a known set of deliveries sent through the real pipeline (webhook sink).

A fresh member sends 4 messages through a task on channel A (all succeed) and 4 through a template
on channel B (the first two get a permanent HTTP 400): 8 final deliveries, 6 succeeded, 2 failed.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from datetime import UTC, datetime
from typing import Any

from tests.e2e.test_delivery import settled
from tests.fakes.webhook_sink import Reply, WebhookSink
from tests.helpers import GraphQLClient, code_and_field, new_member, unique

STATS = """query($d: Int!) { stats(days: $d) { days since sent succeeded failed unknown successRate
  channels { channelType channelId channelName sent succeeded failed unknown successRate }
  targets { taskId templateId name sent succeeded failed successRate }
  errorClasses { errorClass count } topErrors { errorClass error count }
  daily { day sent succeeded failed unknown }
  latency { channelType channelId channelName samples p50Ms p95Ms p99Ms } } }"""
SEND = "mutation($i: SendMessageInput!) { sendMessage(input: $i) { message { id } } }"


async def channel(client: GraphQLClient, sink: WebhookSink) -> tuple[int, str]:
    path = f"/stats/{secrets.token_hex(4)}"
    data = await client.call(
        "mutation($i: CreateChannelInput!) { createChannel(input: $i) { id } }",
        {"i": {"name": unique("hook"), "type": "webhook", "config": {"url": sink.url(path)}}},
    )
    return int(data["createChannel"]["id"]), path


async def stats_when(client: GraphQLClient, days: int, sent: int, timeout: float = 10.0) -> dict[str, Any]:
    """Counters are bumped just after a message settles: wait until they add up to `sent`."""
    deadline = time.monotonic() + timeout
    while True:
        result: dict[str, Any] = (await client.call(STATS, {"d": days}))["stats"]
        if result["sent"] >= sent:
            return result
        assert time.monotonic() < deadline, result
        await asyncio.sleep(0.05)


async def test_stats_of_a_known_set_of_deliveries(admin: GraphQLClient, sink: WebhookSink) -> None:
    member, _ = await new_member(admin)
    empty = (await member.call(STATS, {"d": 7}))["stats"]
    assert empty["sent"] == 0 and empty["channels"] == [] and empty["successRate"] is None
    assert len(empty["daily"]) == 7 and all(d["sent"] == 0 for d in empty["daily"])

    a_id, a_path = await channel(member, sink)
    b_id, b_path = await channel(member, sink)
    task = await member.call(
        "mutation($i: CreateTaskInput!) { createTask(input: $i) { id } }",
        {"i": {"name": unique("task"), "bindings": [{"channelId": a_id}]}},
    )
    template = await member.call(
        "mutation($i: CreateTemplateInput!) { createTemplate(input: $i) { id name } }",
        {
            "i": {
                "name": unique("tpl"),
                "title": "t",
                "textBody": "hi {{who}}",
                "bindings": [{"channelId": b_id}],
            }
        },
    )
    task_id, template_id = int(task["createTask"]["id"]), int(template["createTemplate"]["id"])
    sink.script(
        b_path, Reply(status=400, body='{"error":"bad payload"}'), Reply(status=400), Reply(status=200)
    )
    for i in range(4):
        for fields in (
            {"taskId": task_id, "text": f"t{i}"},
            {"templateId": template_id, "variables": {"who": i}},
        ):
            sent = (await member.call(SEND, {"i": fields}))["sendMessage"]
            await settled(member, sent["message"]["id"])
    assert len(sink.received[a_path]) == 4 and len(sink.received[b_path]) == 4

    s = await stats_when(member, 1, 8)
    assert (s["days"], s["sent"], s["succeeded"], s["failed"], s["unknown"]) == (1, 8, 6, 2, 0)
    assert s["successRate"] == 0.75
    today = datetime.now(UTC).date().isoformat()
    assert s["since"] == today and s["daily"] == [
        {"day": today, "sent": 8, "succeeded": 6, "failed": 2, "unknown": 0}
    ]
    assert [(c["channelId"], c["sent"], c["succeeded"], c["failed"]) for c in s["channels"]] == [
        (a_id, 4, 4, 0),
        (b_id, 4, 2, 2),
    ]  # equal traffic: ties go by channel id, and A was created first
    assert s["channels"][1]["successRate"] == 0.5 and s["channels"][0]["channelType"] == "webhook"
    assert {(t["taskId"], t["templateId"], t["sent"], t["succeeded"], t["failed"]) for t in s["targets"]} == {
        (task_id, None, 4, 4, 0),
        (None, template_id, 4, 2, 2),
    }
    assert next(t for t in s["targets"] if t["templateId"])["name"] == template["createTemplate"]["name"]
    assert s["errorClasses"] == [{"errorClass": "permanent", "count": 2}]
    assert s["topErrors"] == [{"errorClass": "permanent", "error": "HTTP 400", "count": 2}]
    latency = {row["channelId"]: row for row in s["latency"]}
    assert latency.keys() == {a_id, b_id}
    for row in latency.values():
        assert row["samples"] == 4 and row["channelName"]
        assert 0 < row["p50Ms"] <= row["p95Ms"] <= row["p99Ms"]

    # An admin sees everyone's, this member's rows among them; another member sees none of it.
    everyone = await stats_when(admin, 1, 8)
    mine = {c["channelId"]: c["sent"] for c in everyone["channels"] if c["channelId"] in (a_id, b_id)}
    assert mine == {a_id: 4, b_id: 4} and everyone["sent"] >= 8
    other, _ = await new_member(admin)
    assert (await other.call(STATS, {"d": 30}))["stats"]["sent"] == 0
    week = (await member.call(STATS, {"d": 7}))["stats"]
    assert len(week["daily"]) == 7 and week["daily"][-1]["sent"] == 8 and week["sent"] == 8


async def test_days_out_of_range_is_bad_input(member: GraphQLClient) -> None:
    for days in (0, -1, 367):
        error = await member.fails(STATS, {"d": days})
        assert code_and_field(error) == {"code": "BAD_INPUT", "field": "days"}
    assert (await member.call("{ stats { days daily { day } } }"))["stats"]["days"] == 7


async def test_stats_need_a_signed_in_user(anonymous: GraphQLClient) -> None:
    error = await anonymous.fails(STATS, {"d": 1})
    assert error["extensions"]["code"] == "UNAUTHENTICATED"
