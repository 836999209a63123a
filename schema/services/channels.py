"""Channels: validate a type's config, keep its secrets sealed, and never hand them back."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from tortoise.exceptions import IntegrityError

from schema.channels.base import ChannelConfig, ChannelType
from schema.channels.registry import get_channel_type
from schema.channels.sealing import open_secrets, seal_secrets, split_config
from schema.crypto import SecretBox
from schema.errors import BadInput, Conflict, NotFound
from schema.models import Binding, Channel
from schema.services import audit
from schema.services.pagination import Page, paginate
from schema.services.principal import Principal
from schema.services.runtime import Runtime
from schema.services.validation import Input, Name, bad_input, parse

MASK = audit.MASK
_MAX_CONFIG_BYTES = 32_768


class ChannelFields(Input):
    name: Name
    enabled: bool = True


@dataclass(frozen=True)
class ChannelView:
    """A channel as callers see it: config with every secret replaced by a mask (or null if unset)."""

    channel: Channel
    config: dict[str, Any]


def masked(runtime: Runtime, channel: Channel) -> ChannelView:
    kind = get_channel_type(channel.type)
    shown = dict(channel.config)
    stored = set(_open_secrets(runtime, channel))
    for name in kind.secret_names():
        shown[name] = MASK if name in stored else None
    return ChannelView(channel, shown)


def open_config_with_box(box: SecretBox, channel: Channel) -> ChannelConfig:
    """The full, validated config with secrets, for the code that sends. Never leaves the process."""
    kind = get_channel_type(channel.type)
    return kind.config_model.model_validate(channel.config | open_secrets(box, channel.secrets_sealed))


async def get_channel(principal: Principal, channel_id: int) -> Channel:
    channel = await Channel.get_or_none(id=channel_id)
    if channel is None:
        raise NotFound("no channel with this id")
    principal.check_owner(channel.owner_id, "channel")
    return channel


async def list_channels(
    principal: Principal, first: int | None, after: str | None, type_key: str | None = None
) -> Page[Channel]:
    query = Channel.filter(**principal.owner_filter())
    if type_key:
        query = query.filter(type=get_channel_type(type_key).key)
    return await paginate(query, first, after)


async def create_channel(
    runtime: Runtime, principal: Principal, name: str, type_key: str, config: dict[str, Any], enabled: bool
) -> Channel:
    user = principal.require_user()
    fields = parse(ChannelFields, {"name": name, "enabled": enabled})
    kind = get_channel_type(type_key)
    public, secrets = _validated(kind, config)
    try:
        channel = await Channel.create(
            owner=user,
            name=fields.name,
            type=kind.key,
            config=public,
            secrets_sealed=_seal(runtime, secrets),
            enabled=fields.enabled,
        )
    except IntegrityError:
        raise Conflict(f"you already have a channel named {fields.name!r}", field="name") from None
    after = {"name": channel.name, "type": kind.key, "enabled": channel.enabled, **public, **secrets}
    await audit.record(
        principal, "channel.create", "channel", channel.id, audit.diff({}, after, kind.secret_names())
    )
    return channel


async def update_channel(
    runtime: Runtime,
    principal: Principal,
    channel_id: int,
    name: str | None,
    config: dict[str, Any] | None,
    enabled: bool | None,
) -> Channel:
    """Change what is given. In `config`, a secret left out or sent as the mask keeps its value."""
    channel = await get_channel(principal, channel_id)
    kind = get_channel_type(channel.type)
    old_secrets = _open_secrets(runtime, channel)
    before = {"name": channel.name, "enabled": channel.enabled, **channel.config, **old_secrets}
    fields = parse(
        ChannelFields,
        {
            "name": channel.name if name is None else name,
            "enabled": channel.enabled if enabled is None else enabled,
        },
    )
    if config is not None:
        kept = {k: v for k, v in old_secrets.items() if config.get(k, MASK) == MASK}
        given = {k: v for k, v in config.items() if not (k in kind.secret_names() and v == MASK)}
        public, secrets = _validated(kind, given | kept)
        channel.config, channel.secrets_sealed = public, _seal(runtime, secrets)
    channel.name, channel.enabled = fields.name, fields.enabled
    try:
        await channel.save()
    except IntegrityError:
        raise Conflict(f"you already have a channel named {fields.name!r}", field="name") from None
    after = {
        "name": channel.name,
        "enabled": channel.enabled,
        **channel.config,
        **_open_secrets(runtime, channel),
    }
    await audit.record(
        principal, "channel.update", "channel", channel.id, audit.diff(before, after, kind.secret_names())
    )
    return channel


async def delete_channel(principal: Principal, channel_id: int) -> None:
    channel = await get_channel(principal, channel_id)
    in_use = await Binding.filter(channel_id=channel.id).count()
    if in_use:
        raise Conflict(f"channel is bound to {in_use} task(s) or template(s); remove those bindings first")
    await channel.delete()
    await audit.record(principal, "channel.delete", "channel", channel.id, {"name": [channel.name, None]})


def _validated(kind: ChannelType, config: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """Split a checked config into its public part and its secrets (plain strings)."""
    if len(json.dumps(config, default=str)) > _MAX_CONFIG_BYTES:
        raise BadInput(f"config is larger than {_MAX_CONFIG_BYTES} bytes", field="config")
    try:
        return split_config(kind, config)
    except ValidationError as exc:
        raise bad_input(exc, "config") from None


def _seal(runtime: Runtime, secrets: dict[str, str]) -> str:
    return seal_secrets(runtime.secret_box, secrets)


def _open_secrets(runtime: Runtime, channel: Channel) -> dict[str, str]:
    return open_secrets(runtime.secret_box, channel.secrets_sealed)
