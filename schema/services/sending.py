"""Accepting a send: check everything, write the message and its deliveries at once, then dispatch.

Nothing is written unless the whole send is valid: the target exists and is enabled, variables
are complete, every bound channel can take the body. The message and all its deliveries are
written in one transaction, and workers are told only after it commits.

Once the transaction commits, the send is accepted whatever happens next: announcing it and waking
workers are best-effort (Redis may be down), because a caller told "error" for a message that is
later delivered sends it again. The worker's sweeper wakes for due rows that no job announced.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from schema.db import retry_deadlocks
from schema.domain.bodies import Content
from schema.errors import BadInput, Conflict, NotFound, PushNestError
from schema.events import DeliveryEvent
from schema.logging_setup import bind_log_context
from schema.models import Binding, Delivery, Message, Task, Template, User
from schema.models.messages import DeliveryStatus, MessageStatus
from schema.models.security import KeyScope
from schema.services import public_preview
from schema.services.delivery_plan import PlannedDelivery, content_for, plan_deliveries, warnings_for
from schema.services.inbox_access import INBOX_TYPE, check_receivers
from schema.services.principal import Principal
from schema.services.runtime import Runtime
from schema.services.send_request import SendRequest
from schema.services.tasks import check_readable
from schema.services.validation import parse
from schema.telemetry import message_trace, traced

log = logging.getLogger("pushnest.sending")
IDEMPOTENCY_WINDOW = timedelta(hours=24)
MAX_BATCH = 500
_SINGLE_INSERTS = 3


@dataclass(frozen=True)
class SendResult:
    message: Message
    deliveries: list[Delivery]
    # True when an earlier send with the same idempotency key was returned instead.
    duplicate: bool = False
    # channel id → name, so callers can describe the deliveries without reading them again.
    channel_names: dict[int, str] = field(default_factory=dict)
    # What was done differently from what the caller asked (Message Nest's rules only).
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Ready:
    """A send that passed every check and is ready to be written."""

    request: SendRequest
    target: Task | Template
    content: Content
    planned: list[PlannedDelivery]
    channel_names: dict[int, str]
    warnings: list[str]
    # Taken in the caller's own context: the group's transaction runs in another task.
    trace: tuple[str, str]


async def accept_send(runtime: Runtime, principal: Principal, data: dict[str, Any]) -> SendResult:
    """Validate and record a send, then tell workers. Raises typed errors and writes nothing on bad input."""
    [result] = await accept_many(runtime, principal, [data])
    if isinstance(result, PushNestError):
        raise result
    return result


@traced("pushnest.accept")
async def accept_many(
    runtime: Runtime, principal: Principal, items: list[dict[str, Any]]
) -> list[SendResult | PushNestError]:
    """Several sends in one call: each is checked on its own (a bad one gets its error, the rest go on);
    the good ones are written in one transaction and announced together."""
    principal.require_caller()
    if not 1 <= len(items) <= MAX_BATCH:
        raise BadInput(
            f"send between 1 and {MAX_BATCH} messages at once",
            field="inputs",
            reason="batch_size",
            args={"max": MAX_BATCH},
        )
    targets: dict[tuple[str, int], tuple[Task | Template, list[Binding]] | PushNestError] = {}
    prepared: list[_Ready | SendResult | PushNestError] = []
    for data in items:
        try:
            prepared.append(await _prepare(runtime, principal, data, targets))
        except PushNestError as exc:
            prepared.append(exc)
    ready = [p for p in prepared if isinstance(p, _Ready)]
    if ready:
        try:
            written = await runtime.sends.write(
                [(principal, r) for r in ready], partial(_write_and_tell, runtime)
            )
        except IntegrityError:
            if len(items) == 1:
                return [await _duplicate_or_raise(principal, ready[0])]
            # Another call took an idempotency key at the same moment: settle each send on its own.
            return [await _settle_alone(runtime, principal, data) for data in items]
        if len(written) == 1:  # the rest of this request logs with the send's trace id
            bind_log_context(trace_id=written[0][0].trace_id, message_id=written[0][0].id)
        results = iter(
            SendResult(m, d, channel_names=r.channel_names, warnings=r.warnings)
            for r, (m, d) in zip(ready, written, strict=True)
        )
        prepared = [next(results) if isinstance(p, _Ready) else p for p in prepared]
    return [p for p in prepared if not isinstance(p, _Ready)]


async def _prepare(
    runtime: Runtime,
    principal: Principal,
    data: dict[str, Any],
    targets: dict[tuple[str, int], tuple[Task | Template, list[Binding]] | PushNestError],
) -> _Ready | SendResult:
    if (data.get("task_id") is None) == (data.get("template_id") is None):
        raise BadInput("give exactly one of taskId and templateId", field="taskId", reason="task_or_template")
    request = parse(SendRequest, data)
    key = ("task", request.task_id) if request.task_id is not None else ("template", request.template_id or 0)
    if key not in targets:
        try:
            targets[key] = await _target_with_bindings(runtime, principal, request, key)
        except PushNestError as exc:
            targets[key] = exc
    cached = targets[key]
    if isinstance(cached, PushNestError):
        raise cached
    target, bindings = cached
    if request.idempotency_key:
        earlier = await _earlier(principal, target, request.idempotency_key)
        if earlier is not None:
            return earlier
    content = content_for(target, request)
    _check_message_size(runtime, content.title, content.text, content.markdown, content.html)
    planned = plan_deliveries(bindings, content, request)
    await _check_inbox_recipients(target, planned, request)
    names = {b.channel.id: b.channel.name for b in bindings}
    return _Ready(
        request=request,
        target=target,
        content=content,
        planned=planned,
        channel_names=names,
        warnings=warnings_for(planned, request),
        trace=message_trace(),
    )


async def _check_inbox_recipients(
    target: Task | Template, planned: list[PlannedDelivery], request: SendRequest
) -> None:
    """Per-call recipients that land in inboxes: only users the target's owner may send to."""
    if any(p.receivers and p.binding.channel.type == INBOX_TYPE for p in planned):
        owner = await User.get(id=target.owner_id)
        await check_receivers(owner, request.recipients, "recipients")


