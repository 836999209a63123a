"""The GraphQL endpoint: one ASGI app for HTTP, GraphiQL and both WebSocket protocols."""

from __future__ import annotations

from typing import Any

from starlette.requests import HTTPConnection, Request
from starlette.responses import Response
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError

from schema.graphql.context import GraphQLContext
from schema.services.auth import principal_for
from schema.services.principal import Principal
from schema.services.runtime import Runtime
from server.client_ip import client_ip
from server.graphql_ws import SharedFramesTransportWS
from server.graphql_ws_legacy import LegacyWS


def runtime_of(conn: HTTPConnection) -> Runtime:
    runtime: Runtime = conn.app.state.runtime
    return runtime


def ip_of(conn: HTTPConnection) -> str:
    runtime = runtime_of(conn)
    peer = conn.client.host if conn.client else None
    return client_ip(peer, conn.headers.get("x-forwarded-for"), runtime.settings.trusted_proxies)


class PushNestGraphQL(GraphQL[GraphQLContext, None]):
    """Resolves the caller per HTTP request, and once per socket on `connection_init`."""

    graphql_transport_ws_handler_class = SharedFramesTransportWS
    graphql_ws_handler_class = LegacyWS

    async def get_context(
        self, request: Request | WebSocket, response: Response | WebSocket
    ) -> GraphQLContext:
        runtime = runtime_of(request)
        ip = ip_of(request)
        if isinstance(request, WebSocket):
            # The token only arrives with connection_init; see on_ws_connect.
            return GraphQLContext(
                runtime=runtime, principal=Principal(ip=ip), request=request, response=response
            )
        principal = await principal_for(runtime, request.headers.get("authorization", ""), ip)
        return GraphQLContext(runtime=runtime, principal=principal, request=request, response=response)

    async def on_ws_connect(self, context: GraphQLContext) -> dict[str, Any]:
        params = context.connection_params or {}
        raw = params.get("authorization") or params.get("Authorization") or ""
        if not raw and params.get("token"):
            raw = f"Bearer {params['token']}"
        principal = await principal_for(context.runtime, str(raw), context.principal.ip)
        if principal.user is None:
            reason = principal.auth_error.message if principal.auth_error else "sign in first"
            raise ConnectionRejectionError({"reason": reason})
        context.principal = principal
        return {"user": principal.user.username}
