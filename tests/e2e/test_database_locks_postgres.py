"""A table lock held on PostgreSQL: sends get UNAVAILABLE (503) once the server's `lock_timeout`
runs out instead of hanging, nothing is written, and `/readyz` says not ready until the lock goes.

PostgreSQL only (tests/e2e/test_database_locks.py does the same on MariaDB); the lock is taken on
this run's own database.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from typing import Any

import pytest

from schema.settings import Settings
from tests.e2e.test_database_locks import assert_locked_out, readyz
from tests.e2e.test_delivery import webhook_task
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

    await assert_locked_out(server, admin, task_id)

    await lock.rollback()
    assert await locker.fetchval("SELECT COUNT(*) FROM messages WHERE text = 'while locked'") == 0
    assert (await readyz(server))[0] == 200
