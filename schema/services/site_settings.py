"""Site settings: the title and logo every visitor sees, and an admin's retention overrides.

One row (created on the first save). Reading it needs no caller: the login page shows the title
and logo. The retention values are shown to admins only, as in force: override or config.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import urlsplit

from pydantic import Field, StringConstraints, field_validator
from tortoise.transactions import in_transaction

from schema.models import SiteSettings
from schema.models.site_settings import DEFAULT_TITLE, SITE_SETTINGS_ID
from schema.services import audit
from schema.services.principal import Principal
from schema.services.retention import RetentionLimits, limits_of
from schema.services.validation import Input, parse
from schema.settings import MAX_RETENTION_DAYS, MAX_RETENTION_MESSAGES, Settings

MAX_LOGO_DATA_URL_CHARS = 200 * 1024
MAX_LOGO_LINK_CHARS = 2048
_DATA_URL = re.compile(
    r"data:image/(?P<type>png|jpeg|gif|webp|avif|svg\+xml|x-icon|vnd\.microsoft\.icon);base64,(?P<data>.+)",
    re.IGNORECASE | re.DOTALL,
)
_LOGO_HELP = "must be an http(s) URL or a data:image/<png|jpeg|gif|webp|avif|svg+xml|x-icon>;base64,… URL"

SiteTitle = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
RetentionDays = Annotated[int, Field(ge=0, le=MAX_RETENTION_DAYS)]
RetentionMessages = Annotated[int, Field(ge=0, le=MAX_RETENTION_MESSAGES)]


class SiteFields(Input):
    title: SiteTitle
    logo_url: str | None = None
    retention_days: RetentionDays | None = None
    retention_max_messages: RetentionMessages | None = None
    inbox_retention_days: RetentionDays | None = None

    @field_validator("logo_url")
    @classmethod
    def _logo(cls, value: str | None) -> str | None:
        return None if value is None else check_logo_url(value)


FIELDS = tuple(SiteFields.model_fields)


@dataclass(frozen=True)
class RetentionView:
    """The limits in force, and which of them come from the config rather than an override."""

    limits: RetentionLimits
    days_from_config: bool
    max_messages_from_config: bool
    inbox_days_from_config: bool


def check_logo_url(value: str) -> str | None:
    """The logo URL as stored: an http(s) link or a base64 image data URL; "" means none."""
    value = value.strip()
    if not value:
        return None
    if value[:5].lower() == "data:":
        return _check_data_url(value)
    if len(value) > MAX_LOGO_LINK_CHARS:
        raise ValueError(f"a logo link is at most {MAX_LOGO_LINK_CHARS} characters")
    parts = urlsplit(value)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise ValueError(_LOGO_HELP)
    if any(c.isspace() or ord(c) < 32 for c in value):
        raise ValueError("a logo link cannot contain spaces or control characters")
    return value


def _check_data_url(value: str) -> str:
    if len(value) > MAX_LOGO_DATA_URL_CHARS:
        raise ValueError(f"a logo data URL is at most {MAX_LOGO_DATA_URL_CHARS // 1024} KB")
    match = _DATA_URL.fullmatch(value)
    if match is None:
        raise ValueError(_LOGO_HELP)
    try:
        image = base64.b64decode(match["data"], validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("the logo data URL is not valid base64") from None
    if not image:
        raise ValueError("the logo data URL holds no image")
    return value


async def get_site_settings() -> SiteSettings:
    """The saved row, or the defaults (unsaved) before anyone saved."""
    row = await SiteSettings.get_or_none(id=SITE_SETTINGS_ID)
    return row or SiteSettings(id=SITE_SETTINGS_ID)


def retention_view(settings: Settings, row: SiteSettings) -> RetentionView:
    return RetentionView(
        limits=limits_of(settings, row),
        days_from_config=row.retention_days is None,
        max_messages_from_config=row.retention_max_messages is None,
        inbox_days_from_config=row.inbox_retention_days is None,
    )


def visible_retention(principal: Principal, settings: Settings, row: SiteSettings) -> RetentionView | None:
    """Retention is an admin's business; everyone else (anonymous callers included) gets None."""
    return retention_view(settings, row) if principal.is_admin else None


async def update_site_settings(principal: Principal, changes: dict[str, Any]) -> SiteSettings:
    """Admins only. Keys left out keep their value; None resets (default title, no logo, config retention)."""
    return await _change(principal, changes, "site_settings.update")


async def reset_site_settings(principal: Principal) -> SiteSettings:
    """Admins only. Every field back to its default: the title "PushNest", no logo, and the
    retention of the config (PUSHNEST_RETENTION_*), audited as one reset with what it undid."""
    return await _change(principal, dict.fromkeys(FIELDS), "site_settings.reset")


async def _change(principal: Principal, changes: dict[str, Any], action: str) -> SiteSettings:
    principal.require_admin()
    await SiteSettings.get_or_create(id=SITE_SETTINGS_ID)
    async with in_transaction():
        row = await SiteSettings.select_for_update().get(id=SITE_SETTINGS_ID)
        before = {name: getattr(row, name) for name in FIELDS}
        wanted = before | changes
        if wanted["title"] is None:
            wanted["title"] = DEFAULT_TITLE
        data = parse(SiteFields, wanted).model_dump()
        row.update_from_dict(data)
        await row.save()
    await audit.record(principal, action, "site_settings", row.id, audit.diff(_shown(before), _shown(data)))
    return row


def _shown(values: dict[str, Any]) -> dict[str, Any]:
    """The audit's view: a data URL (up to 200 KB) is recorded as its type and a digest."""
    logo = values.get("logo_url")
    if logo and logo[:5].lower() == "data:":
        head = logo.split(",", 1)[0]
        logo = f"{head},…sha256:{hashlib.sha256(logo.encode()).hexdigest()[:16]}"
    return values | {"logo_url": logo}
