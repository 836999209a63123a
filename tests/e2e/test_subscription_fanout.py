"""The shared fan-out path (schema/graphql/shared_events.py, server/graphql_ws.py) against the served
app: each event is rendered once per document and variables, and sent to every matching operation
under that operation's own id; filters, users and variables still decide who gets what."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import websockets

from tests.e2e.test_delivery import webhook_task
from tests.e2e.test_subscriptions import SEND, ws_url
from tests.fakes.webhook_sink import WebhookSink
from tests.helpers import GraphQLClient, new_member

EVENTS = "subscription($t: Int) { messageEvents(taskId: $t) { cursor messageId taskId status resumed } }"
FINAL = ("SUCCEEDED", "FAILED", "UNKNOWN")


class Socket:
    """One graphql-transport-ws connection carrying any number of operations."""

    def __init__(self, ws: Any) -> None:
        self.ws = ws
        self.raw: list[str] = []
        self.frames: list[dict[str, Any]] = []

    async def _receive(self) -> None:
        text = await self.ws.recv()
        self.raw.append(text)
        self.frames.append(json.loads(text))

    async def subscribe(self, op_id: str, query: str, variables: dict[str, Any]) -> None:
        payload = {"query": query, "variables": variables}
        await self.ws.send(json.dumps({"id": op_id, "type": "subscribe", "payload": payload}))

    async def complete(self, op_id: str) -> None:
        await self.ws.send(json.dumps({"id": op_id, "type": "complete"}))

    async def read_until(self, done: Any, timeout: float = 15.0) -> None:
        """Reads frames into `self.frames` until `done(self.frames)` holds."""
        async with asyncio.timeout(timeout):
            while not done(self.frames):
                await self._receive()

    async def read_for(self, seconds: float) -> None:
        try:
            async with asyncio.timeout(seconds):
                while True:
                    await self._receive()
        except TimeoutError:
            pass

    def events(self, op_id: str) -> list[dict[str, Any]]:
        out = []
        for frame in self.frames:
            if frame.get("id") == op_id and frame["type"] == "next":
                assert not frame["payload"].get("errors"), frame
                out.append(next(iter(frame["payload"]["data"].values())))
        return out


@asynccontextmanager
async def socket(client: GraphQLClient) -> AsyncIterator[Socket]:
    async with websockets.connect(ws_url(client), subprotocols=["graphql-transport-ws"]) as ws:  # type: ignore[list-item]
        init = {"type": "connection_init", "payload": {"authorization": f"Bearer {client.token}"}}
        await ws.send(json.dumps(init))
        assert json.loads(await ws.recv())["type"] == "connection_ack"
        yield Socket(ws)


def finals(op_id: str, count: int) -> Any:
    def done(frames: list[dict[str, Any]]) -> bool:
        statuses = [
            f["payload"]["data"]["messageEvents"]["status"]
            for f in frames
            if f.get("id") == op_id and f["type"] == "next" and f["payload"].get("data")
        ]
        return sum(s in FINAL for s in statuses) >= count

    return done


async def send(client: GraphQLClient, task_id: int, text: str) -> int:
    sent = await client.call(SEND, {"i": {"taskId": task_id, "text": text}})
    return int(sent["sendMessage"]["message"]["id"])


async def test_one_document_different_filters_on_one_socket(admin: GraphQLClient, sink: WebhookSink) -> None:
    first, _ = await webhook_task(admin, sink)
    second, _ = await webhook_task(admin, sink)
    mark = admin.server_events.started
    async with socket(admin) as sock:
        await sock.subscribe("op-a", EVENTS, {"t": first})
        await sock.subscribe("op b/2", EVENTS, {"t": second})
        await admin.server_events.subscribed(mark, 2)
        to_first = await send(admin, first, "for the first task")
        to_second = await send(admin, second, "for the second task")
        await sock.read_until(lambda f: finals("op-a", 1)(f) and finals("op b/2", 1)(f))
    a, b = sock.events("op-a"), sock.events("op b/2")
    assert {e["messageId"] for e in a} == {to_first} and {e["taskId"] for e in a} == {first}
    assert {e["messageId"] for e in b} == {to_second} and {e["taskId"] for e in b} == {second}
    assert [e["status"] for e in a] == [e["status"] for e in b] == ["QUEUED", "SENDING", "SUCCEEDED"]
    assert {f.get("id") for f in sock.frames} == {"op-a", "op b/2"}
    # Rendered once and spliced under each id (compact JSON), not serialized by Strawberry per
    # subscriber (which writes `{"id": "op-a", ...}`): the shared path is the one in use.
    assert all(text.startswith('{"id":"op') and '"type":"next"' in text for text in sock.raw)


async def test_same_document_two_users_each_only_their_own(admin: GraphQLClient, sink: WebhookSink) -> None:
    member, _ = await new_member(admin)
    admins_task, _ = await webhook_task(admin, sink)
    members_task, _ = await webhook_task(member, sink)
    mark = admin.server_events.started
    async with socket(admin) as admin_sock, socket(member) as member_sock:
        # No filter: an admin follows everything, a member only what is theirs.
        await admin_sock.subscribe("1", EVENTS, {})
        await member_sock.subscribe("1", EVENTS, {})
        await admin.server_events.subscribed(mark, 2)
        admins = await send(admin, admins_task, "the admin's")
        members = await send(member, members_task, "the member's")
        await admin_sock.read_until(finals("1", 2))
        await member_sock.read_until(finals("1", 1))
        await member_sock.read_for(0.5)
    assert {e["messageId"] for e in member_sock.events("1")} == {members}
    assert {e["messageId"] for e in admin_sock.events("1")} >= {admins, members}


async def test_variables_below_the_root_field_get_their_own_rendering(
    admin: GraphQLClient, sink: WebhookSink
) -> None:
    task_id, _ = await webhook_task(admin, sink)
    query = (
        "subscription($t: Int, $full: Boolean!) "
        "{ messageEvents(taskId: $t) { cursor status attempt @include(if: $full) } }"
    )
    mark = admin.server_events.started
    async with socket(admin) as sock:
        await sock.subscribe("full", query, {"t": task_id, "full": True})
        await sock.subscribe("lean", query, {"t": task_id, "full": False})
        await admin.server_events.subscribed(mark, 2)
        await send(admin, task_id, "variables")
        await sock.read_until(lambda f: finals("full", 1)(f) and finals("lean", 1)(f))
    full, lean = sock.events("full"), sock.events("lean")
    assert [set(e) for e in full] == [{"cursor", "status", "attempt"}] * 3
    assert [set(e) for e in lean] == [{"cursor", "status"}] * 3
    assert [e["cursor"] for e in full] == [e["cursor"] for e in lean]


async def test_a_completed_operation_gets_nothing_more(admin: GraphQLClient, sink: WebhookSink) -> None:
    task_id, _ = await webhook_task(admin, sink)
    mark = admin.server_events.started
    async with socket(admin) as sock:
        await sock.subscribe("stays", EVENTS, {"t": task_id})
        await sock.subscribe("leaves", EVENTS, {"t": task_id})
        await admin.server_events.subscribed(mark, 2)
        await send(admin, task_id, "both see this")
        await sock.read_until(lambda f: finals("stays", 1)(f) and finals("leaves", 1)(f))
        left = admin.server_events.ended
        await sock.complete("leaves")
        await admin.server_events.unsubscribed(left)
        later = await send(admin, task_id, "only one sees this")
        await sock.read_until(finals("stays", 2))
        await sock.read_for(0.5)
    assert later in {e["messageId"] for e in sock.events("stays")}
    assert later not in {e["messageId"] for e in sock.events("leaves")}


async def test_fast_and_legacy_protocols_send_the_same_payload(
    admin: GraphQLClient, sink: WebhookSink
) -> None:
    """The legacy graphql-ws protocol keeps graphql-core's per-subscriber path; both agree."""
    task_id, _ = await webhook_task(admin, sink)
    query = "subscription($t: Int) { messageEvents(taskId: $t) { cursor messageId deliveryId channelType status attempt errorClass error latencyMs at resumed progress { total } } }"
    mark = admin.server_events.started
    async with (
        socket(admin) as fast,
        websockets.connect(ws_url(admin), subprotocols=["graphql-ws"]) as legacy,  # type: ignore[list-item]
    ):
        await legacy.send(
            json.dumps({"type": "connection_init", "payload": {"authorization": f"Bearer {admin.token}"}})
        )
        assert json.loads(await legacy.recv())["type"] == "connection_ack"
        start = {"query": query, "variables": {"t": task_id}}
        await legacy.send(json.dumps({"id": "7", "type": "start", "payload": start}))
        await fast.subscribe("7", query, {"t": task_id})
        await admin.server_events.subscribed(mark, 2)
        await send(admin, task_id, "compare")
        await fast.read_until(finals("7", 1))
        legacy_events: list[dict[str, Any]] = []
        async with asyncio.timeout(15):
            while len(legacy_events) < 3:
                message = json.loads(await legacy.recv())
                if message["type"] == "data":
                    assert message["id"] == "7"
                    legacy_events.append(message["payload"]["data"]["messageEvents"])
    assert fast.events("7") == legacy_events
