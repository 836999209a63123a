"""The HTTP client a delivery process sends with, created once per process and closed with it."""

from __future__ import annotations

import json as jsonlib
from typing import Any

import aiohttp
import httpx
from httpx_aiohttp import AiohttpTransport
from httpx_aiohttp.transport import map_aiohttp_exceptions

from schema.settings import Settings

# What the direct path handles; anything else (params, form data, files, auth, streaming…) goes
# through httpx's full request machinery.
_DIRECT_ARGUMENTS = frozenset({"content", "json", "headers", "timeout", "follow_redirects"})


class SendClient(httpx.AsyncClient):
    """httpx as the API, aiohttp underneath. The plain requests webhook-like channels make (a body
    and headers) go straight to the transport's own aiohttp session: httpx's per-request layer
    (request building, URL merging, cookie extraction, auth and redirect wrappers) cost more CPU
    than the HTTP exchange itself on the delivery hot path. Same session and connector, so
    connection limits and anything set on the connector apply to both paths; same exceptions
    (mapped to httpx's), same `httpx.Response`, so callers cannot tell the paths apart."""

    def __init__(self, transport: AiohttpTransport, **kwargs: Any) -> None:
        super().__init__(transport=transport, **kwargs)
        self._aiohttp = transport

    async def request(self, method: str, url: httpx.URL | str, **kwargs: Any) -> httpx.Response:
        if kwargs.keys() - _DIRECT_ARGUMENTS or kwargs.get("follow_redirects"):
            return await super().request(method, url, **kwargs)
        content = kwargs.get("content")
        headers = httpx.Headers(self.headers)  # names compare without case, as httpx merges them
        headers.update(kwargs.get("headers") or {})
        if kwargs.get("json") is not None:
            content = jsonlib.dumps(kwargs["json"], ensure_ascii=False, separators=(",", ":")).encode()
            headers.setdefault("Content-Type", "application/json")
        timeout = kwargs.get("timeout")
        seconds = timeout if isinstance(timeout, int | float) else self.timeout.read
        with map_aiohttp_exceptions():
            async with self._session().request(
                method,
                str(url),
                data=content or None,
                headers=headers.multi_items(),
                allow_redirects=False,
                auto_decompress=False,  # httpx decodes, as on the other path
                compress=False,
                timeout=aiohttp.ClientTimeout(sock_connect=seconds, sock_read=seconds, connect=seconds),
            ) as answer:
                body = await answer.read()
        return httpx.Response(answer.status, headers=answer.raw_headers, content=body)

    def _session(self) -> aiohttp.ClientSession:
        transport = self._aiohttp
        if not isinstance(transport.client, aiohttp.ClientSession):
            transport.client = transport.get_client()
        return transport.client


def http_client(settings: Settings) -> SendClient:
    """httpx's own pool degrades under many concurrent sends (about 310 msg/s at 50 in flight here,
    against about 3,400 with the aiohttp transport, more on the direct path)."""
    limits = httpx.Limits(
        max_connections=max(100, settings.concurrency * 2),
        max_keepalive_connections=max(20, settings.concurrency),
        keepalive_expiry=30.0,
    )
    return SendClient(
        AiohttpTransport(limits=limits, trust_env=True),
        timeout=httpx.Timeout(settings.send_timeout_seconds),
        headers={"User-Agent": "PushNest/0.1"},
    )
