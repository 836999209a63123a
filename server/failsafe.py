"""The last resort for HTTP requests: no exception escapes the app to uvicorn.

An exception that reaches uvicorn is logged as "Exception in ASGI application" and the keep-alive
connection is dropped, so one odd request also breaks the client's next one. Here:

    the client hung up mid-request (ClientDisconnect)   one INFO line, nothing to answer
    the database or Redis is unreachable                 503 UNAVAILABLE, one WARNING line
    anything else (a bug)                                500 INTERNAL, logged with its traceback

The answer has GraphQL's error shape, which the GraphQL view also uses for requests it refuses.
If the answer had already started, nothing can be fixed: the exception goes on to uvicorn, which
closes the connection, as it must for a half-sent answer.
"""

from __future__ import annotations

import logging

from starlette.requests import ClientDisconnect
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from schema.graphql.public_errors import INTERNAL_MESSAGE
from schema.unavailable import unavailable

RETRY_AFTER_SECONDS = 5
log = logging.getLogger("pushnest.http")


def error_response(
    status: int, message: str, code: str, headers: dict[str, str] | None = None
) -> JSONResponse:
    """`{"errors": [{"message", "extensions": {"code"}}]}` with an HTTP status."""
    body = {"errors": [{"message": message, "extensions": {"code": code}}]}
    return JSONResponse(body, status_code=status, headers=headers)


class Failsafe:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracked(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracked)
        except ClientDisconnect:
            log.info("client went away before its request was read: %s %s", scope["method"], scope["path"])
        except Exception as exc:
            if started:
                raise
            await self._answer(scope, exc)(scope, receive, send)

    @staticmethod
    def _answer(scope: Scope, exc: Exception) -> JSONResponse:
        outage = unavailable(exc)
        if outage is not None:
            log.warning("%s %s failed, a backing service is down: %r", scope["method"], scope["path"], exc)
            retry = {"Retry-After": str(RETRY_AFTER_SECONDS)}
            return error_response(503, outage.message, outage.code, retry)
        log.error("%s %s failed", scope["method"], scope["path"], exc_info=exc)
        return error_response(500, INTERNAL_MESSAGE, "INTERNAL")
