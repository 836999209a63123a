"""Custom HTTP webhook: any method, headers and body template, optionally HMAC-signed."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, SecretStr, field_validator

from schema.channels.base import ChannelConfig, ChannelType, FieldKind, Format, HttpUrl

_HEADER_NAME = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")


class Config(ChannelConfig):
    """Where and how to call the webhook."""

    url: HttpUrl = Field(min_length=1, title="URL")
    method: Literal["POST", "PUT", "PATCH", "GET"] = Field(default="POST", title="Method")
    # "Name: Value" lines rather than a mapping, so the console renders it as a list field.
    headers: list[str] = Field(
        default_factory=list, title="Headers", description="One 'Name: Value' per line"
    )
    body_template: str = Field(
        default="",
        title="Body template",
        description="{{title}}, {{text}}, … placeholders; empty = a JSON document with the message",
        json_schema_extra={"kind": FieldKind.TEXT.value},
    )
    content_type: str = Field(default="application/json", title="Content-Type")
    signing_secret: SecretStr | None = Field(
        default=None,
        title="Signing secret",
        description="If set, requests carry Standard Webhooks webhook-id/-timestamp/-signature headers",
    )
    allow_private_network: bool = Field(
        default=False,
        title="Allow private network",
        description="Permit loopback/private/link-local targets (refused by default)",
    )

    @field_validator("headers")
    @classmethod
    def _header_lines(cls, lines: list[str]) -> list[str]:
        cleaned = []
        for line in lines:
            name, colon, value = line.partition(":")
            if not colon or not _HEADER_NAME.match(name.strip()):
                raise ValueError(f"not a 'Name: Value' header: {line!r}")
            if any(c in value for c in "\r\n\0"):
                raise ValueError(f"header {name.strip()!r} contains a line break")
            cleaned.append(f"{name.strip()}: {value.strip()}")
        return cleaned

    def header_map(self) -> dict[str, str]:
        """The headers as a mapping (later lines win)."""
        return {name: value for name, _, value in (h.partition(": ") for h in self.headers)}


CHANNEL_TYPE = ChannelType(
    key="webhook",
    label="Custom webhook",
    config_model=Config,
    formats=(Format.TEXT, Format.MARKDOWN, Format.HTML),
    description="Call any HTTP endpoint with your own method, headers and body; 2xx means delivered.",
)
