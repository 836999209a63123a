"""Opened channel configs, cached per channel version so secrets are not decrypted for every send."""

from __future__ import annotations

from typing import Any

from schema.crypto import SecretBox
from schema.models import Channel
from schema.services.channels import open_config_with_box

_MAX_ENTRIES = 10_000


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
