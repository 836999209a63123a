"""One message to a task bound to every required channel reaches every fake vendor at once."""

from __future__ import annotations

import json
import secrets
from typing import Any

from schema.models import InboxItem
from tests.conftest import free_port
from tests.e2e.channels.conftest import send_and_settle
from tests.fakes.dingtalk import FakeDingTalk
from tests.fakes.smtp import PASSWORD, USER, FakeSmtp
from tests.fakes.webhook_sink import WebhookSink
from tests.fakes.wechat import FakeWeChat, openid
from tests.fakes.wecom import FakeWeCom
from tests.helpers import GraphQLClient, new_member, unique

TEMPLATE = "tpl-all-required-0001"


async def create_channel(client: GraphQLClient, type_key: str, config: dict[str, Any]) -> int:
    data = await client.call(
        "mutation($i: CreateChannelInput!) { createChannel(input: $i) { id } }",
        {"i": {"name": unique(type_key), "type": type_key, "config": config}},
    )
    return int(data["createChannel"]["id"])


async def test_every_required_channel_gets_the_message(admin: GraphQLClient, sink: WebhookSink) -> None:
    ding, wecom, wechat = FakeDingTalk(), FakeWeCom(), FakeWeChat(templates={TEMPLATE: {"title", "content"}})
    smtp = FakeSmtp("plain", free_port())
    for fake in (ding, wecom, wechat):
        await fake.start()
    smtp.start()
    try:
        _, member = await new_member(admin)
        follower = openid()
        wechat.followers.add(follower)
        robot = ding.robot("SEC" + secrets.token_hex(16), ())
        hook_path = f"/all/{secrets.token_hex(4)}"
        bindings = [
            {
                "channelId": await create_channel(
                    admin,
                    "email",
                    {
                        "host": "127.0.0.1",
                        "port": smtp.port,
                        "security": "plain",
                        "username": USER,
                        "password": PASSWORD,
                        "from_address": USER,
                    },
                ),
                "options": {"to": ["ops@example.com"]},
            },
            {
                "channelId": await create_channel(
                    admin,
                    "dingtalk",
                    {"base_url": ding.base_url, "access_token": robot.token, "secret": robot.secret},
                )
            },
            {
                "channelId": await create_channel(
                    admin, "wecom_robot", {"base_url": wecom.base_url, "key": (key := wecom.robot())}
                )
            },
            {
                "channelId": await create_channel(
                    admin,
                    "wechat_oa",
                    {
                        "base_url": wechat.base_url,
                        "app_id": wechat.app_id,
                        "app_secret": wechat.app_secret,
                        "template_id": TEMPLATE,
                    },
                ),
                "options": {"openids": [follower]},
            },
            {"channelId": await create_channel(admin, "webhook", {"url": sink.url(hook_path)})},
            {"channelId": await create_channel(admin, "inbox", {}), "options": {"usernames": [member]}},
        ]
        task = await admin.call(
            "mutation($i: CreateTaskInput!) { createTask(input: $i) { id } }",
            {"i": {"name": unique("everyone"), "bindings": bindings}},
        )
        sent = await send_and_settle(
            admin,
            int(task["createTask"]["id"]),
            title="Release 2.0",
            text="Release 2.0 is out",
            markdown="**Release 2.0** is out",
        )
        assert sent.message["status"] == "SUCCEEDED", sent.message
        deliveries = sent.message["deliveries"]
        assert len(deliveries) == 6
        for delivery in deliveries:
            assert delivery["status"] == "SUCCEEDED" and delivery["history"][-1]["vendorResponse"], delivery
        assert len(smtp.handler.mails) == 1 and "ops@example.com" in smtp.handler.mails[0].rcpt_tos
        assert len(ding.messages(robot.token)) == 1
        assert len(wecom.messages(key)) == 1
        assert len([s for s in wechat.sent if s.touser == follower]) == 1
        assert json.loads(sink.received[hook_path][0].body)["data"]["title"] == "Release 2.0"
        assert await InboxItem.filter(message_id=sent.message_id, user__username=member).count() == 1
    finally:
        smtp.stop()
        for fake in (ding, wecom, wechat):
            await fake.stop()
