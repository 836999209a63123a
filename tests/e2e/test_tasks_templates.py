"""Tasks and templates with their bindings, and cursor pagination over them."""

from __future__ import annotations

from typing import Any

from schema.models import Binding, Task, Template
from tests.helpers import GraphQLClient, code_and_field, unique

CREATE_CHANNEL = "mutation($i: CreateChannelInput!) { createChannel(input: $i) { id } }"
BINDING_FIELDS = "bindings { channelId channelName channelType format options mentionMobiles mentionAll acceptsReceivers enabled }"
CREATE_TASK = (
    f"mutation($i: CreateTaskInput!) {{ createTask(input: $i) {{ id name enabled {BINDING_FIELDS} }} }}"
)
UPDATE_TASK = f"mutation($id: Int!, $i: UpdateTaskInput!) {{ updateTask(id: $id, input: $i) {{ id name description {BINDING_FIELDS} }} }}"
CREATE_TEMPLATE = f"""mutation($i: CreateTemplateInput!) {{ createTemplate(input: $i) {{
  id name title textBody htmlBody placeholders {{ key label default }} mentionAll {BINDING_FIELDS} }} }}"""
UPDATE_TEMPLATE = "mutation($id: Int!, $i: UpdateTemplateInput!) { updateTemplate(id: $id, input: $i) { id title placeholders { key } } }"


async def make_channel(client: GraphQLClient, type_key: str, config: dict[str, Any]) -> int:
    data = await client.call(
        CREATE_CHANNEL, {"i": {"name": unique(type_key), "type": type_key, "config": config}}
    )
    return int(data["createChannel"]["id"])


async def ding(client: GraphQLClient) -> int:
    return await make_channel(client, "dingtalk", {"access_token": "token-value"})


async def hook(client: GraphQLClient) -> int:
    return await make_channel(client, "webhook", {"url": "https://hooks.example.com/in"})


async def test_task_with_bindings_round_trips(admin: GraphQLClient) -> None:
    ding_id, hook_id = await ding(admin), await hook(admin)
    bindings = [
        {
            "channelId": ding_id,
            "format": "TEXT",
            "mentionMobiles": ["13800000000"],
            "mentionAll": True,
            "options": {"msgtype": "text"},
        },
        {"channelId": hook_id, "enabled": False},
    ]
    task = (await admin.call(CREATE_TASK, {"i": {"name": unique("task"), "bindings": bindings}}))[
        "createTask"
    ]
    first, second = task["bindings"]
    assert first["channelId"] == ding_id and first["format"] == "TEXT" and first["channelType"] == "dingtalk"
    assert first["mentionMobiles"] == ["13800000000"] and first["mentionAll"] is True
    assert first["options"] == {"msgtype": "text"}
    assert second["channelId"] == hook_id and second["enabled"] is False
    assert second["format"] == "TEXT"  # the webhook's first declared format
    fetched = await admin.call(
        f"query($id: Int!) {{ task(id: $id) {{ {BINDING_FIELDS} }} }}", {"id": task["id"]}
    )
    assert fetched["task"]["bindings"] == task["bindings"]


async def test_update_task_replaces_bindings_only_when_given(admin: GraphQLClient) -> None:
    ding_id, hook_id = await ding(admin), await hook(admin)
    task = await admin.call(CREATE_TASK, {"i": {"name": unique("t"), "bindings": [{"channelId": ding_id}]}})
    task_id = task["createTask"]["id"]
    kept = (await admin.call(UPDATE_TASK, {"id": task_id, "i": {"description": "about"}}))["updateTask"]
    assert kept["description"] == "about" and [b["channelId"] for b in kept["bindings"]] == [ding_id]
    replaced = await admin.call(UPDATE_TASK, {"id": task_id, "i": {"bindings": [{"channelId": hook_id}]}})
    assert [b["channelId"] for b in replaced["updateTask"]["bindings"]] == [hook_id]
    assert await Binding.filter(task_id=task_id).count() == 1


async def test_bad_bindings_are_refused_and_change_nothing(
    admin: GraphQLClient, member: GraphQLClient
) -> None:
    ding_id, hook_id = await ding(admin), await hook(admin)
    others = await hook(member)
    name = unique("t")
    cases = [
        ([{"channelId": 999_999}], "bindings.0.channelId"),
        ([{"channelId": others}], "bindings.0.channelId"),
        ([{"channelId": ding_id, "format": "HTML"}], "bindings.0.format"),
        ([{"channelId": hook_id, "mentionAll": True}], "bindings.0.mentionAll"),
        (
            [{"channelId": ding_id}, {"channelId": hook_id, "acceptsReceivers": True}],
            "bindings.1.acceptsReceivers",
        ),
        ([{"channelId": ding_id, "options": {"msgtype": "video"}}], "bindings.0.options.msgtype"),
        ([{"channelId": ding_id, "options": {"unknown": 1}}], "bindings.0.options.unknown"),
        ([{"channelId": ding_id, "mentionMobiles": ["1" * 65]}], "bindings.0.mentionMobiles.0"),
        ([{"channelId": ding_id}] * 51, "bindings"),
    ]
    for bindings, field in cases:
        error = await admin.fails(CREATE_TASK, {"i": {"name": name, "bindings": bindings}})
        assert error["extensions"]["code"] == "BAD_INPUT", (bindings, error)
        assert error["extensions"]["field"] == field, (bindings, error)
    assert not await Task.filter(name=name).exists()
    error = await admin.fails(CREATE_TASK, {"i": {"name": "x" * 101}})
    assert code_and_field(error) == {"code": "BAD_INPUT", "field": "name"}
    error = await admin.fails(CREATE_TASK, {"i": {"name": unique("t"), "description": "d" * 2001}})
    assert code_and_field(error) == {"code": "BAD_INPUT", "field": "description"}


