"""From a valid request to its content and one planned delivery per binding (and receiver chunk)."""

from __future__ import annotations

from dataclasses import dataclass

from schema.channels.base import Format
from schema.channels.registry import get_channel_type
from schema.domain.bodies import Content, TooLarge, body_for, check_fits
from schema.domain.render import missing, render, resolve_variables
from schema.errors import BadInput
from schema.models import Binding, Task, Template
from schema.services.send_request import SendRequest


@dataclass(frozen=True)
class PlannedDelivery:
    binding: Binding
    format: str
    receivers: tuple[str, ...]


STRAY_RECIPIENTS_WARNING = (
    "recipients were given, but no enabled binding takes per-call recipients: "
    "sent to the fixed receivers instead"
)


def content_for(target: Task | Template, request: SendRequest) -> Content:
    """Task mode: the caller's content. Template mode: the template rendered with the variables."""
    if isinstance(target, Task):
        content = Content(
            title=request.title, text=request.text, markdown=request.markdown, html=request.html
        )
        if content.is_empty():
            raise BadInput("give at least one of text, markdown and html", field="text", reason="no_body")
        return content
    values = resolve_variables(target.placeholders, request.variables)
    # Message Nest sends the call's title as given (never rendered) and leaves unfilled
    # placeholders as written; PushNest's own API renders the template's title and refuses gaps.
    own_title = request.message_nest_rules and bool(request.title)
    texts = [target.text_body, target.markdown_body, target.html_body] + ([] if own_title else [target.title])
    absent = [] if request.message_nest_rules else missing(texts, values)
    if absent:
        raise BadInput(
            f"missing variables: {', '.join(absent)}",
            field="variables",
            missing=absent,
            reason="missing_variables",
            args={"names": ", ".join(absent)},
        )
    content = Content(
        title=request.title if own_title else render(target.title, values),
        text=render(target.text_body, values),
        markdown=render(target.markdown_body, values),
        html=render(target.html_body, values, escape_html=True),
    )
    if content.is_empty():
        raise BadInput(
            f"template {target.name!r} has no body",
            field="templateId",
            reason="template_without_body",
            args={"name": target.name},
        )
    return content


def plan_deliveries(bindings: list[Binding], content: Content, request: SendRequest) -> list[PlannedDelivery]:
    """One delivery per binding; bindings that take per-call receivers get one per receiver chunk.

    Recipients no binding takes are refused, except under Message Nest's rules (see `warnings_for`)."""
    planned: list[PlannedDelivery] = []
    takes_receivers = False
    for binding in bindings:
        kind = get_channel_type(binding.channel.type)
        fmt = binding.format if binding.format in {f.value for f in kind.formats} else kind.formats[0].value
        try:
            check_fits(body_for(Format(fmt), content), kind.max_body_bytes)
        except TooLarge as exc:
            raise BadInput(
                f"too large for channel {binding.channel.name!r} ({kind.label}): {exc}",
                field="text",
                channel=binding.channel.name,
                reason="body_too_large",
                args={
                    "channel": binding.channel.name,
                    "channelType": kind.key,
                    "channelLabel": kind.label,
                    "size": exc.size,
                    "limit": exc.limit,
                },
            ) from None
        if binding.accepts_receivers and request.recipients and kind.supports_receivers:
            takes_receivers = True
            size = kind.receivers_per_delivery(binding.options)
            for start in range(0, len(request.recipients), size):
                chunk = tuple(request.recipients[start : start + size])
                planned.append(PlannedDelivery(binding, fmt, chunk))
        else:
            planned.append(PlannedDelivery(binding, fmt, ()))
    if request.recipients and not takes_receivers and not request.message_nest_rules:
        raise BadInput(
            "recipients were given, but no enabled binding takes per-call recipients",
            field="recipients",
            reason="recipients_not_taken",
        )
    return planned


def warnings_for(planned: list[PlannedDelivery], request: SendRequest) -> list[str]:
    """What a send accepted under Message Nest's rules did differently from what the caller asked."""
    if request.recipients and not any(p.receivers for p in planned):
        return [STRAY_RECIPIENTS_WARNING]
    return []
