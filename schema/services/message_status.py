"""A message's status follows from its deliveries: queued → sending → succeeded / partial / failed."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime

from schema.db import retry_deadlocks
from schema.models import Delivery, Message
from schema.models.messages import DeliveryStatus, MessageStatus

FINAL = frozenset({DeliveryStatus.SUCCEEDED, DeliveryStatus.FAILED, DeliveryStatus.UNKNOWN})


def status_of(statuses: list[DeliveryStatus]) -> MessageStatus:
    if not statuses:
        return MessageStatus.FAILED
    if not all(s in FINAL for s in statuses):
        started = any(s is not DeliveryStatus.QUEUED for s in statuses)
        return MessageStatus.SENDING if started else MessageStatus.QUEUED
    succeeded = sum(s is DeliveryStatus.SUCCEEDED for s in statuses)
    if succeeded == len(statuses):
        return MessageStatus.SUCCEEDED
    return MessageStatus.PARTIAL if succeeded else MessageStatus.FAILED


async def refresh(message_ids: set[int]) -> None:
    """Recompute the status of these messages from their deliveries, in one read."""
    if not message_ids:
        return
    grouped: dict[int, list[DeliveryStatus]] = defaultdict(list)
    rows = await Delivery.filter(message_id__in=list(message_ids)).values_list("message_id", "status")
    for message_id, status in rows:
        grouped[int(message_id)].append(DeliveryStatus(status))
    by_status: dict[MessageStatus, list[int]] = defaultdict(list)
    for message_id in message_ids:
        by_status[status_of(grouped.get(message_id, []))].append(message_id)
    now = datetime.now(UTC)
    # One UPDATE per resulting status, not one per message: batches touch hundreds of messages.
    for status, ids in by_status.items():
        final = status in (MessageStatus.SUCCEEDED, MessageStatus.PARTIAL, MessageStatus.FAILED)
        finished = now if final else None
        await retry_deadlocks(
            lambda ids=ids, status=status, finished=finished: Message.filter(id__in=ids).update(  # type: ignore[misc]
                status=status, finished_at=finished
            )
        )
