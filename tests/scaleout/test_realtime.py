"""Events cross processes: a subscriber on one API process sees sends made through another."""

from __future__ import annotations

import asyncio

import httpx

from tests.conftest import free_port
from tests.fakes.gql_ws import subscribe
from tests.scaleout.conftest import Cluster, wait_ready

EVENTS = "subscription($t: Int) { messageEvents(taskId: $t) { cursor messageId status } }"
SEND = "mutation($i: SendMessageInput!) { sendMessage(input: $i) { message { id } } }"


async def test_subscriber_on_one_api_sees_sends_through_another(cluster: Cluster) -> None:
    cluster.start_worker()
    port = free_port()
    second = cluster.start_api(port)
    async with (
        httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30) as other,
        httpx.AsyncClient(base_url=cluster.api_url, timeout=30) as http,
    ):
        await wait_ready(other, second)
        task_id, key = await cluster.webhook_task(http, "/realtime")
        url = f"ws://127.0.0.1:{port}/graphql"
        async with subscribe(url, cluster.token, EVENTS, {"t": task_id}) as sub:
            await asyncio.sleep(0.3)
            sent = await cluster.gql(http, SEND, {"i": {"taskId": task_id, "text": "across"}}, token=key)
            statuses: list[str] = []
            while not statuses or statuses[-1] != "SUCCEEDED":
                event = (await sub.next(timeout=20))["messageEvents"]
                assert event["messageId"] == sent["sendMessage"]["message"]["id"]
                statuses.append(event["status"])
    assert statuses == ["QUEUED", "SENDING", "SUCCEEDED"]
