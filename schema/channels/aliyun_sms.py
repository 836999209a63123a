"""Aliyun SMS (阿里云短信服务, Dysmsapi SendSms) with a signature and an approved template."""

from __future__ import annotations

import re

from pydantic import Field, SecretStr, field_validator

from schema.channels.base import BaseUrl, ChannelConfig, ChannelType, Format

_MOBILE = re.compile(r"^\+?\d{5,20}$")


class Config(ChannelConfig):
    """An AccessKey, a signature and the template the message text goes into."""

    base_url: BaseUrl = Field(default="https://dysmsapi.aliyuncs.com", title="API base URL")
    access_key_id: str = Field(min_length=1, title="AccessKey ID")
    access_key_secret: SecretStr = Field(title="AccessKey secret")
    region_id: str = Field(default="cn-hangzhou", title="Region")
    sign_name: str = Field(min_length=1, title="Signature name", description="An approved 短信签名")
    template_code: str = Field(min_length=1, title="Template code", description="e.g. SMS_123456789")
    content_param: str = Field(
        default="content",
        min_length=1,
        title="Content variable",
        description="The template variable (${…}) that receives the message text",
    )
    title_param: str = Field(
        default="", title="Title variable", description="Optional template variable for the title"
    )


class BindingOptions(ChannelConfig):
    """Phone numbers to text and an optional template override."""

    phone_numbers: list[str] = Field(default_factory=list, title="Phone numbers")
    template_code: str | None = Field(default=None, title="Template code override")

    @field_validator("phone_numbers")
    @classmethod
    def _mobiles(cls, values: list[str]) -> list[str]:
        for value in values:
            if not _MOBILE.match(value):
                raise ValueError(f"not a phone number: {value!r}")
        return values


CHANNEL_TYPE = ChannelType(
    key="aliyun_sms",
    label="Aliyun SMS",
    config_model=Config,
    formats=(Format.TEXT,),
    binding_model=BindingOptions,
    receiver_kind="mobile",
    # [mem] Aliyun's flow control is per phone number (about 1/min, 5/h, 10/day by default), not per
    # account, so no account-wide limit is declared here.
    description="Text messages through an approved Aliyun SMS signature and template.",
)
