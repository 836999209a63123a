"""Opened channel configs, cached per channel version so secrets are not decrypted for every send."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from pydantic import SecretStr

from schema.crypto import SecretBox
from schema.models import Channel
from schema.services.channels import open_config_with_box

_MAX_ENTRIES = 10_000
_MIN_MASKED = 4
MASK = "********"


def secret_values(config: Any) -> tuple[str, ...]:
    """The config's secret values, longest first (so a secret containing another is masked whole)."""
    values = [
        getattr(config, name).get_secret_value()
        for name, info in type(config).model_fields.items()
        if isinstance(getattr(config, name), SecretStr)
    ]
    return tuple(sorted((v for v in values if len(v) >= _MIN_MASKED), key=len, reverse=True))


def scrub(text: str, secrets: tuple[str, ...]) -> str:
    """Mask secret values (and their URL-encoded forms) that a vendor or a library echoed back."""
    for secret in secrets:
        text = text.replace(secret, MASK).replace(quote(secret, safe=""), MASK)
    return text


class ConfigCache:
    def __init__(self, secret_box: SecretBox) -> None:
        self._box = secret_box
        self._entries: dict[tuple[int, float], Any] = {}

    def get(self, channel: Channel) -> Any:
        key = (channel.id, channel.updated_at.timestamp())
        config = self._entries.get(key)
        if config is None:
            if len(self._entries) >= _MAX_ENTRIES:
                self._entries.clear()
            config = self._entries[key] = open_config_with_box(self._box, channel)
        return config
