"""The GraphQL endpoint: one ASGI app for HTTP, GraphiQL and both WebSocket protocols.

Requests Strawberry refuses before running them (bad JSON, wrong content type, a mutation over
GET…) are answered in GraphQL's error shape with a code, like every other error, instead of
Strawberry's plain text.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from cross_web import HTTPException
from starlette.requests import HTTPConnection, Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.http import GraphQLHTTPResponse

from schema.errors import Unauthenticated
from schema.graphql.context import GraphQLContext
from schema.services.auth import principal_for
from schema.services.principal import Principal
from schema.services.runtime import Runtime
from server.client_ip import client_ip
from server.failsafe import RETRY_AFTER_SECONDS, error_response
from server.graphql_ws import SharedFramesTransportWS
from server.graphql_ws_legacy import LegacyWS
from server.json_body import read_json
from server.security_headers import FRAME_ANCESTORS_ONLY
from server.session_cookie import HttpSessionCookie, cookie_token


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

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        try:
            response = await self.run(Request(scope, receive=receive))
        except HTTPException as refused:
            code = "NOT_FOUND" if refused.status_code == 404 else "BAD_INPUT"
            response = error_response(refused.status_code, refused.reason, code)
        await response(scope, receive, send)

    async def render_graphql_ide(self, request: Request) -> Response:
        response = await super().render_graphql_ide(request)
        # GraphiQL loads from unpkg.com and runs an inline script: the console's CSP would blank it.
        response.headers["Content-Security-Policy"] = FRAME_ANCESTORS_ONLY
        return response

    def decode_json(self, data: str | bytes) -> object:
        return read_json(data)  # also used for WebSocket frames: a bad one is "not JSON" there too

    def parse_json(self, data: str | bytes) -> Any:
        try:
            value = self.decode_json(data)
        except json.JSONDecodeError as exc:
            raise HTTPException(400, f"Unable to parse request body as JSON: {exc.msg}") from None
        # A body arrives as bytes (the `variables` of a GET as text, checked later by Strawberry):
        # it must be an operation object or a batch, never null, a string or a number.
        if isinstance(data, bytes) and not isinstance(value, dict | list):
            raise HTTPException(400, "The request body must be a JSON object.")
        return value

    def create_response(
        self, response_data: GraphQLHTTPResponse | list[GraphQLHTTPResponse], sub_response: Response
    ) -> Response:
        response = super().create_response(response_data, sub_response)
        if "UNAVAILABLE" in _codes(response_data):
            response.status_code = 503
            response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response

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
        assert isinstance(response, Response)
        cookie = HttpSessionCookie(request, response, runtime.settings)
        context = GraphQLContext(runtime=runtime, request=request, response=response, session_cookie=cookie)
        context.principal = await _http_principal(context, cookie, ip)
        return context

    async def on_ws_connect(self, context: GraphQLContext) -> dict[str, Any]:
        params = context.connection_params or {}
        raw = params.get("authorization") or params.get("Authorization") or ""
        if not raw and params.get("token"):
            raw = f"Bearer {params['token']}"
        if not raw and cookie_token(context.request):
            # The upgrade passed Strawberry's origin check, so the browser's cookie is its own.
            raw = f"Bearer {cookie_token(context.request)}"
        principal = await principal_for(context.runtime, str(raw), context.principal.ip)
        if principal.user is None:
            reason = principal.auth_error.message if principal.auth_error else "sign in first"
            raise ConnectionRejectionError({"reason": reason})
        context.principal = principal
        return {"user": principal.user.username}


async def _http_principal(context: GraphQLContext, cookie: HttpSessionCookie, ip: str) -> Principal:
    """From `Authorization`; without it, from the session cookie when this request may use one."""
    authorization = context.request.headers.get("authorization", "")
    token = cookie_token(context.request)
    if authorization or not token:
        return await principal_for(context.runtime, authorization, ip)
    if not cookie.usable:
        return Principal(ip=ip, auth_error=Unauthenticated(cookie.refusal))
    context.signed_in_by_cookie = True
    return await principal_for(context.runtime, f"Bearer {token}", ip)


def _codes(data: GraphQLHTTPResponse | list[GraphQLHTTPResponse]) -> set[str]:
    results: list[Mapping[str, Any]] = list(data) if isinstance(data, list) else [data]
    return {
        str((error.get("extensions") or {}).get("code"))
        for result in results
        for error in result.get("errors") or ()
    }
