"""What every channel type declares, and the contract of its `send`.

A channel declares its account config, per-binding options, formats and limits, and may provide
`send(outgoing, config, ctx) -> Receipt`. `send` does I/O only through the clients in `ctx` and
reports failure by raising a classified `ChannelError`; retries, rate limits, size limits and
attempt records live once in the delivery code, never in a channel.

A channel type is data, not a class hierarchy: the console builds its forms from `fields()`, the
renderer picks a body by `formats`, and the delivery engine enforces `max_body_bytes` and
`rate_limit` in one place for all channels.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Awaitable, Callable, Mapping
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Annotated, Any, Literal, Protocol
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, SecretStr

from schema.net.targets import Outbound, Resolve, system_resolve


class Format(StrEnum):
    """A body format a channel can send."""

    TEXT = "text"
    MARKDOWN = "markdown"
    HTML = "html"


class FieldKind(StrEnum):
    """How the console renders a config field."""

    STRING = "string"
    SECRET = "secret"
    SECRET_TEXT = "secret_text"  # several lines, write-only like SECRET (webhook headers)
    TEXT = "text"
    INTEGER = "integer"
    BOOLEAN = "boolean"
    SELECT = "select"
    STRING_LIST = "string_list"


SECRET_KINDS = frozenset({FieldKind.SECRET, FieldKind.SECRET_TEXT})


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


# A vendor API root: http(s) only, kept without a trailing slash so paths join cleanly. PushNest
# connects to it, so it is judged by the outbound-target policy (schema/net/targets.py).
BaseUrl = Annotated[str, AfterValidator(lambda value: _http_url(value).rstrip("/")), Outbound("url")]
# A full URL PushNest calls (a webhook): judged like a BaseUrl.
TargetUrl = Annotated[str, AfterValidator(_http_url), Outbound("url")]
# A host name or address PushNest connects to by itself (SMTP), and the port it uses there.
TargetHost = Annotated[str, Outbound("host")]
TargetPort = Annotated[int, Outbound("port")]


def _proxy_url(value: str) -> str:
    if not value:
        return value
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("must be an http:// or https:// proxy URL (SOCKS is not supported)")
    if parts.username or parts.password:
        raise ValueError("put the proxy's user and password in Proxy credentials, not in the URL")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise ValueError("a proxy URL is scheme://host:port")
    return value.rstrip("/")


# An HTTP(S) proxy a channel's requests go through: PushNest connects to it, so the proxy itself is
# judged by the outbound-target policy like any target (at save time and at every connect).
ProxyUrl = Annotated[str, AfterValidator(_proxy_url), Outbound("url")]
PROXY_FIELDS = ("proxy_url", "proxy_credentials")
# An http(s) URL or empty (an optional icon, avatar, link…).
OptionalHttpUrl = Annotated[str, AfterValidator(_optional_http_url)]


class ChannelConfig(BaseModel):
    """Base for account configs and binding options: unknown keys are refused, not ignored."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class HttpChannelConfig(ChannelConfig):
    """Base for channels that speak HTTP: they may send through an HTTP(S) proxy of their own (a
    vendor's trusted-IP rule, a network that reaches the internet only through a proxy). Listed
    last in forms (`fields_of`)."""

    proxy_url: ProxyUrl = Field(
        default="",
        title="HTTP(S) proxy",
        description="e.g. http://proxy.example.com:3128; empty = connect directly",
    )
    proxy_credentials: SecretStr | None = Field(
        default=None, title="Proxy credentials", description="user:password, if the proxy asks for them"
    )


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


class ErrorClass(StrEnum):
    """How a failed send is handled. The delivery code decides what each means; channels only classify."""

    RETRYABLE = "retryable"  # try again after a backoff (5xx, network errors, vendor "busy")
    RATE_LIMITED = "rate_limited"  # the vendor throttled us: wait `wait` seconds, then try again
    TOKEN_EXPIRED = "token_expired"  # refresh the cached access token and try once more
    PERMANENT = "permanent"  # bad config, recipient or content: another try cannot help
    UNKNOWN = "unknown"  # the request may have arrived (timeout after sending): outcome unknown


class ChannelError(Exception):
    """A classified send failure. `vendor_response` is kept in the attempt row (secrets masked)."""

    def __init__(
        self,
        message: str,
        error_class: ErrorClass,
        wait_seconds: float | None = None,
        vendor_response: str = "",
    ) -> None:
        super().__init__(message)
        self.message = message
        self.error_class = error_class
        self.wait_seconds = wait_seconds
        self.vendor_response = vendor_response


@dataclass(frozen=True)
class Mentions:
    mobiles: tuple[str, ...] = ()
    user_ids: tuple[str, ...] = ()
    all: bool = False

    def __bool__(self) -> bool:
        return bool(self.mobiles or self.user_ids or self.all)


