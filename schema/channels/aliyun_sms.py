"""Aliyun SMS (阿里云短信服务, Dysmsapi SendSms) with a signature and an approved template.

[doc] An RPC-style call signed with signature v1: every parameter (but Signature) sorted by name,
each name and value percent-encoded per RFC 3986 (UTF-8; only A-Z a-z 0-9 - _ . ~ kept, so space is
%20 and * is %2A), joined as k=v&…; the string to sign is METHOD&%2F&percent(that query); the
Signature is base64(HMAC-SHA1(AccessKeySecret + "&", string to sign)). Sent as a form POST, so the
AccessKey and signature stay out of URLs.

Message → TemplateParam: {"<content_param>": the plain-text body} plus {"<title_param>": the title}
when a title variable is configured (both names come from the channel config; default "content").
PhoneNumbers: the delivery's receivers (≤ 1000, comma-joined) or else the binding's phone numbers.
SignatureNonce: the delivery's idempotency key + attempt number + message trace id, so it is new for
every attempt and a replayed request is refused; OutId carries the idempotency key into receipts.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta, timezone
from urllib.parse import quote

import httpx
from pydantic import Field, SecretStr, field_validator

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
from schema.channels.http import call
from schema.channels.http_status import answer_of, check_status, json_of, vendor_failure

_MOBILE = re.compile(r"^\+?\d{5,20}$")
MAX_PHONE_NUMBERS = 1000  # [doc] PhoneNumbers takes up to 1000 comma-separated numbers
API_VERSION = "2017-05-25"
_CHINA = timezone(timedelta(hours=8))
_THROTTLE_WAIT = 1.0
# [doc/mem] codes worth another try; throttling codes; everything else with a Code is final.
_RETRYABLE = frozenset({"isp.SYSTEM_ERROR", "isp.GATEWAY_ERROR", "ServiceUnavailable", "InternalError"})
_RETRY_WITH_NEW_NONCE = frozenset({"SignatureNonceUsed"})


class Config(HttpChannelConfig):
    """An AccessKey, a signature and the template the message text goes into."""

    base_url: BaseUrl = Field(default="https://dysmsapi.aliyuncs.com", title="API base URL")
    access_key_id: str = Field(min_length=1, title="AccessKey ID")
    access_key_secret: SecretStr = Field(title="AccessKey secret")
    region_id: str = Field(default="cn-hangzhou", title="Region")
    sign_name: str = Field(min_length=1, title="Signature name", description="An approved 短信签名")
    template_code: str = Field(min_length=1, title="Template code", description="e.g. SMS_123456789")
    content_param: str = Field(
        default="content",
        min_length=1,
        title="Content variable",
        description="The template variable (${…}) that receives the message text",
    )
    title_param: str = Field(
        default="", title="Title variable", description="Optional template variable for the title"
    )


class BindingOptions(ChannelConfig):
    """Phone numbers to text and an optional template override."""

    phone_numbers: list[str] = Field(
        default_factory=list, max_length=MAX_PHONE_NUMBERS, title="Phone numbers"
    )
    template_code: str | None = Field(default=None, title="Template code override")

    @field_validator("phone_numbers")
    @classmethod
    def _mobiles(cls, values: list[str]) -> list[str]:
        for value in values:
            if not _MOBILE.match(value):
                raise ValueError(f"not a phone number: {value!r}")
        return values


def percent_encode(value: str) -> str:
    """Aliyun's percent-encoding: RFC 3986 unreserved characters kept, all else %XX of UTF-8."""
    return quote(value, safe="~")


def string_to_sign(method: str, params: Mapping[str, str]) -> str:
    query = "&".join(f"{percent_encode(k)}={percent_encode(v)}" for k, v in sorted(params.items()))
    return f"{method}&{percent_encode('/')}&{percent_encode(query)}"


def sign(secret: str, method: str, params: Mapping[str, str]) -> str:
    """The v1 Signature (base64, not yet percent-encoded) of `params`, which exclude Signature."""
    digest = hmac.new(f"{secret}&".encode(), string_to_sign(method, params).encode(), hashlib.sha1)
    return base64.b64encode(digest.digest()).decode()


def phone_numbers(outgoing: Outgoing) -> list[str]:
    options = BindingOptions.model_validate(dict(outgoing.options))
    numbers = list(outgoing.receivers) or options.phone_numbers
    if not numbers:
        raise ChannelError(
            "no phone numbers: give recipients or set them on the binding", ErrorClass.PERMANENT
        )
    if len(numbers) > MAX_PHONE_NUMBERS:
        raise ChannelError(f"more than {MAX_PHONE_NUMBERS} phone numbers in one send", ErrorClass.PERMANENT)
    wrong = [n for n in numbers if not _MOBILE.match(n)]
    if wrong:
        raise ChannelError(f"not a phone number: {wrong[0]!r}", ErrorClass.PERMANENT)
    return numbers


