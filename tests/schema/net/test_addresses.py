"""The outbound-target policy's verdict on addresses: public internet only.

The cases marked "is_global" are ones `ipaddress.is_global` alone calls global, so the check
before issue 11 (webhook, Feishu and WeChat OA: `not a.is_global`) let them through.
"""

from __future__ import annotations

from ipaddress import IPv4Address, IPv6Address, ip_address

import pytest

from schema.net.addresses import embedded_v4, is_public, is_public_text

REFUSED = [
    "0.0.0.0",
    "0.1.2.3",
    "10.1.2.3",
    "100.64.0.1",
    "127.0.0.1",
    "127.255.255.254",
    "169.254.169.254",
    "172.16.0.1",
    "172.31.255.255",
    "192.0.0.8",
    "192.168.1.1",
    "198.18.0.1",
    "198.19.255.255",
    "224.0.0.1",  # multicast: is_global
    "239.255.255.250",  # is_global
    "240.0.0.1",
    "255.255.255.255",
    "192.88.99.1",  # 6to4 relay: is_global
    "::",
    "::1",
    "::127.0.0.1",  # IPv4-compatible: is_global
    "::8.8.8.8",  # deprecated form, routed nowhere sensible
    "fc00::1",
    "fd12:3456::1",
    "fe80::1",
    "fe80::1%eth0",
    "fec0::1",  # site-local: is_global
    "ff02::1",  # multicast: is_global
    "::ffff:127.0.0.1",
    "::ffff:169.254.169.254",
    "::ffff:10.0.0.1",
    "64:ff9b::a9fe:a9fe",  # NAT64 of 169.254.169.254: is_global
    "64:ff9b::7f00:1",  # NAT64 of 127.0.0.1: is_global
    "64:ff9b:1::8.8.8.8",  # local-use NAT64: is_global
    "2002:7f00:1::",  # 6to4 of 127.0.0.1: is_global
    "2002:a9fe:a9fe::1",  # 6to4 of 169.254.169.254: is_global
    "2001:0:4136:e378:8000:63bf:80ff:fffe",  # Teredo whose client is 127.0.0.1
    "2001:db8::1",
]
ADMITTED = [
    "8.8.8.8",
    "1.1.1.1",
    "93.184.216.34",
    "2606:4700:4700::1111",
    "2001:4860:4860::8888",
    "::ffff:8.8.8.8",
    "64:ff9b::808:808",  # NAT64 of 8.8.8.8
    "2002:808:808::1",  # 6to4 of 8.8.8.8
]


@pytest.mark.parametrize("text", REFUSED)
def test_private_local_and_special_addresses_are_refused(text: str) -> None:
    assert not is_public_text(text)


@pytest.mark.parametrize("text", ADMITTED)
def test_public_addresses_are_admitted(text: str) -> None:
    assert is_public_text(text)


def test_is_global_alone_would_let_these_through() -> None:
    """Why the policy keeps its own tables: each of these is `is_global` and still not public."""
    for text in ("224.0.0.1", "ff02::1", "64:ff9b::a9fe:a9fe", "2002:7f00:1::", "::127.0.0.1", "fec0::1"):
        assert ip_address(text.split("%")[0]).is_global and not is_public(ip_address(text)), text


def test_embedded_ipv4_forms_are_read_out() -> None:
    assert embedded_v4(IPv6Address("::ffff:10.0.0.1")) == (IPv4Address("10.0.0.1"),)
    assert embedded_v4(IPv6Address("64:ff9b::a9fe:a9fe")) == (IPv4Address("169.254.169.254"),)
    assert embedded_v4(IPv6Address("2002:7f00:1::")) == (IPv4Address("127.0.0.1"),)
    assert embedded_v4(IPv6Address("2606:4700::1")) == ()
