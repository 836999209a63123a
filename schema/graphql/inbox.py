"""The in-site inbox: the signed-in user's own items, unread count, read and delete."""

from __future__ import annotations

from datetime import datetime

import strawberry

from schema.graphql.context import Info
from schema.graphql.types import Connection, FormatEnum, connection
from schema.models import InboxItem
from schema.services import inbox, public_preview


@strawberry.type(description="Who sent an inbox item.")
class InboxSender:
    username: str = strawberry.field(
        description="The owner of the task, template or channel it came through."
    )
    api_key_name: str | None = strawberry.field(description="The API key it was sent with, if any.")


@strawberry.type(name="InboxItem")
class InboxItemNode:
    id: int
    message_id: int | None
    title: str
    body: str
    format: FormatEnum  # type: ignore[valid-type]
    url: str
    sender: InboxSender | None = strawberry.field(description="Null for items whose sender was not recorded.")
    read: bool
    read_at: datetime | None
    preview_url: str | None = strawberry.field(
        description="The public preview link's path (/preview/…), readable by anyone who has it: set when "
        "the inbox binding asked for one, null when it did not or the link was revoked."
    )
    created_at: datetime

    @classmethod
    def of(cls, row: InboxItem) -> InboxItemNode:
        return cls(
            id=row.id,
            message_id=row.message_id,
            title=row.title,
            body=row.body,
            format=row.format,
            url=row.url,
            sender=InboxSender(username=row.sender_name, api_key_name=row.sender_key_name or None)
            if row.sender_name
            else None,
            read=row.read_at is not None,
            read_at=row.read_at,
            preview_url=public_preview.path_of(row.preview_key),
            created_at=row.created_at,
        )


@strawberry.type
class InboxChange:
    changed: int
    unread_count: int


@strawberry.type
class InboxQueries:
    @strawberry.field(description="Your in-site messages, newest first.")
    async def inbox(
        self, info: Info, first: int | None = None, after: str | None = None, unread_only: bool = False
    ) -> Connection[InboxItemNode]:
        page = await inbox.list_inbox(info.context.principal, first, after, unread_only)
        return connection(page, InboxItemNode.of)

    @strawberry.field
    async def unread_count(self, info: Info) -> int:
        return await inbox.unread_count(info.context.principal)


@strawberry.type
class InboxMutations:
    @strawberry.mutation(description="Mark these items read (subscribers of `inbox` are told).")
    async def mark_inbox_read(self, info: Info, ids: list[int]) -> InboxChange:
        ctx = info.context
        changed = await inbox.mark_read(ctx.runtime, ctx.principal, ids)
        return InboxChange(changed=changed, unread_count=await inbox.unread_count(ctx.principal))

    @strawberry.mutation
    async def mark_all_inbox_read(self, info: Info) -> InboxChange:
        ctx = info.context
        changed = await inbox.mark_read(ctx.runtime, ctx.principal, None)
        return InboxChange(changed=changed, unread_count=0)

    @strawberry.mutation
    async def delete_inbox_items(self, info: Info, ids: list[int]) -> InboxChange:
        ctx = info.context
        changed = await inbox.delete_items(ctx.runtime, ctx.principal, ids)
        return InboxChange(changed=changed, unread_count=await inbox.unread_count(ctx.principal))

    @strawberry.mutation(
        description="Turn off an item's public preview link for good (for every recipient's copy). Audited."
    )
    async def revoke_inbox_preview(self, info: Info, id: int) -> InboxItemNode:
        return InboxItemNode.of(await public_preview.revoke(info.context.principal, id))
