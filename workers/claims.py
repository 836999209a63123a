"""Taking deliveries from the database: a row is sent only by the worker that holds its claim.

A claim moves due rows to `sending` with a lease, a claim token, the claimer's name and a new
`version`, in one conditional update, so two workers (or a wake-up that runs twice) cannot both
take a row. A worker claims only as many rows as it has free send slots, extends the leases of
what it still holds, and gives back what it will not send. Rows of a worker that vanished become
due again when their lease runs out (`release_expired`), or at once when the worker named in
`claimed_by` has no heartbeat any more (`release_held_by`).
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from tortoise import connections
from tortoise.expressions import F
from tortoise.transactions import in_transaction

from schema.db import dialect, retry_deadlocks, statement
from schema.models import Delivery
from schema.models.messages import DeliveryStatus

READY = (DeliveryStatus.QUEUED, DeliveryStatus.RETRYING, DeliveryStatus.RATE_LIMITED)
_COLUMNS = (
    "id",
    "message_id",
    "binding_id",
    "channel_id",
    "channel_type",
    "format",
    "receivers",
    "attempts",
    "budget_start",
    "version",
)


@dataclass(slots=True)
class Claimed:
    """A row this process holds: what sending it needs, and how long the claim is known to last."""

    id: int
    message_id: int
    binding_id: int | None
    channel_id: int | None
    channel_type: str
    format: str
    receivers: list[Any]
    attempts: int
    budget_start: int
    version: int
    token: str
    holder: str  # the claimed_by value last written ("" = protected by the lease alone)
    deadline: float  # time.monotonic() by which the lease has surely not run out


async def claim(limit: int, lease_seconds: float, holder: str) -> list[Claimed]:
    """Claim up to `limit` due rows, oldest due first: one UPDATE, then one plain read of those rows."""
    if limit <= 0:
        return []
    return await retry_deadlocks(lambda: _claim_once(limit, lease_seconds, holder))


async def _claim_once(limit: int, lease_seconds: float, holder: str) -> list[Claimed]:
    # The deadline starts before the statement: the lease in the row can only end later than that.
    started = time.monotonic()
    now = datetime.now(UTC)
    token = secrets.token_hex(16)
    lease_until = now + timedelta(seconds=lease_seconds)
    conn = connections.get("default")
    kind = dialect(conn)
    if kind == "mysql":
        claimed = await _claim_mysql(conn, limit, now, lease_until, token, holder)
    elif kind == "postgres":
        claimed = await _claim_postgres(conn, limit, now, lease_until, token, holder)
    else:
        claimed = await _claim_portable(limit, now, lease_until, token, holder)
    if not claimed:
        return []
    deadline = started + lease_seconds
    rows = await _read_claimed(conn, token)
    return [Claimed(**row, token=token, holder=holder, deadline=deadline) for row in rows]


async def _read_claimed(conn: Any, token: str) -> list[dict[str, Any]]:
    """The rows a claim took, by its token: a plain read of the deliveries table (by hand: the ORM's
    value conversion showed in the worker's profile)."""
    sql = f"SELECT {', '.join(_COLUMNS)} FROM deliveries WHERE claim_token = ? AND status = ? ORDER BY id"  # noqa: S608 - fixed names
    _, rows = await conn.execute_query(statement(conn, sql), [token, DeliveryStatus.SENDING.value])
    found = [dict(row) for row in rows]
    for row in found:
        receivers = row["receivers"]
        row["receivers"] = (
            json.loads(receivers) if isinstance(receivers, str | bytes) else list(receivers or [])
        )
    return found


async def _claim_portable(limit: int, now: datetime, lease_until: datetime, token: str, holder: str) -> int:
    """Select due ids, then take them with a conditional update (SQLite: one process, one writer)."""
    async with in_transaction() as conn:
        query = Delivery.filter(next_attempt_at__lte=now, status__in=READY).using_db(conn)
        ids = _ints(await query.order_by("next_attempt_at", "id").limit(limit).values_list("id", flat=True))
        if not ids:
            return 0
        updated: int = await (
            Delivery.filter(id__in=ids, status__in=READY)
            .using_db(conn)
            .update(
                status=DeliveryStatus.SENDING,
                claim_token=token,
                claimed_by=holder,
                lease_until=lease_until,
                next_attempt_at=None,
                attempts=F("attempts") + 1,
                version=F("version") + 1,
            )
        )
    return updated


async def _claim_mysql(
    conn: Any, limit: int, now: datetime, lease_until: datetime, token: str, holder: str
) -> int:
    """One statement, `UPDATE … ORDER BY … LIMIT`, takes the rows: under READ COMMITTED a concurrent
    claimer waits for the row lock, re-reads the status and skips what was taken. One round trip
    instead of a transaction of four (syscalls dominate the cost of a claim on small machines)."""
    ready = ", ".join(["%s"] * len(READY))
    params: list[Any] = [DeliveryStatus.SENDING.value, token, holder, _naive(lease_until), _naive(now)]
    params += [s.value for s in READY] + [limit]
    # The due index gives the rows in claim order, so the statement stops after `limit` rows;
    # (status, next_attempt_at) would make it read and sort every due row of three statuses.
    sql = (
        "UPDATE deliveries FORCE INDEX (idx_deliveries_due) SET status = %s, claim_token = %s, "  # noqa: S608 - placeholders only
        "claimed_by = %s, lease_until = %s, next_attempt_at = NULL, attempts = attempts + 1, "
        f"version = version + 1 WHERE next_attempt_at <= %s AND status IN ({ready}) "
        "ORDER BY next_attempt_at, id LIMIT %s"
    )
    updated, _ = await conn.execute_query(sql, params)
    return int(updated)


async def _claim_postgres(
    conn: Any, limit: int, now: datetime, lease_until: datetime, token: str, holder: str
) -> int:
    """One statement: the due rows, oldest first, locked with SKIP LOCKED so that concurrent
    claimers take disjoint rows instead of queueing on each other's locks, then updated."""
    ready = ", ".join(["?"] * len(READY))
    params: list[Any] = [DeliveryStatus.SENDING.value, token, holder, lease_until, now]
    params += [s.value for s in READY] + [limit]
    sql = (
        "UPDATE deliveries SET status = ?, claim_token = ?, claimed_by = ?, lease_until = ?, "  # noqa: S608 - placeholders only
        "next_attempt_at = NULL, attempts = attempts + 1, version = version + 1 "
        "WHERE id IN (SELECT id FROM deliveries WHERE next_attempt_at <= ? "
        f"AND status IN ({ready}) ORDER BY next_attempt_at, id LIMIT ? FOR UPDATE SKIP LOCKED)"
    )
    updated, _ = await conn.execute_query(statement(conn, sql), params)
    return int(updated)


async def extend(rows: Sequence[Claimed], lease_seconds: float, holder: str) -> set[int]:
    """Push the leases of rows still held forward, naming `holder`; returns the ids still ours.

    A row that was released (its lease ran out, or its holder was taken for dead) or claimed by
    someone else has another token or status now: it is not touched, and not returned.
    """
    if not rows:
        return set()
    started = time.monotonic()
    lease_until = datetime.now(UTC) + timedelta(seconds=lease_seconds)
    ids, tokens = [r.id for r in rows], sorted({r.token for r in rows})
    held = Delivery.filter(id__in=ids, claim_token__in=tokens, status=DeliveryStatus.SENDING)
    updated = await held.update(lease_until=lease_until, claimed_by=holder)
    kept = set(ids) if updated == len(ids) else set(_ints(await held.values_list("id", flat=True)))
    for row in rows:
        if row.id in kept:
            row.deadline, row.holder = started + lease_seconds, holder
        else:
            row.deadline = 0.0
    return kept


async def release(rows: Iterable[Claimed]) -> int:
    """Give back rows this process claimed but will not finish (shutting down): due again at once.

    The attempt a row was claimed for keeps its number (its send may have started): attempt
    numbers only ever grow, so two records of one number cannot happen.
    """
    held = list(rows)
    if not held:
        return 0
    updated: int = await Delivery.filter(
        id__in=[r.id for r in held],
        claim_token__in=sorted({r.token for r in held}),
        status=DeliveryStatus.SENDING,
    ).update(**_due_again(datetime.now(UTC)))
    return updated


async def release_expired(limit: int = 1000, expired_only: bool = True) -> list[int]:
    """Rows whose worker vanished (lease over, still `sending`) become due again; returns their ids.

    `expired_only=False` releases every `sending` row: only for a process that knows it is the
    only sender and has just started.
    """
    now = datetime.now(UTC)
    cutoff = now if expired_only else now + timedelta(days=36500)
    ids = _ints(
        await Delivery.filter(status=DeliveryStatus.SENDING, lease_until__lt=cutoff)
        .limit(limit)
        .values_list("id", flat=True)
    )
    if ids:
        await Delivery.filter(id__in=ids, status=DeliveryStatus.SENDING, lease_until__lt=cutoff).update(
            **_due_again(now)
        )
    return ids


async def holders() -> set[str]:
    """The workers named on rows being sent (those that claimed them with a live heartbeat)."""
    rows = await (
        Delivery.filter(status=DeliveryStatus.SENDING)
        .exclude(claimed_by="")
        .distinct()
        .values_list("claimed_by", flat=True)
    )
    return {str(name) for name in rows}


async def release_held_by(dead: Iterable[str], limit: int = 5000) -> list[int]:
    """Rows held by workers known to be gone become due again now, not when their lease ends."""
    names = sorted(set(dead))
    if not names:
        return []
    held = Delivery.filter(status=DeliveryStatus.SENDING, claimed_by__in=names)
    ids = _ints(await held.limit(limit).values_list("id", flat=True))
    if ids:
        await held.filter(id__in=ids).update(**_due_again(datetime.now(UTC)))
    return ids


async def overdue(grace_seconds: float, limit: int = 5000) -> list[int]:
    """Due rows nobody has taken for a while: their wake-up job was lost (e.g. Redis was flushed)."""
    cutoff = datetime.now(UTC) - timedelta(seconds=grace_seconds)
    rows = await (
        Delivery.filter(status__in=READY, next_attempt_at__lte=cutoff)
        .order_by("next_attempt_at")
        .limit(limit)
        .values_list("id", flat=True)
    )
    return _ints(rows)


def _due_again(now: datetime) -> dict[str, Any]:
    return {
        "status": DeliveryStatus.QUEUED,
        "next_attempt_at": now,
        "version": F("version") + 1,
        "lease_until": None,
        "claimed_by": "",
    }


def _naive(moment: datetime) -> datetime:
    # Tortoise stores UTC as naive DATETIME on MySQL; raw statements must do the same.
    return moment.astimezone(UTC).replace(tzinfo=None)


def _ints(rows: Any) -> list[int]:
    # Tortoise types flat values_list as tuples; with flat=True they are the ids themselves.
    return [int(row) for row in rows]
