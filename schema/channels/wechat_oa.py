"""WeChat Official Account (微信公众号, incl. the sandbox test account) template messages.

Tokens come from the classic `/cgi-bin/token` endpoint (what the sandbox test account and most SDKs
use) and are cached for every worker in `ctx.tokens`; each call there mints a new token and retires
the old one, so a refresh happens under `refresh_lock` and re-checks the cache first (vendors.md §3.1).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

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
    Receipt,
    SendContext,
)
from schema.channels.http import call, kept
from schema.channels.masking import scrub


class Config(HttpChannelConfig):
    """An official account and the template it sends with."""

    base_url: BaseUrl = Field(default="https://api.weixin.qq.com", title="API base URL")
    app_id: str = Field(min_length=1, title="AppID")
    app_secret: SecretStr = Field(title="AppSecret")
    template_id: str = Field(min_length=1, title="Template ID")
    # The template text must contain {{<title_key>.DATA}} and {{<content_key>.DATA}}.
    title_key: str = Field(default="title", min_length=1, title="Title data key")
    content_key: str = Field(default="content", min_length=1, title="Content data key")


class BindingOptions(ChannelConfig):
    """Followers to send to (one template message per OpenID) and an optional template override."""

    openids: list[str] = Field(default_factory=list, title="OpenIDs")
    template_id: str | None = Field(
        default=None, title="Template ID override", description="Empty = the account's template"
    )


# [doc]/[lib] business-API codes that mean "refresh the token and try once more" (40001 only here:
# on /cgi-bin/token it means a wrong AppSecret).
_TOKEN_CODES = frozenset({40001, 40014, 42001})
_RECIPIENT_CODES = frozenset({40003, -41000, 43004})  # invalid openid / not following
_QUOTA_CODE = 45009  # daily quota: wait for the next day (Beijing time), do not retry soon
_BUSY_CODE = -1
_EARLY_REFRESH_SECONDS = 300
_CHINA = timedelta(hours=8)


@dataclass(frozen=True)
class _Result:
    openid: str
    code: int  # 0 = sent
    error: ChannelError | None
    answer: str


def _mask(text: str, *secrets: str) -> str:
    return scrub(text, secrets, mask="***")


def _until_quota_reset(now: datetime | None = None) -> float:
    """Seconds until the next midnight in China (UTC+8), when WeChat's daily quotas reset."""
    local = (now or datetime.now(UTC)) + _CHINA
    midnight = (local + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    return max(60.0, (midnight - local).total_seconds())


def _json(response: httpx.Response, answer: str) -> dict[str, Any]:
    if response.status_code == 429:
        raise ChannelError("throttled (HTTP 429)", ErrorClass.RATE_LIMITED, 60.0, answer)
    if response.status_code >= 500:
        raise ChannelError(f"HTTP {response.status_code}", ErrorClass.RETRYABLE, vendor_response=answer)
    try:
        data = response.json()
    except ValueError:
        data = None
    if not isinstance(data, dict):
        # It was processed somehow, but we cannot tell how.
        raise ChannelError(
            f"unreadable answer (HTTP {response.status_code})", ErrorClass.UNKNOWN, vendor_response=answer
        )
    return data


def _token_key(config: Config) -> str:
    return f"wechat_oa:{config.base_url}:{config.app_id}"


async def _fetch_token(config: Config, ctx: SendContext) -> tuple[str, float]:
    secret = config.app_secret.get_secret_value()
    response = await call(
        ctx,
        "GET",
        f"{config.base_url}/cgi-bin/token",
        params={"grant_type": "client_credential", "appid": config.app_id, "secret": secret},
    )
    answer = kept(_mask(f"HTTP {response.status_code} {response.text}", secret))
    data = _json(response, answer)
    token = data.get("access_token")
    if isinstance(token, str) and token:
        expires_in = float(data.get("expires_in") or 7200)
        ttl = (
            expires_in - _EARLY_REFRESH_SECONDS if expires_in > 2 * _EARLY_REFRESH_SECONDS else expires_in / 2
        )
        return token, max(1.0, ttl)
    code = _code(data)
    message = f"access token refused: errcode {code}"
    if code == _BUSY_CODE:
        raise ChannelError(message, ErrorClass.RETRYABLE, vendor_response=answer)
    if code == _QUOTA_CODE:
        raise ChannelError(message, ErrorClass.RATE_LIMITED, _until_quota_reset(), answer)
    # 40001/40125 wrong AppSecret, 40013 wrong AppID, 40164 IP not whitelisted: the account's setup.
    raise ChannelError(
        message + " (check AppID, AppSecret and the IP whitelist)",
        ErrorClass.PERMANENT,
        vendor_response=answer,
    )


async def _token(config: Config, ctx: SendContext, stale: str | None = None) -> str:
    """The cached token, or a new one; `stale` is a token the vendor has just refused."""
    key = _token_key(config)
    if stale is None:
        cached = await ctx.tokens.get(key)
        if cached:
            return cached
    async with ctx.tokens.refresh_lock(key):
        cached = await ctx.tokens.get(key)
        if cached and cached != stale:  # another worker refreshed while we waited
            return cached
        if cached:
            await ctx.tokens.drop(key)
        token, ttl = await _fetch_token(config, ctx)
        await ctx.tokens.put(key, token, ttl)
        return token


def _code(data: dict[str, Any]) -> int:
    try:
        return int(data.get("errcode", -2))
    except (TypeError, ValueError):
        return -2


def _classify(code: int, answer: str) -> ChannelError:
    message = f"WeChat errcode {code}"
    if code == _BUSY_CODE:
        return ChannelError(message + " (system busy)", ErrorClass.RETRYABLE, vendor_response=answer)
    if code == _QUOTA_CODE:
        return ChannelError(
            message + " (daily quota reached)", ErrorClass.RATE_LIMITED, _until_quota_reset(), answer
        )
    if code in _TOKEN_CODES:
        return ChannelError(
            message + " (access token refused)", ErrorClass.TOKEN_EXPIRED, vendor_response=answer
        )
    if code in _RECIPIENT_CODES:
        return ChannelError(
            message + " (the OpenID is invalid or does not follow the account)",
            ErrorClass.PERMANENT,
            vendor_response=answer,
        )
    # 40037 template, 47003 data keys, 48001 no permission, 40164 IP…; 4xxxx are request errors.
    error_class = ErrorClass.PERMANENT if abs(code) >= 40000 else ErrorClass.RETRYABLE
    return ChannelError(message, error_class, vendor_response=answer)


async def _post(
    body: dict[str, Any], openid: str, config: Config, ctx: SendContext, token: str
) -> tuple[int, str]:
    response = await call(
        ctx,
        "POST",
        f"{config.base_url}/cgi-bin/message/template/send",
        params={"access_token": token},
        content=json.dumps(body | {"touser": openid}, ensure_ascii=False).encode(),
        headers={"Content-Type": "application/json; charset=utf-8"},
    )
    answer = kept(
        _mask(f"HTTP {response.status_code} {response.text}", token, config.app_secret.get_secret_value())
    )
    return _code(_json(response, answer)), answer


async def _send_one(
    body: dict[str, Any], openid: str, config: Config, ctx: SendContext, token: str
) -> tuple[_Result, str]:
    """One template message; refreshes the token once if the vendor refuses it. Returns the token used."""
    code, answer = await _post(body, openid, config, ctx, token)
    if code in _TOKEN_CODES:
        token = await _token(config, ctx, stale=token)
        code, answer = await _post(body, openid, config, ctx, token)
    return _Result(openid, code, None if code == 0 else _classify(code, answer), answer), token


def _summary(results: list[_Result]) -> str:
    return kept("; ".join(f"{r.openid}: {r.answer}" for r in results))


async def send(outgoing: Outgoing, config: Config, ctx: SendContext) -> Receipt:
    options = BindingOptions.model_validate(dict(outgoing.options))
    openids = list(dict.fromkeys(outgoing.receivers or options.openids))
    if not openids:
        raise ChannelError(
            "no OpenID to send to: give recipients or set the binding's OpenIDs", ErrorClass.PERMANENT
        )
    body: dict[str, Any] = {
        "template_id": options.template_id or config.template_id,
        "data": {config.title_key: {"value": outgoing.title}, config.content_key: {"value": outgoing.text}},
        # [mem] same openid + client_msg_id is sent once: a retried delivery does not repeat itself.
        "client_msg_id": outgoing.idempotency_key,
    }
    if outgoing.url:
        body["url"] = outgoing.url
    token = await _token(config, ctx)
    results: list[_Result] = []
    for openid in openids:
        result, token = await _send_one(body, openid, config, ctx, token)
        results.append(result)
        if result.code == _QUOTA_CODE:
            break  # the others would meet the same daily quota
    failed = [r for r in results if r.error is not None]
    if not failed:
        return Receipt(_summary(results))
    # A failure another try may fix fails the delivery, so it is retried (client_msg_id keeps the
    # OpenIDs that already got it from getting it twice); only recipient/config errors are final.
    transient = next(
        (r.error for r in failed if r.error and r.error.error_class is not ErrorClass.PERMANENT), None
    )
    first = transient or failed[0].error
    assert first is not None
    if transient is None and len(failed) < len(openids):
        refused = ", ".join(f"{r.openid} (errcode {r.code})" for r in failed)
        sent = len(openids) - len(failed)
        return Receipt(kept(f"sent to {sent} of {len(openids)}; refused: {refused}; {_summary(results)}"))
    if len(openids) > 1:
        first.message += f" ({len(failed)} of {len(openids)} OpenIDs failed)"
        first.vendor_response = _summary(results)
    raise first


CHANNEL_TYPE = ChannelType(
    key="wechat_oa",
    label="WeChat official account",
    config_model=Config,
    formats=(Format.TEXT,),
    binding_model=BindingOptions,
    receiver_kind="openid",
    receivers_per_send=1,  # [doc] touser takes one OpenID: one delivery per receiver
    send=send,
    description="Template messages to followers by OpenID; works with the sandbox test account.",
)
