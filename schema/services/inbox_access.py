"""Whose inbox a sender may write into, and how an inbox item names its sender.

The sender is the owner of the task, template or channel a message comes through (it is who the
item says it is from). An admin's sends may reach anyone; a member's only themselves and users
who share a group with them (`User.groups`, set by admins). The rule is checked when receivers
are named (binding saved, per-call recipients, a channel test) to answer at once, and again when
an item is written, so a group change or an older binding cannot get around it.

Refusals never tell an unknown username from one the sender may not reach, so the answers do
not list who has an account.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from schema.errors import BadInput
from schema.models import Message, User

# The inbox channel's type key and its binding option naming fixed receivers (schema/channels/inbox.py).
INBOX_TYPE = "inbox"
USERNAMES_OPTION = "usernames"
_SHOWN_NAMES = 5


@dataclass(frozen=True)
class Sender:
    """Who an inbox item is from: a user, and the API key's name when a key sent it."""

    user: User
    key_name: str = ""


def may_reach(sender: User, receiver: User) -> bool:
    return sender.is_admin or sender.id == receiver.id or bool(sender.group_set & receiver.group_set)


async def reachable(sender: User, usernames: Iterable[str]) -> list[User]:
    """The active users among `usernames` whose inbox `sender` may write into."""
    names = list(dict.fromkeys(usernames))
    if not names:
        return []
    users = await User.filter(username__in=names, is_active=True)
    return [u for u in users if may_reach(sender, u)]


async def check_receivers(sender: User, usernames: Sequence[str], field: str) -> None:
    """Refuse any name `sender` may not reach, with the same words for one that does not exist."""
    if sender.is_admin or not usernames:
        return
    names = list(dict.fromkeys(usernames))
    users = await User.filter(username__in=names)
    allowed = {u.username for u in users if may_reach(sender, u)}
    refused = [n for n in names if n not in allowed]
    if refused:
        shown = ", ".join(repr(n) for n in refused[:_SHOWN_NAMES])
        more = f" and {len(refused) - _SHOWN_NAMES} more" if len(refused) > _SHOWN_NAMES else ""
        raise BadInput(
            f"{field}: cannot send to {shown}{more}: name yourself or users who share a group with you",
            field=field,
            reason="receivers_out_of_reach",
            args={"names": shown + (f" +{len(refused) - _SHOWN_NAMES}" if more else "")},
        )


async def sender_of(message_id: int) -> Sender | None:
    """The sender of a message: its owner, and the API key it came with."""
    message = await Message.get_or_none(id=message_id).select_related("owner", "api_key")
    if message is None:
        return None
    return Sender(user=message.owner, key_name=message.api_key.name if message.api_key else "")
