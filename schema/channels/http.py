"""HTTP helpers every HTTP channel shares: call, and classify transport failures.

Private targets are refused by the client itself (`ctx.http`, schema/net/client.py), for every
request a channel makes (token fetches included); `call` turns that refusal into a permanent
failure that says so, without anything from the target (it was never contacted). A channel with
a proxy (`ctx.proxy`) sends every request through it; the proxy's own address is judged instead.
"""

from __future__ import annotations

import time
from typing import Any

import httpx

from schema.channels.base import ChannelError, ErrorClass, SendContext
from schema.domain.retry import parse_retry_after
from schema.net.targets import TargetRefused, refused_in

MAX_KEPT_RESPONSE = 2000
_DEFAULT_THROTTLE_WAIT = 30.0


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
    if isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout):
        return ChannelError(f"could not connect: {name}", ErrorClass.RETRYABLE)
    if isinstance(exc, httpx.ReadTimeout | httpx.WriteTimeout | httpx.RemoteProtocolError | httpx.ReadError):
        return ChannelError(f"no answer after sending: {name}", ErrorClass.UNKNOWN)
    return ChannelError(f"transport error: {name}", ErrorClass.RETRYABLE)


def throttle_wait(response: httpx.Response) -> float:
    return parse_retry_after(response.headers.get("retry-after"), time.time()) or _DEFAULT_THROTTLE_WAIT
