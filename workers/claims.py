"""Taking deliveries from the database: a row is sent only by the worker that claimed it.

A claim moves a due row to `sending` with a lease and a new `version`, in one conditional update,
so two workers (or a job that runs twice) cannot both take it. A worker that dies leaves its rows
`sending`; once the lease has run out, `release_expired` makes them due again.
"""

from __future__ import annotations

import asyncio
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

from tortoise.exceptions import OperationalError
from tortoise.expressions import F
from tortoise.transactions import in_transaction

from schema.models import Delivery
from schema.models.messages import DeliveryStatus

READY = (DeliveryStatus.QUEUED, DeliveryStatus.RETRYING, DeliveryStatus.RATE_LIMITED)
_DEADLOCK_RETRIES = 5


async def claim(delivery_ids: list[int] | None, limit: int, lease_seconds: int) -> list[Delivery]:
    """Claim up to `limit` due deliveries (only among `delivery_ids` when given)."""
    for attempt in range(_DEADLOCK_RETRIES):
        try:
            return await _claim_once(delivery_ids, limit, lease_seconds)
        except OperationalError as exc:
            # InnoDB may pick a claim as a deadlock victim; the whole claim is safe to redo.
            if "1213" not in str(exc) or attempt == _DEADLOCK_RETRIES - 1:
                raise
            await asyncio.sleep(0.01 * (attempt + 1))
    return []


async def _claim_once(delivery_ids: list[int] | None, limit: int, lease_seconds: int) -> list[Delivery]:
    now = datetime.now(UTC)
    token = secrets.token_hex(16)
    async with in_transaction() as conn:
        if conn.capabilities.dialect == "mysql":
            ids = await _lock_due_mysql(conn, delivery_ids, limit, now)
        else:
            query = Delivery.filter(status__in=READY, next_attempt_at__lte=now).using_db(conn)
            if delivery_ids is not None:
                query = query.filter(id__in=delivery_ids)
            ids = _ints(
                await query.order_by("next_attempt_at", "id").limit(limit).values_list("id", flat=True)
            )
        if not ids:
            return []
        await (
            Delivery.filter(id__in=ids, status__in=READY)
            .using_db(conn)
            .update(
                status=DeliveryStatus.SENDING,
                claim_token=token,
                lease_until=now + timedelta(seconds=lease_seconds),
                attempts=F("attempts") + 1,
                version=F("version") + 1,
            )
        )
    return list(
        await Delivery.filter(id__in=ids, status=DeliveryStatus.SENDING, claim_token=token)
        .select_related("message", "channel", "binding")
        .order_by("id")
    )


async def _lock_due_mysql(conn: Any, delivery_ids: list[int] | None, limit: int, now: datetime) -> list[int]:
    """SELECT … FOR UPDATE SKIP LOCKED: concurrent claimers take different rows instead of waiting
    on (or deadlocking with) each other. Written out because Tortoise drops the locking clause from
    `values_list` queries."""
    ready = ", ".join(["%s"] * len(READY))
    params: list[Any] = [s.value for s in READY] + [now.replace(tzinfo=None)]
    only = ""
    if delivery_ids is not None:
        if not delivery_ids:
            return []
        only = f" AND id IN ({', '.join(['%s'] * len(delivery_ids))})"
        params += list(delivery_ids)
    sql = (
        f"SELECT id FROM deliveries WHERE status IN ({ready}) AND next_attempt_at <= %s{only} "  # noqa: S608 - placeholders only
        "ORDER BY next_attempt_at, id LIMIT %s FOR UPDATE SKIP LOCKED"
    )
    _, rows = await conn.execute_query(sql, [*params, limit])
    return [int(row["id"]) for row in rows]


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
        # The attempt that was cut off is not counted: nobody knows whether it reached the vendor.
        await Delivery.filter(id__in=ids, status=DeliveryStatus.SENDING).update(
            status=DeliveryStatus.QUEUED,
            next_attempt_at=now,
            attempts=F("attempts") - 1,
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
