"""Whose inbox a member may write into (themselves and users sharing a group; admins anyone), the
same refusal for unknown and out-of-reach names, and the sender shown on every inbox item."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest

from schema.models import AuditLog, InboxItem, Message, User
from tests.helpers import GraphQLClient, code_and_field, new_member, settled_message, unique

UPDATE_USER = "mutation($id: Int!, $i: UpdateUserInput!) { updateUser(id: $id, input: $i) { groups } }"
CREATE_USER = "mutation($i: CreateUserInput!) { createUser(input: $i) { username groups } }"
CREATE_CHANNEL = "mutation($i: CreateChannelInput!) { createChannel(input: $i) { id } }"
CREATE_TASK = "mutation($i: CreateTaskInput!) { createTask(input: $i) { id } }"
UPDATE_TASK = "mutation($id: Int!, $i: UpdateTaskInput!) { updateTask(id: $id, input: $i) { id } }"
CREATE_TEMPLATE = "mutation($i: CreateTemplateInput!) { createTemplate(input: $i) { id } }"
SEND = "mutation($i: SendMessageInput!) { sendMessage(input: $i) { message { id } } }"
MESSAGE = "query($id: Int!) { message(id: $id) { status deliveries { status lastError } } }"
INBOX = "{ inbox(first: 20) { nodes { title messageId sender { username apiKeyName } } } }"
TEST = "mutation($id: Int!, $r: [String!]) { testChannel(id: $id, receivers: $r) { ok message } }"
CREATE_KEY = "mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { key } }"


@dataclass
class Person:
    client: GraphQLClient
    name: str


async def person(admin: GraphQLClient, groups: list[str]) -> Person:
    client, name = await new_member(admin)
    await admin.call(UPDATE_USER, {"id": (await User.get(username=name)).id, "i": {"groups": groups}})
    return Person(client, name)


@pytest.fixture
async def team(admin: GraphQLClient) -> dict[str, Person]:
    """alice and bob share "ops"; carol is in "finance" only."""
    return {
        "alice": await person(admin, ["ops"]),
        "bob": await person(admin, ["ops", "dev"]),
        "carol": await person(admin, ["finance"]),
    }


async def inbox_channel(client: GraphQLClient) -> int:
    made = await client.call(CREATE_CHANNEL, {"i": {"name": unique("inbox"), "type": "inbox", "config": {}}})
    return int(made["createChannel"]["id"])


def binding(channel_id: int, usernames: list[str] | None = None) -> dict[str, Any]:
    if usernames is None:
        return {"channelId": channel_id, "acceptsReceivers": True}
    return {"channelId": channel_id, "options": {"usernames": usernames}}


async def inbox_task(client: GraphQLClient, usernames: list[str] | None = None) -> int:
    channel_id = await inbox_channel(client)
    made = await client.call(
        CREATE_TASK, {"i": {"name": unique("t"), "bindings": [binding(channel_id, usernames)]}}
    )
    return int(made["createTask"]["id"])


def same_words(first: dict[str, Any], second: dict[str, Any], names: tuple[str, str]) -> None:
    """Two refusals that differ only in the name they quote (in the message and its args)."""
    for key in ("message", "extensions"):
        assert json.dumps(first[key]).replace(repr(names[0]), "NAME") == json.dumps(second[key]).replace(
            repr(names[1]), "NAME"
        )


async def settled(client: GraphQLClient, message_id: int) -> dict[str, Any]:
    return await settled_message(client, MESSAGE, message_id)


async def test_a_member_cannot_write_into_the_admins_inbox_nor_learn_who_exists(
    member: GraphQLClient,
) -> None:
    """The finding as reported, with no groups at all: a member named `admin` in a binding, sent
    to it per call, and told existing and unknown names apart through testChannel."""
    channel_id = await inbox_channel(member)
    error = await member.fails(
        CREATE_TASK, {"i": {"name": unique("t"), "bindings": [binding(channel_id, ["admin"])]}}
    )
    assert code_and_field(error) == {"code": "BAD_INPUT", "field": "bindings.0.options.usernames"}
    task_id = await inbox_task(member)
    error = await member.fails(SEND, {"i": {"taskId": task_id, "text": "phish", "recipients": ["admin"]}})
    assert code_and_field(error) == {"code": "BAD_INPUT", "field": "recipients"}
    nobody = unique("nobody")
    existing = await member.post(TEST, {"id": channel_id, "r": ["admin"]})
    unknown = await member.post(TEST, {"id": channel_id, "r": [nobody]})
    assert existing["data"] is None and unknown["data"] is None
    same_words(existing["errors"][0], unknown["errors"][0], ("admin", nobody))
    assert not await InboxItem.filter(user__username="admin", title__contains="phish").exists()


async def test_admins_set_groups_and_members_see_their_own(admin: GraphQLClient) -> None:
    name = unique("grouped").replace("-", "_")
    made = await admin.call(
        CREATE_USER, {"i": {"username": name, "password": "a-password", "groups": ["Ops", " ops ", "dev"]}}
    )
    assert made["createUser"]["groups"] == ["dev", "ops"]
    user_id = (await User.get(username=name)).id
    changed = await admin.call(UPDATE_USER, {"id": user_id, "i": {"groups": ["finance"]}})
    assert changed["updateUser"]["groups"] == ["finance"]
    row = await AuditLog.filter(action="user.update", object_id=str(user_id)).order_by("-id").first()
    assert row is not None and row.diff == {"groups": [["dev", "ops"], ["finance"]]}
    for bad in (["a,b"], ["x" * 65], [""], [f"g{n}" for n in range(21)]):
        error = await admin.fails(UPDATE_USER, {"id": user_id, "i": {"groups": bad}})
        assert error["extensions"]["code"] == "BAD_INPUT" and error["extensions"]["field"].startswith(
            "groups"
        )
    member, _ = await new_member(admin)
    error = await member.fails(UPDATE_USER, {"id": user_id, "i": {"groups": ["ops"]}})
    assert error["extensions"]["code"] == "FORBIDDEN"
    assert (await member.call("{ me { groups } }"))["me"]["groups"] == []
    assert (await User.get(id=user_id)).groups == ["finance"]


async def test_a_members_bindings_name_only_themselves_and_group_peers(
    admin: GraphQLClient, team: dict[str, Person]
) -> None:
    alice, bob, carol = team["alice"], team["bob"], team["carol"]
    channel_id = await inbox_channel(alice.client)
    ok = await alice.client.call(
        CREATE_TASK, {"i": {"name": unique("t"), "bindings": [binding(channel_id, [alice.name, bob.name])]}}
    )
    refusals = {}
    for name in (carol.name, "admin", unique("nobody")):
        error = await alice.client.fails(
            CREATE_TASK, {"i": {"name": unique("t"), "bindings": [binding(channel_id, [name])]}}
        )
        assert code_and_field(error) == {"code": "BAD_INPUT", "field": "bindings.0.options.usernames"}
        refusals[name] = error
    names = list(refusals)
    same_words(refusals[names[0]], refusals[names[2]], (names[0], names[2]))  # out of reach = unknown
    task_id = ok["createTask"]["id"]
    error = await alice.client.fails(
        UPDATE_TASK, {"id": task_id, "i": {"bindings": [binding(channel_id, [carol.name])]}}
    )
    assert error["extensions"]["field"] == "bindings.0.options.usernames"
    error = await alice.client.fails(
        CREATE_TEMPLATE,
        {"i": {"name": unique("tpl"), "textBody": "x", "bindings": [binding(channel_id, [carol.name])]}},
    )
    assert error["extensions"]["field"] == "bindings.0.options.usernames"
    # An admin's own sends reach anyone.
    admin_channel = await inbox_channel(admin)
    await admin.call(
        CREATE_TASK, {"i": {"name": unique("t"), "bindings": [binding(admin_channel, [carol.name])]}}
    )


async def test_per_call_recipients_are_checked_when_sent(
    admin: GraphQLClient, team: dict[str, Person]
) -> None:
    alice, bob, carol = team["alice"], team["bob"], team["carol"]
    task_id = await inbox_task(alice.client)
    before = await Message.filter(task_id=task_id).count()
    refusals = []
    for name in (carol.name, unique("nobody")):
        error = await alice.client.fails(SEND, {"i": {"taskId": task_id, "text": "hi", "recipients": [name]}})
        assert code_and_field(error) == {"code": "BAD_INPUT", "field": "recipients"}
        refusals.append((name, error))
    same_words(refusals[0][1], refusals[1][1], (refusals[0][0], refusals[1][0]))
    assert await Message.filter(task_id=task_id).count() == before
    sent = await alice.client.call(
        SEND, {"i": {"taskId": task_id, "text": "hi", "recipients": [bob.name, alice.name]}}
    )
    assert (await settled(alice.client, sent["sendMessage"]["message"]["id"]))["status"] == "SUCCEEDED"
    assert await InboxItem.filter(message_id=sent["sendMessage"]["message"]["id"]).count() == 2


async def test_every_inbox_item_shows_its_sender(admin: GraphQLClient, team: dict[str, Person]) -> None:
    alice, bob = team["alice"], team["bob"]
    task_id = await inbox_task(alice.client, [bob.name])
    key_name = unique("deploy-bot")
    made = await alice.client.call(CREATE_KEY, {"i": {"name": key_name, "scope": "TASK", "taskId": task_id}})
    by_key = await alice.client.as_(made["createApiKey"]["key"]).call(
        SEND, {"i": {"taskId": task_id, "title": "by key", "text": "x"}}
    )
    by_console = await alice.client.call(SEND, {"i": {"taskId": task_id, "title": "by console", "text": "x"}})
    for sent in (by_key, by_console):
        await settled(alice.client, sent["sendMessage"]["message"]["id"])
    senders = {n["title"]: n["sender"] for n in (await bob.client.call(INBOX))["inbox"]["nodes"]}
    assert senders["by key"] == {"username": alice.name, "apiKeyName": key_name}
    assert senders["by console"] == {"username": alice.name, "apiKeyName": None}


async def test_reach_is_checked_again_when_items_are_written(
    admin: GraphQLClient, team: dict[str, Person]
) -> None:
    alice, bob = team["alice"], team["bob"]
    task_id = await inbox_task(alice.client, [bob.name])  # saved while they share "ops"
    await admin.call(UPDATE_USER, {"id": (await User.get(username=bob.name)).id, "i": {"groups": ["dev"]}})
    sent = await alice.client.call(SEND, {"i": {"taskId": task_id, "title": "after the move", "text": "x"}})
    message = await settled(alice.client, sent["sendMessage"]["message"]["id"])
    [delivery] = message["deliveries"]
    assert message["status"] == "FAILED" and "none of these users can receive it" in delivery["lastError"]
    assert not await InboxItem.filter(user__username=bob.name).exists()


async def test_channel_tests_answer_unknown_and_out_of_reach_names_alike(
    admin: GraphQLClient, team: dict[str, Person]
) -> None:
    alice, bob, carol = team["alice"], team["bob"], team["carol"]
    channel_id = await inbox_channel(alice.client)
    nobody = unique("nobody")
    forbidden = await alice.client.fails(TEST, {"id": channel_id, "r": [carol.name]})
    unknown = await alice.client.fails(TEST, {"id": channel_id, "r": [nobody]})
    assert code_and_field(forbidden) == {"code": "BAD_INPUT", "field": "receivers"}
    same_words(forbidden, unknown, (carol.name, nobody))
    assert not await InboxItem.filter(user__username=carol.name).exists()
    result = (await alice.client.call(TEST, {"id": channel_id, "r": [bob.name]}))["testChannel"]
    assert result["ok"] is True
    [item] = (await bob.client.call(INBOX))["inbox"]["nodes"]
    assert item["sender"] == {"username": alice.name, "apiKeyName": None} and item["messageId"] is None
