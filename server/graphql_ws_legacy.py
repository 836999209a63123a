"""The legacy `graphql-ws` protocol: Strawberry's handler, registered with `SocketSessions` once
signed in, so that it is closed when its credentials stop holding."""

from __future__ import annotations

from contextlib import suppress

from strawberry.http.exceptions import WebSocketDisconnected
from strawberry.subscriptions.protocols.graphql_ws.handlers import BaseGraphQLWSHandler
from strawberry.subscriptions.protocols.graphql_ws.types import ConnectionErrorMessage, ConnectionInitMessage

from schema.graphql.context import GraphQLContext
from server.graphql_ws import GONE

SESSION_ENDED: ConnectionErrorMessage = {
    "type": "connection_error",
    "payload": {"reason": "session has ended; sign in again"},
}


class LegacyWS(BaseGraphQLWSHandler[GraphQLContext, None]):
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
