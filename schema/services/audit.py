"""The audit log: who changed what, from where, with a diff whose secrets are masked."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from schema.models import AuditLog, User
from schema.services.principal import Principal

MASK = "********"


def diff(
    before: Mapping[str, Any], after: Mapping[str, Any], secret_keys: Iterable[str] = ()
) -> dict[str, list[Any]]:
    """`{field: [before, after]}` for the fields that changed; secret values never appear."""
    secrets = set(secret_keys)
    changes: dict[str, list[Any]] = {}
    for key in sorted(set(before) | set(after)):
        old, new = before.get(key), after.get(key)
        if old == new:
            continue
        if key in secrets:
            changes[key] = [MASK if old else None, MASK if new else None]
        else:
            changes[key] = [old, new]
    return changes


async def record(
    principal: Principal,
    action: str,
    object_type: str = "",
    object_id: int | str = "",
    changes: Mapping[str, Any] | None = None,
    actor: User | None = None,
    actor_name: str | None = None,
) -> None:
    who = actor or principal.user
    await AuditLog.create(
        actor=who,
        actor_name=actor_name if actor_name is not None else (who.username if who else ""),
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        ip=principal.ip,
        diff=dict(changes or {}),
    )
