"""Feishu / Lark custom group bot (飞书自定义机器人), optionally signed.

Message type with `msg_type: auto`: a Markdown body becomes an interactive card (the only bot
message that renders Markdown), a plain-text message with a title becomes a rich-text `post` (the
title shows as a heading), and one without a title a `text`. A binding can force any of the three.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from typing import Any, Literal, cast

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
from schema.channels.http import call, kept, throttle_wait
from schema.channels.masking import scrub, secret_values


class Config(HttpChannelConfig):
    """One bot in one group."""

    base_url: BaseUrl = Field(
        default="https://open.feishu.cn",
        title="API base URL",
        description="Lark: https://open.larksuite.com",
    )
    token: SecretStr = Field(title="Hook token", description="The last path segment of the webhook URL")
    secret: SecretStr | None = Field(
        default=None, title="Signing secret", description="If signing is enabled"
    )
    keyword: str = Field(
        default="",
        title="Keyword",
        description="If the bot checks keywords, this one is added to messages that lack it",
    )


class BindingOptions(ChannelConfig):
    """Which Feishu message type this binding sends."""

    msg_type: Literal["auto", "interactive", "post", "text"] = Field(
        default="auto", title="Message type", description="auto = a markdown card when the message has one"
    )


MsgType = Literal["interactive", "post", "text"]
# [doc] codes that another try cannot fix: 9499 bad request / too large, 19001 unknown hook,
# 19021 signature or clock, 19022 IP whitelist, 19024 keyword. 19xxx are all hook-setup errors.
_PERMANENT_CODES = frozenset({9499, 19001, 19021, 19022, 19024})
_RATE_LIMITED_CODE = 11232  # [doc] 5/s and 100/min per bot
_ALL = "all"


def sign(secret: str, timestamp: int) -> str:
    """[doc] §6.3: Base64(HMAC-SHA256(key = "{timestamp}\\n{secret}", message = empty)); seconds, no URL encoding."""
    key = f"{timestamp}\n{secret}".encode()
    return base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()


def message_type(outgoing: Outgoing, chosen: str) -> MsgType:
    if chosen in ("interactive", "post", "text"):
        return cast(MsgType, chosen)
    if outgoing.format is Format.MARKDOWN:
        return "interactive"
    return "post" if outgoing.title else "text"


def _with_keyword(text: str, keyword: str, *checked: str) -> str:
    """Keywords are checked on text and titles only (never on links): add ours where it is missing."""
    if not keyword or any(keyword in part for part in (text, *checked)):
        return text
    return f"{text}\n{keyword}" if text else keyword


def _text_body(outgoing: Outgoing, keyword: str) -> dict[str, Any]:
    parts = [p for p in (outgoing.title, outgoing.text, outgoing.url) if p]
    text = _with_keyword("\n".join(parts), keyword)
    ats = [f'<at user_id="{uid}"></at>' for uid in outgoing.mentions.user_ids]
    if outgoing.mentions.all:
        ats.append(f'<at user_id="{_ALL}">所有人</at>')
    if ats:
        text = f"{text}\n{' '.join(ats)}"
    return {"msg_type": "text", "content": {"text": text}}


def _post_body(outgoing: Outgoing, keyword: str) -> dict[str, Any]:
    text = _with_keyword(outgoing.text, keyword, outgoing.title)
    paragraphs: list[list[dict[str, Any]]] = [[{"tag": "text", "text": line}] for line in text.split("\n")]
    if outgoing.url:
        paragraphs.append([{"tag": "a", "text": outgoing.url, "href": outgoing.url}])
    ats: list[dict[str, Any]] = [{"tag": "at", "user_id": uid} for uid in outgoing.mentions.user_ids]
    if outgoing.mentions.all:
        ats.append({"tag": "at", "user_id": _ALL, "user_name": "所有人"})
    if ats:
        paragraphs.append(ats)
    return {
        "msg_type": "post",
        "content": {"post": {"zh_cn": {"title": outgoing.title, "content": paragraphs}}},
    }


def _card_body(outgoing: Outgoing, keyword: str) -> dict[str, Any]:
    markdown = _with_keyword(outgoing.body, keyword, outgoing.title)
    ats = [f"<at id={uid}></at>" for uid in outgoing.mentions.user_ids]
    if outgoing.mentions.all:
        ats.append(f"<at id={_ALL}></at>")
    if ats:
        markdown = f"{markdown}\n{' '.join(ats)}"
    # Card JSON 1.0: the form every Feishu and Lark client renders.
    elements: list[dict[str, Any]] = [{"tag": "markdown", "content": markdown}]
    if outgoing.url:
        button = {"tag": "button", "text": {"tag": "plain_text", "content": "Open"}, "type": "primary"}
        elements.append({"tag": "action", "actions": [button | {"url": outgoing.url}]})
    card: dict[str, Any] = {"config": {"wide_screen_mode": True}, "elements": elements}
    if outgoing.title:
        card["header"] = {"title": {"tag": "plain_text", "content": outgoing.title}, "template": "blue"}
    return {"msg_type": "interactive", "card": card}


def build_body(outgoing: Outgoing, config: Config, now: int | None = None) -> dict[str, Any]:
    options = BindingOptions.model_validate(dict(outgoing.options))
    kind = message_type(outgoing, options.msg_type)
    builders = {"text": _text_body, "post": _post_body, "interactive": _card_body}
    body: dict[str, Any] = {}
    if config.secret is not None:
        timestamp = int(time.time()) if now is None else now
        # Signed per request, never cached (vendors.md §0.3).
        body = {"timestamp": str(timestamp), "sign": sign(config.secret.get_secret_value(), timestamp)}
    return body | builders[kind](outgoing, config.keyword)


def _mask(text: str, config: Config) -> str:
    return scrub(text, secret_values(config), mask="***")


async def send(outgoing: Outgoing, config: Config, ctx: SendContext) -> Receipt:
    body = json.dumps(build_body(outgoing, config), ensure_ascii=False).encode()
    response = await call(
        ctx,
        "POST",
        f"{config.base_url}/open-apis/bot/v2/hook/{config.token.get_secret_value()}",
        content=body,
        headers={"Content-Type": "application/json; charset=utf-8"},
    )
    return classify(response, config)


def _code(response: httpx.Response) -> int | None:
    try:
        data = response.json()
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    # [doc] `code`, with the legacy `StatusCode` as a fallback.
    value = data.get("code", data.get("StatusCode"))
    return value if isinstance(value, int) else None


def classify(response: httpx.Response, config: Config) -> Receipt:
    """Feishu answers HTTP 200 with a business `code` (0 = sent); the body is read whatever the status."""
    answer = kept(_mask(f"HTTP {response.status_code} {response.text}".strip(), config))
    status, code = response.status_code, _code(response)
    if code == 0 and status < 300:
        return Receipt(answer)
    if code == _RATE_LIMITED_CODE or status == 429:
        raise ChannelError(
            f"Feishu throttled the bot (code {code}, HTTP {status})",
            ErrorClass.RATE_LIMITED,
            throttle_wait(response),
            answer,
        )
    if code is not None and code != 0:
        permanent = code in _PERMANENT_CODES or 19000 <= code < 20000
        return _raise(
            f"Feishu code {code}", ErrorClass.PERMANENT if permanent else ErrorClass.RETRYABLE, answer
        )
    if status >= 500 or status == 408:
        return _raise(f"HTTP {status}", ErrorClass.RETRYABLE, answer)
    if 200 <= status < 300:
        # Arrived and was answered, but not with anything we can read.
        return _raise(f"unreadable answer (HTTP {status})", ErrorClass.UNKNOWN, answer)
    return _raise(f"HTTP {status}", ErrorClass.PERMANENT, answer)


def _raise(message: str, error_class: ErrorClass, answer: str) -> Receipt:
    raise ChannelError(message, error_class, vendor_response=answer)


CHANNEL_TYPE = ChannelType(
    key="feishu",
    label="Feishu / Lark bot",
    config_model=Config,
    formats=(Format.MARKDOWN, Format.TEXT),
    binding_model=BindingOptions,
    # Custom bots @ by open_id/user_id only; they cannot resolve phone numbers.
    mentions=frozenset({Mention.USER_IDS, Mention.ALL}),
    max_body_bytes=20000,  # [doc] request body ≤ 20 KB (apprise caps at 19 985)
    # [doc] also 5/s; code 11232 when exceeded.
    rate_limit=RateLimit(100, 60),
    send=send,
    description="Group bot webhook with signing and @user / @all.",
)
