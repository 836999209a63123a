"""client_ip(): X-Forwarded-For is believed only from trusted proxies, walked from the right."""

from __future__ import annotations

import ipaddress

import pytest

from server.client_ip import client_ip

TRUSTED = (ipaddress.ip_network("127.0.0.1/32"), ipaddress.ip_network("10.0.0.0/8"))


def test_no_trusted_proxies_ignores_header() -> None:
    assert client_ip("127.0.0.1", "1.2.3.4", ()) == "127.0.0.1"


def test_no_header() -> None:
    assert client_ip("127.0.0.1", None, TRUSTED) == "127.0.0.1"
    assert client_ip("127.0.0.1", "", TRUSTED) == "127.0.0.1"


def test_trusted_peer_single_hop() -> None:
    assert client_ip("127.0.0.1", "1.2.3.4", TRUSTED) == "1.2.3.4"


def test_chain_of_trusted_proxies() -> None:
    assert client_ip("127.0.0.1", "1.2.3.4, 10.0.0.5", TRUSTED) == "1.2.3.4"


def test_spoofed_leftmost_hop_is_ignored() -> None:
    assert client_ip("127.0.0.1", "6.6.6.6, 1.2.3.4", TRUSTED) == "1.2.3.4"


@pytest.mark.parametrize("header", ["not-an-ip", "1.2.3.4, not-an-ip", "garbage, 10.0.0.5"])
def test_garbage_hop_falls_back_to_peer(header: str) -> None:
    assert client_ip("127.0.0.1", header, TRUSTED) == "127.0.0.1"


def test_untrusted_peer_ignores_header() -> None:
    assert client_ip("203.0.113.9", "1.2.3.4", TRUSTED) == "203.0.113.9"


def test_no_peer() -> None:
    assert client_ip(None, "1.2.3.4", TRUSTED) == ""
    assert client_ip("", None, TRUSTED) == ""


def test_all_hops_trusted_gives_leftmost() -> None:
    assert client_ip("127.0.0.1", "10.0.0.7, 10.0.0.5", TRUSTED) == "10.0.0.7"


def test_ipv6() -> None:
    trusted = (ipaddress.ip_network("::1/128"),)
    assert client_ip("::1", "2001:db8::1", trusted) == "2001:db8::1"
    assert client_ip("2001:db8::2", "2001:db8::1", trusted) == "2001:db8::2"
