"""Which IP addresses a channel may reach without an admin's say-so: the public internet only.

`ipaddress.is_global` alone is not enough (checked on Python 3.11): it calls multicast
(224.0.0.1, ff02::1), NAT64 (64:ff9b::a9fe:a9fe is 169.254.169.254), 6to4 (2002:7f00:1::),
IPv4-compatible (::127.0.0.1) and site-local (fec0::/10) addresses global. So the refused
networks are listed here, addresses that embed an IPv4 address are judged by that address, and
`is_global` is asked last, as a second opinion.
"""

from __future__ import annotations

from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_address

_REFUSED_V4 = tuple(
    IPv4Network(n)
    for n in (
        "0.0.0.0/8",  # "this network"; 0.0.0.0 reaches the local host on Linux
        "10.0.0.0/8",
        "100.64.0.0/10",  # carrier-grade NAT
        "127.0.0.0/8",
        "169.254.0.0/16",  # link-local, cloud metadata services
        "172.16.0.0/12",
        "192.0.0.0/24",  # IETF protocol assignments
        "192.0.2.0/24",
        "192.88.99.0/24",  # 6to4 relay anycast
        "192.168.0.0/16",
        "198.18.0.0/15",  # benchmarking
        "198.51.100.0/24",
        "203.0.113.0/24",
        "224.0.0.0/4",  # multicast
        "240.0.0.0/4",  # reserved, and 255.255.255.255 broadcast
    )
)
_REFUSED_V6 = tuple(
    IPv6Network(n)
    for n in (
        "::/96",  # unspecified, loopback and the deprecated IPv4-compatible ::a.b.c.d
        "100::/64",  # discard
        "64:ff9b:1::/48",  # local-use NAT64 (RFC 8215): a translator inside the operator's network
        "2001:db8::/32",
        "fc00::/7",  # unique local
        "fe80::/10",  # link-local
        "fec0::/10",  # site-local (deprecated, still routed by some stacks)
        "ff00::/8",  # multicast
    )
)
_MAPPED = IPv6Network("::ffff:0:0/96")
_NAT64 = IPv6Network("64:ff9b::/96")


def embedded_v4(address: IPv6Address) -> tuple[IPv4Address, ...]:
    """The IPv4 addresses an IPv6 address carries and would reach: mapped, NAT64, 6to4, Teredo."""
    if address in _MAPPED or address in _NAT64:
        return (IPv4Address(int(address) & 0xFFFFFFFF),)
    if address.sixtofour is not None:
        return (address.sixtofour,)
    if address.teredo is not None:
        return address.teredo  # (server, client): either may be the one reached
    return ()


def is_public(address: IPv4Address | IPv6Address) -> bool:
    """True for an address on the public internet; False for anything private, local or special."""
    if isinstance(address, IPv6Address):
        address = IPv6Address(int(address))  # drop a zone id ("fe80::1%eth0")
        embedded = embedded_v4(address)
        if embedded:
            return all(is_public(v4) for v4 in embedded)
        if any(address in network for network in _REFUSED_V6):
            return False
    elif any(address in network for network in _REFUSED_V4):
        return False
    return address.is_global


def is_public_text(text: str) -> bool:
    """`is_public` for an address as text (as a resolver returns it)."""
    return is_public(ip_address(text))
