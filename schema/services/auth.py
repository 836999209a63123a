"""Turning an `Authorization` header into a Principal: session token or API key.

A caller that checked out is remembered in the process's cache (schema/services/caches.py) under
a digest of its credential, so the next request with it costs no token check and no database
read; any change to keys or accounts clears that cache in every API process at once.
"""

from __future__ import annotations

import hashlib
import time
from datetime import UTC, datetime

from schema.crypto import API_KEY_PREFIX, hash_api_key
from schema.errors import TooManyRequests, Unauthenticated
from schema.models import ApiKey, User
from schema.services import api_keys, users
from schema.services.principal import Principal
from schema.services.runtime import Runtime

_MAX_CREDENTIAL_CHARS = 4096


async def principal_for(runtime: Runtime, authorization: str, ip: str) -> Principal:
    """The caller; bad credentials give an anonymous principal that remembers why (`auth_error`)."""
    if not authorization:
        return Principal(ip=ip)
    scheme, _, credential = authorization.strip().partition(" ")
    credential = credential.strip()
    if scheme.lower() != "bearer" or not credential or len(credential) > _MAX_CREDENTIAL_CHARS:
        error = Unauthenticated("send credentials as 'Authorization: Bearer <session token or API key>'")
        return Principal(ip=ip, auth_error=error)
    if credential.startswith(API_KEY_PREFIX):
        return await _key_principal(runtime, credential, ip)
    digest = "session:" + hashlib.sha256(credential.encode()).hexdigest()
    try:
        user = await runtime.caches.callers.get_or_load(digest, lambda: _session_user(runtime, credential))
    except Unauthenticated as error:
        return Principal(ip=ip, auth_error=error)
    assert isinstance(user, User)
    return Principal(user=user, ip=ip)


async def _session_user(runtime: Runtime, token: str) -> tuple[User, float]:
    """The token's user, kept no longer than the token lasts."""
    claims = runtime.tokens.verify(token)
    return await users.user_for_claims(claims), claims.expires_at - time.time()


async def _key_principal(runtime: Runtime, secret: str, ip: str) -> Principal:
    """The key's owner; unknown, revoked and expired keys are counted per address (RATE_LIMITED past
    the limit). An expired key counts like any wrong credential: a client retrying one is as stuck as
    one with a typo. The count only refuses more failed keys, so a good key from the same address
    keeps working."""
    digest = "key:" + hash_api_key(secret)
    try:
        key = await runtime.caches.callers.get_or_load(digest, lambda: _live_key(secret))
        assert isinstance(key, ApiKey)
        if key.expires_at is not None and key.expires_at <= datetime.now(UTC):
            # Its expiry passed while it was cached: read again, which refuses it.
            runtime.caches.callers.drop(digest)
            key = await api_keys.authenticate(secret)
    except Unauthenticated as error:
        wait = await runtime.throttles.api_key_failed(ip)
        if wait:
            refused = TooManyRequests(
                f"too many unknown, revoked or expired API keys from this address; try again in {wait}s", wait
            )
            return Principal(ip=ip, auth_error=refused)
        return Principal(ip=ip, auth_error=error)
    return Principal(user=key.owner, api_key=key, ip=ip)


async def _live_key(secret: str) -> tuple[ApiKey, None]:
    return await api_keys.authenticate(secret), None
