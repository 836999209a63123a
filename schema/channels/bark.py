"""Bark: iOS push notifications through a Bark server (api.day.app or self-hosted).

POST {server}/push with a JSON body (the device key in the body, never in the URL). Markdown goes
in `markdown` (newer Bark apps render it and ignore `body`), text in `body`.

With an encryption key (Bark's "push encryption", AES-128/192/256 in CBC mode by the key's length,
PKCS#7 padding) the notification fields travel only as `ciphertext` (base64) with the `iv`, so the
Bark server and Apple's push service never see the text; the app decrypts with the same key.
"""

from __future__ import annotations

import base64
import json
from typing import Any, Literal

import httpx
from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from pydantic import Field, SecretStr, model_validator

from schema.channels.base import (
    BaseUrl,
    ChannelType,
    ErrorClass,
    Format,
    HttpChannelConfig,
    OptionalHttpUrl,
    Outgoing,
    Receipt,
    SendContext,
)
from schema.channels.http import call
from schema.channels.http_status import check_status, json_of, vendor_failure


class Config(HttpChannelConfig):
    """One device on one Bark server."""

    base_url: BaseUrl = Field(default="https://api.day.app", title="Server URL")
    device_key: SecretStr = Field(title="Device key")
    level: Literal["active", "timeSensitive", "passive", "critical"] = Field(
        default="active", title="Interruption level"
    )
    sound: str = Field(default="", title="Sound", description="e.g. bell.caf; empty = default")
    group: str = Field(default="", title="Group")
    icon: OptionalHttpUrl = Field(default="", title="Icon URL")
    archive: bool = Field(default=True, title="Save in Bark's history")
    encryption_key: SecretStr | None = Field(
        default=None,
        title="Encryption key",
        description="The app's push-encryption key (16, 24 or 32 characters: AES-128/192/256, CBC)",
    )
    encryption_iv: str = Field(
        default="", title="Encryption IV", description="16 characters, as set in the app"
    )

    @model_validator(mode="after")
    def _key_and_iv(self) -> Config:
        if self.encryption_key is None:
            return self
        if len(self.encryption_key.get_secret_value().encode()) not in (16, 24, 32):
            raise ValueError("the encryption key must be 16, 24 or 32 characters (AES-128/192/256)")
        if len(self.encryption_iv.encode()) != 16:
            raise ValueError("an encryption key needs a 16-character IV")
        return self


def encrypt(fields: dict[str, Any], key: str, iv: str) -> str:
    """[doc: Bark push encryption] base64(AES-CBC(key, iv, PKCS#7(JSON of the fields)))."""
    padder = padding.PKCS7(128).padder()
    plain = padder.update(json.dumps(fields, ensure_ascii=False).encode()) + padder.finalize()
    encryptor = Cipher(algorithms.AES(key.encode()), modes.CBC(iv.encode())).encryptor()
    return base64.b64encode(encryptor.update(plain) + encryptor.finalize()).decode()


def payload(outgoing: Outgoing, config: Config) -> dict[str, Any]:
    """The push request: the body in `markdown` or `body` by format, plus the device's settings."""
    data: dict[str, Any] = {
        "device_key": config.device_key.get_secret_value(),
        "title": outgoing.title,
        "level": config.level,
        "isArchive": 1 if config.archive else 0,
    }
    if outgoing.format is Format.MARKDOWN:
        data["markdown"] = outgoing.body
    else:
        data["body"] = outgoing.body
    optional = {"url": outgoing.url, "group": config.group, "icon": config.icon, "sound": config.sound}
    data.update({key: value for key, value in optional.items() if value})
    if config.encryption_key is None:
        return data
    fields = {k: v for k, v in data.items() if k != "device_key"}
    ciphertext = encrypt(fields, config.encryption_key.get_secret_value(), config.encryption_iv)
    return {"device_key": data["device_key"], "ciphertext": ciphertext, "iv": config.encryption_iv}


async def send(outgoing: Outgoing, config: Config, ctx: SendContext) -> Receipt:
    response = await call(ctx, "POST", f"{config.base_url}/push", json=payload(outgoing, config))
    return classify(response, config.device_key.get_secret_value())


def classify(response: httpx.Response, device_key: str) -> Receipt:
    """[lib: apprise, MPN] success is `code == 200`; the server echoes an unknown key in its message."""
    data = json_of(response)
    detail = str(data.get("message") or "")
    answer = check_status(response, detail, secrets=(device_key,))
    if data.get("code") == 200:
        return Receipt(answer)
    code = data.get("code")
    error_class = ErrorClass.RETRYABLE if isinstance(code, int) and code >= 500 else ErrorClass.PERMANENT
    raise vendor_failure(f"Bark: {detail or 'no success code'}", error_class, answer, secrets=(device_key,))


CHANNEL_TYPE = ChannelType(
    key="bark",
    label="Bark (iOS)",
    config_model=Config,
    formats=(Format.MARKDOWN, Format.TEXT),
    max_body_bytes=4096,  # [mem] APNs payload limit; the whole payload must fit
    description="Push to an iPhone through the Bark app.",
    send=send,
)
