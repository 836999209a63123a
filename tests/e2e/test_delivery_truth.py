"""Delivery truth (issue 14): what is recorded says what really happened at the vendor."""

from __future__ import annotations

from tests.conftest import free_port
from tests.e2e.channels.conftest import channel_task, send_and_settle
from tests.helpers import GraphQLClient


async def test_a_refused_connection_is_recorded_as_refused_not_as_a_timeout(admin: GraphQLClient) -> None:
    closed = free_port()  # bound and released: nothing listens there
    task_id = await channel_task(admin, "webhook", {"url": f"http://127.0.0.1:{closed}/hook"})
    sent = await send_and_settle(admin, task_id, text="x")
    delivery = sent.delivery
    assert delivery["status"] == "FAILED", delivery
    for attempt in delivery["history"]:
        assert attempt["error"] == "could not connect: connection refused", attempt
        assert "Timeout" not in attempt["error"]
