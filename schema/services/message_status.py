"""A message's status follows from its deliveries: queued → sending → succeeded / partial / failed."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.expressions import Subquery

from schema.db import retry_deadlocks
from schema.models import Delivery, Message
from schema.models.messages import DeliveryStatus, MessageStatus

# The one list of final statuses, for deliveries and for messages.
FINAL = frozenset(
    {DeliveryStatus.SUCCEEDED, DeliveryStatus.PARTIAL, DeliveryStatus.FAILED, DeliveryStatus.UNKNOWN}
)
FINAL_MESSAGE = frozenset(
    {MessageStatus.SUCCEEDED, MessageStatus.PARTIAL, MessageStatus.FAILED, MessageStatus.UNKNOWN}
)


def status_of(statuses: list[DeliveryStatus]) -> MessageStatus:
    """What the deliveries add up to once all are final: some arrived (a delivery to some of its
    receivers included) → PARTIAL; none arrived and
    none is known to have failed → UNKNOWN (not FAILED: a receiver may have it, so a resend could
    duplicate it); none arrived and some failed → FAILED (`resendFailed` resends just those)."""
    if not statuses:
        return MessageStatus.FAILED
    if not all(s in FINAL for s in statuses):
        started = any(s is not DeliveryStatus.QUEUED for s in statuses)
        return MessageStatus.SENDING if started else MessageStatus.QUEUED
    succeeded = sum(s is DeliveryStatus.SUCCEEDED for s in statuses)
    if succeeded == len(statuses):
        return MessageStatus.SUCCEEDED
    if succeeded or DeliveryStatus.PARTIAL in statuses:
        return MessageStatus.PARTIAL
    if all(s is DeliveryStatus.UNKNOWN for s in statuses):
        return MessageStatus.UNKNOWN
    return MessageStatus.FAILED


async def refresh(message_ids: set[int], conn: BaseDBAsyncClient | None = None) -> None:
    """Recompute the status of these messages from their deliveries, in one read.

    With `conn`, inside the caller's transaction: the worker moves deliveries to their final
    state, refreshes their messages and counts them in one commit, so a crash cannot split them.
    """
    if not message_ids:
        return
    grouped: dict[int, list[DeliveryStatus]] = defaultdict(list)
    rows = (
        await Delivery.filter(message_id__in=list(message_ids))
        .using_db(conn)
        .values_list("message_id", "status")
    )
    for message_id, status in rows:
        grouped[int(message_id)].append(DeliveryStatus(status))
    by_status: dict[MessageStatus, list[int]] = defaultdict(list)
    for message_id in sorted(message_ids):
        by_status[status_of(grouped.get(message_id, []))].append(message_id)
    now = datetime.now(UTC)
    # One UPDATE per resulting status, not one per message: batches touch hundreds of messages.
    for status, ids in sorted(by_status.items()):
        final = status in FINAL_MESSAGE
        update = Message.filter(id__in=ids).using_db(conn)
        if conn is not None:  # the caller's transaction is retried as a whole on a deadlock
            await update.update(status=status, finished_at=now if final else None)
            continue
        await retry_deadlocks(
            lambda update=update, status=status, final=final: update.update(  # type: ignore[misc]
                status=status, finished_at=now if final else None
            )
        )


async def reconcile(older_than_seconds: float, limit: int = 500) -> list[int]:
    """Messages still queued or sending although every delivery has ended get their status again.

    The worker writes a delivery's end and its message's status in one transaction, so this only
    finds messages left behind by something outside that path (a crash of an older version, a
    hand edit); run by the sweeper, it makes the two agree within one sweep.
    """
    cutoff = datetime.now(UTC) - timedelta(seconds=older_than_seconds)
    unfinished = Delivery.filter(status__in=[s for s in DeliveryStatus if s not in FINAL]).values(
        "message_id"
    )
    ids = await (
        Message.filter(status__in=(MessageStatus.QUEUED, MessageStatus.SENDING), created_at__lt=cutoff)
        .exclude(id__in=Subquery(unfinished))
        .limit(limit)
        .values_list("id")
    )
    found = {int(i) for (i,) in ids}
    await refresh(found)
    return sorted(found)
