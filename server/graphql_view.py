"""The GraphQL endpoint: one ASGI app for HTTP, GraphiQL and both WebSocket protocols.

Requests Strawberry refuses before running them (bad JSON, wrong content type, a mutation over
GET…) are answered in GraphQL's error shape with a code, like every other error, instead of
Strawberry's plain text. A mutation over GET is 405 (POST only), as GraphQL over HTTP says.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from cross_web import AsyncHTTPRequestAdapter, HTTPException
from starlette.requests import HTTPConnection, Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData
from strawberry.schema.exceptions import InvalidOperationTypeError
from strawberry.types import ExecutionResult

from schema.errors import Unauthenticated
from schema.graphql.context import GraphQLContext
from schema.services.auth import principal_for
from schema.services.principal import Principal
from schema.services.runtime import Runtime
from server.client_ip import client_ip
from server.console import graphiql_page
from server.failsafe import RETRY_AFTER_SECONDS, error_response
from server.graphql_media import GRAPHQL_RESPONSE, is_request_error, wants_graphql_response
from server.graphql_ws import SharedFramesTransportWS
from server.graphql_ws_legacy import LegacyWS
from server.json_body import read_json
from server.session_cookie import HttpSessionCookie, cookie_token


def runtime_of(conn: HTTPConnection) -> Runtime:
    runtime: Runtime = conn.app.state.runtime
    return runtime


def ip_of(conn: HTTPConnection) -> str:
    trusted = runtime_of(conn).settings.trusted_proxies
    peer = conn.client.host if conn.client else None
    if not trusted:  # the header counts only from a trusted proxy; looking it up costs on every request
        return peer or ""
    return client_ip(peer, conn.headers.get("x-forwarded-for"), trusted)


class PushNestGraphQL(GraphQL[GraphQLContext, None]):
    """Resolves the caller per HTTP request, and once per socket on `connection_init`."""

    graphql_transport_ws_handler_class = SharedFramesTransportWS
    graphql_ws_handler_class = LegacyWS
    # Where GraphiQL's page is built (with the console); create_app sets it from the settings.
    console_dir = Path("frontend/dist")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        request = Request(scope, receive=receive)
        if self.should_render_graphql_ide(self.request_adapter_class(request)):
            # Before run(): a page load needs no caller, so no sign-in lookup.
            if self.graphql_ide:
                page = await self.render_graphql_ide(request)
            else:
                page = error_response(404, "Not Found", "NOT_FOUND")
            await page(scope, receive, send)
            return
        try:
            response = await self.run(request)
        except HTTPException as refused:
            code = "NOT_FOUND" if refused.status_code == 404 else "BAD_INPUT"
            headers = {"Allow": "POST"} if refused.status_code == 405 else None
            response = error_response(refused.status_code, refused.reason, code, headers)
        await response(scope, receive, send)

    async def execute_single(
        self,
        request: Request,
        request_adapter: AsyncHTTPRequestAdapter,
        sub_response: Response,
        context: GraphQLContext,
        root_value: None,
        request_data: GraphQLRequestData,
    ) -> ExecutionResult:
        try:
            return await super().execute_single(
                request, request_adapter, sub_response, context, root_value, request_data
            )
        except HTTPException as refused:
            # A mutation over GET: the method is what is wrong, so 405 with `Allow: POST`.
            if isinstance(refused.__cause__, InvalidOperationTypeError) and request.method == "GET":
                raise HTTPException(405, refused.reason) from refused
            raise

    async def render_graphql_ide(self, request: Request) -> Response:
        # Ours, built with the console (Strawberry's own page loads GraphiQL from a CDN).
        return graphiql_page(self.console_dir)

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

    async def get_sub_response(self, request: Request | WebSocket) -> Response:
        sub_response = await super().get_sub_response(request)
        # Remembered for create_response, which is not told the request.
        if wants_graphql_response(request.headers.get("accept")):
            sub_response.media_type = GRAPHQL_RESPONSE
        return sub_response

    async def process_result(self, request: Request, result: ExecutionResult) -> GraphQLHTTPResponse:
        data = await super().process_result(request, result)
        if is_request_error(result) and wants_graphql_response(request.headers.get("accept")):
            del data["data"]
        return data

    def create_response(
        self, response_data: GraphQLHTTPResponse | list[GraphQLHTTPResponse], sub_response: Response
    ) -> Response:
        response = super().create_response(response_data, sub_response)
        codes = _codes(response_data)
        if sub_response.media_type == GRAPHQL_RESPONSE:
            response.headers["Content-Type"] = f"{GRAPHQL_RESPONSE}; charset=utf-8"
            if isinstance(response_data, dict) and "data" not in response_data:
                response.status_code = 500 if "INTERNAL" in codes else 400
        if "UNAVAILABLE" in codes:
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
