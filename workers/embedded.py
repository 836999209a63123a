"""The all-in-one mode: no Redis; the database's due rows are the queue, drained in this process.

`EmbeddedWorker` is the `Enqueuer` the API uses in this mode: being told that rows are due only
wakes the loop early. The loop also wakes every second for retries that came due, and sweeps
expired leases, so a restart resumes whatever was pending.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import logging
from typing import IO

from schema.channels.base import TokenStore
from schema.crypto import SecretBox
from schema.files import open_private, private_dir
from schema.net.client import outbound_clients
from schema.ports import EventBus
from schema.services.retention import apply_retention
from schema.services.runtime import Runtime
from schema.services.send_context import send_context
from schema.settings import Settings
from workers.claims import release_expired
from workers.engine import DeliveryEngine
from workers.rate_limit import MemoryRateLimiter
from workers.scheduler import cron_loop

log = logging.getLogger("pushnest.embedded")
_IDLE_POLL_SECONDS = 1.0
_SWEEP_EVERY_SECONDS = 15.0
_PRUNE_EVERY_SECONDS = 3600.0
_FIRST_PRUNE_SECONDS = 60.0
_LANES = 4
_STOP_GRACE_SECONDS = 20.0


class EmbeddedWorker:
    def __init__(self, settings: Settings, events: EventBus, tokens: TokenStore) -> None:
        self._settings = settings
        self._events = events
        self._wake = asyncio.Event()
        self._http = outbound_clients(settings)
        self._engine = DeliveryEngine(
            settings,
            SecretBox(settings.secret_key.get_secret_value()),
            send_context(settings, self._http, events, tokens),
            MemoryRateLimiter(),
            events,
            self._retry_later,
        )
        self._loop_task: asyncio.Task[None] | None = None
        self._stopping = False
        self._stopped = asyncio.Event()
        self._cron_task: asyncio.Task[None] | None = None
        self._prune_task: asyncio.Task[None] | None = None
        self._lock_file: IO[str] | None = None

    async def deliveries_due(self, delivery_ids: list[int], defer_seconds: float = 0.0) -> None:
        if defer_seconds <= 0:
            self._wake.set()

    async def _retry_later(self, delivery_id: int, attempt: int, defer_seconds: float) -> None:
        return None  # the row's next_attempt_at is the schedule; the loop polls for it

    async def start(self, runtime: Runtime) -> None:
        self._hold_single_process_lock()
        # This is the only sender, so whatever is still `sending` was cut off by the last stop.
        await release_expired(expired_only=False)
        self._loop_task = asyncio.create_task(self._loop(), name="pushnest-dispatcher")
        self._cron_task = asyncio.create_task(cron_loop(runtime, self._stopped), name="pushnest-cron")
        self._prune_task = asyncio.create_task(self._prune_loop(), name="pushnest-retention")

    async def stop(self) -> None:
        """Let batches in flight finish (up to a grace period), so their outcomes are recorded."""
        self._stopping = True
        self._stopped.set()
        self._wake.set()
        if self._cron_task is not None:
            await self._cron_task
        if self._prune_task is not None:
            self._prune_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._prune_task
        if self._loop_task is not None:
            try:
                await asyncio.wait_for(asyncio.shield(self._loop_task), _STOP_GRACE_SECONDS)
            except TimeoutError:
                self._loop_task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await self._loop_task
        await self._http.aclose()
        if self._lock_file is not None:
            self._lock_file.close()

    def _hold_single_process_lock(self) -> None:
        handle = open_private(private_dir(self._settings.data_dir) / "all-in-one.lock")
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            raise RuntimeError(
                "another `pushnest serve` without Redis runs on this data dir; the all-in-one mode is one "
                "process only. Set PUSHNEST_REDIS_URL and run `pushnest worker` to scale out."
            ) from None
        self._lock_file = handle

    async def _loop(self) -> None:
        swept = asyncio.get_running_loop().time()
        while not self._stopping:
            try:
                claimed = await self._drain()
                now = asyncio.get_running_loop().time()
                if now - swept > _SWEEP_EVERY_SECONDS:
                    await release_expired()
                    swept = now
                if not claimed:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._wake.wait(), _IDLE_POLL_SECONDS)
                    self._wake.clear()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("dispatcher loop failed; retrying in a second")
                await asyncio.sleep(1)

    async def _prune_loop(self) -> None:
        """Retention: shortly after start (restarts may come more often than hourly), then hourly."""
        wait = _FIRST_PRUNE_SECONDS
        while not self._stopping:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopped.wait(), wait)
            if self._stopping:
                return
            wait = _PRUNE_EVERY_SECONDS
            try:
                await apply_retention(self._settings)
            except Exception:
                log.exception("retention prune failed; trying again in an hour")

    async def _drain(self) -> int:
        """Lanes claim and deliver batches independently, so one slow vendor does not stall the rest."""
        counts = await asyncio.gather(*(self._lane() for _ in range(_LANES)))
        return sum(counts)

    async def _lane(self) -> int:
        batch = max(1, self._settings.concurrency // _LANES)
        total = 0
        while not self._stopping and (claimed := await self._engine.run(limit=batch)):
            total += claimed
        return total
