"""Bad sends get a typed error and create nothing."""

from __future__ import annotations

from typing import Any

from schema.models import Delivery, Message
from tests.helpers import GraphQLClient, unique

SEND = "mutation($i: SendMessageInput!) { sendMessage(input: $i) { message { id } } }"


async def make(client: GraphQLClient, mutation: str, data: dict[str, Any]) -> int:
    result = await client.call(
        f"mutation($i: {mutation}Input!) {{ {mutation[0].lower() + mutation[1:]}(input: $i) {{ id }} }}",
        {"i": data},
    )
    return int(next(iter(result.values()))["id"])


async def setup(admin: GraphQLClient) -> dict[str, int]:
    hook = await make(
        admin,
        "CreateChannel",
        {"name": unique("hook"), "type": "webhook", "config": {"url": "https://hooks.example.com/in"}},
    )
    ding = await make(
        admin, "CreateChannel", {"name": unique("ding"), "type": "dingtalk", "config": {"access_token": "t"}}
    )
    return {
        "task": await make(admin, "CreateTask", {"name": unique("t"), "bindings": [{"channelId": hook}]}),
        "ding_task": await make(
            admin, "CreateTask", {"name": unique("t"), "bindings": [{"channelId": ding}]}
        ),
        "off_task": await make(
            admin, "CreateTask", {"name": unique("t"), "enabled": False, "bindings": [{"channelId": hook}]}
        ),
        "empty_task": await make(admin, "CreateTask", {"name": unique("t")}),
        "template": await make(
            admin,
            "CreateTemplate",
            {
                "name": unique("tpl"),
                "textBody": "{{service}} is {{state}}",
                "placeholders": [{"key": "service"}, {"key": "state", "default": "up"}],
                "bindings": [{"channelId": hook}],
            },
        ),
        "off_template": await make(
            admin,
            "CreateTemplate",
            {"name": unique("tpl"), "textBody": "x", "enabled": False, "bindings": [{"channelId": hook}]},
        ),
    }


async def test_bad_sends_are_refused_and_write_nothing(admin: GraphQLClient, member: GraphQLClient) -> None:
    ids = await setup(admin)
    before = (await Message.all().count(), await Delivery.all().count())
    # (caller, input, code, field, reason): the reason names the rule, so a client can word it.
    cases: list[tuple[GraphQLClient, dict[str, Any], str, str | None, str | None]] = [
        (admin, {"taskId": 999_999, "text": "x"}, "NOT_FOUND", "taskId", None),
        (admin, {"text": "x"}, "BAD_INPUT", "taskId", "task_or_template"),
        (
            admin,
            {"taskId": ids["task"], "templateId": ids["template"], "text": "x"},
            "BAD_INPUT",
            "taskId",
            "task_or_template",
        ),
        (admin, {"taskId": ids["task"]}, "BAD_INPUT", "text", "no_body"),
        (admin, {"taskId": ids["off_task"], "text": "x"}, "BAD_INPUT", "taskId", "task_disabled"),
        (admin, {"taskId": ids["empty_task"], "text": "x"}, "BAD_INPUT", "taskId", "task_without_bindings"),
        (admin, {"templateId": ids["off_template"]}, "BAD_INPUT", "templateId", "template_disabled"),
        (
            admin,
            {"templateId": ids["template"], "variables": {"state": "down"}},
            "BAD_INPUT",
            "variables",
            "missing_variables",
        ),
        (admin, {"taskId": ids["ding_task"], "text": "长" * 7000}, "BAD_INPUT", "text", "body_too_large"),
        (admin, {"taskId": ids["task"], "text": "x" * 70_000}, "BAD_INPUT", "text", "string_too_long"),
        (
            admin,
            {"taskId": ids["task"], "text": "x", "url": "javascript:alert(1)"},
            "BAD_INPUT",
            "url",
            "http_url",
        ),
        (
            admin,
            {"taskId": ids["task"], "text": "x", "recipients": ["a@example.com"]},
            "BAD_INPUT",
            "recipients",
            "recipients_not_taken",
        ),
        (
            admin,
            {"taskId": ids["task"], "text": "x", "idempotencyKey": "k" * 201},
            "BAD_INPUT",
            "idempotencyKey",
            "string_too_long",
        ),
        (member, {"taskId": ids["task"], "text": "x"}, "NOT_FOUND", "taskId", None),
    ]
    for client, data, code, field, reason in cases:
        error = await client.fails(SEND, {"i": data})
        assert error["extensions"]["code"] == code, (data, error)
        assert error["extensions"].get("field") == field, (data, error)
        assert error["extensions"].get("reason") == reason, (data, error)
    assert (await Message.all().count(), await Delivery.all().count()) == before


