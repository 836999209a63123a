"""Concurrent sends through the real accept path and database: written together, each gets its own
message and deliveries; a key taken twice in one group settles as the original and duplicates."""

from __future__ import annotations

import asyncio

from schema.bus import LocalEventBus
from schema.models import Delivery, Task
from schema.services.principal import Principal
from schema.services.runtime import build_runtime
from schema.services.sending import accept_send
from schema.settings import Settings
from tests.schema.services.test_accept_faults import task  # noqa: F401  (fixture)
from tests.workers.conftest import db  # noqa: F401  (fixture)


async def test_concurrent_sends_each_get_their_own_rows(settings: Settings, task: Task) -> None:  # noqa: F811
    bus = LocalEventBus()
    runtime = build_runtime(settings, events=bus, feed=bus)
    caller = Principal(user=task.owner)
    results = await asyncio.gather(
        *(accept_send(runtime, caller, {"task_id": task.id, "text": f"alert {n}"}) for n in range(20))
    )
    assert [r.message.text for r in results] == [f"alert {n}" for n in range(20)]
    assert len({r.message.id for r in results}) == 20
    for result in results:
        [delivery] = result.deliveries
        assert delivery.message_id == result.message.id
        assert (await Delivery.get(id=delivery.id)).message_id == result.message.id


async def test_one_key_sent_concurrently_is_one_message(settings: Settings, task: Task) -> None:  # noqa: F811
    runtime = build_runtime(settings)
    caller = Principal(user=task.owner)
    send = {"task_id": task.id, "text": "once", "idempotency_key": "deploy-7"}
    results = await asyncio.gather(*(accept_send(runtime, caller, dict(send)) for _ in range(4)))
    assert len({r.message.id for r in results}) == 1
    assert sorted(r.duplicate for r in results) == [False, True, True, True]
