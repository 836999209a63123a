"""Discord channel webhook."""

from __future__ import annotations

from pydantic import Field, SecretStr

from schema.channels.base import BaseUrl, ChannelConfig, ChannelType, Format, OptionalHttpUrl, RateLimit


class Config(ChannelConfig):
    """One webhook of one Discord channel."""

    base_url: BaseUrl = Field(default="https://discord.com", title="API base URL")
    webhook_id: str = Field(
        pattern=r"^\d+$", title="Webhook ID", description="The number in …/webhooks/<id>/…"
    )
    webhook_token: SecretStr = Field(title="Webhook token", description="The last segment of the webhook URL")
    username: str = Field(default="", title="Display name override")
    avatar_url: OptionalHttpUrl = Field(default="", title="Avatar URL override")
    thread_id: str = Field(default="", pattern=r"^\d*$", title="Thread ID", description="Post into a thread")


CHANNEL_TYPE = ChannelType(
    key="discord",
    label="Discord",
    config_model=Config,
    formats=(Format.MARKDOWN, Format.TEXT),
    # [lib] 2000 characters of content; as UTF-8 bytes this is a conservative bound.
    max_body_bytes=2000,
    rate_limit=RateLimit(5, 2),  # [mem] per-webhook bucket; 429 carries retry_after
    description="Post to a Discord channel through a webhook.",
)
