"""No secret reaches the log (issue 11): a real `pushnest serve` sends through every channel type,
at INFO and DEBUG, as text and JSON, and its whole output is searched for every configured secret
and every access token a vendor issued.

Before issue 11, httpx's INFO line "HTTP Request: POST https://…?access_token=…" carried WeCom's
`corpsecret`, WeChat's `secret`, DingTalk's and WeCom's tokens, the Feishu hook token and the
Telegram bot token, and uvicorn's access log carried `GET /api/send?key=pn_…`.
"""

from __future__ import annotations

import base64
import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from schema.channels.registry import all_channel_types, get_channel_type
from tests.conftest import free_port
from tests.e2e.channels.test_simple_vendors import PHONES, VENDORS
from tests.fakes.dingtalk import FakeDingTalk
from tests.fakes.feishu import FakeFeishu
from tests.fakes.simple_vendors import SimpleVendors
from tests.fakes.smtp import PASSWORD, USER, FakeSmtp
from tests.fakes.webhook_sink import WebhookSink
from tests.fakes.wechat import FakeWeChat, openid
from tests.fakes.wecom import FakeWeCom
from tests.helpers import ADMIN_PASSWORD, GraphQLClient, settled_message, unique
from tests.process import served

TEMPLATE = "tpl-log-secrets-0001"
CREATE = "mutation($i: CreateChannelInput!) { createChannel(input: $i) { id } }"
TASK = "mutation($i: CreateTaskInput!) { createTask(input: $i) { id } }"
SEND = "mutation($i: SendMessageInput!) { sendMessage(input: $i) { message { id } } }"
MESSAGE = "query($id: Int!) { message(id: $id) { status deliveries { channelType status lastError } } }"
TEST = "mutation($id: Int!) { testChannel(id: $id) { ok message } }"
CREATE_KEY = "mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { key } }"


@dataclass
class Fakes:
    simple: SimpleVendors
    ding: FakeDingTalk
    wecom: FakeWeCom
    wechat: FakeWeChat
    feishu: FakeFeishu
    smtp: FakeSmtp
    sink: WebhookSink

    def issued_tokens(self) -> list[str]:
        """Access tokens the vendors handed out: secrets PushNest holds without being given them."""
        return [*self.wecom.tokens, *self.wechat.issued]


@dataclass
class Bound:
    """One channel bound to the task, the secrets it was given, and what its binding needs."""

    type_key: str
    config: dict[str, Any]
    binding: dict[str, Any] = field(default_factory=dict)


@pytest.fixture(scope="module")
async def fakes() -> AsyncIterator[Fakes]:
    made = Fakes(
        SimpleVendors(),
        FakeDingTalk(),
        FakeWeCom(),
        FakeWeChat(templates={TEMPLATE: {"title", "content"}}),
        FakeFeishu(),
        FakeSmtp("plain", free_port()),
        WebhookSink(),
    )
    for fake in (made.simple, made.ding, made.wecom, made.wechat, made.feishu, made.sink):
        await fake.start()
    made.smtp.start()
    yield made
    made.smtp.stop()
    for fake in (made.simple, made.ding, made.wecom, made.wechat, made.feishu, made.sink):
        await fake.stop()


def every_channel(fakes: Fakes) -> list[Bound]:
    """A channel of every type that sends, each with fresh secrets, pointed at its fake vendor."""
    follower = openid()
    fakes.wechat.followers.add(follower)
    robot = fakes.ding.robot("SEC" + secrets.token_hex(16))
    app = fakes.wecom.app()
    feishu_token, feishu_secret = secrets.token_hex(16), secrets.token_hex(8)
    fakes.feishu.add_bot(feishu_token, feishu_secret)
    bound = [
        Bound(
            "email",
            {
                "host": "127.0.0.1",
                "port": fakes.smtp.port,
                "security": "plain",
                "username": USER,
                "password": PASSWORD,
                "from_address": USER,
            },
            {"options": {"to": ["ops@example.com"]}},
        ),
        Bound(
            "dingtalk", {"base_url": fakes.ding.base_url, "access_token": robot.token, "secret": robot.secret}
        ),
        Bound("wecom_robot", {"base_url": fakes.wecom.base_url, "key": fakes.wecom.robot()}),
        Bound(
            "wechat_oa",
            {
                "base_url": fakes.wechat.base_url,
                "app_id": fakes.wechat.app_id,
                "app_secret": fakes.wechat.app_secret,
                "template_id": TEMPLATE,
            },
            {"options": {"openids": [follower]}},
        ),
        Bound(
            "webhook",
            {
                "url": fakes.sink.url(f"/logged/{secrets.token_hex(4)}?token=q-" + secrets.token_hex(8)),
                "headers": ["Authorization: Bearer hdr-" + secrets.token_hex(10)],
                "signing_secret": "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode(),
            },
        ),
        Bound(
            "wecom_app",
            {
                "base_url": fakes.wecom.base_url,
                "corp_id": app.corp_id,
                "corp_secret": app.secret,
                "agent_id": app.agent_id,
            },
            {"options": {"touser": ["zhangsan"]}},
        ),
        Bound("feishu", {"base_url": fakes.feishu.base_url, "token": feishu_token, "secret": feishu_secret}),
    ]
    for vendor in VENDORS:
        bound.append(Bound(vendor.type_key, vendor.account(fakes.simple).config, vendor.binding))
    return bound


