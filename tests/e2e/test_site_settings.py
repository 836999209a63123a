"""Site settings over real HTTP: read by anyone, retention by admins only, changed by admins only."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator

import pytest

from schema.models import AuditLog, SiteSettings
from schema.services.site_settings import MAX_LOGO_DATA_URL_CHARS
from schema.settings import Settings
from schema.version import pushnest_version
from tests.helpers import GraphQLClient

SITE = "{ siteSettings { title logoUrl retention { days maxMessages inboxDays daysFromConfig maxMessagesFromConfig inboxDaysFromConfig } } }"
UPDATE = """mutation($i: UpdateSiteSettingsInput!) {
  updateSiteSettings(input: $i) {
    title logoUrl
    retention { days maxMessages inboxDays daysFromConfig maxMessagesFromConfig inboxDaysFromConfig } } }"""
PNG = base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"\x00" * 32).decode()


@pytest.fixture(autouse=True)
async def fresh_site_settings(admin: GraphQLClient) -> AsyncIterator[None]:
    """Every test starts from the defaults, and leaves them (the retention tests share this database)."""
    await SiteSettings.all().delete()
    yield
    await SiteSettings.all().delete()


async def test_anyone_reads_title_and_logo_but_only_admins_see_retention(
    anonymous: GraphQLClient, member: GraphQLClient, admin: GraphQLClient
) -> None:
    for caller in (anonymous, anonymous.as_("not-a-valid-token"), member):
        data = await caller.call(SITE)
        assert data["siteSettings"] == {"title": "PushNest", "logoUrl": None, "retention": None}
    data = await admin.call(SITE)
    # The test configuration sets every retention value to 0.
    assert data["siteSettings"]["retention"] == {
        "days": 0,
        "maxMessages": 0,
        "inboxDays": 0,
        "daysFromConfig": True,
        "maxMessagesFromConfig": True,
        "inboxDaysFromConfig": True,
    }


async def test_only_admins_change_site_settings(anonymous: GraphQLClient, member: GraphQLClient) -> None:
    error = await anonymous.fails(UPDATE, {"i": {"title": "Mine"}})
    assert error["extensions"]["code"] == "UNAUTHENTICATED"
    error = await member.fails(UPDATE, {"i": {"title": "Mine"}})
    assert error["extensions"]["code"] == "FORBIDDEN"
    assert not await SiteSettings.exists()


async def test_admin_changes_title_logo_and_retention(admin: GraphQLClient, anonymous: GraphQLClient) -> None:
    logo = "https://cdn.example.com/logo.svg"
    data = await admin.call(UPDATE, {"i": {"title": "  Ops Alerts ", "logoUrl": logo, "retentionDays": 45}})
    assert data["updateSiteSettings"]["title"] == "Ops Alerts"
    assert data["updateSiteSettings"]["retention"] == {
        "days": 45,
        "maxMessages": 0,
        "inboxDays": 0,
        "daysFromConfig": False,
        "maxMessagesFromConfig": True,
        "inboxDaysFromConfig": True,
    }
    seen = (await anonymous.call(SITE))["siteSettings"]
    assert seen == {"title": "Ops Alerts", "logoUrl": logo, "retention": None}

    row = await AuditLog.filter(action="site_settings.update").order_by("-id").first()
    assert row is not None and row.actor_name == "admin"
    assert row.diff == {
        "title": ["PushNest", "Ops Alerts"],
        "logo_url": [None, logo],
        "retention_days": [None, 45],
    }


async def test_left_out_keeps_and_null_resets(admin: GraphQLClient) -> None:
    await admin.call(
        UPDATE,
        {
            "i": {
                "title": "Ops",
                "logoUrl": "http://x.example/l.png",
                "retentionDays": 7,
                "inboxRetentionDays": 0,
            }
        },
    )
    data = await admin.call(UPDATE, {"i": {"retentionMaxMessages": 500}})
    site = data["updateSiteSettings"]
    assert site["title"] == "Ops" and site["logoUrl"] == "http://x.example/l.png"
    assert (site["retention"]["days"], site["retention"]["maxMessages"], site["retention"]["inboxDays"]) == (
        7,
        500,
        0,
    )
    # An override of 0 (keep forever) is an override, not "from config".
    assert site["retention"]["inboxDaysFromConfig"] is False

    data = await admin.call(UPDATE, {"i": {"retentionDays": None, "title": None, "logoUrl": None}})
    site = data["updateSiteSettings"]
    assert site["title"] == "PushNest" and site["logoUrl"] is None
    assert site["retention"]["days"] == 0 and site["retention"]["daysFromConfig"] is True
    assert site["retention"]["maxMessages"] == 500 and site["retention"]["maxMessagesFromConfig"] is False

    data = await admin.call(UPDATE, {"i": {"logoUrl": "https://x.example/a.png"}})
    data = await admin.call(UPDATE, {"i": {"logoUrl": ""}})
    assert data["updateSiteSettings"]["logoUrl"] is None


async def test_a_data_url_logo_is_kept_but_not_copied_into_the_audit_log(admin: GraphQLClient) -> None:
    logo = f"data:image/png;base64,{PNG}"
    data = await admin.call(UPDATE, {"i": {"logoUrl": logo}})
    assert data["updateSiteSettings"]["logoUrl"] == logo
    row = await AuditLog.filter(action="site_settings.update").order_by("-id").first()
    assert row is not None
    old, new = row.diff["logo_url"]
    assert old is None and new.startswith("data:image/png;base64,…sha256:") and PNG not in new


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "   "}, "title"),
        ({"title": "t" * 101}, "title"),
        ({"logoUrl": "javascript:alert(1)"}, "logoUrl"),
        ({"logoUrl": "ftp://files.example/logo.png"}, "logoUrl"),
        ({"logoUrl": "https://"}, "logoUrl"),
        ({"logoUrl": "https://x.example/a b.png"}, "logoUrl"),
        ({"logoUrl": "https://x.example/" + "a" * 2100}, "logoUrl"),
        ({"logoUrl": f"data:text/html;base64,{PNG}"}, "logoUrl"),
        ({"logoUrl": "data:image/png;base64,not base64!"}, "logoUrl"),
        ({"logoUrl": "data:image/png,rawbytes"}, "logoUrl"),
        ({"logoUrl": "data:image/png;base64," + "A" * MAX_LOGO_DATA_URL_CHARS}, "logoUrl"),
        ({"retentionDays": -1}, "retentionDays"),
        ({"retentionDays": 36501}, "retentionDays"),
        ({"inboxRetentionDays": -5}, "inboxRetentionDays"),
        ({"retentionMaxMessages": -1}, "retentionMaxMessages"),
    ],
)
async def test_bad_input_names_the_field_and_changes_nothing(
    admin: GraphQLClient, fields: dict[str, object], field: str
) -> None:
    await admin.call(UPDATE, {"i": {"title": "Before"}})
    error = await admin.fails(UPDATE, {"i": fields})
    assert error["extensions"]["code"] == "BAD_INPUT", error
    assert error["extensions"]["field"] == field
    assert (await admin.call(SITE))["siteSettings"]["title"] == "Before"


async def test_retention_shows_the_config_value_when_not_overridden(settings: Settings) -> None:
    from schema.services.site_settings import retention_view

    configured = settings.model_copy(update={"retention_days": 30, "inbox_retention_days": 90})
    view = retention_view(configured, SiteSettings(retention_max_messages=10))
    assert (view.limits.days, view.limits.max_messages, view.limits.inbox_days) == (30, 10, 90)
    assert (view.days_from_config, view.max_messages_from_config, view.inbox_days_from_config) == (
        True,
        False,
        True,
    )


RESET = (
    "mutation { resetSiteSettings { title logoUrl retention { days daysFromConfig inboxDaysFromConfig } } }"
)


async def test_an_admin_resets_every_setting_to_its_default_and_the_audit_says_what_was_undone(
    admin: GraphQLClient,
) -> None:
    logo = "https://cdn.example.com/logo.svg"
    await admin.call(
        UPDATE, {"i": {"title": "Ops", "logoUrl": logo, "retentionDays": 45, "inboxRetentionDays": 7}}
    )
    data = await admin.call(RESET)
    assert data["resetSiteSettings"] == {
        "title": "PushNest",
        "logoUrl": None,
        "retention": {"days": 0, "daysFromConfig": True, "inboxDaysFromConfig": True},
    }
    assert (await admin.call(SITE))["siteSettings"]["title"] == "PushNest"
    row = await AuditLog.filter(action="site_settings.reset").order_by("-id").first()
    assert row is not None
    assert row.diff["title"] == ["Ops", "PushNest"] and row.diff["logo_url"] == [logo, None]
    assert row.diff["retention_days"] == [45, None] and row.diff["inbox_retention_days"] == [7, None]


async def test_only_admins_reset_site_settings(
    anonymous: GraphQLClient, member: GraphQLClient, admin: GraphQLClient
) -> None:
    await admin.call(UPDATE, {"i": {"title": "Kept"}})
    assert (await anonymous.fails(RESET))["extensions"]["code"] == "UNAUTHENTICATED"
    assert (await member.fails(RESET))["extensions"]["code"] == "FORBIDDEN"
    assert (await anonymous.call(SITE))["siteSettings"]["title"] == "Kept"


ABOUT = "{ about { version pythonVersion startedAt uptimeSeconds memoryBytes database mode } }"


async def test_the_about_panel_tells_admins_version_uptime_memory_database_and_mode(
    admin: GraphQLClient, settings: Settings
) -> None:
    about = (await admin.call(ABOUT))["about"]
    assert about["version"] == pushnest_version() != "unknown"
    assert about["uptimeSeconds"] >= 0 and about["startedAt"].endswith("+00:00")
    assert about["memoryBytes"] > 1_000_000  # a Python process with its libraries holds megabytes
    assert about["database"] == settings.database_kind.upper()
    assert about["mode"] == ("ALL_IN_ONE" if settings.embedded else "SCALE_OUT")


async def test_about_is_for_admins_only(anonymous: GraphQLClient, member: GraphQLClient) -> None:
    assert (await anonymous.fails(ABOUT))["extensions"]["code"] == "UNAUTHENTICATED"
    assert (await member.fails(ABOUT))["extensions"]["code"] == "FORBIDDEN"
