"""The database goes away under a running `pushnest serve`: callers get UNAVAILABLE (HTTP 503, in
each endpoint's own shape), the log gets no tracebacks, and service resumes when it is back.

A real process on a private `mariadbd` that the test stops and starts (never the machine's).
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aiomysql
import httpx
import pytest
from websockets.sync.client import ClientConnection, connect
from websockets.typing import Subprotocol

from tests.conftest import free_port
from tests.fakes.mariadb_server import PrivateMariaDB
from tests.helpers import ADMIN_PASSWORD, LOGIN
from tests.server.test_cli import clean_env, serve_until_ready, stop

pytestmark = [
    pytest.mark.skipif(not PrivateMariaDB.available(), reason="mariadbd is not installed"),
    # Independent of the suite's database; once per `make test` is enough.
    pytest.mark.skipif(
        os.environ.get("PUSHNEST_TEST_DB", "sqlite") != "sqlite", reason="runs in the SQLite pass"
    ),
]
ME = "{ me { username } }"


@pytest.fixture
def mariadb() -> Iterator[PrivateMariaDB]:
    server = PrivateMariaDB().create()
    try:
        yield server
    finally:
        server.destroy()


async def create_database(server: PrivateMariaDB, name: str) -> None:
    conn = await aiomysql.connect(host="127.0.0.1", port=server.port, user="root", autocommit=True)
    try:
        async with conn.cursor() as cur:
            await cur.execute(f"CREATE DATABASE {name} CHARACTER SET utf8mb4")
    finally:
        conn.close()


def graphql(http: httpx.Client, query: str, token: str = "", **variables: Any) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return http.post("/graphql", json={"query": query, "variables": variables}, headers=headers)


def test_a_stopped_database_answers_unavailable_and_service_resumes(
    mariadb: PrivateMariaDB, tmp_path: Path
) -> None:
    asyncio.run(create_database(mariadb, "pushnest"))
    port = free_port()
    env = clean_env(
        tmp_path,
        PUSHNEST_DATABASE_URL=mariadb.url("pushnest"),
        PUSHNEST_ADMIN_PASSWORD=ADMIN_PASSWORD,
        PUSHNEST_CONSOLE_DIR=str(tmp_path / "no-console"),
        PUSHNEST_WS_CHECK_SECONDS="0.3",  # so open sockets' sign-ins are checked during the outage
    )
    env.pop("PUSHNEST_REDIS_URL", None)
    proc, _ = serve_until_ready(env, port)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as http:
            token = graphql(http, LOGIN, u="admin", p=ADMIN_PASSWORD).json()["data"]["login"]["token"]
            key = graphql(
                http, 'mutation { createApiKey(input: {name: "k", scope: ALL}) { key } }', token
            ).json()["data"]["createApiKey"]["key"]
            with connect(socket_url(port), subprotocols=[Subprotocol("graphql-transport-ws")]) as socket:
                sign_in(socket, token)
                mariadb.stop()
                expect_unavailable(http, token, key)
                time.sleep(1)  # a few checks of the open socket's sign-in fail meanwhile
                socket.send(json.dumps({"type": "ping"}))  # and the socket is kept, not ended
                assert json.loads(socket.recv(timeout=10)) == {"type": "pong"}

            mariadb.start()
            assert eventually(lambda: graphql(http, ME, token).status_code == 200)
            assert graphql(http, ME, token).json() == {"data": {"me": {"username": "admin"}}}
    finally:
        err = stop(proc)
    assert "Exception in ASGI application" not in err
    assert request_errors(err) == [], err[-3000:]


def request_errors(stderr: str) -> list[str]:
    """ERROR lines of the API's request handling and socket checks. (The in-process worker's loop,
    polling the database in the background, may log its own failures while it is away.)"""
    request_loggers = {
        "pushnest.http",
        "pushnest.graphql",
        "pushnest.rest",
        "pushnest.ws",
        "strawberry.execution",
    }
    errors = re.findall(r"^\S+ \S+ (?:ERROR|CRITICAL) (\S+): (.*)$", stderr, re.MULTILINE)
    return [f"{name}: {text}" for name, text in errors if name.rstrip(":") in request_loggers]


def expect_unavailable(http: httpx.Client, token: str, key: str) -> None:
    # Signed in: the caller comes from the process's sign-in cache, the list from the database.
    # Anonymous: a field reads the database. Login: the throttle and user lookup.
    for response in (
        graphql(http, "{ tasks(first: 1) { totalCount } }", token),
        graphql(http, "{ siteSettings { title } }"),
        graphql(http, LOGIN, u="admin", p=ADMIN_PASSWORD),
    ):
        assert response.status_code == 503, response.text
        assert response.headers["retry-after"]
        error = response.json()["errors"][0]
        assert error["extensions"]["code"] == "UNAVAILABLE" and "database" in error["message"]
    rest = http.get("/api/send", params={"key": key, "title": "t", "text": "x"})
    assert rest.status_code == 503 and rest.json()["code"] == 503, rest.text
    assert http.get("/readyz").status_code == 503


def socket_url(port: int) -> str:
    return f"ws://127.0.0.1:{port}/graphql"


def sign_in(ws: ClientConnection, token: str) -> None:
    ws.send(json.dumps({"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}}))
    assert json.loads(ws.recv(timeout=10))["type"] == "connection_ack"


def eventually(check: Any, seconds: float = 30) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.3)
    return False
