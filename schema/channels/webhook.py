"""Custom HTTP webhook: any method, headers and body template, optionally HMAC-signed."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import time
from typing import Literal
from urllib.parse import quote, quote_plus

import httpx
from pydantic import Field, SecretStr, field_validator

from schema.channels.base import (
    ChannelError,
    ChannelType,
    ErrorClass,
    FieldKind,
    Format,
    HttpChannelConfig,
    Outgoing,
    Receipt,
    SendContext,
    TargetUrl,
)
from schema.channels.http import call, kept, throttle_wait
from schema.domain.render import render

_HEADER_NAME = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")


class Config(HttpChannelConfig):
    """Where and how to call the webhook."""

    url: TargetUrl = Field(min_length=1, title="URL")
    method: Literal["POST", "PUT", "PATCH", "GET"] = Field(default="POST", title="Method")
    # Headers carry credentials (Authorization, API keys): a secret like the others, sealed at rest
    # and masked in answers and audit diffs. "Name: Value" lines; a list of lines is taken too
    # (the form before headers were secret, and the Message Nest importer).
    headers: SecretStr | None = Field(
        default=None,
        title="Headers",
        description="One 'Name: Value' per line; kept secret like a password",
        json_schema_extra={"kind": FieldKind.SECRET_TEXT.value},
    )
    body_template: str = Field(
        default="",
        title="Body template",
        description="{{title}}, {{text}}, … placeholders; empty = a JSON document with the message",
        json_schema_extra={"kind": FieldKind.TEXT.value},
    )
    content_type: str = Field(default="application/json", title="Content-Type")
    signing_secret: SecretStr | None = Field(
        default=None,
        title="Signing secret",
        description="If set, requests carry Standard Webhooks webhook-id/-timestamp/-signature headers",
    )

    @field_validator("headers", mode="before")
    @classmethod
    def _header_lines(cls, value: object) -> str | None:
        if isinstance(value, SecretStr):
            value = value.get_secret_value()
        lines = value if isinstance(value, list | tuple) else str(value or "").splitlines()
        cleaned = []
        for number, line in enumerate((str(raw) for raw in lines if str(raw).strip()), start=1):
            name, colon, header_value = line.partition(":")
            if not colon or not _HEADER_NAME.match(name.strip()):
                # Said by position: the line may be all secret ("Authorization Bearer …").
                raise ValueError(f"header line {number} is not 'Name: Value'")
            if any(c in header_value for c in "\r\n\0"):
                raise ValueError(f"header {name.strip()!r} contains a line break")
            cleaned.append(f"{name.strip()}: {header_value.strip()}")
        return "\n".join(cleaned) or None

    def header_map(self) -> dict[str, str]:
        """The headers as a mapping (later lines win)."""
        lines = self.headers.get_secret_value().splitlines() if self.headers else []
        return {name: value for name, _, value in (h.partition(": ") for h in lines)}

    def secret_parts(self) -> tuple[str, ...]:
        """Header values, and the credential after a scheme ("Bearer x"), masked wherever echoed."""
        parts = []
        for value in self.header_map().values():
            parts += [value, value.rpartition(" ")[2]]
        return tuple(parts)


_JSON_TYPES = ("application/json", "+json")
_FORM_TYPE = "application/x-www-form-urlencoded"
_SIGNATURE_PREFIX = "whsec_"


def _fields(outgoing: Outgoing) -> dict[str, str]:
    """The values a body template can use, as text."""
    return {
        "title": outgoing.title,
        "body": outgoing.body,
        "text": outgoing.text,
        "format": outgoing.format.value,
        "url": outgoing.url,
        "message_id": str(outgoing.message_id),
        "delivery_id": str(outgoing.delivery_id),
        "receivers": ",".join(outgoing.receivers),
        "trace_id": outgoing.trace_id,
    }


def media_type(config: Config) -> str:
    """The Content-Type without parameters, lower case."""
    return config.content_type.lower().split(";")[0].strip()


def render_body(config: Config, outgoing: Outgoing) -> str:
    """The request body: the template with message fields, or a JSON document when there is none."""
    is_json = media_type(config).endswith(_JSON_TYPES)
    if not config.body_template:
        return json.dumps(
            {
                "type": "message",
                "timestamp": int(time.time()),
                "data": _fields(outgoing)
                | {
                    "receivers": list(outgoing.receivers),
                    "mentions": {
                        "mobiles": list(outgoing.mentions.mobiles),
                        "user_ids": list(outgoing.mentions.user_ids),
                        "all": outgoing.mentions.all,
                    },
                },
            },
            ensure_ascii=False,
        )
    values = _fields(outgoing)
    if is_json:
        # Substituted inside JSON strings: escape them as JSON, without the surrounding quotes.
        values = {k: json.dumps(v, ensure_ascii=False)[1:-1] for k, v in values.items()}
    elif media_type(config) == _FORM_TYPE:
        # Substituted as form values: encoded, so "a&role=admin" stays one value.
        values = {k: quote_plus(v, safe="") for k, v in values.items()}
    body = render(config.body_template, values)
    if is_json:
        try:
            json.loads(body)
        except ValueError:
            raise ChannelError(
                "the body template did not render to valid JSON", ErrorClass.PERMANENT
            ) from None
    return body


def sign(secret: str, webhook_id: str, timestamp: int, body: bytes) -> str:
    """Standard Webhooks: base64(HMAC-SHA256(key, "{id}.{timestamp}.{body}")), as `v1,<sig>`."""
    key = (
        base64.b64decode(secret[len(_SIGNATURE_PREFIX) :])
        if secret.startswith(_SIGNATURE_PREFIX)
        else secret.encode()
    )
    signed = f"{webhook_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


async def send(outgoing: Outgoing, config: Config, ctx: SendContext) -> Receipt:
    url = config.url
    if "{{" in url:  # most URLs have no placeholder: skip quoting every field on each send
        url = render(url, {k: quote(v, safe="") for k, v in _fields(outgoing).items()})
    body = b"" if config.method == "GET" else render_body(config, outgoing).encode()
    headers = {"Content-Type": config.content_type, "User-Agent": "PushNest-Webhook/1"} | config.header_map()
    # Stable across retries, so the receiver can drop duplicates (delivery is at-least-once).
    webhook_id = f"msg_{outgoing.idempotency_key}"
    headers["webhook-id"] = webhook_id
    if config.signing_secret is not None:
        timestamp = int(time.time())
        headers["webhook-timestamp"] = str(timestamp)
        headers["webhook-signature"] = sign(
            config.signing_secret.get_secret_value(), webhook_id, timestamp, body
        )
    response = await call(ctx, config.method, url, content=body or None, headers=headers)
    return classify(response)


def classify(response: httpx.Response) -> Receipt:
    """2xx delivered; 429/503 throttled; 408 and other 5xx retried; 3xx, 410 and other 4xx final."""
    answer = kept(f"HTTP {response.status_code} {response.text}".strip())
    status = response.status_code
    if 200 <= status < 300:
        return Receipt(answer)
    if status in (429, 503) or (status in (502, 504) and "retry-after" in response.headers):
        raise ChannelError(
            f"throttled (HTTP {status})", ErrorClass.RATE_LIMITED, throttle_wait(response), answer
        )
    if status == 408 or (status >= 500 and status != 501):
        raise ChannelError(f"HTTP {status}", ErrorClass.RETRYABLE, vendor_response=answer)
    raise ChannelError(f"HTTP {status}", ErrorClass.PERMANENT, vendor_response=answer)


CHANNEL_TYPE = ChannelType(
    key="webhook",
    label="Custom webhook",
    config_model=Config,
    formats=(Format.TEXT, Format.MARKDOWN, Format.HTML),
    send=send,
    description="Call any HTTP endpoint with your own method, headers and body; 2xx means delivered.",
)
