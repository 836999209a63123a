"""WeCom (企业微信) self-built application messages (corpid / corpsecret / agentid).

The access token is shared by every worker through `ctx.tokens` (vendors.md §0.4, §2b.1): fetched
under the refresh lock, re-checked inside it, kept for `expires_in` minus five minutes. A token
error on send (40014 / 42001 / 41001) refreshes it once and retries the send once.

Receivers: the call's dynamic receivers, else the binding's `touser`; `toparty` / `totag` from the
binding. Recipients WeCom rejects come back in a successful answer (`invaliduser`…): the send
succeeds with them kept in the receipt, unless every recipient was rejected.
"""

from __future__ import annotations

import hashlib
import json
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
    Outgoing,
    RateLimit,
    Receipt,
    SendContext,
)
from schema.channels.http import call
from schema.channels.wecom_robot import RETRYABLE_CODES, THROTTLED_CODE, answer_of, error, wait


class Config(HttpChannelConfig):
    """One application of one corporation."""

    base_url: BaseUrl = Field(default="https://qyapi.weixin.qq.com", title="API base URL")
    corp_id: str = Field(min_length=1, title="Corp ID")
    corp_secret: SecretStr = Field(title="App secret")
    agent_id: int = Field(ge=1, title="Agent ID")
    safe: bool = Field(default=False, title="Confidential", description="Watermarked, cannot be forwarded")
    enable_duplicate_check: bool = Field(default=False, title="Drop duplicates")
    duplicate_check_interval: int = Field(default=1800, ge=1, le=14400, title="Duplicate window (seconds)")


class BindingOptions(ChannelConfig):
    """Recipients inside the corporation (touser '@all' = every visible member)."""

    touser: list[str] = Field(default_factory=list, title="User IDs", description="Or @all")
    toparty: list[str] = Field(default_factory=list, title="Department IDs")
    totag: list[str] = Field(default_factory=list, title="Tag IDs")
    msgtype: Literal["auto", "text", "markdown"] = Field(
        default="auto",
        title="Message type",
        description="markdown shows only in the WeCom client, not in the WeChat plugin",
    )


# [lib] invalid / expired / missing access_token: refresh once and retry once.
TOKEN_CODES = frozenset({40014, 42001, 41001})
TOKEN_EARLY_SECONDS = 300
_REJECTED = {"invaliduser": "touser", "invalidparty": "toparty", "invalidtag": "totag"}


def token_key(config: Config) -> str:
    """One cached token per application; a changed secret gets a new entry (only a digest is kept)."""
    digest = hashlib.sha256(config.corp_secret.get_secret_value().encode()).hexdigest()[:12]
    return f"wecom_app:{config.corp_id}:{config.agent_id}:{digest}"


def token_ttl(expires_in: float) -> float:
    """Refresh five minutes early; a short-lived token is kept for half its life."""
    return expires_in - TOKEN_EARLY_SECONDS if expires_in > 2 * TOKEN_EARLY_SECONDS else expires_in / 2


async def access_token(config: Config, ctx: SendContext, stale: str | None = None) -> str:
    """The cached token, fetched once for all workers. `stale`: a token the vendor just refused."""
    key = token_key(config)
    cached = await ctx.tokens.get(key)
    if cached is not None and cached != stale:
        return cached
    async with ctx.tokens.refresh_lock(key):
        cached = await ctx.tokens.get(key)
        if cached is not None and cached != stale:
            return cached  # another worker refreshed it while we waited
        await ctx.tokens.drop(key)
        token, expires_in = await _fetch_token(config, ctx)
        await ctx.tokens.put(key, token, token_ttl(expires_in))
        return token


async def _fetch_token(config: Config, ctx: SendContext) -> tuple[str, float]:
    secret = config.corp_secret.get_secret_value()
    response = await call(
        ctx,
        "GET",
        f"{config.base_url}/cgi-bin/gettoken",
        params={"corpid": config.corp_id, "corpsecret": secret},
    )
    data, answer = answer_of(response, [secret])
    token = data.get("access_token")
    if data["errcode"] == 0 and isinstance(token, str) and token:
        return token, float(data.get("expires_in") or 7200)
    message = "gettoken: " + error(data, [secret])
    if data["errcode"] == THROTTLED_CODE:
        raise ChannelError(message, ErrorClass.RATE_LIMITED, wait(response), answer)
    if data["errcode"] in RETRYABLE_CODES:
        raise ChannelError(message, ErrorClass.RETRYABLE, vendor_response=answer)
    # 40001 bad secret, 40013 bad corpid, 41002 / 41004 missing, 60020 IP not trusted: config.
    raise ChannelError(message, ErrorClass.PERMANENT, vendor_response=answer)


