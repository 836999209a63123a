"""Channels over GraphQL: declared types, validated config, secrets sealed and never returned."""

from __future__ import annotations

from typing import Any

from schema.models import AuditLog, Channel
from tests.helpers import GraphQLClient, code_and_field, unique

CREATE = "mutation($i: CreateChannelInput!) { createChannel(input: $i) { id name type config enabled } }"
UPDATE = "mutation($id: Int!, $i: UpdateChannelInput!) { updateChannel(id: $id, input: $i) { id name config enabled } }"
DELETE = "mutation($id: Int!) { deleteChannel(id: $id) { id } }"
GET = "query($id: Int!) { channel(id: $id) { id name config } }"
TOKEN = "robot-access-token-0123456789"
SIGNING = "SEC0123456789abcdef"


def dingtalk(name: str | None = None, **config: Any) -> dict[str, Any]:
    return {
        "name": name or unique("ding"),
        "type": "dingtalk",
        "config": {"access_token": TOKEN, "secret": SIGNING} | config,
    }


async def test_channel_types_declare_fields_formats_and_limits(admin: GraphQLClient) -> None:
    data = await admin.call("""{ channelTypes { key label formats supportsMentions supportsReceivers
      receiverKind maxBodyBytes rateLimit { count perSeconds }
      configFields { name kind required options } bindingFields { name kind } } }""")
    types = {t["key"]: t for t in data["channelTypes"]}
    for key in ("email", "dingtalk", "wecom_robot", "wechat_oa", "webhook", "inbox"):
        assert key in types
    ding = types["dingtalk"]
    assert ding["formats"] == ["MARKDOWN", "TEXT"]
    assert ding["supportsMentions"] is True
    assert ding["rateLimit"] == {"count": 20, "perSeconds": 60}
    fields = {f["name"]: f for f in ding["configFields"]}
    assert fields["access_token"]["kind"] == "SECRET" and fields["access_token"]["required"]
    assert types["email"]["supportsReceivers"] is True and types["email"]["receiverKind"] == "email"


async def test_secrets_are_masked_in_every_answer_and_sealed_at_rest(admin: GraphQLClient) -> None:
    created = (await admin.call(CREATE, {"i": dingtalk(keyword="alert")}))["createChannel"]
    assert created["config"]["access_token"] == "********"
    assert created["config"]["secret"] == "********"
    assert created["config"]["keyword"] == "alert"
    listed = await admin.call("{ channels(first: 100) { nodes { id config } } }")
    [mine] = [c for c in listed["channels"]["nodes"] if c["id"] == created["id"]]
    assert TOKEN not in str(mine) and SIGNING not in str(mine)
    row = await Channel.get(id=created["id"])
    assert TOKEN not in str(row.config) and TOKEN not in row.secrets_sealed
    audit = await AuditLog.get(action="channel.create", object_id=str(created["id"]))
    assert TOKEN not in str(audit.diff) and audit.diff["access_token"] == [None, "********"]


async def test_unset_optional_secret_shows_null(admin: GraphQLClient) -> None:
    data = await admin.call(
        CREATE, {"i": {"name": unique("ding"), "type": "dingtalk", "config": {"access_token": TOKEN}}}
    )
    assert data["createChannel"]["config"]["secret"] is None


async def test_update_keeps_secrets_that_are_left_out_or_masked(
    admin: GraphQLClient, runtime_box: Any
) -> None:
    channel = (await admin.call(CREATE, {"i": dingtalk()}))["createChannel"]
    await admin.call(
        UPDATE, {"id": channel["id"], "i": {"config": {"access_token": "********", "keyword": "k"}}}
    )
    row = await Channel.get(id=channel["id"])
    assert runtime_box(row)["access_token"] == TOKEN and runtime_box(row)["secret"] == SIGNING
    await admin.call(UPDATE, {"id": channel["id"], "i": {"config": {"access_token": "new-token-value"}}})
    row = await Channel.get(id=channel["id"])
    assert runtime_box(row)["access_token"] == "new-token-value"
    assert row.config["keyword"] == ""
    updated = (
        await admin.call(
            UPDATE, {"id": channel["id"], "i": {"name": "renamed-" + unique("c"), "enabled": False}}
        )
    )["updateChannel"]
    assert updated["enabled"] is False and updated["config"]["access_token"] == "********"


