"""PushMe: push to the PushMe app with a push key (push.i-i.me or self-hosted)."""

from __future__ import annotations

from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator

from schema.channels.base import ChannelConfig, ChannelType, Format


class Config(ChannelConfig):
    """A PushMe push key."""

    base_url: str = Field(default="https://push.i-i.me", title="Server URL")
    push_key: SecretStr = Field(title="Push key")

    @field_validator("base_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError("must be an http(s) URL")
        return value.rstrip("/")


CHANNEL_TYPE = ChannelType(
    key="pushme",
    label="PushMe",
    config_model=Config,
    formats=(Format.MARKDOWN, Format.TEXT),
    description="Push to the PushMe app (Android, iOS, desktop).",
)