def template_param(outgoing: Outgoing, config: Config) -> str:
    values = {config.content_param: outgoing.text or outgoing.body}
    if config.title_param:
        values[config.title_param] = outgoing.title
    return json.dumps(values, ensure_ascii=False, separators=(",", ":"))


def request_params(outgoing: Outgoing, config: Config, now: datetime) -> dict[str, str]:
    """Every SendSms parameter but Signature."""
    options = BindingOptions.model_validate(dict(outgoing.options))
    nonce = "-".join(p for p in (outgoing.idempotency_key, str(outgoing.attempt), outgoing.trace_id) if p)
    return {
        "AccessKeyId": config.access_key_id,
        "Action": "SendSms",
        "Format": "JSON",
        "OutId": outgoing.idempotency_key,
        "PhoneNumbers": ",".join(phone_numbers(outgoing)),
        "RegionId": config.region_id,
        "SignName": config.sign_name,
        "SignatureMethod": "HMAC-SHA1",
        "SignatureNonce": nonce,
        "SignatureVersion": "1.0",
        "TemplateCode": options.template_code or config.template_code,
        "TemplateParam": template_param(outgoing, config),
        "Timestamp": now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "Version": API_VERSION,
    }


async def send(outgoing: Outgoing, config: Config, ctx: SendContext) -> Receipt:
    params = request_params(outgoing, config, datetime.now(UTC))
    secret = config.access_key_secret.get_secret_value()
    params["Signature"] = sign(secret, "POST", params)
    response = await call(ctx, "POST", f"{config.base_url}/", data=params)
    return classify(response, secret)


def classify(response: httpx.Response, secret: str) -> Receipt:
    """[doc] Code "OK" is success, also inside HTTP 200; gateway errors come as 4xx/5xx with a Code."""
    data = json_of(response)
    code, message = str(data.get("Code") or ""), str(data.get("Message") or "")
    if not code:
        answer = check_status(response, secrets=(secret,))
        raise vendor_failure("Aliyun: the answer has no Code", ErrorClass.UNKNOWN, answer, secrets=(secret,))
    answer = answer_of(response, (secret,))
    if code == "OK" and response.is_success:
        return Receipt(answer)
    error_class, wait = code_class(code, message, response.status_code)
    raise vendor_failure(
        f"Aliyun {code}: {message}", error_class, answer, secrets=(secret,), wait_seconds=wait
    )


def code_class(code: str, message: str, status: int) -> tuple[ErrorClass, float | None]:
    """How to handle an Aliyun error Code, and how long to wait for a throttling one."""
    if code == "isv.BUSINESS_LIMIT_CONTROL":
        # [mem] per phone number: 触发分钟级流控 / 触发小时级流控 / 触发天级流控 (1/min, 5/h, 10/day)
        if "天级" in message:
            return ErrorClass.RATE_LIMITED, _until_tomorrow()
        return ErrorClass.RATE_LIMITED, 3600.0 if "小时级" in message else 60.0
    if code == "isv.DAY_LIMIT_CONTROL":
        return ErrorClass.RATE_LIMITED, _until_tomorrow()
    if code.startswith("Throttling"):
        return ErrorClass.RATE_LIMITED, _THROTTLE_WAIT
    if code in _RETRYABLE or code in _RETRY_WITH_NEW_NONCE or (status >= 500 and not code.startswith("isv.")):
        return ErrorClass.RETRYABLE, None
    return ErrorClass.PERMANENT, None


def _until_tomorrow() -> float:
    """Seconds to the next midnight in China, where Aliyun's daily quotas reset."""
    now = datetime.now(_CHINA)
    tomorrow = (now + timedelta(days=1)).replace(hour=0, minute=0, second=5, microsecond=0)
    return (tomorrow - now).total_seconds()


CHANNEL_TYPE = ChannelType(
    key="aliyun_sms",
    label="Aliyun SMS",
    config_model=Config,
    formats=(Format.TEXT,),
    binding_model=BindingOptions,
    receiver_kind="mobile",
    # [mem] Aliyun's flow control is per phone number (about 1/min, 5/h, 10/day by default), not per
    # account, so no account-wide limit is declared here.
    description="Text messages through an approved Aliyun SMS signature and template.",
    receivers_per_send=MAX_PHONE_NUMBERS,
    send=send,
)
