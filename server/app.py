"""`create_app()`: the API process's Starlette app and its lifespan."""

from __future__ import annotations

import logging
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from redis.asyncio import Redis
from starlette.applications import Starlette
from starlette.routing import Route, WebSocketRoute
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL, GRAPHQL_WS_PROTOCOL

from schema.db import close_database, open_database
from schema.graphql.build import build_schema
from schema.services.runtime import build_runtime
from schema.services.throttle import RedisLoginThrottle
from schema.services.users import ADMIN_USERNAME, bootstrap_admin
from schema.settings import Settings
from server.graphql_view import PushNestGraphQL
from server.health import healthz, readyz

log = logging.getLogger("pushnest")
MAX_SUBSCRIPTIONS_PER_SOCKET = 50


def create_app(settings: Settings) -> Starlette:
    view = PushNestGraphQL(
        build_schema(introspection=settings.introspection),
        graphql_ide="graphiql" if settings.graphiql else None,
        subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL, GRAPHQL_WS_PROTOCOL),
        allowed_origins=settings.allowed_origins,
        max_subscriptions_per_connection=MAX_SUBSCRIPTIONS_PER_SOCKET,
    )

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        redis = Redis.from_url(settings.redis_url) if settings.redis_url else None
        throttle = (
            RedisLoginThrottle(redis, settings.login_max_attempts, settings.login_window_seconds)
            if redis
            else None
        )
        app.state.redis = redis
        app.state.runtime = build_runtime(settings, throttle)
        await open_database(settings)
        admin_password = settings.admin_password.get_secret_value() if settings.admin_password else None
        generated = await bootstrap_admin(admin_password)
        if generated:
            _announce_admin_password(generated)
        try:
            yield
        finally:
            await close_database()
            if redis is not None:
                await redis.aclose()

    routes = [
        Route("/graphql", view, methods=["GET", "POST"]),
        WebSocketRoute("/graphql", view),
        Route("/healthz", healthz),
        Route("/readyz", readyz),
    ]
    return Starlette(routes=routes, lifespan=lifespan, max_body_size=settings.max_body_bytes)


def _announce_admin_password(password: str) -> None:
    # Printed once, on the first start only; it is stored nowhere but as a hash.
    banner = (
        f"\n  PushNest created the user {ADMIN_USERNAME!r} with the password: {password}\n"
        "  It is shown only this once. Sign in and change it (or set PUSHNEST_ADMIN_PASSWORD before first start).\n"
    )
    print(banner, file=sys.stderr, flush=True)
