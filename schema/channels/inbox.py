"""In-site inbox: messages land in PushNest users' inboxes in the console."""

from __future__ import annotations

import re

from pydantic import Field, field_validator

from schema.channels.base import (
    ChannelConfig,
    ChannelError,
    ChannelType,
    ErrorClass,
    Format,
    InboxDrop,
    Outgoing,
    Receipt,
    SendContext,
)


class Config(ChannelConfig):
    """The inbox needs no account settings."""


class BindingOptions(ChannelConfig):
    """PushNest users whose inbox receives the message."""

    usernames: list[str] = Field(default_factory=list, title="Users")
    public_preview: bool = Field(
        default=False,
        title="Public preview link",
        description="Anyone with the link can read the message; each recipient can revoke it",
    )
    blacklist_regex: str = Field(
        default="",
        max_length=500,
        title="Blacklist (regular expression)",
        description="A message whose title or body matches is not stored (and counts as delivered)",
    )

    @field_validator("blacklist_regex")
    @classmethod
    def _compiles(cls, value: str) -> str:
        try:
            re.compile(value)
        except re.error as exc:
            raise ValueError(f"not a regular expression: {exc}") from None
        return value


def blacklisted(outgoing: Outgoing) -> bool:
    """Whether the binding's blacklist matches the message (Message Nest's hosted-message filter)."""
    pattern = str(outgoing.options.get("blacklist_regex") or "")
    return bool(pattern) and re.search(pattern, f"{outgoing.title}\n{outgoing.body}") is not None


async def send(outgoing: Outgoing, config: Config, ctx: SendContext) -> Receipt:
    """Store the message in the inboxes of the binding's users (or the call's receivers)."""
    if blacklisted(outgoing):
        return Receipt("not stored: the message matches the binding's blacklist")
    fixed = tuple(outgoing.options.get("usernames", ()))
    usernames = tuple(dict.fromkeys(outgoing.receivers or fixed))
    if not usernames:
        raise ChannelError(
            "no inbox users: the binding names none and the call gave none", ErrorClass.PERMANENT
        )
    drop = InboxDrop(
        message_id=outgoing.message_id,
        usernames=usernames,
        title=outgoing.title,
        body=outgoing.body,
        format=outgoing.format,
        url=outgoing.url,
        public_preview=bool(outgoing.options.get("public_preview")),
    )
    delivered = await ctx.drop_in_inbox(drop)
    if delivered == 0:
        # One text for unknown, switched-off and out-of-reach users: it must not list accounts.
        raise ChannelError(
            f"none of these users can receive it (unknown, switched off, or sharing no group with the "
            f"sender): {', '.join(usernames)}",
            ErrorClass.PERMANENT,
        )
    return Receipt(f"stored for {delivered} of {len(usernames)} user(s)")


CHANNEL_TYPE = ChannelType(
    key="inbox",
    label="In-site inbox",
    config_model=Config,
    formats=(Format.MARKDOWN, Format.TEXT),
    binding_model=BindingOptions,
    receiver_kind="username",
    receivers_per_send=500,
    send=send,
    description="Deliver to PushNest users' inboxes, live in the console.",
)
