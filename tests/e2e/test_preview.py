"""previewTemplate: what each bound channel would get, with unsaved edits and missing values."""

from __future__ import annotations

from tests.helpers import GraphQLClient, unique

PREVIEW = """mutation($i: PreviewTemplateInput!) { previewTemplate(input: $i) {
  title missing channels { channelName channelType format body sizeBytes limitBytes warnings
  notes { code message args } } } }"""


async def make_template(admin: GraphQLClient) -> int:
    hook = await admin.call(
        "mutation($i: CreateChannelInput!) { createChannel(input: $i) { id } }",
        {"i": {"name": unique("hook"), "type": "webhook", "config": {"url": "https://hooks.example.com/in"}}},
    )
    ding = await admin.call(
        "mutation($i: CreateChannelInput!) { createChannel(input: $i) { id } }",
        {"i": {"name": unique("ding"), "type": "dingtalk", "config": {"access_token": "t"}}},
    )
    template = await admin.call(
        "mutation($i: CreateTemplateInput!) { createTemplate(input: $i) { id } }",
        {
            "i": {
                "name": unique("tpl"),
                "title": "{{svc}} down",
                "markdownBody": "**{{svc}}** is down since {{t}}",
                "placeholders": [{"key": "svc"}, {"key": "t", "default": "now"}],
                "bindings": [
                    {"channelId": hook["createChannel"]["id"], "format": "TEXT"},
                    {"channelId": ding["createChannel"]["id"], "format": "MARKDOWN"},
                ],
            }
        },
    )
    return int(template["createTemplate"]["id"])


async def test_each_channel_gets_its_format(admin: GraphQLClient) -> None:
    template_id = await make_template(admin)
    data = await admin.call(PREVIEW, {"i": {"templateId": template_id, "variables": {"svc": "db"}}})
    preview = data["previewTemplate"]
    assert preview["title"] == "db down" and preview["missing"] == []
    hook, ding = preview["channels"]
    assert hook["format"] == "TEXT" and hook["body"] == "db is down since now"
    assert "no text body" in hook["warnings"][0]
    assert ding["format"] == "MARKDOWN" and ding["body"] == "**db** is down since now"
    assert ding["limitBytes"] == 20000 and ding["warnings"] == []


async def test_missing_values_and_unsaved_edits(admin: GraphQLClient) -> None:
    template_id = await make_template(admin)
    data = await admin.call(
        PREVIEW, {"i": {"templateId": template_id, "markdownBody": "{{svc}} {{extra}}" + "长" * 7000}}
    )
    preview = data["previewTemplate"]
    assert preview["missing"] == ["extra", "svc"]
    ding = preview["channels"][1]
    assert ding["sizeBytes"] > 20000 and "over DingTalk robot's limit" in ding["warnings"][0]
    # The same finding with a code and its values, for clients that word it themselves (the console, in Chinese).
    [too_large] = ding["notes"]
    assert too_large["code"] == "body_too_large" and too_large["message"] == ding["warnings"][0]
    assert too_large["args"] == {"size": ding["sizeBytes"], "limit": 20000, "channelType": "dingtalk"}


async def test_preview_of_another_users_template_is_not_found(
    admin: GraphQLClient, member: GraphQLClient
) -> None:
    template_id = await make_template(admin)
    error = await member.fails(PREVIEW, {"i": {"templateId": template_id}})
    assert error["extensions"]["code"] == "NOT_FOUND"


async def test_templates_carry_lint_warnings_per_channel(admin: GraphQLClient) -> None:
    template_id = await make_template(admin)
    data = await admin.call(
        "mutation($id: Int!, $i: UpdateTemplateInput!) { updateTemplate(id: $id, input: $i) "
        "{ warnings { channelName message code args } } }",
        {"id": template_id, "i": {"markdownBody": "长" * 7000}},
    )
    warnings = data["updateTemplate"]["warnings"]
    assert any("over DingTalk robot's limit" in w["message"] for w in warnings)
    assert any("no text body" in w["message"] for w in warnings)
    assert all(w["channelName"] for w in warnings)
    codes = {w["code"]: w["args"] for w in warnings}
    assert codes["body_converted"] == {"format": "text", "channelType": "webhook"}
    assert codes["body_too_large"]["limit"] == 20000
