"""Discord channel webhook.

POST {api}/api/webhooks/{id}/{token}?wait=true with {"content", "username", "avatar_url",
"allowed_mentions": {"parse": []}}: the title in bold above the body; no @everyone, role or user
pings are ever resolved from message text.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import httpx
from pydantic import Field, SecretStr

from schema.channels.base import (
    BaseUrl,
    ChannelType,
    Format,
    HttpChannelConfig,
    OptionalHttpUrl,
    Outgoing,
    RateLimit,
    Receipt,
    SendContext,
)
from schema.channels.http import call
from schema.channels.http_status import check_status, json_of


class Config(HttpChannelConfig):
    """One webhook of one Discord channel."""

    base_url: BaseUrl = Field(default="https://discord.com", title="API base URL")
    webhook_id: str = Field(
        pattern=r"^\d+$", title="Webhook ID", description="The number in …/webhooks/<id>/…"
    )
    webhook_token: SecretStr = Field(title="Webhook token", description="The last segment of the webhook URL")
    username: str = Field(default="", title="Display name override")
    avatar_url: OptionalHttpUrl = Field(default="", title="Avatar URL override")
    thread_id: str = Field(default="", pattern=r"^\d*$", title="Thread ID", description="Post into a thread")


def payload(outgoing: Outgoing, config: Config) -> dict[str, Any]:
    title = outgoing.title.strip()
    if title and outgoing.format is Format.MARKDOWN:
        title = f"**{title}**"
    content = "\n".join(p for p in (title, outgoing.body, outgoing.url) if p)
    data: dict[str, Any] = {"content": content, "allowed_mentions": {"parse": []}}
    if config.username:
        data["username"] = config.username
    if config.avatar_url:
        data["avatar_url"] = config.avatar_url
    return data


async def send(outgoing: Outgoing, config: Config, ctx: SendContext) -> Receipt:
    token = config.webhook_token.get_secret_value()
    params = {"wait": "true"} | ({"thread_id": config.thread_id} if config.thread_id else {})
    response = await call(
        ctx,
        "POST",
        f"{config.base_url}/api/webhooks/{config.webhook_id}/{quote(token, safe='')}",
        params=params,
        json=payload(outgoing, config),
    )
    return classify(response, token)


def classify(response: httpx.Response, token: str) -> Receipt:
    """[mem] 204 / 200; 429 JSON retry_after (seconds, float); 400/401/403/404 are final."""
    data = json_of(response)
    detail = " ".join(str(data[k]) for k in ("code", "message") if data.get(k))
    retry_after = data.get("retry_after")
    wait = float(retry_after) if isinstance(retry_after, int | float) else None
    return Receipt(check_status(response, detail, secrets=(token,), wait_seconds=wait))


CHANNEL_TYPE = ChannelType(
    key="discord",
    label="Discord",
    config_model=Config,
    formats=(Format.MARKDOWN, Format.TEXT),
    # [lib] 2000 characters of content; as UTF-8 bytes this is a conservative bound.
    max_body_bytes=2000,
    rate_limit=RateLimit(5, 2),  # [mem] per-webhook bucket; 429 carries retry_after
    description="Post to a Discord channel through a webhook.",
    send=send,
)
