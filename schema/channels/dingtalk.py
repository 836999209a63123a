"""DingTalk custom group robot (钉钉自定义机器人), optionally signed ("加签").

Which msgtype is sent (vendors.md §1.4):
* binding option `text` / `markdown`: that type; a link is written into the content.
* `auto`: a message with a URL and no @-mentions becomes an `actionCard` with one button (markdown)
  or a `link` card (text), since those are the types that carry a URL; with mentions it stays
  `markdown` / `text` (the card types cannot @ anyone) and the link goes into the content.
  Otherwise `markdown` when the delivery's format is markdown, else `text`.

Mentions need both the `at` lists and an `@<mobile>` / `@<userId>` token in the content (§1.5).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from typing import Any, Literal

import httpx
from pydantic import Field, SecretStr

from schema.channels.base import (
    BaseUrl,
    ChannelConfig,
    ChannelError,
    ChannelType,
    ErrorClass,
    Format,
    HttpChannelConfig,
    Mention,
    Outgoing,
    RateLimit,
    Receipt,
    SendContext,
)
from schema.channels.http import call, kept
from schema.channels.masking import scrub
from schema.domain.retry import parse_retry_after


class Config(HttpChannelConfig):
    """One robot in one group."""

    base_url: BaseUrl = Field(
        default="https://oapi.dingtalk.com",
        title="API base URL",
        description="International: https://oapi.dingtalk.io",
    )
    access_token: SecretStr = Field(
        title="Access token", description="The access_token query value of the robot's webhook URL"
    )
    secret: SecretStr | None = Field(
        default=None, title="Signing secret", description="Starts with SEC…; required if 加签 is enabled"
    )
    keyword: str = Field(
        default="",
        title="Keyword",
        description="If the robot checks keywords, this one is added to messages that lack it",
    )


class BindingOptions(ChannelConfig):
    """Which DingTalk message type this binding sends."""

    msgtype: Literal["auto", "markdown", "text"] = Field(
        default="auto", title="Message type", description="auto = markdown when the message has one"
    )
    # Off for bindings imported from Message Nest, which used the keyword only for its test button.
    append_keyword: bool = Field(
        default=True,
        title="Add the keyword",
        description="Add the channel's keyword to messages that lack it",
    )


BUTTON_TITLE = "查看详情"
_TITLE_CHARS = 64
# [doc]/[obs] errcode → seconds to wait: 410100 throttles the robot for 10 minutes; 130101 is its
# older code; 660026 (low confidence) and 90030 (monthly quota, low confidence) are rarer.
_THROTTLED = {410100: 600.0, 130101: 600.0, 660026: 60.0, 90030: 3600.0}
_BUSY = -1


def sign(secret: str, timestamp_ms: int) -> str:
    """[doc] Base64(HMAC-SHA256(key=secret, msg="{timestamp}\\n{secret}")), not yet URL-encoded."""
    digest = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def query(config: Config, timestamp_ms: int) -> dict[str, str]:
    """The query parameters, raw: the HTTP client URL-encodes them exactly once (§1.3)."""
    params = {"access_token": config.access_token.get_secret_value()}
    if config.secret is not None:
        params["timestamp"] = str(timestamp_ms)
        params["sign"] = sign(config.secret.get_secret_value(), timestamp_ms)
    return params


def msgtype_for(outgoing: Outgoing) -> str:
    chosen = str(outgoing.options.get("msgtype", "auto"))
    if chosen != "auto":
        return chosen
    if outgoing.url and not outgoing.mentions:
        return "actionCard" if outgoing.format is Format.MARKDOWN else "link"
    return "markdown" if outgoing.format is Format.MARKDOWN else "text"


def payload(outgoing: Outgoing, config: Config) -> dict[str, Any]:
    """The JSON body DingTalk expects for this message (see the module docstring for the type)."""
    msgtype = msgtype_for(outgoing)
    markdown = msgtype in ("markdown", "actionCard")
    # Plain text is valid Markdown, so markdown types take the body in either format.
    content = outgoing.body if markdown else outgoing.text
    title = _title(outgoing)
    gap = "\n\n" if markdown else "\n"
    if msgtype == "text" and outgoing.title and not content.startswith(outgoing.title):
        content = f"{outgoing.title}\n{content}"
    if outgoing.url and msgtype in ("text", "markdown"):
        content += gap + (f"[{title}]({outgoing.url})" if markdown else outgoing.url)
    if msgtype in ("text", "markdown"):
        wanted = [f"@{who}" for who in (*outgoing.mentions.mobiles, *outgoing.mentions.user_ids)]
        missing = [token for token in wanted if token not in content]
        if missing:
            content += gap + " ".join(missing)
    wants_keyword = outgoing.options.get("append_keyword", True) is not False
    if wants_keyword and config.keyword and config.keyword not in f"{title}\n{content}":
        content += gap + config.keyword
    body: dict[str, Any] = {"msgtype": msgtype, "msgUuid": outgoing.idempotency_key}
    if msgtype == "text":
        body["text"] = {"content": content}
    elif msgtype == "markdown":
        body["markdown"] = {"title": title, "text": content}
    elif msgtype == "link":
        body["link"] = {"title": title, "text": content, "messageUrl": outgoing.url, "picUrl": ""}
    else:
        body["actionCard"] = {
            "title": title,
            "text": content,
            "btnOrientation": "0",
            "singleTitle": BUTTON_TITLE,
            "singleURL": outgoing.url,
        }
    if msgtype in ("text", "markdown"):
        body["at"] = {
            "atMobiles": list(outgoing.mentions.mobiles),
            "atUserIds": list(outgoing.mentions.user_ids),
            "isAtAll": outgoing.mentions.all,
        }
    return body


def _title(outgoing: Outgoing) -> str:
    """The title shown in the conversation list: the message's, else its first line."""
    if outgoing.title:
        return outgoing.title
    first = next((line.strip() for line in outgoing.text.splitlines() if line.strip()), "")
    return first[:_TITLE_CHARS] or "PushNest"


