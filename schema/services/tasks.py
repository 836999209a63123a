"""Tasks: a named fan-out to bound channels, called with dynamic content."""

from __future__ import annotations

from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from schema.errors import Conflict, NotFound
from schema.models import Task
from schema.models.security import KeyScope
from schema.services import audit
from schema.services.bindings import check_bindings, describe, replace_bindings
from schema.services.pagination import Page, paginate
from schema.services.principal import Principal
from schema.services.validation import Description, Input, Name, parse


class TaskFields(Input):
    name: Name
    description: Description = ""
    enabled: bool = True


def check_readable(principal: Principal, owner_id: int, scope: KeyScope, object_id: int, what: str) -> None:
    """Console users read their own (admins everything); an API key reads what it is scoped to."""
    user = principal.require_caller()
    key = principal.api_key
    if key is None:
        principal.check_owner(owner_id, what)
        return
    if owner_id != user.id:
        raise NotFound(f"no {what} with this id")
    scoped_id = key.task_id if scope is KeyScope.TASK else key.template_id
    if key.scope is not KeyScope.ALL and (key.scope is not scope or scoped_id != object_id):
        raise NotFound(f"no {what} with this id")


async def get_task(principal: Principal, task_id: int) -> Task:
    task = await Task.get_or_none(id=task_id)
    if task is None:
        raise NotFound("no task with this id")
    check_readable(principal, task.owner_id, KeyScope.TASK, task.id, "task")
    return task


async def list_tasks(principal: Principal, first: int | None, after: str | None) -> Page[Task]:
    return await paginate(Task.filter(**principal.owner_filter()), first, after)


async def create_task(principal: Principal, fields: dict[str, Any], bindings: list[dict[str, Any]]) -> Task:
    user = principal.require_user()
    data = parse(TaskFields, fields)
    checked = await check_bindings(user.id, bindings)
    try:
        async with in_transaction():
            task = await Task.create(owner=user, **data.model_dump())
            await replace_bindings(task, checked)
    except IntegrityError:
        raise Conflict(f"you already have a task named {data.name!r}", field="name") from None
    await audit.record(
        principal,
        "task.create",
        "task",
        task.id,
        audit.diff({}, data.model_dump() | {"bindings": describe(checked)}),
    )
    return task


async def update_task(
    principal: Principal, task_id: int, fields: dict[str, Any], bindings: list[dict[str, Any]] | None
) -> Task:
    """Change the given fields; `bindings`, when given, replaces the whole list."""
    principal.require_user()
    task = await get_task(principal, task_id)
    before = TaskFields.model_validate(
        {"name": task.name, "description": task.description, "enabled": task.enabled}
    ).model_dump()
    data = parse(TaskFields, before | {k: v for k, v in fields.items() if v is not None})
    checked = None if bindings is None else await check_bindings(task.owner_id, bindings)
    old_bindings = describe(await task.bindings.all().select_related("channel"))
    try:
        async with in_transaction():
            await Task.filter(id=task.id).update(**data.model_dump())
            if checked is not None:
                await replace_bindings(task, checked)
    except IntegrityError:
        raise Conflict(f"a task named {data.name!r} exists", field="name") from None
    await task.refresh_from_db()
    new_bindings = old_bindings if checked is None else describe(checked)
    await audit.record(
        principal,
        "task.update",
        "task",
        task.id,
        audit.diff(before | {"bindings": old_bindings}, data.model_dump() | {"bindings": new_bindings}),
    )
    return task


async def delete_task(principal: Principal, task_id: int) -> None:
    principal.require_user()
    task = await get_task(principal, task_id)
    await task.delete()
    await audit.record(principal, "task.delete", "task", task.id, {"name": [task.name, None]})
