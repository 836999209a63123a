"""Writing outcomes down as they come in: a batch of results per transaction, never a whole claim.

One transaction per batch locks the rows that are still held by the claim that sent them (id and
version: a row that was released or claimed again since is not), inserts every attempt in one
statement, moves the held rows to their new state (all successes in one UPDATE), refreshes their
messages' status and adds the final ones to the statistics rollups. So a delivery's end, its
message's status and its count commit together or not at all, and a delivery is counted exactly
once however many workers once held it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import defaultdict
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.expressions import F
from tortoise.transactions import in_transaction

from schema.db import dialect, retry_deadlocks, statement
from schema.models import Delivery
from schema.models.messages import DeliveryStatus
from schema.services import message_status, stats
from schema.settings import DatabaseKind
from workers.engine import Outcome

log = logging.getLogger("pushnest.delivery")
Write = Callable[[list[Outcome]], Awaitable[list[Outcome]]]
AfterWrite = Callable[[list[Outcome], list[Outcome]], Awaitable[None]]


async def record(outcomes: list[Outcome]) -> list[Outcome]:
    """Record a batch in one transaction; returns the outcomes whose rows were still held (applied)."""
    if not outcomes:
        return []
    return await retry_deadlocks(lambda: _record_once(outcomes))


async def _record_once(outcomes: list[Outcome]) -> list[Outcome]:
    now = datetime.now(UTC)
    async with in_transaction() as conn:
        held = await _lock_held(conn, outcomes)
        applied = [o for o in outcomes if held.get(o.row.id) == o.row.version]
        # Attempts of a claim that was lost are kept too: they say what really went out.
        await _insert_attempts(conn, [o for o in outcomes if o.attempted], now)
        await _record_successes(conn, [o for o in applied if o.status is DeliveryStatus.SUCCEEDED])
        await _record_others(conn, [o for o in applied if o.status is not DeliveryStatus.SUCCEEDED], now)
        await message_status.refresh({o.job.message.id for o in applied}, conn)
        await stats.record_final(
            [_counted(o, now) for o in applied if o.status in message_status.FINAL], conn
        )
    return applied


async def _lock_held(conn: BaseDBAsyncClient, outcomes: list[Outcome]) -> dict[int, int]:
    """id → version of the rows still `sending`, locked until commit (in id order, so two batches
    lock in the same order). Raw SQL: Tortoise drops FOR UPDATE from `values_list` queries."""
    ids = sorted({o.row.id for o in outcomes})
    # SQLite has one writer at a time and no FOR UPDATE.
    lock = "" if dialect(conn) == "sqlite" else " ORDER BY id FOR UPDATE"
    sql = (
        f"SELECT id, version FROM deliveries WHERE id IN ({', '.join(['?'] * len(ids))}) AND status = ?{lock}"  # noqa: S608 - placeholders only
    )
    _, rows = await conn.execute_query(statement(conn, sql), [*ids, DeliveryStatus.SENDING.value])
    return {int(row["id"]): int(row["version"]) for row in rows}


# How each database inserts rows while skipping those whose unique key exists: (verb, tail).
_INSERT_IGNORING = {
    "mysql": ("INSERT IGNORE INTO", ""),
    "sqlite": ("INSERT OR IGNORE INTO", ""),
    "postgres": ("INSERT INTO", " ON CONFLICT DO NOTHING"),
}
_ATTEMPT_COLUMNS = (
    "delivery_id, number, outcome, error_class, error, vendor_response, latency_ms, trace_id, "
    "started_at, finished_at"
)


async def _insert_attempts(conn: BaseDBAsyncClient, outcomes: list[Outcome], now: datetime) -> None:
    """Every attempt of the batch in one INSERT. Written by hand: building a model per attempt for
    `bulk_create` cost more than the statement. A batch whose commit was acknowledged too late to
    be seen is written again: the same rows, ignored."""
    if not outcomes:
        return
    kind = dialect(conn)
    one = "(" + ", ".join(["?"] * 10) + ")"
    verb, tail = _INSERT_IGNORING[kind]
    sql = f"{verb} delivery_attempts ({_ATTEMPT_COLUMNS}) VALUES {', '.join([one] * len(outcomes))}{tail}"
    params: list[Any] = []
    for o in outcomes:
        params += [
            o.row.id,
            o.row.attempts,
            o.status.value,
            o.error_class,
            o.error,
            o.vendor_response,
            o.latency_ms,
            o.job.message.trace_id,
            _stamp(o.started_at, kind),
            _stamp(now, kind),
        ]
    await conn.execute_query(statement(conn, sql), params)


async def _record_successes(conn: BaseDBAsyncClient, outcomes: list[Outcome]) -> None:
    """All successes of a batch in one UPDATE (the common case, so the one worth batching)."""
    if not outcomes:
        return
    ids = [o.row.id for o in outcomes]
    # PostgreSQL cannot infer a type for a bare parameter in THEN; the others need no cast.
    value = "CAST(? AS INTEGER)" if dialect(conn) == "postgres" else "?"
    latency = " ".join([f"WHEN ? THEN {value}"] * len(outcomes))
    sql = (
        "UPDATE deliveries SET status = 'succeeded', lease_until = NULL, claimed_by = '', error_class = '', "  # noqa: S608 - placeholders only
        f"last_error = '', next_attempt_at = NULL, latency_ms = CASE id {latency} END "
        f"WHERE id IN ({', '.join(['?'] * len(ids))})"
    )
    params: list[Any] = []
    for o in outcomes:
        params += [o.row.id, o.latency_ms]
    await conn.execute_query(statement(conn, sql), [*params, *ids])


def _stamp(moment: datetime, kind: DatabaseKind) -> datetime:
    # As Tortoise stores them: naive UTC on MySQL; aware UTC on SQLite (its adapter writes ISO
    # text) and on PostgreSQL (timestamptz).
    utc = moment.astimezone(UTC)
    return utc.replace(tzinfo=None) if kind == "mysql" else utc


async def _record_others(conn: BaseDBAsyncClient, outcomes: list[Outcome], now: datetime) -> None:
    """Failures, retries and deferrals: rows with the same changes share one UPDATE."""
    groups: dict[tuple[Any, ...], list[int]] = defaultdict(list)
    for o in outcomes:
        due = now + timedelta(seconds=o.retry_in) if o.retry_in is not None else None
        groups[(o.status, o.error_class, o.error, o.latency_ms, due, o.attempted)].append(o.row.id)
    for (status, error_class, error, latency_ms, due, attempted), ids in groups.items():
        changes: dict[str, Any] = {
            "status": status,
            "lease_until": None,
            "claimed_by": "",
            "error_class": error_class,
            "last_error": error,
            "latency_ms": latency_ms,
            "next_attempt_at": due,
        }
        if not attempted:  # nothing went out: the claim's attempt number is given back
            changes["attempts"] = F("attempts") - 1
        await Delivery.filter(id__in=ids).using_db(conn).update(**changes)


def _counted(o: Outcome, now: datetime) -> stats.FinalOutcome:
    message = o.job.message
    return stats.FinalOutcome(
        day=now.date(),
        owner_id=message.owner_id,
        channel_type=o.row.channel_type,
        channel_id=o.row.channel_id,
        task_id=message.task_id,
        template_id=message.template_id,
        status=o.status.value,
        latency_ms=o.latency_ms,
        error_class=o.error_class,
        error=o.error,
    )


class Recorder:
    """Gathers outcomes and writes them in batches: when one arrives after a quiet moment it waits
    `linger` seconds for neighbours; under load, what arrived during one write is the next batch.
    A failed write keeps its outcomes and tries again with a growing pause (the database may be
    away for a while); `healthy` says whether the last write went through."""

    def __init__(
        self,
        after: AfterWrite,
        write: Write = record,
        max_batch: int = 500,
        linger: float = 0.005,
        max_pause: float = 5.0,
    ) -> None:
        self._write = write
        self._after = after
        self._max_batch = max_batch
        self._linger = linger
        self._max_pause = max_pause
        self._pending: list[Outcome] = []
        self._arrived = asyncio.Event()
        self._idle = asyncio.Event()
        self._idle.set()
        self._task: asyncio.Task[None] | None = None
        self.healthy = True

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="pushnest-recorder")

    def add(self, outcome: Outcome) -> None:
        self._pending.append(outcome)
        self._idle.clear()
        self._arrived.set()

    @property
    def pending(self) -> int:
        return len(self._pending)

    async def close(self, wait_seconds: float = 10.0) -> None:
        """Write what is pending (waiting at most `wait_seconds`), then stop."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._idle.wait(), wait_seconds)
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        pause = 0.0
        while True:
            if not self._pending:
                self._idle.set()
                await self._arrived.wait()
                await asyncio.sleep(self._linger)
            self._arrived.clear()
            batch, self._pending = self._pending[: self._max_batch], self._pending[self._max_batch :]
            try:
                applied = await self._write(batch)
            except Exception:
                pause = min(self._max_pause, max(0.1, pause * 2))
                log.exception("recording %d outcomes failed; trying again in %.1f s", len(batch), pause)
                self.healthy = False
                self._pending[:0] = batch
                await asyncio.sleep(pause)
                continue
            pause, self.healthy = 0.0, True
            try:
                await self._after(batch, applied)
            except Exception:
                log.exception("after recording %d outcomes", len(batch))