async def _duplicate_or_raise(principal: Principal, ready: _Ready) -> SendResult:
    earlier = await _earlier(principal, ready.target, ready.request.idempotency_key or "")
    if earlier is None:
        raise Conflict("the send could not be written; try again")
    return earlier


async def _settle_alone(
    runtime: Runtime, principal: Principal, data: dict[str, Any]
) -> SendResult | PushNestError:
    try:
        return await accept_send(runtime, principal, data)
    except PushNestError as exc:
        return exc


async def _target_with_bindings(
    runtime: Runtime, principal: Principal, request: SendRequest, key: tuple[str, int]
) -> tuple[Task | Template, list[Binding]]:
    """From the process's cache when it has them (cleared on every edit, see caches.py); this
    caller's right to send and the target being enabled are checked every time."""
    target, bindings = await runtime.caches.targets.get_or_load(key, lambda: _load_target(request))
    # Every time, since the cache is shared by all callers; before the bindings are looked at, so
    # a caller learns nothing about a target it may not use.
    _check_usable(principal, target, request)
    if not bindings:
        kind, field = ("task", "taskId") if isinstance(target, Task) else ("template", "templateId")
        raise BadInput(
            f"{kind} {target.name!r} has no enabled binding to an enabled channel",
            field=field,
            reason=f"{kind}_without_bindings",
            args={"name": target.name},
        )
    return target, bindings


async def _load_target(request: SendRequest) -> tuple[tuple[Task | Template, list[Binding]], None]:
    target = await _find_target(request)
    return (target, await _enabled_bindings(target)), None


async def _find_target(request: SendRequest) -> Task | Template:
    if request.task_id is not None:
        target: Task | Template | None = await Task.get_or_none(id=request.task_id)
    else:
        target = await Template.get_or_none(id=request.template_id)
    if target is None:
        what, field = ("task", "taskId") if request.task_id is not None else ("template", "templateId")
        raise NotFound(f"no {what} with this id", field=field)
    return target


def _check_usable(principal: Principal, target: Task | Template, request: SendRequest) -> None:
    if request.task_id is not None:
        scope, field, what = KeyScope.TASK, "taskId", "task"
    else:
        scope, field, what = KeyScope.TEMPLATE, "templateId", "template"
    check_readable(principal, target.owner_id, scope, target.id, what, field)
    if not target.enabled:
        raise BadInput(
            f"{what} {target.name!r} is disabled",
            field=field,
            reason=f"{what}_disabled",
            args={"name": target.name},
        )


async def _earlier(principal: Principal, target: Task | Template, key: str) -> SendResult | None:
    """The owner's send with this key in the last 24 h, if it was made to the same target with the
    same API key (or none); the same key for another target or key is refused, never answered
    with another send's content. Keys are unique per owner, so a race is settled by the database."""
    message = await Message.get_or_none(owner_id=target.owner_id, idempotency_key=key)
    if message is None:
        return None
    if message.created_at < datetime.now(UTC) - IDEMPOTENCY_WINDOW:
        # Past the window the key is free again; the old message keeps its history without it.
        await Message.filter(id=message.id).update(idempotency_key=None)
        return None
    if not _same_scope(message, target, principal):
        raise Conflict(
            "this idempotencyKey was used in the last 24 h for another task, template or API key; "
            "use a new key for this send",
            field="idempotencyKey",
        )
    deliveries = list(await Delivery.filter(message_id=message.id).order_by("id"))
    return SendResult(message=message, deliveries=deliveries, duplicate=True)


