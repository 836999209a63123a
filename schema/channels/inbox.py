"""In-site inbox: messages land in PushNest users' inboxes in the console."""

from __future__ import annotations

from pydantic import Field

from schema.channels.base import ChannelConfig, ChannelType, Format


class Config(ChannelConfig):
    """The inbox needs no account settings."""


class BindingOptions(ChannelConfig):
    """PushNest users whose inbox receives the message."""

    usernames: list[str] = Field(default_factory=list, title="Users")


CHANNEL_TYPE = ChannelType(
    key="inbox",
    label="In-site inbox",
    config_model=Config,
    formats=(Format.MARKDOWN, Format.TEXT),
    binding_model=BindingOptions,
    receiver_kind="username",
    description="Deliver to PushNest users' inboxes, live in the console.",
)
