"""Delivering claimed rows: rate limit → send → classify → record → publish → schedule a retry.

This is the one place where delivery policy lives (retries, limits, timeouts, attempt records);
the ARQ job and the all-in-one dispatcher both call `DeliveryEngine.run`.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import ValidationError
from tortoise.expressions import Case, Q, When
from tortoise.transactions import in_transaction

from schema.channels.base import ChannelError, ErrorClass, Format, Mentions, Outgoing, SendContext
from schema.channels.masking import scrub
from schema.channels.registry import CHANNEL_TYPES
from schema.crypto import SecretBox
from schema.db import retry_deadlocks
from schema.domain.bodies import Content, body_for, text_of
from schema.domain.retry import RetryPolicy
from schema.events import DeliveryEvent
from schema.logging_setup import bind_log_context
from schema.metrics import record_delivery
from schema.models import Channel, Delivery, DeliveryAttempt
from schema.models.messages import DeliveryStatus
from schema.ports import EventBus, RateLimiter
from schema.services import message_status, stats
from schema.settings import Settings
from workers.claims import claim
from workers.configs import ConfigCache
from workers.tracing import delivery_span, outcome_on_span, vendor_span

log = logging.getLogger("pushnest.delivery")
stats_log = logging.getLogger("pushnest.stats")
_FINAL = (DeliveryStatus.SUCCEEDED, DeliveryStatus.FAILED, DeliveryStatus.UNKNOWN)
RetryLater = Callable[[int, int, float], Awaitable[None]]
# Throttled sends are deferred, not failed; this bounds a vendor that never stops throttling.
_RATE_LIMITED_ATTEMPTS_FACTOR = 4
_MAX_ERROR_CHARS = 2000


@dataclass(frozen=True)
class Outcome:
    delivery: Delivery
    status: DeliveryStatus
    attempted: bool
    started_at: datetime
    error_class: str = ""
    error: str = ""
    vendor_response: str = ""
    latency_ms: int | None = None
    retry_in: float | None = None


class DeliveryEngine:
    def __init__(
        self,
        settings: Settings,
        secret_box: SecretBox,
        ctx: SendContext,
        limiter: RateLimiter,
        events: EventBus,
        retry_later: RetryLater,
    ) -> None:
        self._settings = settings
        self._ctx = ctx
        self._limiter = limiter
        self._events = events
        self._retry_later = retry_later
        self._configs = ConfigCache(secret_box)
        self._policy = RetryPolicy(
            settings.max_attempts, settings.retry_base_seconds, settings.retry_max_seconds
        )
        self._slots = asyncio.Semaphore(settings.concurrency)

    async def run(self, delivery_ids: list[int] | None = None, limit: int | None = None) -> int:
        """Claim and deliver due rows (these ids only, if given). Returns how many were claimed."""
        rows = await claim(delivery_ids, limit or self._settings.concurrency, self._settings.lease_seconds)
        if not rows:
            return 0
        await self._events.publish_deliveries([self._event(d, DeliveryStatus.SENDING) for d in rows])
        outcomes = await asyncio.gather(*(self._deliver_in_slot(d) for d in rows))
        await self._record(outcomes)
        for o in outcomes:
            record_delivery(o.delivery.channel_type, o.status.value, o.latency_ms, o.retry_in is not None)
        await self._events.publish_deliveries([self._outcome_event(o) for o in outcomes])
        for o in outcomes:
            if o.retry_in is not None:
                await self._retry_later(o.delivery.id, o.delivery.attempts, o.retry_in)
        return len(rows)

    async def _deliver_in_slot(self, delivery: Delivery) -> Outcome:
        # gather() runs this in its own task, so the ids stay with this delivery's log lines.
        bind_log_context(
            trace_id=delivery.message.trace_id, message_id=delivery.message_id, delivery_id=delivery.id
        )
        async with self._slots:
            with delivery_span(delivery.message.traceparent, delivery.message_id, delivery.id) as span:
                try:
                    outcome = await self._deliver(delivery)
                except Exception as exc:  # a bug must not lose the row: record it and retry later
                    log.exception("delivery %s crashed", delivery.id)
                    outcome = self._failure(
                        delivery, datetime.now(UTC), ErrorClass.UNKNOWN, f"internal error: {exc!r}"
                    )
                outcome_on_span(span, outcome.status.value, outcome.error_class, outcome.error)
                return outcome

    async def _deliver(self, delivery: Delivery) -> Outcome:
        started = datetime.now(UTC)
        channel: Channel | None = delivery.channel
        kind = CHANNEL_TYPES.get(delivery.channel_type)
        if channel is None or not channel.enabled:
            return self._final(delivery, started, "the channel was deleted or disabled")
        if kind is None or kind.send is None:
            return self._final(delivery, started, f"channel type {delivery.channel_type!r} cannot send yet")
        if kind.rate_limit is not None:
            wait = await self._limiter.acquire(
                _account(channel), kind.rate_limit.count, kind.rate_limit.per_seconds
            )
            if wait > 0:
                return Outcome(
                    delivery,
                    DeliveryStatus.RATE_LIMITED,
                    attempted=False,
                    started_at=started,
                    error_class=ErrorClass.RATE_LIMITED.value,
                    error="waiting for the channel's rate limit",
                    retry_in=wait,
                )
        try:
            opened = self._configs.get(channel)
        except (ValidationError, ValueError) as exc:
            return self._final(delivery, started, f"the channel's saved config is not valid any more: {exc}")
        outcome = await self._send(delivery, channel, kind.send, opened.config, started)
        # Defence in depth: whatever a vendor or a library echoed back, secrets are not recorded.
        hidden = opened.secrets
        return replace(
            outcome,
            error=scrub(outcome.error, hidden),
            vendor_response=scrub(outcome.vendor_response, hidden),
        )

    async def _send(
        self, delivery: Delivery, channel: Channel, send: Any, config: Any, started: datetime
    ) -> Outcome:
        clock = time.perf_counter()
        try:
            with vendor_span(delivery.channel_type, delivery.attempts):
                receipt = await asyncio.wait_for(
                    send(
                        self._outgoing(delivery),
                        config,
                        self._ctx.allowing_private(channel.allow_private_targets),
                    ),
                    timeout=self._settings.send_timeout_seconds + 5,
                )
        except ChannelError as exc:
            if exc.error_class is ErrorClass.RATE_LIMITED:
                await self._limiter.block(_account(channel), exc.wait_seconds or 30.0)
            return self._failure(
                delivery,
                started,
                exc.error_class,
                exc.message,
                exc.vendor_response,
                _ms(clock),
                exc.wait_seconds,
            )
        except TimeoutError:
            return self._failure(
                delivery, started, ErrorClass.UNKNOWN, "no answer in time", latency_ms=_ms(clock)
            )
        return Outcome(
            delivery,
            DeliveryStatus.SUCCEEDED,
            attempted=True,
            started_at=started,
            vendor_response=receipt.vendor_response,
            latency_ms=_ms(clock),
        )

    def _outgoing(self, delivery: Delivery) -> Outgoing:
        message, binding = delivery.message, delivery.binding
        content = Content(
            title=message.title, text=message.text, markdown=message.markdown, html=message.html
        )
        mentions = dict(message.mentions or {})
        return Outgoing(
            message_id=message.id,
            delivery_id=delivery.id,
            attempt=delivery.attempts,
            title=message.title,
            body=body_for(Format(delivery.format), content),
            format=Format(delivery.format),
            text=text_of(content),
            url=message.url,
            receivers=tuple(delivery.receivers),
            mentions=Mentions(
                mobiles=_merged(mentions.get("mobiles"), binding.mention_mobiles if binding else []),
                user_ids=_merged(mentions.get("user_ids"), binding.mention_user_ids if binding else []),
                all=bool(mentions.get("all")) or bool(binding and binding.mention_all),
            ),
            options=dict(binding.options) if binding else {},
            idempotency_key=f"pn-d{delivery.id}",
            trace_id=message.trace_id,
        )

    def _final(self, delivery: Delivery, started: datetime, error: str) -> Outcome:
        return Outcome(
            delivery,
            DeliveryStatus.FAILED,
            attempted=False,
            started_at=started,
            error_class=ErrorClass.PERMANENT.value,
            error=error,
        )

    def _failure(
        self,
        delivery: Delivery,
        started: datetime,
        error_class: ErrorClass,
        error: str,
        vendor_response: str = "",
        latency_ms: int | None = None,
        wait_seconds: float | None = None,
    ) -> Outcome:
        attempt = delivery.attempts - delivery.budget_start
        status, retry_in = DeliveryStatus.FAILED, None
        if error_class is ErrorClass.RATE_LIMITED:
            if attempt < self._policy.max_attempts * _RATE_LIMITED_ATTEMPTS_FACTOR:
                status = DeliveryStatus.RATE_LIMITED
                retry_in = (wait_seconds or 30.0) * random.uniform(1.0, 1.2)  # noqa: S311 - jitter, not crypto
        elif error_class is not ErrorClass.PERMANENT:
            if self._policy.exhausted(attempt):
                status = (
                    DeliveryStatus.UNKNOWN if error_class is ErrorClass.UNKNOWN else DeliveryStatus.FAILED
                )
            else:
                status, retry_in = DeliveryStatus.RETRYING, self._policy.delay(attempt)
        return Outcome(
            delivery,
            status,
            attempted=True,
            started_at=started,
            error_class=error_class.value,
            error=error[:_MAX_ERROR_CHARS],
            vendor_response=vendor_response,
            latency_ms=latency_ms,
            retry_in=retry_in,
        )

    async def _record(self, outcomes: list[Outcome]) -> None:
        await retry_deadlocks(lambda: self._record_once(outcomes))
        await message_status.refresh({o.delivery.message_id for o in outcomes})
        day = datetime.now(UTC).date()
        final = [
            stats.FinalOutcome(
                day=day,
                owner_id=o.delivery.message.owner_id,
                channel_type=o.delivery.channel_type,
                channel_id=o.delivery.channel_id,
                task_id=o.delivery.message.task_id,
                template_id=o.delivery.message.template_id,
                status=o.status.value,
                latency_ms=o.latency_ms,
                error_class=o.error_class,
                error=o.error,
            )
            for o in outcomes
            if o.status in _FINAL
        ]
        try:  # counting must not un-record deliveries: a lost count is logged, not raised
            await retry_deadlocks(lambda: stats.record_final(final))
        except Exception:
            stats_log.exception("could not count %d final deliveries", len(final))

    async def _record_once(self, outcomes: list[Outcome]) -> None:
        now = datetime.now(UTC)
        async with in_transaction():
            await DeliveryAttempt.bulk_create(
                [
                    DeliveryAttempt(
                        delivery_id=o.delivery.id,
                        number=o.delivery.attempts,
                        outcome=o.status.value,
                        error_class=o.error_class,
                        error=o.error,
                        vendor_response=o.vendor_response,
                        latency_ms=o.latency_ms,
                        trace_id=o.delivery.message.trace_id,
                        started_at=o.started_at,
                    )
                    for o in outcomes
                    if o.attempted
                ]
            )
            succeeded = [o for o in outcomes if o.status is DeliveryStatus.SUCCEEDED and o.attempted]
            await _record_successes(succeeded)
            done = {o.delivery.id for o in succeeded}
            for o in outcomes:
                if o.delivery.id in done:
                    continue
                changes: dict[str, Any] = {
                    "status": o.status,
                    "lease_until": None,
                    "error_class": o.error_class,
                    "last_error": o.error,
                    "latency_ms": o.latency_ms,
                    "next_attempt_at": now + timedelta(seconds=o.retry_in)
                    if o.retry_in is not None
                    else None,
                }
                if not o.attempted:
                    changes["attempts"] = o.delivery.attempts - 1
                # Only the holder of the current claim may move the row; a stale worker's attempt
                # row is still kept above, as a record of what it did.
                await Delivery.filter(id=o.delivery.id, version=o.delivery.version).update(**changes)

    def _event(self, d: Delivery, status: DeliveryStatus, **extra: Any) -> DeliveryEvent:
        return DeliveryEvent.about(
            d.message, d, status=status.value, attempt=d.attempts, at=time.time(), **extra
        )

    def _outcome_event(self, o: Outcome) -> DeliveryEvent:
        return self._event(
            o.delivery, o.status, error_class=o.error_class, error=o.error[:300], latency_ms=o.latency_ms
        )


async def _record_successes(outcomes: list[Outcome]) -> None:
    """All successes of a batch in one UPDATE (the common case, so the one worth batching); each row
    still only moves if its claim is current (id and version match)."""
    if not outcomes:
        return
    current = Q(*(Q(id=o.delivery.id, version=o.delivery.version) for o in outcomes), join_type=Q.OR)
    latency = Case(*(When(id=o.delivery.id, then=o.latency_ms) for o in outcomes))  # type: ignore[arg-type]
    await Delivery.filter(current).update(
        status=DeliveryStatus.SUCCEEDED,
        lease_until=None,
        error_class="",
        last_error="",
        next_attempt_at=None,
        latency_ms=latency,
    )


def _account(channel: Channel) -> str:
    return f"channel:{channel.id}"


def _merged(first: Any, second: Any) -> tuple[str, ...]:
    return tuple(dict.fromkeys([*(first or []), *(second or [])]))


def _ms(since: float) -> int:
    return int((time.perf_counter() - since) * 1000)
