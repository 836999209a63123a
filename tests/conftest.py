"""Shared fixtures: a database per run (SQLite, MariaDB or PostgreSQL), and PushNest served by a
real uvicorn.

`PUSHNEST_TEST_DB=mysql` (or `postgres`) runs the suite against MariaDB (or PostgreSQL) in a fresh
database that is dropped at the end; the default is a SQLite file in a temporary directory. They
never share a process, because Tortoise keeps one global configuration per process.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import socket
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from starlette.applications import Starlette

from schema.settings import Settings, load_settings
from tests.announcements import Announcements
from tests.fakes.redis_server import PrivateRedis
from tests.helpers import ADMIN_PASSWORD, LOGIN, GraphQLClient, new_member

# Fails the run if a test flushed the machine's Redis or dropped a MariaDB schema it did not create.
pytest_plugins = ["tests.sentinels"]

MYSQL_ROOT = os.environ.get("PUSHNEST_TEST_MYSQL", "mysql://root:@127.0.0.1:3306")
# A superuser that may create databases (the machine's local trust rule for 127.0.0.1).
POSTGRES_ROOT = os.environ.get("PUSHNEST_TEST_POSTGRES", "postgres://postgres@127.0.0.1:5432")


def test_db_kind() -> str:
    return os.environ.get("PUSHNEST_TEST_DB", "sqlite")


@pytest.fixture(scope="session")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("data")


@pytest.fixture(scope="session")
def database_url(data_dir: Path) -> Iterator[str]:
    if test_db_kind() == "sqlite":
        yield f"sqlite://{data_dir / 'pushnest.db'}"
        return
    name = f"pushnest_test_{secrets.token_hex(4)}"
    url = asyncio.run(create_server_database(name))
    try:
        yield url
    finally:
        asyncio.run(drop_server_database(name))


async def create_server_database(name: str) -> str:
    """A new, empty database of this run's server kind (MariaDB or PostgreSQL); returns its URL."""
    if test_db_kind() == "postgres":
        await postgres_admin(f"CREATE DATABASE {name} ENCODING 'UTF8'")
        # A test database need not survive a crash: commits return without waiting for the disk.
        await postgres_admin(f"ALTER DATABASE {name} SET synchronous_commit = off")
        return f"{POSTGRES_ROOT}/{name}"
    await mysql_admin(f"CREATE DATABASE {name} CHARACTER SET utf8mb4")
    return f"{MYSQL_ROOT}/{name}"


async def drop_server_database(name: str) -> None:
    if test_db_kind() == "postgres":
        # WITH (FORCE): a pool that a failed test left open must not keep the database alive.
        await postgres_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    else:
        await mysql_admin(f"DROP DATABASE IF EXISTS {name}")


async def postgres_admin(statement: str) -> None:
    """Run one statement on the PostgreSQL server, connected to its maintenance database."""
    import asyncpg

    conn = await asyncpg.connect(f"{POSTGRES_ROOT}/postgres")
    try:
        await conn.execute(statement)
    finally:
        await conn.close()


async def mysql_admin(statement: str) -> None:
    """Run one statement on the MariaDB server (no database selected)."""
    from urllib.parse import urlsplit

    import aiomysql

    parts = urlsplit(MYSQL_ROOT)
    conn = await aiomysql.connect(
        host=parts.hostname,
        port=parts.port or 3306,
        user=parts.username or "root",
        password=parts.password or "",
        autocommit=True,
    )
    try:
        async with conn.cursor() as cur:
            await cur.execute(statement)
    finally:
        conn.close()