@dataclass(frozen=True)
class Outgoing:
    """One delivery's content, already rendered and fitted to the channel's format and limit."""

    message_id: int
    delivery_id: int
    attempt: int
    title: str
    body: str  # in `format`
    format: Format
    text: str  # plain-text version, for channels or parts that take only text
    url: str
    receivers: tuple[str, ...]
    mentions: Mentions
    options: Mapping[str, Any]  # the binding's validated options
    # Stable across retries of this delivery: vendors that dedupe get the same key every time.
    idempotency_key: str
    trace_id: str = ""


@dataclass(frozen=True)
class InboxDrop:
    """What the in-site channel asks the platform to store and announce."""

    message_id: int
    usernames: tuple[str, ...]
    title: str
    body: str
    format: Format
    url: str
    # The binding asked for a public preview link (the items carry the message's preview key).
    public_preview: bool = False


@dataclass(frozen=True)
class Receipt:
    """A successful send: what the vendor answered (kept in the attempt row)."""

    vendor_response: str = ""


class TokenStore(Protocol):
    """Vendor access tokens shared by every worker (WeChat, WeCom app…): one refresh, not N.

    `refresh_lock` is held while fetching a new token, so workers that find the cache empty at the
    same moment do not each ask the vendor (which would invalidate each other's tokens).
    """

    async def get(self, key: str) -> str | None: ...

    async def put(self, key: str, value: str, ttl_seconds: float) -> None: ...

    async def drop(self, key: str) -> None: ...

    def refresh_lock(self, key: str) -> AbstractAsyncContextManager[None]: ...


@dataclass(frozen=True)
class SendContext:
    """The clients a channel may use, created once per process and handed in.

    `http` refuses private targets (schema/net/client.py) unless this send may reach them:
    `allowing_private()` is the context for a channel an admin allowed.
    """

    http: Any  # httpx.AsyncClient; typed loosely so declarations do not import httpx
    # Writes inbox items for these users and announces them; returns how many users got one.
    drop_in_inbox: Callable[[InboxDrop], Awaitable[int]]
    tokens: TokenStore
    timeout_seconds: float = 10.0
    # Whether this send may reach private, loopback and link-local targets.
    allow_private_targets: bool = False
    # The unguarded client, for `allowing_private()`; None where nothing may reach private targets.
    open_http: Any = None
    # Resolves a host for channels that connect by themselves (SMTP), judged by the same policy.
    resolve: Resolve = system_resolve
    # The channel's HTTP(S) proxy ("" = none) and its "user:password", for `call` to use.
    proxy: str = ""
    proxy_credentials: str = ""

    def allowing_private(self, allowed: bool = True) -> SendContext:
        """This context, able to reach private targets if `allowed` (an admin's per-channel flag)."""
        if not allowed or self.allow_private_targets or self.open_http is None:
            return self
        return replace(self, http=self.open_http, allow_private_targets=True)

    def for_channel(self, allow_private: bool, config: BaseModel) -> SendContext:
        """The context one channel sends with: its private-target flag and its proxy, if any."""
        ctx = self.allowing_private(allow_private)
        if not isinstance(config, HttpChannelConfig) or not config.proxy_url:
            return ctx
        credentials = config.proxy_credentials.get_secret_value() if config.proxy_credentials else ""
        return replace(ctx, proxy=config.proxy_url, proxy_credentials=credentials)


Sender = Callable[[Outgoing, Any, SendContext], Awaitable[Receipt]]


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
    # How many dynamic receivers one delivery carries (1 = the vendor's API takes one at a time),
    # or a function of the binding's options when the binding decides (email: one mail each or Bcc).
    receivers_per_send: int = 1
    receivers_per_send_for: Callable[[Mapping[str, Any]], int] | None = None
    # The sending function; None while a channel is declared but not yet implemented.
    send: Sender | None = None

    @property
    def supports_mentions(self) -> bool:
        return bool(self.mentions)

    @property
    def supports_receivers(self) -> bool:
        return self.receiver_kind is not None

    def receivers_per_delivery(self, options: Mapping[str, Any]) -> int:
        """How many per-call receivers one delivery of a binding with these options carries."""
        chosen = (
            self.receivers_per_send_for(options) if self.receivers_per_send_for else self.receivers_per_send
        )
        return max(1, chosen)

    def config_fields(self) -> list[FieldSpec]:
        return fields_of(self.config_model)

    def binding_fields(self) -> list[FieldSpec]:
        return fields_of(self.binding_model)

    def secret_names(self) -> frozenset[str]:
        return frozenset(f.name for f in self.config_fields() if f.kind in SECRET_KINDS)


def fields_of(model: type[BaseModel]) -> list[FieldSpec]:
    """Describe a model's fields for a generated form, in declaration order (the proxy last)."""
    specs = []
    names = sorted(model.model_fields, key=lambda name: name in PROXY_FIELDS)
    for name in names:
        info = model.model_fields[name]
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
