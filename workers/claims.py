"""Taking deliveries from the database: a row is sent only by the worker that claimed it.

A claim moves a due row to `sending` with a lease and a new `version`, in one conditional update,
so two workers (or a job that runs twice) cannot both take it. A worker that dies leaves its rows
`sending`; once the lease has run out, `release_expired` makes them due again.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

from tortoise.expressions import F
from tortoise.transactions import in_transaction

from schema.models import Delivery
from schema.models.messages import DeliveryStatus

READY = (DeliveryStatus.QUEUED, DeliveryStatus.RETRYING, DeliveryStatus.RATE_LIMITED)


async def claim(delivery_ids: list[int] | None, limit: int, lease_seconds: int) -> list[Delivery]:
    """Claim up to `limit` due deliveries (only among `delivery_ids` when given)."""
    now = datetime.now(UTC)
    token = secrets.token_hex(16)
    async with in_transaction() as conn:
        query = Delivery.filter(status__in=READY, next_attempt_at__lte=now).using_db(conn)
        if delivery_ids is not None:
            query = query.filter(id__in=delivery_ids)
        if conn.capabilities.dialect == "mysql":
            # Workers skip rows another worker is claiming instead of queueing behind its lock.
            query = query.select_for_update(skip_locked=True)
        ids = _ints(await query.order_by("next_attempt_at", "id").limit(limit).values_list("id", flat=True))
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
