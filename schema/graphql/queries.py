"""Root query fields. Each checks the caller through the service it calls."""

from __future__ import annotations

from datetime import datetime

import strawberry

from schema.channels.registry import all_channel_types
from schema.graphql.context import Info
from schema.graphql.cron import CronQuery
from schema.graphql.inbox import InboxQueries
from schema.graphql.inputs import AuditLogFilter
from schema.graphql.messages import MessageQueries
from schema.graphql.selection import selects
from schema.graphql.site import SiteQuery
from schema.graphql.stats import StatsQueries
from schema.graphql.types import (
    ApiKeyNode,
    AuditLogEntry,
    ChannelNode,
    ChannelTypeNode,
    Connection,
    TaskNode,
    TemplateNode,
    UserNode,
    connection,
    task_node,
    template_node,
)
from schema.services import api_keys, audit_log, bindings, channels, tasks, templates, users


@strawberry.type
class Query(MessageQueries, InboxQueries, CronQuery, StatsQueries, SiteQuery):
    @strawberry.field(description="The signed-in user.")
    def me(self, info: Info) -> UserNode:
        return UserNode.of(info.context.principal.require_account())

    @strawberry.field(description="Every channel type with its declared fields, formats and limits.")
    def channel_types(self, info: Info) -> list[ChannelTypeNode]:
        info.context.principal.require_caller()
        return [ChannelTypeNode.of(t) for t in all_channel_types()]

    @strawberry.field
    async def channels(
        self, info: Info, first: int | None = None, after: str | None = None, type: str | None = None
    ) -> Connection[ChannelNode]:
        page = await channels.list_channels(info.context.principal, first, after, type)
        runtime = info.context.runtime
        return connection(page, lambda row: ChannelNode.of(channels.masked(runtime, row)))

    @strawberry.field
    async def channel(self, info: Info, id: int) -> ChannelNode:
        row = await channels.get_channel(info.context.principal, id)
        return ChannelNode.of(channels.masked(info.context.runtime, row))

    @strawberry.field
    async def tasks(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[TaskNode]:
        page = await tasks.list_tasks(info.context.principal, first, after, count=selects(info, "totalCount"))
        shown = selects(info, "edges", "node", "bindings") or selects(info, "nodes", "bindings")
        grouped = await bindings.bindings_of_tasks([t.id for t in page.items]) if shown else {}
        return connection(page, lambda row: TaskNode.of(row, grouped.get(row.id, [])))

    @strawberry.field
    async def task(self, info: Info, id: int) -> TaskNode:
        row = await tasks.get_task(info.context.principal, id)
        return await task_node(row)

    @strawberry.field
    async def templates(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[TemplateNode]:
        page = await templates.list_templates(
            info.context.principal, first, after, count=selects(info, "totalCount")
        )
        shown = selects(info, "edges", "node", "bindings") or selects(info, "nodes", "bindings")
        grouped = await bindings.bindings_of_templates([t.id for t in page.items]) if shown else {}
        return connection(page, lambda row: TemplateNode.of(row, grouped.get(row.id, [])))

    @strawberry.field
    async def template(self, info: Info, id: int) -> TemplateNode:
        row = await templates.get_template(info.context.principal, id)
        return await template_node(row)

    @strawberry.field(description="Your API keys (all of them for an admin), revoked ones included.")
    async def api_keys(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[ApiKeyNode]:
        page = await api_keys.list_api_keys(info.context.principal, first, after)
        return connection(page, ApiKeyNode.of)

    @strawberry.field(description="Every user (admins only).")
    async def users(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[UserNode]:
        page = await users.list_users(info.context.principal, first, after)
        return connection(page, UserNode.of)

    @strawberry.field(description="Logins and changes, newest first (admins only).")
    async def audit_logs(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        filter: AuditLogFilter | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> Connection[AuditLogEntry]:
        f = filter or AuditLogFilter()
        page = await audit_log.list_audit_logs(
            info.context.principal,
            first,
            after,
            action=f.action,
            actor_name=f.actor_name,
            object_type=f.object_type,
            object_id=f.object_id,
            since=since,
            until=until,
        )
        return connection(page, AuditLogEntry.of)
