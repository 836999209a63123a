"""The worker's small HTTP port (PUSHNEST_WORKER_METRICS_PORT): Prometheus metrics and health.

`/healthz` answers while the process runs; `/readyz` answers 200 only while the database and
Redis answer (503 with which one does not otherwise), so an orchestrator can see a worker that is
up but waiting out an outage; `/metrics` is Prometheus' text format.
"""

from __future__ import annotations

from collections.abc import Callable

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

Checks = Callable[[], dict[str, bool]]


class HealthServer:
    def __init__(self, host: str, port: int, checks: Checks) -> None:
        self._host, self._port, self._checks = host, port, checks
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/healthz", self._healthz)
        app.router.add_get("/readyz", self._readyz)
        app.router.add_get("/metrics", self._metrics)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, self._host, self._port).start()

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _healthz(self, _: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    async def _readyz(self, _: web.Request) -> web.Response:
        checks = self._checks()
        ready = all(checks.values())
        return web.json_response(
            {"status": "ready" if ready else "not ready", **checks}, status=200 if ready else 503
        )

    async def _metrics(self, _: web.Request) -> web.Response:
        response = web.Response(body=generate_latest())
        response.headers["Content-Type"] = CONTENT_TYPE_LATEST
        return response
