"""Request metrics (a pure ASGI middleware, so WebSockets and streaming pass untouched) and `/metrics`."""

from __future__ import annotations

import time

from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, generate_latest
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from schema import telemetry
from schema.metrics import REQUEST_SECONDS, REQUESTS, refresh_queue_depth

# Paths that match no route are counted together: raw paths would be unbounded (and may hold tokens).
UNMATCHED = "<unmatched>"


class RequestMetrics:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_wrapper(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            # The router puts the matched route into the scope it was given (this one).
            route = getattr(scope.get("route"), "path", None) or UNMATCHED
            method = str(scope.get("method", ""))
            seconds = time.perf_counter() - started
            REQUESTS.labels(route, method, str(status)).inc()
            REQUEST_SECONDS.labels(route, method).observe(seconds)
            telemetry.record_request(route, method, status, seconds)


async def metrics_endpoint(request: Request) -> Response:
    await refresh_queue_depth()
    return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)
