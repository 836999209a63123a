"""`SocketSessions`: the registry by credential, and a check loop that outlives failures and stops."""

from __future__ import annotations

import asyncio

import pytest

from schema.models import ApiKey, User
from schema.models.users import Role
from schema.services.principal import Principal
from schema.services.socket_sessions import Credential, SocketSessions


class FakeSocket:
    def __init__(self) -> None:
        self.ended = False

    async def end_session(self) -> None:
        self.ended = True


def session_of(user_id: int, token_version: int = 1) -> Principal:
    return Principal(user=User(id=user_id, role=Role.MEMBER, token_version=token_version))


def test_sockets_are_kept_by_credential_and_forgotten_when_they_close() -> None:
    sessions = SocketSessions()
    first, second, other = FakeSocket(), FakeSocket(), FakeSocket()
    sessions.add(first, session_of(7))
    sessions.add(second, session_of(7))
    sessions.add(other, session_of(7, token_version=2))
    assert len(sessions) == 3 and len(sessions._sockets) == 2
    sessions.discard(first)
    sessions.discard(first)  # closing twice is harmless
    sessions.discard(other)
    assert len(sessions) == 1 and list(sessions._sockets) == [Credential(7, Role.MEMBER, 1, None)]


def test_a_key_socket_is_known_by_its_key() -> None:
    owner = User(id=3, role=Role.ADMIN, token_version=5)
    principal = Principal(user=owner, api_key=ApiKey(id=11, owner_id=owner.id))
    assert Credential.of(principal) == Credential(3, Role.ADMIN, None, 11)


async def test_a_failing_check_is_logged_and_tried_again(caplog: pytest.LogCaptureFixture) -> None:
    class Flaky(SocketSessions):
        calls = 0

        async def sweep(self) -> int:
            self.calls += 1
            if self.calls == 1:
                raise ConnectionError("database away")
            return 0

    sessions = Flaky()
    sessions.start(0.01)
    await asyncio.sleep(0.1)
    await sessions.stop()
    assert sessions.calls >= 2
    assert "retrying in 0.01s" in caplog.text and "database away" in caplog.text
    calls = sessions.calls
    await asyncio.sleep(0.05)
    assert sessions.calls == calls  # stopped for good


async def test_check_now_does_not_wait_for_the_period() -> None:
    class Counting(SocketSessions):
        calls = 0

        async def sweep(self) -> int:
            self.calls += 1
            return 0

    sessions = Counting()
    sessions.start(3600)
    sessions.check_now()
    await asyncio.sleep(0.05)
    await sessions.stop()
    assert sessions.calls == 1
