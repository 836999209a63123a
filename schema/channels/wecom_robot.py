"""WeCom (企业微信) group robot webhook ("消息推送").

Which msgtype is sent (vendors.md §2.2/§2.3): the binding's option, or with `auto` `text` when the
message must @ mobiles or @all (only `text` carries mentioned_list / mentioned_mobile_list), else
`markdown` when the delivery's format is markdown (user ids are written as <@userid>), else `text`.
`markdown_v2` cannot mention anyone; mentions a type cannot carry are left out.
"""

from __future__ import annotations

import json
import time
from typing import Any, Literal
from urllib.parse import parse_qs, urlsplit

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
from schema.channels.dingtalk import masked
from schema.channels.http import call, kept
from schema.domain.retry import parse_retry_after


class Config(HttpChannelConfig):
    """One robot in one group."""

    base_url: BaseUrl = Field(default="https://qyapi.weixin.qq.com", title="API base URL")
    key: SecretStr = Field(title="Webhook key", description="The key query value of the robot's webhook URL")


class BindingOptions(ChannelConfig):
    """Which WeCom message type this binding sends."""

    # Only `text` carries mentioned_list/mentioned_mobile_list; markdown_v2 can mention nobody.
    msgtype: Literal["auto", "text", "markdown", "markdown_v2"] = Field(
        default="auto",
        title="Message type",
        description="auto = markdown when the message has one, text when it must @ someone",
    )


# [doc] content limits in UTF-8 bytes per msgtype.
LIMITS = {"text": 2048, "markdown": 4096, "markdown_v2": 4096}
# [obs]/[lib] the codes WeCom answers for "try again" and "too fast" (robot and app alike).
RETRYABLE_CODES = frozenset({-1, 45033})
THROTTLED_CODE = 45009
THROTTLE_SECONDS = 60.0  # [obs] a 20/min window: wait for it to roll


def webhook_key(value: str) -> str:
    """The key, also when the whole webhook URL was pasted instead (a common mistake, §2.6)."""
    if "key=" in value:
        keys = parse_qs(urlsplit(value).query).get("key")
        if keys:
            return keys[0]
    return value


def msgtype_for(outgoing: Outgoing) -> str:
    chosen = str(outgoing.options.get("msgtype", "auto"))
    if chosen != "auto":
        return chosen
    if outgoing.mentions.mobiles or outgoing.mentions.all:
        return "text"
    return "markdown" if outgoing.format is Format.MARKDOWN else "text"


def content_for(outgoing: Outgoing, msgtype: str) -> str:
    """Title, body and link as one `content` (WeCom messages have no separate title)."""
    if msgtype == "text":
        parts = [outgoing.title, outgoing.text, outgoing.url]
        if outgoing.title and outgoing.text.startswith(outgoing.title):
            parts[0] = ""
        return "\n".join(p for p in parts if p)
    heading = f"**{outgoing.title}**" if msgtype == "markdown" else f"# {outgoing.title}"
    parts = [heading if outgoing.title else "", outgoing.body]
    if outgoing.url:
        parts.append(f"[{outgoing.title or outgoing.url}]({outgoing.url})")
    if msgtype == "markdown" and outgoing.mentions.user_ids:
        parts.append(" ".join(f"<@{who}>" for who in outgoing.mentions.user_ids))
    return "\n\n".join(p for p in parts if p)


def payload(outgoing: Outgoing) -> dict[str, Any]:
    msgtype = msgtype_for(outgoing)
    content = content_for(outgoing, msgtype)
    size, limit = len(content.encode()), LIMITS[msgtype]
    if size > limit:
        raise ChannelError(
            f"too long: the {msgtype} content is {size:,} bytes; WeCom takes at most {limit:,}",
            ErrorClass.PERMANENT,
        )
    part: dict[str, Any] = {"content": content}
    if msgtype == "text":
        users = list(outgoing.mentions.user_ids) + (["@all"] if outgoing.mentions.all else [])
        if users:
            part["mentioned_list"] = users
        if outgoing.mentions.mobiles:
            part["mentioned_mobile_list"] = list(outgoing.mentions.mobiles)
    return {"msgtype": msgtype, msgtype: part}


async def send(outgoing: Outgoing, config: Config, ctx: SendContext) -> Receipt:
    body = payload(outgoing)
    key = webhook_key(config.key.get_secret_value())
    response = await call(
        ctx,
        "POST",
        f"{config.base_url}/cgi-bin/webhook/send",
        params={"key": key},
        content=json.dumps(body, ensure_ascii=False).encode(),
        headers={"Content-Type": "application/json; charset=utf-8"},
    )
    data, answer = answer_of(response, [key])
    return Receipt(answer) if data.get("errcode") == 0 else _fail(response, data, answer, [key])


def answer_of(response: httpx.Response, secrets: list[str]) -> tuple[dict[str, Any], str]:
    """The JSON answer and its kept, masked text; HTTP-level failures raise here (§8)."""
    answer = masked(kept(f"HTTP {response.status_code} {response.text}".strip()), secrets)
    status = response.status_code
    if status == 429:
        raise ChannelError("throttled (HTTP 429)", ErrorClass.RATE_LIMITED, wait(response), answer)
    if status >= 500:
        raise ChannelError(f"HTTP {status}", ErrorClass.RETRYABLE, vendor_response=answer)
    if status != 200:
        raise ChannelError(f"HTTP {status}", ErrorClass.PERMANENT, vendor_response=answer)
    try:
        data = response.json()
        data["errcode"] = int(data["errcode"])
    except (ValueError, KeyError, TypeError):
        raise ChannelError("WeCom answered without an errcode", ErrorClass.RETRYABLE, None, answer) from None
    return data, answer


def error(data: dict[str, Any], secrets: list[str]) -> str:
    return masked(f"WeCom errcode {data['errcode']}: {str(data.get('errmsg', ''))[:300]}", secrets)


def _fail(response: httpx.Response, data: dict[str, Any], answer: str, secrets: list[str]) -> Receipt:
    code, message = data["errcode"], error(data, secrets)
    if code == THROTTLED_CODE:
        raise ChannelError(message, ErrorClass.RATE_LIMITED, wait(response), answer)
    if code in RETRYABLE_CODES:
        raise ChannelError(message, ErrorClass.RETRYABLE, vendor_response=answer)
    # 93000 bad key / robot removed, 93004 disabled, 93008 not in the group, 40008 / 40058 / 44004 /
    # 40035 / 42027-42049 bad message, 40007 / 41006 media, and unknown codes: final.
    raise ChannelError(message, ErrorClass.PERMANENT, vendor_response=answer)


def wait(response: httpx.Response, default: float = THROTTLE_SECONDS) -> float:
    """WeCom gives no wait; a Retry-After (e.g. from a proxy in front of it) wins if present."""
    return parse_retry_after(response.headers.get("retry-after"), time.time()) or default


CHANNEL_TYPE = ChannelType(
    key="wecom_robot",
    label="WeCom robot",
    config_model=Config,
    formats=(Format.MARKDOWN, Format.TEXT),
    binding_model=BindingOptions,
    mentions=frozenset({Mention.MOBILES, Mention.USER_IDS, Mention.ALL}),
    # [doc] markdown ≤ 4096 bytes; text is only 2048, which the sender checks per msgtype.
    max_body_bytes=4096,
    rate_limit=RateLimit(20, 60),  # [doc] errcode 45009 beyond it
    send=send,
    description="Group robot webhook with @userids / @mobiles / @all.",
)
