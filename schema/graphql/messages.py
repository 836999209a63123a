"""Sending and the send log: sendMessage, resendFailed, messages, message."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import strawberry
from strawberry.scalars import JSON

from schema.errors import BadInput, PushNestError
from schema.graphql.context import Info
from schema.graphql.inputs import PlaceholderInput, as_dict
from schema.graphql.types import Connection, FormatEnum, connection
from schema.models import Delivery, DeliveryAttempt, Message
from schema.models.messages import DeliveryStatus, MessageStatus
from schema.services import messages, preview, sending
from schema.services.messages import MessageFilter

MessageStatusEnum = strawberry.enum(MessageStatus, name="MessageStatus")
DeliveryStatusEnum = strawberry.enum(DeliveryStatus, name="DeliveryStatus")
DEFAULT_SYNC_TIMEOUT_SECONDS = 10.0


@strawberry.type
class DeliveryAttemptRecord:
    number: int
    outcome: str
    error_class: str
    error: str
    vendor_response: str
    latency_ms: int | None
    started_at: datetime
    finished_at: datetime

    @classmethod
    def of(cls, row: DeliveryAttempt) -> DeliveryAttemptRecord:
        return cls(
            number=row.number,
            outcome=row.outcome,
            error_class=row.error_class,
            error=row.error,
            vendor_response=row.vendor_response,
            latency_ms=row.latency_ms,
            started_at=row.started_at,
            finished_at=row.finished_at,
        )


@strawberry.type(name="Delivery")
class DeliveryNode:
    id: int
    channel_id: int | None
    channel_name: str | None
    channel_type: str
    format: FormatEnum  # type: ignore[valid-type]
    receivers: list[str]
    status: DeliveryStatusEnum  # type: ignore[valid-type]
    attempts: int
    error_class: str
    last_error: str
    latency_ms: int | None
    next_attempt_at: datetime | None
    updated_at: datetime
    history: list[DeliveryAttemptRecord] | None = strawberry.field(
        description="Every attempt with the vendor's answer (on `message(id)` only; null in lists)."
    )

    @classmethod
    def of(
        cls, row: Delivery, history: list[DeliveryAttempt] | None = None, channel_name: str | None = None
    ) -> DeliveryNode:
        if channel_name is None and row.channel_id is not None and row.channel is not None:
            channel_name = row.channel.name  # loaded by messages.deliveries_of (select_related)
        return cls(
            id=row.id,
            channel_id=row.channel_id,
            channel_name=channel_name,
            channel_type=row.channel_type,
            format=row.format,
            receivers=list(row.receivers),
            status=row.status,
            attempts=row.attempts,
            error_class=row.error_class,
            last_error=row.last_error,
            latency_ms=row.latency_ms,
            next_attempt_at=row.next_attempt_at,
            updated_at=row.updated_at,
            history=None if history is None else [DeliveryAttemptRecord.of(a) for a in history],
        )


@strawberry.type(name="Message")
class MessageNode:
    id: int
    task_id: int | None
    template_id: int | None
    source_name: str
    source: str
    title: str
    text: str
    markdown: str
    html: str
    url: str
    variables: JSON
    recipients: list[str]
    status: MessageStatusEnum  # type: ignore[valid-type]
    trace_id: str
    idempotency_key: str | None
    send_at: datetime | None
    created_at: datetime
    finished_at: datetime | None
    deliveries: list[DeliveryNode]

    @classmethod
    def of(cls, row: Message, deliveries: list[DeliveryNode]) -> MessageNode:
        return cls(
            id=row.id,
            task_id=row.task_id,
            template_id=row.template_id,
            source_name=row.source_name,
            source=row.source,
            title=row.title,
            text=row.text,
            markdown=row.markdown,
            html=row.html,
            url=row.url,
            variables=JSON(row.variables),
            recipients=list(row.recipients),
            status=row.status,
            trace_id=row.trace_id,
            idempotency_key=row.idempotency_key,
            send_at=row.send_at,
            created_at=row.created_at,
            finished_at=row.finished_at,
            deliveries=deliveries,
        )


@strawberry.type
class SendMessagePayload:
    message: MessageNode
    duplicate: bool = strawberry.field(description="An earlier send with this idempotency key was returned.")
    completed: bool = strawberry.field(description="Every delivery has a final state (with sync: true).")


@strawberry.input
class MentionsInput:
    mobiles: list[str] = strawberry.field(default_factory=list)
    user_ids: list[str] = strawberry.field(default_factory=list)
    all: bool = False


@strawberry.input
class SendMessageInput:
    """Task mode: taskId with title/text/markdown/html/url. Template mode: templateId with variables."""

    task_id: int | None = None
    template_id: int | None = None
    title: str = ""
    text: str = ""
    markdown: str = ""
    html: str = ""
    url: str = ""
    variables: JSON | None = None
    recipients: list[str] = strawberry.field(default_factory=list)
    mentions: MentionsInput | None = None
    idempotency_key: str | None = strawberry.field(
        default=None, description="Same key within 24 h → same message."
    )
    send_at: datetime | None = None
    sync: bool = strawberry.field(default=False, description="Wait for every delivery's outcome.")
    timeout_seconds: float = DEFAULT_SYNC_TIMEOUT_SECONDS


@strawberry.input
class MessageFilterInput:
    status: MessageStatusEnum | None = None  # type: ignore[valid-type]
    task_id: int | None = None
    template_id: int | None = None
    channel_id: int | None = None
    since: datetime | None = None
    until: datetime | None = None
    search: str | None = None
    ids: list[int] | None = strawberry.field(
        default=None,
        description="Only these messages (at most 100): a live view refreshing the rows it shows in one call.",
    )


def _send_data(input: SendMessageInput) -> dict[str, Any]:
    mentions = input.mentions or MentionsInput()
    return {
        "task_id": input.task_id,
        "template_id": input.template_id,
        "title": input.title,
        "text": input.text,
        "markdown": input.markdown,
        "html": input.html,
        "url": input.url,
        "variables": input.variables if input.variables is not None else {},
        "recipients": input.recipients,
        "mention_mobiles": mentions.mobiles,
        "mention_user_ids": mentions.user_ids,
        "mention_all": mentions.all,
        "idempotency_key": input.idempotency_key,
        "send_at": input.send_at,
        "source": "graphql",
    }


def _fresh_node(result: sending.SendResult) -> MessageNode:
    """A message just written, described without reading it back."""
    deliveries = [
        DeliveryNode.of(d, channel_name=result.channel_names.get(d.channel_id or 0))
        for d in result.deliveries
    ]
    return MessageNode.of(result.message, deliveries)


@strawberry.type
class SendError:
    code: str
    message: str = strawberry.field(
        description="In English; `reason` and `args` let a client word it itself."
    )
    field: str | None
    reason: str | None = strawberry.field(
        default=None, description="The rule that refused the send, as in the errors' extensions.reason."
    )
    args: JSON | None = strawberry.field(default=None, description="The values the reason's words need.")


@strawberry.type
class SendBatchItem:
    """One entry of `sendMessages`, in the order given: the message, or why it was refused."""

    index: int
    message: MessageNode | None
    duplicate: bool
    error: SendError | None


async def message_node(row: Message, with_history: bool) -> MessageNode:
    deliveries = (await messages.deliveries_of([row.id])).get(row.id, [])
    history = await messages.attempts_of([d.id for d in deliveries]) if with_history else None
    nodes = [DeliveryNode.of(d, history.get(d.id, []) if history is not None else None) for d in deliveries]
    return MessageNode.of(row, nodes)


@strawberry.type
class MessageQueries:
    @strawberry.field(description="The send log, newest first.")
    async def messages(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        filter: MessageFilterInput | None = None,
    ) -> Connection[MessageNode]:
        f = filter or MessageFilterInput()
        where = MessageFilter(
            status=f.status,
            task_id=f.task_id,
            template_id=f.template_id,
            channel_id=f.channel_id,
            since=f.since,
            until=f.until,
            search=f.search,
            ids=f.ids,
        )
        page = await messages.list_messages(info.context.principal, first, after, where)
        grouped = await messages.deliveries_of([m.id for m in page.items])
        return connection(
            page, lambda row: MessageNode.of(row, [DeliveryNode.of(d) for d in grouped.get(row.id, [])])
        )

    @strawberry.field(description="One message with its deliveries and every attempt.")
    async def message(self, info: Info, id: int) -> MessageNode:
        return await message_node(await messages.get_message(info.context.principal, id), with_history=True)


@strawberry.type
class MessageMutations:
    @strawberry.mutation(description="Send through a task or a template (API key or console session).")
    async def send_message(self, info: Info, input: SendMessageInput) -> SendMessagePayload:
        ctx = info.context
        data = _send_data(input)
        result = await sending.accept_send(ctx.runtime, ctx.principal, data)
        row = result.message
        if input.sync and not result.duplicate:
            ids = [d.id for d in result.deliveries]
            row = await messages.wait_for_outcome(ctx.runtime, row, ids, input.timeout_seconds)
            node = await message_node(row, with_history=False)
        elif result.duplicate:
            node = await message_node(row, with_history=False)
        else:
            node = _fresh_node(result)
        return SendMessagePayload(
            message=node, duplicate=result.duplicate, completed=row.status in messages.FINAL_MESSAGE
        )

    @strawberry.mutation(
        description="Up to 500 sends in one call, written together; each is checked on its own, so one bad "
        "entry gets its error and the others go on."
    )
    async def send_messages(self, info: Info, inputs: list[SendMessageInput]) -> list[SendBatchItem]:
        ctx = info.context
        if any(i.sync for i in inputs):
            raise BadInput("sync is not available for batches; follow messageEvents instead", field="inputs")
        results = await sending.accept_many(ctx.runtime, ctx.principal, [_send_data(i) for i in inputs])
        items = []
        for index, result in enumerate(results):
            if isinstance(result, PushNestError):
                field = result.details.get("field")
                args = result.details.get("args")
                error = SendError(
                    code=result.code,
                    message=result.message,
                    field=str(field) if field else None,
                    reason=result.reason,
                    args=JSON(args) if args else None,
                )
                items.append(SendBatchItem(index=index, message=None, duplicate=False, error=error))
            else:
                node = await message_node(result.message, False) if result.duplicate else _fresh_node(result)
                items.append(SendBatchItem(index=index, message=node, duplicate=result.duplicate, error=None))
        return items

    @strawberry.mutation(description="Send again the deliveries of a message that failed.")
    async def resend_failed(self, info: Info, message_id: int) -> MessageNode:
        ctx = info.context
        await messages.resend_failed(ctx.runtime, ctx.principal, message_id)
        return await message_node(await messages.get_message(ctx.principal, message_id), with_history=False)


@strawberry.type
class LintNote:
    """A finding about what a channel would get: a stable code with its arguments, and English words."""

    code: str
    message: str
    args: JSON


@strawberry.type(name="ChannelPreview")
class ChannelPreviewNode:
    binding_id: int
    channel_id: int
    channel_name: str
    channel_type: str
    format: FormatEnum  # type: ignore[valid-type]
    body: str
    size_bytes: int
    limit_bytes: int | None
    warnings: list[str] = strawberry.field(description="In English; `notes` has the same with codes.")
    notes: list[LintNote]


@strawberry.type
class TemplatePreviewPayload:
    title: str
    missing: list[str] = strawberry.field(description="Placeholders with no value and no default.")
    channels: list[ChannelPreviewNode]


@strawberry.input
class PreviewTemplateInput:
    """Preview a saved template, optionally with unsaved edits (title and bodies, placeholders)."""

    template_id: int
    variables: JSON | None = None
    title: str | None = None
    text_body: str | None = None
    markdown_body: str | None = None
    html_body: str | None = None
    placeholders: list[PlaceholderInput] | None = None


@strawberry.type
class PreviewMutations:
    @strawberry.mutation(description="What each bound channel would get, rendered with these variables.")
    async def preview_template(self, info: Info, input: PreviewTemplateInput) -> TemplatePreviewPayload:
        draft = as_dict(input, drop_none=True)
        variables = draft.pop("variables", {})
        if not isinstance(variables, dict):
            raise BadInput("variables must be a JSON object", field="variables")
        result = await preview.preview_template(info.context.principal, input.template_id, variables, draft)
        return TemplatePreviewPayload(
            title=result.title,
            missing=result.missing,
            channels=[_channel_preview(c) for c in result.channels],
        )


def _channel_preview(found: preview.ChannelPreview) -> ChannelPreviewNode:
    notes = [LintNote(code=n.code, message=n.message, args=JSON(n.args)) for n in found.warnings]
    return ChannelPreviewNode(
        binding_id=found.binding_id,
        channel_id=found.channel_id,
        channel_name=found.channel_name,
        channel_type=found.channel_type,
        format=found.format,
        body=found.body,
        size_bytes=found.size_bytes,
        limit_bytes=found.limit_bytes,
        warnings=[n.message for n in found.warnings],
        notes=notes,
    )
