"""Liveness (`/healthz`: the process answers) and readiness (`/readyz`: its database and Redis do).

On MariaDB/MySQL the database check is a write that changes nothing, made with a short lock wait:
`SELECT 1` still answers while a held table lock (LOCK TABLES, FLUSH TABLES WITH READ LOCK, a
long ALTER) stops every send, and a load balancer should then send callers elsewhere.
"""

from __future__ import annotations

import asyncio

from starlette.requests import Request
from starlette.responses import JSONResponse
from tortoise import Tortoise
from tortoise.transactions import in_transaction

from schema.services.runtime import Runtime

_CHECK_TIMEOUT_SECONDS = 2.0
# Below the check's timeout, so the server ends a blocked probe before the client gives up on it
# (cancelling a query mid-flight would leave its connection unusable).
_PROBE_LOCK_WAIT_SECONDS = 1
# The tables every send writes.
_PROBE_WRITES = ("UPDATE messages SET id = id WHERE id = 0", "UPDATE deliveries SET id = id WHERE id = 0")


async def healthz(request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> JSONResponse:
    runtime: Runtime = request.app.state.runtime
    checks = {"database": await _check(_database(runtime)), "redis": "not configured"}
    redis = getattr(request.app.state, "redis", None)
    if redis is not None:
        checks["redis"] = await _check(redis.ping())
    ready = all(value in ("ok", "not configured") for value in checks.values())
    return JSONResponse(
        {"status": "ready" if ready else "not ready", "checks": checks}, status_code=200 if ready else 503
    )


async def _database(runtime: Runtime) -> None:
    connection = Tortoise.get_connection("default")
    if connection.capabilities.dialect != "mysql":
        await connection.execute_query("SELECT 1")
        return
    async with in_transaction() as tx:
        wait = _PROBE_LOCK_WAIT_SECONDS
        await tx.execute_query(f"SET SESSION lock_wait_timeout={wait}, innodb_lock_wait_timeout={wait}")
        try:
            for statement in _PROBE_WRITES:
                await tx.execute_query(statement)
        finally:  # the pooled connection goes back with the process's own limits
            wait = runtime.settings.db_lock_wait_seconds
            await tx.execute_query(f"SET SESSION lock_wait_timeout={wait}, innodb_lock_wait_timeout={wait}")


async def _check(probe: object) -> str:
    try:
        await asyncio.wait_for(probe, _CHECK_TIMEOUT_SECONDS)  # type: ignore[arg-type]
    except Exception as exc:  # any failure means "not ready"; the reason goes in the answer
        return f"failed: {type(exc).__name__}"
    return "ok"
