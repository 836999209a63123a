"""PushMe: push to the PushMe app with a push key (push.i-i.me or self-hosted).

[lib: MPN, apprise] a form POST to the server root with push_key, title, content and type
(markdown | text); the answer is plain text, exactly `success` when the push was accepted and the
reason otherwise (still HTTP 200). The key goes in the form body, not the query string.
"""

from __future__ import annotations

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
from schema.channels.http_status import check_status, vendor_failure


class Config(HttpChannelConfig):
    """A PushMe push key."""

    base_url: BaseUrl = Field(default="https://push.i-i.me", title="Server URL")
    push_key: SecretStr = Field(title="Push key")


def form(outgoing: Outgoing, config: Config) -> dict[str, str]:
    return {
        "push_key": config.push_key.get_secret_value(),
        "title": outgoing.title,
        "content": outgoing.body,
        "type": "markdown" if outgoing.format is Format.MARKDOWN else "text",
    }


async def send(outgoing: Outgoing, config: Config, ctx: SendContext) -> Receipt:
    response = await call(ctx, "POST", f"{config.base_url}/", data=form(outgoing, config))
    return classify(response, config.push_key.get_secret_value())


def classify(response: httpx.Response, push_key: str) -> Receipt:
    reason = " ".join(response.text.split())[:300]
    answer = check_status(response, reason, secrets=(push_key,))
    if reason == "success":
        return Receipt(answer)
    raise vendor_failure(
        f"PushMe: {reason or 'empty answer'}", ErrorClass.PERMANENT, answer, secrets=(push_key,)
    )


CHANNEL_TYPE = ChannelType(
    key="pushme",
    label="PushMe",
    config_model=Config,
    formats=(Format.MARKDOWN, Format.TEXT),
    description="Push to the PushMe app (Android, iOS, desktop).",
    send=send,
)
