"""Slack incoming webhook."""

from __future__ import annotations

from pydantic import Field, SecretStr, field_validator

from schema.channels.base import BaseUrl, ChannelConfig, ChannelType, Format, RateLimit


class Config(ChannelConfig):
    """One incoming webhook (bound to one channel by Slack)."""

    base_url: BaseUrl = Field(
        default="https://hooks.slack.com",
        title="Hooks base URL",
        description="GovSlack: https://hooks.slack-gov.com",
    )
    webhook_path: SecretStr = Field(
        title="Webhook path", description="The part after /services/ of the webhook URL: T…/B…/…"
    )
    username: str = Field(default="", title="Display name", description="Legacy webhooks only")
    icon_emoji: str = Field(default="", title="Icon emoji", description="Legacy webhooks only, e.g. :bell:")

    @field_validator("webhook_path")
    @classmethod
    def _path(cls, value: SecretStr) -> SecretStr:
        path = value.get_secret_value().strip().strip("/")
        if len(path.split("/")) != 3 or "://" in path:
            raise ValueError("must look like T…/B…/… (the part after /services/)")
        return SecretStr(path)


CHANNEL_TYPE = ChannelType(
    key="slack",
    label="Slack",
    config_model=Config,
    formats=(Format.MARKDOWN, Format.TEXT),
    max_body_bytes=40000,  # [mem] Slack truncates text beyond 40,000 characters
    rate_limit=RateLimit(1, 1),  # [doc] "Posting messages: 1 per second"
    description="Post to a Slack channel through an incoming webhook.",
)
