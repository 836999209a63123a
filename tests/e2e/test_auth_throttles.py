"""Throttles in front of every credential check, over real HTTP and WebSocket: concurrent guesses,
guesses spread over addresses, changePassword, bad API keys; and argon2's cost, paid the same way
for every username and off the event loop."""

from __future__ import annotations

import asyncio
import json
import secrets
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

import pytest
import websockets
from argon2 import PasswordHasher
from websockets.typing import Subprotocol

from schema import crypto
from schema.models import ApiKey, User
from tests.helpers import LOGIN, GraphQLClient, new_member

CHANGE_PASSWORD = """mutation($c: String!, $n: String!) {
  changePassword(currentPassword: $c, newPassword: $n) { token } }"""
CREATE_KEY = 'mutation { createApiKey(input: {name: "k", scope: ALL}) { key } }'
# The test settings (tests/conftest.py): 5 per address, 20 per username, 30 bad keys, in 60 s.
PER_ADDRESS, PER_USERNAME, BAD_KEYS = 5, 20, 30


def address() -> str:
    return f"198.18.{secrets.randbelow(250) + 1}.{secrets.randbelow(250) + 1}"


def codes(errors: list[dict[str, Any]]) -> list[str]:
    return [e["extensions"]["code"] for e in errors]


class CountingHasher(PasswordHasher):
    """The real argon2 hasher, noting the thread each check ran on."""

    def __init__(self) -> None:
        super().__init__()
        self.threads: list[str] = []

    def verify(self, hash: str | bytes, password: str | bytes) -> Literal[True]:
        self.threads.append(threading.current_thread().name)
        return super().verify(hash, password)


@pytest.fixture
def hasher(monkeypatch: pytest.MonkeyPatch) -> Iterator[CountingHasher]:
    spy = CountingHasher()
    monkeypatch.setattr(crypto, "_hasher", spy)
    yield spy


async def test_concurrent_wrong_passwords_get_at_most_the_limit_checked(anonymous: GraphQLClient) -> None:
    attacker = anonymous.as_(None, address())
    name = f"nobody-{secrets.token_hex(4)}"
    errors = await asyncio.gather(*(attacker.fails(LOGIN, {"u": name, "p": f"guess-{i}"}) for i in range(50)))
    assert codes(errors).count("UNAUTHENTICATED") == PER_ADDRESS
    assert codes(errors).count("RATE_LIMITED") == 50 - PER_ADDRESS
    assert all(0 < e["extensions"]["retry_after"] <= 60 for e in errors if "retry_after" in e["extensions"])


async def test_guesses_spread_over_addresses_are_throttled_per_username(admin: GraphQLClient) -> None:
    _, username = await new_member(admin, password="the-right-password")
    guesses = [admin.as_(None, address()).fails(LOGIN, {"u": username, "p": f"g{i}"}) for i in range(30)]
    errors = await asyncio.gather(*guesses)
    assert codes(errors).count("UNAUTHENTICATED") == PER_USERNAME
    refused = [e for e in errors if e["extensions"]["code"] == "RATE_LIMITED"]
    assert len(refused) == 30 - PER_USERNAME and "username" in refused[0]["message"]
    # Even the right password waits now, from any address: the guess is not checked at all.
    error = await admin.as_(None, address()).fails(LOGIN, {"u": username, "p": "the-right-password"})
    assert error["extensions"]["code"] == "RATE_LIMITED"


async def test_successful_logins_do_not_use_up_the_limit(admin: GraphQLClient) -> None:
    _, username = await new_member(admin, password="the-right-password")
    client = admin.as_(None, address())
    for _ in range(PER_ADDRESS + 2):
        assert (await client.call(LOGIN, {"u": username, "p": "the-right-password"}))["login"]["token"]


async def test_unknown_inactive_and_active_users_cost_one_argon2_check_each(
    admin: GraphQLClient, hasher: CountingHasher
) -> None:
    _, active = await new_member(admin)
    _, inactive = await new_member(admin)
    await User.filter(username=inactive).update(is_active=False)
    answers = []
    for name in (f"nobody-{secrets.token_hex(4)}", inactive, active):
        before = len(hasher.threads)
        error = await admin.as_(None, address()).fails(LOGIN, {"u": name, "p": "not-the-password"})
        answers.append((error["message"], error["extensions"]))
        assert len(hasher.threads) - before == 1, name
    assert answers[0] == answers[1] == answers[2]
    assert answers[0] == ("wrong username or password", {"code": "UNAUTHENTICATED"})


