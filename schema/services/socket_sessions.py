"""Open WebSockets and the sign-in they were opened with, checked again while they stay open.

A socket resolves its caller once, at `connection_init`; afterwards the user's password may change,
an admin may reset it, switch the account off or change its role, or the socket's API key may be
revoked, here or in another API process. One task per process checks every registered socket each
`ws_check_seconds` with a few batched queries (users by id, live keys by id; by distinct
credential, not by socket) and ends the sockets whose credentials no longer hold. A mutation in this
process wakes the check at once (`check_now`).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable, Iterator
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from tortoise.expressions import Q

from schema.models import ApiKey, User
from schema.models.users import Role
from schema.services.principal import Principal
from schema.unavailable import unavailable

log = logging.getLogger("pushnest.ws")
# Ids per `IN (...)`: well under SQLite's bound on query parameters.
_BATCH = 500


class LiveSocket(Protocol):
    """A signed-in socket, as its protocol handler sees it."""

    async def end_session(self) -> None:
        """Stop its operations and close it the way its protocol refuses bad credentials."""


@dataclass(frozen=True, slots=True)
class Credential:
    """What a socket was let in with. Sockets sharing one are checked and ended together."""

    user_id: int
    role: Role
    # A session token holds while the user's token_version is unchanged; an API key ignores it.
    token_version: int | None
    api_key_id: int | None

    @classmethod
    def of(cls, principal: Principal) -> Credential:
        user = principal.require_caller()
        if principal.api_key is not None:
            return cls(user.id, user.role, None, principal.api_key.id)
        return cls(user.id, user.role, user.token_version, None)


class SocketSessions:
    """The process's signed-in sockets, keyed by credential, and the task that checks them."""

    def __init__(self) -> None:
        self._sockets: dict[Credential, set[LiveSocket]] = {}
        self._credential_of: dict[LiveSocket, Credential] = {}
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._closing: set[asyncio.Task[None]] = set()

    def __len__(self) -> int:
        return len(self._credential_of)

    def add(self, socket: LiveSocket, principal: Principal) -> None:
        self.discard(socket)
        credential = Credential.of(principal)
        self._credential_of[socket] = credential
        self._sockets.setdefault(credential, set()).add(socket)

    def discard(self, socket: LiveSocket) -> None:
        credential = self._credential_of.pop(socket, None)
        if credential is None:
            return
        sharing = self._sockets[credential]
        sharing.discard(socket)
        if not sharing:
            del self._sockets[credential]

    def check_now(self) -> None:
        """Credentials changed in this process: check without waiting for the next period."""
        self._wake.set()

    def start(self, interval: float) -> None:
        self._task = asyncio.create_task(self._run(interval), name="ws-session-check")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None
        if self._closing:
            await asyncio.wait(self._closing, timeout=1.0)

    async def _run(self, interval: float) -> None:
        while True:
            with suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), interval)
            self._wake.clear()
            try:
                await self.sweep()
            except Exception as exc:
                # The database may be away for a moment; the sockets are checked again next period.
                if unavailable(exc) is None:
                    log.exception("checking open WebSockets' credentials failed; retrying in %ss", interval)
                else:
                    log.warning(
                        "cannot check open WebSockets' credentials (%r); retrying in %ss", exc, interval
                    )

    async def sweep(self) -> int:
        """End every socket whose credentials no longer hold; returns how many were ended."""
        if not self._sockets:
            return 0
        stale = await stale_credentials(list(self._sockets))
        ended = [socket for credential in stale for socket in self._sockets.get(credential, ())]
        for socket in ended:
            self.discard(socket)
            self._end(socket)
        if ended:
            log.info("closed %d WebSocket(s) whose sign-in has ended", len(ended))
        return len(ended)

    def _end(self, socket: LiveSocket) -> None:
        # Closing waits on the client's socket; a slow one must not hold up the others or the sweep.
        closing = asyncio.create_task(socket.end_session())
        self._closing.add(closing)
        closing.add_done_callback(self._closed)

    def _closed(self, task: asyncio.Task[None]) -> None:
        self._closing.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("closing a WebSocket whose sign-in ended failed", exc_info=task.exception())


async def stale_credentials(credentials: list[Credential]) -> set[Credential]:
    """The credentials that no longer let a caller in: one query per batch of users and of keys."""
    users: dict[int, tuple[int, bool, Role]] = {}
    for ids in _batches({c.user_id for c in credentials}):
        rows = await User.filter(id__in=ids).values_list("id", "token_version", "is_active", "role")
        users.update({row[0]: (row[1], row[2], Role(row[3])) for row in rows})
    live_keys: set[int] = set()
    for ids in _batches({c.api_key_id for c in credentials if c.api_key_id is not None}):
        keys = (
            await ApiKey.filter(id__in=ids, revoked_at__isnull=True)
            .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=datetime.now(UTC)))
            .values_list("id")
        )
        live_keys.update(row[0] for row in keys)
    return {c for c in credentials if not _holds(c, users.get(c.user_id), live_keys)}


def _holds(credential: Credential, user: tuple[int, bool, Role] | None, live_keys: set[int]) -> bool:
    if user is None:
        return False
    token_version, is_active, role = user
    if not is_active:
        return False
    if credential.api_key_id is not None:
        return credential.api_key_id in live_keys
    # A changed role ends a console session's socket too: its principal still carries the old one.
    return token_version == credential.token_version and role is credential.role


def _batches(ids: Iterable[int]) -> Iterator[list[int]]:
    ordered = sorted(ids)
    for start in range(0, len(ordered), _BATCH):
        yield ordered[start : start + _BATCH]
