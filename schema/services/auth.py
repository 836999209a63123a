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
    cached = runtime.caches.callers.get(digest)
    if isinstance(cached, User):
        return Principal(user=cached, ip=ip)
    try:
        claims = runtime.tokens.verify(credential)
        user = await users.user_for_claims(claims)
    except Unauthenticated as error:
        return Principal(ip=ip, auth_error=error)
    runtime.caches.callers.put(digest, user, ttl=claims.expires_at - time.time())
    return Principal(user=user, ip=ip)


async def _key_principal(runtime: Runtime, secret: str, ip: str) -> Principal:
    """The key's owner; unknown and revoked keys are counted per address (RATE_LIMITED past the limit)."""
    digest = "key:" + hash_api_key(secret)
    cached = runtime.caches.callers.get(digest)
    if isinstance(cached, ApiKey) and (cached.expires_at is None or cached.expires_at > datetime.now(UTC)):
        return Principal(user=cached.owner, api_key=cached, ip=ip)
    try:
        key = await api_keys.authenticate(secret)
    except Unauthenticated as error:
        wait = await runtime.throttles.api_key_failed(ip)
        if wait:
            refused = TooManyRequests(
                f"too many unknown or revoked API keys from this address; try again in {wait}s", wait
            )
            return Principal(ip=ip, auth_error=refused)
        return Principal(ip=ip, auth_error=error)
    runtime.caches.callers.put(digest, key)
    return Principal(user=key.owner, api_key=key, ip=ip)
