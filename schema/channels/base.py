"""What every channel type declares: its account config, per-binding options, formats and limits.

A channel type is data, not a class hierarchy: the console builds its forms from `fields()`, the
renderer picks a body by `formats`, and the delivery engine enforces `max_body_bytes` and
`rate_limit` in one place for all channels.
"""

from __future__ import annotations

import types
import typing
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, ConfigDict, SecretStr


class Format(StrEnum):
    """A body format a channel can send."""

    TEXT = "text"
    MARKDOWN = "markdown"
    HTML = "html"


class FieldKind(StrEnum):
    """How the console renders a config field."""

    STRING = "string"
    SECRET = "secret"
    TEXT = "text"
    INTEGER = "integer"
    BOOLEAN = "boolean"
    SELECT = "select"
    STRING_LIST = "string_list"


class Mention(StrEnum):
    """The kinds of @-mention a channel can carry."""

    MOBILES = "mobiles"
    USER_IDS = "user_ids"
    ALL = "all"


def _http_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("must be an http(s) URL")
    return value


def _optional_http_url(value: str) -> str:
    return _http_url(value) if value else value


# A vendor API root: http(s) only, kept without a trailing slash so paths join cleanly.
BaseUrl = Annotated[str, AfterValidator(lambda value: _http_url(value).rstrip("/"))]
HttpUrl = Annotated[str, AfterValidator(_http_url)]
# An http(s) URL or empty (an optional icon, avatar, link…).
OptionalHttpUrl = Annotated[str, AfterValidator(_optional_http_url)]


class ChannelConfig(BaseModel):
    """Base for account configs and binding options: unknown keys are refused, not ignored."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class NoBindingOptions(ChannelConfig):
    """For channel types whose bindings take no options of their own."""


@dataclass(frozen=True)
class RateLimit:
    """A vendor's documented send limit for one channel account."""

    count: int
    per_seconds: int

    def describe(self) -> str:
        return f"{self.count}/{self.per_seconds}s"


@dataclass(frozen=True)
class FieldSpec:
    """One form field, derived from a pydantic model field."""

    name: str
    label: str
    kind: FieldKind
    required: bool
    default: Any = None
    help: str | None = None
    options: tuple[str, ...] = ()


@dataclass(frozen=True)
class ChannelType:
    """A channel type's declaration. `key` is stable: it is stored in the database."""

    key: str
    label: str
    config_model: type[ChannelConfig]
    formats: tuple[Format, ...]
    binding_model: type[ChannelConfig] = NoBindingOptions
    mentions: frozenset[Mention] = field(default_factory=frozenset)
    # The kind of dynamic receiver a call may pass ("email", "openid", "mobile", "userid"), if any.
    receiver_kind: str | None = None
    max_body_bytes: int | None = None
    rate_limit: RateLimit | None = None
    description: str = ""

    @property
    def supports_mentions(self) -> bool:
        return bool(self.mentions)

    @property
    def supports_receivers(self) -> bool:
        return self.receiver_kind is not None

    def config_fields(self) -> list[FieldSpec]:
        return fields_of(self.config_model)

    def binding_fields(self) -> list[FieldSpec]:
        return fields_of(self.binding_model)

    def secret_names(self) -> frozenset[str]:
        return frozenset(f.name for f in self.config_fields() if f.kind is FieldKind.SECRET)


def fields_of(model: type[BaseModel]) -> list[FieldSpec]:
    """Describe a model's fields for a generated form, in declaration order."""
    specs = []
    for name, info in model.model_fields.items():
        kind, options = _kind_of(info.annotation)
        extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
        if "kind" in extra:
            kind = FieldKind(str(extra["kind"]))
        default = None if info.is_required() else info.get_default(call_default_factory=True)
        if isinstance(default, SecretStr):
            default = None
        specs.append(
            FieldSpec(
                name=name,
                label=info.title or name.replace("_", " ").capitalize(),
                kind=kind,
                required=info.is_required(),
                default=default,
                help=info.description,
                options=options,
            )
        )
    return specs


def _kind_of(annotation: Any) -> tuple[FieldKind, tuple[str, ...]]:
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType) and len(args) == 1:
        return _kind_of(args[0])
    if origin is Literal:
        return FieldKind.SELECT, tuple(str(a) for a in typing.get_args(annotation))
    if origin in (list, tuple, set, frozenset):
        return FieldKind.STRING_LIST, ()
    if isinstance(annotation, type):
        if issubclass(annotation, SecretStr):
            return FieldKind.SECRET, ()
        if issubclass(annotation, bool):
            return FieldKind.BOOLEAN, ()
        if issubclass(annotation, int):
            return FieldKind.INTEGER, ()
        if issubclass(annotation, StrEnum):
            return FieldKind.SELECT, tuple(m.value for m in annotation)
    return FieldKind.STRING, ()
