"""Sending one claimed delivery: rate limit → lease check → send → classify → an `Outcome`.

This is the one place where per-send delivery policy lives (retries, limits, timeouts, what an
error means); `workers/loop.py` decides when rows are claimed and sent, and `workers/recording.py`
writes outcomes down. The ARQ worker and the all-in-one mode run the same code.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError

from schema.channels.base import ChannelError, ErrorClass, Format, Mentions, Outgoing, SendContext
from schema.channels.masking import scrub
from schema.channels.registry import CHANNEL_TYPES
from schema.crypto import SecretBox
from schema.domain.bodies import Content, body_for, text_of
from schema.domain.retry import RetryPolicy
from schema.models import Channel
from schema.models.messages import DeliveryStatus
from schema.ports import RateLimiter
from schema.settings import Settings
from workers.claims import Claimed
from workers.configs import ConfigCache
from workers.contents import Job
from workers.tracing import delivery_span, outcome_on_span, vendor_span

log = logging.getLogger("pushnest.delivery")
# Throttled sends are deferred, not failed; this bounds a vendor that never stops throttling.
_RATE_LIMITED_ATTEMPTS_FACTOR = 4
_MAX_ERROR_CHARS = 2000
# When the shared rate limiter cannot be asked (Redis away), the row waits this long, unsent.
_LIMITER_DOWN_WAIT_SECONDS = 2.0
StillOurs = Callable[[Claimed], bool]


@dataclass(frozen=True, slots=True)
class Outcome:
    job: Job
    status: DeliveryStatus
    attempted: bool
    started_at: datetime
    error_class: str = ""
    error: str = ""
    vendor_response: str = ""
    latency_ms: int | None = None
    retry_in: float | None = None

    @property
    def row(self) -> Claimed:
        return self.job.row


class DeliveryEngine:
    def __init__(
        self, settings: Settings, secret_box: SecretBox, ctx: SendContext, limiter: RateLimiter
    ) -> None:
        self._settings = settings
        self._ctx = ctx
        self._limiter = limiter
        self._configs = ConfigCache(secret_box)
        self._policy = RetryPolicy(
            settings.max_attempts, settings.retry_base_seconds, settings.retry_max_seconds
        )

    async def deliver(self, job: Job, still_ours: StillOurs) -> Outcome | None:
        """Send one claimed row. None: the claim was lost before sending, so nothing was sent and
        nothing is to be recorded (whoever holds the row now will send it)."""
        with delivery_span(job.message.traceparent, job.message.id, job.row.id) as span:
            try:
                outcome = await self._deliver(job, still_ours)
            except Exception as exc:  # a bug must not lose the row: record it and retry later
                log.exception("delivery %s crashed", job.row.id)
                outcome = self._failure(
                    job, datetime.now(UTC), ErrorClass.UNKNOWN, f"internal error: {exc!r}"
                )
            if outcome is not None:
                outcome_on_span(span, outcome.status.value, outcome.error_class, outcome.error)
            return outcome

    async def _deliver(self, job: Job, still_ours: StillOurs) -> Outcome | None:
        started = datetime.now(UTC)
        channel, kind = job.channel, CHANNEL_TYPES.get(job.row.channel_type)
        if channel is None or not channel.enabled:
            return self._final(job, started, "the channel was deleted or disabled")
        if kind is None or kind.send is None:
            return self._final(job, started, f"channel type {job.row.channel_type!r} cannot send yet")
        if kind.rate_limit is not None:
            wait = await self._wait_for_budget(channel, kind.rate_limit.count, kind.rate_limit.per_seconds)
            if wait > 0:
                return self._deferred(job, started, "waiting for the channel's rate limit", wait)
        try:
            opened = self._configs.get(channel)
        except (ValidationError, ValueError) as exc:
            return self._final(job, started, f"the channel's saved config is not valid any more: {exc}")
        if not still_ours(job.row):
            log.warning(
                "delivery %s: the claim ran out before sending; leaving it to its new holder", job.row.id
            )
            return None
        outcome = await self._send(job, channel, kind.send, opened.config, started)
        # Defence in depth: whatever a vendor or a library echoed back, secrets are not recorded.
        hidden = opened.secrets
        return replace(
            outcome,
            error=scrub(outcome.error, hidden),
            vendor_response=scrub(outcome.vendor_response, hidden),
        )

    async def _wait_for_budget(self, channel: Channel, count: int, per_seconds: float) -> float:
        try:
            return await self._limiter.acquire(_account(channel), count, per_seconds)
        except Exception:  # the limiter is shared state (Redis): without it, wait rather than overrun
            log.warning("rate limiter unavailable; delivery deferred", exc_info=True)
            return _LIMITER_DOWN_WAIT_SECONDS

    async def _send(self, job: Job, channel: Channel, send: Any, config: Any, started: datetime) -> Outcome:
        clock = time.perf_counter()
        try:
            # asyncio.timeout, not wait_for: no extra task per send.
            async with asyncio.timeout(self._settings.send_timeout_seconds + 5):
                # An admin may allow a channel to reach private targets (schema/net/client.py);
                # a channel may have its own proxy.
                ctx = self._ctx.for_channel(channel.allow_private_targets, config)
                with vendor_span(job.row.channel_type, job.row.attempts):
                    receipt = await send(self._outgoing(job), config, ctx)
        except ChannelError as exc:
            if exc.error_class is ErrorClass.RATE_LIMITED:
                await self._block(channel, exc.wait_seconds or 30.0)
            return self._failure(
                job, started, exc.error_class, exc.message, exc.vendor_response, _ms(clock), exc.wait_seconds
            )
        except TimeoutError:
            return self._failure(job, started, ErrorClass.UNKNOWN, "no answer in time", latency_ms=_ms(clock))
        return Outcome(
            job,
            DeliveryStatus.SUCCEEDED,
            attempted=True,
            started_at=started,
            vendor_response=receipt.vendor_response,
            latency_ms=_ms(clock),
        )

    async def _block(self, channel: Channel, seconds: float) -> None:
        try:
            await self._limiter.block(_account(channel), seconds)
        except Exception:
            log.warning("rate limiter unavailable; could not hold channel %s", channel.id, exc_info=True)

    def _outgoing(self, job: Job) -> Outgoing:
        row, message, binding = job.row, job.message, job.binding
        content = Content(
            title=message.title, text=message.text, markdown=message.markdown, html=message.html
        )
        mentions = message.mentions
        return Outgoing(
            message_id=message.id,
            delivery_id=row.id,
            attempt=row.attempts,
            title=message.title,
            body=body_for(Format(row.format), content),
            format=Format(row.format),
            text=text_of(content),
            url=message.url,
            receivers=tuple(row.receivers),
            mentions=Mentions(
                mobiles=_merged(mentions.get("mobiles"), binding.mention_mobiles if binding else []),
                user_ids=_merged(mentions.get("user_ids"), binding.mention_user_ids if binding else []),
                all=bool(mentions.get("all")) or bool(binding and binding.mention_all),
            ),
            options=dict(binding.options) if binding else {},
            idempotency_key=f"pn-d{row.id}",
            trace_id=message.trace_id,
        )

    def _final(self, job: Job, started: datetime, error: str) -> Outcome:
        return Outcome(
            job,
            DeliveryStatus.FAILED,
            attempted=False,
            started_at=started,
            error_class=ErrorClass.PERMANENT.value,
            error=error,
        )

    def _deferred(self, job: Job, started: datetime, error: str, wait: float) -> Outcome:
        return Outcome(
            job,
            DeliveryStatus.RATE_LIMITED,
            attempted=False,
            started_at=started,
            error_class=ErrorClass.RATE_LIMITED.value,
            error=error,
            retry_in=wait,
        )

    def _failure(
        self,
        job: Job,
        started: datetime,
        error_class: ErrorClass,
        error: str,
        vendor_response: str = "",
        latency_ms: int | None = None,
        wait_seconds: float | None = None,
    ) -> Outcome:
        attempt = job.row.attempts - job.row.budget_start
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
            job,
            status,
            attempted=True,
            started_at=started,
            error_class=error_class.value,
            error=error[:_MAX_ERROR_CHARS],
            vendor_response=vendor_response,
            latency_ms=latency_ms,
            retry_in=retry_in,
        )


def _account(channel: Channel) -> str:
    return f"channel:{channel.id}"


def _merged(first: Any, second: Any) -> tuple[str, ...]:
    return tuple(dict.fromkeys([*(first or []), *(second or [])]))


def _ms(since: float) -> int:
    return int((time.perf_counter() - since) * 1000)
