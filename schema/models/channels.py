"""A configured, credentialed destination. Secrets live encrypted in `secrets_sealed`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from schema.models.users import User


class Channel(Model):
    id = fields.IntField(primary_key=True)
    owner: fields.ForeignKeyRelation[User] = fields.ForeignKeyField(
        "models.User", related_name="channels", on_delete=fields.RESTRICT
    )
    owner_id: int
    name = fields.CharField(max_length=100)
    type = fields.CharField(max_length=40, db_index=True)
    # Non-secret config fields, as JSON.
    config: dict[str, Any] = fields.JSONField(default=dict)
    # Secret config fields: a JSON object encrypted with SecretBox; never returned by the API.
    secrets_sealed = fields.TextField(default="")
    enabled = fields.BooleanField(default=True)
    # An admin's decision that this channel may reach private, loopback and link-local targets
    # (schema/net/). Only an admin sets it; a member's change to the channel's target clears it.
    allow_private_targets = fields.BooleanField(default=False, db_default=False)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "channels"
        unique_together = (("owner", "name"),)
