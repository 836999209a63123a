"""Forged, expired and malformed credentials get UNAUTHENTICATED and change nothing."""

from __future__ import annotations

import base64
import json
import time

from jose import jwt

from schema.models import Task
from schema.settings import Settings
from tests.helpers import GraphQLClient, unique

CREATE_TASK = "mutation($i: CreateTaskInput!) { createTask(input: $i) { id } }"


def b64(data: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def claims(**overrides: object) -> dict[str, object]:
    now = int(time.time())
    return {
        "sub": "1",
        "ver": 1,
        "iat": now,
        "exp": now + 600,
        "iss": "pushnest",
        "aud": "pushnest-console",
    } | overrides


async def test_bad_credentials_are_refused_and_write_nothing(
    anonymous: GraphQLClient, settings: Settings
) -> None:
    secret = settings.jwt_secret.get_secret_value()
    forged = {
        "alg none": f"{b64({'alg': 'none', 'typ': 'JWT'})}.{b64(claims())}.",
        "other secret": jwt.encode(claims(), "x" * 48, algorithm="HS256"),
        "expired": jwt.encode(claims(exp=int(time.time()) - 3600), secret, algorithm="HS256"),
        "other algorithm": jwt.encode(claims(), secret, algorithm="HS512"),
        "wrong audience": jwt.encode(claims(aud="someone-else"), secret, algorithm="HS256"),
        "old token version": jwt.encode(claims(ver=0), secret, algorithm="HS256"),
        "unknown user": jwt.encode(claims(sub="987654"), secret, algorithm="HS256"),
        "garbage": "not.a.token",
    }
    name = unique("never")
    for label, token in forged.items():
        client = anonymous.as_(token)
        error = await client.fails("{ me { username } }")
        assert error["extensions"]["code"] == "UNAUTHENTICATED", label
        error = await client.fails(CREATE_TASK, {"i": {"name": name}})
        assert error["extensions"]["code"] == "UNAUTHENTICATED", label
    assert not await Task.filter(name=name).exists()


async def test_a_tampered_payload_is_refused(admin: GraphQLClient) -> None:
    assert admin.token is not None
    header, _, signature = admin.token.split(".")
    tampered = f"{header}.{b64(claims(sub='2'))}.{signature}"
    error = await admin.as_(tampered).fails("{ me { username } }")
    assert error["extensions"]["code"] == "UNAUTHENTICATED"


async def test_malformed_authorization_header(anonymous: GraphQLClient) -> None:
    response = await anonymous.http.post(
        "/graphql", json={"query": "{ me { username } }"}, headers={"Authorization": "Basic YWRtaW46YWRtaW4="}
    )
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "UNAUTHENTICATED" and "Bearer" in error["message"]