def masked(text: str, secrets: list[str]) -> str:
    """`text` with every secret (raw or URL-encoded) replaced by ***."""
    return scrub(text, secrets, mask="***")


async def send(outgoing: Outgoing, config: Config, ctx: SendContext) -> Receipt:
    # Signed per request with a fresh timestamp, never cached (§0.3).
    params = query(config, int(time.time() * 1000))
    response = await call(
        ctx,
        "POST",
        f"{config.base_url}/robot/send",
        params=params,
        content=json.dumps(payload(outgoing, config), ensure_ascii=False).encode(),
        headers={"Content-Type": "application/json; charset=utf-8"},
    )
    return classify(response, [params["access_token"], params.get("sign", "")])


def classify(response: httpx.Response, secrets: list[str]) -> Receipt:
    """HTTP 200 with errcode 0 is the only success (§0.1); the rest per vendors.md §1.7 / §8."""
    answer = masked(kept(f"HTTP {response.status_code} {response.text}".strip()), secrets)
    status = response.status_code
    if status == 429:
        raise ChannelError("throttled (HTTP 429)", ErrorClass.RATE_LIMITED, _wait(response, 60.0), answer)
    if status >= 500:
        raise ChannelError(f"HTTP {status}", ErrorClass.RETRYABLE, vendor_response=answer)
    if status != 200:
        raise ChannelError(f"HTTP {status}", ErrorClass.PERMANENT, vendor_response=answer)
    try:
        data = response.json()
        code = int(data["errcode"])
    except (ValueError, KeyError, TypeError):
        raise ChannelError(
            "DingTalk answered without an errcode", ErrorClass.RETRYABLE, None, answer
        ) from None
    if code == 0:
        return Receipt(answer)
    message = masked(f"DingTalk errcode {code}: {str(data.get('errmsg', ''))[:300]}", secrets)
    if code in _THROTTLED:
        raise ChannelError(message, ErrorClass.RATE_LIMITED, _wait(response, _THROTTLED[code]), answer)
    # "invalid timestamp" is clock skew; the next attempt signs with a fresh timestamp.
    if code == _BUSY or (code == 310000 and "invalid timestamp" in str(data.get("errmsg", ""))):
        raise ChannelError(message, ErrorClass.RETRYABLE, vendor_response=answer)
    # 310000 keyword / sign / IP, 3000xx / 4001xx token and robot state, 4301xx moderation,
    # 460101 / 101002 too long, and codes we do not know: another try cannot help.
    raise ChannelError(message, ErrorClass.PERMANENT, vendor_response=answer)


def _wait(response: httpx.Response, default: float) -> float:
    """DingTalk gives no wait; a Retry-After (e.g. from a proxy in front of it) wins if present."""
    return parse_retry_after(response.headers.get("retry-after"), time.time()) or default


CHANNEL_TYPE = ChannelType(
    key="dingtalk",
    label="DingTalk robot",
    config_model=Config,
    formats=(Format.MARKDOWN, Format.TEXT),
    binding_model=BindingOptions,
    mentions=frozenset({Mention.MOBILES, Mention.USER_IDS, Mention.ALL}),
    max_body_bytes=20000,  # [doc]/[obs] errcode 460101 "exceed 20000 bytes"
    rate_limit=RateLimit(20, 60),  # [doc] exceeding it throttles the robot for 10 minutes
    send=send,
    description="Group robot webhook with HMAC signing and @mobiles / @userIds / @all.",
)
