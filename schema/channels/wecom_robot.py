"""WeCom (企业微信) group robot webhook ("消息推送")."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr

from schema.channels.base import BaseUrl, ChannelConfig, ChannelType, Format, Mention, RateLimit


class Config(ChannelConfig):
    """One robot in one group."""

    base_url: BaseUrl = Field(default="https://qyapi.weixin.qq.com", title="API base URL")
    key: SecretStr = Field(title="Webhook key", description="The key query value of the robot's webhook URL")


class BindingOptions(ChannelConfig):
    """Which WeCom message type this binding sends."""

    # Only `text` carries mentioned_list/mentioned_mobile_list; markdown_v2 can mention nobody.
    msgtype: Literal["auto", "text", "markdown", "markdown_v2"] = Field(
        default="auto",
        title="Message type",
        description="auto = markdown when the message has one, text when it must @ someone",
    )


CHANNEL_TYPE = ChannelType(
    key="wecom_robot",
    label="WeCom robot",
    config_model=Config,
    formats=(Format.MARKDOWN, Format.TEXT),
    binding_model=BindingOptions,
    mentions=frozenset({Mention.MOBILES, Mention.USER_IDS, Mention.ALL}),
    # [doc] markdown ≤ 4096 bytes; text is only 2048, which the sender checks per msgtype.
    max_body_bytes=4096,
    rate_limit=RateLimit(20, 60),  # [doc] errcode 45009 beyond it
    description="Group robot webhook with @userids / @mobiles / @all.",
)
