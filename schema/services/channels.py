"""Channels: validate a type's config, keep its secrets sealed, and never hand them back.

Where a channel connects (its declared targets: vendor base URLs, a webhook's URL, an SMTP host)
is checked when it is saved: a private, loopback or link-local target is refused (BAD_INPUT on
that field) unless the operator allowed private targets (PUSHNEST_ALLOW_PRIVATE_TARGETS) or an
admin allowed them for this channel (`allow_private_targets`). A member cannot set that flag
(FORBIDDEN), and a member's change to where the channel connects (a URL, host or port field)
switches it off: the admin approved the target the channel had, not the new one.
The check at save time is for the user; the guard that holds is at send time (schema/net/).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from tortoise.exceptions import IntegrityError

from schema.channels.base import ChannelConfig, ChannelType
from schema.channels.registry import CHANNEL_TYPES, get_channel_type
from schema.channels.sealing import open_secrets, seal_secrets, split_model
from schema.crypto import SecretBox
from schema.errors import BadInput, Conflict, Forbidden, NotFound
from schema.models import Binding, Channel
from schema.net.targets import TargetRefused, check_config, target_values
from schema.services import audit
from schema.services.pagination import Page, paginate
from schema.services.principal import Principal
from schema.services.runtime import Runtime
from schema.services.validation import Input, Name, bad_input, camel, parse

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
    stored = set(_stored_secrets(runtime, channel, kind))
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
    runtime: Runtime,
    principal: Principal,
    name: str,
    type_key: str,
    config: dict[str, Any],
    enabled: bool,
    allow_private_targets: bool = False,
) -> Channel:
    user = principal.require_user()
    _check_may_allow(principal, allow_private_targets)
    fields = parse(ChannelFields, {"name": name, "enabled": enabled})
    kind = get_channel_type(type_key)
    model = _validated(kind, config)
    await refuse_private_targets(model, runtime.settings.allow_private_targets or allow_private_targets)
    public, secrets = split_model(kind, model)
    try:
        channel = await Channel.create(
            owner=user,
            name=fields.name,
            type=kind.key,
            config=public,
            secrets_sealed=_seal(runtime, secrets),
            enabled=fields.enabled,
            allow_private_targets=allow_private_targets,
        )
    except IntegrityError:
        raise Conflict(f"you already have a channel named {fields.name!r}", field="name") from None
    after = {"name": channel.name, "type": kind.key, "enabled": channel.enabled, **public, **secrets}
    if allow_private_targets:
        after["allow_private_targets"] = True
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
    allow_private_targets: bool | None = None,
) -> Channel:
    """Change what is given. In `config`, a secret left out or sent as the mask keeps its value."""
    channel = await get_channel(principal, channel_id)
    _check_may_allow(principal, bool(allow_private_targets))
    kind = get_channel_type(channel.type)
    old_secrets = _stored_secrets(runtime, channel, kind)
    before = _audited(channel, old_secrets)
    fields = parse(
        ChannelFields,
        {
            "name": channel.name if name is None else name,
            "enabled": channel.enabled if enabled is None else enabled,
        },
    )
    allow = channel.allow_private_targets if allow_private_targets is None else allow_private_targets
    if config is not None:
        kept = {k: v for k, v in old_secrets.items() if config.get(k, MASK) == MASK}
        given = {k: v for k, v in config.items() if not (k in kind.secret_names() and v == MASK)}
        model = _validated(kind, given | kept)
        if allow and not principal.is_admin and _targets_changed(runtime, channel, model):
            allow = False  # an admin approved the old target, not the member's new one
        await refuse_private_targets(model, runtime.settings.allow_private_targets or allow)
        public, secrets = split_model(kind, model)
        channel.config, channel.secrets_sealed = public, _seal(runtime, secrets)
    channel.name, channel.enabled, channel.allow_private_targets = fields.name, fields.enabled, allow
    try:
        await channel.save()
    except IntegrityError:
        raise Conflict(f"you already have a channel named {fields.name!r}", field="name") from None
    after = _audited(channel, _open_secrets(runtime, channel))
    await audit.record(
        principal, "channel.update", "channel", channel.id, audit.diff(before, after, kind.secret_names())
    )
    return channel


def _audited(channel: Channel, secrets: dict[str, Any]) -> dict[str, Any]:
    """What an audit diff compares (secrets are masked by `audit.diff`)."""
    return {
        "name": channel.name,
        "enabled": channel.enabled,
        "allow_private_targets": channel.allow_private_targets,
        **channel.config,
        **secrets,
    }


def _targets_changed(runtime: Runtime, channel: Channel, model: ChannelConfig) -> bool:
    try:
        before = open_config_with_box(runtime.secret_box, channel)
    except (ValidationError, ValueError):
        return True
    return target_values(before) != target_values(model)


def _check_may_allow(principal: Principal, allow_private_targets: bool) -> None:
    if allow_private_targets and not principal.is_admin:
        raise Forbidden("only an admin can allow a channel to reach private networks")


async def refuse_private_targets(model: ChannelConfig, allowed: bool) -> None:
    """BAD_INPUT naming the field whose target is private (see the module docstring), unless allowed."""
    if allowed:
        return
    try:
        await check_config(model)
    except TargetRefused as exc:
        field = f"config.{camel(exc.field)}"
        raise BadInput(
            f"{field}: {exc.host} is a private, loopback or link-local address; only an admin can "
            "allow a channel to reach private networks",
            field=field,
        ) from None


async def delete_channel(principal: Principal, channel_id: int) -> None:
    channel = await get_channel(principal, channel_id)
    in_use = await Binding.filter(channel_id=channel.id).count()
    if in_use:
        raise Conflict(f"channel is bound to {in_use} task(s) or template(s); remove those bindings first")
    await channel.delete()
    await audit.record(principal, "channel.delete", "channel", channel.id, {"name": [channel.name, None]})


def _validated(kind: ChannelType, config: dict[str, Any]) -> ChannelConfig:
    """The type's config model for `config`, or BAD_INPUT naming the first bad field."""
    if len(json.dumps(config, default=str)) > _MAX_CONFIG_BYTES:
        raise BadInput(f"config is larger than {_MAX_CONFIG_BYTES} bytes", field="config")
    try:
        return kind.config_model.model_validate(config)
    except ValidationError as exc:
        raise bad_input(exc, "config") from None


