"""Each API process caches callers and send targets; a change made through one process takes
effect in the others at once (through the event bus), not when their cache entries run out."""

from __future__ import annotations

import secrets
from typing import Any

import httpx

from tests.conftest import free_port
from tests.scaleout.conftest import Cluster, wait_ready

SEND = "mutation($i: SendMessageInput!) { sendMessage(input: $i) { message { id } } }"
ME = "{ me { username } }"
NEW_KEY = "mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { key apiKey { id } } }"


async def code_of(http: httpx.AsyncClient, query: str, variables: dict[str, Any], token: str) -> str | None:
    """None when the call succeeds, else its first error's code."""
    answer = await http.post(
        "/graphql",
        json={"query": query, "variables": variables},
        headers={"Authorization": f"Bearer {token}"},
    )
    errors = answer.json().get("errors")
    return str(errors[0]["extensions"]["code"]) if errors else None


async def test_revokes_deactivations_and_target_edits_reach_every_api_process_at_once(
    cluster: Cluster,
) -> None:
    port = free_port()
    second = cluster.start_api(port)
    async with (
        httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30) as other,
        httpx.AsyncClient(base_url=cluster.api_url, timeout=30) as http,
    ):
        await wait_ready(other, second)
        task_id, _ = await cluster.webhook_task(http, "/caches")
        made = await cluster.gql(http, NEW_KEY, {"i": {"name": "cached", "scope": "TASK", "taskId": task_id}})
        key, key_id = made["createApiKey"]["key"], made["createApiKey"]["apiKey"]["id"]
        send = {"i": {"taskId": task_id, "text": "cached"}}
        for _ in range(2):  # the second one is served from the other process's cache
            assert await code_of(other, SEND, send, key) is None

        await cluster.gql(http, "mutation($id: Int!) { revokeApiKey(id: $id) { id } }", {"id": key_id})
        assert await code_of(other, SEND, send, key) == "UNAUTHENTICATED"

        name, password = f"m{secrets.token_hex(3)}", "member-password"
        user = await cluster.gql(
            http,
            "mutation($i: CreateUserInput!) { createUser(input: $i) { id } }",
            {"i": {"username": name, "password": password}},
        )
        login = "mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token } }"
        token = (await cluster.gql(other, login, {"u": name, "p": password}, token=""))["login"]["token"]
        for _ in range(2):
            assert await code_of(other, ME, {}, token) is None
        await cluster.gql(
            http,
            "mutation($id: Int!) { updateUser(id: $id, input: {isActive: false}) { id } }",
            {"id": user["createUser"]["id"]},
        )
        assert await code_of(other, ME, {}, token) == "UNAUTHENTICATED"

        second_key = (
            await cluster.gql(http, NEW_KEY, {"i": {"name": "k2", "scope": "TASK", "taskId": task_id}})
        )["createApiKey"]["key"]
        for _ in range(2):
            assert await code_of(other, SEND, send, second_key) is None
        await cluster.gql(
            http,
            "mutation($id: Int!) { updateTask(id: $id, input: {enabled: false}) { id } }",
            {"id": task_id},
        )
        assert await code_of(other, SEND, send, second_key) == "BAD_INPUT"