async def test_template_with_placeholders_and_bindings(admin: GraphQLClient) -> None:
    ding_id = await ding(admin)
    data = {
        "name": unique("tpl"),
        "title": "Deploy {{service}}",
        "textBody": "{{ service }} is {{state}}",
        "htmlBody": "<b>{{service}}</b>",
        "mentionAll": True,
        "placeholders": [{"key": "service", "label": "Service", "default": "api"}, {"key": "state"}],
        "bindings": [{"channelId": ding_id, "format": "MARKDOWN"}],
    }
    template = (await admin.call(CREATE_TEMPLATE, {"i": data}))["createTemplate"]
    assert template["title"] == "Deploy {{service}}"
    assert template["placeholders"] == [
        {"key": "service", "label": "Service", "default": "api"},
        {"key": "state", "label": "", "default": ""},
    ]
    assert template["bindings"][0]["format"] == "MARKDOWN"
    updated = await admin.call(UPDATE_TEMPLATE, {"id": template["id"], "i": {"title": "New {{service}}"}})
    assert updated["updateTemplate"]["title"] == "New {{service}}"
    assert [p["key"] for p in updated["updateTemplate"]["placeholders"]] == ["service", "state"]


async def test_bad_templates_are_refused(admin: GraphQLClient) -> None:
    name = unique("tpl")
    # The reason and args let the editor word each refusal in the console's language.
    cases = [
        (
            {"name": name, "placeholders": [{"key": "a"}, {"key": "a"}]},
            "placeholders",
            "duplicate_placeholders",
            {"keys": "a"},
        ),
        (
            {"name": name, "placeholders": [{"key": "has space"}]},
            "placeholders.0.key",
            "string_pattern_mismatch",
            {"pattern": "^[A-Za-z_][A-Za-z0-9_.-]{0,63}$"},
        ),
        ({"name": name, "title": "t" * 501}, "title", "string_too_long", {"max_length": 500}),
        ({"name": name, "textBody": "b" * 70_000}, "textBody", "string_too_long", {"max_length": 65_536}),
    ]
    for data, field, reason, args in cases:
        error = await admin.fails(CREATE_TEMPLATE, {"i": data})
        assert error["extensions"]["code"] == "BAD_INPUT", (field, error)
        assert error["extensions"]["field"] == field, (field, error)
        assert (error["extensions"]["reason"], error["extensions"]["args"]) == (reason, args), error
    assert not await Template.filter(name=name).exists()


async def test_members_cannot_touch_another_users_task(admin: GraphQLClient, member: GraphQLClient) -> None:
    task = (await admin.call(CREATE_TASK, {"i": {"name": unique("t")}}))["createTask"]
    error = await member.fails(UPDATE_TASK, {"id": task["id"], "i": {"name": "mine now"}})
    assert error["extensions"]["code"] == "NOT_FOUND"
    error = await member.fails("mutation($id: Int!) { deleteTask(id: $id) { id } }", {"id": task["id"]})
    assert error["extensions"]["code"] == "NOT_FOUND"
    assert (await Task.get(id=task["id"])).name == task["name"]


async def test_pagination_walks_every_task_once(member: GraphQLClient) -> None:
    names = [unique(f"p{i}") for i in range(5)]
    for name in names:
        await member.call(CREATE_TASK, {"i": {"name": name}})
    seen: list[str] = []
    after = None
    while True:
        data = await member.call(
            "query($a: String) { tasks(first: 2, after: $a) { totalCount edges { cursor node { name } } "
            "pageInfo { hasNextPage endCursor } } }",
            {"a": after},
        )
        page = data["tasks"]
        assert page["totalCount"] == 5
        seen += [e["node"]["name"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == list(reversed(names))  # newest first


async def test_bad_pagination_arguments(admin: GraphQLClient) -> None:
    for query, field in (
        ('{ tasks(after: "bm90LWEtY3Vyc29y") { totalCount } }', "after"),
        ("{ tasks(first: 0) { totalCount } }", "first"),
        ("{ templates(first: 101) { totalCount } }", "first"),
    ):
        error = await admin.fails(query)
        assert code_and_field(error) == {"code": "BAD_INPUT", "field": field}, query
