"""API keys: made once and shown once, stored as a hash, scoped, revocable."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from pydantic import field_validator
from pydantic_core import PydanticCustomError

from schema import crypto
from schema.errors import BadInput, Conflict, NotFound, Unauthenticated
from schema.models import ApiKey, Task, Template
from schema.models.security import KeyScope
from schema.services import audit
from schema.services.pagination import Page, paginate
from schema.services.principal import Principal
from schema.services.validation import Input, Name, parse

# Writing last_used_at on every send would turn each send into an extra UPDATE.
_LAST_USED_RESOLUTION = timedelta(minutes=1)


class KeyFields(Input):
    name: Name
    scope: KeyScope
    task_id: int | None = None
    template_id: int | None = None
    expires_at: datetime | None = None

    @field_validator("expires_at")
    @classmethod
    def _in_the_future(cls, value: datetime | None) -> datetime | None:
        if value is not None and value <= datetime.now(UTC):
            raise PydanticCustomError("not_in_future", "must be in the future")
        return value


@dataclass(frozen=True)
class NewKey:
    """The key in clear: the only time anyone sees it."""

    secret: str
    api_key: ApiKey


async def create_api_key(
    principal: Principal,
    name: str,
    scope: KeyScope,
    task_id: int | None,
    template_id: int | None,
    expires_at: datetime | None = None,
) -> NewKey:
    user = principal.require_user()
    fields = {
        "name": name,
        "scope": scope,
        "task_id": task_id,
        "template_id": template_id,
        "expires_at": expires_at,
    }
    data = parse(KeyFields, fields)
    task, template = await _scope_target(user.id, data)
    secret = crypto.new_api_key()
    key = await ApiKey.create(
        owner=user,
        name=data.name,
        prefix=crypto.api_key_display_prefix(secret),
        key_hash=crypto.hash_api_key(secret),
        scope=data.scope,
        task=task,
        template=template,
        expires_at=data.expires_at,
    )
    await audit.record(
        principal,
        "api_key.create",
        "api_key",
        key.id,
        {
            "name": [None, key.name],
            "scope": [None, key.scope.value],
            "taskId": [None, task_id],
            "templateId": [None, template_id],
            "expiresAt": [None, data.expires_at.isoformat() if data.expires_at else None],
        },
    )
    return NewKey(secret=secret, api_key=key)


async def _scope_target(owner_id: int, data: KeyFields) -> tuple[Task | None, Template | None]:
    if data.scope is KeyScope.ALL:
        if data.task_id is not None or data.template_id is not None:
            raise BadInput("a key for all tasks and templates takes no taskId or templateId", field="scope")
        return None, None
    if data.scope is KeyScope.TASK:
        if data.task_id is None or data.template_id is not None:
            raise BadInput("a task-scoped key needs taskId (and no templateId)", field="taskId")
        task = await Task.get_or_none(id=data.task_id, owner_id=owner_id)
        if task is None:
            raise BadInput("taskId: no task with this id", field="taskId")
        return task, None
    if data.template_id is None or data.task_id is not None:
        raise BadInput("a template-scoped key needs templateId (and no taskId)", field="templateId")
    template = await Template.get_or_none(id=data.template_id, owner_id=owner_id)
    if template is None:
        raise BadInput("templateId: no template with this id", field="templateId")
    return None, template


async def revoke_api_key(principal: Principal, key_id: int) -> ApiKey:
    principal.require_user()
    key = await ApiKey.get_or_none(id=key_id)
    if key is None:
        raise NotFound("no API key with this id")
    principal.check_owner(key.owner_id, "API key")
    if key.revoked_at is not None:
        raise Conflict("this API key is already revoked")
    key.revoked_at = datetime.now(UTC)
    await key.save(update_fields=["revoked_at"])
    await key.fetch_related("owner")
    await audit.record(principal, "api_key.revoke", "api_key", key.id, {"revoked": [False, True]})
    return key


async def list_api_keys(principal: Principal, first: int | None, after: str | None) -> Page[ApiKey]:
    # With their owners: an admin sees everyone's keys, and whose each is.
    return await paginate(ApiKey.filter(**principal.owner_filter()).select_related("owner"), first, after)


async def authenticate(secret: str) -> ApiKey:
    """The live key for a presented secret, with its owner loaded; refuses unknown, revoked and
    expired keys. Only the holder of a key can learn that it expired, so saying so tells nobody else
    anything, and it tells a client with a stale key what to do."""
    key = await ApiKey.get_or_none(key_hash=crypto.hash_api_key(secret)).select_related("owner")
    if key is None or key.revoked_at is not None or not key.owner.is_active:
        raise Unauthenticated("API key is unknown or revoked", reason="unknown_or_revoked")
    now = datetime.now(UTC)
    if key.expires_at is not None and key.expires_at <= now:
        raise Unauthenticated("API key has expired", reason="expired")
    if key.last_used_at is None or now - key.last_used_at > _LAST_USED_RESOLUTION:
        key.last_used_at = now
        await ApiKey.filter(id=key.id).update(last_used_at=now)
    return key
