"""Telegram Bot API sendMessage to a chat, group or channel."""

from __future__ import annotations

import re

from pydantic import Field, SecretStr, field_validator

from schema.channels.base import BaseUrl, ChannelConfig, ChannelType, Format, RateLimit

_CHAT_ID = re.compile(r"^(-?\d+|@[A-Za-z0-9_]{4,})$")


class Config(ChannelConfig):
    """A bot and the chat it posts to."""

    base_url: BaseUrl = Field(default="https://api.telegram.org", title="API base URL")
    bot_token: SecretStr = Field(title="Bot token", description="From @BotFather, like 123456:ABC-DEF…")
    chat_id: str = Field(title="Chat ID", description="Numeric id (groups: -100…) or @channelname")
    message_thread_id: int | None = Field(default=None, ge=1, title="Topic (thread) ID")
    disable_web_page_preview: bool = Field(default=True, title="Disable link previews")
    disable_notification: bool = Field(default=False, title="Send silently")

    @field_validator("chat_id")
    @classmethod
    def _chat_id(cls, value: str) -> str:
        if not _CHAT_ID.match(value):
            raise ValueError("must be a numeric chat id or @channelname")
        return value


CHANNEL_TYPE = ChannelType(
    key="telegram",
    label="Telegram bot",
    config_model=Config,
    formats=(Format.MARKDOWN, Format.HTML, Format.TEXT),
    # [lib] 4096 characters; as UTF-8 bytes this is a conservative bound.
    max_body_bytes=4096,
    rate_limit=RateLimit(1, 1),  # [inf] about one message per second per chat
    description="Bot messages to a chat, group or channel.",
)
