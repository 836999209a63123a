"""A scriptable webhook receiver: records every request, answers as told, checks signatures.

Each path has its own script, a list of responses used in order (the last one repeats):
`Reply(status=500)`, `Reply(status=429, headers={"Retry-After": "1"})`, `Reply(delay=5)` to hang.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import time
from collections import defaultdict
from dataclasses import dataclass, field

from aiohttp import web

from tests.fakes.local import serve


@dataclass(frozen=True)
class Reply:
    status: int = 200
    body: str = '{"ok":true}'
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


@dataclass(frozen=True)
class Received:
    method: str
    path: str
    query: str
    headers: dict[str, str]
    body: bytes
    at: float


class WebhookSink:
    def __init__(self) -> None:
        self.received: dict[str, list[Received]] = defaultdict(list)
        self._scripts: dict[str, list[Reply]] = {}
        self._runner: web.AppRunner | None = None
        self.base_url = ""
        # Woken by every request, so waiting for arrivals needs no polling.
        self._arrived = asyncio.Condition()

    def script(self, path: str, *replies: Reply) -> None:
        self._scripts[path] = list(replies)

    def url(self, path: str) -> str:
        return f"{self.base_url}{path}"

    async def start(self) -> None:
        app = web.Application(client_max_size=32 * 1024 * 1024)
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner, self.base_url = await serve(app)

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def wait_for(self, path: str, count: int, timeout: float = 20.0) -> list[Received]:
        """Until `count` requests reached `path` (woken by each arrival), at most `timeout` seconds."""
        try:
            async with asyncio.timeout(timeout), self._arrived:
                await self._arrived.wait_for(lambda: len(self.received[path]) >= count)
        except TimeoutError:
            raise AssertionError(f"{path}: {len(self.received[path])} of {count} requests arrived") from None
        return self.received[path]

    async def _handle(self, request: web.Request) -> web.Response:
        path = request.path
        self.received[path].append(
            Received(
                request.method,
                path,
                request.query_string,
                dict(request.headers),
                await request.read(),
                time.time(),
            )
        )
        async with self._arrived:
            self._arrived.notify_all()
        script = self._scripts.get(path, [Reply()])
        reply = script.pop(0) if len(script) > 1 else script[0]
        if reply.delay:
            await asyncio.sleep(reply.delay)
        return web.Response(
            status=reply.status, text=reply.body, headers=reply.headers, content_type="application/json"
        )


def verify_standard_webhook(secret: str, received: Received, tolerance: float = 300) -> bool:
    """What a Standard Webhooks receiver checks: the v1 HMAC over id.timestamp.body, and freshness."""
    headers = {k.lower(): v for k, v in received.headers.items()}
    webhook_id, timestamp = headers["webhook-id"], headers["webhook-timestamp"]
    if abs(time.time() - int(timestamp)) > tolerance:
        return False
    key = base64.b64decode(secret.removeprefix("whsec_")) if secret.startswith("whsec_") else secret.encode()
    expected = base64.b64encode(
        hmac.new(key, f"{webhook_id}.{timestamp}.".encode() + received.body, hashlib.sha256).digest()
    ).decode()
    offered = [
        part.split(",", 1)[1] for part in headers["webhook-signature"].split() if part.startswith("v1,")
    ]
    return any(hmac.compare_digest(expected, sig) for sig in offered)
