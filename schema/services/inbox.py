"""The in-site inbox: items written for users, and the events that announce them."""

from __future__ import annotations

import time
from datetime import UTC, datetime

from schema.channels.base import InboxDrop
from schema.errors import BadInput
from schema.events import InboxEvent
from schema.models import InboxItem
from schema.ports import EventBus
from schema.services import public_preview
from schema.services.inbox_access import Sender, reachable, sender_of
from schema.services.pagination import Page, paginate
from schema.services.principal import Principal
from schema.services.runtime import Runtime


async def drop_in_inbox(events: EventBus, drop: InboxDrop, sender: Sender | None = None) -> int:
    """Write one item per user named in `drop` whose inbox the sender may write into (active users
    only); announce each user's new unread count. The sender is the message's, unless given (tests
    of a channel have no message)."""
    sender = sender or await sender_of(drop.message_id)
    if sender is None:
        return 0
    users = await reachable(sender.user, drop.usernames)
    if not users:
        return 0
    preview_key = await public_preview.key_of(drop.message_id) if drop.public_preview else None
    await InboxItem.bulk_create(
        [
            InboxItem(
                user_id=u.id,
                message_id=drop.message_id or None,
                title=drop.title[:500],
                body=drop.body,
                format=drop.format.value,
                url=drop.url[:2048],
                sender_name=sender.user.username[:64],
                sender_key_name=sender.key_name[:100],
                preview_key=preview_key,
            )
            for u in users
        ]
    )
    now = time.time()
    announced = []
    for user in users:
        items = await InboxItem.filter(user_id=user.id, message_id=drop.message_id or None).only("id")
        item_ids = [item.id for item in items]
        unread = await InboxItem.filter(user_id=user.id, read_at__isnull=True).count()
        announced.append(
            InboxEvent(
                user_id=user.id,
                kind="new",
                item_ids=tuple(item_ids),
                unread_count=unread,
                at=now,
            )
        )
    await events.publish_inbox(announced)
    return len(users)


MAX_IDS = 500


async def list_inbox(
    principal: Principal, first: int | None, after: str | None, unread_only: bool
) -> Page[InboxItem]:
    """The caller's own items only: an inbox is personal, admins included."""
    user = principal.require_user()
    query = InboxItem.filter(user_id=user.id)
    if unread_only:
        query = query.filter(read_at__isnull=True)
    return await paginate(query, first, after)


async def unread_count(principal: Principal) -> int:
    user = principal.require_user()
    return await InboxItem.filter(user_id=user.id, read_at__isnull=True).count()


async def mark_read(runtime: Runtime, principal: Principal, item_ids: list[int] | None) -> int:
    """Mark these items (all unread ones when `item_ids` is None) read; returns how many changed."""
    user = principal.require_user()
    query = InboxItem.filter(user_id=user.id, read_at__isnull=True)
    if item_ids is not None:
        query = query.filter(id__in=_checked_ids(item_ids))
    changed = [item.id for item in await query.only("id")]
    if changed:
        await InboxItem.filter(id__in=changed, read_at__isnull=True).update(read_at=datetime.now(UTC))
    await _announce(runtime, user.id, "read", changed)
    return len(changed)


async def delete_items(runtime: Runtime, principal: Principal, item_ids: list[int]) -> int:
    user = principal.require_user()
    query = InboxItem.filter(user_id=user.id, id__in=_checked_ids(item_ids))
    gone = [item.id for item in await query.only("id")]
    if gone:
        await InboxItem.filter(id__in=gone).delete()
    await _announce(runtime, user.id, "deleted", gone)
    return len(gone)


def _checked_ids(item_ids: list[int]) -> list[int]:
    if not item_ids or len(item_ids) > MAX_IDS:
        raise BadInput(f"give between 1 and {MAX_IDS} ids", field="ids")
    return item_ids


async def _announce(runtime: Runtime, user_id: int, kind: str, item_ids: list[int]) -> None:
    if not item_ids:
        return
    unread = await InboxItem.filter(user_id=user_id, read_at__isnull=True).count()
    await runtime.events.publish_inbox(
        [
            InboxEvent(
                user_id=user_id, kind=kind, item_ids=tuple(item_ids), unread_count=unread, at=time.time()
            )
        ]
    )
