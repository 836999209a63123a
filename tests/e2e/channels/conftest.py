"""Shared steps for channel tests: a channel pointed at a fake vendor, a task, a send, its outcome.

Every channel test goes through the real pipeline (GraphQL → accept → in-process worker → the
channel's `send` → the fake vendor), so what is checked is what production does.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tests.helpers import GraphQLClient, settled_message, unique

MESSAGE = """query($id: Int!) { message(id: $id) { id status deliveries { status attempts errorClass lastError
  receivers history { number outcome errorClass error vendorResponse } } } }"""
SEND = "mutation($i: SendMessageInput!) { sendMessage(input: $i) { message { id } } }"


@dataclass(frozen=True)
class Sent:
    message_id: int
    message: dict[str, Any]

    @property
    def delivery(self) -> dict[str, Any]:
        deliveries: list[dict[str, Any]] = self.message["deliveries"]
        assert len(deliveries) == 1, deliveries
        return deliveries[0]


async def channel_task(
    client: GraphQLClient,
    type_key: str,
    config: dict[str, Any],
    binding: dict[str, Any] | None = None,
) -> int:
    """Create a channel of `type_key` and a task bound to it; returns the task id."""
    channel = await client.call(
        "mutation($i: CreateChannelInput!) { createChannel(input: $i) { id } }",
        {"i": {"name": unique(type_key), "type": type_key, "config": config}},
    )
    task = await client.call(
        "mutation($i: CreateTaskInput!) { createTask(input: $i) { id } }",
        {
            "i": {
                "name": unique("task"),
                "bindings": [{"channelId": channel["createChannel"]["id"]} | (binding or {})],
            }
        },
    )
    return int(task["createTask"]["id"])


async def send_and_settle(client: GraphQLClient, task_id: int, timeout: float = 20.0, **fields: Any) -> Sent:
    """Send through the task and wait until every delivery has a final state."""
    data = await client.call(SEND, {"i": {"taskId": task_id} | fields})
    message_id = int(data["sendMessage"]["message"]["id"])
    return Sent(message_id, await settled_message(client, MESSAGE, message_id, timeout))
