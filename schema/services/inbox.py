"""The in-site inbox: items written for users, and the events that announce them."""

from __future__ import annotations

import time

from schema.channels.base import InboxDrop
from schema.events import InboxEvent
from schema.models import InboxItem, User
from schema.ports import EventBus


async def drop_in_inbox(events: EventBus, drop: InboxDrop) -> int:
    """Write one item per known, active user named in `drop`; announce each user's new unread count."""
    users = await User.filter(username__in=list(drop.usernames), is_active=True)
    if not users:
        return 0
    await InboxItem.bulk_create(
        [
            InboxItem(
                user_id=u.id,
                message_id=drop.message_id,
                title=drop.title[:500],
                body=drop.body,
                format=drop.format.value,
                url=drop.url[:2048],
            )
            for u in users
        ]
    )
    now = time.time()
    announced = []
    for user in users:
        items = await InboxItem.filter(user_id=user.id, message_id=drop.message_id).only("id")
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
