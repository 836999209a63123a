"""Bindings: which channels a task or template fans out to, each with format, receivers, mentions."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import Field, StringConstraints, ValidationError

from schema.channels.base import ChannelType, Mention
from schema.channels.registry import get_channel_type
from schema.errors import BadInput
from schema.models import Binding, Channel, Task, Template, User
from schema.services.inbox_access import INBOX_TYPE, USERNAMES_OPTION, check_receivers
from schema.services.validation import Input, bad_input, parse

MAX_BINDINGS = 50
_MentionValue = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]


class BindingInput(Input):
    channel_id: int
    format: str | None = None
    options: dict[str, Any] = Field(default_factory=dict)
    mention_mobiles: list[_MentionValue] = Field(default_factory=list, max_length=100)
    mention_user_ids: list[_MentionValue] = Field(default_factory=list, max_length=100)
    mention_all: bool = False
    accepts_receivers: bool = False
    enabled: bool = True


@dataclass(frozen=True)
class CheckedBinding:
    """A binding input that passed every check against its channel's type."""

    channel: Channel
    format: str
    options: dict[str, Any]
    spec: BindingInput


async def check_bindings(owner: User, raw: list[dict[str, Any]]) -> list[CheckedBinding]:
    """Check each binding against its channel; the channel must belong to the task's owner, and
    the inbox users a binding names must be ones the owner may send to."""
    if len(raw) > MAX_BINDINGS:
        raise BadInput(f"at most {MAX_BINDINGS} bindings", field="bindings")
    specs = [parse(BindingInput, item, f"bindings.{i}") for i, item in enumerate(raw)]
    channels = {
        c.id: c for c in await Channel.filter(id__in=[s.channel_id for s in specs], owner_id=owner.id)
    }
    checked = []
    for index, spec in enumerate(specs):
        field = f"bindings.{index}"
        channel = channels.get(spec.channel_id)
        if channel is None:
            raise BadInput(f"{field}.channelId: no channel with this id", field=f"{field}.channelId")
        binding = _check_one(get_channel_type(channel.type), channel, spec, field)
        if channel.type == INBOX_TYPE:
            names = binding.options.get(USERNAMES_OPTION, [])
            await check_receivers(owner, names, f"{field}.options.{USERNAMES_OPTION}")
        checked.append(binding)
    return checked


def _check_one(kind: ChannelType, channel: Channel, spec: BindingInput, field: str) -> CheckedBinding:
    fmt = spec.format or kind.formats[0].value
    if fmt not in {f.value for f in kind.formats}:
        allowed = ", ".join(f.value for f in kind.formats)
        raise BadInput(f"{field}.format: {kind.label} sends {allowed}, not {fmt!r}", field=f"{field}.format")
    wanted = {
        Mention.MOBILES: bool(spec.mention_mobiles),
        Mention.USER_IDS: bool(spec.mention_user_ids),
        Mention.ALL: spec.mention_all,
    }
    for mention, used in wanted.items():
        if used and mention not in kind.mentions:
            name = {"mobiles": "mentionMobiles", "user_ids": "mentionUserIds", "all": "mentionAll"}[
                mention.value
            ]
            raise BadInput(
                f"{field}.{name}: {kind.label} cannot @-mention {mention.value}", field=f"{field}.{name}"
            )
    if spec.accepts_receivers and not kind.supports_receivers:
        raise BadInput(
            f"{field}.acceptsReceivers: {kind.label} takes no per-call receivers",
            field=f"{field}.acceptsReceivers",
        )
    try:
        options = kind.binding_model.model_validate(spec.options).model_dump(mode="json")
    except ValidationError as exc:
        raise bad_input(exc, f"{field}.options") from None
    return CheckedBinding(channel=channel, format=fmt, options=options, spec=spec)


async def replace_bindings(target: Task | Template, checked: list[CheckedBinding]) -> None:
    """Make `checked` the target's bindings, in order. Call inside the caller's transaction."""
    owner = {"task": target} if isinstance(target, Task) else {"template": target}
    await Binding.filter(**{f"{key}_id": value.id for key, value in owner.items()}).delete()
    for position, item in enumerate(checked):
        await Binding.create(
            **owner,
            channel=item.channel,
            format=item.format,
            options=item.options,
            mention_mobiles=item.spec.mention_mobiles,
            mention_user_ids=item.spec.mention_user_ids,
            mention_all=item.spec.mention_all,
            accepts_receivers=item.spec.accepts_receivers,
            enabled=item.spec.enabled,
            position=position,
        )


async def bindings_of_tasks(task_ids: list[int]) -> dict[int, list[Binding]]:
    """Every binding of these tasks, with its channel, in one query."""
    grouped: dict[int, list[Binding]] = defaultdict(list)
    for binding in await Binding.filter(task_id__in=task_ids).select_related("channel"):
        if binding.task_id is not None:
            grouped[binding.task_id].append(binding)
    return grouped


async def bindings_of_templates(template_ids: list[int]) -> dict[int, list[Binding]]:
    grouped: dict[int, list[Binding]] = defaultdict(list)
    for binding in await Binding.filter(template_id__in=template_ids).select_related("channel"):
        if binding.template_id is not None:
            grouped[binding.template_id].append(binding)
    return grouped


def describe(bindings: list[CheckedBinding] | list[Binding]) -> list[str]:
    """A short text per binding for the audit diff."""
    out = []
    for b in bindings:
        enabled = b.spec.enabled if isinstance(b, CheckedBinding) else b.enabled
        out.append(f"{b.channel.name}:{b.format}{'' if enabled else ' (off)'}")
    return out
