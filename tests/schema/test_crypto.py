"""schema.crypto: channel-secret encryption, password hashes, API key material."""

from __future__ import annotations

import re

import pytest

from schema.crypto import (
    SecretBox,
    api_key_display_prefix,
    constant_time_equals,
    hash_api_key,
    hash_password,
    new_api_key,
    verify_password,
)

KEY = "k" * 48


def test_secret_box_roundtrip() -> None:
    box = SecretBox(KEY)
    plaintext = "smtp-password-ü-123"
    sealed = box.seal(plaintext)
    assert sealed != plaintext
    assert plaintext not in sealed
    assert box.open(sealed) == plaintext
    # Another box with the same key opens it too: the key is derived deterministically.
    assert SecretBox(KEY).open(sealed) == plaintext


def test_secret_box_is_randomised() -> None:
    box = SecretBox(KEY)
    assert box.seal("same") != box.seal("same")


def test_secret_box_other_key_cannot_open() -> None:
    sealed = SecretBox(KEY).seal("hunter2")
    with pytest.raises(ValueError, match="cannot be decrypted"):
        SecretBox("x" * 48).open(sealed)


def test_secret_box_garbage_token() -> None:
    with pytest.raises(ValueError, match="cannot be decrypted"):
        SecretBox(KEY).open("not-a-fernet-token")


def test_password_hash() -> None:
    hashed = hash_password("correct horse")
    assert hashed.startswith("$argon2")
    assert "correct horse" not in hashed
    assert verify_password(hashed, "correct horse") is True
    assert verify_password(hashed, "wrong horse") is False
    assert verify_password("not-a-hash", "correct horse") is False


def test_api_keys() -> None:
    first, second = new_api_key(), new_api_key()
    assert first.startswith("pn_")
    assert second.startswith("pn_")
    assert first != second
    assert len(first) > 40


def test_hash_api_key() -> None:
    key = "pn_example-key"
    digest = hash_api_key(key)
    assert digest == hash_api_key(key)
    assert re.fullmatch(r"[0-9a-f]{64}", digest)
    assert digest != hash_api_key(key + "x")
    # Known SHA-256 of the empty string: pins the algorithm.
    assert hash_api_key("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


def test_api_key_display_prefix() -> None:
    assert api_key_display_prefix("pn_abcdefghijklmnop") == "pn_abcdefg"
    assert api_key_display_prefix("pn_ab") == "pn_ab"


def test_constant_time_equals() -> None:
    assert constant_time_equals("abc", "abc") is True
    assert constant_time_equals("abc", "abd") is False
