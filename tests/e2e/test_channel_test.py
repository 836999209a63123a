"""testChannel: one real send through the channel, the vendor's answer returned at once."""

from __future__ import annotations

import json
import secrets

from schema.models import AuditLog, InboxItem
from tests.fakes.webhook_sink import Reply, WebhookSink
from tests.helpers import GraphQLClient, unique

TEST = """mutation($id: Int!, $r: [String!]) { testChannel(id: $id, receivers: $r) {
  ok errorClass message vendorResponse latencyMs } }"""
CREATE = "mutation($i: CreateChannelInput!) { createChannel(input: $i) { id } }"


async def hook(admin: GraphQLClient, sink: WebhookSink, **config: object) -> tuple[int, str]:
    path = f"/test/{secrets.token_hex(4)}"
    data = await admin.call(
        CREATE, {"i": {"name": unique("hook"), "type": "webhook", "config": {"url": sink.url(path)} | config}}
    )
    return int(data["createChannel"]["id"]), path


async def test_a_good_channel_reports_the_vendors_answer(admin: GraphQLClient, sink: WebhookSink) -> None:
    channel_id, path = await hook(admin, sink)
    result = (await admin.call(TEST, {"id": channel_id}))["testChannel"]
    assert result["ok"] is True and result["vendorResponse"].startswith("HTTP 200")
    [request] = await sink.wait_for(path, 1)
    assert "test message from PushNest" in json.loads(request.body)["data"]["body"]
    assert await AuditLog.filter(action="channel.test", object_id=str(channel_id)).exists()


async def test_a_failing_channel_says_why_without_secrets(admin: GraphQLClient, sink: WebhookSink) -> None:
    secret = "whsec_" + "A" * 32
    channel_id, path = await hook(admin, sink, signing_secret=secret)
    sink.script(path, Reply(status=401, body=f'{{"error":"bad signature with {secret}"}}'))
    result = (await admin.call(TEST, {"id": channel_id}))["testChannel"]
    assert result["ok"] is False and result["errorClass"] == "permanent"
    assert "bad signature" in result["vendorResponse"] and secret not in result["vendorResponse"]


async def test_inbox_test_lands_in_the_testers_inbox(admin: GraphQLClient) -> None:
    data = await admin.call(CREATE, {"i": {"name": unique("inbox"), "type": "inbox", "config": {}}})
    before = await InboxItem.filter(user__username="admin").count()
    result = (await admin.call(TEST, {"id": data["createChannel"]["id"]}))["testChannel"]
    assert result["ok"] is True
    assert await InboxItem.filter(user__username="admin").count() == before + 1


async def test_other_users_channels_cannot_be_tested(
    admin: GraphQLClient, member: GraphQLClient, sink: WebhookSink
) -> None:
    channel_id, path = await hook(admin, sink)
    error = await member.fails(TEST, {"id": channel_id})
    assert error["extensions"]["code"] == "NOT_FOUND"
    assert not sink.received[path]
