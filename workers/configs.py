"""Opened channel configs, cached per channel version so secrets are not decrypted for every send."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from schema.channels.masking import secret_values
from schema.crypto import SecretBox
from schema.models import Channel
from schema.services.channels import open_config_with_box

_MAX_ENTRIES = 10_000


@dataclass(frozen=True)
class OpenedConfig:
    config: Any
    # Its secret values, to mask wherever they were echoed back (computed once, not per send).
    secrets: tuple[str, ...]


class ConfigCache:
    def __init__(self, secret_box: SecretBox) -> None:
        self._box = secret_box
        self._entries: dict[tuple[int, float], OpenedConfig] = {}

    def get(self, channel: Channel) -> OpenedConfig:
        key = (channel.id, channel.updated_at.timestamp())
        opened = self._entries.get(key)
        if opened is None:
            if len(self._entries) >= _MAX_ENTRIES:
                self._entries.clear()
            config = open_config_with_box(self._box, channel)
            opened = self._entries[key] = OpenedConfig(config, secret_values(config))
        return opened
