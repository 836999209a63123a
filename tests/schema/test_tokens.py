"""TokenIssuer: HS256 console tokens; anything forged, expired or malformed is Unauthenticated."""

from __future__ import annotations

import base64
import json
import time
from typing import Any

import pytest
from jose import jwt

from schema.errors import Unauthenticated
from schema.tokens import TokenIssuer

SECRET = "s" * 48
OTHER_SECRET = "o" * 48
TTL = 3600


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def _claims(**overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    claims: dict[str, Any] = {
        "sub": "7",
        "ver": 3,
        "iat": now,
        "exp": now + TTL,
        "iss": "pushnest",
        "aud": "pushnest-console",
    }
    claims.update(overrides)
    return {k: v for k, v in claims.items() if v is not None}


def _assert_refused(issuer: TokenIssuer, token: str) -> None:
    with pytest.raises(Unauthenticated) as caught:
        issuer.verify(token)
    assert caught.value.code == "UNAUTHENTICATED"


def test_roundtrip() -> None:
    issuer = TokenIssuer(SECRET, TTL)
    before = int(time.time())
    claims = issuer.verify(issuer.issue(user_id=42, token_version=5))
    assert claims.user_id == 42
    assert claims.token_version == 5
    assert before + TTL <= claims.expires_at <= int(time.time()) + TTL


def test_issue_uses_given_now() -> None:
    issuer = TokenIssuer(SECRET, TTL)
    now = time.time() - 60
    claims = issuer.verify(issuer.issue(1, 0, now=now))
    assert claims.expires_at == int(now) + TTL


def test_self_crafted_hs256_token_is_accepted() -> None:
    # Sanity check for the forgery tests below: the same claims, correctly signed, are accepted.
    token = jwt.encode(_claims(), SECRET, algorithm="HS256")
    claims = TokenIssuer(SECRET, TTL).verify(token)
    assert (claims.user_id, claims.token_version) == (7, 3)


def test_expired() -> None:
    issuer = TokenIssuer(SECRET, TTL)
    _assert_refused(issuer, issuer.issue(1, 0, now=time.time() - TTL - 100))


def test_other_secret() -> None:
    token = TokenIssuer(OTHER_SECRET, TTL).issue(1, 0)
    _assert_refused(TokenIssuer(SECRET, TTL), token)


def test_tampered_payload() -> None:
    issuer = TokenIssuer(SECRET, TTL)
    header, payload, signature = issuer.issue(1, 0).split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["sub"] = "1000"
    _assert_refused(issuer, f"{header}.{_b64(claims)}.{signature}")


def test_tampered_signature() -> None:
    issuer = TokenIssuer(SECRET, TTL)
    header, payload, signature = issuer.issue(1, 0).split(".")
    flipped = ("A" if signature[0] != "A" else "B") + signature[1:]
    _assert_refused(issuer, f"{header}.{payload}.{flipped}")


def test_alg_none() -> None:
    token = f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(_claims())}."
    _assert_refused(TokenIssuer(SECRET, TTL), token)


def test_other_hmac_algorithm_with_right_secret() -> None:
    token = jwt.encode(_claims(), SECRET, algorithm="HS512")
    _assert_refused(TokenIssuer(SECRET, TTL), token)


@pytest.mark.parametrize(
    "overrides",
    [
        {"aud": "someone-else"},
        {"iss": "not-pushnest"},
        {"aud": None},
        {"iss": None},
        {"exp": None},
        {"sub": None},
        {"ver": None},
        {"sub": "not-a-number"},
    ],
    ids=["audience", "issuer", "no-aud", "no-iss", "no-exp", "no-sub", "no-ver", "sub-not-int"],
)
def test_bad_claims_with_right_secret(overrides: dict[str, Any]) -> None:
    token = jwt.encode(_claims(**overrides), SECRET, algorithm="HS256")
    _assert_refused(TokenIssuer(SECRET, TTL), token)


@pytest.mark.parametrize("token", ["garbage", "", "a.b.c", "..."])
def test_garbage(token: str) -> None:
    _assert_refused(TokenIssuer(SECRET, TTL), token)