async def test_missing_variables_are_named(admin: GraphQLClient) -> None:
    ids = await setup(admin)
    error = await admin.fails(SEND, {"i": {"templateId": ids["template"]}})
    assert error["extensions"]["missing"] == ["service"]
    assert error["extensions"]["args"] == {"names": "service"}


async def test_refusals_carry_the_values_their_words_need(admin: GraphQLClient) -> None:
    # The console words these itself (English and Chinese) from reason and args.
    ids = await setup(admin)
    too_large = await admin.fails(SEND, {"i": {"taskId": ids["ding_task"], "text": "长" * 7000}})
    args = too_large["extensions"]["args"]
    assert args["channelType"] == "dingtalk" and args["channelLabel"] == "DingTalk robot"
    assert args["size"] > args["limit"] == 20_000
    too_long = await admin.fails(
        SEND, {"i": {"taskId": ids["task"], "text": "x", "idempotencyKey": "k" * 201}}
    )
    assert too_long["extensions"]["args"] == {"max_length": 200}
    batch = await admin.call(
        "mutation($i: [SendMessageInput!]!) { sendMessages(inputs: $i) { error { code reason args } } }",
        {"i": [{"taskId": ids["off_task"], "text": "x"}]},
    )
    [item] = batch["sendMessages"]
    assert item["error"]["reason"] == "task_disabled"
    assert item["error"]["args"]["name"]


async def test_revoked_and_misscoped_keys_cannot_send(admin: GraphQLClient) -> None:
    ids = await setup(admin)
    made = await admin.call(
        "mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { key apiKey { id } } }",
        {"i": {"name": unique("k"), "scope": "TASK", "taskId": ids["task"]}},
    )
    service = admin.as_(made["createApiKey"]["key"])
    before = await Message.all().count()
    error = await service.fails(SEND, {"i": {"templateId": ids["template"], "variables": {"service": "db"}}})
    assert error["extensions"]["code"] == "NOT_FOUND"
    assert (await service.call(SEND, {"i": {"taskId": ids["task"], "text": "ok"}}))["sendMessage"]["message"][
        "id"
    ]
    await admin.call(
        "mutation($id: Int!) { revokeApiKey(id: $id) { id } }", {"id": made["createApiKey"]["apiKey"]["id"]}
    )
    error = await service.fails(SEND, {"i": {"taskId": ids["task"], "text": "again"}})
    assert error["extensions"]["code"] == "UNAUTHENTICATED"
    assert await Message.all().count() == before + 1


async def test_template_values_are_rendered_and_html_escaped(admin: GraphQLClient) -> None:
    hook = await make(
        admin,
        "CreateChannel",
        {"name": unique("hook"), "type": "webhook", "config": {"url": "https://hooks.example.com/in"}},
    )
    template = await make(
        admin,
        "CreateTemplate",
        {
            "name": unique("tpl"),
            "title": "{{ service }} alert",
            "textBody": "{{service}}: {{state}}",
            "htmlBody": "<p>{{service}}</p>",
            "placeholders": [{"key": "service"}, {"key": "state", "default": "up"}],
            "bindings": [{"channelId": hook}],
        },
    )
    result = await admin.call(SEND, {"i": {"templateId": template, "variables": {"service": "<b>db</b>"}}})
    message = await Message.get(id=result["sendMessage"]["message"]["id"])
    assert message.title == "<b>db</b> alert" and message.text == "<b>db</b>: up"
    assert message.html == "<p>&lt;b&gt;db&lt;/b&gt;</p>"
