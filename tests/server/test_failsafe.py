"""`Failsafe`: whatever an app raises, the client gets an answer with a code and uvicorn sees nothing.

The app under the middleware is a real ASGI app that fails the way PushNest's parts fail (a bug,
a real driver error, a client that disconnects); the middleware is called as uvicorn calls it.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import aiomysql
import pytest
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.types import Message, Receive, Scope, Send
from tortoise.exceptions import OperationalError

from schema.graphql.public_errors import INTERNAL_MESSAGE
from schema.unavailable import DATABASE_DOWN
from server.failsafe import Failsafe

SCOPE: Scope = {"type": "http", "method": "POST", "path": "/graphql", "headers": [], "query_string": b""}


async def call(app: Any, messages: list[Message] | None = None) -> list[Message]:
    """Runs the app behind Failsafe; returns what it sent."""
    incoming = list(messages or [{"type": "http.request", "body": b"{}", "more_body": False}])
    sent: list[Message] = []

    async def receive() -> Message:
        return incoming.pop(0) if incoming else {"type": "http.disconnect"}

    async def send(message: Message) -> None:
        sent.append(message)

    await Failsafe(app)(dict(SCOPE), receive, send)
    return sent


def answer(sent: list[Message]) -> tuple[int, dict[str, str], Any]:
    head, body = sent[0], b"".join(m.get("body", b"") for m in sent[1:])
    headers = {k.decode(): v.decode() for k, v in head["headers"]}
    return head["status"], headers, json.loads(body)


def failing(exc: Exception) -> Any:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        raise exc

    return app


async def test_a_bug_is_a_500_with_code_internal_and_a_logged_traceback(
    caplog: pytest.LogCaptureFixture,
) -> None:
    status, _, body = answer(await call(failing(KeyError("secret"))))
    assert status == 500
    assert body == {"errors": [{"message": INTERNAL_MESSAGE, "extensions": {"code": "INTERNAL"}}]}
    assert [(r.levelno, bool(r.exc_info)) for r in caplog.records] == [(logging.ERROR, True)]


async def test_an_unreachable_database_is_a_503_with_retry_after(caplog: pytest.LogCaptureFixture) -> None:
    down = OperationalError(aiomysql.OperationalError(2003, "Can't connect to MySQL server on '127.0.0.1'"))
    status, headers, body = answer(await call(failing(down)))
    assert status == 503 and headers["retry-after"] == "5"
    assert body["errors"][0] == {"message": DATABASE_DOWN, "extensions": {"code": "UNAVAILABLE"}}
    assert [r.levelno for r in caplog.records] == [logging.WARNING]


async def test_a_client_that_left_mid_body_gets_nothing_and_is_no_error(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def reads_body(scope: Scope, receive: Receive, send: Send) -> None:
        await Request(scope, receive).body()  # raises ClientDisconnect, as Starlette does
        await PlainTextResponse("never")(scope, receive, send)

    partial: list[Message] = [{"type": "http.request", "body": b'{"qu', "more_body": True}]
    assert await call(reads_body, partial) == []
    assert all(r.levelno < logging.WARNING for r in caplog.records)


async def test_a_failure_after_the_answer_started_is_left_to_the_server() -> None:
    async def half(scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        raise RuntimeError("mid-stream")

    with pytest.raises(RuntimeError):
        await call(half)


async def test_websockets_pass_through_untouched() -> None:
    seen: list[str] = []

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        seen.append(scope["type"])

    async def nothing() -> Message:
        return {}

    async def ignore(message: Message) -> None:
        return None

    await Failsafe(app)({"type": "websocket", "path": "/graphql"}, nothing, ignore)
    assert seen == ["websocket"]
