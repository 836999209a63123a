"""A table lock held on the database: sends get UNAVAILABLE (503) once the server's lock wait runs
out instead of hanging, nothing is written, and `/readyz` says not ready until the lock goes.

MariaDB only (SQLite has its own busy timeout); the lock is taken on this run's own schema.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlsplit

import aiomysql
import httpx
import pytest

from schema.settings import Settings
from tests.e2e.test_delivery import SEND, webhook_task
from tests.fakes.webhook_sink import WebhookSink
from tests.helpers import GraphQLClient

pytestmark = pytest.mark.skipif(os.environ.get("PUSHNEST_TEST_DB") != "mysql", reason="a MariaDB table lock")


@pytest.fixture
async def locker(settings: Settings) -> AsyncIterator[aiomysql.Connection]:
    parts = urlsplit(settings.database_url)
    conn = await aiomysql.connect(
        host=parts.hostname or "127.0.0.1",
        port=parts.port or 3306,
        user=parts.username or "root",
        password=parts.password or "",
        db=parts.path.lstrip("/"),
        autocommit=True,
    )
    try:
        yield conn
    finally:
        async with conn.cursor() as cur:
            await cur.execute("UNLOCK TABLES")
        conn.close()


async def readyz(server: str) -> tuple[int, dict[str, Any]]:
    async with httpx.AsyncClient(base_url=server, timeout=30) as http:
        response = await http.get("/readyz")
        body: dict[str, Any] = response.json()
        return response.status_code, body


async def assert_locked_out(server: str, admin: GraphQLClient, task_id: int) -> None:
    """While a write lock is held on `messages`: not ready, and a send answers UNAVAILABLE (503)
    with Retry-After and words about the lock, once the server's lock wait runs out."""
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


async def test_a_held_table_lock_gives_unavailable_and_not_ready(
    server: str, admin: GraphQLClient, sink: WebhookSink, locker: aiomysql.Connection
) -> None:
    task_id, _ = await webhook_task(admin, sink)
    assert (await readyz(server))[0] == 200
    async with locker.cursor() as cur:
        await cur.execute("LOCK TABLES messages WRITE")

    await assert_locked_out(server, admin, task_id)

    async with locker.cursor() as cur:
        await cur.execute("UNLOCK TABLES")
        await cur.execute("SELECT COUNT(*) FROM messages WHERE text = 'while locked'")
        assert await cur.fetchone() == (0,)
    assert (await readyz(server))[0] == 200
