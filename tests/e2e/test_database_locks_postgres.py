"""A table lock held on PostgreSQL: sends get UNAVAILABLE (503) once the server's `lock_timeout`
runs out instead of hanging, nothing is written, and `/readyz` says not ready until the lock goes.

PostgreSQL only (tests/e2e/test_database_locks.py does the same on MariaDB); the lock is taken on
this run's own database.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from schema.settings import Settings
from tests.e2e.test_database_locks import readyz
from tests.e2e.test_delivery import SEND, webhook_task
from tests.fakes.webhook_sink import WebhookSink
from tests.helpers import GraphQLClient

pytestmark = pytest.mark.skipif(
    os.environ.get("PUSHNEST_TEST_DB") != "postgres", reason="a PostgreSQL table lock"
)


@pytest.fixture
async def locker(settings: Settings) -> AsyncIterator[Any]:
    import asyncpg

    conn = await asyncpg.connect(settings.database_url)
    try:
        yield conn
    finally:
        await conn.close()  # ends its transaction, and so the lock, if a test failed holding it


async def test_a_held_table_lock_gives_unavailable_and_not_ready(
    server: str, admin: GraphQLClient, sink: WebhookSink, locker: Any
) -> None:
    task_id, _ = await webhook_task(admin, sink)
    assert (await readyz(server))[0] == 200
    lock = locker.transaction()
    await lock.start()
    # EXCLUSIVE: others may still read the table, but no one writes it (as a long migration would).
    await locker.execute("LOCK TABLE messages IN EXCLUSIVE MODE")

    status, body = await readyz(server)
    assert status == 503 and body["checks"]["database"].startswith("failed"), body
    async with httpx.AsyncClient(base_url=server, timeout=60) as http:
        answer = await http.post(
            "/graphql",
            json={"query": SEND, "variables": {"i": {"taskId": task_id, "text": "while locked"}}},
            headers={"Authorization": f"Bearer {admin.token}"},
        )
    assert answer.status_code == 503, answer.text
    assert answer.headers["Retry-After"]
    [error] = answer.json()["errors"]
    assert error["extensions"]["code"] == "UNAVAILABLE", error
    assert "lock" in error["message"]

    await lock.rollback()
    assert await locker.fetchval("SELECT COUNT(*) FROM messages WHERE text = 'while locked'") == 0
    assert (await readyz(server))[0] == 200
