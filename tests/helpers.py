"""Test helpers: a small GraphQL client over httpx, and ways to make fresh accounts and names."""

from __future__ import annotations

import asyncio
import secrets
import time
from collections.abc import Callable
from typing import Any

import httpx

from tests.announcements import Announcements

ADMIN_PASSWORD = "admin-password-for-tests"


class GraphQLClient:
    """Posts GraphQL documents; `call` returns data or raises with the first error's code."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        token: str | None = None,
        ip: str | None = None,
        announcements: Announcements | None = None,
    ) -> None:
        self.http = http
        self.token = token
        self.ip = ip
        # The in-process server's delivery events, to wait on instead of polling (None elsewhere).
        self._announcements = announcements

    @property
    def announcements(self) -> Announcements | None:
        return self._announcements

    @property
    def server_events(self) -> Announcements:
        """The in-process server's announcements (tests of the session's server only)."""
        assert self._announcements is not None, "this client talks to a server in another process"
        return self._announcements

    def as_(self, token: str | None, ip: str | None = None) -> GraphQLClient:
        return GraphQLClient(self.http, token, ip, self._announcements)

    async def post(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        headers = {}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        if self.ip:
            headers["X-Forwarded-For"] = self.ip
        response = await self.http.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    async def call(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        body = await self.post(query, variables)
        if body.get("errors"):
            raise GraphQLFailure(body["errors"])
        data: dict[str, Any] = body["data"]
        return data

    async def fails(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        """The first error of a call that must fail; its `extensions.code` is stable."""
        body = await self.post(query, variables)
        assert body.get("errors"), f"expected an error, got {body}"
        error: dict[str, Any] = body["errors"][0]
        return error


class GraphQLFailure(AssertionError):
    def __init__(self, errors: list[dict[str, Any]]) -> None:
        super().__init__(errors)
        self.errors = errors
        self.code = errors[0].get("extensions", {}).get("code")


LOGIN = "mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token user { id username role } } }"


async def new_member(admin: GraphQLClient, password: str = "member-password") -> tuple[GraphQLClient, str]:
    """A fresh member account and a client signed in as it."""
    username = f"member_{secrets.token_hex(4)}"
    await admin.call(
        "mutation($i: CreateUserInput!) { createUser(input: $i) { id } }",
        {"i": {"username": username, "password": password, "role": "MEMBER"}},
    )
    data = await admin.call(LOGIN, {"u": username, "p": password})
    return admin.as_(data["login"]["token"]), username


def unique(prefix: str) -> str:
    return f"{prefix}-{secrets.token_hex(4)}"


def code_and_field(error: dict[str, Any]) -> dict[str, Any]:
    """An error's code and field, without the reason and args it may carry for clients' own words."""
    return {k: v for k, v in error["extensions"].items() if k in ("code", "field")}


FINAL_MESSAGE_STATUSES = ("SUCCEEDED", "PARTIAL", "FAILED")


async def settled_message(
    client: GraphQLClient, query: str, message_id: int, timeout: float = 20.0
) -> dict[str, Any]:
    """The message (as `query`, taking `$id`, reads it) once every delivery is final."""
    return await delivery_state(
        client, query, message_id, lambda m: m["status"] in FINAL_MESSAGE_STATUSES, timeout
    )


async def delivery_state(
    client: GraphQLClient,
    query: str,
    message_id: int,
    done: Callable[[dict[str, Any]], bool],
    timeout: float = 20.0,
) -> dict[str, Any]:
    """The message (as `query` reads it) once `done` holds, read again on each of its delivery events."""

    async def read() -> dict[str, Any]:
        message: dict[str, Any] = (await client.call(query, {"id": message_id}))["message"]
        return message

    if client.announcements is not None:
        return await client.announcements.until(message_id, read, done, timeout)
    # A server in another process (tests/process.py): nothing here to wait on, so read on a timer.
    deadline = time.monotonic() + timeout
    while not done(message := await read()):
        assert time.monotonic() < deadline, message
        await asyncio.sleep(0.05)
    return message
