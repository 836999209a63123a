"""Outbound targets with private networks closed (issue 11): no channel reaches an internal service.

The session's server lets every channel reach 127.0.0.1 (the fake vendors live there), so these
tests run their own `pushnest serve` with PUSHNEST_ALLOW_PRIVATE_TARGETS=false. The internal
service is a listener on 127.0.0.1 that counts connections: a refused target leaves it at zero,
and its answer never comes back to the caller.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from schema.channels.registry import all_channel_types
from schema.net.targets import declared_targets
from tests.fakes.private_listener import INTERNAL_BODY, PrivateListener
from tests.helpers import GraphQLClient, new_member, settled_message, unique
from tests.process import served
from tests.schema.channels.test_declarations import VALID_CONFIGS

CREATE = """mutation($i: CreateChannelInput!) { createChannel(input: $i) {
  id config allowPrivateTargets } }"""
UPDATE = """mutation($id: Int!, $i: UpdateChannelInput!) { updateChannel(id: $id, input: $i) {
  id config allowPrivateTargets } }"""
GET = "query($id: Int!) { channel(id: $id) { id name config allowPrivateTargets } }"
COUNT = "{ channels { totalCount } }"
TEST = """mutation($id: Int!) { testChannel(id: $id) { ok errorClass message vendorResponse } }"""
TASK = "mutation($i: CreateTaskInput!) { createTask(input: $i) { id } }"
SEND = "mutation($i: SendMessageInput!) { sendMessage(input: $i) { message { id } } }"
MESSAGE = """query($id: Int!) { message(id: $id) { status deliveries { channelType status attempts
  errorClass lastError history { vendorResponse } } } }"""


@dataclass(frozen=True)
class Guarded:
    admin: GraphQLClient
    internal: PrivateListener


@pytest.fixture(scope="module")
async def guarded(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Guarded]:
    internal = await PrivateListener().start()
    data_dir = tmp_path_factory.mktemp("guarded")
    try:
        async with served(data_dir, PUSHNEST_ALLOW_PRIVATE_TARGETS="false") as (_, admin):
            yield Guarded(admin, internal)
    finally:
        await internal.stop()


def private_forms(port: int) -> list[str]:
    """One private target per channel type, in every spelling the issue found accepted."""
    return [
        f"http://127.0.0.1:{port}",
        "http://10.0.0.5",
        "http://169.254.169.254",
        f"http://[::1]:{port}",
        f"http://[::ffff:127.0.0.1]:{port}",
        "http://[64:ff9b::a9fe:a9fe]",  # NAT64 of the metadata service
        f"http://localhost:{port}",
        "http://100.64.0.1",
        "http://192.168.1.10",
        "http://172.16.0.1",
        f"http://0x7f.1:{port}",
        f"http://2130706433:{port}",
        "http://[fe80::1]",
        f"http://0.0.0.0:{port}",
        "http://198.18.0.1",
    ]


def aimed_at(type_key: str, target: str) -> dict[str, Any]:
    """The type's minimal config with its target replaced by `target`."""
    config = dict(VALID_CONFIGS[type_key])
    if type_key == "email":
        return config | {"host": target.split("//")[1].split(":")[0].strip("[]"), "port": 25}
    return config | ({"url": target + "/hook"} if type_key == "webhook" else {"base_url": target})


async def count(client: GraphQLClient) -> int:
    return int((await client.call(COUNT))["channels"]["totalCount"])


async def test_no_channel_type_can_be_aimed_at_a_private_address(guarded: Guarded) -> None:
    member, _ = await new_member(guarded.admin)
    connections = guarded.internal.connections
    kinds = [ct for ct in all_channel_types() if ct.key != "inbox"]
    forms = private_forms(guarded.internal.port)
    before = await count(guarded.admin)
    for ct, target in zip(kinds, forms, strict=False):
        config = aimed_at(ct.key, target)
        [(field, _)] = declared_targets(ct.config_model.model_validate(config))
        for client in (member, guarded.admin):  # the admin too, unless they allow it for the channel
            error = await client.fails(
                CREATE, {"i": {"name": unique(ct.key), "type": ct.key, "config": config}}
            )
            assert error["extensions"]["code"] == "BAD_INPUT", (ct.key, target, error)
            expected = "config." + {"base_url": "baseUrl"}.get(field, field)
            assert error["extensions"]["field"] == expected, (ct.key, error)
            assert "private" in error["message"], error
    assert len(kinds) == len(forms)
    assert await count(guarded.admin) == before and guarded.internal.connections == connections


async def test_only_an_admin_can_allow_a_channel_to_reach_private_networks(guarded: Guarded) -> None:
    member, _ = await new_member(guarded.admin)
    before, connections = await count(guarded.admin), guarded.internal.connections
    target = {"topic": "t", "base_url": guarded.internal.url()}
    error = await member.fails(
        CREATE, {"i": {"name": unique("ntfy"), "type": "ntfy", "config": target, "allowPrivateTargets": True}}
    )
    assert error["extensions"]["code"] == "FORBIDDEN"
    assert await count(guarded.admin) == before

    own = await member.call(CREATE, {"i": {"name": unique("ntfy"), "type": "ntfy", "config": {"topic": "t"}}})
    channel_id = own["createChannel"]["id"]
    error = await member.fails(
        UPDATE, {"id": channel_id, "i": {"allowPrivateTargets": True, "config": target}}
    )
    assert error["extensions"]["code"] == "FORBIDDEN"
    unchanged = (await member.call(GET, {"id": channel_id}))["channel"]
    assert unchanged["allowPrivateTargets"] is False and unchanged["config"]["base_url"] == "https://ntfy.sh"

    allowed = await guarded.admin.call(
        CREATE, {"i": {"name": unique("ntfy"), "type": "ntfy", "config": target, "allowPrivateTargets": True}}
    )
    assert allowed["createChannel"]["allowPrivateTargets"] is True
    result = (await guarded.admin.call(TEST, {"id": allowed["createChannel"]["id"]}))["testChannel"]
    assert result["ok"] is True and guarded.internal.connections == connections + 1  # the admin's decision


