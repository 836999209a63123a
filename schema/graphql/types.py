"""Output types, built from service results in the root resolvers (leaves stay plain attributes)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Generic, TypeVar

import strawberry
from strawberry.scalars import JSON

from schema import legacy_token
from schema.channels.base import ChannelType as ChannelTypeDecl
from schema.channels.base import FieldKind, Format, Mention
from schema.models import ApiKey as ApiKeyRow
from schema.models import AuditLog
from schema.models import Binding as BindingRow
from schema.models import Task as TaskRow
from schema.models import Template as TemplateRow
from schema.models import User as UserRow
from schema.models.security import KeyScope
from schema.models.users import Role
from schema.services.bindings import bindings_of_tasks, bindings_of_templates
from schema.services.channels import ChannelView
from schema.services.pagination import Page
from schema.services.preview import lint

RoleEnum = strawberry.enum(Role, name="Role")
KeyScopeEnum = strawberry.enum(KeyScope, name="KeyScope")
FormatEnum = strawberry.enum(Format, name="Format")
FieldKindEnum = strawberry.enum(FieldKind, name="FieldKind")
MentionEnum = strawberry.enum(Mention, name="MentionKind")

N = TypeVar("N")
R = TypeVar("R")


@strawberry.type
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


@strawberry.type
class Edge(Generic[N]):
    cursor: str
    node: N


@strawberry.type
class Connection(Generic[N]):
    """A page of a list, newest first. Pass `pageInfo.endCursor` as `after` for the next page."""

    edges: list[Edge[N]]
    nodes: list[N]
    page_info: PageInfo
    total_count: int


def connection(page: Page[R], convert: Callable[[R], N]) -> Connection[N]:
    nodes = [convert(item) for item in page.items]
    return Connection(
        edges=[Edge(cursor=c, node=n) for c, n in zip(page.cursors, nodes, strict=True)],
        nodes=nodes,
        page_info=PageInfo(has_next_page=page.has_next_page, end_cursor=page.end_cursor),
        total_count=page.total_count,
    )


@strawberry.type(name="User")
class UserNode:
    id: int
    username: str
    role: RoleEnum  # type: ignore[valid-type]
    is_active: bool
    groups: list[str] = strawberry.field(
        description="Group names (lower case). A member's sends reach the inboxes of themselves and of "
        "users who share a group with them; an admin's reach anyone."
    )
    created_at: datetime
    last_login_at: datetime | None
    must_change_password: bool = strawberry.field(
        description="The password came from an import: nothing but changePassword works until a new one is chosen."
    )

    @classmethod
    def of(cls, row: UserRow) -> UserNode:
        return cls(
            id=row.id,
            username=row.username,
            role=row.role,
            is_active=row.is_active,
            groups=sorted(row.group_set),
            created_at=row.created_at,
            last_login_at=row.last_login_at,
            must_change_password=row.must_change_password,
        )


@strawberry.type
class RateLimit:
    count: int
    per_seconds: int


@strawberry.type
class ChannelField:
    """One field of a generated form."""

    name: str
    label: str
    kind: FieldKindEnum  # type: ignore[valid-type]
    required: bool
    default: JSON | None
    help: str | None
    options: list[str]


@strawberry.type(name="ChannelType")
class ChannelTypeNode:
    key: str
    label: str
    description: str
    formats: list[FormatEnum]  # type: ignore[valid-type]
    config_fields: list[ChannelField]
    binding_fields: list[ChannelField]
    mentions: list[MentionEnum]  # type: ignore[valid-type]
    supports_mentions: bool
    supports_receivers: bool
    receiver_kind: str | None
    max_body_bytes: int | None
    rate_limit: RateLimit | None

    @classmethod
    def of(cls, decl: ChannelTypeDecl) -> ChannelTypeNode:
        def fields(specs: list[object]) -> list[ChannelField]:
            return [ChannelField(**vars(s) | {"options": list(vars(s)["options"])}) for s in specs]

        limit = decl.rate_limit
        return cls(
            key=decl.key,
            label=decl.label,
            description=decl.description,
            formats=list(decl.formats),
            config_fields=fields(list(decl.config_fields())),
            binding_fields=fields(list(decl.binding_fields())),
            mentions=sorted(decl.mentions),
            supports_mentions=decl.supports_mentions,
            supports_receivers=decl.supports_receivers,
            receiver_kind=decl.receiver_kind,
            max_body_bytes=decl.max_body_bytes,
            rate_limit=RateLimit(count=limit.count, per_seconds=limit.per_seconds) if limit else None,
        )


@strawberry.type(name="Channel")
class ChannelNode:
    id: int
    owner_id: int
    name: str
    type: str
    config: JSON = strawberry.field(
        description="The config with every secret shown as ******** (or null if unset)."
    )
    enabled: bool
    allow_private_targets: bool = strawberry.field(
        description="An admin allowed this channel to reach private, loopback and link-local addresses."
    )
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, view: ChannelView) -> ChannelNode:
        row = view.channel
        return cls(
            id=row.id,
            owner_id=row.owner_id,
            name=row.name,
            type=row.type,
            config=JSON(view.config),
            enabled=row.enabled,
            allow_private_targets=row.allow_private_targets,
            created_at=row.created_at,
            updated_at=row.updated_at,
        )


@strawberry.type(name="Binding")
class BindingNode:
    id: int
    channel_id: int
    channel_name: str
    channel_type: str
    format: FormatEnum  # type: ignore[valid-type]
    options: JSON
    mention_mobiles: list[str]
    mention_user_ids: list[str]
    mention_all: bool
    accepts_receivers: bool
    enabled: bool

    @classmethod
    def of(cls, row: BindingRow) -> BindingNode:
        return cls(
            id=row.id,
            channel_id=row.channel.id,
            channel_name=row.channel.name,
            channel_type=row.channel.type,
            format=Format(row.format),
            options=JSON(row.options),
            mention_mobiles=list(row.mention_mobiles),
            mention_user_ids=list(row.mention_user_ids),
            mention_all=row.mention_all,
            accepts_receivers=row.accepts_receivers,
            enabled=row.enabled,
        )


@strawberry.type(name="Task")
class TaskNode:
    id: int
    owner_id: int
    name: str
    description: str
    enabled: bool
    accept_legacy_token: bool = strawberry.field(
        description="Admins only may change it: the compat endpoints accept this task's Message Nest token "
        "without an API key. The token only encodes the id, so anyone who knows the id can send."
    )
    legacy_token: str | None = strawberry.field(
        description="The Message Nest token for this task, shown while it is accepted (null otherwise)."
    )
    bindings: list[BindingNode]
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, row: TaskRow, bindings: list[BindingRow]) -> TaskNode:
        return cls(
            id=row.id,
            owner_id=row.owner_id,
            name=row.name,
            description=row.description,
            enabled=row.enabled,
            accept_legacy_token=row.accept_legacy_token,
            legacy_token=_legacy_token(row),
            bindings=[BindingNode.of(b) for b in bindings],
            created_at=row.created_at,
            updated_at=row.updated_at,
        )


def _legacy_token(row: TaskRow | TemplateRow) -> str | None:
    return legacy_token.token_for(row.legacy_id, row.id) if row.accept_legacy_token else None


@strawberry.type
class Placeholder:
    key: str
    label: str
    default: str


@strawberry.type
class TemplateWarning:
    channel_name: str
    message: str = strawberry.field(description="In English; `code` and `args` let a client word it itself.")
    code: str = strawberry.field(description="Stable: body_converted, body_too_large, channel_disabled, …")
    args: JSON = strawberry.field(description="The values the message names, by name (e.g. size, limit).")


@strawberry.type(name="Template")
class TemplateNode:
    id: int
    owner_id: int
    name: str
    description: str
    title: str
    text_body: str
    markdown_body: str
    html_body: str
    placeholders: list[Placeholder]
    mention_mobiles: list[str]
    mention_user_ids: list[str]
    mention_all: bool
    enabled: bool
    accept_legacy_token: bool = strawberry.field(
        description="Admins only may change it: the compat endpoints accept this template's Message Nest token "
        "without an API key. The token only encodes the id, so anyone who knows the id can send."
    )
    legacy_token: str | None = strawberry.field(
        description="The Message Nest token for this template, shown while it is accepted (null otherwise)."
    )
    bindings: list[BindingNode]
    warnings: list[TemplateWarning] = strawberry.field(
        description="Lint against each bound channel: sizes, formats, @ rules (rendered with defaults)."
    )
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, row: TemplateRow, bindings: list[BindingRow]) -> TemplateNode:
        return cls(
            id=row.id,
            owner_id=row.owner_id,
            name=row.name,
            description=row.description,
            title=row.title,
            text_body=row.text_body,
            markdown_body=row.markdown_body,
            html_body=row.html_body,
            placeholders=[
                Placeholder(key=p["key"], label=p.get("label", ""), default=p.get("default", ""))
                for p in row.placeholders
            ],
            mention_mobiles=list(row.mention_mobiles),
            mention_user_ids=list(row.mention_user_ids),
            mention_all=row.mention_all,
            enabled=row.enabled,
            accept_legacy_token=row.accept_legacy_token,
            legacy_token=_legacy_token(row),
            bindings=[BindingNode.of(b) for b in bindings],
            warnings=[
                TemplateWarning(
                    channel_name=w.channel_name,
                    message=w.note.message,
                    code=w.note.code,
                    args=JSON(w.note.args),
                )
                for w in lint(row, bindings)
            ],
            created_at=row.created_at,
            updated_at=row.updated_at,
        )


@strawberry.type(name="ApiKey")
class ApiKeyNode:
    id: int
    name: str
    prefix: str = strawberry.field(description="The first characters of the key, to recognise it.")
    scope: KeyScopeEnum  # type: ignore[valid-type]
    task_id: int | None
    template_id: int | None
    owner_id: int
    owner_username: str = strawberry.field(description="Whose key it is (admins see everyone's).")
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None
    expires_at: datetime | None = strawberry.field(
        description="Past this the key is refused like a revoked one; null: it does not expire."
    )

    @classmethod
    def of(cls, row: ApiKeyRow) -> ApiKeyNode:
        return cls(
            id=row.id,
            name=row.name,
            prefix=row.prefix,
            scope=row.scope,
            task_id=row.task_id,
            template_id=row.template_id,
            owner_id=row.owner_id,
            owner_username=row.owner.username,
            created_at=row.created_at,
            last_used_at=row.last_used_at,
            revoked_at=row.revoked_at,
            expires_at=row.expires_at,
        )


@strawberry.type
class AuditLogEntry:
    id: int
    actor_name: str
    action: str
    object_type: str
    object_id: str
    ip: str
    diff: JSON
    created_at: datetime

    @classmethod
    def of(cls, row: AuditLog) -> AuditLogEntry:
        return cls(
            id=row.id,
            actor_name=row.actor_name,
            action=row.action,
            object_type=row.object_type,
            object_id=row.object_id,
            ip=row.ip,
            diff=JSON(row.diff),
            created_at=row.created_at,
        )


@strawberry.type
class SessionPayload:
    """A session token and its user; send the token as `Authorization: Bearer <token>`."""

    token: str | None = strawberry.field(
        description="The session token; null when the session went into the cookie (`login(cookie: true)`)."
    )
    user: UserNode


@strawberry.type
class CreateApiKeyPayload:
    key: str = strawberry.field(description="The key itself. Shown this once; only its hash is kept.")
    api_key: ApiKeyNode


@strawberry.type
class DeletedPayload:
    id: int


@strawberry.type
class ChannelTestResult:
    ok: bool
    error_class: str = strawberry.field(
        description="retryable | rate_limited | token_expired | permanent | unknown"
    )
    message: str
    vendor_response: str
    latency_ms: int


async def task_node(row: TaskRow) -> TaskNode:
    """One task with its bindings (one query)."""
    grouped = await bindings_of_tasks([row.id])
    return TaskNode.of(row, grouped.get(row.id, []))


async def template_node(row: TemplateRow) -> TemplateNode:
    """One template with its bindings (one query)."""
    grouped = await bindings_of_templates([row.id])
    return TemplateNode.of(row, grouped.get(row.id, []))
