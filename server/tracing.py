"""A SERVER span for every HTTP request, continuing the caller's W3C `traceparent` if it sent one.

Added by create_app only while OpenTelemetry is on (schema/telemetry.py), so it costs nothing
otherwise. WebSockets get none: a socket lives for hours, and what matters on it (a send) has spans
of its own. The span is named after the matched route, never the raw path (which may hold tokens).
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from schema.telemetry import span
from server.metrics import UNMATCHED


class RequestTracing:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        method = str(scope.get("method", ""))
        parent = next((v.decode("latin-1") for k, v in scope["headers"] if k == b"traceparent"), "")
        with span(
            method, kind="server", parent=parent, attributes={"http.request.method": method}
        ) as current:
            status = 500

            async def send_wrapper(message: Message) -> None:
                nonlocal status
                if message["type"] == "http.response.start":
                    status = int(message["status"])
                await send(message)

            try:
                await self.app(scope, receive, send_wrapper)
            finally:
                route = getattr(scope.get("route"), "path", None) or UNMATCHED
                current.rename(f"{method} {route}")
                current.set("http.route", route)
                current.set("http.response.status_code", status)
                if status >= 500:
                    current.fail(f"HTTP {status}")
