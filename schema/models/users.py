"""People who use the console and own channels, tasks and templates."""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model


class Role(StrEnum):
    ADMIN = "admin"
    MEMBER = "member"


class User(Model):
    id = fields.IntField(primary_key=True)
    username = fields.CharField(max_length=64, unique=True)
    password_hash = fields.CharField(max_length=255)
    role = fields.CharEnumField(Role, max_length=16, default=Role.MEMBER)
    is_active = fields.BooleanField(default=True)
    # Admin-managed group names (lower case): a member's sends reach the inboxes of users who share
    # one with them (schema/services/inbox_access.py). A short list on the row: no join to check it.
    # Nullable only so the column can be added to existing rows everywhere (MySQL gives JSON no
    # default); read it through `group_set`.
    groups: list[str] | None = fields.JSONField(null=True, default=list)
    # Bumped on every password change; a JWT carrying an older value is refused.
    token_version = fields.IntField(default=1)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)
    last_login_at = fields.DatetimeField(null=True)
    # Set for an account whose password came from elsewhere (Message Nest stored it in clear): the
    # first sign-in may do nothing but choose a new one.
    must_change_password = fields.BooleanField(default=False, db_default=False)

    class Meta:
        table = "users"

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def group_set(self) -> frozenset[str]:
        return frozenset(self.groups or ())
