"""Saving a task or a template together with its bindings: one transaction, one audit row."""

from __future__ import annotations

from typing import Any, TypeVar

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from schema.errors import Conflict
from schema.models import Task, Template, User
from schema.services import audit
from schema.services.bindings import check_bindings, describe, replace_bindings
from schema.services.principal import Principal

F = TypeVar("F", Task, Template)


async def create_fanout(
    principal: Principal, model: type[F], owner: User, data: dict[str, Any], bindings: list[dict[str, Any]]
) -> F:
    kind = model.__name__.lower()
    _check_legacy_switch(principal, {}, data)
    checked = await check_bindings(owner, bindings)
    try:
        async with in_transaction():
            row = await model.create(owner=owner, **data)
            await replace_bindings(row, checked)
    except IntegrityError:
        raise Conflict(f"you already have a {kind} named {data['name']!r}", field="name") from None
    changes = audit.diff({}, data | {"bindings": describe(checked)})
    await audit.record(principal, f"{kind}.create", kind, row.id, changes)
    return row


async def update_fanout(
    principal: Principal,
    row: F,
    before: dict[str, Any],
    data: dict[str, Any],
    bindings: list[dict[str, Any]] | None,
) -> F:
    """Write `data`; `bindings`, when given, replaces the whole list (checked against the owner)."""
    kind = type(row).__name__.lower()
    _check_legacy_switch(principal, before, data)
    checked = None if bindings is None else await check_bindings(await User.get(id=row.owner_id), bindings)
    old_bindings = describe(await row.bindings.all().select_related("channel"))
    try:
        async with in_transaction():
            await type(row).filter(id=row.id).update(**data)
            if checked is not None:
                await replace_bindings(row, checked)
    except IntegrityError:
        raise Conflict(f"a {kind} named {data['name']!r} exists", field="name") from None
    await row.refresh_from_db()
    new_bindings = old_bindings if checked is None else describe(checked)
    changes = audit.diff(before | {"bindings": old_bindings}, data | {"bindings": new_bindings})
    await audit.record(principal, f"{kind}.update", kind, row.id, changes)
    return row


async def delete_fanout(principal: Principal, row: Task | Template) -> None:
    kind = type(row).__name__.lower()
    await row.delete()
    await audit.record(principal, f"{kind}.delete", kind, row.id, {"name": [row.name, None]})


def _check_legacy_switch(principal: Principal, before: dict[str, Any], data: dict[str, Any]) -> None:
    """Only an admin turns "accept the Message Nest token" on or off: the token is no secret (it
    encodes the id), so turning it on lets anyone who knows the id send, and that is an admin's call.
    The change lands in the same audit row as the rest of the update."""
    if bool(data.get("accept_legacy_token")) != bool(before.get("accept_legacy_token")):
        principal.require_admin()