async def test_argon2_runs_off_the_event_loop(admin: GraphQLClient, hasher: CountingHasher) -> None:
    _, username = await new_member(admin, password="member-password")
    hasher.threads.clear()
    loop_thread = threading.current_thread().name  # uvicorn serves on this same loop
    logins = [
        admin.as_(None, address()).post(LOGIN, {"u": username, "p": "member-password"}) for _ in range(6)
    ]
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            ticks += 1
            await asyncio.sleep(0)

    counting = asyncio.create_task(ticker())
    try:
        answers = await asyncio.gather(*logins)
    finally:
        counting.cancel()
    assert all(a["data"]["login"]["token"] for a in answers)
    assert len(hasher.threads) == 6
    assert all(name.startswith("pushnest-argon2") and name != loop_thread for name in hasher.threads)
    assert ticks > 6  # the loop kept turning while the checks ran


async def test_change_password_is_throttled_per_user(admin: GraphQLClient) -> None:
    member, _ = await new_member(admin, password="first-password")
    # Each try from its own address: the limit follows the user, not where they come from.
    tries = [
        member.as_(member.token, address()).fails(
            CHANGE_PASSWORD, {"c": f"wrong-{i}", "n": "second-password"}
        )
        for i in range(PER_ADDRESS + 3)
    ]
    errors = await asyncio.gather(*tries)
    assert codes(errors).count("BAD_INPUT") == PER_ADDRESS
    assert codes(errors).count("RATE_LIMITED") == 3
    error = await member.fails(CHANGE_PASSWORD, {"c": "first-password", "n": "second-password"})
    assert error["extensions"]["code"] == "RATE_LIMITED"
    other, _ = await new_member(admin, password="first-password")
    assert await other.call(CHANGE_PASSWORD, {"c": "first-password", "n": "second-password"})


async def test_bad_api_keys_are_throttled_per_address_and_good_keys_still_work(
    admin: GraphQLClient,
) -> None:
    good = (await admin.call(CREATE_KEY))["createApiKey"]["key"]
    ip = address()
    forged = [admin.as_(f"pn_{secrets.token_urlsafe(32)}", ip) for _ in range(BAD_KEYS + 5)]
    errors = await asyncio.gather(*(c.fails("{ channelTypes { key } }") for c in forged))
    assert codes(errors).count("UNAUTHENTICATED") == BAD_KEYS
    assert codes(errors).count("RATE_LIMITED") == 5
    # A valid key from the same (perhaps shared) address is not held up by someone else's bad one.
    assert (await admin.as_(good, ip).call("{ channelTypes { key } }"))["channelTypes"]

    rest = await admin.http.post(
        "/api/send",
        params={"key": f"pn_{secrets.token_urlsafe(32)}", "title": "t", "text": "x"},
        headers={"X-Forwarded-For": ip},
    )
    assert rest.status_code == 429 and int(rest.headers["Retry-After"]) > 0
    assert rest.json()["code"] == 429

    # The legacy protocol says why in its connection_error (graphql-transport-ws only closes).
    url = str(admin.http.base_url).replace("http://", "ws://").rstrip("/") + "/graphql"
    async with websockets.connect(
        url, subprotocols=[Subprotocol("graphql-ws")], additional_headers={"X-Forwarded-For": ip}
    ) as ws:
        forged_key = f"pn_{secrets.token_urlsafe(32)}"
        await ws.send(
            json.dumps({"type": "connection_init", "payload": {"authorization": f"Bearer {forged_key}"}})
        )
        refusal = json.loads(await ws.recv())
    assert refusal["type"] == "connection_error"
    assert "too many unknown, revoked or expired API keys" in json.dumps(refusal["payload"])


async def test_an_expired_key_says_so_and_counts_like_a_wrong_one(admin: GraphQLClient) -> None:
    # A known key past its expiry: UNAUTHENTICATED with reason "expired" (its holder learns why),
    # counted per address like any failed key, and never in the way of a good key from there.
    good = (await admin.call(CREATE_KEY))["createApiKey"]["key"]
    stale = (await admin.call(CREATE_KEY))["createApiKey"]["key"]
    await ApiKey.filter(key_hash=crypto.hash_api_key(stale)).update(
        expires_at=datetime.now(UTC) - timedelta(seconds=1)
    )
    ip = address()
    errors = [await admin.as_(stale, ip).fails("{ channelTypes { key } }") for _ in range(BAD_KEYS + 2)]
    assert codes(errors) == ["UNAUTHENTICATED"] * BAD_KEYS + ["RATE_LIMITED"] * 2
    assert {e["extensions"].get("reason") for e in errors[:BAD_KEYS]} == {"expired"}
    assert "expired" in errors[-1]["message"]
    assert (await admin.as_(good, ip).call("{ channelTypes { key } }"))["channelTypes"]
