"""`create_app()`: the API process's Starlette app and its lifespan."""

from __future__ import annotations

import logging
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from datetime import timedelta
from typing import Protocol

from arq import create_pool
from arq.connections import RedisSettings
from redis.asyncio import Redis
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.gzip import DEFAULT_EXCLUDED_CONTENT_TYPES, GZipMiddleware
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route, WebSocketRoute
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL, GRAPHQL_WS_PROTOCOL

from schema import telemetry
from schema.bus import LocalEventBus, RedisEventBus, RedisEventFeed
from schema.channels.base import SendContext, TokenStore
from schema.db import close_database, open_database
from schema.graphql.build import build_schema
from schema.jobs import QUEUE_NAME
from schema.net.client import outbound_clients
from schema.ports import Enqueuer, EventBus
from schema.queue import ArqEnqueuer, dumps, loads
from schema.services.channels import seal_legacy_secrets
from schema.services.runtime import Runtime, build_runtime
from schema.services.send_context import send_context
from schema.services.throttle import AuthThrottles
from schema.services.users import ADMIN_USERNAME, bootstrap_admin
from schema.settings import Settings
from schema.token_store import MemoryTokenStore, RedisTokenStore
from server import public_preview, rest_compat
from server.console import console_routes
from server.failsafe import Failsafe
from server.graphql_view import PushNestGraphQL
from server.health import healthz, readyz
from server.metrics import RequestMetrics, metrics_endpoint
from server.security_headers import SecurityHeaders
from server.tracing import RequestTracing

log = logging.getLogger("pushnest")
MAX_SUBSCRIPTIONS_PER_SOCKET = 50
# A socket must send connection_init this soon after opening (either protocol), or it is closed
# with 4408: an idle socket that never signs in only holds a connection (graphql-ws's own server
# allows 3 s).
WS_INIT_TIMEOUT = timedelta(seconds=5)
GZIP_MINIMUM_BYTES = 1024
# Streams (GraphQL over multipart/mixed; SSE is excluded by default) pass uncompressed: a zlib
# state per long-lived stream costs memory (see `ws_per_message_deflate` in server/cli.py), and
# their events are small. WebSockets never reach the middleware (it handles HTTP only).
_GZIP_EXCLUDED = (*DEFAULT_EXCLUDED_CONTENT_TYPES, "multipart/mixed")


class InProcessWorker(Enqueuer, Protocol):
    """The all-in-one mode's sender (see workers.embedded), started and stopped with the app."""

    async def start(self, runtime: Runtime) -> None: ...

    async def stop(self) -> None: ...


InProcessWorkerFactory = Callable[[Settings, EventBus, TokenStore], InProcessWorker]


def create_app(settings: Settings, in_process_worker: InProcessWorkerFactory | None = None) -> Starlette:
    """The API. Without Redis, `in_process_worker` makes this process deliver too (the CLI passes it)."""
    view = PushNestGraphQL(
        build_schema(introspection=settings.introspection),
        graphql_ide="graphiql" if settings.graphiql else None,
        subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL, GRAPHQL_WS_PROTOCOL),
        allowed_origins=settings.allowed_origins,
        max_subscriptions_per_connection=MAX_SUBSCRIPTIONS_PER_SOCKET,
        connection_init_wait_timeout=WS_INIT_TIMEOUT,
    )
    view.console_dir = settings.console_dir

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async with AsyncExitStack() as stack:
            await open_database(settings)
            stack.push_async_callback(close_database)
            app.state.redis = None
            if settings.redis_url:
                runtime = await _scale_out_runtime(app, settings, stack)
            else:
                runtime = await _all_in_one_runtime(settings, stack, in_process_worker)
            app.state.runtime = runtime
            await seal_legacy_secrets(runtime.secret_box)
            runtime.sessions.start(settings.ws_check_seconds)
            stack.push_async_callback(runtime.sessions.stop)
            admin_password = settings.admin_password.get_secret_value() if settings.admin_password else None
            generated = await bootstrap_admin(admin_password)
            if generated:
                _announce_admin_password(generated)
            yield

    routes: list[BaseRoute] = [
        Route("/graphql", view, methods=["GET", "POST"]),
        WebSocketRoute("/graphql", view),
        Route("/healthz", healthz),
        Route("/readyz", readyz),
        Route("/metrics", metrics_endpoint),
        *rest_compat.routes,
        *public_preview.routes,
        *console_routes(settings.console_dir, settings.path_prefix),
    ]
    # Request spans only while OpenTelemetry is on (the CLI starts it before building the app).
    tracing = [Middleware(RequestTracing)] if telemetry.enabled() else []
    return Starlette(
        routes=under_prefix(settings.path_prefix, routes),
        lifespan=lifespan,
        max_body_size=settings.max_body_bytes,
        middleware=[
            *tracing,
            Middleware(SecurityHeaders),
            Middleware(Failsafe),
            Middleware(RequestMetrics),
            compression(),
        ],
    )


