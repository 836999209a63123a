"""graphql-transport-ws with shared subscription frames (see `schema.graphql.shared_events`).

Strawberry's handler, except that each operation's task carries a `FrameSink`: subscription
events that render the same for every receiver arrive here already serialized, and go out as
`{"id": <this operation>, "type": "next", "payload": <shared text>}` without graphql-core or
Strawberry running per subscriber. Everything else (connection_init, errors, completion, queries
and mutations over the socket) is Strawberry's own code path.

Once signed in, the socket is registered with the runtime's `SocketSessions`, which closes it
(4403, as a refused `connection_init` is) when its credentials stop holding.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Coroutine, Generator
from contextlib import suppress
from typing import Any

from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketDisconnected
from strawberry.asgi import ASGIWebSocketAdapter
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
    Operation,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.types import ConnectionInitMessage

from schema.graphql.context import GraphQLContext
from schema.graphql.shared_events import FRAME_SINK

GONE = (WebSocketDisconnect, WebSocketDisconnected)
log = logging.getLogger("pushnest.ws")


class SharedFramesTransportWS(BaseGraphQLTransportWSHandler[GraphQLContext, None]):
    async def handle_connection_init(self, message: ConnectionInitMessage) -> None:
        await super().handle_connection_init(message)
        if self.connection_acknowledged:
            self.context.runtime.sessions.add(self, self.context.principal)

    async def shutdown(self) -> None:
        self.context.runtime.sessions.discard(self)
        await super().shutdown()

    async def end_session(self) -> None:
        """The caller's credentials no longer hold: stop every operation, close with 4403."""
        for operation_id in list(self.operations):
            await self.cleanup_operation(operation_id)  # their sinks stop sending at once
        with suppress(*GONE):
            await self.websocket.close(code=4403, reason="Forbidden")

    async def run_operation(self, operation: Operation[GraphQLContext, None]) -> None:
        # Runs in the operation's own task: the sink is seen by this operation only.
        if isinstance(self.websocket, ASGIWebSocketAdapter):
            FRAME_SINK.set(NextFrames(self, self.websocket.ws, operation))
        await super().run_operation(operation)


class NextFrames:
    """The `next` frames of one operation, written straight to its socket, in order.

    `send_now` is called by an event's publisher, outside this operation's task: it starts the
    ASGI send and, as it nearly always completes without waiting (the socket's buffer has room),
    that is the whole send. If the send has to wait (a slow reader), a task finishes it, and
    until then `send_now` declines, so later frames queue up behind it.
    """

    __slots__ = ("_closed", "_handler", "_operation", "_pending", "_prefix", "_send_text")

    def __init__(
        self, handler: SharedFramesTransportWS, ws: WebSocket, operation: Operation[GraphQLContext, None]
    ) -> None:
        self._prefix = '{"id":' + json.dumps(operation.id) + ',"type":"next","payload":'
        self._send_text = ws.send_text
        self._handler = handler
        self._operation = operation
        self._closed = False
        self._pending: asyncio.Task[None] | None = None

    def _stopped(self) -> bool:
        # The client completed the operation (or left): Strawberry forgot it and cancels its task,
        # but the publisher may reach this sink before that cancellation does.
        return self._closed or self._handler.operations.get(self._operation.id) is not self._operation

    def send_now(self, payload: str) -> bool:
        if self._stopped():
            return True
        if self._pending is not None:
            return False
        sending = self._send_text(self._prefix + payload + "}")
        try:
            blocked_on = sending.send(None)
        except StopIteration:
            return True
        except GONE:
            self._closed = True
            return True
        self._pending = asyncio.ensure_future(self._finish(sending, blocked_on))
        self._pending.add_done_callback(self._finished)
        return True

    async def send_payload(self, payload: str) -> None:
        await self.flush()
        if self._stopped():
            return
        try:
            await self._send_text(self._prefix + payload + "}")
        except GONE:
            self._closed = True  # the handler sees it too, and cancels this operation

    async def flush(self) -> None:
        if self._pending is not None:
            await asyncio.wait([self._pending])  # its outcome is handled in _finished

    async def _finish(self, sending: Coroutine[Any, Any, None], blocked_on: Any) -> None:
        await _Resumed(sending, blocked_on)

    def _finished(self, task: asyncio.Task[None]) -> None:
        if self._pending is task:
            self._pending = None
        if task.cancelled():
            sending_failed: BaseException | None = asyncio.CancelledError()
        else:
            sending_failed = task.exception()
        if sending_failed is not None:
            # A frame may be lost, so this operation sends nothing more; the client is gone
            # (or the server is stopping) in all but a bug, which is logged.
            self._closed = True
            if not isinstance(sending_failed, (*GONE, asyncio.CancelledError)):
                log.error("sending a subscription frame failed", exc_info=sending_failed)


class _Resumed:
    """Awaits a coroutine that was started by hand and is now blocked on `blocked_on` (a future it
    awaits): hands that future to the awaiting task, then drives the coroutine on, as `await` would."""

    __slots__ = ("_blocked_on", "_coroutine")

    def __init__(self, coroutine: Coroutine[Any, Any, None], blocked_on: Any) -> None:
        self._coroutine = coroutine
        self._blocked_on = blocked_on

    def __await__(self) -> Generator[Any, Any, None]:
        coroutine, blocked_on = self._coroutine, self._blocked_on
        while True:
            try:
                sent = yield blocked_on
            except BaseException as exc:  # cancellation or close: deliver it where it waits
                try:
                    blocked_on = coroutine.throw(exc)
                except StopIteration:
                    return
            else:
                try:
                    blocked_on = coroutine.send(sent)
                except StopIteration:
                    return
