"""DingTalk custom group robot (钉钉自定义机器人), optionally signed ("加签")."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr

from schema.channels.base import BaseUrl, ChannelConfig, ChannelType, Format, Mention, RateLimit


class Config(ChannelConfig):
    """One robot in one group."""

    base_url: BaseUrl = Field(
        default="https://oapi.dingtalk.com",
        title="API base URL",
        description="International: https://oapi.dingtalk.io",
    )
    access_token: SecretStr = Field(
        title="Access token", description="The access_token query value of the robot's webhook URL"
    )
    secret: SecretStr | None = Field(
        default=None, title="Signing secret", description="Starts with SEC…; required if 加签 is enabled"
    )
    keyword: str = Field(
        default="",
        title="Keyword",
        description="If the robot checks keywords, this one is added to messages that lack it",
    )


class BindingOptions(ChannelConfig):
    """Which DingTalk message type this binding sends."""

    msgtype: Literal["auto", "markdown", "text"] = Field(
        default="auto", title="Message type", description="auto = markdown when the message has one"
    )


CHANNEL_TYPE = ChannelType(
    key="dingtalk",
    label="DingTalk robot",
    config_model=Config,
    formats=(Format.MARKDOWN, Format.TEXT),
    binding_model=BindingOptions,
    mentions=frozenset({Mention.MOBILES, Mention.USER_IDS, Mention.ALL}),
    max_body_bytes=20000,  # [doc]/[obs] errcode 460101 "exceed 20000 bytes"
    rate_limit=RateLimit(20, 60),  # [doc] exceeding it throttles the robot for 10 minutes
    description="Group robot webhook with HMAC signing and @mobiles / @userIds / @all.",
)
