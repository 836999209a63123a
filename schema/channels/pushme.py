"""PushMe: push to the PushMe app with a push key (push.i-i.me or self-hosted)."""

from __future__ import annotations

from pydantic import Field, SecretStr

from schema.channels.base import BaseUrl, ChannelConfig, ChannelType, Format


class Config(ChannelConfig):
    """A PushMe push key."""

    base_url: BaseUrl = Field(default="https://push.i-i.me", title="Server URL")
    push_key: SecretStr = Field(title="Push key")


CHANNEL_TYPE = ChannelType(
    key="pushme",
    label="PushMe",
    config_model=Config,
    formats=(Format.MARKDOWN, Format.TEXT),
    description="Push to the PushMe app (Android, iOS, desktop).",
)