def _seal(runtime: Runtime, secrets: dict[str, str]) -> str:
    return seal_secrets(runtime.secret_box, secrets)


def _open_secrets(runtime: Runtime, channel: Channel) -> dict[str, str]:
    return open_secrets(runtime.secret_box, channel.secrets_sealed)


def _stored_secrets(runtime: Runtime, channel: Channel, kind: ChannelType) -> dict[str, Any]:
    """The channel's secrets: sealed ones, and any still kept in the public config (a field that
    became secret after the row was written, like webhook headers, until `seal_legacy_secrets`)."""
    legacy = {name: channel.config[name] for name in kind.secret_names() if channel.config.get(name)}
    return legacy | _open_secrets(runtime, channel)


async def seal_legacy_secrets(box: SecretBox) -> int:
    """Move secret fields still kept in public configs into the sealed secrets; returns how many rows.

    Run at start-up: rows written before a field became secret. Each row is updated only if it did
    not change meanwhile, so API processes starting together do not overwrite each other or a user.
    """
    moved = 0
    for channel in await Channel.all().only("id", "type", "config", "secrets_sealed", "updated_at"):
        kind = CHANNEL_TYPES.get(channel.type)
        if kind is None or not kind.secret_names() & set(channel.config):
            continue
        try:
            model = kind.config_model.model_validate(
                channel.config | open_secrets(box, channel.secrets_sealed)
            )
        except (ValidationError, ValueError):
            continue  # left as it is: sending reports the config as not valid
        public, secrets = split_model(kind, model)
        moved += await Channel.filter(id=channel.id, updated_at=channel.updated_at).update(
            config=public, secrets_sealed=seal_secrets(box, secrets)
        )
    return moved