def targets(outgoing: Outgoing) -> dict[str, str]:
    users = list(outgoing.receivers) or [str(u) for u in outgoing.options.get("touser", [])]
    found = {
        "touser": "|".join(users),
        "toparty": "|".join(str(p) for p in outgoing.options.get("toparty", [])),
        "totag": "|".join(str(t) for t in outgoing.options.get("totag", [])),
    }
    if not any(found.values()):
        raise ChannelError(
            "no recipients: give receivers, or users, departments or tags on the binding",
            ErrorClass.PERMANENT,
        )
    return {name: value for name, value in found.items() if value}


def payload(outgoing: Outgoing, config: Config) -> dict[str, Any]:
    chosen = str(outgoing.options.get("msgtype", "auto"))
    markdown = chosen == "markdown" or (chosen == "auto" and outgoing.format is Format.MARKDOWN)
    if markdown:
        parts = [f"**{outgoing.title}**" if outgoing.title else "", outgoing.body]
        if outgoing.url:
            parts.append(f"[{outgoing.title or outgoing.url}]({outgoing.url})")
        content = "\n\n".join(p for p in parts if p)
    else:
        title = "" if outgoing.text.startswith(outgoing.title) else outgoing.title
        content = "\n".join(p for p in (title, outgoing.text, outgoing.url) if p)
    msgtype = "markdown" if markdown else "text"
    return targets(outgoing) | {
        "msgtype": msgtype,
        "agentid": config.agent_id,  # [lib] an integer, not a string
        msgtype: {"content": content},
        "safe": int(config.safe),
        "enable_duplicate_check": int(config.enable_duplicate_check),
        "duplicate_check_interval": config.duplicate_check_interval,
    }


async def send(outgoing: Outgoing, config: Config, ctx: SendContext) -> Receipt:
    body = payload(outgoing, config)
    secret = config.corp_secret.get_secret_value()
    token = await access_token(config, ctx)
    response, data, answer = await _post(config, ctx, body, [secret, token])
    if data["errcode"] in TOKEN_CODES:
        token = await access_token(config, ctx, stale=token)
        response, data, answer = await _post(config, ctx, body, [secret, token])
    code = data["errcode"]
    if code == 0:
        return _receipt(body, data, answer)
    message = error(data, [secret, token])
    if code in TOKEN_CODES:
        raise ChannelError(message + " (after a token refresh)", ErrorClass.TOKEN_EXPIRED, None, answer)
    if code == THROTTLED_CODE:
        raise ChannelError(message, ErrorClass.RATE_LIMITED, wait(response), answer)
    if code in RETRYABLE_CODES:
        raise ChannelError(message, ErrorClass.RETRYABLE, vendor_response=answer)
    # 40056 / 41011 agentid, 60020 IP, 81013 every recipient invalid, 82001 none, 8200x / 4003x lists,
    # 44004 / 45002 / 40058 content, 48002 / 50003 / 301002 app permissions, unknown codes: final.
    raise ChannelError(message, ErrorClass.PERMANENT, vendor_response=answer)


async def _post(
    config: Config, ctx: SendContext, body: dict[str, Any], secrets: list[str]
) -> tuple[httpx.Response, dict[str, Any], str]:
    response = await call(
        ctx,
        "POST",
        f"{config.base_url}/cgi-bin/message/send",
        params={"access_token": secrets[-1]},
        content=json.dumps(body, ensure_ascii=False).encode(),
        headers={"Content-Type": "application/json; charset=utf-8"},
    )
    data, answer = answer_of(response, secrets)
    return response, data, answer


def _receipt(body: dict[str, Any], data: dict[str, Any], answer: str) -> Receipt:
    """errcode 0 with every addressed recipient rejected is a failure (§2b.2); some rejected is not."""
    rejected = {
        field: set(filter(None, str(data.get(name) or "").split("|"))) for name, field in _REJECTED.items()
    }
    rejected["touser"] |= set(filter(None, str(data.get("unlicenseduser") or "").split("|")))
    addressed = {field: set(str(body.get(field, "")).split("|")) - {""} for field in _REJECTED.values()}
    if "@all" not in addressed["touser"] and all(addressed[f] <= rejected[f] for f in addressed):
        raise ChannelError(
            "every recipient was rejected as invalid or unlicensed", ErrorClass.PERMANENT, None, answer
        )
    if any(rejected.values()):
        return Receipt("partial: some recipients were rejected; " + answer)
    return Receipt(answer)


CHANNEL_TYPE = ChannelType(
    key="wecom_app",
    label="WeCom app message",
    config_model=Config,
    formats=(Format.MARKDOWN, Format.TEXT),
    binding_model=BindingOptions,
    receiver_kind="userid",
    max_body_bytes=2048,  # [doc] text and markdown content, truncated beyond
    # [doc] 30/min per member; the excess is dropped silently, so we must throttle ourselves.
    rate_limit=RateLimit(30, 60),
    receivers_per_send=1000,  # [doc] touser takes up to 1000 user ids
    send=send,
    description="Application messages to members, departments or tags of a WeCom corporation.",
)
