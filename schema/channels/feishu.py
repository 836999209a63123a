"""Feishu / Lark custom group bot (飞书自定义机器人), optionally signed."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr

from schema.channels.base import BaseUrl, ChannelConfig, ChannelType, Format, Mention, RateLimit


class Config(ChannelConfig):
    """One bot in one group."""

    base_url: BaseUrl = Field(
        default="https://open.feishu.cn",
        title="API base URL",
        description="Lark: https://open.larksuite.com",
    )
    token: SecretStr = Field(title="Hook token", description="The last path segment of the webhook URL")
    secret: SecretStr | None = Field(
        default=None, title="Signing secret", description="If signing is enabled"
    )
    keyword: str = Field(
        default="",
        title="Keyword",
        description="If the bot checks keywords, this one is added to messages that lack it",
    )


class BindingOptions(ChannelConfig):
    """Which Feishu message type this binding sends."""

    msg_type: Literal["auto", "interactive", "post", "text"] = Field(
        default="auto", title="Message type", description="auto = a markdown card when the message has one"
    )


CHANNEL_TYPE = ChannelType(
    key="feishu",
    label="Feishu / Lark bot",
    config_model=Config,
    formats=(Format.MARKDOWN, Format.TEXT),
    binding_model=BindingOptions,
    # Custom bots @ by open_id/user_id only; they cannot resolve phone numbers.
    mentions=frozenset({Mention.USER_IDS, Mention.ALL}),
    max_body_bytes=20000,  # [doc] request body ≤ 20 KB (apprise caps at 19 985)
    # [doc] also 5/s; code 11232 when exceeded.
    rate_limit=RateLimit(100, 60),
    description="Group bot webhook with signing and @user / @all.",
)