def _same_scope(message: Message, target: Task | Template, principal: Principal) -> bool:
    is_task = isinstance(target, Task)
    key_id = principal.api_key.id if principal.api_key is not None else None
    return (
        message.task_id == (target.id if is_task else None)
        and message.template_id == (None if is_task else target.id)
        and message.api_key_id == key_id
    )


async def _enabled_bindings(target: Task | Template) -> list[Binding]:
    owner_field = "task_id" if isinstance(target, Task) else "template_id"
    return [
        b
        for b in await Binding.filter(**{owner_field: target.id}, enabled=True).select_related("channel")
        if b.channel.enabled
    ]


def _check_message_size(runtime: Runtime, *parts: str) -> None:
    size = sum(len(p.encode()) for p in parts)
    limit = runtime.settings.max_message_bytes
    if size > limit:
        raise BadInput(
            f"the message is {size:,} bytes; the limit is {limit:,} bytes",
            field="text",
            reason="message_too_large",
            args={"size": size, "limit": limit},
        )


async def _write_and_tell(
    runtime: Runtime, items: list[tuple[Principal, _Ready]]
) -> list[tuple[Message, list[Delivery]]]:
    """The group's messages in one transaction (see group_commit.py), then announced together."""
    written = await retry_deadlocks(lambda: _write(items))
    await _dispatch_best_effort(runtime, written)
    return written


async def _write(items: list[tuple[Principal, _Ready]]) -> list[tuple[Message, list[Delivery]]]:
    """Every message and its deliveries, in one transaction."""
    now = datetime.now(UTC)
    ready = [r for _, r in items]
    async with in_transaction():
        messages = [await _message_row(principal, r, now) for principal, r in items]
        rows = [
            Delivery(
                message_id=m.id,
                binding_id=p.binding.id,
                channel_id=p.binding.channel.id,
                channel_type=p.binding.channel.type,
                format=p.format,
                receivers=list(p.receivers),
                status=DeliveryStatus.QUEUED,
                next_attempt_at=m.send_at if _later(m.send_at, now) else now,
            )
            for m, r in zip(messages, ready, strict=True)
            for p in r.planned
        ]
        if len(rows) <= _SINGLE_INSERTS:
            # The common case: one INSERT each returns its id; no read-back round trip.
            for row in rows:
                await row.save()
            deliveries = rows
        else:
            await Delivery.bulk_create(rows)
            # bulk_create leaves ids unset on the objects; read them back in id order.
            deliveries = list(await Delivery.filter(message_id__in=[m.id for m in messages]).order_by("id"))
    by_message: dict[int, list[Delivery]] = {m.id: [] for m in messages}
    for delivery in deliveries:
        by_message[delivery.message_id].append(delivery)
    return [(m, by_message[m.id]) for m in messages]


async def _message_row(principal: Principal, ready: _Ready, now: datetime) -> Message:
    request, target, content = ready.request, ready.target, ready.content
    is_task = isinstance(target, Task)
    trace_id, traceparent = ready.trace
    return await Message.create(
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
        mentions=_mentions(target, request),
        idempotency_key=request.idempotency_key,
        status=MessageStatus.SCHEDULED if _later(request.send_at, now) else MessageStatus.QUEUED,
        caller_ip=principal.ip[:64],
        trace_id=trace_id,
        traceparent=traceparent,
        send_at=request.send_at,
        preview_key=public_preview.new_key() if public_preview.wanted(ready.planned) else None,
    )


def _later(moment: datetime | None, now: datetime) -> bool:
    return moment is not None and moment > now


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


async def _dispatch_best_effort(runtime: Runtime, written: list[tuple[Message, list[Delivery]]]) -> None:
    """After the commit nothing may fail the request: a lost announcement or wake-up is logged, and
    the sweeper's check for due rows without a job (workers/arq_worker.py) delivers them anyway."""
    try:
        await _dispatch(runtime, written)
    except Exception as exc:  # any failure here: the messages are committed and will be delivered
        ids = [m.id for m, _ in written]
        log.warning(
            "accepted message(s) %s; announcing them failed (%s), the sweeper will wake workers",
            ids[:10],
            type(exc).__name__,
        )


@traced("pushnest.enqueue", kind="producer")
async def _dispatch(runtime: Runtime, written: list[tuple[Message, list[Delivery]]]) -> None:
    now = datetime.now(UTC)
    # Announce before waking workers, so subscribers see `queued` before `sending`.
    await runtime.events.publish_deliveries(
        [
            DeliveryEvent.about(m, d, status=d.status.value, attempt=0, at=now.timestamp())
            for m, deliveries in written
            for d in deliveries
        ]
    )
    due_now = [d.id for m, deliveries in written if not _later(m.send_at, now) for d in deliveries]
    if due_now:
        await runtime.enqueuer.deliveries_due(due_now)
    for m, deliveries in written:
        if m.send_at is not None and _later(m.send_at, now):
            await runtime.enqueuer.deliveries_due(
                [d.id for d in deliveries], defer_seconds=(m.send_at - now).total_seconds()
            )
