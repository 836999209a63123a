"""WeChat Official Account (微信公众号, incl. the sandbox test account) template messages."""

from __future__ import annotations

from pydantic import Field, SecretStr

from schema.channels.base import BaseUrl, ChannelConfig, ChannelType, Format


class Config(ChannelConfig):
    """An official account and the template it sends with."""

    base_url: BaseUrl = Field(default="https://api.weixin.qq.com", title="API base URL")
    app_id: str = Field(min_length=1, title="AppID")
    app_secret: SecretStr = Field(title="AppSecret")
    template_id: str = Field(min_length=1, title="Template ID")
    # The template text must contain {{<title_key>.DATA}} and {{<content_key>.DATA}}.
    title_key: str = Field(default="title", min_length=1, title="Title data key")
    content_key: str = Field(default="content", min_length=1, title="Content data key")


class BindingOptions(ChannelConfig):
    """Followers to send to (one template message per OpenID) and an optional template override."""

    openids: list[str] = Field(default_factory=list, title="OpenIDs")
    template_id: str | None = Field(
        default=None, title="Template ID override", description="Empty = the account's template"
    )


CHANNEL_TYPE = ChannelType(
    key="wechat_oa",
    label="WeChat official account",
    config_model=Config,
    formats=(Format.TEXT,),
    binding_model=BindingOptions,
    receiver_kind="openid",
    description="Template messages to followers by OpenID; works with the sandbox test account.",
)
