"""A scaled-out PushNest in real processes: `pushnest serve` and `pushnest worker` on MariaDB + Redis.

These tests always use MariaDB and Redis (the scale-out mode needs both) and skip when either is
unreachable. Each module gets a fresh database.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import aiomysql
import httpx
import pytest

from tests.conftest import MYSQL_ROOT, free_port, mysql_admin
from tests.fakes.redis_server import PrivateRedis
from tests.fakes.webhook_sink import WebhookSink
from tests.helpers import LOGIN

REPO = Path(__file__).resolve().parents[2]
ADMIN_PASSWORD = "scaleout-admin-password"


def reachable(url: str, default_port: int) -> bool:
    import socket

    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or default_port), timeout=1):
            return True
    except OSError:
        return False


@dataclass
class Cluster:
    env: dict[str, str]
    api_url: str
    database: str
    sink: WebhookSink
    api: subprocess.Popen[bytes]
    workers: list[subprocess.Popen[bytes]] = field(default_factory=list)
    token: str = ""

    def start_worker(self, extra_env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
        proc = subprocess.Popen(
            [sys.executable, "-m", "server.cli", "worker"],
            env=self.env | (extra_env or {}),
            cwd=REPO,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.workers.append(proc)
        return proc

    def start_api(self, port: int) -> subprocess.Popen[bytes]:
        """Another API process on the same database and Redis."""
        proc = subprocess.Popen(
            [sys.executable, "-m", "server.cli", "serve", "--port", str(port)],
            env=self.env,
            cwd=REPO,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.workers.append(proc)  # stopped with the workers at the end
        return proc

    def kill_worker(self, proc: subprocess.Popen[bytes]) -> None:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        self.workers.remove(proc)

    async def sql(self, statement: str) -> list[tuple[Any, ...]]:
        parts = urlsplit(MYSQL_ROOT)
        conn = await aiomysql.connect(
            host=parts.hostname,
            port=parts.port or 3306,
            user=parts.username or "root",
            password=parts.password or "",
            db=self.database,
            autocommit=True,
        )
        try:
            async with conn.cursor() as cur:
                await cur.execute(statement)
                return list(await cur.fetchall())
        finally:
            conn.close()

    async def gql(
        self,
        http: httpx.AsyncClient,
        query: str,
        variables: dict[str, Any] | None = None,
        token: str | None = None,
    ) -> dict[str, Any]:
        response = await http.post(
            "/graphql",
            json={"query": query, "variables": variables or {}},
            headers={"Authorization": f"Bearer {token or self.token}"},
        )
        body = response.json()
        assert not body.get("errors"), body
        data: dict[str, Any] = body["data"]
        return data

    async def webhook_task(self, http: httpx.AsyncClient, path: str) -> tuple[int, str]:
        """A task bound to a webhook on the sink, and an API key for it."""
        channel = await self.gql(
            http,
            "mutation($i: CreateChannelInput!) { createChannel(input: $i) { id } }",
            {
                "i": {
                    "name": f"hook-{secrets.token_hex(3)}",
                    "type": "webhook",
                    "config": {"url": self.sink.url(path)},
                }
            },
        )
        task = await self.gql(
            http,
            "mutation($i: CreateTaskInput!) { createTask(input: $i) { id } }",
            {
                "i": {
                    "name": f"task-{secrets.token_hex(3)}",
                    "bindings": [{"channelId": channel["createChannel"]["id"]}],
                }
            },
        )
        task_id = int(task["createTask"]["id"])
        key = await self.gql(
            http,
            "mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { key } }",
            {"i": {"name": f"k-{secrets.token_hex(3)}", "scope": "TASK", "taskId": task_id}},
        )
        return task_id, key["createApiKey"]["key"]

    async def final_counts(self) -> dict[str, int]:
        rows = await self.sql("SELECT status, COUNT(*) FROM deliveries GROUP BY status")
        return {str(status): int(count) for status, count in rows}


@pytest.fixture(scope="module")
def extra_env() -> dict[str, str]:
    """More environment for every process of the module's cluster (a module may override this)."""
    return {}


