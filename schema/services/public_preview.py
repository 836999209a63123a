"""Public preview links of inbox items: opt-in per inbox binding, unguessable, revocable.

Message Nest gave every hosted message a public link (`hostMessageUrl`). PushNest makes one only
for a send through an inbox binding whose `public_preview` option is on: a 256-bit random key,
made when the send is accepted (so the compat answer can carry the link at once), copied onto the
inbox items the send writes, and cleared from all of them when any recipient revokes it.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable

from schema.errors import NotFound
from schema.models import InboxItem, Message
from schema.services import audit
from schema.services.delivery_plan import PlannedDelivery
from schema.services.inbox_access import INBOX_TYPE
from schema.services.principal import Principal

PREVIEW_PATH = "/preview/"
_KEY_CHARS = 43  # token_urlsafe(32)


def new_key() -> str:
    return secrets.token_urlsafe(32)


def wanted(planned: Iterable[PlannedDelivery]) -> bool:
    """Whether a send goes through an inbox binding that asked for a public link."""
    return any(
        p.binding.channel.type == INBOX_TYPE and bool(p.binding.options.get("public_preview"))
        for p in planned
    )


def path_of(key: str | None) -> str | None:
    return None if key is None else PREVIEW_PATH + key


async def key_of(message_id: int) -> str | None:
    """The live preview key of a message (None once revoked, or when none was made)."""
    keys = await Message.filter(id=message_id).values_list("preview_key", flat=True)
    return next((str(k) for k in keys if k), None)


async def find(key: str) -> InboxItem | None:
    """The item a public link shows; None for an unknown, revoked or not yet delivered one."""
    if len(key) != _KEY_CHARS:
        return None
    return await InboxItem.filter(preview_key=key).order_by("id").first()


async def revoke(principal: Principal, item_id: int) -> InboxItem:
    """Turn an item's public link off for good, for every copy of it; only its recipient may."""
    user = principal.require_user()
    item = await InboxItem.get_or_none(id=item_id, user_id=user.id)
    if item is None:
        raise NotFound("no inbox item with this id", field="id")
    key = item.preview_key
    if key:
        await InboxItem.filter(preview_key=key).update(preview_key=None)
        await Message.filter(preview_key=key).update(preview_key=None)
        await audit.record(
            principal, "inbox.preview_revoke", "inbox_item", item.id, {"preview": [True, False]}
        )
        await item.refresh_from_db()
    return item