def under_prefix(prefix: str, routes: list[BaseRoute]) -> list[BaseRoute]:
    """Every route under the path prefix; health checks answer at the root as well, because the
    container's and the load balancer's probes call the process directly, not through the proxy."""
    if not prefix:
        return routes

    async def to_slash(request: Request) -> Response:
        return RedirectResponse(prefix + "/", status_code=308)

    return [
        Route("/healthz", healthz),
        Route("/readyz", readyz),
        Route(prefix, to_slash),
        Mount(prefix, routes=routes),
    ]


def compression() -> Middleware:
    """GZip for answers of 1 KB or more (console assets, large GraphQL results), streams excluded."""
    return Middleware(
        GZipMiddleware, minimum_size=GZIP_MINIMUM_BYTES, compresslevel=6, exclude_content_types=_GZIP_EXCLUDED
    )


async def _scale_out_runtime(app: Starlette, settings: Settings, stack: AsyncExitStack) -> Runtime:
    assert settings.redis_url is not None
    redis = Redis.from_url(settings.redis_url)
    stack.push_async_callback(redis.aclose)
    pool = await create_pool(
        RedisSettings.from_dsn(settings.redis_url),
        job_serializer=dumps,
        job_deserializer=loads,
        default_queue_name=QUEUE_NAME,
    )
    stack.push_async_callback(pool.aclose)
    enqueuer = ArqEnqueuer(pool)
    stack.push_async_callback(enqueuer.close)
    app.state.redis = redis
    throttles = AuthThrottles.in_redis(redis, settings)
    # Its own connection: XREAD blocks, and must not hold up the publisher's commands.
    feed_redis = Redis.from_url(settings.redis_url)
    stack.push_async_callback(feed_redis.aclose)
    feed = RedisEventFeed(feed_redis)
    await feed.start()
    stack.push_async_callback(feed.stop)
    events = RedisEventBus(redis)
    send_context = await _send_context(settings, stack, events, RedisTokenStore(redis))
    return build_runtime(
        settings, throttles, enqueuer=enqueuer, events=events, feed=feed, send_context=send_context
    )


async def _send_context(
    settings: Settings, stack: AsyncExitStack, events: EventBus, tokens: TokenStore
) -> SendContext:
    """For `testChannel`: the same guarded clients the workers send with (schema/net/client.py)."""
    clients = outbound_clients(settings)
    stack.push_async_callback(clients.aclose)
    return send_context(settings, clients, events, tokens)


async def _all_in_one_runtime(
    settings: Settings, stack: AsyncExitStack, factory: InProcessWorkerFactory | None
) -> Runtime:
    events = LocalEventBus()
    tokens = MemoryTokenStore()
    send_context = await _send_context(settings, stack, events, tokens)
    if factory is None:
        log.warning("no Redis and no in-process worker: messages are accepted but nothing delivers them")
        return build_runtime(settings, events=events, feed=events, send_context=send_context)
    # One token store for the worker and for test sends: vendors like WeChat invalidate a token
    # as soon as another one is fetched.
    worker = factory(settings, events, tokens)
    runtime = build_runtime(settings, enqueuer=worker, events=events, feed=events, send_context=send_context)
    await worker.start(runtime)
    stack.push_async_callback(worker.stop)
    return runtime


def _announce_admin_password(password: str) -> None:
    # Printed once, on the first start only; it is stored nowhere but as a hash.
    banner = (
        f"\n  PushNest created the user {ADMIN_USERNAME!r} with the password: {password}\n"
        "  It is shown only this once. Sign in and change it (or set PUSHNEST_ADMIN_PASSWORD before first start).\n"
    )
    print(banner, file=sys.stderr, flush=True)
