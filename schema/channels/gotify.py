"""Gotify: self-hosted push server; messages are posted with an application token."""

from __future__ import annotations

from pydantic import Field, SecretStr

from schema.channels.base import BaseUrl, ChannelConfig, ChannelType, Format


class Config(ChannelConfig):
    """An application on a Gotify server."""

    # Gotify has no public instance, so there is no default.
    base_url: BaseUrl = Field(title="Server URL", description="e.g. https://gotify.example.com")
    app_token: SecretStr = Field(title="Application token")
    priority: int = Field(default=5, ge=0, le=10, title="Priority", description="0 … 10")


CHANNEL_TYPE = ChannelType(
    key="gotify",
    label="Gotify",
    config_model=Config,
    formats=(Format.MARKDOWN, Format.TEXT),
    description="Push to a self-hosted Gotify server.",
)