async def test_bad_config_is_refused_naming_the_field_and_nothing_is_written(admin: GraphQLClient) -> None:
    before = await Channel.all().count()
    cases: list[tuple[dict[str, Any], str]] = [
        ({"name": unique("d"), "type": "dingtalk", "config": {}}, "config.accessToken"),
        (
            {"name": unique("d"), "type": "dingtalk", "config": {"access_token": TOKEN, "surprise": 1}},
            "config.surprise",
        ),
        (
            {
                "name": unique("d"),
                "type": "dingtalk",
                "config": {"access_token": TOKEN, "base_url": "ftp://x"},
            },
            "config.baseUrl",
        ),
        (
            {
                "name": unique("e"),
                "type": "email",
                "config": {
                    "host": "smtp.example.com",
                    "port": 70000,
                    "username": "u",
                    "password": "p",
                    "sender": "a@example.com",
                },
            },
            "config.port",
        ),
        ({"name": unique("d"), "type": "no-such-type", "config": {}}, "type"),
        ({"name": "", "type": "dingtalk", "config": {"access_token": TOKEN}}, "name"),
        ({"name": "n" * 101, "type": "dingtalk", "config": {"access_token": TOKEN}}, "name"),
        ({"name": unique("d"), "type": "dingtalk", "config": [1, 2]}, "config"),
        ({"name": unique("d"), "type": "dingtalk", "config": {"access_token": "x" * 40_000}}, "config"),
    ]
    for data, field in cases:
        error = await admin.fails(CREATE, {"i": data})
        assert error["extensions"]["code"] == "BAD_INPUT", (data, error)
        assert error["extensions"]["field"] == field, (data, error)
    error = await admin.fails(
        CREATE, {"i": {"name": "x", "type": "dingtalk", "config": {}, "enabled": "yes"}}
    )
    assert "Boolean" in error["message"]
    assert await Channel.all().count() == before


async def test_duplicate_names_conflict(admin: GraphQLClient) -> None:
    name = unique("dup")
    await admin.call(CREATE, {"i": dingtalk(name)})
    error = await admin.fails(CREATE, {"i": dingtalk(name)})
    assert code_and_field(error) == {"code": "CONFLICT", "field": "name"}


async def test_unknown_ids_are_not_found(admin: GraphQLClient) -> None:
    for query, variables in (
        (GET, {"id": 999_999}),
        (DELETE, {"id": 999_999}),
        (UPDATE, {"id": 999_999, "i": {"name": "x"}}),
    ):
        error = await admin.fails(query, variables)
        assert error["extensions"]["code"] == "NOT_FOUND"
    error = await admin.fails(GET, {"id": "abc"})
    assert "Int" in error["message"]
    error = await admin.fails(GET, {"id": 2**40})
    assert "Int" in error["message"]


async def test_members_cannot_see_or_change_another_users_channel(
    admin: GraphQLClient, member: GraphQLClient
) -> None:
    channel = (await admin.call(CREATE, {"i": dingtalk()}))["createChannel"]
    for query, variables in (
        (GET, {"id": channel["id"]}),
        (DELETE, {"id": channel["id"]}),
        (UPDATE, {"id": channel["id"], "i": {"name": "stolen", "enabled": False}}),
    ):
        error = await member.fails(query, variables)
        assert error["extensions"]["code"] == "NOT_FOUND"
    listed = await member.call("{ channels { totalCount } }")
    assert listed["channels"]["totalCount"] == 0
    row = await Channel.get(id=channel["id"])
    assert row.name == channel["name"] and row.enabled is True


async def test_delete_refuses_a_channel_in_use_then_works(admin: GraphQLClient) -> None:
    channel = (await admin.call(CREATE, {"i": dingtalk()}))["createChannel"]
    task = await admin.call(
        "mutation($i: CreateTaskInput!) { createTask(input: $i) { id } }",
        {"i": {"name": unique("t"), "bindings": [{"channelId": channel["id"]}]}},
    )
    error = await admin.fails(DELETE, {"id": channel["id"]})
    assert error["extensions"]["code"] == "CONFLICT"
    await admin.call("mutation($id: Int!) { deleteTask(id: $id) { id } }", {"id": task["createTask"]["id"]})
    assert (await admin.call(DELETE, {"id": channel["id"]}))["deleteChannel"]["id"] == channel["id"]
    assert not await Channel.filter(id=channel["id"]).exists()
    assert await AuditLog.filter(action="channel.delete", object_id=str(channel["id"])).exists()


async def test_channels_filter_by_type(admin: GraphQLClient) -> None:
    await admin.call(
        CREATE,
        {"i": {"name": unique("hook"), "type": "webhook", "config": {"url": "https://hooks.example.com/x"}}},
    )
    data = await admin.call('{ channels(type: "webhook", first: 100) { nodes { type } } }')
    assert {c["type"] for c in data["channels"]["nodes"]} == {"webhook"}
