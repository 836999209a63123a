"""Settings an admin changes at run time from the console: one row (id 1), absent until first saved."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model

SITE_SETTINGS_ID = 1
DEFAULT_TITLE = "PushNest"


class SiteSettings(Model):
    id = fields.IntField(primary_key=True)
    title = fields.CharField(max_length=100, default=DEFAULT_TITLE)
    # An http(s) URL or a `data:image/…;base64,` URL (up to ~200 KB, hence a text column).
    logo_url = fields.TextField(null=True)
    # Retention overrides; null = the configured value (PUSHNEST_RETENTION_* / [retention]).
    retention_days = fields.IntField(null=True)
    retention_max_messages = fields.IntField(null=True)
    inbox_retention_days = fields.IntField(null=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "site_settings"