@pytest.fixture(scope="module")
async def cluster(
    tmp_path_factory: pytest.TempPathFactory, private_redis: PrivateRedis, extra_env: dict[str, str]
) -> AsyncIterator[Cluster]:
    """Its own database and, because these tests flush and fill Redis, its own redis-server."""
    async with running_cluster(tmp_path_factory, private_redis.url(5), extra_env) as started:
        yield started


@asynccontextmanager
async def running_cluster(
    tmp_path_factory: pytest.TempPathFactory, redis_url: str, extra_env: dict[str, str] | None = None
) -> AsyncIterator[Cluster]:
    """A fresh database, a webhook sink and one `pushnest serve` on `redis_url`; workers are started
    by the tests. Everything is stopped and the database dropped afterwards."""
    if not reachable(MYSQL_ROOT, 3306):
        pytest.skip("the scale-out tests need MariaDB")
    database = f"pushnest_scaleout_{secrets.token_hex(4)}"
    await mysql_admin(f"CREATE DATABASE {database} CHARACTER SET utf8mb4")
    from redis.asyncio import Redis

    redis = Redis.from_url(redis_url)
    await redis.flushdb()
    sink = WebhookSink()
    await sink.start()
    port = free_port()
    data_dir = tmp_path_factory.mktemp("scaleout")
    env = (
        {k: v for k, v in os.environ.items() if not k.startswith("PUSHNEST_")}
        | {
            "PUSHNEST_CONFIG": str(data_dir / "none.ini"),
            "PUSHNEST_DATA_DIR": str(data_dir),
            "PUSHNEST_DATABASE_URL": f"{MYSQL_ROOT}/{database}",
            "PUSHNEST_REDIS_URL": redis_url,
            "PUSHNEST_ADMIN_PASSWORD": ADMIN_PASSWORD,
            "PUSHNEST_JWT_SECRET": secrets.token_urlsafe(40),
            "PUSHNEST_SECRET_KEY": secrets.token_urlsafe(40),
            "PUSHNEST_PORT": str(port),
            "PUSHNEST_ALLOW_PRIVATE_TARGETS": "true",
            "PUSHNEST_LEASE_SECONDS": "5",
            "PUSHNEST_RETRY_BASE_SECONDS": "0.2",
            "PUSHNEST_RETRY_MAX_SECONDS": "1",
            "PUSHNEST_LOG_LEVEL": "WARNING",
        }
        | (extra_env or {})
    )
    api = subprocess.Popen(
        [sys.executable, "-m", "server.cli", "serve"],
        env=env,
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    cluster = Cluster(env=env, api_url=f"http://127.0.0.1:{port}", database=database, sink=sink, api=api)
    try:
        async with httpx.AsyncClient(base_url=cluster.api_url, timeout=30) as http:
            await wait_ready(http, api)
            body = (
                await http.post(
                    "/graphql", json={"query": LOGIN, "variables": {"u": "admin", "p": ADMIN_PASSWORD}}
                )
            ).json()
            cluster.token = body["data"]["login"]["token"]
        yield cluster
    finally:
        for proc in [*cluster.workers, api]:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
        await sink.stop()
        with contextlib.suppress(Exception):
            await redis.flushdb()
        await redis.aclose()
        await mysql_admin(f"DROP DATABASE IF EXISTS {database}")


async def wait_ready(http: httpx.AsyncClient, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert proc.poll() is None, "pushnest serve exited"
        try:
            if (await http.get("/readyz")).status_code == 200:
                return
        except httpx.TransportError:
            pass
        await asyncio.sleep(0.1)
    raise AssertionError("pushnest serve did not become ready")


def delivery_ids_at(sink: WebhookSink, path: str) -> list[int]:
    return [int(json.loads(r.body)["data"]["delivery_id"]) for r in sink.received[path]]
