"""Retention against a fixed clock: what is pruned by age and by count, and what must survive,
and the limits the scheduled runs use (an admin's site-settings override, else the config).

Rows are made through the ORM for a fresh member and backdated, in the session database (the
`admin` fixture starts the server, which initialises Tortoise).
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import UTC, datetime, timedelta

import pytest

from schema.models import Delivery, DeliveryAttempt, InboxItem, Message, SiteSettings, User
from schema.models.messages import DeliveryStatus, MessageStatus
from schema.models.site_settings import SITE_SETTINGS_ID
from schema.services.retention import RetentionLimits, apply_retention, effective_limits, prune
from schema.settings import Settings
from tests.helpers import GraphQLClient, new_member

NOW = datetime.now(UTC).replace(microsecond=0)


async def _owner(admin: GraphQLClient) -> User:
    _, username = await new_member(admin)
    return await User.get(username=username)


async def _message(
    owner: User, age: timedelta, status: DeliveryStatus = DeliveryStatus.SUCCEEDED
) -> tuple[Message, Delivery]:
    final = status in (DeliveryStatus.SUCCEEDED, DeliveryStatus.FAILED, DeliveryStatus.UNKNOWN)
    message = await Message.create(
        owner_id=owner.id,
        title=f"aged {age.days}d",
        status=MessageStatus.SUCCEEDED if final else MessageStatus.SENDING,
        trace_id="0123456789abcdef",
    )
    # A row still retrying, but not due for a day: the live dispatcher leaves it alone.
    delivery = await Delivery.create(
        message_id=message.id,
        channel_type="webhook",
        status=status,
        attempts=1,
        next_attempt_at=None if final else NOW + timedelta(days=1),
    )
    await DeliveryAttempt.create(
        delivery_id=delivery.id,
        number=1,
        outcome=status.value,
        started_at=NOW - age,
        trace_id=message.trace_id,
    )
    await Message.filter(id=message.id).update(created_at=NOW - age)
    await Delivery.filter(id=delivery.id).update(created_at=NOW - age)
    return message, delivery


async def _inbox(owner: User, age: timedelta, message: Message | None = None) -> InboxItem:
    item = await InboxItem.create(user_id=owner.id, message_id=message.id if message else None, title="hi")
    await InboxItem.filter(id=item.id).update(created_at=NOW - age)
    return item


def _retention(days: int, max_messages: int, inbox_days: int) -> RetentionLimits:
    return RetentionLimits(days=days, max_messages=max_messages, inbox_days=inbox_days)


async def test_old_sends_and_inbox_items_are_pruned_by_age(admin: GraphQLClient) -> None:
    owner = await _owner(admin)
    old, old_delivery = await _message(owner, timedelta(days=40))
    busy, busy_delivery = await _message(owner, timedelta(days=40), DeliveryStatus.RETRYING)
    recent, _ = await _message(owner, timedelta(days=29))
    old_item = await _inbox(owner, timedelta(days=91))
    linked_item = await _inbox(owner, timedelta(days=5), message=old)
    fresh_item = await _inbox(owner, timedelta(days=89))

    report = await prune(_retention(30, 0, 90), now=NOW, batch=1)

    assert report.messages_by_age >= 1 and report.messages_by_count == 0 and report.inbox_items >= 1
    assert not await Message.filter(id=old.id).exists()
    # Its deliveries and attempts went with it.
    assert not await Delivery.filter(id=old_delivery.id).exists()
    assert not await DeliveryAttempt.filter(delivery_id=old_delivery.id).exists()
    # A send with a delivery still in flight is kept, however old.
    assert await Message.filter(id=busy.id).exists()
    assert await DeliveryAttempt.filter(delivery_id=busy_delivery.id).exists()
    assert await Message.filter(id=recent.id).exists()
    remaining = set(await InboxItem.filter(user_id=owner.id).values_list("id", flat=True))
    assert remaining == {linked_item.id, fresh_item.id}
    assert old_item.id not in remaining
    # An inbox item outlives the send it came from; it only loses the link.
    assert (await InboxItem.get(id=linked_item.id)).message_id is None

    # Once its delivery is final, the old send goes too.
    await Delivery.filter(id=busy_delivery.id).update(status=DeliveryStatus.FAILED, next_attempt_at=None)
    await prune(_retention(30, 0, 90), now=NOW)
    assert not await Message.filter(id=busy.id).exists()
    assert await Message.filter(id=recent.id).exists()


async def test_the_count_cap_keeps_the_newest_sends(admin: GraphQLClient) -> None:
    owner = await _owner(admin)
    earliest = await Message.all().order_by("created_at").first()
    base = min(earliest.created_at if earliest else NOW, NOW - timedelta(days=20)) - NOW
    base_age = -base + timedelta(days=2)  # older than every send in the database
    oldest, oldest_delivery = await _message(owner, base_age)
    busy, _ = await _message(owner, base_age + timedelta(days=1), DeliveryStatus.QUEUED)
    older, _ = await _message(owner, base_age - timedelta(days=1))
    newest, _ = await _message(owner, timedelta(0))
    total = await Message.filter(legacy_id__isnull=True).count()  # imported history is not counted

    # Room for all but two: the two oldest finished sends go; the in-flight one is skipped.
    report = await prune(_retention(0, total - 2, 0), now=NOW, batch=1)

    assert report.messages_by_count == 2 and report.messages_by_age == 0
    mine = set(await Message.filter(owner_id=owner.id).values_list("id", flat=True))
    assert mine == {busy.id, newest.id}
    assert not await DeliveryAttempt.filter(delivery_id=oldest_delivery.id).exists()
    assert older.id not in mine and oldest.id not in mine
    await Message.filter(id=busy.id).delete()


async def test_zero_keeps_everything(admin: GraphQLClient) -> None:
    owner = await _owner(admin)
    ancient, _ = await _message(owner, timedelta(days=3650))
    item = await _inbox(owner, timedelta(days=3650))
    report = await prune(_retention(0, 0, 0), now=NOW)
    assert report.total == 0
    assert await Message.filter(id=ancient.id).exists() and await InboxItem.filter(id=item.id).exists()
    await Message.filter(id=ancient.id).delete()
    await InboxItem.filter(id=item.id).delete()


async def test_site_settings_override_the_configured_limits(admin: GraphQLClient, settings: Settings) -> None:
    # The test configuration keeps everything (0); an admin's override of 30 days applies instead.
    owner = await _owner(admin)
    old, _ = await _message(owner, timedelta(days=40))
    old_item = await _inbox(owner, timedelta(days=100))
    assert await effective_limits(settings) == _retention(0, 0, 0)
    try:
        await SiteSettings.create(id=SITE_SETTINGS_ID, retention_days=30, inbox_retention_days=None)
        assert await effective_limits(settings) == _retention(30, 0, 0)
        report = await apply_retention(settings, now=NOW)
        assert report.messages_by_age >= 1 and report.inbox_items == 0
        assert not await Message.filter(id=old.id).exists()
        assert await InboxItem.filter(id=old_item.id).exists()
        # An override of 0 keeps forever even where the config would prune.
        await SiteSettings.filter(id=SITE_SETTINGS_ID).update(retention_days=None, inbox_retention_days=0)
        configured = settings.model_copy(update={"inbox_retention_days": 90})
        assert await effective_limits(configured) == _retention(0, 0, 0)
        await apply_retention(configured, now=NOW)
        assert await InboxItem.filter(id=old_item.id).exists()
    finally:
        await SiteSettings.all().delete()
        await InboxItem.filter(id=old_item.id).delete()


async def test_the_arq_job_prunes_with_the_override(admin: GraphQLClient, settings: Settings) -> None:
    from workers.arq_worker import prune_old

    owner = await _owner(admin)
    old, _ = await _message(owner, timedelta(days=40))
    assert await prune_old({"settings": settings}) == 0
    assert await Message.filter(id=old.id).exists()
    try:
        await SiteSettings.create(id=SITE_SETTINGS_ID, retention_days=30)
        assert await prune_old({"settings": settings}) >= 1
        assert not await Message.filter(id=old.id).exists()
    finally:
        await SiteSettings.all().delete()


async def test_the_all_in_one_loop_prunes_with_the_override(
    admin: GraphQLClient, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    from schema.bus import LocalEventBus
    from schema.token_store import MemoryTokenStore
    from workers import embedded

    owner = await _owner(admin)
    old, _ = await _message(owner, timedelta(days=40))
    monkeypatch.setattr(embedded, "_FIRST_PRUNE_SECONDS", 0.0)
    worker = embedded.EmbeddedWorker(settings, LocalEventBus(), MemoryTokenStore())
    await SiteSettings.create(id=SITE_SETTINGS_ID, retention_days=30)
    # Only the retention loop: the session's server already runs the dispatcher and holds its lock.
    loop = asyncio.create_task(worker._prune_loop())
    try:
        for _ in range(200):
            if not await Message.filter(id=old.id).exists():
                break
            await asyncio.sleep(0.02)
        assert not await Message.filter(id=old.id).exists()
    finally:
        loop.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await loop
        await worker._http.aclose()
        await SiteSettings.all().delete()


async def test_imported_history_and_inbox_items_are_never_pruned(admin: GraphQLClient) -> None:
    """Imported items did not opt into PushNest's limits: an import must not lose them to the first
    retention run (the 90-day inbox limit once deleted every imported hosted message)."""
    owner = await _owner(admin)
    imported, _ = await _message(owner, timedelta(days=900))
    await Message.filter(id=imported.id).update(legacy_id="mn-log-1")
    own_old, _ = await _message(owner, timedelta(days=900))
    kept_item = await _inbox(owner, timedelta(days=900))
    await InboxItem.filter(id=kept_item.id).update(legacy_id="mn-hosted-abc")
    pruned_item = await _inbox(owner, timedelta(days=900))

    before = await Message.filter(legacy_id__isnull=True).count()
    await prune(_retention(30, max(1, before - 1), 90), now=NOW)

    assert await Message.filter(id=imported.id).exists()
    assert not await Message.filter(id=own_old.id).exists()
    assert await InboxItem.filter(id=kept_item.id).exists()
    assert not await InboxItem.filter(id=pruned_item.id).exists()
    await Message.filter(id=imported.id).delete()
    await InboxItem.filter(id=kept_item.id).delete()
