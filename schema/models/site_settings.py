"""Settings changed at run time from the console (site title, retention…), as key → JSON value."""

from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.models import Model


class SiteSetting(Model):
    id = fields.IntField(primary_key=True)
    key = fields.CharField(max_length=100, unique=True)
    value: dict[str, Any] = fields.JSONField(default=dict)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "site_settings"
