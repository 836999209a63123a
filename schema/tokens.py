"""Console session tokens (JWT, HS256). The only module that touches python-jose.

The algorithm is pinned in code and never read from the token's header, so `alg: none` and
key-confusion forgeries are refused. `ver` carries the user's token version: a password change
bumps it and every older token stops working.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from jose import JWTError, jwt

from schema.errors import Unauthenticated

_ALGORITHMS = ["HS256"]
_ISSUER = "pushnest"
_AUDIENCE = "pushnest-console"
_LEEWAY_SECONDS = 10


@dataclass(frozen=True)
class TokenClaims:
    user_id: int
    token_version: int
    expires_at: int


class TokenIssuer:
    """Makes and checks console tokens with one secret."""

    def __init__(self, secret: str, ttl_seconds: int) -> None:
        self._secret = secret
        self._ttl = ttl_seconds

    def issue(self, user_id: int, token_version: int, now: float | None = None) -> str:
        issued = int(time.time() if now is None else now)
        claims = {
            "sub": str(user_id),
            "ver": token_version,
            "iat": issued,
            "exp": issued + self._ttl,
            "iss": _ISSUER,
            "aud": _AUDIENCE,
        }
        return str(jwt.encode(claims, self._secret, algorithm=_ALGORITHMS[0]))

    def verify(self, token: str) -> TokenClaims:
        """The token's claims, or `Unauthenticated` for anything forged, expired or malformed."""
        try:
            claims = jwt.decode(
                token,
                self._secret,
                algorithms=_ALGORITHMS,
                audience=_AUDIENCE,
                issuer=_ISSUER,
                options={
                    "require_exp": True,
                    "require_sub": True,
                    "require_aud": True,
                    "require_iss": True,
                    "require_iat": True,
                    "leeway": _LEEWAY_SECONDS,
                },
            )
            return TokenClaims(
                user_id=int(claims["sub"]), token_version=int(claims["ver"]), expires_at=int(claims["exp"])
            )
        except (JWTError, KeyError, TypeError, ValueError):
            raise Unauthenticated("session token is invalid or expired; sign in again") from None