@pytest.fixture(scope="session")
def private_redis() -> Iterator[PrivateRedis]:
    """A redis-server of the test run's own (never the machine's 6379, which others may use)."""
    if not PrivateRedis.available():
        pytest.skip("redis-server is not installed")
    server = PrivateRedis().start()
    try:
        yield server
    finally:
        server.stop()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def settings(data_dir: Path, database_url: str) -> Settings:
    env = {
        "PUSHNEST_DATA_DIR": str(data_dir),
        "PUSHNEST_DATABASE_URL": database_url,
        "PUSHNEST_ADMIN_PASSWORD": ADMIN_PASSWORD,
        "PUSHNEST_PORT": str(free_port()),
        # Tests speak for other client addresses through X-Forwarded-For from the loopback proxy.
        "PUSHNEST_TRUSTED_PROXIES": "127.0.0.1/32",
        "PUSHNEST_LOGIN_MAX_ATTEMPTS": "5",
        "PUSHNEST_LOGIN_WINDOW_SECONDS": "60",
        "PUSHNEST_LOGIN_MAX_ATTEMPTS_PER_USER": "20",
        "PUSHNEST_API_KEY_MAX_FAILURES": "30",
        "PUSHNEST_ALLOWED_ORIGINS": "http://console.test",
        # Deliveries: fast retries and short timeouts so failure paths finish in seconds.
        "PUSHNEST_RETRY_BASE_SECONDS": "0.2",
        "PUSHNEST_RETRY_MAX_SECONDS": "1",
        "PUSHNEST_MAX_ATTEMPTS": "3",
        "PUSHNEST_SEND_TIMEOUT_SECONDS": "1",
        # The fake vendors listen on 127.0.0.1.
        "PUSHNEST_ALLOW_PRIVATE_TARGETS": "true",
        # No console build, whatever frontend/dist holds: tests/server/test_console.py brings its own.
        "PUSHNEST_CONSOLE_DIR": str(data_dir / "no-console"),
        # No automatic pruning while tests backdate rows; the retention tests prune explicitly.
        "PUSHNEST_RETENTION_DAYS": "0",
        "PUSHNEST_RETENTION_MAX_MESSAGES": "0",
        "PUSHNEST_INBOX_RETENTION_DAYS": "0",
        # Open WebSockets' credentials are checked twice a second, so changes made behind the
        # API's back (as another process would) close them quickly.
        "PUSHNEST_WS_CHECK_SECONDS": "0.5",
    }
    return load_settings(env, config_file=data_dir / "absent.ini")


@pytest.fixture(scope="session")
def served_app(settings: Settings) -> Starlette:
    """The app the session's server serves (its runtime is on `state` once it has started)."""
    from server.cli import build_app

    return build_app(settings)


@pytest.fixture(scope="session")
async def server(settings: Settings, served_app: Starlette) -> AsyncIterator[str]:
    """PushNest served by uvicorn in this process and event loop; yields its base URL."""
    config = uvicorn.Config(
        served_app,
        host="127.0.0.1",
        port=settings.port,
        proxy_headers=False,
        log_level="warning",
        lifespan="on",
    )
    instance = uvicorn.Server(config)
    task = asyncio.create_task(instance.serve())
    while not instance.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{settings.port}"
    finally:
        instance.should_exit = True
        await task


@pytest.fixture(scope="session")
async def anonymous(server: str, served_app: Starlette) -> AsyncIterator[GraphQLClient]:
    runtime = served_app.state.runtime
    assert runtime.feed is not None  # the session's server serves subscriptions
    # The pool drops idle connections well before uvicorn closes them (5 s): with both at 5 s, a
    # request could go out on a connection the server was just closing (httpx.ReadError).
    limits = httpx.Limits(keepalive_expiry=2.0)
    async with httpx.AsyncClient(base_url=server, timeout=30, limits=limits) as http:
        yield GraphQLClient(http, announcements=Announcements(runtime.feed.deliveries))


@pytest.fixture(scope="session")
async def admin(anonymous: GraphQLClient) -> GraphQLClient:
    data = await anonymous.call(LOGIN, {"u": "admin", "p": ADMIN_PASSWORD})
    return anonymous.as_(data["login"]["token"])


@pytest.fixture
async def member(admin: GraphQLClient) -> GraphQLClient:
    client, _ = await new_member(admin)
    return client


@pytest.fixture(scope="session")
def runtime_box(settings: Settings) -> Any:
    """Opens a channel row's sealed secrets, to check what was stored."""
    import json

    from schema.crypto import SecretBox

    box = SecretBox(settings.secret_key.get_secret_value())

    def open_secrets(row: Any) -> dict[str, str]:
        return dict(json.loads(box.open(row.secrets_sealed))) if row.secrets_sealed else {}

    return open_secrets


@pytest.fixture(scope="session")
async def sink() -> AsyncIterator[Any]:
    """A scriptable webhook receiver on 127.0.0.1 (tests/fakes/webhook_sink.py)."""
    from tests.fakes.webhook_sink import WebhookSink

    receiver = WebhookSink()
    await receiver.start()
    yield receiver
    await receiver.stop()
