"""Reading the send log, waiting for a send's outcome, and re-sending what failed."""

from __future__ import annotations

import asyncio
import contextlib
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime

from tortoise.expressions import F, Q

from schema.errors import BadInput, Conflict, NotFound
from schema.events import DeliveryEvent
from schema.hub import Subscriber
from schema.models import Delivery, DeliveryAttempt, Message
from schema.models.messages import DeliveryStatus, MessageStatus
from schema.services import audit, message_status
from schema.services.pagination import Page, paginate
from schema.services.principal import Principal
from schema.services.runtime import Runtime
from schema.services.validation import filter_text

FINAL_MESSAGE = frozenset({MessageStatus.SUCCEEDED, MessageStatus.PARTIAL, MessageStatus.FAILED})
RESENDABLE = (DeliveryStatus.FAILED, DeliveryStatus.UNKNOWN)
_FINAL_VALUES = frozenset(s.value for s in message_status.FINAL)
MAX_WAIT_SECONDS = 60.0
MAX_SEARCH_CHARS = 200
MAX_IDS = 100


@dataclass(frozen=True)
class MessageFilter:
    status: MessageStatus | None = None
    task_id: int | None = None
    template_id: int | None = None
    channel_id: int | None = None
    since: datetime | None = None
    until: datetime | None = None
    search: str | None = None
    ids: list[int] | None = None


async def get_message(principal: Principal, message_id: int) -> Message:
    """Console users see their own messages (admins all); an API key sees the messages it sent."""
    message = await Message.get_or_none(id=message_id)
    caller = principal.require_caller()
    if message is None:
        raise NotFound("no message with this id")
    if principal.api_key is not None:
        if message.api_key_id != principal.api_key.id:
            raise NotFound("no message with this id")
    elif not principal.is_admin and message.owner_id != caller.id:
        raise NotFound("no message with this id")
    return message


async def list_messages(
    principal: Principal, first: int | None, after: str | None, where: MessageFilter
) -> Page[Message]:
    query = Message.filter(**principal.owner_filter())
    exact = {
        "status": where.status,
        "task_id": where.task_id,
        "template_id": where.template_id,
        "created_at__gte": where.since,
        "created_at__lt": where.until,
    }
    query = query.filter(**{k: v for k, v in exact.items() if v is not None})
    if where.ids is not None:
        if len(where.ids) > MAX_IDS:
            raise BadInput(f"ask for at most {MAX_IDS} ids at once", field="filter.ids")
        query = query.filter(id__in=where.ids)
    if where.channel_id is not None:
        query = query.filter(deliveries__channel_id=where.channel_id).distinct()
    if where.search:
        term = filter_text(where.search, "search", MAX_SEARCH_CHARS)
        query = query.filter(
            Q(title__icontains=term) | Q(text__icontains=term) | Q(source_name__icontains=term)
        )
    return await paginate(query, first, after)


async def deliveries_of(message_ids: list[int]) -> dict[int, list[Delivery]]:
    grouped: dict[int, list[Delivery]] = defaultdict(list)
    for delivery in (
        await Delivery.filter(message_id__in=message_ids).select_related("channel").order_by("id")
    ):
        grouped[delivery.message_id].append(delivery)
    return grouped


async def attempts_of(delivery_ids: list[int]) -> dict[int, list[DeliveryAttempt]]:
    grouped: dict[int, list[DeliveryAttempt]] = defaultdict(list)
    for attempt in await DeliveryAttempt.filter(delivery_id__in=delivery_ids).order_by("number"):
        grouped[attempt.delivery_id].append(attempt)
    return grouped


async def wait_for_outcome(
    runtime: Runtime, message: Message, delivery_ids: list[int], timeout_seconds: float
) -> Message:
    """Wait until every delivery is final, or the timeout; returns the message as it is then.

    Waits on the delivery events this process receives for subscriptions anyway (no polling): it
    subscribes first, then reads once which deliveries are final already (events before the
    subscription are in the database by then: workers commit before they publish), and reads the
    message once at the end. Without a feed (a process serving no subscriptions) it does not wait.
    """
    feed = runtime.feed
    if feed is not None and delivery_ids:
        subscriber = feed.deliveries.subscribe(lambda e: e.message_id == message.id)
        try:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(min(max(timeout_seconds, 0.0), MAX_WAIT_SECONDS)):
                    await _until_final(subscriber, set(delivery_ids))
        finally:
            feed.deliveries.unsubscribe(subscriber)
    return await Message.get(id=message.id)


async def _until_final(subscriber: Subscriber[DeliveryEvent], pending: set[int]) -> None:
    pending -= await _final_among(pending)
    while pending:
        published = await subscriber.queue.get()
        if published is None:  # it fell behind (see schema.hub): read where things stand, go on
            subscriber.lagged = False
            pending -= await _final_among(pending)
        elif published.event.status in _FINAL_VALUES:
            pending.discard(published.event.delivery_id)


async def _final_among(delivery_ids: set[int]) -> set[int]:
    rows = await Delivery.filter(
        id__in=list(delivery_ids), status__in=list(message_status.FINAL)
    ).values_list("id", flat=True)
    return {int(i) for i in rows}  # type: ignore[call-overload]


async def resend_failed(runtime: Runtime, principal: Principal, message_id: int) -> list[Delivery]:
    """Queue again the deliveries that failed (or whose outcome is unknown), with a fresh retry budget."""
    message = await get_message(principal, message_id)
    principal.require_user()
    ids = [d.id for d in await Delivery.filter(message_id=message.id, status__in=RESENDABLE)]
    if not ids:
        raise Conflict("this message has no failed delivery to resend")
    now = datetime.now(UTC)
    await Delivery.filter(id__in=ids, status__in=RESENDABLE).update(
        status=DeliveryStatus.QUEUED,
        next_attempt_at=now,
        budget_start=F("attempts"),
        error_class="",
        last_error="",
        version=F("version") + 1,
    )
    await message_status.refresh({message.id})
    queued = list(await Delivery.filter(id__in=ids).order_by("id"))
    # Announced before workers are told, as a new send is: live views show `queued` before `sending`.
    at = now.timestamp()
    await runtime.events.publish_deliveries(
        [DeliveryEvent.about(message, d, status=d.status.value, attempt=d.attempts, at=at) for d in queued]
    )
    await runtime.enqueuer.deliveries_due(ids)
    await audit.record(principal, "message.resend_failed", "message", message.id, {"deliveries": [None, ids]})
    return queued
