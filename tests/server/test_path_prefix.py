"""PushNest under a path prefix (`PUSHNEST_PATH_PREFIX=/pushnest`): the API, its WebSocket, the
REST compat routes, the session cookie and the console all answer below it, and nothing at the root
but the health checks."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import httpx
import pytest
import websockets

from schema.settings import Settings
from server.app import create_app
from server.console import with_base
from tests.conftest import free_port
from tests.server.test_cli import clean_env, serve_until_ready, stop

PREFIX = "/pushnest"
INDEX = (
    '<!doctype html><html><head><meta charset="utf-8"><script src="./assets/app-1.js"></script></head></html>'
)
PASSWORD = "a-password-for-the-prefix"
LOGIN = 'mutation($p: String!, $c: Boolean!) { login(username: "admin", password: $p, cookie: $c) { token } }'


@pytest.fixture
def dist(tmp_path: Path) -> Path:
    root = tmp_path / "dist"
    (root / "assets").mkdir(parents=True)
    (root / "index.html").write_text(INDEX)
    (root / "assets" / "app-1.js").write_text("console.log(1)")
    return root


def test_the_base_goes_first_into_the_head() -> None:
    page = with_base(INDEX, PREFIX)
    assert page.startswith('<!doctype html><html><head><base href="/pushnest/"><meta charset="utf-8">')
    assert (
        with_base("<!doctype html><title>t</title>", "") == '<!doctype html><base href="/"><title>t</title>'
    )


async def test_the_console_is_served_below_the_prefix_only(settings: Settings, dist: Path) -> None:
    app = create_app(settings.model_copy(update={"console_dir": dist, "path_prefix": PREFIX}))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://console.test"
    ) as client:
        for path in ("/pushnest/", "/pushnest/tasks/12", "/pushnest/settings"):
            page = await client.get(path)
            assert page.status_code == 200, path
            assert '<base href="/pushnest/">' in page.text
        assert (await client.get("/pushnest/assets/app-1.js")).text == "console.log(1)"
        moved = await client.get("/pushnest")
        assert moved.status_code == 308 and moved.headers["location"] == "/pushnest/"
        for path in ("/", "/tasks/12", "/assets/app-1.js", "/api/send"):
            assert (await client.get(path)).status_code == 404, path
        assert (await client.get("/healthz")).json() == {"status": "ok"}  # probes call the process directly
        assert (await client.get("/pushnest/healthz")).json() == {"status": "ok"}


async def test_without_a_build_the_note_links_below_the_prefix(settings: Settings, tmp_path: Path) -> None:
    app = create_app(settings.model_copy(update={"console_dir": tmp_path / "none", "path_prefix": PREFIX}))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://console.test"
    ) as client:
        note = await client.get("/pushnest/")
    assert note.status_code == 404 and 'href="/pushnest/graphql"' in note.text


def test_a_served_process_answers_graphql_websockets_and_rest_below_the_prefix(
    tmp_path: Path, dist: Path
) -> None:
    env = clean_env(
        tmp_path,
        PUSHNEST_ADMIN_PASSWORD=PASSWORD,
        PUSHNEST_PATH_PREFIX=PREFIX,
        PUSHNEST_CONSOLE_DIR=str(dist),
    )
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    proc, _ = serve_until_ready(env, port)
    try:
        by_cookie = httpx.post(
            f"{base}{PREFIX}/graphql",
            json={"query": LOGIN, "variables": {"p": PASSWORD, "c": True}},
            headers={"X-PushNest-Console": "1"},
            timeout=10,
        )
        # The console's session cookie goes only to the prefixed GraphQL endpoint.
        assert "path=/pushnest/graphql;" in by_cookie.headers["set-cookie"].lower()
        login = httpx.post(
            f"{base}{PREFIX}/graphql",
            json={"query": LOGIN, "variables": {"p": PASSWORD, "c": False}},
            timeout=10,
        )
        token = login.json()["data"]["login"]["token"]
        assert httpx.post(f"{base}/graphql", json={"query": "{ __typename }"}, timeout=10).status_code == 404
        # REST compat: reached (its own typed refusal of a missing key), not a 404.
        compat = httpx.post(f"{base}{PREFIX}/api/v1/message/send", json={"title": "t"}, timeout=10)
        assert compat.status_code != 404 and "code" in compat.json()
        assert asyncio.run(_socket_user(f"ws://127.0.0.1:{port}{PREFIX}/graphql", token)) == "admin"
    finally:
        stop(proc)


async def _socket_user(url: str, token: str) -> str:
    async with websockets.connect(url, subprotocols=[websockets.Subprotocol("graphql-transport-ws")]) as ws:
        await ws.send(
            json.dumps({"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}})
        )
        ack = json.loads(await asyncio.wait_for(ws.recv(), timeout=10))
    assert ack["type"] == "connection_ack", ack
    return str(ack["payload"]["user"])
