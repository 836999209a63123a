"""The per-process delivery loop: keeps `concurrency` send slots busy with rows claimed just in time.

A claim takes only as many rows as there are free slots (refilled once a quarter of them are free,
so one statement serves many sends), and each row is sent as soon as it is claimed. Results go to
a `Recorder` as they come in. While a row is held (claimed and not yet recorded) its lease is
extended every few seconds in one statement; right before a send the engine asks `still_ours`,
so a row whose lease may have run out is never sent by the old holder.

Both modes run this loop: ARQ jobs and the all-in-one mode's wake-ups only `wake()` it. It also
polls every `idle_poll` seconds (retries come due, wake-ups get lost) and wakes itself when a
retry it scheduled comes due. Database errors are logged and waited out, never raised.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from typing import Protocol

from schema.events import DeliveryEvent
from schema.logging_setup import bind_log_context
from schema.metrics import record_delivery
from schema.models.messages import DeliveryStatus
from schema.ports import EventBus
from schema.settings import Settings
from workers import claims
from workers.claims import Claimed
from workers.contents import Contents, Job
from workers.engine import DeliveryEngine, Outcome
from workers.recording import Recorder, Write, record

log = logging.getLogger("pushnest.delivery")
_MAX_PAUSE_SECONDS = 5.0
_EXTEND_EVERY_MAX = 3.0


class Holder(Protocol):
    """Who this process is on the rows it claims (see workers/heartbeat.py)."""

    name: str

    def holder(self) -> str: ...

    def fresh(self) -> bool: ...


class DeliveryLoop:
    def __init__(
        self,
        settings: Settings,
        engine: DeliveryEngine,
        events: EventBus,
        heartbeat: Holder,
        idle_poll: float = 1.0,
        write: Write = record,
    ) -> None:
        self._engine = engine
        self._events = events
        self._heartbeat = heartbeat
        self._slots = settings.concurrency
        self._refill_at = max(1, self._slots // 4)
        self._lease = float(settings.lease_seconds)
        self._margin = min(5.0, self._lease / 4)
        self._extend_every = max(0.2, min(self._lease / 3, _EXTEND_EVERY_MAX))
        self._idle_poll = idle_poll
        self._contents = Contents()
        self._recorder = Recorder(self._after_record, write)
        self._held: dict[int, Claimed] = {}
        self._sending: set[asyncio.Task[None]] = set()
        self._signal = asyncio.Event()
        self._due = True  # rows may be due: claim when slots are free
        self._next_poll = 0.0
        self._stopping = False
        self._tasks: list[asyncio.Task[None]] = []
        self.database_ok = True

    # --- control -------------------------------------------------------------------------------

    def wake(self) -> None:
        """Rows are due: claim when slots are free."""
        self._due = True
        self._signal.set()

    async def start(self) -> None:
        self._recorder.start()
        self._tasks = [
            asyncio.create_task(self._run(), name="pushnest-delivery-loop"),
            asyncio.create_task(self._extend_leases(), name="pushnest-lease-extender"),
        ]
        for task in self._tasks:
            task.add_done_callback(self._ended)

    def _ended(self, task: asyncio.Task[None]) -> None:
        # Said at once (an unawaited task's error would surface only when it is collected);
        # `alive` turns false, so the worker's /readyz reports it.
        if not self._stopping:
            log.error("the delivery loop's %s task ended: no more sends from this process", task.get_name())

    async def stop(self, grace: float = 20.0) -> None:
        """Stop claiming; let sends in flight finish (up to `grace` s) and record them; give back the rest."""
        self._stopping = True
        self._signal.set()
        if self._tasks:
            await asyncio.gather(self._tasks[0], return_exceptions=True)  # ended already if it crashed
        if self._sending:
            _, late = await asyncio.wait(set(self._sending), timeout=grace)
            for task in late:
                task.cancel()
            await asyncio.gather(*late, return_exceptions=True)
        await self._recorder.close()
        for task in self._tasks[1:]:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self._held:
            with contextlib.suppress(Exception):
                await claims.release(self._held.values())

    async def idle(self) -> None:
        """Until nothing is due, in flight or waiting to be recorded (`pushnest worker --burst`)."""
        # Polled, not signalled: several conditions, and only `--burst` waits for them.
        while self._due or self._sending or self._held or self._recorder.pending:  # noqa: ASYNC110
            await asyncio.sleep(0.05)

    @property
    def ready(self) -> bool:
        return self.database_ok and self._recorder.healthy

    @property
    def alive(self) -> bool:
        """Its tasks (claiming, extending leases) run: a task that ended by a bug means no more sends,
        while ARQ and the health port would go on as if nothing happened."""
        return bool(self._tasks) and not any(task.done() for task in self._tasks)

    def still_ours(self, row: Claimed) -> bool:
        """The lease surely has not run out, and no sweeper can have taken the row for its holder's."""
        if time.monotonic() >= row.deadline - self._margin:
            return False
        return row.holder == "" or self._heartbeat.fresh()

    # --- claiming and sending ------------------------------------------------------------------

    async def _run(self) -> None:
        pause = 0.0
        while not self._stopping:
            free = self._slots - len(self._sending)
            now = time.monotonic()
            if now >= self._next_poll:
                self._due = True
            if self._due and (free >= self._refill_at or (free > 0 and not self._sending)):
                self._due = False
                try:
                    jobs = await self._claim(free)
                except Exception:
                    pause = min(_MAX_PAUSE_SECONDS, max(0.2, pause * 2))
                    log.exception("claiming deliveries failed; trying again in %.1f s", pause)
                    self.database_ok, self._due = False, True
                    await self._pause(pause)
                    continue
                pause, self.database_ok = 0.0, True
                for job in jobs:
                    self._start(job)
                if len(jobs) >= free:
                    self._due = True  # a full claim: there may be more
                else:
                    self._next_poll = time.monotonic() + self._idle_poll
                continue
            await self._pause(max(0.0, self._next_poll - now) if not self._due else None)

    async def _pause(self, seconds: float | None) -> None:
        """Until woken, a slot frees up, or `seconds` pass."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._signal.wait(), seconds)
        self._signal.clear()

    async def _claim(self, free: int) -> list[Job]:
        rows = await claims.claim(free, self._lease, self._heartbeat.holder())
        if not rows:
            return []
        try:
            jobs = await self._contents.jobs(rows)
        except Exception:
            with contextlib.suppress(Exception):
                await claims.release(rows)
            raise
        for job in jobs:
            self._held[job.row.id] = job.row
        await self._publish([_event(j, DeliveryStatus.SENDING) for j in jobs])
        return jobs

    def _start(self, job: Job) -> None:
        task = asyncio.create_task(self._send(job))
        self._sending.add(task)
        task.add_done_callback(self._sent)

    def _sent(self, task: asyncio.Task[None]) -> None:
        self._sending.discard(task)
        self._signal.set()

    async def _send(self, job: Job) -> None:
        row = job.row
        bind_log_context(trace_id=job.message.trace_id, message_id=row.message_id, delivery_id=row.id)
        outcome = await self._engine.deliver(job, self.still_ours)
        if outcome is None:  # not sent: if the claim is still ours after all, the row is due again
            self._held.pop(row.id, None)
            with contextlib.suppress(Exception):
                await claims.release([row])
            return
        self._recorder.add(outcome)

    # --- after recording -----------------------------------------------------------------------

    async def _after_record(self, batch: list[Outcome], applied: list[Outcome]) -> None:
        for o in batch:
            self._held.pop(o.row.id, None)
        soonest = min((o.retry_in for o in applied if o.retry_in is not None), default=None)
        if soonest is not None:  # wake for our own retries instead of waiting for the next poll
            self._next_poll = min(self._next_poll, time.monotonic() + soonest)
            self._signal.set()
        for o in applied:
            record_delivery(o.row.channel_type, o.status.value, o.latency_ms, o.retry_in is not None)
        await self._publish(
            [
                _event(
                    o.job, o.status, error_class=o.error_class, error=o.error[:300], latency_ms=o.latency_ms
                )
                for o in applied
            ]
        )

    async def _publish(self, events: list[DeliveryEvent]) -> None:
        """Events are a live view of what the database holds: one that cannot go out is logged, not retried."""
        if not events:
            return
        try:
            await self._events.publish_deliveries(events)
        except Exception as exc:
            log.warning("could not publish %d delivery events: %s", len(events), type(exc).__name__)

    # --- leases --------------------------------------------------------------------------------

    async def _extend_leases(self) -> None:
        while True:
            await asyncio.sleep(self._extend_every)
            holder = self._heartbeat.holder()
            due = time.monotonic() + self._lease - self._extend_every
            rows = [r for r in self._held.values() if r.deadline and (r.deadline < due or r.holder != holder)]
            if not rows:
                continue
            try:
                kept = await claims.extend(rows, self._lease, holder)
                self.database_ok = True
            except Exception:
                log.exception("extending %d leases failed", len(rows))
                self.database_ok = False
                continue
            if len(kept) < len(rows):
                log.warning("%d claim(s) were lost (lease ran out or taken over)", len(rows) - len(kept))


def _event(job: Job, status: DeliveryStatus, **extra: object) -> DeliveryEvent:
    return DeliveryEvent.about(
        job.message, job.row, status=status.value, attempt=job.row.attempts, at=time.time(), **extra
    )
