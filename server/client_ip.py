"""The real client address, trusting `X-Forwarded-For` only when a configured proxy sent it."""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

from schema.settings import IPNetwork


def client_ip(peer: str | None, forwarded_for: str | None, trusted: Sequence[IPNetwork]) -> str:
    """Walk X-Forwarded-For from the right, skipping trusted proxies; the first other hop is the client."""
    if not peer:
        return ""
    if not forwarded_for or not _is_trusted(peer, trusted):
        return peer
    hops = [hop.strip() for hop in forwarded_for.split(",") if hop.strip()]
    for hop in reversed(hops):
        if _parse(hop) is None:
            # A garbled hop was written by someone we do not trust: stop believing the header here.
            return peer
        if not _is_trusted(hop, trusted):
            return hop
    return hops[0] if hops else peer


def _is_trusted(address: str, trusted: Sequence[IPNetwork]) -> bool:
    ip = _parse(address)
    return ip is not None and any(ip in network for network in trusted)


def _parse(address: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(address)
    except ValueError:
        return None


def from_trusted_proxy(peer: str | None, trusted: Sequence[IPNetwork]) -> bool:
    """Whether the connection comes from a configured proxy, whose forwarding headers are believed."""
    return bool(peer) and _is_trusted(peer or "", trusted)
