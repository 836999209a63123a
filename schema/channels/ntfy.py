"""ntfy: publish to a topic on ntfy.sh or a self-hosted ntfy server.

POST {server}/{topic} with the body as the message and the rest in headers (Title, Priority, Tags,
Click, Icon, Actions, Markdown). Header values that are not ASCII are sent RFC 2047-encoded, which
ntfy decodes. Actions use ntfy's short header form: `view, Open, https://…; http, Close, https://…`.
"""

from __future__ import annotations

import base64

import httpx
from pydantic import Field, SecretStr, field_validator

from schema.channels.base import (
    BaseUrl,
    ChannelType,
    Format,
    HttpChannelConfig,
    OptionalHttpUrl,
    Outgoing,
    Receipt,
    SendContext,
)
from schema.channels.http import call
from schema.channels.http_status import check_status, json_of


class Config(HttpChannelConfig):
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
    icon: OptionalHttpUrl = Field(
        default="", title="Icon URL", description="A JPEG or PNG shown with the notification"
    )
    actions: str = Field(
        default="",
        max_length=2000,
        title="Actions",
        description="Up to 3 buttons in ntfy's short form: view, Open, https://…; http, Close, https://…",
    )

    @field_validator("actions")
    @classmethod
    def _actions(cls, value: str) -> str:
        items = [a.strip() for a in value.replace("\n", ";").split(";") if a.strip()]
        if len(items) > MAX_ACTIONS:
            raise ValueError(f"ntfy takes at most {MAX_ACTIONS} actions")
        for number, item in enumerate(items, start=1):
            kind, _, rest = item.partition(",")
            if kind.strip().lower() not in ACTION_KINDS or not rest.strip():
                raise ValueError(f"action {number} is not '<view|http|broadcast>, <label>[, …]'")
        return "; ".join(items)


ACTION_KINDS = ("view", "http", "broadcast")
MAX_ACTIONS = 3  # [doc] ntfy: "up to three user actions"


def header_value(value: str) -> str:
    """ASCII as is; anything else as an RFC 2047 encoded word (ntfy decodes `=?UTF-8?B?…?=`)."""
    flat = " ".join(value.split())
    if flat.isascii():
        return flat
    return f"=?UTF-8?B?{base64.b64encode(flat.encode()).decode()}?="


def headers_for(outgoing: Outgoing, config: Config) -> dict[str, str]:
    headers = {"Priority": str(config.priority), "Content-Type": "text/plain; charset=utf-8"}
    if outgoing.title.strip():
        headers["Title"] = header_value(outgoing.title)
    if config.tags:
        headers["Tags"] = header_value(",".join(config.tags))
    if outgoing.url:
        headers["Click"] = outgoing.url
    if config.icon:
        headers["Icon"] = config.icon
    if config.actions:
        headers["Actions"] = header_value(config.actions)
    if outgoing.format is Format.MARKDOWN:
        headers["Markdown"] = "yes"
    if config.access_token is not None:
        headers["Authorization"] = f"Bearer {config.access_token.get_secret_value()}"
    elif config.username and config.password is not None:
        pair = f"{config.username}:{config.password.get_secret_value()}".encode()
        headers["Authorization"] = f"Basic {base64.b64encode(pair).decode()}"
    return headers


def _secrets(config: Config) -> tuple[str, ...]:
    return tuple(s.get_secret_value() for s in (config.access_token, config.password) if s is not None)


async def send(outgoing: Outgoing, config: Config, ctx: SendContext) -> Receipt:
    response = await call(
        ctx,
        "POST",
        f"{config.base_url}/{config.topic}",
        content=outgoing.body.encode(),
        headers=headers_for(outgoing, config),
    )
    return classify(response, _secrets(config))


def classify(response: httpx.Response, secrets: tuple[str, ...]) -> Receipt:
    """[mem] 200 with the published message; errors are JSON {code, http, error}: 401/403 auth, 429."""
    data = json_of(response)
    detail = " ".join(str(data[k]) for k in ("code", "error") if data.get(k))
    return Receipt(check_status(response, detail, secrets=secrets))


CHANNEL_TYPE = ChannelType(
    key="ntfy",
    label="ntfy",
    config_model=Config,
    formats=(Format.MARKDOWN, Format.TEXT),
    # [mem] the server's default message-size-limit; longer bodies become attachments.
    max_body_bytes=4096,
    description="Publish to an ntfy topic (phone and desktop apps subscribe to it).",
    send=send,
)
