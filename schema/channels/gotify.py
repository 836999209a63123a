"""Gotify: self-hosted push server; messages are posted with an application token.

POST {server}/message with JSON {title, message, priority, extras}. The token goes in the
X-Gotify-Key header (Gotify accepts it there as well as in `?token=`), so it never sits in a URL
that proxies and access logs record.
"""

from __future__ import annotations

from typing import Any

import httpx
from pydantic import Field, SecretStr

from schema.channels.base import (
    BaseUrl,
    ChannelType,
    ErrorClass,
    Format,
    HttpChannelConfig,
    Outgoing,
    Receipt,
    SendContext,
)
from schema.channels.http import call
from schema.channels.http_status import check_status, json_of, vendor_failure


class Config(HttpChannelConfig):
    """An application on a Gotify server."""

    # Gotify has no public instance, so there is no default.
    base_url: BaseUrl = Field(title="Server URL", description="e.g. https://gotify.example.com")
    app_token: SecretStr = Field(title="Application token")
    priority: int = Field(default=5, ge=0, le=10, title="Priority", description="0 … 10")


def payload(outgoing: Outgoing, config: Config) -> dict[str, Any]:
    content_type = "text/markdown" if outgoing.format is Format.MARKDOWN else "text/plain"
    extras: dict[str, Any] = {"client::display": {"contentType": content_type}}
    if outgoing.url:
        extras["client::notification"] = {"click": {"url": outgoing.url}}
    return {
        "title": outgoing.title,
        "message": outgoing.body,
        "priority": config.priority,
        "extras": extras,
    }


async def send(outgoing: Outgoing, config: Config, ctx: SendContext) -> Receipt:
    token = config.app_token.get_secret_value()
    response = await call(
        ctx,
        "POST",
        f"{config.base_url}/message",
        json=payload(outgoing, config),
        headers={"X-Gotify-Key": token},
    )
    return classify(response, token)


def classify(response: httpx.Response, token: str) -> Receipt:
    """[lib: MPN] success is a stored message with an id; errors are {error, errorCode, errorDescription}."""
    data = json_of(response)
    detail = str(data.get("errorDescription") or data.get("error") or "")
    answer = check_status(response, detail, secrets=(token,))
    if isinstance(data.get("id"), int) and data["id"] != 0:
        return Receipt(answer)
    raise vendor_failure("Gotify: the answer has no message id", ErrorClass.UNKNOWN, answer, secrets=(token,))


CHANNEL_TYPE = ChannelType(
    key="gotify",
    label="Gotify",
    config_model=Config,
    formats=(Format.MARKDOWN, Format.TEXT),
    description="Push to a self-hosted Gotify server.",
    send=send,
)
