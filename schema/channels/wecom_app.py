"""WeCom (企业微信) self-built application messages (corpid / corpsecret / agentid)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr

from schema.channels.base import BaseUrl, ChannelConfig, ChannelType, Format, RateLimit


class Config(ChannelConfig):
    """One application of one corporation."""

    base_url: BaseUrl = Field(default="https://qyapi.weixin.qq.com", title="API base URL")
    corp_id: str = Field(min_length=1, title="Corp ID")
    corp_secret: SecretStr = Field(title="App secret")
    agent_id: int = Field(ge=1, title="Agent ID")
    safe: bool = Field(default=False, title="Confidential", description="Watermarked, cannot be forwarded")
    enable_duplicate_check: bool = Field(default=False, title="Drop duplicates")
    duplicate_check_interval: int = Field(default=1800, ge=1, le=14400, title="Duplicate window (seconds)")


class BindingOptions(ChannelConfig):
    """Recipients inside the corporation (touser '@all' = every visible member)."""

    touser: list[str] = Field(default_factory=list, title="User IDs", description="Or @all")
    toparty: list[str] = Field(default_factory=list, title="Department IDs")
    totag: list[str] = Field(default_factory=list, title="Tag IDs")
    msgtype: Literal["auto", "text", "markdown"] = Field(
        default="auto",
        title="Message type",
        description="markdown shows only in the WeCom client, not in the WeChat plugin",
    )


CHANNEL_TYPE = ChannelType(
    key="wecom_app",
    label="WeCom app message",
    config_model=Config,
    formats=(Format.MARKDOWN, Format.TEXT),
    binding_model=BindingOptions,
    receiver_kind="userid",
    max_body_bytes=2048,  # [doc] text and markdown content, truncated beyond
    # [doc] 30/min per member; the excess is dropped silently, so we must throttle ourselves.
    rate_limit=RateLimit(30, 60),
    description="Application messages to members, departments or tags of a WeCom corporation.",
)
