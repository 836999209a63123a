"""Tasks and templates, and the bindings that fan each out to channels."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from schema.models.channels import Channel
    from schema.models.users import User


class Task(Model):
    id = fields.IntField(primary_key=True)
    owner: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="tasks", on_delete=fields.RESTRICT
    )
    owner_id: int
    name = fields.CharField(max_length=100)
    description = fields.TextField(default="")
    enabled = fields.BooleanField(default=True)
    # Message Nest's id ("TK…"), kept by the importer so old callers keep working.
    legacy_id = fields.CharField(max_length=32, null=True, unique=True)
    # An admin's choice: the compat endpoints send with this task's Message Nest token alone (no
    # API key). The token is only an encoding of the id, so this stays off unless turned on.
    accept_legacy_token = fields.BooleanField(default=False, db_default=False)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    bindings: fields.ReverseRelation[Binding]

    class Meta:
        table = "tasks"
        unique_together = (("owner", "name"),)


class Template(Model):
    id = fields.IntField(primary_key=True)
    owner: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="templates", on_delete=fields.RESTRICT
    )
    owner_id: int
    name = fields.CharField(max_length=100)
    description = fields.TextField(default="")
    title = fields.CharField(max_length=500, default="")
    text_body = fields.TextField(default="")
    markdown_body = fields.TextField(default="")
    html_body = fields.TextField(default="")
    # [{"key": ..., "label": ..., "default": ...}]
    placeholders: list[Any] = fields.JSONField(default=list)
    mention_mobiles: list[Any] = fields.JSONField(default=list)
    mention_user_ids: list[Any] = fields.JSONField(default=list)
    mention_all = fields.BooleanField(default=False)
    enabled = fields.BooleanField(default=True)
    legacy_id = fields.CharField(max_length=32, null=True, unique=True)
    accept_legacy_token = fields.BooleanField(default=False, db_default=False)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    bindings: fields.ReverseRelation[Binding]

    class Meta:
        table = "templates"
        unique_together = (("owner", "name"),)


class Binding(Model):
    """Channel + format + receivers + @-mentions + enabled, for exactly one task or template."""

    id = fields.IntField(primary_key=True)
    task: fields.ForeignKeyNullableRelation[Task] = fields.ForeignKeyField(
        "models.Task", related_name="bindings", null=True, on_delete=fields.CASCADE
    )
    task_id: int | None
    template: fields.ForeignKeyNullableRelation[Template] = fields.ForeignKeyField(
        "models.Template", related_name="bindings", null=True, on_delete=fields.CASCADE
    )
    template_id: int | None
    channel: fields.ForeignKeyRelation[Channel] = fields.ForeignKeyField(
        "models.Channel", related_name="bindings", on_delete=fields.RESTRICT
    )
    channel_id: int
    format = fields.CharField(max_length=16)
    # The channel type's binding options (fixed receivers, parties, …).
    options: dict[str, Any] = fields.JSONField(default=dict)
    mention_mobiles: list[Any] = fields.JSONField(default=list)
    mention_user_ids: list[Any] = fields.JSONField(default=list)
    mention_all = fields.BooleanField(default=False)
    # Whether per-call receivers replace the fixed ones for this binding.
    accepts_receivers = fields.BooleanField(default=False)
    enabled = fields.BooleanField(default=True)
    position = fields.IntField(default=0)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "bindings"
        ordering = ["position", "id"]
