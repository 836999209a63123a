"""Scheduled sends: a 5-field cron expression in a time zone, for a task or a template."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from schema.models.tasks import Task, Template
    from schema.models.users import User


class CronJob(Model):
    id = fields.IntField(primary_key=True)
    owner: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="cron_jobs", on_delete=fields.CASCADE
    )
    owner_id: int
    name = fields.CharField(max_length=100)
    task: fields.ForeignKeyNullableRelation[Task] = fields.ForeignKeyField(
        "models.Task", related_name="cron_jobs", null=True, on_delete=fields.CASCADE
    )
    task_id: int | None
    template: fields.ForeignKeyNullableRelation[Template] = fields.ForeignKeyField(
        "models.Template", related_name="cron_jobs", null=True, on_delete=fields.CASCADE
    )
    template_id: int | None
    expression = fields.CharField(max_length=100)
    timezone = fields.CharField(max_length=64, default="UTC")
    # The send's content: title/text/markdown/html/url for tasks, variables for templates.
    payload: dict[str, Any] = fields.JSONField(default=dict)
    enabled = fields.BooleanField(default=True)
    next_run_at = fields.DatetimeField(null=True)
    last_run_at = fields.DatetimeField(null=True)
    # What the last run did (a tick or "run now"): "sent", or "refused" with the reason in
    # last_error; the message it made (no foreign key: retention may prune the message first).
    last_outcome = fields.CharField(max_length=16, default="", db_default="")
    last_error = fields.CharField(max_length=500, default="", db_default="")
    last_message_id = fields.BigIntField(null=True)
    legacy_id = fields.CharField(max_length=32, null=True, unique=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "cron_jobs"
        indexes = (("enabled", "next_run_at"),)
