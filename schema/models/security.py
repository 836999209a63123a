"""API keys for services that send, and the audit log of every change and login."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Any

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from schema.models.tasks import Task, Template
    from schema.models.users import User


class KeyScope(StrEnum):
    ALL = "all"
    TASK = "task"
    TEMPLATE = "template"


class ApiKey(Model):
    id = fields.IntField(primary_key=True)
    owner: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="api_keys", on_delete=fields.CASCADE
    )
    owner_id: int
    name = fields.CharField(max_length=100)
    # The first characters of the key, to recognise it in lists; the key itself is never stored.
    prefix = fields.CharField(max_length=16)
    key_hash = fields.CharField(max_length=64, unique=True)
    scope = fields.CharEnumField(KeyScope, max_length=16)
    task: fields.ForeignKeyNullableRelation[Task] = fields.ForeignKeyField(
        "models.Task", related_name="api_keys", null=True, on_delete=fields.CASCADE
    )
    task_id: int | None
    template: fields.ForeignKeyNullableRelation[Template] = fields.ForeignKeyField(
        "models.Template", related_name="api_keys", null=True, on_delete=fields.CASCADE
    )
    template_id: int | None
    created_at = fields.DatetimeField(auto_now_add=True)
    last_used_at = fields.DatetimeField(null=True)
    revoked_at = fields.DatetimeField(null=True)
    # Past this the key is refused like a revoked one; null: it does not expire.
    expires_at = fields.DatetimeField(null=True)

    class Meta:
        table = "api_keys"
        indexes = (("owner_id", "id"),)


class AuditLog(Model):
    id = fields.BigIntField(primary_key=True)
    actor: fields.ForeignKeyNullableRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="audit_rows", null=True, on_delete=fields.SET_NULL
    )
    actor_id: int | None
    # Kept as text so the row survives the actor's deletion and records failed logins by name.
    actor_name = fields.CharField(max_length=64, default="")
    action = fields.CharField(max_length=64)
    object_type = fields.CharField(max_length=32, default="")
    object_id = fields.CharField(max_length=64, default="")
    ip = fields.CharField(max_length=64, default="")
    # {"field": [before, after]}, secrets masked.
    diff: dict[str, Any] = fields.JSONField(default=dict)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "audit_logs"
        indexes = (
            ("created_at",),
            ("actor_id", "created_at"),
            ("object_type", "object_id"),
            ("action", "created_at"),
        )