def configured_secrets(bound: list[Bound]) -> list[str]:
    """Every secret value given to a channel, and the parts a URL or header carries alone."""
    found = []
    for channel in bound:
        model = get_channel_type(channel.type_key).config_model.model_validate(channel.config)
        for name in get_channel_type(channel.type_key).secret_names():
            value = channel.config.get(name)
            found += value if isinstance(value, list) else [value] if value else []
        found += list(getattr(model, "secret_parts", lambda: ())())
        if channel.type_key == "slack":
            found.append(channel.config["webhook_path"].rsplit("/", 1)[1])
        if channel.type_key == "webhook":
            found.append(channel.config["url"].rsplit("token=", 1)[1])
    # SMTP AUTH PLAIN carries the password base64-encoded.
    found.append(base64.b64encode(f"\0{USER}\0{PASSWORD}".encode()).decode())
    return [s for s in found if len(s) >= 6]


async def deliver_everything(admin: GraphQLClient, bound: list[Bound]) -> None:
    ids = [
        int(
            (
                await admin.call(
                    CREATE, {"i": {"name": unique(b.type_key), "type": b.type_key, "config": b.config}}
                )
            )["createChannel"]["id"]
        )
        for b in bound
    ]
    bindings = [{"channelId": i} | b.binding for i, b in zip(ids, bound, strict=True)]
    task = await admin.call(TASK, {"i": {"name": unique("all"), "bindings": bindings}})
    sent = await admin.call(
        SEND,
        {
            "i": {
                "taskId": task["createTask"]["id"],
                "title": "Release",
                "text": "v2 is out",
                "markdown": "**v2** is out",
                "recipients": PHONES,
            }
        },
    )
    message = await settled(admin, int(sent["sendMessage"]["message"]["id"]))
    failed = [d for d in message["deliveries"] if d["status"] != "SUCCEEDED"]
    assert message["status"] == "SUCCEEDED", failed
    assert {d["channelType"] for d in message["deliveries"]} == {b.type_key for b in bound}
    for channel_id in ids:  # the API process sends too
        await admin.call(TEST, {"id": channel_id})


async def settled(client: GraphQLClient, message_id: int, timeout: float = 30.0) -> dict[str, Any]:
    return await settled_message(client, MESSAGE, message_id, timeout)


@pytest.mark.parametrize(("level", "fmt"), [("INFO", "text"), ("DEBUG", "text"), ("DEBUG", "json")])
async def test_no_secret_in_the_log_of_a_send_through_every_channel(
    fakes: Fakes, tmp_path: Path, level: str, fmt: str
) -> None:
    bound = every_channel(fakes)
    assert {b.type_key for b in bound} == {ct.key for ct in all_channel_types()} - {"inbox"}
    env = {
        "PUSHNEST_ALLOW_PRIVATE_TARGETS": "true",
        "PUSHNEST_LOG_LEVEL": level,
        "PUSHNEST_LOG_FORMAT": fmt,
        "PUSHNEST_SEND_TIMEOUT_SECONDS": "5",
    }
    async with served(tmp_path, **env) as (server, admin):
        await deliver_everything(admin, bound)
        key = (await admin.call(CREATE_KEY, {"i": {"name": unique("k"), "scope": "ALL"}}))["createApiKey"][
            "key"
        ]
        await admin.http.get("/api/send", params={"key": key, "title": "t", "text": "x"})
        token = admin.token or ""
    log = server.output()
    leaked = [
        s
        for s in [*configured_secrets(bound), *fakes.issued_tokens(), key, token, ADMIN_PASSWORD]
        if s in log
    ]
    assert not leaked, f"{len(leaked)} secrets in the {level} {fmt} log, e.g. {leaked[0][:6]}…"
    # The lines that used to carry them are there, masked: the search above looked at real output.
    assert fakes.issued_tokens() and "HTTP Request: POST" in log and "access_token=********" in log
    assert "/api/send?key=********" in log