async def test_a_member_moving_an_approved_channel_loses_the_approval(guarded: Guarded) -> None:
    member, _ = await new_member(guarded.admin)
    made = await member.call(
        CREATE, {"i": {"name": unique("gotify"), "type": "gotify", "config": VALID_CONFIGS["gotify"]}}
    )
    channel_id = made["createChannel"]["id"]
    lan = {"base_url": "http://192.168.1.20"}
    approved = await guarded.admin.call(
        UPDATE, {"id": channel_id, "i": {"config": lan, "allowPrivateTargets": True}}
    )
    assert approved["updateChannel"]["allowPrivateTargets"] is True

    # Renaming or changing a setting that is not the target keeps the admin's approval.
    kept = await member.call(
        UPDATE, {"id": channel_id, "i": {"name": unique("renamed"), "config": lan | {"priority": 8}}}
    )
    assert kept["updateChannel"]["allowPrivateTargets"] is True
    # A new target is not what the admin approved: refused while private, and the flag goes.
    error = await member.fails(UPDATE, {"id": channel_id, "i": {"config": {"base_url": "http://10.9.9.9"}}})
    assert error["extensions"]["code"] == "BAD_INPUT" and error["extensions"]["field"] == "config.baseUrl"
    moved = await member.call(
        UPDATE, {"id": channel_id, "i": {"config": {"base_url": "https://push.example.com"}}}
    )
    assert moved["updateChannel"]["allowPrivateTargets"] is False


async def test_test_channel_sends_through_the_guarded_client(guarded: Guarded) -> None:
    """A templated host is known only when sent: the API's own client refuses it then."""
    member, _ = await new_member(guarded.admin)
    before = guarded.internal.connections
    url = f"http://127.0.0.1{{{{trace_id}}}}:{guarded.internal.port}/internal"
    made = await member.call(
        CREATE, {"i": {"name": unique("hook"), "type": "webhook", "config": {"url": url}}}
    )
    result = (await member.call(TEST, {"id": made["createChannel"]["id"]}))["testChannel"]
    assert result["ok"] is False and result["errorClass"] == "permanent", result
    assert result["message"].startswith("refused: 127.0.0.1") and result["vendorResponse"] == ""
    assert INTERNAL_BODY not in str(result) and guarded.internal.connections == before


async def test_a_refused_target_fails_the_delivery_permanently_without_contacting_it(
    guarded: Guarded, tmp_path: Path
) -> None:
    admin, internal = guarded.admin, guarded.internal
    hook = await admin.call(
        CREATE,
        {
            "i": {
                "name": unique("hook"),
                "type": "webhook",
                "allowPrivateTargets": True,
                "config": {"url": internal.url(path="/hook")},
            }
        },
    )
    mail = await admin.call(
        CREATE,
        {
            "i": {
                "name": unique("mail"),
                "type": "email",
                "allowPrivateTargets": True,
                "config": {
                    "host": "127.0.0.1",
                    "port": internal.port,
                    "security": "plain",
                    "from_address": "bot@example.com",
                },
            }
        },
    )
    ids = [hook["createChannel"]["id"], mail["createChannel"]["id"]]
    task = await admin.call(
        TASK,
        {
            "i": {
                "name": unique("t"),
                "bindings": [
                    {"channelId": ids[0]},
                    {"channelId": ids[1], "options": {"to": ["a@example.com"]}},
                ],
            }
        },
    )
    task_id = task["createTask"]["id"]
    # An admin withdraws the approval; DNS or a stored row could do the same. Send time judges.
    for channel_id in ids:
        await admin.call(UPDATE, {"id": channel_id, "i": {"allowPrivateTargets": False}})
    before = internal.connections
    sent = await admin.call(SEND, {"i": {"taskId": task_id, "title": "t", "text": "hello"}})
    message = await settled(admin, int(sent["sendMessage"]["message"]["id"]))
    assert message["status"] == "FAILED", message
    for delivery in message["deliveries"]:
        assert delivery["status"] == "FAILED" and delivery["attempts"] == 1, delivery
        assert delivery["errorClass"] == "permanent" and delivery["lastError"].startswith(
            "refused: 127.0.0.1"
        )
        assert [h["vendorResponse"] for h in delivery["history"]] == [""]
    assert internal.connections == before
    error = await admin.fails(TEST, {"id": ids[0]})
    assert error["extensions"]["code"] == "BAD_INPUT" and error["extensions"]["field"] == "config.url"
    assert internal.connections == before


async def settled(client: GraphQLClient, message_id: int, timeout: float = 20.0) -> dict[str, Any]:
    return await settled_message(client, MESSAGE, message_id, timeout)
