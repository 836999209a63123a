"""The outbound-target policy: resolve a host once, admit it only if every address is public.

Used at save time (a config's declared targets, `check_config`), by the guarded HTTP client
(`schema.net.client`: its resolver and a literal-address check, so the address connected to is
the one judged) and by channels that open sockets themselves (SMTP: `connect_public`).
Allowing private targets is decided by the caller (an admin's per-channel flag or the operator's
PUSHNEST_ALLOW_PRIVATE_TARGETS), never here.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from ipaddress import IPv4Address, IPv6Address, ip_address
from typing import Literal
from urllib.parse import urlsplit

from pydantic import BaseModel

from schema.net.addresses import is_public, is_public_text

# host, port -> the addresses it resolves to, as text (one resolution, used for the connect too).
Resolve = Callable[[str, int], Awaitable[list[str]]]
_SAVE_TIME_RESOLVE_SECONDS = 3.0
REFUSAL = "is a private, loopback, link-local or otherwise non-public address"


class TargetRefused(OSError):
    """A target outside the public internet, refused before any connection was made.

    An OSError, so that aiohttp carries it inside its connector error (`os_error`) when the
    guarded resolver raises it; callers find it in the exception's cause chain.
    """

    def __init__(self, host: str, field: str = "") -> None:
        super().__init__(f"{host} {REFUSAL}")
        self.host = host
        self.field = field

    @property
    def message(self) -> str:
        return (
            f"refused: {self.host} {REFUSAL}; an admin can allow private targets on the channel "
            "(or the operator with PUSHNEST_ALLOW_PRIVATE_TARGETS)"
        )


@dataclass(frozen=True)
class Outbound:
    """Marks a config field as (part of) a place PushNest connects to: `Annotated[str, …,
    Outbound("url")]`. A "port" is part of the target without being checked on its own."""

    kind: Literal["url", "host", "port"]


def refused_in(exc: BaseException) -> TargetRefused | None:
    """The TargetRefused behind an exception (httpx → aiohttp → resolver), if that is what it was."""
    seen: BaseException | None = exc
    for _ in range(10):
        if seen is None:
            return None
        if isinstance(seen, TargetRefused):
            return seen
        inner = getattr(seen, "os_error", None)  # aiohttp's ClientConnectorError keeps it here
        seen = inner if isinstance(inner, TargetRefused) else (seen.__cause__ or seen.__context__)
    return None


def literal_address(host: str) -> IPv4Address | IPv6Address | None:
    """The address when `host` is one written out ("10.0.0.1", "[::1]"), else None."""
    try:
        return ip_address(host.strip("[]"))
    except ValueError:
        return None


async def system_resolve(host: str, port: int) -> list[str]:
    """getaddrinfo, as aiohttp's threaded resolver and asyncio's connect use it (so "0x7f.1" and
    "2130706433" are read the way the connection would read them)."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


async def public_addresses(host: str, port: int, resolve: Resolve = system_resolve) -> list[str]:
    """Resolve once; TargetRefused unless every address is public (one private answer is enough to
    refuse: a name that mixes them is probing). OSError if the name does not resolve."""
    literal = literal_address(host)
    if literal is not None:
        if not is_public(literal):
            raise TargetRefused(host)
        return [str(literal)]
    addresses = await resolve(host, port)
    if not addresses or not all(is_public_text(a) for a in addresses):
        raise TargetRefused(host)
    return addresses


async def connect_public(
    host: str, port: int, seconds: float, allow_private: bool, resolve: Resolve = system_resolve
) -> socket.socket:
    """A connected socket to `host`, through an address that was judged (for clients like SMTP
    that take a socket): resolved once here, so a second lookup cannot answer differently.
    `seconds` bounds each address tried."""
    if not allow_private:
        addresses = await public_addresses(host, port, resolve)
    elif (literal := literal_address(host)) is not None:
        addresses = [str(literal)]
    else:
        addresses = await resolve(host, port)
    loop, last_error = asyncio.get_running_loop(), OSError(f"{host} has no address")
    for address in dict.fromkeys(addresses):
        family = socket.AF_INET6 if ":" in address else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setblocking(False)
        try:
            await asyncio.wait_for(loop.sock_connect(sock, (address, port)), seconds)
            return sock
        except (OSError, TimeoutError) as exc:
            sock.close()
            last_error = exc if isinstance(exc, OSError) else OSError(f"timed out connecting to {host}")
    raise last_error


def _markers(config: BaseModel) -> list[tuple[str, Outbound]]:
    found = []
    for name, info in type(config).model_fields.items():
        marker = next((m for m in info.metadata if isinstance(m, Outbound)), None)
        if marker is not None:
            found.append((name, marker))
    return found


def target_values(config: BaseModel) -> dict[str, object]:
    """Every field that says where the channel connects, as configured (to tell if it changed)."""
    return {name: getattr(config, name) for name, _ in _markers(config)}


def declared_targets(config: BaseModel) -> list[tuple[str, str]]:
    """(field name, host) for every URL or host field that is set."""
    found = []
    for name, marker in _markers(config):
        value = getattr(config, name)
        if marker.kind == "port" or not isinstance(value, str) or not value:
            continue
        host = urlsplit(value).hostname if marker.kind == "url" else value
        # A templated host ("https://{{…}}/") is known only at send time, where it is checked.
        if host and "{" not in host and "}" not in host:
            found.append((name, host))
    return found


async def check_config(config: BaseModel, resolve: Resolve = system_resolve) -> None:
    """Save-time check of a config's targets: TargetRefused (with `field`) for a private literal
    or a name that resolves to a private address now. A name that does not resolve (or not within
    a few seconds) passes: DNS can change, and the send-time guard judges what it is then."""
    for field, host in declared_targets(config):
        try:
            await asyncio.wait_for(public_addresses(host, 0, resolve), _SAVE_TIME_RESOLVE_SECONDS)
        except TargetRefused as exc:
            exc.field = field
            raise
        except (OSError, TimeoutError):
            continue
