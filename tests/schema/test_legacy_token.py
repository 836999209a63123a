"""Message Nest's reversible send token: round trips, and refuses what it could not have made."""

from __future__ import annotations

import pytest

from schema import legacy_token


@pytest.mark.parametrize("id_", ["TK1a2b3c4d5e6", "TPxxxxxxxxxx", "42", "A"])
def test_round_trip(id_: str) -> None:
    token = legacy_token.encode(id_)
    assert all(c in "0123456789abcdef" for c in token)
    assert len(token) == 2 * (len(id_) + 1)
    assert legacy_token.decode(token) == id_
    assert legacy_token.decode(token.upper()) == id_


def test_encoding_follows_message_nest() -> None:
    id_ = "TK1a2b3c4d5e6"
    salt = sum(ord(c) * (i + 1) for i, c in enumerate(id_)) & 0xFF
    raw = bytes.fromhex(legacy_token.encode(id_))
    assert raw[0] == salt
    assert raw[1] == ord("T") ^ 71 ^ salt
    assert raw[2] == ord("K") ^ 71 ^ ((salt + 1) & 0xFF)


@pytest.mark.parametrize("garbage", ["", "zz", "abc", "not hex at all", "00", "ff", "é1"])
def test_garbage_is_refused(garbage: str) -> None:
    with pytest.raises(ValueError):
        legacy_token.decode(garbage)


def test_salt_mismatch_is_refused() -> None:
    # Encoded consistently, but under a salt that is not the id's checksum: decodes to "TK1a2b3c4d5e6".
    id_ = "TK1a2b3c4d5e6"
    wrong = (sum(ord(c) * (i + 1) for i, c in enumerate(id_)) + 1) & 0xFF
    body = bytes(ord(c) ^ 71 ^ ((wrong + i) & 0xFF) for i, c in enumerate(id_))
    with pytest.raises(ValueError, match="checksum"):
        legacy_token.decode((bytes([wrong]) + body).hex())


def test_non_ascii_result_is_refused() -> None:
    # A valid salt byte followed by a byte that decodes outside printable ASCII.
    salt = 0x10
    with pytest.raises(ValueError, match="ASCII"):
        legacy_token.decode(bytes([salt, 0x80 ^ 71 ^ salt]).hex())


def test_encode_refuses_what_decode_would() -> None:
    for bad in ("", "has space", "ünï"):
        with pytest.raises(ValueError):
            legacy_token.encode(bad)
