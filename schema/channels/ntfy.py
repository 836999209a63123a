"""ntfy: publish to a topic on ntfy.sh or a self-hosted ntfy server."""

from __future__ import annotations

from pydantic import Field, SecretStr

from schema.channels.base import BaseUrl, ChannelConfig, ChannelType, Format


class Config(ChannelConfig):
    """A topic on an ntfy server."""

    base_url: BaseUrl = Field(default="https://ntfy.sh", title="Server URL")
    topic: str = Field(pattern=r"^[-_A-Za-z0-9]{1,64}$", title="Topic")
    access_token: SecretStr | None = Field(
        default=None, title="Access token", description="tk_…; or use username/password"
    )
    username: str = Field(default="", title="Username")
    password: SecretStr | None = Field(default=None, title="Password")
    priority: int = Field(default=3, ge=1, le=5, title="Priority", description="1 = min … 5 = max")
    tags: list[str] = Field(default_factory=list, title="Tags", description="Emoji short codes or words")


CHANNEL_TYPE = ChannelType(
    key="ntfy",
    label="ntfy",
    config_model=Config,
    formats=(Format.MARKDOWN, Format.TEXT),
    # [mem] the server's default message-size-limit; longer bodies become attachments.
    max_body_bytes=4096,
    description="Publish to an ntfy topic (phone and desktop apps subscribe to it).",
)
