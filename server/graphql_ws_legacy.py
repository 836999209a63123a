"""The legacy `graphql-ws` protocol: Strawberry's handler, registered with `SocketSessions` once
signed in (so that it is closed when its credentials stop holding), and made strict where
Strawberry's is lenient:

- a socket that has not sent `connection_init` within the view's `connection_init_wait_timeout`
  is closed with 4408, as graphql-transport-ws does (Strawberry's legacy handler waits forever);
- a message that is not an object with a `type`, or a `start`/`stop` without a string `id` or
  a `start` without a `payload.query` string, gets an `error` frame (Strawberry raised, and the
  socket died with a traceback in the log);
- a query or mutation gets a BAD_INPUT `error` frame: this protocol runs subscriptions only
  here (Strawberry answered them with a masked internal error).
"""

from __future__ import annotations

import asyncio
from contextlib import suppress
from typing import Any, cast

from graphql import GraphQLError, OperationType, get_operation_ast, parse
from strawberry.http.exceptions import WebSocketDisconnected
from strawberry.subscriptions.protocols.graphql_ws.handlers import BaseGraphQLWSHandler
from strawberry.subscriptions.protocols.graphql_ws.types import (
    ConnectionErrorMessage,
    ConnectionInitMessage,
    OperationMessage,
    StartMessage,
)

from schema.graphql.build import MAX_TOKENS
from schema.graphql.context import GraphQLContext
from server.graphql_ws import GONE

SESSION_ENDED: ConnectionErrorMessage = {
    "type": "connection_error",
    "payload": {"reason": "session has ended; sign in again"},
}
INIT_TIMEOUT_CODE = 4408
SUBSCRIPTIONS_ONLY = (
    "the legacy graphql-ws protocol carries subscriptions only; send queries and mutations over "
    "HTTP or graphql-transport-ws"
)
_NEEDS_ID = frozenset({"start", "stop"})


class LegacyWS(BaseGraphQLWSHandler[GraphQLContext, None]):
    async def handle(self) -> None:
        timer = asyncio.create_task(self._close_unless_initialised())
        try:
            await super().handle()
        finally:
            timer.cancel()

    async def handle_message(self, message: OperationMessage) -> None:
        raw = cast(object, message)
        problem = _frame_problem(raw)
        if problem is None:
            await super().handle_message(message)
            return
        op_id = raw.get("id") if isinstance(raw, dict) else None
        await self._send_error(op_id if isinstance(op_id, str) else None, problem)

    async def handle_start(self, message: StartMessage) -> None:
        if self.connection_acknowledged and not _is_subscription(dict(message["payload"])):
            await self._send_error(message["id"], SUBSCRIPTIONS_ONLY)
            return
        await super().handle_start(message)

    async def handle_connection_init(self, message: ConnectionInitMessage) -> None:
        await super().handle_connection_init(message)
        if self.connection_acknowledged:
            self.context.runtime.sessions.add(self, self.context.principal)

    async def cleanup(self) -> None:
        self.context.runtime.sessions.discard(self)
        await super().cleanup()

    async def end_session(self) -> None:
        """The caller's credentials no longer hold: stop every operation, then refuse the socket
        as a bad `connection_init` is refused in this protocol (`connection_error`, close 1011)."""
        with suppress(*GONE, WebSocketDisconnected):
            await super().cleanup()
            await self.send_message(SESSION_ENDED)
            await self.websocket.close(code=1011, reason="")

    async def _close_unless_initialised(self) -> None:
        await asyncio.sleep(self.view.connection_init_wait_timeout.total_seconds())
        if not self.connection_acknowledged:
            with suppress(*GONE, WebSocketDisconnected):
                await self.websocket.close(code=INIT_TIMEOUT_CODE, reason="Connection initialisation timeout")

    async def _send_error(self, op_id: str | None, message: str) -> None:
        payload = {"message": message, "extensions": {"code": "BAD_INPUT"}}
        frame: dict[str, Any] = {"type": "error", "payload": payload}
        if op_id is not None:
            frame["id"] = op_id
        await self.send_message(cast(OperationMessage, frame))


def _frame_problem(message: object) -> str | None:
    """Why a frame cannot be handled, or None when it has the shape its type needs."""
    if not isinstance(message, dict) or not isinstance(message.get("type"), str):
        return "a message must be a JSON object with a string 'type'"
    if message["type"] in _NEEDS_ID and not isinstance(message.get("id"), str):
        return f"a '{message['type']}' message needs a string 'id'"
    if message["type"] == "start":
        payload = message.get("payload")
        if not isinstance(payload, dict) or not isinstance(payload.get("query"), str):
            return "a 'start' message needs a payload with a 'query' string"
        if not isinstance(payload.get("variables"), dict | None):
            return "'variables' must be an object"
    return None


def _is_subscription(payload: dict[str, Any]) -> bool:
    """False for a query or mutation. A document that does not parse counts as a subscription:
    the schema then reports its syntax error the usual way."""
    try:
        document = parse(payload["query"], max_tokens=MAX_TOKENS)
    except GraphQLError:
        return True
    name = payload.get("operationName")
    operation = get_operation_ast(document, name if isinstance(name, str) else None)
    return operation is None or operation.operation is OperationType.SUBSCRIPTION
