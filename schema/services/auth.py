"""Turning an `Authorization` header into a Principal: session token or API key."""

from __future__ import annotations

from schema.crypto import API_KEY_PREFIX
from schema.errors import TooManyRequests, Unauthenticated
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
    try:
        return Principal(user=await users.user_for_token(runtime, credential), ip=ip)
    except Unauthenticated as error:
        return Principal(ip=ip, auth_error=error)


async def _key_principal(runtime: Runtime, secret: str, ip: str) -> Principal:
    """The key's owner; unknown, revoked and expired keys are counted per address (RATE_LIMITED past
    the limit). An expired key counts like any wrong credential: a client retrying one is as stuck as
    one with a typo. The count only refuses more failed keys, so a good key from the same address
    keeps working."""
    try:
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
