"""What the benchmark programs share: waiting for `pushnest serve`, GraphQL calls, a webhook task."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path
from typing import Any

import httpx

LOGIN = "mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token } }"


async def wait_ready(http: httpx.AsyncClient, check_alive: Callable[[], None]) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        check_alive()
        with suppress(httpx.TransportError):
            if (await http.get("/readyz")).status_code == 200:
                return
        await asyncio.sleep(0.1)
    raise SystemExit("pushnest serve did not become ready")


async def gql(http: httpx.AsyncClient, query: str, variables: dict[str, Any], token: str) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = await http.post("/graphql", json={"query": query, "variables": variables}, headers=headers)
    payload: dict[str, Any] = response.json()
    if response.status_code != 200 or payload.get("errors"):
        raise SystemExit(f"GraphQL call failed: {response.status_code} {payload}")
    data: dict[str, Any] = payload["data"]
    return data


async def webhook_task(http: httpx.AsyncClient, sink_url: str, admin_password: str) -> tuple[str, int]:
    """Log in as admin; create a webhook channel on the sink and a task bound to it."""
    token = str((await gql(http, LOGIN, {"u": "admin", "p": admin_password}, ""))["login"]["token"])
    channel = await gql(
        http,
        "mutation($i: CreateChannelInput!) { createChannel(input: $i) { id } }",
        {"i": {"name": "bench-sink", "type": "webhook", "config": {"url": sink_url}}},
        token,
    )
    task = await gql(
        http,
        "mutation($i: CreateTaskInput!) { createTask(input: $i) { id } }",
        {"i": {"name": "bench", "bindings": [{"channelId": channel["createChannel"]["id"]}]}},
        token,
    )
    return token, int(task["createTask"]["id"])


async def task_key(http: httpx.AsyncClient, token: str, task_id: int) -> str:
    key = await gql(
        http,
        "mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { key } }",
        {"i": {"name": "bench", "scope": "TASK", "taskId": task_id}},
        token,
    )
    return str(key["createApiKey"]["key"])


def cpu_seconds(pid: int) -> float:
    """utime + stime of a process (fields 14 and 15 of /proc/<pid>/stat); 0 once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine_busy_seconds() -> float:
    """CPU time spent by everything on the machine (all cores), from /proc/stat."""
    fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")
