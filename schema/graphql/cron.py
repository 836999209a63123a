"""Cron messages in GraphQL: `CronQuery` and `CronMutation`, merged into the root types by inheritance."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.scalars import JSON

from schema.graphql.context import Info
from schema.graphql.inputs import as_dict
from schema.graphql.types import Connection, DeletedPayload, connection
from schema.models import CronJob as CronJobRow
from schema.services import cron_jobs


@strawberry.type(name="CronJob")
class CronJobNode:
    id: int
    owner_id: int
    name: str
    task_id: int | None
    template_id: int | None
    expression: str = strawberry.field(
        description="5 fields (minute hour day-of-month month day-of-week), or a descriptor: "
        "@hourly, @daily, @weekly, @monthly, @yearly, or @every <duration> (2h, 30m, 1h30m) from the previous run."
    )
    timezone: str = strawberry.field(description="The IANA time zone the expression is read in.")
    payload: JSON = strawberry.field(
        description="Task jobs: title, text, markdown, html, url. Template jobs: {variables: {...}}."
    )
    enabled: bool
    next_run_at: datetime | None = strawberry.field(description="The next tick; null while disabled.")
    last_run_at: datetime | None = strawberry.field(description="When it last ran (a tick or run now).")
    last_outcome: str | None = strawberry.field(
        description="What the last run did: sent, or refused (see lastError); null before the first."
    )
    last_error: str | None = strawberry.field(description="Why the last run's send was refused.")
    last_message_id: int | None = strawberry.field(
        description="The message the last run sent (it may be pruned by retention since)."
    )
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, row: CronJobRow) -> CronJobNode:
        return cls(
            id=row.id,
            owner_id=row.owner_id,
            name=row.name,
            task_id=row.task_id,
            template_id=row.template_id,
            expression=row.expression,
            timezone=row.timezone,
            payload=JSON(row.payload),
            enabled=row.enabled,
            next_run_at=row.next_run_at,
            last_run_at=row.last_run_at,
            last_outcome=row.last_outcome or None,
            last_error=row.last_error or None,
            last_message_id=row.last_message_id,
            created_at=row.created_at,
            updated_at=row.updated_at,
        )


@strawberry.type
class CronRunPayload:
    """The message a "send now" made."""

    message_id: int
    delivery_count: int


@strawberry.input
class CreateCronJobInput:
    """Give exactly one of taskId and templateId."""

    name: str
    expression: str
    task_id: int | None = None
    template_id: int | None = None
    timezone: str = "UTC"
    # Left out or null: {}. Not a `{}` default: introspection cannot show an object default of a
    # custom scalar (graphql-core fails the whole query, so GraphiQL showed no schema).
    payload: JSON | None = None
    enabled: bool = True


@strawberry.input
class UpdateCronJobInput:
    """Fields left out keep their value. Giving taskId or templateId replaces the target."""

    name: str | None = None
    expression: str | None = None
    task_id: int | None = None
    template_id: int | None = None
    timezone: str | None = None
    payload: JSON | None = None
    enabled: bool | None = None


@strawberry.type
class CronQuery:
    @strawberry.field(description="Your cron jobs (every user's for an admin), newest first.")
    async def cron_jobs(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[CronJobNode]:
        page = await cron_jobs.list_cron_jobs(info.context.principal, first, after)
        return connection(page, CronJobNode.of)

    @strawberry.field
    async def cron_job(self, info: Info, id: int) -> CronJobNode:
        return CronJobNode.of(await cron_jobs.get_cron_job(info.context.principal, id))


@strawberry.type
class CronMutation:
    @strawberry.mutation(description="Schedule a task or template to be sent on a cron expression.")
    async def create_cron_job(self, info: Info, input: CreateCronJobInput) -> CronJobNode:
        data = as_dict(input)
        data["payload"] = data["payload"] or {}
        row = await cron_jobs.create_cron_job(info.context.principal, data)
        return CronJobNode.of(row)

    @strawberry.mutation
    async def update_cron_job(self, info: Info, id: int, input: UpdateCronJobInput) -> CronJobNode:
        row = await cron_jobs.update_cron_job(info.context.principal, id, as_dict(input, drop_none=True))
        return CronJobNode.of(row)

    @strawberry.mutation
    async def delete_cron_job(self, info: Info, id: int) -> DeletedPayload:
        await cron_jobs.delete_cron_job(info.context.principal, id)
        return DeletedPayload(id=id)

    @strawberry.mutation(description="Send the job's message now; its schedule is not changed.")
    async def run_cron_job_now(self, info: Info, id: int) -> CronRunPayload:
        ctx = info.context
        result = await cron_jobs.run_now(ctx.runtime, ctx.principal, id)
        return CronRunPayload(message_id=result.message.id, delivery_count=len(result.deliveries))
