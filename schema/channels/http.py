"""HTTP helpers every HTTP channel shares: call, and classify transport failures.

Private targets are refused by the client itself (`ctx.http`, schema/net/client.py), for every
request a channel makes (token fetches included); `call` turns that refusal into a permanent
failure that says so, without anything from the target (it was never contacted). A channel with
a proxy (`ctx.proxy`) sends every request through it; the proxy's own address is judged instead.
"""

from __future__ import annotations

import os
import time
from typing import Any

import httpx

from schema.channels.base import ChannelError, ErrorClass, SendContext
from schema.domain.retry import parse_retry_after
from schema.net.targets import TargetRefused, refused_in

MAX_KEPT_RESPONSE = 2000
# How long to wait on a throttle answer that does not say (no Retry-After), unless the vendor's
# channel knows its own window (DingTalk bans for 10 minutes, WeCom's window is a minute).
DEFAULT_THROTTLE_WAIT = 30.0


def kept(text: str) -> str:
    """The part of a vendor's answer worth keeping in the attempt row."""
    return text if len(text) <= MAX_KEPT_RESPONSE else text[:MAX_KEPT_RESPONSE] + "…"


async def call(ctx: SendContext, method: str, url: str, **kwargs: Any) -> httpx.Response:
    """One request with the channel timeout; transport failures come back classified.

    A failure before the request was written (connect errors) is safe to retry; one after it may
    have reached the vendor, so its outcome is `unknown` (still retried: delivery is at-least-once).
    A target the policy refused is permanent: another try cannot make it public.
    """
    if ctx.proxy:
        # SendClient takes these (schema/net/client.py); the proxy is judged like any target.
        kwargs |= {"proxy": ctx.proxy, "proxy_credentials": ctx.proxy_credentials}
    try:
        response: httpx.Response = await ctx.http.request(
            method, url, timeout=ctx.timeout_seconds, follow_redirects=False, **kwargs
        )
        return response
    except (httpx.InvalidURL, httpx.UnsupportedProtocol) as exc:
        # e.g. a non-canonical address ("http://0177.0.0.1/", "http://2130706433/"): never sent.
        raise ChannelError(f"the URL cannot be used: {type(exc).__name__}", ErrorClass.PERMANENT) from None
    except (TargetRefused, httpx.TransportError) as exc:
        refused = refused_in(exc)
        if refused is None:
            raise _transport_failure(exc) from None
        raise ChannelError(refused.message, ErrorClass.PERMANENT) from None


def _transport_failure(exc: Exception) -> ChannelError:
    name = type(exc).__name__
    refused = _os_error_in(exc)
    if refused is not None:
        # Named after what the socket said, not the mapped class: the aiohttp transport maps
        # every connection error (a refusal in 1 ms included) to httpx.ConnectTimeout.
        reason = os.strerror(refused.errno).lower() if refused.errno else type(refused).__name__
        return ChannelError(f"could not connect: {reason}", ErrorClass.RETRYABLE)
    if isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout):
        return ChannelError(f"could not connect: {name}", ErrorClass.RETRYABLE)
    if isinstance(exc, httpx.ReadTimeout | httpx.WriteTimeout | httpx.RemoteProtocolError | httpx.ReadError):
        return ChannelError(f"no answer after sending: {name}", ErrorClass.UNKNOWN)
    return ChannelError(f"transport error: {name}", ErrorClass.RETRYABLE)


def _os_error_in(exc: BaseException) -> OSError | None:
    """The socket error under a connect failure (ECONNREFUSED, EHOSTUNREACH…), if that is what it was.

    Timeouts are OSErrors too, but they say nothing the class name does not: left out."""
    if not isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout):
        return None
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, OSError) and not isinstance(seen, TimeoutError) and seen.errno is not None:
            return seen
        seen = seen.__cause__ or seen.__context__
    return None


def throttle_wait(response: httpx.Response, default: float = DEFAULT_THROTTLE_WAIT) -> float:
    """Seconds to wait on a throttle answer: its Retry-After (the one parser), else `default`."""
    return parse_retry_after(response.headers.get("retry-after"), time.time()) or default
