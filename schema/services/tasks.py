"""Tasks: a named fan-out to bound channels, called with dynamic content."""

from __future__ import annotations

from typing import Any

from schema.errors import NotFound
from schema.models import Task
from schema.models.security import KeyScope
from schema.services.fanout import create_fanout, delete_fanout, update_fanout
from schema.services.pagination import Page, paginate
from schema.services.principal import Principal
from schema.services.validation import Description, Input, Name, parse


class TaskFields(Input):
    name: Name
    description: Description = ""
    enabled: bool = True
    # Admins only (update_fanout checks): see Task.accept_legacy_token.
    accept_legacy_token: bool = False


def check_readable(
    principal: Principal, owner_id: int, scope: KeyScope, object_id: int, what: str, field: str | None = None
) -> None:
    """Console users read their own (admins everything); an API key reads what it is scoped to.

    Anything else is reported as not found, so ids of other users' rows cannot be probed."""
    user = principal.require_caller()
    key = principal.api_key
    if principal.legacy_target is not None:
        visible = owner_id == user.id and principal.legacy_target == (scope, object_id)
    elif key is None:
        visible = principal.is_admin or owner_id == user.id
    else:
        scoped_id = key.task_id if scope is KeyScope.TASK else key.template_id
        in_scope = key.scope is KeyScope.ALL or (key.scope is scope and scoped_id == object_id)
        visible = owner_id == user.id and in_scope
    if not visible:
        raise NotFound(f"no {what} with this id", field=field)


async def get_task(principal: Principal, task_id: int) -> Task:
    task = await Task.get_or_none(id=task_id)
    if task is None:
        raise NotFound("no task with this id")
    check_readable(principal, task.owner_id, KeyScope.TASK, task.id, "task")
    return task


async def list_tasks(
    principal: Principal, first: int | None, after: str | None, count: bool = True
) -> Page[Task]:
    return await paginate(Task.filter(**principal.owner_filter()), first, after, count)


async def create_task(principal: Principal, fields: dict[str, Any], bindings: list[dict[str, Any]]) -> Task:
    user = principal.require_user()
    data = parse(TaskFields, fields).model_dump()
    return await create_fanout(principal, Task, user, data, bindings)


async def update_task(
    principal: Principal, task_id: int, fields: dict[str, Any], bindings: list[dict[str, Any]] | None
) -> Task:
    """Change the given fields; `bindings`, when given, replaces the whole list."""
    principal.require_user()
    task = await get_task(principal, task_id)
    before = {
        "name": task.name,
        "description": task.description,
        "enabled": task.enabled,
        "accept_legacy_token": task.accept_legacy_token,
    }
    data = parse(TaskFields, before | {k: v for k, v in fields.items() if v is not None}).model_dump()
    return await update_fanout(principal, task, before, data, bindings)


async def delete_task(principal: Principal, task_id: int) -> None:
    principal.require_user()
    await delete_fanout(principal, await get_task(principal, task_id))
