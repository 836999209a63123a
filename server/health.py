"""Liveness (`/healthz`: the process answers) and readiness (`/readyz`: its database and Redis do)."""

from __future__ import annotations

import asyncio

from starlette.requests import Request
from starlette.responses import JSONResponse
from tortoise import Tortoise

_CHECK_TIMEOUT_SECONDS = 2.0


async def healthz(request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> JSONResponse:
    checks = {"database": await _check(_database()), "redis": "not configured"}
    redis = getattr(request.app.state, "redis", None)
    if redis is not None:
        checks["redis"] = await _check(redis.ping())
    ready = all(value in ("ok", "not configured") for value in checks.values())
    return JSONResponse(
        {"status": "ready" if ready else "not ready", "checks": checks}, status_code=200 if ready else 503
    )


async def _database() -> None:
    await Tortoise.get_connection("default").execute_query("SELECT 1")


async def _check(probe: object) -> str:
    try:
        await asyncio.wait_for(probe, _CHECK_TIMEOUT_SECONDS)  # type: ignore[arg-type]
    except Exception as exc:  # any failure means "not ready"; the reason goes in the answer
        return f"failed: {type(exc).__name__}"
    return "ok"
