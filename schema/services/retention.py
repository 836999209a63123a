"""Retention: prune old sends (their deliveries and attempts go with them) and old inbox items.

Runs hourly from the worker, with the effective limits: an admin's override in the site settings
where one is set, else the configured value (`PUSHNEST_RETENTION_*`). Work is done in small
batches of ids (select a page of ids, delete exactly those), yielding between batches, so no
statement holds the tables for long. A send that still has a delivery in flight is never pruned.
Imported history (sends and inbox items with a `legacy_id`) is never pruned either: its owner
never opted into PushNest's limits (Message Nest kept 50,000 hosted messages with its cleanup
off), and a limit applied on the first run would delete a migration's data seconds after start.
Statistics counters live in their own tables and are not touched, so totals survive pruning.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from tortoise.expressions import Subquery
from tortoise.queryset import QuerySet

from schema.models import Delivery, InboxItem, Message, SiteSettings
from schema.models.messages import DeliveryStatus
from schema.models.site_settings import SITE_SETTINGS_ID
from schema.settings import Settings

log = logging.getLogger("pushnest.retention")
# Deliveries in these states may still change; their send is kept whatever its age.
ACTIVE = (
    DeliveryStatus.QUEUED,
    DeliveryStatus.SENDING,
    DeliveryStatus.RETRYING,
    DeliveryStatus.RATE_LIMITED,
)


@dataclass(frozen=True)
class RetentionLimits:
    """What pruning keeps, in days and sends. 0 = no limit."""

    days: int
    max_messages: int
    inbox_days: int


def limits_of(settings: Settings, overrides: SiteSettings | None) -> RetentionLimits:
    """The site settings' overrides where set, else the configured values."""

    def pick(override: int | None, configured: int) -> int:
        return configured if override is None else override

    row = overrides or SiteSettings()
    return RetentionLimits(
        days=pick(row.retention_days, settings.retention_days),
        max_messages=pick(row.retention_max_messages, settings.retention_max_messages),
        inbox_days=pick(row.inbox_retention_days, settings.inbox_retention_days),
    )


async def effective_limits(settings: Settings) -> RetentionLimits:
    """The limits in force now (read on every run, so a change in the console needs no restart)."""
    return limits_of(settings, await SiteSettings.get_or_none(id=SITE_SETTINGS_ID))


async def apply_retention(settings: Settings, now: datetime | None = None) -> PruneReport:
    """One scheduled run: prune with the effective limits."""
    return await prune(await effective_limits(settings), now)


@dataclass(frozen=True)
class PruneReport:
    messages_by_age: int = 0
    messages_by_count: int = 0
    inbox_items: int = 0

    @property
    def total(self) -> int:
        return self.messages_by_age + self.messages_by_count + self.inbox_items


async def prune(limits: RetentionLimits, now: datetime | None = None, batch: int = 1000) -> PruneReport:
    """Apply `limits` once, as of `now` (default: the current time)."""
    now = now or datetime.now(UTC)
    by_age = by_count = inbox = 0
    if limits.days > 0:
        cutoff = now - timedelta(days=limits.days)
        by_age = await _prune_messages(_finished().filter(created_at__lt=cutoff), batch)
    if limits.max_messages > 0:
        by_count = await _prune_beyond(limits.max_messages, batch)
    if limits.inbox_days > 0:
        cutoff = now - timedelta(days=limits.inbox_days)
        inbox = await _prune_inbox(cutoff, batch)
    report = PruneReport(by_age, by_count, inbox)
    if report.total:
        log.info(
            "retention: pruned %d send(s) by age, %d by count, %d inbox item(s)", by_age, by_count, inbox
        )
    return report


def _prunable() -> QuerySet[Message]:
    """Sends retention may count and prune: PushNest's own, not imported history."""
    return Message.filter(legacy_id__isnull=True)


def _finished() -> QuerySet[Message]:
    """Prunable sends none of whose deliveries is still in flight."""
    active = Delivery.filter(status__in=ACTIVE).values("message_id")
    return _prunable().exclude(id__in=Subquery(active))


async def _prune_messages(query: QuerySet[Message], batch: int) -> int:
    """Delete every send `query` matches, a page of ids at a time (oldest first)."""
    deleted, after = 0, 0
    while True:
        ids = _ints(await query.filter(id__gt=after).order_by("id").limit(batch).values_list("id", flat=True))
        if not ids:
            return deleted
        after = ids[-1]
        deleted += await _delete_messages(ids)
        await asyncio.sleep(0)


async def _prune_beyond(keep: int, batch: int) -> int:
    """Delete the oldest finished sends (by creation time) until at most `keep` remain."""
    deleted = 0
    excess = await _prunable().count() - keep
    while excess > 0:
        page = _finished().order_by("created_at", "id").limit(min(batch, excess))
        ids = _ints(await page.values_list("id", flat=True))
        if not ids:
            break
        gone = await _delete_messages(ids)
        if not gone:
            break
        deleted += gone
        excess -= gone
        await asyncio.sleep(0)
    return deleted


async def _delete_messages(ids: list[int]) -> int:
    # Checked again in the DELETE: a "resend failed" may have revived one since the page was read.
    # Deliveries and attempts go by ON DELETE CASCADE (SQLite runs with foreign_keys=ON); inbox
    # items keep their text and lose only the link (SET NULL).
    # The driver's change count includes those cascaded rows, so count what is left instead.
    await _finished().filter(id__in=ids).delete()
    left: int = await Message.filter(id__in=ids).count()
    return len(ids) - left


async def _prune_inbox(cutoff: datetime, batch: int) -> int:
    deleted = 0
    while True:
        page = InboxItem.filter(created_at__lt=cutoff, legacy_id__isnull=True).order_by("id").limit(batch)
        ids = _ints(await page.values_list("id", flat=True))
        if not ids:
            return deleted
        count: int = await InboxItem.filter(id__in=ids).delete()
        deleted += count
        await asyncio.sleep(0)


def _ints(values: Iterable[Any]) -> list[int]:
    return [int(v) for v in values]
