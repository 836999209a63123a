"""Email over SMTP (implicit TLS, STARTTLS or plain), HTML with a plain-text alternative."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr, field_validator

from schema.channels.base import ChannelConfig, ChannelType, Format


def _check_address(value: str) -> str:
    local, at, domain = value.rpartition("@")
    if not at or not local or not domain or any(c.isspace() for c in value):
        raise ValueError(f"not an email address: {value!r}")
    return value


class Config(ChannelConfig):
    """An SMTP account."""

    host: str = Field(min_length=1, title="SMTP host", description="e.g. smtp.example.com")
    # Mode is chosen explicitly: STARTTLS against an implicit-TLS port hangs until the timeout.
    security: Literal["ssl", "starttls", "plain"] = Field(
        default="ssl",
        title="Security",
        description="ssl = implicit TLS (usually port 465), starttls = upgrade (587), plain = none (25)",
    )
    port: int = Field(default=465, ge=1, le=65535, title="Port")
    username: str = Field(
        default="", title="Username", description="Leave empty if the server needs no login"
    )
    password: SecretStr | None = Field(
        default=None, title="Password", description="QQ/163 mail want an authorization code here"
    )
    from_address: str = Field(title="From address", description="Usually the same as the username")
    from_name: str = Field(default="", title="From name")
    verify_certificate: bool = Field(default=True, title="Verify the server's TLS certificate")
    timeout_seconds: int = Field(default=15, ge=1, le=300, title="Timeout (seconds)")

    @field_validator("from_address")
    @classmethod
    def _from_is_address(cls, value: str) -> str:
        return _check_address(value)


class BindingOptions(ChannelConfig):
    """Who receives the mail; per-call receivers are added to `to`."""

    to: list[str] = Field(default_factory=list, title="To")
    cc: list[str] = Field(default_factory=list, title="Cc")
    bcc: list[str] = Field(default_factory=list, title="Bcc", description="Not shown to other recipients")

    @field_validator("to", "cc", "bcc")
    @classmethod
    def _are_addresses(cls, values: list[str]) -> list[str]:
        return [_check_address(v.strip()) for v in values if v.strip()]


CHANNEL_TYPE = ChannelType(
    key="email",
    label="Email (SMTP)",
    config_model=Config,
    formats=(Format.HTML, Format.TEXT),
    binding_model=BindingOptions,
    receiver_kind="email",
    description="Send mail through any SMTP server; many To/Cc/Bcc per message.",
)
