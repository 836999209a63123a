"""Site settings and the About panel in GraphQL: `SiteQuery` and `SiteMutation`, merged into the
root types by inheritance."""

from __future__ import annotations

import enum
from datetime import datetime

import strawberry

from schema.graphql.context import Info
from schema.graphql.inputs import given
from schema.models import SiteSettings as SiteSettingsRow
from schema.services import about, site_settings
from schema.services.site_settings import RetentionView


@strawberry.type(
    description="The retention in force (0 = no limit), and whether each value comes from the config "
    "(true) or from an override set with updateSiteSettings (false)."
)
class RetentionSettings:
    days: int = strawberry.field(description="Sends older than this many days are pruned.")
    max_messages: int = strawberry.field(description="At most this many newest sends are kept.")
    inbox_days: int = strawberry.field(description="Inbox items older than this many days are pruned.")
    days_from_config: bool
    max_messages_from_config: bool
    inbox_days_from_config: bool

    @classmethod
    def of(cls, view: RetentionView) -> RetentionSettings:
        return cls(
            days=view.limits.days,
            max_messages=view.limits.max_messages,
            inbox_days=view.limits.inbox_days,
            days_from_config=view.days_from_config,
            max_messages_from_config=view.max_messages_from_config,
            inbox_days_from_config=view.inbox_days_from_config,
        )


@strawberry.type(name="SiteSettings")
class SiteSettingsNode:
    title: str = strawberry.field(description="Shown on the login page and in the header.")
    logo_url: str | None = strawberry.field(description="An http(s) URL or a data:image/…;base64, URL.")
    retention: RetentionSettings | None = strawberry.field(description="Admins only; null for others.")

    @classmethod
    def of(cls, row: SiteSettingsRow, retention: RetentionView | None) -> SiteSettingsNode:
        return cls(
            title=row.title,
            logo_url=row.logo_url,
            retention=None if retention is None else RetentionSettings.of(retention),
        )


@strawberry.input(
    description='Fields left out keep their value. An explicit null resets a field: `title` to "PushNest", '
    "`logoUrl` to no logo, a retention field to the configured value (PUSHNEST_RETENTION_DAYS, "
    "PUSHNEST_RETENTION_MAX_MESSAGES, PUSHNEST_INBOX_RETENTION_DAYS). Retention: 0 = no limit."
)
class UpdateSiteSettingsInput:
    title: str | None = strawberry.field(default=strawberry.UNSET, description="1 to 100 characters.")
    logo_url: str | None = strawberry.field(
        default=strawberry.UNSET,
        description='An http(s) URL, or a data:image/…;base64, URL up to 200 KB; "" also removes the logo.',
    )
    retention_days: int | None = strawberry.field(default=strawberry.UNSET, description="0 to 36500.")
    retention_max_messages: int | None = strawberry.field(
        default=strawberry.UNSET, description="0 to 2147483647."
    )
    inbox_retention_days: int | None = strawberry.field(default=strawberry.UNSET, description="0 to 36500.")


@strawberry.enum(description="Which database PushNest runs on.")
class DatabaseKind(enum.Enum):
    SQLITE = "sqlite"
    MYSQL = "mysql"
    POSTGRES = "postgres"


@strawberry.enum(
    description="ALL_IN_ONE: one process, no Redis. SCALE_OUT: API and worker processes over Redis."
)
class RunMode(enum.Enum):
    ALL_IN_ONE = "all-in-one"
    SCALE_OUT = "scale-out"


@strawberry.type(description="The running PushNest, as the API process that answers sees itself.")
class About:
    version: str
    python_version: str
    started_at: datetime = strawberry.field(description="When this API process started.")
    uptime_seconds: int
    memory_bytes: float = strawberry.field(
        description="This API process's resident memory, in bytes (a Float: GraphQL's Int ends at 2 GiB)."
    )
    database: DatabaseKind
    mode: RunMode

    @classmethod
    def of(cls, facts: about.About) -> About:
        return cls(
            version=facts.version,
            python_version=facts.python_version,
            started_at=facts.started_at,
            uptime_seconds=facts.uptime_seconds,
            memory_bytes=float(facts.memory_bytes),
            database=DatabaseKind(facts.database),
            mode=RunMode(facts.mode),
        )


@strawberry.type
class SiteQuery:
    @strawberry.field(
        description="Version, uptime, memory, database and mode of the running PushNest (admins only)."
    )
    def about(self, info: Info) -> About:
        ctx = info.context
        return About.of(about.about(ctx.principal, ctx.runtime))

    @strawberry.field(
        description="Title and logo, for everyone (no sign-in needed); `retention` only for admins."
    )
    async def site_settings(self, info: Info) -> SiteSettingsNode:
        ctx = info.context
        row = await site_settings.get_site_settings()
        return SiteSettingsNode.of(
            row, site_settings.visible_retention(ctx.principal, ctx.runtime.settings, row)
        )


@strawberry.type
class SiteMutation:
    @strawberry.mutation(description="Change the site settings (admins only).")
    async def update_site_settings(self, info: Info, input: UpdateSiteSettingsInput) -> SiteSettingsNode:
        ctx = info.context
        row = await site_settings.update_site_settings(ctx.principal, given(input))
        return SiteSettingsNode.of(row, site_settings.retention_view(ctx.runtime.settings, row))

    @strawberry.mutation(
        description='Every site setting back to its default (admins only, audited): the title "PushNest", '
        "no logo, and the retention of the config."
    )
    async def reset_site_settings(self, info: Info) -> SiteSettingsNode:
        ctx = info.context
        row = await site_settings.reset_site_settings(ctx.principal)
        return SiteSettingsNode.of(row, site_settings.retention_view(ctx.runtime.settings, row))
