"""Site settings in GraphQL: `SiteQuery` and `SiteMutation`, merged into the root types by inheritance."""

from __future__ import annotations

import strawberry

from schema.graphql.context import Info
from schema.graphql.inputs import given
from schema.models import SiteSettings as SiteSettingsRow
from schema.services import site_settings
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


@strawberry.type
class SiteQuery:
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
