"""Accepting a send: check everything, write the message and its deliveries at once, then dispatch.

Nothing is written unless the whole send is valid: the target exists and is enabled, variables
are complete, every bound channel can take the body. The message and all its deliveries are
written in one transaction, and workers are told only after it commits.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from schema.db import retry_deadlocks
from schema.errors import BadInput, NotFound
from schema.events import DeliveryEvent
from schema.models import Binding, Delivery, Message, Task, Template, User
from schema.models.messages import DeliveryStatus, MessageStatus
from schema.models.security import KeyScope
from schema.services.delivery_plan import PlannedDelivery, content_for, plan_deliveries
from schema.services.principal import Principal
from schema.services.runtime import Runtime
from schema.services.send_request import SendRequest
from schema.services.validation import parse

IDEMPOTENCY_WINDOW = timedelta(hours=24)
_SINGLE_INSERTS = 3


@dataclass(frozen=True)
class SendResult:
    message: Message
    deliveries: list[Delivery]
    # True when an earlier send with the same idempotency key was returned instead.
    duplicate: bool = False
    # channel id → name, so callers can describe the deliveries without reading them again.
    channel_names: dict[int, str] = field(default_factory=dict)


async def accept_send(runtime: Runtime, principal: Principal, data: dict[str, Any]) -> SendResult:
    """Validate and record a send, then tell workers. Raises typed errors and writes nothing on bad input."""
    caller = principal.require_caller()
    if (data.get("task_id") is None) == (data.get("template_id") is None):
        raise BadInput("give exactly one of taskId and templateId", field="taskId")
    request = parse(SendRequest, data)
    target = await _target(principal, caller, request)
    if request.idempotency_key:
        earlier = await _earlier(target.owner_id, request.idempotency_key)
        if earlier is not None:
            return earlier
    bindings = await _enabled_bindings(target)
    content = content_for(target, request)
    _check_message_size(runtime, content.title, content.text, content.markdown, content.html)
    planned = plan_deliveries(bindings, content, request)
    try:
        message, deliveries = await retry_deadlocks(
            lambda: _write(runtime, principal, target, request, content, planned)
        )
    except IntegrityError:
        earlier = await _earlier(target.owner_id, request.idempotency_key or "")
        if earlier is None:
            raise
        return earlier
    await _dispatch(runtime, message, deliveries)
    names = {b.channel.id: b.channel.name for b in bindings}
    return SendResult(message=message, deliveries=deliveries, channel_names=names)


async def _target(principal: Principal, caller: User, request: SendRequest) -> Task | Template:
    key = principal.api_key
    if request.task_id is not None:
        target: Task | Template | None = await Task.get_or_none(id=request.task_id)
        scope, scoped_id, field, what = KeyScope.TASK, key and key.task_id, "taskId", "task"
    else:
        target = await Template.get_or_none(id=request.template_id)
        scope, scoped_id, field, what = KeyScope.TEMPLATE, key and key.template_id, "templateId", "template"
    visible = target is not None and (target.owner_id == caller.id or principal.is_admin)
    if key is not None and target is not None and key.scope is not KeyScope.ALL:
        visible = visible and key.scope is scope and scoped_id == target.id
    if target is None or not visible:
        raise NotFound(f"no {what} with this id", field=field)
    if not target.enabled:
        raise BadInput(f"{what} {target.name!r} is disabled", field=field)
    return target


async def _earlier(owner_id: int, key: str) -> SendResult | None:
    message = await Message.get_or_none(owner_id=owner_id, idempotency_key=key)
    if message is None:
        return None
    if message.created_at < datetime.now(UTC) - IDEMPOTENCY_WINDOW:
        # Past the window the key is free again; the old message keeps its history without it.
        await Message.filter(id=message.id).update(idempotency_key=None)
        return None
    deliveries = list(await Delivery.filter(message_id=message.id).order_by("id"))
    return SendResult(message=message, deliveries=deliveries, duplicate=True)


async def _enabled_bindings(target: Task | Template) -> list[Binding]:
    owner_field = "task_id" if isinstance(target, Task) else "template_id"
    bindings = [
        b
        for b in await Binding.filter(**{owner_field: target.id}, enabled=True).select_related("channel")
        if b.channel.enabled
    ]
    if not bindings:
        kind = "task" if isinstance(target, Task) else "template"
        raise BadInput(
            f"{kind} {target.name!r} has no enabled binding to an enabled channel",
            field="taskId" if isinstance(target, Task) else "templateId",
        )
    return bindings


def _check_message_size(runtime: Runtime, *parts: str) -> None:
    size = sum(len(p.encode()) for p in parts)
    limit = runtime.settings.max_message_bytes
    if size > limit:
        raise BadInput(f"the message is {size:,} bytes; the limit is {limit:,} bytes", field="text")


async def _write(
    runtime: Runtime,
    principal: Principal,
    target: Task | Template,
    request: SendRequest,
    content: Any,
    planned: list[PlannedDelivery],
) -> tuple[Message, list[Delivery]]:
    now = datetime.now(UTC)
    due = request.send_at if request.send_at and request.send_at > now else now
    is_task = isinstance(target, Task)
    async with in_transaction():
        message = await Message.create(
            owner_id=target.owner_id,
            task_id=target.id if is_task else None,
            template_id=None if is_task else target.id,
            api_key=principal.api_key,
            source_name=target.name,
            source=request.source[:16],
            title=content.title,
            text=content.text,
            markdown=content.markdown,
            html=content.html,
            url=request.url,
            variables=request.variables,
            recipients=request.recipients,
            mentions={
                "mobiles": request.mention_mobiles,
                "user_ids": request.mention_user_ids,
                "all": request.mention_all,
            },
            idempotency_key=request.idempotency_key,
            status=MessageStatus.SCHEDULED if due > now else MessageStatus.QUEUED,
            caller_ip=principal.ip[:64],
            trace_id=secrets.token_hex(8),
            send_at=request.send_at,
        )
        rows = [
            Delivery(
                message_id=message.id,
                binding_id=p.binding.id,
                channel_id=p.binding.channel.id,
                channel_type=p.binding.channel.type,
                format=p.format,
                receivers=list(p.receivers),
                status=DeliveryStatus.QUEUED,
                next_attempt_at=due,
            )
            for p in planned
        ]
        if len(rows) <= _SINGLE_INSERTS:
            # The common case: one INSERT each returns its id; no read-back round trip.
            for row in rows:
                await row.save()
            deliveries = rows
        else:
            await Delivery.bulk_create(rows)
            # bulk_create leaves ids unset on the objects; read them back in id order.
            deliveries = list(await Delivery.filter(message_id=message.id).order_by("id"))
    return message, deliveries


def _mentions(target: Task | Template, request: SendRequest) -> dict[str, Any]:
    """The call's @-mentions; a template adds its own."""
    mobiles, user_ids = list(request.mention_mobiles), list(request.mention_user_ids)
    everyone = request.mention_all
    if isinstance(target, Template):
        mobiles += target.mention_mobiles
        user_ids += target.mention_user_ids
        everyone = everyone or target.mention_all
    return {
        "mobiles": list(dict.fromkeys(mobiles)),
        "user_ids": list(dict.fromkeys(user_ids)),
        "all": everyone,
    }


async def _dispatch(runtime: Runtime, message: Message, deliveries: list[Delivery]) -> None:
    now = datetime.now(UTC)
    delay = (message.send_at - now).total_seconds() if message.send_at and message.send_at > now else 0.0
    # Announce before waking workers, so subscribers see `queued` before `sending`.
    await runtime.events.publish_deliveries(
        [
            DeliveryEvent(
                message_id=message.id,
                delivery_id=d.id,
                owner_id=message.owner_id,
                task_id=message.task_id,
                template_id=message.template_id,
                channel_id=d.channel_id,
                channel_type=d.channel_type,
                status=d.status.value,
                attempt=0,
                at=now.timestamp(),
            )
            for d in deliveries
        ]
    )
    await runtime.enqueuer.deliveries_due([d.id for d in deliveries], defer_seconds=delay)
