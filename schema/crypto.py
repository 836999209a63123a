"""Secrets at rest and on the wire: channel-secret encryption, password hashes, API key material."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import secrets
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from cryptography.fernet import Fernet, InvalidToken

API_KEY_PREFIX = "pn_"
_API_KEY_BYTES = 32
_DISPLAY_PREFIX_CHARS = 10

_hasher = PasswordHasher()
# argon2 takes ~0.1 s of CPU and 64 MiB per check, and releases the GIL: run it beside the event
# loop (which would otherwise stall every other request meanwhile), two at a time so a burst of
# sign-ins cannot take all the memory. Threads start on first use, not at import.
_ARGON2_THREADS = ThreadPoolExecutor(max_workers=2, thread_name_prefix="pushnest-argon2")


class SecretBox:
    """Encrypts channel secrets with a key derived from `PUSHNEST_SECRET_KEY` (Fernet: AES + HMAC)."""

    def __init__(self, secret_key: str) -> None:
        digest = hashlib.sha256(b"pushnest/channel-secrets/v1:" + secret_key.encode()).digest()
        self._fernet = Fernet(base64.urlsafe_b64encode(digest))

    def seal(self, plaintext: str) -> str:
        return self._fernet.encrypt(plaintext.encode()).decode()

    def open(self, token: str) -> str:
        try:
            return self._fernet.decrypt(token.encode()).decode()
        except InvalidToken as exc:
            raise ValueError("channel secret cannot be decrypted: was PUSHNEST_SECRET_KEY changed?") from exc


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return _hasher.hash(secrets.token_urlsafe(16))


async def hash_password_off_loop(password: str) -> str:
    """`hash_password` in the argon2 threads."""
    return await asyncio.get_running_loop().run_in_executor(_ARGON2_THREADS, hash_password, password)


async def verify_password_off_loop(password_hash: str | None, password: str) -> bool:
    """`verify_password` in the argon2 threads. Without a hash (no such user) a dummy one is
    checked, so an unknown name costs the same time as a known one and is always refused."""
    if password_hash is None:
        await asyncio.get_running_loop().run_in_executor(_ARGON2_THREADS, _burn, password)
        return False
    return await asyncio.get_running_loop().run_in_executor(
        _ARGON2_THREADS, verify_password, password_hash, password
    )


def _burn(password: str) -> None:
    verify_password(_dummy_hash(), password)


async def prepare_dummy_hash() -> None:
    """Make the dummy hash at start-up, so the first unknown name does not pay for it (and stand out)."""
    await asyncio.get_running_loop().run_in_executor(_ARGON2_THREADS, _dummy_hash)


def new_api_key() -> str:
    return API_KEY_PREFIX + secrets.token_urlsafe(_API_KEY_BYTES)


def hash_api_key(key: str) -> str:
    # Keys carry 256 random bits, so a fast hash is enough; argon2 would cost on every send.
    return hashlib.sha256(key.encode()).hexdigest()


def api_key_display_prefix(key: str) -> str:
    return key[:_DISPLAY_PREFIX_CHARS]


def random_password(length: int = 20) -> str:
    return secrets.token_urlsafe(length)[:length]


def constant_time_equals(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())
