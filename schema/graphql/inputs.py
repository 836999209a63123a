"""Input types. Resolvers turn them into plain dicts; the services do all the checking."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from enum import Enum
from typing import Any

import strawberry
from strawberry.scalars import JSON

from schema.graphql.types import FormatEnum, KeyScopeEnum, RoleEnum


def as_dict(value: object, drop_none: bool = False, skip: tuple[str, ...] = ()) -> dict[str, Any]:
    """A strawberry input as a dict with snake_case keys and enum members turned into values."""
    out = {}
    for f in dataclasses.fields(value):  # type: ignore[arg-type]
        if f.name in skip:
            continue
        item = getattr(value, f.name)
        if drop_none and item is None:
            continue
        out[f.name] = _plain(item)
    return out


def given(value: object) -> dict[str, Any]:
    """The fields a client sent, explicit nulls included, for inputs whose fields default to UNSET."""
    return {name: item for name, item in as_dict(value).items() if item is not strawberry.UNSET}


def _plain(item: Any) -> Any:
    if isinstance(item, Enum):
        return item.value
    if isinstance(item, list):
        return [_plain(i) for i in item]
    if dataclasses.is_dataclass(item) and not isinstance(item, type):
        return as_dict(item)
    return item


@strawberry.input
class CreateChannelInput:
    name: str
    type: str
    config: JSON
    enabled: bool = True
    allow_private_targets: bool = strawberry.field(
        default=False,
        description="Let this channel reach private, loopback and link-local addresses (admins only).",
    )


@strawberry.input
class UpdateChannelInput:
    """Fields left out keep their value. In `config`, a secret left out or sent as ******** is kept."""

    name: str | None = None
    config: JSON | None = None
    enabled: bool | None = None
    allow_private_targets: bool | None = strawberry.field(
        default=None,
        description="Admins only (true). A member's change to where the channel connects (URL, host, port) switches it off.",
    )


@strawberry.input
class BindingInput:
    channel_id: int
    format: FormatEnum | None = None  # type: ignore[valid-type]
    # Left out or null: {} (see bindings_of). No `{}` default: introspection cannot show it.
    options: JSON | None = None
    mention_mobiles: list[str] = strawberry.field(default_factory=list)
    mention_user_ids: list[str] = strawberry.field(default_factory=list)
    mention_all: bool = False
    accepts_receivers: bool = False
    enabled: bool = True


def bindings_of(items: list[BindingInput] | None) -> list[dict[str, Any]] | None:
    if items is None:
        return None
    rows = [as_dict(item) for item in items]
    for row in rows:
        row["options"] = row["options"] or {}
    return rows


@strawberry.input
class CreateTaskInput:
    name: str
    description: str = ""
    enabled: bool = True
    bindings: list[BindingInput] = strawberry.field(default_factory=list)


@strawberry.input
class UpdateTaskInput:
    """Fields left out keep their value; `bindings`, when given, replaces the whole list."""

    name: str | None = None
    description: str | None = None
    enabled: bool | None = None
    accept_legacy_token: bool | None = strawberry.field(
        default=None,
        description="Admins only: accept this task's Message Nest token on the compat endpoints without an "
        "API key (the token is guessable: it only encodes the id). Audited.",
    )
    bindings: list[BindingInput] | None = None


@strawberry.input
class PlaceholderInput:
    key: str
    label: str = ""
    default: str = ""


@strawberry.input
class CreateTemplateInput:
    name: str
    description: str = ""
    title: str = ""
    text_body: str = ""
    markdown_body: str = ""
    html_body: str = ""
    placeholders: list[PlaceholderInput] = strawberry.field(default_factory=list)
    mention_mobiles: list[str] = strawberry.field(default_factory=list)
    mention_user_ids: list[str] = strawberry.field(default_factory=list)
    mention_all: bool = False
    enabled: bool = True
    bindings: list[BindingInput] = strawberry.field(default_factory=list)


@strawberry.input
class UpdateTemplateInput:
    """Fields left out keep their value; `bindings`, when given, replaces the whole list."""

    name: str | None = None
    description: str | None = None
    title: str | None = None
    text_body: str | None = None
    markdown_body: str | None = None
    html_body: str | None = None
    placeholders: list[PlaceholderInput] | None = None
    mention_mobiles: list[str] | None = None
    mention_user_ids: list[str] | None = None
    mention_all: bool | None = None
    enabled: bool | None = None
    accept_legacy_token: bool | None = strawberry.field(
        default=None,
        description="Admins only: accept this template's Message Nest token on the compat endpoints without an "
        "API key (the token is guessable: it only encodes the id). Audited.",
    )
    bindings: list[BindingInput] | None = None


@strawberry.input
class CreateApiKeyInput:
    name: str
    scope: KeyScopeEnum  # type: ignore[valid-type]
    task_id: int | None = None
    template_id: int | None = None
    expires_at: datetime | None = strawberry.field(
        default=None, description="When the key stops working (in the future); left out, never."
    )


@strawberry.input
class CreateUserInput:
    username: str
    password: str
    role: RoleEnum = strawberry.field(default=RoleEnum.MEMBER)  # type: ignore[valid-type]
    groups: list[str] = strawberry.field(
        default_factory=list, description="Group names (at most 20; compared in lower case)."
    )


@strawberry.input(description="Fields left out (or null) keep their value.")
class UpdateUserInput:
    role: RoleEnum | None = None  # type: ignore[valid-type]
    groups: list[str] | None = strawberry.field(
        default=None,
        description="Replaces the user's groups ([] for none): who the user's sends may reach in-site.",
    )
    is_active: bool | None = strawberry.field(
        default=None,
        description="false: the user cannot sign in and their sessions and API keys stop working.",
    )
    password: str | None = strawberry.field(
        default=None, description="A new password (8 to 256 characters); ends every session of the user."
    )


@strawberry.input
class AuditLogFilter:
    action: str | None = None
    actor_name: str | None = None
    object_type: str | None = None
    object_id: str | None = None
