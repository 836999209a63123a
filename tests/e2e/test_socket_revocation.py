"""Open WebSockets end when their sign-in does: a new or reset password, a switched-off account,
a changed role, a revoked key; here at once, and through the periodic check when another process
made the change. Everyone else's sockets stay open and keep receiving."""

from __future__ import annotations

import asyncio
import json
import time
from datetime import UTC, datetime
from typing import Any

import pytest
import websockets
from tortoise.expressions import F

from schema.models import ApiKey, User
from tests.e2e.test_delivery import webhook_task
from tests.e2e.test_subscriptions import EVENTS, INBOX, SEND, ws_url
from tests.fakes.gql_ws import Subscription, subscribe
from tests.fakes.webhook_sink import WebhookSink
from tests.helpers import GraphQLClient, new_member, unique

FORBIDDEN = 4403
UPDATE_USER = "mutation($id: Int!, $i: UpdateUserInput!) { updateUser(id: $id, input: $i) { id } }"
CHANGE_PASSWORD = (
    "mutation($c: String!, $n: String!) { changePassword(currentPassword: $c, newPassword: $n) { token } }"
)
CREATE_KEY = "mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { key apiKey { id } } }"
REVOKE_KEY = "mutation($id: Int!) { revokeApiKey(id: $id) { id } }"


async def user_id(client: GraphQLClient) -> int:
    return int((await client.call("{ me { id } }"))["me"]["id"])


async def inbox_snapshot(sub: Subscription) -> None:
    assert (await sub.next())["inbox"]["kind"] == "snapshot"


async def test_changing_your_password_closes_your_open_sockets(admin: GraphQLClient) -> None:
    member, _ = await new_member(admin, password="member-password")
    assert member.token
    async with subscribe(ws_url(member), member.token, INBOX) as sub:
        await inbox_snapshot(sub)
        await member.call(CHANGE_PASSWORD, {"c": "member-password", "n": "another-password"})
        assert await sub.close_code() == FORBIDDEN


@pytest.mark.parametrize(
    "changes", [{"isActive": False}, {"password": "reset-by-admin"}, {"role": "ADMIN"}], ids=str
)
async def test_an_admins_change_closes_the_users_sockets(
    admin: GraphQLClient, changes: dict[str, Any]
) -> None:
    member, _ = await new_member(admin)
    assert member.token
    async with subscribe(ws_url(member), member.token, INBOX) as sub:
        await inbox_snapshot(sub)
        await admin.call(UPDATE_USER, {"id": await user_id(member), "i": changes})
        assert await sub.close_code() == FORBIDDEN


async def test_other_users_sockets_stay_open_and_keep_receiving(admin: GraphQLClient) -> None:
    leaving, _ = await new_member(admin)
    staying, staying_name = await new_member(admin)
    inbox_task = await _inbox_task(admin)
    assert leaving.token and staying.token
    async with (
        subscribe(ws_url(leaving), leaving.token, INBOX) as gone,
        subscribe(ws_url(staying), staying.token, INBOX) as kept,
    ):
        await inbox_snapshot(gone)
        await inbox_snapshot(kept)
        await admin.call(UPDATE_USER, {"id": await user_id(leaving), "i": {"isActive": False}})
        assert await gone.close_code() == FORBIDDEN
        await asyncio.sleep(1.0)  # two periodic checks
        await admin.call(SEND, {"i": {"taskId": inbox_task, "text": "hi", "recipients": [staying_name]}})
        assert (await kept.next())["inbox"]["kind"] == "new"


async def test_revoking_a_key_closes_the_sockets_opened_with_it(
    admin: GraphQLClient, sink: WebhookSink
) -> None:
    member, _ = await new_member(admin)
    task_id, _ = await webhook_task(member, sink)
    made = await member.call(CREATE_KEY, {"i": {"name": unique("k"), "scope": "TASK", "taskId": task_id}})
    key, key_id = made["createApiKey"]["key"], made["createApiKey"]["apiKey"]["id"]
    assert member.token
    async with (
        subscribe(ws_url(member), key, EVENTS, {"t": task_id}) as with_key,
        subscribe(ws_url(member), member.token, INBOX) as with_session,
    ):
        await asyncio.sleep(0.1)
        await member.as_(key).call(SEND, {"i": {"taskId": task_id, "text": "seen"}})
        assert (await with_key.next())["messageEvents"]["status"] == "QUEUED"
        await member.call(REVOKE_KEY, {"id": key_id})
        assert await with_key.close_code() == FORBIDDEN
        await inbox_snapshot(with_session)
        await asyncio.sleep(1.0)
        await with_session.ping()  # the user's console session is not the key


@pytest.mark.parametrize("what", ["new token version", "revoked key", "expired key"])
async def test_a_change_made_by_another_process_is_found_by_the_periodic_check(
    admin: GraphQLClient, what: str
) -> None:
    member, _ = await new_member(admin)
    made = await member.call(CREATE_KEY, {"i": {"name": unique("k"), "scope": "ALL"}})
    token = made["createApiKey"]["key"] if what.endswith("key") else member.token
    assert token
    async with subscribe(ws_url(member), token, EVENTS) as sub:
        await sub.ping()
        started = time.monotonic()
        # Straight in the database: no mutation of this process wakes the check.
        key_id = made["createApiKey"]["apiKey"]["id"]
        if what == "revoked key":
            await ApiKey.filter(id=key_id).update(revoked_at=datetime.now(UTC))
        elif what == "expired key":
            await ApiKey.filter(id=key_id).update(expires_at=datetime.now(UTC))
        else:
            await User.filter(id=await user_id(member)).update(token_version=F("token_version") + 1)
        assert await sub.close_code() == FORBIDDEN
    assert time.monotonic() - started < 3.0


async def test_legacy_graphql_ws_sockets_end_too(admin: GraphQLClient) -> None:
    member, _ = await new_member(admin, password="member-password")
    async with websockets.connect(ws_url(member), subprotocols=["graphql-ws"]) as ws:  # type: ignore[list-item]
        init = {"type": "connection_init", "payload": {"authorization": f"Bearer {member.token}"}}
        await ws.send(json.dumps(init))
        assert json.loads(await ws.recv())["type"] == "connection_ack"
        await ws.send(json.dumps({"id": "1", "type": "start", "payload": {"query": INBOX}}))
        assert json.loads(await ws.recv())["payload"]["data"]["inbox"]["kind"] == "snapshot"
        await member.call(CHANGE_PASSWORD, {"c": "member-password", "n": "another-password"})
        frames = []
        with pytest.raises(websockets.ConnectionClosed) as closed:
            while True:
                frames.append(json.loads(await asyncio.wait_for(ws.recv(), 5)))
    # As a refused connection_init in this protocol: connection_error, then close 1011.
    assert frames[-1] == {
        "type": "connection_error",
        "payload": {"reason": "session has ended; sign in again"},
    }
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1011


async def _inbox_task(admin: GraphQLClient) -> int:
    channel = await admin.call(
        "mutation($i: CreateChannelInput!) { createChannel(input: $i) { id } }",
        {"i": {"name": unique("inbox"), "type": "inbox", "config": {}}},
    )
    channel_id = channel["createChannel"]["id"]
    task = await admin.call(
        "mutation($i: CreateTaskInput!) { createTask(input: $i) { id } }",
        {"i": {"name": unique("t"), "bindings": [{"channelId": channel_id, "acceptsReceivers": True}]}},
    )
    return int(task["createTask"]["id"])
