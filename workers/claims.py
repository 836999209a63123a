"""Taking deliveries from the database: a row is sent only by the worker that claimed it.

A claim moves a due row to `sending` with a lease and a new `version`, in one conditional update,
so two workers (or a job that runs twice) cannot both take it. A worker that dies leaves its rows
`sending`; once the lease has run out, `release_expired` makes them due again.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

from tortoise import connections
from tortoise.expressions import F
from tortoise.transactions import in_transaction

from schema.db import retry_deadlocks
from schema.models import Delivery
from schema.models.messages import DeliveryStatus

READY = (DeliveryStatus.QUEUED, DeliveryStatus.RETRYING, DeliveryStatus.RATE_LIMITED)


async def claim(delivery_ids: list[int] | None, limit: int, lease_seconds: int) -> list[Delivery]:
    """Claim up to `limit` due deliveries (only among `delivery_ids` when given)."""
    return await retry_deadlocks(lambda: _claim_once(delivery_ids, limit, lease_seconds))


async def _claim_once(delivery_ids: list[int] | None, limit: int, lease_seconds: int) -> list[Delivery]:
    now = datetime.now(UTC)
    token = secrets.token_hex(16)
    lease_until = now + timedelta(seconds=lease_seconds)
    conn = connections.get("default")
    if conn.capabilities.dialect == "mysql":
        claimed = await _claim_mysql(conn, delivery_ids, limit, now, lease_until, token)
    else:
        claimed = await _claim_portable(delivery_ids, limit, now, lease_until, token)
    if not claimed:
        return []
    return list(
        await Delivery.filter(claim_token=token, status=DeliveryStatus.SENDING)
        .select_related("message", "channel", "binding")
        .order_by("id")
    )


async def _claim_portable(
    delivery_ids: list[int] | None, limit: int, now: datetime, lease_until: datetime, token: str
) -> int:
    """Select due ids, then take them with a conditional update (SQLite: one process, one writer)."""
    async with in_transaction() as conn:
        query = Delivery.filter(status__in=READY, next_attempt_at__lte=now).using_db(conn)
        if delivery_ids is not None:
            query = query.filter(id__in=delivery_ids)
        ids = _ints(await query.order_by("next_attempt_at", "id").limit(limit).values_list("id", flat=True))
        if not ids:
            return 0
        updated: int = await (
            Delivery.filter(id__in=ids, status__in=READY)
            .using_db(conn)
            .update(
                status=DeliveryStatus.SENDING,
                claim_token=token,
                lease_until=lease_until,
                attempts=F("attempts") + 1,
                version=F("version") + 1,
            )
        )
    return updated


async def _claim_mysql(
    conn: Any, delivery_ids: list[int] | None, limit: int, now: datetime, lease_until: datetime, token: str
) -> int:
    """One statement, `UPDATE … ORDER BY … LIMIT`, takes the rows: under READ COMMITTED a concurrent
    claimer waits for the row lock, re-reads the status and skips what was taken. One round trip
    instead of a transaction of four (syscalls dominate the cost of a claim on small machines)."""
    ready = ", ".join(["%s"] * len(READY))
    params: list[Any] = [DeliveryStatus.SENDING.value, token, _naive(lease_until)]
    params += [s.value for s in READY] + [_naive(now)]
    only = ""
    if delivery_ids is not None:
        if not delivery_ids:
            return 0
        only = f" AND id IN ({', '.join(['%s'] * len(delivery_ids))})"
        params += list(delivery_ids)
    sql = (
        "UPDATE deliveries SET status = %s, claim_token = %s, lease_until = %s, "  # noqa: S608 - placeholders only
        "attempts = attempts + 1, version = version + 1 "
        f"WHERE status IN ({ready}) AND next_attempt_at <= %s{only} ORDER BY next_attempt_at, id LIMIT %s"
    )
    updated, _ = await conn.execute_query(sql, [*params, limit])
    return int(updated)


def _naive(moment: datetime) -> datetime:
    # Tortoise stores UTC as naive DATETIME on MySQL; raw statements must do the same.
    return moment.astimezone(UTC).replace(tzinfo=None)


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
        # The cut-off attempt keeps its number (its worker may still record it): attempt numbers
        # only ever grow, so two records of one number cannot happen.
        await Delivery.filter(id__in=ids, status=DeliveryStatus.SENDING).update(
            status=DeliveryStatus.QUEUED,
            next_attempt_at=now,
            version=F("version") + 1,
            lease_until=None,
        )
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


def _ints(rows: Any) -> list[int]:
    # Tortoise types flat values_list as tuples; with flat=True they are the ids themselves.
    return [int(row) for row in rows]
