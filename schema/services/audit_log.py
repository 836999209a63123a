"""Reading the audit log (admins only)."""

from __future__ import annotations

from datetime import datetime

from schema.models import AuditLog
from schema.services.pagination import Page, paginate
from schema.services.principal import Principal
from schema.services.validation import camel, column_filter


async def list_audit_logs(
    principal: Principal,
    first: int | None,
    after: str | None,
    action: str | None = None,
    actor_name: str | None = None,
    object_type: str | None = None,
    object_id: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> Page[AuditLog]:
    principal.require_admin()
    query = AuditLog.all()
    text = {"action": action, "actor_name": actor_name, "object_type": object_type, "object_id": object_id}
    filters: dict[str, object] = {
        name: column_filter(AuditLog, name, value, f"filter.{camel(name)}") for name, value in text.items()
    }
    filters |= {"created_at__gte": since, "created_at__lt": until}
    query = query.filter(**{k: v for k, v in filters.items() if v is not None})
    return await paginate(query, first, after)
