"""A channel config split into its public part and its secrets, and the secrets sealed at rest."""

from __future__ import annotations

import json
from typing import Any

from pydantic import SecretStr

from schema.channels.base import PROXY_FIELDS, ChannelConfig, ChannelType
from schema.crypto import SecretBox


def split_config(kind: ChannelType, config: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """Validate with the type's model (raises pydantic's ValidationError); public JSON and clear secrets."""
    return split_model(kind, kind.config_model.model_validate(config))


def split_model(kind: ChannelType, model: ChannelConfig) -> tuple[dict[str, Any], dict[str, str]]:
    """A validated config as public JSON and clear secrets."""
    names = kind.secret_names()
    public = model.model_dump(mode="json", exclude=set(names))
    # No proxy, no proxy field: configs read the same as those saved before channels had proxies.
    for name in PROXY_FIELDS:
        if public.get(name) == "":
            del public[name]
    secrets: dict[str, str] = {}
    for name in names:
        value = getattr(model, name)
        if isinstance(value, SecretStr) and value.get_secret_value():
            secrets[name] = value.get_secret_value()
    return public, secrets


def seal_secrets(box: SecretBox, secrets: dict[str, str]) -> str:
    return box.seal(json.dumps(secrets)) if secrets else ""


def open_secrets(box: SecretBox, sealed: str) -> dict[str, str]:
    if not sealed:
        return {}
    return {str(k): str(v) for k, v in json.loads(box.open(sealed)).items()}
