"""Slack incoming webhook.

POST {hooks}/services/{path} with {"text": …}. Markdown is rewritten as Slack mrkdwn (**b** → *b*,
[label](url) → <url|label>, headings bold, bullets •); plain text goes with "mrkdwn": false. In both,
&, < and > are escaped as Slack requires, so a message cannot forge @channel or links.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

import httpx
from pydantic import Field, SecretStr, field_validator

from schema.channels.base import (
    BaseUrl,
    ChannelType,
    ErrorClass,
    Format,
    HttpChannelConfig,
    Outgoing,
    RateLimit,
    Receipt,
    SendContext,
)
from schema.channels.http import call
from schema.channels.http_status import check_status, vendor_failure


class Config(HttpChannelConfig):
    """One incoming webhook (bound to one channel by Slack)."""

    base_url: BaseUrl = Field(
        default="https://hooks.slack.com",
        title="Hooks base URL",
        description="GovSlack: https://hooks.slack-gov.com",
    )
    webhook_path: SecretStr = Field(
        title="Webhook path", description="The part after /services/ of the webhook URL: T…/B…/…"
    )
    username: str = Field(default="", title="Display name", description="Legacy webhooks only")
    icon_emoji: str = Field(default="", title="Icon emoji", description="Legacy webhooks only, e.g. :bell:")

    @field_validator("webhook_path")
    @classmethod
    def _path(cls, value: SecretStr) -> SecretStr:
        path = value.get_secret_value().strip().strip("/")
        if len(path.split("/")) != 3 or "://" in path:
            raise ValueError("must look like T…/B…/… (the part after /services/)")
        return SecretStr(path)


_CODE = re.compile(r"```.*?```|`[^`\n]+`", re.DOTALL)
_CODE_LANGUAGE = re.compile(r"^```[\w+#.-]*\n")
_LINK = re.compile(r"!?\[([^\]\n]+)\]\(((?:https?|mailto):[^)\s]+)\)")
_HEADING = re.compile(r"^#{1,6}[ \t]+(.+?)[ \t]*#*[ \t]*$", re.MULTILINE)
_BULLET = re.compile(r"^([ \t]*)[-*+][ \t]+", re.MULTILINE)
_BOLD = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*|__(?=\S)(.+?)(?<=\S)__")
_ITALIC = re.compile(r"(?<![\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])")
_STRIKE = re.compile(r"~~(?=\S)(.+?)(?<=\S)~~")
_BOLD_MARK = "\x01"


def escape(text: str) -> str:
    """Slack's three control characters."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _inline(markdown: str) -> str:
    text = _BULLET.sub(r"\1• ", escape(markdown))
    text = _LINK.sub(lambda m: f"<{m.group(2)}|{m.group(1)}>", text)
    text = _HEADING.sub(lambda m: f"{_BOLD_MARK}{m.group(1)}{_BOLD_MARK}", text)
    text = _BOLD.sub(lambda m: f"{_BOLD_MARK}{m.group(1) or m.group(2)}{_BOLD_MARK}", text)
    text = _ITALIC.sub(r"_\1_", text)
    text = _STRIKE.sub(r"~\1~", text)
    return text.replace(_BOLD_MARK, "*")


def mrkdwn(markdown: str) -> str:
    """CommonMark-ish Markdown as Slack mrkdwn; code spans and blocks are only escaped."""
    parts: list[str] = []
    last = 0
    for match in _CODE.finditer(markdown):
        parts.append(_inline(markdown[last : match.start()]))
        parts.append(escape(_CODE_LANGUAGE.sub("```\n", match.group())))
        last = match.end()
    parts.append(_inline(markdown[last:]))
    return "".join(parts)


def payload(outgoing: Outgoing, config: Config) -> dict[str, Any]:
    if outgoing.format is Format.MARKDOWN:
        title = f"*{escape(outgoing.title.strip())}*" if outgoing.title.strip() else ""
        body = mrkdwn(outgoing.body)
    else:
        title, body = escape(outgoing.title.strip()), escape(outgoing.body)
    link = f"<{escape(outgoing.url)}>" if outgoing.url else ""
    data: dict[str, Any] = {"text": "\n".join(p for p in (title, body, link) if p)}
    if outgoing.format is not Format.MARKDOWN:
        data["mrkdwn"] = False
    if config.username:
        data["username"] = config.username
    if config.icon_emoji:
        data["icon_emoji"] = config.icon_emoji
    return data


async def send(outgoing: Outgoing, config: Config, ctx: SendContext) -> Receipt:
    path = config.webhook_path.get_secret_value()
    response = await call(
        ctx, "POST", f"{config.base_url}/services/{quote(path, safe='/')}", json=payload(outgoing, config)
    )
    return classify(response, path)


def classify(response: httpx.Response, path: str) -> Receipt:
    """[doc/mem] 200 `ok`; errors are plain-text codes (invalid_payload, no_service, …) with 4xx."""
    reason = " ".join(response.text.split())[:300]
    secrets = (path, path.rsplit("/", 1)[-1])  # the last segment is the secret part
    answer = check_status(response, reason, secrets=secrets)
    if reason == "ok":
        return Receipt(answer)
    raise vendor_failure(f"Slack: {reason or 'empty answer'}", ErrorClass.PERMANENT, answer, secrets=secrets)


CHANNEL_TYPE = ChannelType(
    key="slack",
    label="Slack",
    config_model=Config,
    formats=(Format.MARKDOWN, Format.TEXT),
    max_body_bytes=40000,  # [mem] Slack truncates text beyond 40,000 characters
    rate_limit=RateLimit(1, 1),  # [doc] "Posting messages: 1 per second"
    description="Post to a Slack channel through an incoming webhook.",
    send=send,
)
