"""Bark: iOS push notifications through a Bark server (api.day.app or self-hosted)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr

from schema.channels.base import BaseUrl, ChannelConfig, ChannelType, Format, OptionalHttpUrl


class Config(ChannelConfig):
    """One device on one Bark server."""

    base_url: BaseUrl = Field(default="https://api.day.app", title="Server URL")
    device_key: SecretStr = Field(title="Device key")
    level: Literal["active", "timeSensitive", "passive", "critical"] = Field(
        default="active", title="Interruption level"
    )
    sound: str = Field(default="", title="Sound", description="e.g. bell.caf; empty = default")
    group: str = Field(default="", title="Group")
    icon: OptionalHttpUrl = Field(default="", title="Icon URL")
    archive: bool = Field(default=True, title="Save in Bark's history")


CHANNEL_TYPE = ChannelType(
    key="bark",
    label="Bark (iOS)",
    config_model=Config,
    formats=(Format.MARKDOWN, Format.TEXT),
    max_body_bytes=4096,  # [mem] APNs payload limit; the whole payload must fit
    description="Push to an iPhone through the Bark app.",
)
