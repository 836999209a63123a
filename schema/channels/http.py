"""HTTP helpers every HTTP channel shares: call, classify transport failures, guard private targets."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import time
from typing import Any
from urllib.parse import urlsplit

import httpx

from schema.channels.base import ChannelError, ErrorClass, SendContext
from schema.domain.retry import parse_retry_after

MAX_KEPT_RESPONSE = 2000
_DEFAULT_THROTTLE_WAIT = 30.0
_RESOLVED_TTL_SECONDS = 60.0
_resolved: dict[str, tuple[float, bool]] = {}


def kept(text: str) -> str:
    """The part of a vendor's answer worth keeping in the attempt row."""
    return text if len(text) <= MAX_KEPT_RESPONSE else text[:MAX_KEPT_RESPONSE] + "…"


async def call(ctx: SendContext, method: str, url: str, **kwargs: Any) -> httpx.Response:
    """One request with the channel timeout; transport failures come back classified.

    A failure before the request was written (connect errors) is safe to retry; one after it may
    have reached the vendor, so its outcome is `unknown` (still retried: delivery is at-least-once).
    """
    try:
        response: httpx.Response = await ctx.http.request(
            method, url, timeout=ctx.timeout_seconds, follow_redirects=False, **kwargs
        )
        return response
    except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
        raise ChannelError(f"could not connect: {type(exc).__name__}", ErrorClass.RETRYABLE) from None
    except (httpx.ReadTimeout, httpx.WriteTimeout, httpx.RemoteProtocolError, httpx.ReadError) as exc:
        raise ChannelError(f"no answer after sending: {type(exc).__name__}", ErrorClass.UNKNOWN) from None
    except httpx.TransportError as exc:
        raise ChannelError(f"transport error: {type(exc).__name__}", ErrorClass.RETRYABLE) from None


def throttle_wait(response: httpx.Response) -> float:
    return parse_retry_after(response.headers.get("retry-after"), time.time()) or _DEFAULT_THROTTLE_WAIT


async def refuse_private_target(url: str, allowed: bool) -> None:
    """Webhook-like channels must not become a way into the private network (SSRF)."""
    if allowed:
        return
    host = urlsplit(url).hostname or ""
    if await _is_private(host):
        raise ChannelError(
            f"{host} is a private, loopback or link-local address; allow private networks on the channel "
            "(or PUSHNEST_ALLOW_PRIVATE_TARGETS) to call it",
            ErrorClass.PERMANENT,
        )


async def _is_private(host: str) -> bool:
    cached = _resolved.get(host)
    if cached and cached[0] > time.monotonic():
        return cached[1]
    try:
        addresses = [ipaddress.ip_address(host)]
    except ValueError:
        try:
            infos = await asyncio.get_running_loop().getaddrinfo(host, None, type=socket.SOCK_STREAM)
        except OSError:
            raise ChannelError(f"cannot resolve {host}", ErrorClass.RETRYABLE) from None
        addresses = [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in infos]
    private = any(not a.is_global for a in addresses)
    _resolved[host] = (time.monotonic() + _RESOLVED_TTL_SECONDS, private)
    return private
